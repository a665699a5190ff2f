"""Loading policies: the shipped one loads; every kind of mistake is reported where it is."""

import datetime as dt

import pytest

import formasi_rules as fr
from conftest import edit, line_of


def load_problems(folder):
    with pytest.raises(fr.PolicyError) as info:
        fr.load_policy(folder)
    assert info.value.problems, "a PolicyError must list its problems"
    return info.value.problems


def test_shipped_policy_loads(policy):
    assert policy.name == "pengantar_kerja"
    assert policy.levels == ("ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama")
    assert policy.digest.startswith("sha256:")
    assert {r.id for r in policy.rules} >= {"status.asn", "perpindahan.age", "kenaikan_pangkat.credit_points"}
    # every rule cites a source the policy defines
    assert all(r.citation.source in policy.sources for r in policy.rules)


def test_digest_changes_with_content(policy, policy_copy):
    edit(policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml", "max_age: 55", "max_age: 56")
    assert fr.load_policy(policy_copy).digest != policy.digest


def test_misspelt_rule_key_names_file_line_rule_and_suggests(policy_copy):
    path = policy_copy.parent / "jf_umum" / "rules" / "perpindahan.yaml"
    edit(path, "    citation: {source: bkn_faq_perpindahan, article: Syarat usia}",
         "    citaton: {source: bkn_faq_perpindahan, article: Syarat usia}")
    problems = load_problems(policy_copy)
    unknown = [p for p in problems if p.code == "P012"]
    assert len(unknown) == 1
    p = unknown[0]
    assert p.file.endswith("rules/perpindahan.yaml")
    assert p.line == line_of(path, "citaton:")
    assert p.column == 5
    assert p.rule == "perpindahan.age"
    assert "citation" in p.hint
    assert "citaton" in p.en and "citaton" in p.id  # both languages
    # the missing required key is reported too
    assert any(q.code == "P013" and "citation" in q.en and q.rule == "perpindahan.age" for q in problems)


@pytest.mark.parametrize("where, name", [("rules/formation.yaml", "rules"), ("tables/position.yaml", "tables")])
def test_an_unknown_top_level_key_names_its_file_once(policy_copy, where, name):
    """The place before the problem gives the file's whole path; the message names the file by its name
    (it said the whole path a second time, in both languages)."""
    path = policy_copy / where
    path.write_text(path.read_text(encoding="utf-8") + f"{name}z: []\n", encoding="utf-8")
    (p,) = [p for p in load_problems(policy_copy) if p.code == "P012"]
    assert p.file == str(path) and str(path) not in p.en and str(path) not in p.id
    assert f"in {path.name};" in p.en and f"di {path.name}" in p.id and f"'{name}'" in p.hint


def test_unknown_field_in_condition_suggests_the_field(policy_copy):
    path = policy_copy.parent / "jf_umum" / "rules" / "perpindahan.yaml"
    edit(path, "      age: {at_most:", "      ages: {at_most:")
    (p,) = load_problems(policy_copy)
    assert p.code == "P031" and p.rule == "perpindahan.age"
    assert p.line == line_of(path, "ages: {at_most")
    assert "'age'" in p.hint


def test_bad_date_shows_a_valid_example(policy_copy):
    edit(policy_copy.parent / "jf_umum" / "tables" / "credit_points.yaml",
         "{level: ahli_pertama, coefficient: 12.5}",
         "{level: ahli_pertama, coefficient: 12.5, valid_from: 12/01/2023}")
    (p,) = load_problems(policy_copy)
    assert p.code == "P017"
    assert "2023-01-12" in p.en and "12/01/2023" in p.en


def test_citation_to_undefined_source(policy_copy):
    path = policy_copy.parent / "jf_umum" / "rules" / "penyesuaian.yaml"
    edit(path, "citation: {source: pp_11_2017", "citation: {source: pp_11_2071")
    (p,) = load_problems(policy_copy)
    assert p.code == "P050" and p.rule == "penyesuaian.window"
    assert p.line == line_of(path, "pp_11_2071")
    assert "pp_11_2017" in p.hint


def test_yaml_syntax_error_has_line_and_column(policy_copy):
    path = policy_copy.parent / "jf_umum" / "rules" / "common.yaml"
    text = path.read_text().replace("    routes: all\n", "    routes: [all\n", 1)
    path.write_text(text)
    (p,) = load_problems(policy_copy)
    assert p.code == "P002" and p.file.endswith("common.yaml") and p.line is not None


def test_wrong_value_for_field_is_caught_with_suggestion(policy_copy):
    edit(policy_copy.parent / "jf_umum" / "rules" / "pengangkatan_pertama.yaml", "{at_least: baik}", "{at_least: baek}")
    (p,) = load_problems(policy_copy)
    assert p.code == "P068" and "'baik'" in p.hint


def test_operator_that_does_not_fit_the_field(policy_copy):
    edit(policy_copy.parent / "jf_umum" / "rules" / "common.yaml",
         "employment_status: {in: {table: appointment_status, column: statuses}}",
         "employment_status: {at_least: PNS}")
    (p,) = load_problems(policy_copy)
    assert p.code == "P060" and p.rule == "status.asn"


def test_table_cell_of_wrong_type_and_unknown_row_key(policy_copy):
    path = policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml"
    edit(path, "{level: ahli_madya, max_age: 55}", "{level: ahli_mdya, max_age: fifty}")
    problems = load_problems(policy_copy)
    codes = {p.code for p in problems}
    assert {"P042", "P044"} <= codes
    key_problem = next(p for p in problems if p.code == "P042")
    assert key_problem.line == line_of(path, "ahli_mdya") and "'ahli_madya'" in key_problem.hint


def test_column_reference_to_missing_column(policy_copy):
    edit(policy_copy.parent / "jf_umum" / "rules" / "perpindahan.yaml", "column: max_age}", "column: max_agee}")
    (p,) = load_problems(policy_copy)
    assert p.code == "P064" and "max_age" in p.hint


def test_overlapping_rule_versions_are_rejected(policy_copy):
    path = policy_copy.parent / "jf_umum" / "rules" / "penyesuaian.yaml"
    path.write_text(path.read_text() + """
  - id: penyesuaian.window
    title: {id: Versi kedua, en: A second version}
    routes: [penyesuaian]
    valid_from: 2024-01-01
    require:
      as_of: {at_least: 2022-01-01}
    citation: {source: pp_11_2017}
""")
    (p,) = load_problems(policy_copy)
    assert p.code == "P052" and p.rule == "penyesuaian.window"


@pytest.mark.parametrize("valid_from, gap", [("2024-01-01", True), ("2023-12-31", False)])
def test_a_gap_between_rule_versions_is_noted_by_validate(policy_copy, valid_from, gap):
    """valid_to: 2023-12-30, then valid_from: 2024-01-01 (an off-by-one) validated without a word; on
    the day between, no version checks the requirement. It may be meant (a moratorium), so validate
    notes it, as formasi check reports it (C030)."""
    from click.testing import CliRunner
    from formasi_rules.cli import main
    path = policy_copy.parent / "jf_umum" / "rules" / "penyesuaian.yaml"
    edit(path, "    routes: [penyesuaian]\n    require:\n      as_of:\n",
         "    routes: [penyesuaian]\n    valid_to: 2023-12-30\n    require:\n      as_of:\n")
    path.write_text(path.read_text() + f"""
  - id: penyesuaian.window
    title: {{id: Versi kedua, en: A second version}}
    routes: [penyesuaian]
    valid_from: {valid_from}
    require:
      as_of: {{at_least: 2022-01-01}}
    citation: {{source: pp_11_2017}}
""")
    r = CliRunner().invoke(main, ["validate", str(policy_copy), "--backend", "reference"])
    assert r.exit_code == 0, r.output
    said = [line for line in r.stdout.splitlines() if line.startswith("note: rule penyesuaian.window")]
    assert bool(said) == gap
    if gap:
        assert "no version in force on 2023-12-31" in said[0] and "C030" in said[0]


def test_overlapping_table_rows_are_rejected(policy_copy):
    edit(policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml", "      - {level: ahli_muda, max_age: 53}\n",
         "      - {level: ahli_muda, max_age: 53}\n      - {level: ahli_muda, max_age: 54, valid_from: 2024-01-01}\n")
    (p,) = load_problems(policy_copy)
    assert p.code == "P045"
    assert p.hint.endswith(" / beri baris yang lama valid_to sebelum valid_from baris yang baru")  # not English only


def test_many_problems_are_reported_together(policy_copy):
    edit(policy_copy.parent / "jf_umum" / "rules" / "perpindahan.yaml", "      age: {at_most:", "      ages: {at_most:")
    edit(policy_copy.parent / "jf_umum" / "rules" / "common.yaml", "routes: all", "routes: [everything]")
    problems = load_problems(policy_copy)
    assert {p.code for p in problems} >= {"P031", "P019"}


def test_not_a_policy_folder(tmp_path):
    (p,) = load_problems(tmp_path)
    assert p.code == "P000"


def test_rule_text_is_never_executed(policy_copy, tmp_path):
    """A condition is data: text that looks like code is just an unknown value."""
    marker = tmp_path / "pwned"
    edit(policy_copy.parent / "jf_umum" / "rules" / "pengangkatan_pertama.yaml", "{at_least: baik}",
         f"{{at_least: \"__import__('pathlib').Path('{marker}').touch()\"}}")
    (p,) = load_problems(policy_copy)
    assert p.code == "P068"
    assert not marker.exists()


def test_load_policy_rejects_a_non_path():
    with pytest.raises(fr.InvalidArgument):
        fr.load_policy(42)


def test_problems_in_rules_and_tables_are_reported_in_one_run(policy_copy):
    edit(policy_copy.parent / "jf_umum" / "rules" / "perpindahan.yaml", "      age: {at_most:", "      ages: {at_most:")
    edit(policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml", "{level: ahli_madya, max_age: 55}",
         "{level: ahli_madya, max_age: lima puluh lima}")
    problems = load_problems(policy_copy)
    assert {p.code for p in problems} == {"P031", "P044"}


def test_a_list_column_of_an_enum_field_can_be_read(policy_copy):
    edit(policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml", "  education_min:", """  jpt_types:
    title: {id: Jenis jabatan asal, en: Positions one may come from}
    key: none
    columns: {types: list of position_type}
    rows:
      - types: [jpt]

  education_min:""")
    edit(policy_copy.parent / "jf_umum" / "rules" / "perpindahan.yaml", "        - position_type: {equals: jf}",
         "        - position_type: {in: {table: jpt_types, column: types}}")
    assert fr.load_policy(policy_copy).tables["jpt_types"].rows[0].values["types"] == ("jpt",)


@pytest.mark.parametrize("old, new, code", [
    ("      baik: {rank: 4, aliases: [Baik]}", "      baik: {rank: empat, aliases: [Baik]}", "P020"),
    ("      baik: {rank: 4, aliases: [Baik]}", "      baik: {rank: 4, alias: [Baik]}", "P012"),
    ("      baik: {rank: 4, aliases: [Baik]}", "      baik: {rank: 4, aliases: [Baik, kurang]}", "P028"),
    ("      baik: {rank: 4, aliases: [Baik]}", "      baik: [4]", "P026"),
    ("    ordered: true\n    better: higher\n    values:\n      sangat_kurang",
     "    ordered: yes please\n    better: higher\n    values:\n      sangat_kurang", "P024"),
])
def test_a_broken_vocabulary_names_its_place(policy_copy, old, new, code):
    path = policy_copy.parent / "jf_umum" / "policy.yaml"
    edit(path, old, new)
    problems = load_problems(policy_copy)
    assert code in [p.code for p in problems]
    p = next(p for p in problems if p.code == code)
    assert p.file.endswith("jf_umum/policy.yaml") and p.line


def test_a_citation_to_an_article_the_source_does_not_list(policy_copy):
    """PermenPANRB 21/2025 lists the articles seen; 'Pasal 12' is none of them (Pasal 1 is not a
    prefix of it either). A source that lists no articles is not judged."""
    edit(policy_copy / "rules" / "pedoman.yaml", "article: Pasal 11 ayat (3)", "article: Pasal 12 ayat (3)")
    (p,) = load_problems(policy_copy)
    assert p.code == "P059" and p.rule == "pengangkatan.pedoman_ditetapkan" and "Pasal 12" in p.en
    assert p.file.endswith("pedoman.yaml") and p.line


@pytest.mark.parametrize("rename", ["perpindahan.yml", "Perpindahan.YAML", "extra/perpindahan.yaml"])
def test_a_rule_file_the_loader_would_not_read_is_refused(policy_copy, rename):
    """A rule file named .yml, in capitals, or moved into a subfolder would be left out without a
    word, and the decisions would change: the loader names it and says how to fix it."""
    rules = policy_copy.parent / "jf_umum" / "rules"
    (rules / rename).parent.mkdir(exist_ok=True)
    (rules / "perpindahan.yaml").rename(rules / rename)
    problems = load_problems(policy_copy)
    assert [p.code for p in problems] == ["P004"]
    stray = rename.split("/")[0]
    assert problems[0].file.endswith(f"rules/{stray}") and stray in problems[0].en and problems[0].id
    assert problems[0].hint


def test_editor_files_beside_the_rules_are_left_alone(policy, policy_copy):
    rules = policy_copy.parent / "jf_umum" / "rules"
    (rules / ".perpindahan.yaml.swp").write_bytes(b"\x00")
    (rules / "perpindahan.yaml~").write_text("not: [yaml", encoding="utf-8")
    for name in ("#perpindahan.yaml#", "perpindahan.yaml.bak", "perpindahan.yaml.orig", "Thumbs.db", "desktop.ini"):
        (rules / name).write_text("not: [yaml", encoding="utf-8")
    assert fr.load_policy(policy_copy).digest == fr.load_policy(policy_copy).digest
    assert {r.id for r in fr.load_policy(policy_copy).rules} == {r.id for r in policy.rules}


@pytest.mark.parametrize("old, new, column", [
    ("effective_minutes_per_year: 75000", "effective_minutes_per_year: 0", "effective_minutes_per_year"),
    ("effective_minutes_per_year: 75000", "effective_minutes_per_year: -75000", "effective_minutes_per_year"),
    ("{period: month, per_year: 12}", "{period: month, per_year: 0}", "per_year"),
    ("{rounding: half_up,", "{rounding: halfup,", "rounding"),
    ("ej_bands: ej_bands_variant_1}", "ej_bands: ej_bands_variant_9}", "ej_bands"),
    ("ej_bands: ej_bands_variant_1}", "ej_bands: volume_periods}", "ej_bands"),
    ("unit: pencari kerja, ahli_pertama: 20}", "unit: pencari kerja, ahli_pertama: -20}", "ahli_pertama"),
    ("unit: pencari kerja, ahli_pertama: 20}", "unit: pencari kerja, ahli_pertama: 0}", "ahli_pertama"),
])
def test_a_formation_value_that_cannot_be_computed_with_is_refused(policy_copy, old, new, column):
    """A zero or negative working time or period factor, an unknown rounding or band table: the
    loader names the row, where the formation would fail or give needs that mean nothing."""
    path = policy_copy / "tables" / "formation.yaml"
    edit(path, old, new)
    (p,) = load_problems(policy_copy)
    assert p.code == "P049" and column in p.en and p.id
    assert p.file.endswith("tables/formation.yaml") and p.line == line_of(path, new)


@pytest.mark.parametrize("old, new, given", [
    ("{band: B, name: Baik, lower: 0.90, inclusive: true}", "{band: B, name: Baik, lower: 1.90, inclusive: true}",
     "above those of band A"),
    ("{band: B, name: Baik, lower: 0.90, inclusive: true}", "{band: B, name: Baik, lower: 1.00, inclusive: false}",
     "never be given"),
    ("{band: D, name: Sedang, lower: 0.50, inclusive: true}", "{band: D, name: Sedang, lower: 0.75, inclusive: true}",
     "above those of band C"),
])
def test_a_band_bound_out_of_order_is_refused_at_its_row(policy_copy, old, new, given):
    """The computation gives the band of the highest bound an EJ passes: a bound above the band
    before it would give "Baik" to an EJ above those called "Sangat Baik", without a word."""
    path = policy_copy / "tables" / "formation.yaml"
    edit(path, old, new)
    (p,) = load_problems(policy_copy)
    assert p.code == "P049" and given in p.en and p.id and p.hint
    assert p.file.endswith("tables/formation.yaml") and p.line == line_of(path, new)


def test_bands_listed_worst_first_are_in_order_and_checked_so(policy_copy):
    """The computation sorts bands by bound: E, D, C, B, A (worst first) gives the same bands as the
    shipped order. Out of that order, the band is said at its row."""
    path = policy_copy / "tables" / "formation.yaml"
    rows = ["      - {band: A, name: Sangat Baik, lower: 1.00, inclusive: false}\n",
            "      - {band: B, name: Baik, lower: 0.90, inclusive: true}\n",
            "      - {band: C, name: Cukup, lower: 0.70, inclusive: true}\n",
            "      - {band: D, name: Sedang, lower: 0.50, inclusive: true}\n",
            "      - {band: E, name: Kurang, lower: 0, inclusive: true}\n"]
    edit(path, "".join(rows), "".join(reversed(rows)))
    assert fr.load_policy(policy_copy).tables["ej_bands_variant_1"].rows[0].key == "E"
    edit(path, "{band: C, name: Cukup, lower: 0.70", "{band: C, name: Cukup, lower: 0.95")
    (p,) = load_problems(policy_copy)
    assert p.code == "P049" and "worst first" in p.en and "band B" in p.en  # B (0.90) now below C (0.95)


def test_bands_with_an_equal_bound_excluded_then_included_are_in_order(policy_copy):
    """A > 1.00 then B >= 1.00 is an order (B is exactly 1.00): nothing to refuse."""
    path = policy_copy / "tables" / "formation.yaml"
    edit(path, "{band: B, name: Baik, lower: 0.90, inclusive: true}", "{band: B, name: Baik, lower: 1.00, inclusive: true}")
    assert fr.load_policy(policy_copy).tables["ej_bands_variant_1"].rows[1].values["lower"] == 1


@pytest.mark.parametrize("file, old, new", [
    ("rules/formation.yaml", "need: {at_least: {table: formation_limits, column: min_officers}}", "need: {at_most: -1}"),
    ("tables/formation.yaml", "{level: ahli_pertama, min_officers: 1}", "{level: ahli_pertama, min_officers: -2}"),
])
def test_a_formation_bound_below_zero_is_refused_where_it_is_written(policy_copy, file, old, new):
    """need: {at_most: -1} would give a region a need of -1 officers."""
    path = policy_copy / file
    edit(path, old, new)
    (p,) = load_problems(policy_copy)
    assert p.code == "P057" and "below 0" in p.en and p.rule == "formation.minimum_staffing"
    assert p.file.endswith(file) and p.line == line_of(path, new)


@pytest.mark.parametrize("file, old, new, said, hint", [
    ("rules/formation.yaml", "need: {at_least: {table: formation_limits, column: min_officers}}", "need: {at_least: 2.5}",
     "value 2.5 does not fit", None),
    ("rules/pedoman.yaml", "as_of: {at_least: {table: pedoman_kebutuhan, column: set_on}}", 'as_of: {at_least: "2023-12-31"}',
     "value '2023-12-31' does not fit", "write the date without quotes: 2023-12-31"),
    ("tables/position.yaml", "      - statuses: [PNS]", "      - statuses: PNS",
     "expected a list of employment_status values", "write a list in brackets: [PNS]"),
])
def test_a_value_of_the_wrong_form_is_said_as_written_with_the_fix(policy_copy, file, old, new, said, hint):
    """The message showed Python's Decimal('2.5'); a quoted date was "expected a date like
    2023-01-12" (which it looked like); 'statuses: PNS' was answered "did you mean 'PNS'?"."""
    path = policy_copy / file
    edit(path, old, new)
    (p,) = load_problems(policy_copy)
    assert said in p.en and "Decimal(" not in p.en and p.line == line_of(path, new)
    assert p.hint == hint or (hint and p.hint.startswith(hint))


@pytest.mark.parametrize("old, new, days", [
    ("      - effective_minutes_per_year: 75000\n        valid_from: 2020-01-01",
     "      - effective_minutes_per_year: 75000\n        valid_from: 2024-01-01", "from 2023-01-12 to 2023-12-31"),
    ("      - effective_minutes_per_year: 75000\n        valid_from: 2020-01-01",
     "      - effective_minutes_per_year: 75000\n        valid_from: 2020-01-01\n        valid_to: 2025-06-30",
     "from 2025-07-01 to no end"),
])
def test_a_formation_table_with_no_row_on_days_the_policy_covers_is_refused(policy_copy, old, new, days):
    """The working time from 2024 only validated; a formation asked for on 2023-06-01 then failed with
    a message naming no file."""
    path = policy_copy / "tables" / "formation.yaml"
    edit(path, old, new)
    (p,) = load_problems(policy_copy)
    assert p.code == "P049" and "'effective_working_time'" in p.en and days in p.en
    assert p.file.endswith("tables/formation.yaml") and p.line == line_of(path, "effective_working_time:")


def test_a_key_given_twice_is_said_by_its_key_at_the_second(policy_copy):
    """ruamel's message wrote both values out (a whole table, for a table's name) and the hint spoke of
    indentation."""
    path = policy_copy / "tables" / "formation.yaml"
    edit(path, "  formation_limits:\n", "  formation_limits: {title: x}\n  formation_limits:\n")
    (p,) = load_problems(policy_copy)
    assert p.code == "P002" and "the key 'formation_limits' is given twice" in p.en and "{" not in p.en
    assert p.line == line_of(path, "formation_limits: {title: x}") + 1 and "keep one" in p.hint and "kunci" in p.id


def test_a_version_yaml_would_read_as_a_number_is_refused_at_its_line(policy_copy):
    """version: 2025.10 unquoted is the number 2025.1 to YAML: every decision would record 2025.1."""
    path = policy_copy / "policy.yaml"
    edit(path, 'version: "2025.10"', "version: 2025.10")
    problem, = [p for p in load_problems(policy_copy) if p.code == "P014"]
    assert problem.line == line_of(path, "version: 2025.10") and "quotes" in problem.en
    assert problem.hint == 'write it in quotes: version: "2025.10" / tulis dalam tanda kutip: version: "2025.10"'
    edit(path, "version: 2025.10", "version: 3")  # a whole number loses nothing
    assert fr.load_policy(policy_copy).version == "3"


def test_a_table_value_a_rule_cannot_use_names_the_table_row(policy_copy):
    """The rule reads the value, but it is the table's row that needs correcting: both are named."""
    path = policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml"
    edit(path, "- {level: ahli_pertama, max_age: 53}", "- {level: ahli_pertama, max_age: 53.5}")
    with pytest.raises(fr.PolicyError) as caught:
        fr.Engine(fr.load_policy(policy_copy), backend="reference")
    problem = next(p for p in caught.value.problems if p.code == "P070")
    assert problem.rule == "perpindahan.age"
    assert f"{path}:{line_of(path, 'ahli_pertama, max_age: 53.5')}" in problem.en and "correct it there" in problem.en
    assert f"{path}:{line_of(path, 'ahli_pertama, max_age: 53.5')}" in problem.id and "perbaiki di sana" in problem.id


def test_a_rule_of_the_policy_that_could_never_apply_is_refused(policy_copy):
    """No route has the level, or no day the policy covers: validate said ok and the requirement was
    silently gone (a base's rules serve other positions too, and are left out where they do not fit)."""
    path = policy_copy / "rules" / "pedoman.yaml"
    edit(path, "    routes: [pengangkatan_pertama, perpindahan, penyesuaian, kenaikan_jenjang]\n",
         "    routes: [kenaikan_jenjang]\n    levels: [ahli_pertama]\n")
    problem, = [p for p in load_problems(policy_copy) if p.code == "P038"]
    assert problem.rule == "pengangkatan.pedoman_ditetapkan" and "kenaikan_jenjang: ahli_muda" in problem.en


def test_a_property_of_the_policy_about_a_level_it_lacks_is_refused(policy_copy):
    """A property of the position's own about terampil validated, and formasi check said 'no defect
    findings': it was never tested."""
    path = policy_copy / "rules" / "properties.yaml"
    edit(path, "    route: perpindahan\n    level: ahli_pertama\n", "    route: perpindahan\n    level: terampil\n")
    problem, = [p for p in load_problems(policy_copy) if p.code == "P038"]
    assert problem.rule == "no_transfer_to_pertama_after_53" and problem.file.endswith("properties.yaml")


def test_an_input_a_letter_from_a_record_field_is_refused(policy_copy):
    """input: birthdate validated as a new field of the policy's own: no record gives it, and every
    age decision became undetermined while the records' birth_date was ignored."""
    path = policy_copy.parent / "jf_umum" / "fields" / "record.yaml"
    edit(path, "input: birth_date", "input: birthdate")
    problem, = [p for p in load_problems(policy_copy) if p.code == "P088"]
    assert "nearly the record field 'birth_date'" in problem.en and problem.line == line_of(path, "input: birthdate")


def test_a_rule_of_the_policy_in_force_on_no_day_it_covers_is_refused(policy_copy):
    edit(policy_copy / "rules" / "pedoman.yaml", "    valid_from: 2025-10-01\n",
         "    valid_from: 2019-01-01\n    valid_to: 2020-01-01\n")
    problem, = [p for p in load_problems(policy_copy) if p.code == "P039"]
    assert problem.rule == "pengangkatan.pedoman_ditetapkan" and "2020-01-01" in problem.en


@pytest.mark.parametrize("number", [".inf", "-.inf", ".nan", "1e400"])
def test_a_number_that_is_not_finite_is_refused_at_its_line(policy_copy, number):
    path = policy_copy.parent / "jf_umum" / "fields" / "derived.yaml"
    edit(path, "{divide: [months, 12]}", f"{{divide: [months, {number}]}}")
    problem, = load_problems(policy_copy)
    assert problem.code == "P002" and "not a finite number" in problem.en and problem.line == line_of(path, number)
    assert "bukan bilangan terhingga" in problem.id and "finite" not in problem.id  # said in each language


@pytest.mark.parametrize("written, id_words", [("2025-02-30", "bukan tanggal"), ("75.000", "pemisah ribuan")])
def test_a_value_the_reader_refuses_is_said_in_indonesian_too(policy_copy, written, id_words):
    """A date the calendar lacks, or a thousands dot, is refused at its line with each half in its own language."""
    path = policy_copy / "rules" / "pedoman.yaml"
    edit(path, "    valid_from: 2025-10-01\n", f"    valid_from: {written}\n")
    problem, = load_problems(policy_copy)
    assert problem.code == "P002" and problem.line == line_of(path, written)
    assert id_words in problem.id and " is not " not in problem.id and "reads as" not in problem.id


@pytest.mark.parametrize("url", ["javascript:alert(document.cookie)", "data:text/html,<b>x</b>", "{a: 1}"])
def test_a_source_url_that_is_no_web_address_is_refused(policy_copy, url):
    """The book links every citation to its source's url: a javascript: address ran in the reader's
    browser on 34 pages, and a mapping became href="{'a': 1}"."""
    path = policy_copy / "policy.yaml"
    edit(path, "    confidence: S\n    note: 1,250 effective hours", f"    url: {url}\n    confidence: S\n    note: 1,250 effective hours")
    problem = next(p for p in load_problems(policy_copy) if p.code == "P011")
    assert "http:// or https://" in problem.en and problem.line == line_of(path, f"url: {url}")


def test_a_number_written_with_a_thousands_dot_is_refused_at_its_line(policy_copy):
    """75.000 minutes as Indonesian writes seventy-five thousand read as 75: every need a thousand
    times too large, and the policy validated."""
    path = policy_copy / "tables" / "formation.yaml"
    edit(path, "      - effective_minutes_per_year: 75000\n", "      - effective_minutes_per_year: 75.000\n")
    problem, = load_problems(policy_copy)
    assert problem.code == "P002" and "write 75000 if a thousands separator is meant" in problem.en
    assert problem.line == line_of(path, "75.000")
    edit(path, "effective_minutes_per_year: 75.000\n", "effective_minutes_per_year: 75000.0\n")  # decimals: read
    assert fr.load_policy(policy_copy).name


def test_dividing_by_the_number_zero_is_refused(policy_copy):
    path = policy_copy.parent / "jf_umum" / "fields" / "derived.yaml"
    edit(path, "{divide: [months, 12]}", "{divide: [months, 0]}")
    problem = next(p for p in load_problems(policy_copy) if p.code == "D020")
    assert problem.line == line_of(path, "{divide: [months, 0]}")


def test_not_over_a_list_must_say_none_or_not_all(policy_copy):
    """`not: [a, b]` was read as "not both", where an officer most often means "neither"."""
    path = policy_copy / "rules" / "pedoman.yaml"
    edit(path, "      as_of: {at_least: {table: pedoman_kebutuhan, column: set_on}}\n",
         "      as_of: {at_least: {table: pedoman_kebutuhan, column: set_on}}\n"
         "      not: [{education: {equals: S1}}, {education: {equals: S2}}]\n")
    problem, = [p for p in load_problems(policy_copy) if p.code == "P032"]
    assert "not: {any: [...]}" in problem.hint and problem.line == line_of(path, "not: [")


def test_a_misspelt_table_key_is_said_once_at_the_key(policy_copy):
    """Not once per row, telling the officer to rename every row's 'level' to the typo."""
    path = policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("  transfer_age_limit:")
    key_at = text.index("key: level", at)
    path.write_text(text[:key_at] + "key: levl" + text[key_at + len("key: level"):], encoding="utf-8")
    found = load_problems(policy_copy)
    assert [p.code for p in found] == ["P012"] and "'levl'" in found[0].en and found[0].hint.startswith("write key: level")


def test_a_mistake_in_an_anchored_block_is_said_once(policy_copy):
    """The block is read once per alias that repeats it; the same problem at the same place, in the
    same rule, is one problem."""
    (policy_copy / "rules" / "anchored.yaml").write_text(
        "rules:\n  - id: pk.one\n    title: {id: aturan, en: rule}\n    routes: [perpindahan]\n"
        "    citation: {source: permenpanrb_21_2025}\n"
        "    require: {all: [&when {as_of: {abov: 2024-01-01}}, *when]}\n", encoding="utf-8")
    found = [p for p in load_problems(policy_copy) if "abov" in p.en]
    assert len(found) == 1, found


def test_a_reversed_window_in_a_table_row_is_said_at_the_row(policy_copy):
    """opens after closes validated ("ok"): no day was in the window and only ``formasi check`` said
    so (C010), naming the rule, not the row to correct."""
    path = policy_copy / "tables" / "position.yaml"
    edit(path, "{opens: 2022-01-01, closes: 2023-12-31}", "{opens: 2023-12-31, closes: 2022-01-01}")
    (p,) = load_problems(policy_copy)
    assert p.code == "P073" and p.rule == "penyesuaian.window"
    assert p.file.endswith("pk/tables/position.yaml") and p.line == line_of(path, "opens: 2023-12-31")
    assert "reversed" in p.en and "opens 2023-12-31 is after closes 2022-01-01" in p.en and "terbalik" in p.id
    assert "swap" in p.hint


@pytest.mark.parametrize("pair, reversed_", [("[III/d, III/a]", True), ("[III/a, III/a]", False)])
def test_a_reversed_literal_pair_is_said_at_the_rule(policy_copy, pair, reversed_):
    path = policy_copy.parent / "jf_umum" / "rules" / "common.yaml"
    edit(path, "between: [{table: rank_range, column: min_rank}, {table: rank_range, column: max_rank}]",
         f"between: {pair}")
    if not reversed_:
        fr.load_policy(policy_copy)
        return
    (p,) = load_problems(policy_copy)
    assert p.code == "P073" and p.rule == "rank.in_range" and p.line == line_of(path, "between: [III/d")
    assert "between: [III/a, III/d]" in p.hint


@pytest.mark.parametrize("wrap", ["any: [{rank: {between: [III/d, III/a]}}, {rank: {equals: IV/e}}]",
                                  "not: {rank: {between: [III/d, III/a]}}"])
def test_a_reversed_pair_under_any_or_not_is_no_rule_never_met(policy_copy, wrap):
    """P073 says the rule is never met: a reversed pair in one branch of an `any`, or under a `not`,
    does not make it so (the branch never passes, or the `not` always does)."""
    path = policy_copy.parent / "jf_umum" / "rules" / "common.yaml"
    edit(path, "      rank:\n        between: [{table: rank_range, column: min_rank}, {table: rank_range, "
         "column: max_rank}]", f"      {wrap}")
    try:
        fr.load_policy(policy_copy)
    except fr.PolicyError as exc:
        assert "P073" not in [p.code for p in exc.problems], exc.problems


def test_a_reversed_row_at_a_level_no_route_reads_is_not_said(policy_copy):
    """Pemula is no level of the shipped policy: its row is never read there."""
    edit(policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml",
         "{level: pemula, min_rank: II/a, max_rank: II/a,", "{level: pemula, min_rank: II/b, max_rank: II/a,")
    fr.load_policy(policy_copy)
    edit(policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml",
         "{level: ahli_muda, min_rank: III/c, max_rank: III/d}", "{level: ahli_muda, min_rank: III/d, max_rank: III/c}")
    (p,) = load_problems(policy_copy)
    assert p.code == "P073" and "min_rank III/d is above max_rank III/c" in p.en


def test_a_rule_bound_past_a_table_cell_is_said_at_the_row(policy_copy):
    edit(policy_copy.parent / "jf_umum" / "rules" / "penyesuaian.yaml", "between: [{table: adjustment_window, column: opens}",
         "between: [2024-01-01")
    (p,) = load_problems(policy_copy)
    assert p.code == "P073" and p.file.endswith("pk/tables/position.yaml")
    assert "closes 2023-12-31 is before the rule's lower bound 2024-01-01" in p.en


@pytest.mark.parametrize("path, old, new, code, meant", [
    ("jf_umum/rules/perpindahan.yaml",
     "- experience_years: {at_least: {table: transfer_requirements, column: min_experience_years}}",
     "- experience_years: {at_least: 2,5}", "P035", "2.5"),
    ("pk/tables/formation.yaml", "{period: month, per_year: 12}", "{period: month, per_year: 12,5}", "P012", "12.5"),
    ("pk/tables/formation.yaml", "{period: month, per_year: 12}", "{period: month, per_year: 12,05}", "P012", "12.05"),
])
def test_a_decimal_comma_in_a_flow_mapping_is_said_so(policy_copy, path, old, new, code, meant):
    """YAML reads {at_least: 2,5} as {at_least: 2, 5: null}: the error was 'unknown operator 5'."""
    edit(policy_copy.parent / path, old, new)
    (p,) = load_problems(policy_copy)
    assert p.code == code
    assert f"decimal comma: write {meant}, with a point" in p.hint and f"koma desimal: tulis {meant}" in p.hint


def test_a_number_key_after_text_is_no_decimal_comma(policy_copy):
    edit(policy_copy.parent / "pk" / "tables" / "formation.yaml", "{period: month, per_year: 12}",
         "{period: month, 5: 12}")
    problems = load_problems(policy_copy)
    assert any(p.code == "P012" for p in problems)
    assert not any("decimal comma" in (p.hint or "") for p in problems)


@pytest.mark.parametrize("old, new, says_en, says_id", [
    ("    routes: all\n", "\troutes: all\n", "tab", "tab"),  # a tab for indentation
    ("    routes: all\n", "     routes: all\n", "indented", "indentasi"),  # one space too many
    ("    routes: all\n", "   routes: all\n", "indented", "indentasi"),  # one space too few
    ("    routes: all\n", "    routes:all\n", "space after the colon", "spasi"),
    ("    routes: all\n", "    routes: [all\n", "not closed", "belum ditutup"),
])
def test_yaml_syntax_error_is_explained_in_both_languages(policy_copy, old, new, says_en, says_id):
    """Policy staff see what is wrong and how to fix it, in both languages, not the parser's jargon
    ('expected <block end>, but found ...') repeated in the Indonesian half."""
    path = policy_copy.parent / "jf_umum" / "rules" / "common.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    (p,) = load_problems(policy_copy)
    assert p.code == "P002" and p.line is not None, p
    assert says_en in p.en and says_id in p.id, p
    for jargon in ("<block", "<scalar>", "cannot start any token", "could not find expected", "mapping values"):
        assert jargon not in p.id, p
    assert p.hint and " / " in p.hint, p  # how to fix it, in both languages


def test_key_indented_into_the_mapping_above_is_pointed_at(policy_copy):
    """`routes:` indented like the lines of `title:` above it becomes a key of the title: staff were
    told only that the rule has no routes, not where the routes they wrote went."""
    path = policy_copy.parent / "jf_umum" / "rules" / "common.yaml"
    edit(path, "    routes: all\n", "      routes: all\n")
    (p,) = load_problems(policy_copy)
    assert p.code == "P013" and p.rule == "status.asn", p
    line = line_of(path, "      routes: all")
    assert p.hint and f"line {line}" in p.hint and f"baris {line}" in p.hint and "'title'" in p.hint, p
    assert "indent" in p.hint and "indentasi" in p.hint, p


def test_misspelt_level_in_levels_is_not_also_called_missing(policy_copy):
    """A misspelt level in `levels:` is one mistake: staff were also told that no layer says which
    levels the position has, right under the line that says it."""
    path = policy_copy / "policy.yaml"
    edit(path, "levels: [ahli_pertama, ahli_muda, ahli_madya, ahli_utama]",
         "levels: [ahli_pertama, ahli_muda, ahli_madya, ahli_utam]")
    (p,) = load_problems(policy_copy)
    assert p.code == "P019" and "'ahli_utama'" in p.hint, p


@pytest.mark.parametrize("text, says_en, says_id", [
    ("", "empty", "kosong"),
    ("# belum ada aturan\n", "empty", "kosong"),
    ("- id: x\n  title: x\n", "a list", "daftar"),
])
def test_empty_or_headless_rule_file_says_what_it_should_hold(policy_copy, text, says_en, says_id):
    """An empty rule file (or one with only comments, or a list without `rules:` above it) was
    'FILE must be a mapping of key: value pairs, got nothing', with the path said twice and no fix."""
    (policy_copy / "rules" / "baru.yaml").write_text(text, encoding="utf-8")
    (p,) = load_problems(policy_copy)
    assert p.file.endswith("baru.yaml") and p.code == "P010", p
    assert says_en in p.en and says_id in p.id, p
    assert "rules:" in p.hint and " / " in p.hint and "baru.yaml" not in p.en, p


@pytest.mark.parametrize("file, old, new", [
    ("rules/perpindahan.yaml", "id: perpindahan.age\n", "id: perpindahan.performance\n"),          # P052
    ("rules/perpindahan.yaml", "id: perpindahan.age\n", "id: Perpindahan.Age\n"),                  # P015
    ("rules/common.yaml", "    routes: all\n", "    routes: all\n    routes: all\n"),              # P002 twice
    ("fields/derived.yaml", "derive: {history: positions, on: as_of, value: since, same: [type, name, level]}",
     "derive: {add_months: [as_of, years_in_level]}"),                                             # P085
    ("rules/perpindahan.yaml", "  - id: perpindahan.age\n",
     "  - id: perpindahan.age\n    valid_from: 2024-01-01\n    valid_to: 2023-06-30\n"),             # P023
    ("policy.yaml", "abstract: true", "abstract: 'true'"),                                         # P024
    ("policy.yaml", 'version: "2023.1"', "version: [2023]"),                                       # P014
    ("rules/perpindahan.yaml", "    title: {id: Usia paling tinggi sesuai jenjang, en: Age at most the limit of the level}",
     "    title: [Usia paling tinggi]"),                                                           # P016
    ("rules/perpindahan.yaml", "  - id: perpindahan.age\n",
     "  - id: perpindahan.age\n    valid_from: 12 Januari 2024\n"),                                # P017
    ("fields/record.yaml", "    decimals: 2\n    input: experience_years", "    input: experience_years"),  # P083
    ("fields/record.yaml", "    input: experience_years", "    input: [experience_years]"),              # P086
    ("fields/record.yaml", "    type: number\n    decimals: 2\n    input: experience_years",
     "    type: boolean\n    input: experience_years"),                                            # P087
    ("fields/record.yaml", "    default: false      #", "    default: maybe      #"),                   # P091
    ("fields/record.yaml", "    input: experience_years", "    input: experience_years\n    derive: {const: 1}"),  # P082
])
def test_how_to_fix_a_policy_is_said_in_both_languages(policy_copy, file, old, new):
    """The fix of a policy problem ('give the older version a valid_to ...') was English only."""
    path = policy_copy.parent / "jf_umum" / file
    edit(path, old, new)
    problems = load_problems(policy_copy)
    assert problems and all(p.hint and " / " in p.hint for p in problems), problems
    if "Januari" in new:  # a date with its month's name: the hint gives it as it must be written
        assert any("2024-01-12" in p.hint for p in problems if p.code == "P017"), problems


@pytest.mark.parametrize("old, new, code", [
    ("    columns: {effective_minutes_per_year: number}", "    columns: {effective_minutes: number}", "P055"),
    ("      ahli_pertama: optional number     #", "      ahli_pertama: number     #", "P056"),
])
def test_a_formation_table_of_the_wrong_shape_says_the_shape(policy_copy, old, new, code):
    edit(policy_copy / "tables" / "formation.yaml", old, new)
    found = [p for p in load_problems(policy_copy) if p.code == code]
    assert found and all(p.hint and " / " in p.hint for p in found), found
    assert "effective_minutes_per_year: number" in found[0].hint if code == "P055" else \
        "ahli_pertama: optional number" in found[0].hint


def test_a_policy_file_saved_as_latin_1_says_how_to_fix_it_in_both_languages(policy_copy):
    """The Indonesian message said only that the file is not UTF-8; the fix was in the English."""
    path = policy_copy / "rules" / "pedoman.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\n# catatan: pen\xe9ilaian\n", 1))
    with pytest.raises(fr.PolicyError) as info:
        fr.load_policy(policy_copy)
    (problem,) = info.value.problems
    assert problem.line == 2 and "pedoman.yaml" in problem.file
    assert "UTF-8" in problem.en and "simpan sebagai UTF-8" in problem.id


