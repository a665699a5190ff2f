"""Layered policies: a position extends the generic base, names what it replaces, and every part
of the result says which layer it comes from."""

import datetime as dt
import json
import shutil

import pytest

import formasi_rules as fr
from conftest import POLICY_DIR, edit, line_of
from formasi_rules.inputs import structure_candidate
from formasi_rules.inputs._decode import Lane

AS_OF = dt.date(2025, 10, 9)


def problems(folder):
    with pytest.raises(fr.PolicyError) as info:
        fr.load_policy(folder)
    return info.value.problems


def test_the_position_is_resolved_over_its_base(policy):
    assert policy.layers == ("jf_umum", "pengantar_kerja") and not policy.abstract
    assert policy.levels == ("ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama")
    layers = {r.id: r.layer for r in policy.rules}
    assert layers["perpindahan.age"] == "jf_umum"
    assert layers["pengangkatan.pedoman_ditetapkan"] == "pengantar_kerja"
    assert policy.tables["adjustment_window"].layer == "pengantar_kerja"  # replaced
    assert {row.key for row in policy.tables["rank_range"].rows} >= {"pemula", "ahli_pertama"}
    # routes keep only the position's levels
    assert policy.routes["pengangkatan_pertama"].levels == ("ahli_pertama", "ahli_muda")  # PP 11/2017 Pasal 82


def test_a_name_the_base_has_needs_replaces(policy_copy):
    edit(policy_copy / "tables" / "position.yaml", "  adjustment_window:\n    replaces: adjustment_window\n",
         "  adjustment_window:\n")
    found = {p.code for p in problems(policy_copy)}
    assert "P046" in found  # the clash, named; and the base's empty table is then left unfilled:
    assert "P048" in found


def test_replacing_what_does_not_exist_is_an_error(policy_copy):
    edit(policy_copy / "tables" / "position.yaml", "    replaces: adjustment_window\n", "    replaces: adjustment_windw\n")
    (p,) = [p for p in problems(policy_copy) if p.code == "P047"]
    assert "adjustment_window" in p.en and p.file.endswith("position.yaml") and p.line
    assert "replaces 'adjustment_windw'" in p.en and "'adjustment_window'" in p.hint  # the typo, and the name meant


def test_a_rule_the_base_has_is_named_by_its_id_not_its_place_in_the_list(policy_copy):
    edit(policy_copy / "rules" / "pedoman.yaml", "  - id: pengangkatan.pedoman_ditetapkan",
         "  - id: perpindahan.age")
    (p,) = [p for p in problems(policy_copy) if p.code == "P046"]
    assert "rule 'perpindahan.age' already exists" in p.en and "replaces: perpindahan.age" in p.en


def test_a_base_is_not_evaluated_on_its_own(policy_copy):
    base = fr.load_policy(policy_copy.parent / "jf_umum")
    assert base.abstract
    with pytest.raises(fr.InvalidArgument, match="base"):
        fr.Engine(base)


def test_extends_that_loops_is_refused(policy_copy):
    edit(policy_copy.parent / "jf_umum" / "policy.yaml", "abstract: true", "abstract: true\nextends: pk")
    (p,) = problems(policy_copy)
    assert p.code == "P003"


def test_extending_a_missing_folder_says_so(policy_copy):
    edit(policy_copy / "policy.yaml", "extends: jf_umum", "extends: jf_umumm")
    (p,) = problems(policy_copy)
    assert p.code == "P000" and "extends: jf_umumm" in p.en
    assert p.file.endswith("policy.yaml") and p.line == line_of(policy_copy / "policy.yaml", "extends: jf_umumm")
    assert "'jf_umum'" in p.hint


def test_extending_a_folder_nothing_is_near_lists_the_policy_folders(policy_copy):
    edit(policy_copy / "policy.yaml", "extends: jf_umum", "extends: xyz")
    (p,) = problems(policy_copy)
    english, _, indonesian = p.hint.partition(" / ")
    assert p.code == "P000" and "jf_umum" in english and policy_copy.name not in english.split(": ", 1)[1].split(", ")
    assert indonesian.startswith("folder kebijakan di sebelahnya: ") and "jf_umum" in indonesian  # not English only


def test_the_digest_covers_the_base(policy_copy):
    before = fr.load_policy(policy_copy).digest
    edit(policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml", "{level: ahli_madya, max_age: 55}",
         "{level: ahli_madya, max_age: 56}")
    changed = fr.load_policy(policy_copy)
    assert changed.digest != before
    # and the change reaches the position: the base's cell is the one read
    row = changed.tables["transfer_age_limit"].row("ahli_madya", AS_OF)
    assert row.values["max_age"] == 56 and row.layer == "jf_umum"


def test_reload_sees_a_change_in_the_base(policy_copy):
    with fr.Engine(fr.load_policy(policy_copy), backend="reference") as engine:
        record = {"id": "m", "birth_date": "1969-10-01", "employment_status": "PNS"}
        before = engine.evaluate(record, as_of=AS_OF).decision("perpindahan", "ahli_madya")
        assert "perpindahan.age@ahli_madya" in before.failed
        edit(policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml", "{level: ahli_madya, max_age: 55}",
             "{level: ahli_madya, max_age: 56}")
        engine.reload()
        after = engine.evaluate(record, as_of=AS_OF).decision("perpindahan", "ahli_madya")
        assert "perpindahan.age@ahli_madya" not in after.failed


def test_reasons_name_their_layer(default_engine):
    result = default_engine.evaluate({"id": "x", "employment_status": "PNS"}, as_of=AS_OF)
    reasons = {r.rule: r for d in result.decisions for r in d.reasons}
    assert reasons["perpindahan.age"].layer == "jf_umum"
    assert reasons["pengangkatan.pedoman_ditetapkan"].layer == "pengantar_kerja"
    assert reasons["penyesuaian.window"].to_dict()["values_from"][0]["layer"] == "pengantar_kerja"


def test_a_new_position_needs_no_python(tmp_path):
    """A position written from nothing but YAML: its name, levels and one rule of its own."""
    shutil.copytree(POLICY_DIR.parent / "jf_umum", tmp_path / "jf_umum")
    (tmp_path / "penguji" / "rules").mkdir(parents=True)
    (tmp_path / "penguji" / "policy.yaml").write_text("""
policy: penguji
version: "1"
extends: jf_umum
title: {id: JF Penguji, en: A position for the test}
valid_from: 2024-01-01
position: {name: Penguji Uji, type: jf}
levels: [mahir, penyelia]
routes:
  kenaikan_jenjang: {replaces: true, title: {id: Kenaikan jenjang, en: Promotion}, levels: [penyelia]}
sources:
  penguji_rule: {title: A rule of this position, confidence: I}
""")
    (tmp_path / "penguji" / "tables").mkdir()
    (tmp_path / "penguji" / "tables" / "window.yaml").write_text("""
tables:
  adjustment_window:
    replaces: true
    title: {id: Masa penyesuaian, en: Adjustment window}
    key: none
    columns: {opens: date, closes: date}
    rows: [{opens: 2024-01-01, closes: 2025-12-31}]
""")
    (tmp_path / "penguji" / "rules" / "own.yaml").write_text("""
rules:
  - id: penguji.s1
    title: {id: Pendidikan S1 untuk Penyelia, en: S1 for Penyelia}
    routes: [perpindahan]
    levels: [penyelia]
    require: {education: {at_least: S1}}
    citation: {source: penguji_rule}
""")
    policy = fr.load_policy(tmp_path / "penguji")
    with fr.Engine(policy, backend="reference") as engine:
        result = engine.evaluate({"id": "p", "education": "SLTA", "rank": "III/c"}, as_of=dt.date(2025, 3, 3))
        assert {f"{d.route}/{d.level}" for d in result.decisions} >= {"perpindahan/mahir", "perpindahan/penyelia"}
        assert "penguji.s1" in result.decision("perpindahan", "penyelia").failed
        assert not any(k.startswith("penguji.s1") for k in result.decision("perpindahan", "mahir").failed)