def test_an_unclosed_bracket_is_placed_where_it_opens(policy_copy):
    """An unclosed [ on line 9 was placed on line 10, where the parser gave up."""
    path = policy_copy / "rules" / "pedoman.yaml"
    line = line_of(path, "routes: [")
    edit(path, "kenaikan_jenjang]", "kenaikan_jenjang")
    with pytest.raises(fr.PolicyError) as info:
        fr.load_policy(policy_copy)
    (problem,) = info.value.problems
    assert problem.code == "P002" and problem.line == line and "[ ]" in problem.en


def test_key_indented_out_of_the_citation_above_is_pointed_at(policy_copy):
    """`article:` written at the column of `citation:` (the rule's column) left the citation for the
    rule: staff were told only that a rule has no key 'article' (did you mean 'title'?)."""
    path = policy_copy.parent / "jf_umum" / "rules" / "perpindahan.yaml"
    edit(path, "    citation: {source: bkn_faq_perpindahan, article: Syarat usia}\n",
         "    citation:\n      source: bkn_faq_perpindahan\n    article: Syarat usia\n")
    (p,) = load_problems(policy_copy)
    line = line_of(path, "    article: Syarat usia")
    assert p.code == "P012" and p.rule == "perpindahan.age" and p.line == line, p
    assert f"'article' (line {line}) is indented as a key beside 'citation', not of 'citation'" in p.hint, p
    assert "indent it by 2 more spaces" in p.hint and "terlalu ke kiri: tambahkan 2 spasi" in p.hint and f"baris {line}" in p.hint, p
    assert "'title'" not in p.hint, p  # not the nearest spelling of another key