def test_vocabulary_aliases_and_real_ranks_are_read(default_engine):
    record = {"id": "v", "rank": "II/d", "education": "SLTA", "employment_status": "pns",
              "performance": [{"year": 2024, "rating": "SANGAT BAIK"}]}
    result = default_engine.evaluate(record, as_of=AS_OF)
    assert result.values["rank"] == "II/d" and result.values["education"] == "SMA"
    assert result.values["performance_worst_1y"] == "sangat_baik"
    assert "rank.in_range@ahli_pertama" in result.decision("pengangkatan_pertama", "ahli_pertama").failed
    with pytest.raises(fr.InputError) as info:
        default_engine.evaluate({"id": "w", "rank": "III/e"}, as_of=AS_OF)
    (p,) = info.value.problems
    assert p.path == "$.rank" and "III/" in (p.hint or "")


@pytest.mark.parametrize("vocabulary, written, meant", [
    ("education", "Sarjana", "S1"), ("education", "Strata-1", "S1"), ("education", "Diploma IV", "D4"),
    ("education", "Sarjana Terapan", "D4"), ("education", "magister", "S2"), ("education", "Doktor", "S3"),
    ("education", "SLTP", "SMP"), ("education", "SMA/SMK", "SMA"), ("education", "Diploma III", "D3"),
    ("employment_status", "Pegawai Negeri Sipil", "PNS"), ("employment_status", "Calon PNS", "CPNS"),
    ("employment_status", "Pegawai Pemerintah dengan Perjanjian Kerja", "PPPK"),
    ("test_status", "Kompeten", "passed"), ("test_status", "BELUM KOMPETEN", "failed"),
    ("test_status", "tidak kompeten", "failed"),
])
def test_the_shipped_vocabularies_read_how_personnel_files_write_a_value(vocabulary, written, meant):
    """Each was refused: a degree, a status or a test result written out in words, as personnel
    files and result sheets write them (policies/jf_umum/policy.yaml)."""
    assert fr.load_policy(POLICY_DIR).vocabularies[vocabulary].read(written) == meant


@pytest.mark.parametrize("written, meant", [
    ("Penata Muda", "III/a"), ("penata muda tingkat i", "III/b"), ("Penata Muda Tk. I", "III/b"),
    ("Pembina Utama Muda", "IV/c"), ("Penata Muda (III/a)", "III/a"), ("Penata Muda, III/a", "III/a"),
    ("Penata Muda / III/a", "III/a"), ("Penata Muda III/a", "III/a"), ("III/d - Penata Tk.I", "III/d"),
    ("PENATA MUDA III/A", "III/a"), ("penata\tmuda  iii/a", "III/a"),  # (an export in capitals, with tabs)
    ("Penata Muda (III/a)" + " " * 190, "III/a"),  # (padded as a fixed-width export pads it)
])
def test_a_rank_is_read_by_its_name_and_with_its_code(default_engine, written, meant, monkeypatch):
    """Personnel exports write a rank by its name (PP 99/2000: Penata Muda is III/a), often joined
    with its code: each was refused, so a whole export had to be rewritten by hand. Read by the
    one-pass lane (a JSON line) and by the detailed reader alike."""
    record = {"id": "r", "rank": written, "education": "S1"}
    assert default_engine.evaluate(record, as_of=AS_OF).values["rank"] == meant
    monkeypatch.setattr(Lane, "structure", lambda self, raw: None)  # every record the detailed reader's
    assert structure_candidate(record, "$", default_engine.policy).rank == meant
    (block,) = default_engine.evaluate_blocks([("$[0]", fr.inputs.JsonLine(json.dumps(record), "r", 1))],
                                             as_of=AS_OF, layout="compact")
    assert not block.errors and f'"rank":"{meant}"'.encode() in block.text


@pytest.mark.parametrize("written, said", [
    ("Penata Muda (III/b)", "'Penata Muda' is III/a, 'III/b' is III/b: give the one meant"),
    ("Penata III/d", "'Penata' is III/c, 'III/d' is III/d"),
])
def test_a_rank_whose_name_and_code_disagree_is_refused_naming_both(default_engine, written, said):
    with pytest.raises(fr.InputError) as info:
        default_engine.evaluate({"id": "r", "rank": written}, as_of=AS_OF)
    (p,) = info.value.problems
    assert p.path == "$.rank" and p.hint.startswith(said) and " / " in p.hint


def test_joined_spellings_need_a_separator_outside_a_spelling():
    """A slash or dash inside a spelling (III/a, D-III, SLTA/SMK) joins nothing; two spellings of
    different values, or a part that names none, are no value."""
    rank, education = (fr.load_policy(POLICY_DIR).vocabularies[n] for n in ("rank", "education"))
    assert education.read("SLTA/SMK") == "SMA" and education.read("D-III") == "D3"
    assert education.read("S1 (S-1)") == "S1" and education.read("S1 (S2)") is None
    assert rank.read("Penata Muda (IX)") is None and rank.read("III/a III/b") is None
    assert rank.read("Penata Muda Penata Muda") is None  # (a name repeated: no code last)
    assert rank.joined("III/a") == {} and rank.joined("Penata (III/c)") == {"Penata": "III/c", "III/c": "III/c"}
    # a text far longer than any spelling is not split (a pattern over a long run of spaces took minutes)
    assert rank.joined("Penata (III/c) " + "x " * 150) == {} and rank.read("a" + " " * 100_000 + "b") is None


def test_the_digest_is_of_the_bytes_that_were_parsed(policy_copy, monkeypatch):
    """A file swapped after it was parsed must not lend its bytes to the digest (issue 10, F5)."""
    from formasi_rules.policy import _load

    first = fr.load_policy(policy_copy)
    real = _load.load_yaml_bytes

    def then_swapped(path, shown):
        parsed = real(path, shown)
        if path.name == "thresholds.yaml":  # swapped on disk just after it was read
            path.write_text(path.read_text().replace("max_age: 55", "max_age: 56"))
        return parsed

    monkeypatch.setattr(_load, "load_yaml_bytes", then_swapped)
    again = fr.load_policy(policy_copy)
    assert again.digest == first.digest  # the version parsed is the one named
    assert again.tables["transfer_age_limit"].row("ahli_madya", AS_OF).values["max_age"] == 55


@pytest.mark.parametrize("added, said", [
    ("vocabularies:\n  rating:\n    values: {kurang: 4}\n", "kurang has rank 2 here and 4 in the layer"),
    ("vocabularies:\n  rating:\n    values: {sangat_baik: {rank: 5, aliases: [Baik]}}\n",
     "'Baik' is read as baik here and given to sangat_baik"),
    ("vocabularies:\n  rank:\n    values: [III/a, III/b, III/c, III/d]\n", "III/a has rank"),
    ("vocabularies:\n  rating:\n    values: {baik: {rank: 1, aliases: [Cukup Baik]}}\n", "baik has rank 4 here and 1"),
    ("vocabularies:\n  rating:\n    values: {istimewa: {aliases: [Istimewa]}}\n", "istimewa is new and has no rank"),
    ("vocabularies:\n  rank:\n    values: [IV/f]\n", "lists values in order without the base's I/a"),
])
def test_a_layer_cannot_renumber_or_respell_the_base_vocabulary(policy_copy, added, said):
    """Ranks decide every comparison: a layer restating a base value with another rank (or a list,
    whose positions are ranks) made a rating of kurang pass at_least baik, without a word."""
    edit(policy_copy / "policy.yaml", "levels: [ahli_pertama", added + "levels: [ahli_pertama")
    problem, = [p for p in problems(policy_copy) if p.code == "P021"]
    assert said in problem.en and problem.file == str(policy_copy / "policy.yaml") and problem.line


def test_a_layer_may_give_a_base_value_another_spelling_without_its_rank(policy_copy):
    """What the docs describe ("a layer adds aliases"): baik: {aliases: [Cukup Baik]} was refused with
    "baik has rank 4 here and 1 in the layer", a rank no one wrote."""
    edit(policy_copy / "policy.yaml", "levels: [ahli_pertama",
         "vocabularies:\n  rating:\n    values:\n      baik: {aliases: [Cukup Baik]}\nlevels: [ahli_pertama")
    rating = fr.load_policy(policy_copy).vocabularies["rating"]
    assert rating.read("CUKUP BAIK") == "baik" and rating.ranks["baik"] == 4 and rating.ranks["kurang"] == 2