def test_key_indented_out_of_the_rule_above_is_pointed_at(policy_copy):
    """A rule's `citation:` at the column of `rules:` (a list written without indentation) became a key
    of the file: 'unknown key citation; expected one of: rules, properties', with no word of indentation."""
    (policy_copy / "rules" / "baru.yaml").write_text(
        "rules:\n"
        "- id: baru.status\n"
        "  title: {id: Berstatus PNS, en: Is a PNS}\n"
        "  routes: all\n"
        "  require:\n"
        "    employment_status: {in: [PNS]}\n"
        "citation: {source: permenpanrb_1_2022, article: Pasal 1}\n", encoding="utf-8")
    (p,) = load_problems(policy_copy)
    assert p.code == "P012" and p.line == 7 and p.file.endswith("baru.yaml"), p
    assert "'citation' (line 7) is indented as a key beside 'rules', not of rule 'baru.status' above it" in p.hint, p
    assert "indent it by 2 more spaces" in p.hint, p
    assert "bukan kunci aturan 'baru.status'" in p.hint and "tambahkan 2 spasi" in p.hint, p


def test_key_at_the_column_of_the_list_item_is_pointed_at(policy_copy):
    """`routes:` at the column of the rule's `- ` cannot be read as YAML; staff were told only that the
    line 'is indented differently from the lines above it'."""
    path = policy_copy.parent / "jf_umum" / "rules" / "common.yaml"
    edit(path, "    routes: all\n", "  routes: all\n")
    (p,) = load_problems(policy_copy)
    line = line_of(path, "  routes: all")
    item = line_of(path, "  - id: status.asn")
    assert p.code == "P002" and p.line == line, p
    assert f"'routes' (line {line}) is indented as a key at the column of the '- ' of the list item at line {item}" \
        in p.hint, p
    assert "indent it by 2 more spaces" in p.hint and "terlalu ke kiri: tambahkan 2 spasi" in p.hint, p


def test_key_at_the_column_of_an_item_that_is_a_value_is_moved_left(policy_copy):
    """`valid_from:` at the column of the '- ' of a list of routes was told to be indented 2 more
    spaces 'to the column of the item's keys': `- perpindahan` has none, and the line indented so is
    still not YAML. It belongs beside `routes:`, to the left."""
    path = policy_copy / "rules" / "pedoman.yaml"
    edit(path, "    routes: [pengangkatan_pertama, perpindahan, penyesuaian, kenaikan_jenjang]\n    valid_from: 2025-10-01\n",
         "    routes:\n      - pengangkatan_pertama\n      - perpindahan\n      valid_from: 2025-10-01\n")
    (p,) = load_problems(policy_copy)
    line, routes = line_of(path, "      valid_from: 2025-10-01"), line_of(path, "    routes:")
    assert p.code == "P002" and p.line == line, p
    assert "indent it by" not in p.hint and "tambahkan" not in p.hint, p
    assert f"move it left by 2 spaces, to the column of 'routes' (line {routes})" in p.hint, p
    assert f"geser ke kiri 2 spasi, ke kolom 'routes' (baris {routes})" in p.hint, p
    edit(path, "      valid_from: 2025-10-01\n", "    valid_from: 2025-10-01\n")  # as the hint says: it loads
    assert fr.load_policy(policy_copy).name