def test_a_layer_adding_a_value_keeps_the_base_title(policy_copy):
    edit(policy_copy / "policy.yaml", "levels: [ahli_pertama",
         "vocabularies:\n  rating:\n    values: {istimewa: 6}\nlevels: [ahli_pertama")
    rating = fr.load_policy(policy_copy).vocabularies["rating"]
    assert rating.values[-1] == "istimewa" and rating.title.en == "performance rating"


def test_one_spelling_for_two_values_is_refused(policy_copy):
    base = policy_copy.parent / "jf_umum" / "policy.yaml"
    edit(base, "sangat_baik: {rank: 5, aliases: [Sangat Baik]}", "sangat_baik: {rank: 5, aliases: [Sangat Baik, Baik]}")
    problem, = [p for p in problems(policy_copy) if p.code == "P028"]
    assert "'Baik'" in problem.en and problem.file.endswith("jf_umum/policy.yaml")


def test_a_new_name_one_letter_from_the_base_is_taken_for_a_typo(policy_copy):
    """Without replaces:, 'appointment_statuses' stood beside the base's 'appointment_status', read
    by nothing, and the base's table stayed in force: validate said ok."""
    edit(policy_copy / "tables" / "position.yaml", "  appointment_status:\n    replaces: appointment_status\n",
         "  appointment_statuses:\n")
    problem, = [p for p in problems(policy_copy) if p.code == "P072"]
    assert "'appointment_statuses'" in problem.en and "'appointment_status'" in problem.en and problem.line == 6


def test_a_policy_loaded_from_inside_its_folder_is_the_same_policy(policy, monkeypatch):
    """load_policy(".") (a command run inside the folder) found no base beside "." and named its layer ""."""
    monkeypatch.chdir(POLICY_DIR / "tests")
    for path in ("..", "../../" + POLICY_DIR.name):
        assert fr.load_policy(path).digest == policy.digest
    monkeypatch.chdir(POLICY_DIR)
    assert fr.load_policy(".").digest == policy.digest and fr.load_policy(".").layers == policy.layers


@pytest.mark.parametrize("folder, file, text, kind", [
    ("pk/tables", "zz_extra.yaml",
     "tables: {formation_limits: {replaces: formation_limits, title: {id: a, en: a}, key: level, columns: "
     "{min_officers: number}, citation: {source: formasi_policy_choice}, rows: [{level: ahli_pertama, min_officers: 3}]}}\n",
     "table 'formation_limits'"),
    ("jf_umum/fields", "zz.yaml",
     "fields: {age: {replaces: true, title: {id: a, en: a}, type: integer, derive: {years_between: [rank_since, as_of]}}}\n",
     "field 'age'"),
])
def test_a_name_one_policy_defines_in_two_files_is_an_error_naming_both(policy_copy, folder, file, text, kind):
    """With replaces: the file that sorted last won (the minimum staffing became 3, age became years
    in rank), validated; without it, the error spoke of a base that never had the name."""
    path = policy_copy.parent / folder.replace("pk", policy_copy.name) / file
    path.write_text(text, encoding="utf-8")
    (p,) = problems(policy_copy)
    assert p.code == "P022" and kind in p.en and "defined twice in this policy" in p.en
    assert p.file.endswith(file) and p.line == 1 and p.hint
    first = p.en.split("(first at ")[1].split(")")[0]
    assert not first.endswith(file + ":1") and ":" in first