def test_a_missing_citation_shows_how_one_is_written(policy_copy):
    """'required key citation is missing in rule x' did not say what a citation looks like: staff who
    had never written one had to find the policy language's page."""
    import io

    from ruamel.yaml import YAML

    path = policy_copy.parent / "jf_umum" / "rules" / "perpindahan.yaml"
    edit(path, "    citation: {source: bkn_faq_perpindahan, article: Syarat usia}\n", "")
    (p,) = load_problems(policy_copy)
    assert p.code == "P013" and p.rule == "perpindahan.age", p
    example = p.hint[p.hint.index("'citation: ") + 1:p.hint.index("}'") + 1]  # as staff would copy it
    citation = YAML(typ="safe").load(io.StringIO(example))["citation"]
    # a citation of this policy, as a rule above it in the same file writes one
    assert citation == {"source": "bkn_faq_perpindahan", "article": "Syarat pengalaman"}, p.hint
    assert "source is a key under 'sources:'" in p.hint and "misalnya" in p.hint and "pasal dan ayat" in p.hint, p


def test_a_missing_citations_example_names_an_article_its_source_lists(policy_copy):
    """The citation above it gives no article (allowed), and its source lists its articles: the example
    said 'article: Pasal 1', which that source does not list, so the citation copied as shown was P059."""
    import io

    from ruamel.yaml import YAML

    edit(policy_copy / "policy.yaml", "articles: [Pasal 1, Pasal 4, Pasal 11]", "articles: [Pasal 4, Pasal 11]")
    path = policy_copy / "rules" / "pedoman.yaml"
    edit(path, "    citation: {source: permenpanrb_21_2025, article: Pasal 11 ayat (3)}\n",
         "    citation: {source: permenpanrb_21_2025}\n")
    path.write_text(path.read_text(encoding="utf-8") + "  - id: pengangkatan.kedua\n    title: {id: Kedua, en: Second}\n"
                    "    routes: [perpindahan]\n    require:\n      experience_years: {at_least: 1}\n", encoding="utf-8")
    (p,) = load_problems(policy_copy)
    assert p.code == "P013" and p.rule == "pengangkatan.kedua", p
    example = p.hint[p.hint.index("'citation: ") + 1:p.hint.index("}'") + 1]
    assert YAML(typ="safe").load(io.StringIO(example))["citation"] == {"source": "permenpanrb_21_2025",
                                                                       "article": "Pasal 4"}, p.hint
    path.write_text(path.read_text(encoding="utf-8") + f"    {example}\n", encoding="utf-8")  # copied as shown
    assert fr.load_policy(policy_copy).name


@pytest.mark.parametrize("article", ["Pasal 5: ayat (1)", "Lampiran I, angka 3", "'kutip'", "- daftar", None])
def test_the_citation_shown_is_valid_yaml_whatever_its_article(article):
    import io

    from ruamel.yaml import YAML

    from formasi_rules.policy._check import citation_shape

    hint = citation_shape("pp_11_2017", article)
    example = hint[hint.index("'citation: ") + 1:hint.index("}'") + 1]
    citation = YAML(typ="safe").load(io.StringIO(example))["citation"]
    assert citation == {"source": "pp_11_2017", "article": article or "Pasal 1"}


def test_a_property_with_never_and_always_says_to_keep_one(policy_copy):
    path = policy_copy / "rules" / "properties.yaml"
    edit(path, "    never: eligible\n", "    never: eligible\n    always: not_eligible\n")
    (p,) = load_problems(policy_copy)
    assert p.code == "P058" and "'never: eligible'" in p.hint and "pertahankan satu" in p.hint, p


def test_a_bad_ordered_is_one_problem_not_every_level_unknown(policy_copy):
    """`ordered: 'yes'` on the level vocabulary dropped the vocabulary: 25 problems (no level
    vocabulary, every level of every route unknown, 'expected one of: ' nothing) around the one."""
    edit(policy_copy.parent / "jf_umum" / "policy.yaml", "    ordered: true\n", "    ordered: 'yes'\n")
    (p,) = load_problems(policy_copy)
    assert p.code == "P024" and "true or false" in p.hint and "tanpa tanda kutip" in p.hint, p