@pytest.mark.parametrize("file, old, new, said", [
    ("jf_umum/policy.yaml", "precedence: [kenaikan_jenjang, kenaikan_pangkat, penyesuaian,",
     "precedence: [kenaikan_jenjang, penyesuaian,", "precedence leaves out kenaikan_pangkat"),
    ("jf_umum/policy.yaml", "precedence: [kenaikan_jenjang, kenaikan_pangkat,",
     "precedence: [kenaikan_jenjang, kenaikan_pangkat, kenaikan_jenjang,", "lists 'kenaikan_jenjang' twice"),
    ("pk/policy.yaml", "  routes: [kenaikan_jenjang, penyesuaian, perpindahan, pengangkatan_pertama]",
     "  routes: [kenaikan_jenjang, penyesuaian, perpindahan, penyesuaian, pengangkatan_pertama]",
     "lists 'penyesuaian' twice"),
])
def test_an_order_of_routes_that_leaves_one_out_or_repeats_one_is_refused(policy_copy, file, old, new, said):
    """A route left out of precedence went after every route listed, and one repeated took its later
    place: orders no one chose, validated."""
    path = policy_copy.parent / file.replace("pk", policy_copy.name, 1)
    edit(path, old, new)
    (p,) = problems(policy_copy)
    assert p.code == "P011" and said in p.en and p.file.endswith("policy.yaml") and p.line == line_of(path, new)


@pytest.mark.parametrize("file, old, new, code", [
    ("jf_umum/fields/derived.yaml", "        - when: {entry_route: {equals: perpindahan}}",
     "        - when: {entry_route: {equals: perpindahn}}", "P089"),
    ("jf_umum/rules/perpindahan.yaml", "      performance_worst_1y: {at_least: baik}\n",
     "      performance_worst_1y: {at_least: baik}\n      entry_route: {not_equals: kenaikan_jenjan}\n", "P068"),
])
def test_a_text_a_derived_field_can_never_be_is_refused(policy_copy, file, old, new, code):
    """entry_route is one of three texts its cases give: 'perpindahn' validated, and every transferee's
    credit points became unknown (a rule testing 'kenaikan_jenjan' would always hold)."""
    path = policy_copy.parent / file
    edit(path, old, new)
    (p,) = problems(policy_copy)
    assert p.code == code and "expected one of: pengangkatan_pertama, kenaikan_jenjang, perpindahan" in p.en
    assert p.hint and ("'perpindahan'" in p.hint or "'kenaikan_jenjang'" in p.hint)
    assert p.line == line_of(path, new.strip().splitlines()[-1].strip())


def test_two_files_of_one_policy_replacing_the_same_base_table_are_a_twice(policy_copy):
    """The second replacer of appointment_status was told the base has no such table (P047), which it has."""
    (policy_copy / "tables" / "extra.yaml").write_text(
        "tables:\n  appointment_status_v2:\n    replaces: appointment_status\n    title: {id: a, en: a}\n"
        "    key: none\n    columns: {statuses: list of employment_status}\n    citation: {source: permenpanrb_1_2022}\n"
        "    rows:\n      - statuses: [PNS]\n", encoding="utf-8")
    found = problems(policy_copy)
    assert [p.code for p in found][:1] == ["P022"] and "P047" not in [p.code for p in found]
    named = {found[0].file.rsplit("/", 1)[-1], found[0].en.split("(first at ")[1].split(":")[0].rsplit("/", 1)[-1]}
    assert named == {"extra.yaml", "position.yaml"}  # both places, whichever file is read first


def test_a_route_a_policy_adds_beside_its_bases_precedence_is_said_in_that_policy(policy_copy):
    """The base's precedence does not know a route the position adds: the error named the base's
    file, which the position's author should not edit. It is said here, with the order to restate."""
    edit(policy_copy / "policy.yaml", "levels: [ahli_pertama", "routes:\n  promosi_khusus:\n"
         "    title: {id: Promosi khusus, en: Special promotion}\n    levels: [ahli_muda]\nlevels: [ahli_pertama")
    (p,) = problems(policy_copy)
    assert p.code == "P011" and p.file.endswith(f"{policy_copy.name}/policy.yaml") and p.line
    assert "leaves out promosi_khusus" in p.en and "jf_umum" in p.en
    assert p.hint.startswith("precedence: [kenaikan_jenjang, kenaikan_pangkat,") and "promosi_khusus]" in p.hint