def test_a_key_after_a_flow_mapping_is_told_to_go_inside_it(policy_copy):
    """`citation: {source: ...}` then `article:` on its own line: there is no column to indent to."""
    path = policy_copy.parent / "jf_umum" / "rules" / "perpindahan.yaml"
    edit(path, "    citation: {source: bkn_faq_perpindahan, article: Syarat usia}\n",
         "    citation: {source: bkn_faq_perpindahan}\n    article: Syarat usia\n")
    (p,) = load_problems(policy_copy)
    assert p.code == "P012" and "write it inside the { } above, after 'source'" in p.hint, p
    assert "tulis di dalam { }" in p.hint and "indent it" not in p.hint, p


@pytest.mark.parametrize("file, old, new, code, fix", [
    ("rules/perpindahan.yaml", "      age: {at_most: {table: transfer_age_limit, column: max_age}}", "      age: 55",
     "P033", "to require that value: age: {equals: 55} / untuk mensyaratkan nilai itu: age: {equals: 55}"),
    ("rules/perpindahan.yaml", "      age: {at_most: {table: transfer_age_limit, column: max_age}}",
     "      age: {at_most: }", "P037", "the value is missing: write it after the colon, at_least: 35 / nilainya tidak"),
    ("rules/perpindahan.yaml", "      age: {at_most: {table: transfer_age_limit, column: max_age}}",
     "      age: {at_most: {table: ak_multiplier, column: percent}}", "P063",
     "read it in a derived field, derive: {lookup: ak_multiplier, key: FIELD, column: percent}, and test that field"),
    ("rules/perpindahan.yaml", "      age: {at_most: {table: transfer_age_limit, column: max_age}}",
     "      age: {at_most: {table: rank_range, column: min_rank}}", "P065",
     "compare with a column of type number, or declare this one min_rank: number under columns: of table rank_range"),
    ("rules/perpindahan.yaml", "      competency_test_status: {equals: passed}", "      competency_test_status: {in: passed}",
     "P067", "write it in brackets: in: ['passed'] / tulis dalam kurung siku: in: ['passed']"),
    ("rules/perpindahan.yaml", "      competency_test_status: {equals: passed}",
     "      competency_test_status: {equals: [passed, failed]}", "P067",
     "for any of several values: in: ['passed', 'failed'] / untuk salah satu dari beberapa nilai: in:"),
    ("rules/perpindahan.yaml", "      competency_test_status: {equals: passed}",
     "      competency_test_status: {equals: {this: level}}", "P061",
     "read the level's row of a table: {table: NAME, column: COLUMN} / {this: level} adalah jenjang yang diputuskan"),
    ("rules/perpindahan.yaml", "      age: {at_most: {table: transfer_age_limit, column: max_age}}",
     "      age: {at_most: {field: experience_years}}", "P036",
     "to compare two fields, derive one value from both in fields/ (derive: {subtract: [A, B]}) and test that field"),
    ("rules/perpindahan.yaml", "      age: {at_most: {table: transfer_age_limit, column: max_age}}",
     "      age: {at_most: {table: transfer_age_limit}}", "P036",
     "write a table cell as {table: NAME, column: COLUMN}, both names as text, or the level being decided as"),
    ("tables/thresholds.yaml", "      - {level: mahir, max_age: 53}", "      - {level: mahir}", "P043",
     "give the row its max_age: VALUE, or declare the column 'max_age: optional number' where a row may leave it out"),
    ("policy.yaml", "      SMP: {rank: 2, aliases: [SLTP]}", "      SMP: SLTP", "P026",
     "for 'SLTP' as another spelling of it: SMP: {aliases: [SLTP]} / bila 'SLTP' ejaan lain darinya"),
    ("policy.yaml", "      SMP: {rank: 2, aliases: [SLTP]}", "      SMP: [2]", "P026", "write its rank, SMP: 3, or a mapping, SMP: {rank: 3, "),
    ("policy.yaml", "      SMP: {rank: 2, aliases: [SLTP]}", "      SMP: {rank: 2.5}", "P020", "write the rank in digits, a whole number: rank: 3"),
    ("policy.yaml", "      D1: {rank: 4, aliases: [DI, D-I, Diploma I]}", "      D1: {rank: 4, aliases: [DI, null]}", "P025",
     "in quotes where YAML would read a number, true/false or null ('1', 'true'), or take out an empty one"),
    ("policy.yaml", "  position_type:\n", "  other_status:\n    values: [PNS, 1, PPPK]\n  position_type:\n", "P025",
     "tulis sebagai teks, dalam tanda kutip"),
    ("policy.yaml", "      PNS: {aliases: [pns, Pegawai Negeri Sipil]}", "      1: {aliases: [pns]}", "P025", "in quotes where YAML would read"),
    ("policy.yaml", "      PNS: {aliases: [pns, Pegawai Negeri Sipil]}", "      true: {aliases: [pns]}", "P025", "('1', 'true')"),
    ("fields/record.yaml", "  rank_since:\n", "  as_of:\n    title: x\n    type: date\n    input: as_of\n  rank_since:\n",
     "P080", "give your field another name; rules read the engine's as_of as it is / beri field Anda nama lain"),
    ("policy.yaml", "abstract: true", "abstract: true\nextends: pk", "P003",
     "in a circle (pk → jf_umum → pk): the base, which the others build on, must have no 'extends:'"),
])
def test_a_policy_problem_says_what_to_write_instead(policy_copy, file, old, new, code, fix):
    """These problems said what was wrong and left the fix to be guessed (a bare value under a field,
    a rank in words, a table no rule can read, a level's value on another field): each now has a hint,
    in both languages, that says what to write in the YAML."""
    edit(policy_copy.parent / "jf_umum" / file, old, new)
    found = [p for p in load_problems(policy_copy) if p.code == code]
    assert found, load_problems(policy_copy)
    (p,) = found
    english, _, indonesian = p.hint.partition(" / ")
    assert fix in p.hint and english and indonesian and indonesian != english, p.hint


def test_a_route_and_level_with_no_rule_in_force_says_to_add_one_or_drop_the_level(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "policy.yaml").write_text("""
policy: mini
version: "1"
title: {id: Mini, en: Mini}
valid_from: 2024-01-01
vocabularies:
  level: {ordered: true, values: [first, second]}
levels: [first, second]
routes:
  entry: {title: {id: Masuk, en: Entry}, levels: [first, second]}
sources:
  own: {title: A rule, confidence: I}
""", encoding="utf-8")
    (tmp_path / "rules" / "own.yaml").write_text("""
rules:
  - id: entry.first
    title: {id: Tanggal, en: Date}
    routes: [entry]
    require: {as_of: {at_least: 2024-01-01}}
    citation: {source: own}
    valid_to: 2024-12-31
  - id: entry.first_later
    title: {id: Tanggal, en: Date}
    routes: [entry]
    levels: [first]
    require: {as_of: {at_least: 2024-01-01}}
    citation: {source: own}
    valid_from: 2025-01-01
""", encoding="utf-8")
    policy = fr.load_policy(tmp_path)  # (each rule is well formed: the gap is on a day)
    with pytest.raises(fr.PolicyError) as info, fr.Engine(policy, backend="reference") as engine:
        engine.evaluate({"id": "x"}, as_of=dt.date(2025, 3, 3))
    (p,) = info.value.problems
    assert p.code == "P071" and "route entry at level second" in p.en
    assert p.hint.startswith("add a rule in force on 2025-01-01 for route entry at level second (routes: [entry], "
                             "levels: [second]), or take second out of route entry's levels in policy.yaml / "
                             "tambahkan aturan"), p.hint


def test_no_level_vocabulary_says_how_to_declare_one(policy_copy):
    edit(policy_copy.parent / "jf_umum" / "policy.yaml", "  level:\n    title: {id: jenjang jabatan, en: level}",
         "  levelz:\n    title: {id: jenjang jabatan, en: level}")
    found = [p for p in load_problems(policy_copy) if p.code == "P029"]
    assert found and all("vocabularies: {level: {ordered: true, values: [first, second]}}" in p.hint
                         and "nyatakan jenjang di policy.yaml" in p.hint for p in found), found


def test_a_rule_level_the_policy_lacks_says_to_drop_it_or_add_it(policy_copy):
    edit(policy_copy / "rules" / "pedoman.yaml", "    valid_from: 2025-10-01\n",
         "    valid_from: 2025-10-01\n    levels: [ahli_muda, pemula]\n")
    (p,) = load_problems(policy_copy)
    assert p.code == "P054" and "'pemula'" in p.en
    assert p.hint == ("take it out of the rule's levels:, or add it to levels: in policy.yaml / keluarkan dari levels: "
                      "aturan, atau tambahkan ke levels: di policy.yaml")
