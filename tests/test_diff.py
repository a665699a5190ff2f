"""formasi diff: the semantic changes between two versions of the shipped policy, and exactly
which candidates of examples/sumsel flip when one threshold moves."""

import datetime as dt
import json
import re
import shutil

import pytest
from click.testing import CliRunner

import formasi_rules as fr
from conftest import ROOT
from formasi_rules.cli import main
from formasi_rules.diff import diff, policy_changes, to_html, to_json, to_text
from formasi_rules.inputs import read_records

AS_OF = dt.date(2025, 10, 9)
SUMSEL = ROOT / "examples" / "sumsel"
THRESHOLDS = "jf_umum/tables/thresholds.yaml"


def edited(tmp_path, *edits):
    """A copy of the shipped policies with each (file, old text, new text) replaced once."""
    root = tmp_path / "policies"
    for name in ("jf_umum", "pengantar_kerja"):
        shutil.copytree(ROOT / "policies" / name, root / name)
    for file, old, new in edits:
        path = root / file
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, (file, old)
        path.write_text(text.replace(old, new), encoding="utf-8")
    return fr.load_policy(root / "pengantar_kerja")


def flips(result):
    return sorted((f.candidate, f.route, f.level, f.old, f.new, tuple(s.rule for s in f.rules))
                  for f in result.impact.flips)


def candidates():
    return list(read_records(SUMSEL / "candidates.json"))


def test_the_same_policy_has_no_changes(policy):
    result = diff(policy, policy, candidates=candidates(), as_of=AS_OF)
    assert result.changes == () and result.impact.flips == () and result.impact.candidates == 34


def test_transfer_age_limit_53_to_54(tmp_path, policy):
    new = edited(tmp_path, (THRESHOLDS, "{level: ahli_pertama, max_age: 53}", "{level: ahli_pertama, max_age: 54}"))
    (change,) = policy_changes(policy, new)
    assert (change.kind, change.action, change.name, change.old, change.new) == (
        "cell", "changed", "transfer_age_limit[ahli_pertama].max_age", 53, 54)
    assert change.old_citation["source"] == change.new_citation["source"] == "bkn_faq_perpindahan"
    # with the open places of the example's workload: one candidate gains the transfer
    result = diff(policy, new, candidates=candidates(), as_of=AS_OF, workload=SUMSEL / "workload.csv",
                  existing=SUMSEL / "officers.csv")
    assert flips(result) == [("SUMSEL-14-2", "perpindahan", "ahli_pertama", "not_eligible", "eligible",
                              ("perpindahan.age",))]
    (shift,) = result.impact.flips[0].rules
    assert (shift.old, shift.new) == ("not met", "met")
    assert "age = 54; required: age ≤ 53" in shift.old_message["en"]
    assert (result.impact.gains, result.impact.losses) == (1, 0)
    assert all(not n.changed for n in result.impact.need)  # an age limit moves no need
    # without places, the age no longer decides: formation.available is undetermined for both
    result = diff(policy, new, candidates=candidates(), as_of=AS_OF)
    assert flips(result) == [
        ("SUMSEL-02-1", "perpindahan", "ahli_pertama", "not_eligible", "undetermined", ("perpindahan.age",)),
        ("SUMSEL-14-2", "perpindahan", "ahli_pertama", "not_eligible", "undetermined", ("perpindahan.age",))]
    assert result.impact.flips[0].still == (("formation.available", "undetermined"),)
    assert result.impact.counts() == [{"route": "perpindahan", "level": "ahli_pertama", "old": "not_eligible",
                                       "new": "undetermined", "count": 2,
                                       "candidates": ["SUMSEL-02-1", "SUMSEL-14-2"]}]


def test_ahli_madya_55_to_56(tmp_path, policy):
    new = edited(tmp_path, (THRESHOLDS, "{level: ahli_madya, max_age: 55}", "{level: ahli_madya, max_age: 56}"))
    assert [(c.name, c.old, c.new) for c in policy_changes(policy, new)] == [
        ("transfer_age_limit[ahli_madya].max_age", 55, 56)]
    result = diff(policy, new, candidates=candidates(), as_of=AS_OF)
    assert flips(result) == [
        ("SUMSEL-05-1", "perpindahan", "ahli_madya", "not_eligible", "undetermined", ("perpindahan.age",)),
        ("SUMSEL-17-2", "perpindahan", "ahli_madya", "not_eligible", "undetermined", ("perpindahan.age",))]
    # with the example's places nobody gains: both regions have no open Ahli Madya place, so the
    # age rule now passes but formation.available still decides
    result = diff(policy, new, candidates=candidates(), as_of=AS_OF, workload=SUMSEL / "workload.csv",
                  existing=SUMSEL / "officers.csv")
    assert result.impact.flips == ()
    assert sorted((f.candidate, f.new, f.rules[0].rule, f.still) for f in result.impact.masked) == [
        ("SUMSEL-05-1", "not_eligible", "perpindahan.age", (("formation.available", "not met"),)),
        ("SUMSEL-17-2", "not_eligible", "perpindahan.age", (("formation.available", "not met"),))]


def test_effective_working_time_moves_the_need_and_the_places(tmp_path, policy):
    new = edited(tmp_path, ("pengantar_kerja/tables/formation.yaml", "effective_minutes_per_year: 75000",
                            "effective_minutes_per_year: 60000"))
    assert [(c.name, c.old, c.new) for c in policy_changes(policy, new)] == [
        ("effective_working_time.effective_minutes_per_year (2020-01-01 – …)", 75000, 60000)]
    result = diff(policy, new, candidates=candidates(), as_of=AS_OF, workload=SUMSEL / "workload.csv",
                  existing=SUMSEL / "officers.csv")
    assert flips(result) == [
        ("SUMSEL-04-1", "perpindahan", "ahli_madya", "not_eligible", "eligible", ("formation.available",)),
        ("SUMSEL-06-1", "pengangkatan_pertama", "ahli_pertama", "not_eligible", "eligible", ("formation.available",)),
        ("SUMSEL-06-2", "pengangkatan_pertama", "ahli_pertama", "not_eligible", "eligible", ("formation.available",)),
        ("SUMSEL-10-1", "pengangkatan_pertama", "ahli_pertama", "not_eligible", "eligible", ("formation.available",))]
    moved = {(n.region, n.level): (n.old_need, n.new_need) for n in result.impact.need if n.changed}
    assert moved[("Kota Palembang", "ahli_pertama")] == (7, 9)
    assert len(moved) == 10
    assert result.impact.to_dict()["need_total"] == {"old": 47, "new": 58}


def test_rule_field_vocabulary_and_period_changes(tmp_path, policy):
    new = edited(
        tmp_path,
        ("jf_umum/rules/perpindahan.yaml", "performance_worst_2y: {at_least: baik}",
         "performance_worst_2y: {at_least: sangat_baik}"),
        ("jf_umum/fields/derived.yaml", "derive: {over_years: 3, of: performance, value: rating, take: min}",
         "derive: {over_years: 3, of: performance, value: rating, take: max}"),
        ("jf_umum/policy.yaml", "S3: {rank: 9, aliases: [S-3, Doktor, Strata 3]}\n",
         "S3: {rank: 9, aliases: [S-3, Doktor, Strata 3]}\n      S4: 10\n"),
        (THRESHOLDS, "      - {level: ahli_pertama, max_age: 53}",
         "      - {level: ahli_pertama, max_age: 53, valid_to: 2025-12-31}\n"
         "      - {level: ahli_pertama, max_age: 58, valid_from: 2026-01-01}"))
    changes = {(c.kind, c.action, c.name, c.what): c for c in policy_changes(policy, new)}
    rule = changes[("rule", "changed", "perpindahan.performance", "condition")]
    assert rule.old["id"] == "performance_worst_2y paling rendah baik dan performance_worst_1y paling rendah baik"
    assert rule.new["en"] == "performance_worst_2y at least sangat_baik and performance_worst_1y at least baik"
    field = changes[("field", "changed", "performance_worst_3y", "derivation")]
    assert "lowest" in field.old["en"] and "highest" in field.new["en"]
    assert changes[("vocabulary", "changed", "education", "values")].new == ["S4"]
    assert ("row", "changed", "transfer_age_limit[ahli_pertama]", "period") in changes
    assert ("row", "added", "transfer_age_limit[ahli_pertama] 2026-01-01 – …", "") in changes
    periods = changes[("period", "changed", "periods", "cuts")]
    assert "2026-01-01 – …" in periods.new and "2026-01-01 – …" not in periods.old


def test_outputs_and_cli(tmp_path, policy):
    new = edited(tmp_path, (THRESHOLDS, "{level: ahli_pertama, max_age: 53}", "{level: ahli_pertama, max_age: 54}"))
    result = diff(policy, new, candidates=candidates(), as_of=AS_OF)
    assert "transfer_age_limit[ahli_pertama].max_age: 53 → 54" in to_text(result)
    data = json.loads(to_json(result))
    assert data["impact"]["candidates_changed"] == 2 and data["changes"][0]["new"] == 54
    html = to_html(result, book="../book")
    assert '<a href="../book/rules/perpindahan.age.html"><code>perpindahan.age</code></a>' in html
    assert "SUMSEL-14-2" in html and not re.search(r'<(script|link)[^>]+(src|href)="https?:', html)
    run = CliRunner().invoke(main, ["diff", str(ROOT / "policies" / "pengantar_kerja"), new.root,
                                    "--candidates", str(SUMSEL / "candidates.json"), "--as-of", "2025-10-09",
                                    "--workload", str(SUMSEL / "workload.csv"),
                                    "--existing", str(SUMSEL / "officers.csv"), "--format", "json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["impact"]["flips"][0]["candidate"] == "SUMSEL-14-2"
    bad = CliRunner().invoke(main, ["diff", new.root, new.root, "--existing", str(SUMSEL / "officers.csv")])
    assert bad.exit_code == 2
    assert CliRunner().invoke(main, ["diff", new.root, str(tmp_path / "nowhere")]).exit_code == 2


def test_a_rejected_record_exits_1(tmp_path, policy):
    bad = tmp_path / "c.json"
    bad.write_text(json.dumps([{"id": "x", "birth_date": "not a date"}]), encoding="utf-8")
    run = CliRunner().invoke(main, ["diff", policy.root, policy.root, "--candidates", str(bad), "--as-of",
                                    "2025-10-09"])
    assert run.exit_code == 1, run.output
    assert "rejected" in run.stdout and "(by both)" in run.stdout


def test_a_record_only_the_new_version_refuses(tmp_path, policy):
    new = edited(tmp_path, ("jf_umum/policy.yaml", "      SMP: {rank: 2, aliases: [SLTP]}\n", ""))  # SMP no longer a value
    record = {**json.loads((SUMSEL / "candidates.json").read_text(encoding="utf-8"))[0], "education": "SMP"}
    result = diff(policy, new, candidates=[record], as_of=AS_OF)
    assert result.impact.candidates == 0
    (line,) = result.impact.rejected
    assert "(by new)" in line and "SMP" in line
    assert any(c.kind == "vocabulary" and c.old == ["SMP"] for c in result.changes)


@pytest.mark.parametrize("fmt", ["text", "html"])
def test_cli_writes_a_file(tmp_path, policy, fmt):
    out = tmp_path / f"d.{fmt}"
    run = CliRunner().invoke(main, ["diff", policy.root, policy.root, "--format", fmt, "-o", str(out)])
    assert run.exit_code == 0 and out.read_text(encoding="utf-8")


def test_a_workload_with_rejected_rows_gives_no_places_to_decide_by(tmp_path, policy):
    """A rejected row's workload is missing from the need, so the places computed from it would be
    wrong: diff, like evaluate --workload and an Engine given the formation, refuses them."""
    rows = (SUMSEL / "workload.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    bad = tmp_path / "workload.csv"
    bad.write_text(rows[0] + rows[1].replace(",2400,", ",2.400 orang,") + "".join(rows[2:]), encoding="utf-8")
    assert ",2.400 orang," in bad.read_text(encoding="utf-8")
    with pytest.raises(fr.InputError) as caught:
        diff(policy, policy, candidates=candidates(), as_of=AS_OF, workload=bad)
    assert caught.value.problems[0].path == "$[0].volume" and "open places would be wrong" in str(caught.value)
    r = CliRunner().invoke(main, ["diff", str(ROOT / "policies" / "pengantar_kerja"),
                                  str(ROOT / "policies" / "pengantar_kerja"), "--workload", str(bad),
                                  "--candidates", str(SUMSEL / "candidates.json"), "--as-of", str(AS_OF)])
    assert r.exit_code == 2 and "$[0].volume" in r.stderr, r.output
    engine = fr.Engine(policy, backend="reference")
    computed = engine.formation(bad, as_of=AS_OF)
    assert computed.problems
    with pytest.raises(fr.InputError):
        list(engine.evaluate_many(candidates(), as_of=AS_OF, formation=computed))


PEDOMAN = "pengantar_kerja/rules/pedoman.yaml"
TWO_VERSIONS = ("    valid_from: 2025-10-01\n    require:\n      as_of: {at_least: {table: pedoman_kebutuhan, column: set_on}}\n",
                "    valid_from: 2025-10-01\n    valid_to: 2026-06-30\n    require:\n"
                "      as_of: {at_least: {table: pedoman_kebutuhan, column: set_on}}\n"
                "    citation: {source: permenpanrb_21_2025, article: Pasal 11 ayat (3)}\n"
                "  - id: pengangkatan.pedoman_ditetapkan\n    title: {id: Pedoman, en: The guideline}\n"
                "    routes: [pengangkatan_pertama]\n    valid_from: 2026-07-01\n    require:\n"
                "      as_of: {at_least: {table: pedoman_kebutuhan, column: set_on}}\n")


def test_a_change_to_one_dated_version_of_a_rule_is_reported(tmp_path):
    """Rules were matched by id alone: the last version hid the others, so a change to the older
    version showed "0 changes"."""
    old = edited(tmp_path / "a", (PEDOMAN, *TWO_VERSIONS))
    new = edited(tmp_path / "b", (PEDOMAN, TWO_VERSIONS[0], TWO_VERSIONS[1].replace("{at_least:", "{above:", 1)))
    (change,) = policy_changes(old, new)
    assert (change.kind, change.action, change.what) == ("rule", "changed", "condition")
    assert change.name == "pengangkatan.pedoman_ditetapkan (2025-10-01 – 2026-06-30)"
    added = policy_changes(fr.load_policy(ROOT / "policies" / "pengantar_kerja"), old)
    assert {(c.action, c.name, c.what) for c in added if c.kind == "rule"} >= {
        ("changed", "pengangkatan.pedoman_ditetapkan (2025-10-01 – 2026-06-30)", "period"),
        ("added", "pengangkatan.pedoman_ditetapkan (2026-07-01 – …)", "")}


def test_what_policy_yaml_decides_beyond_rules_is_reported(tmp_path, policy):
    """The position records are matched against, which route goes first, who gets a place first,
    the invariants formasi check holds: each changes results and was missed."""
    new = edited(tmp_path, ("pengantar_kerja/policy.yaml", "  name: Pengantar Kerja\n", "  name: Pengantar Kerjaa\n"),
                 ("pengantar_kerja/policy.yaml", "- {field: credit_points, order: descending}",
                  "- {field: credit_points, order: ascending}"),
                 ("jf_umum/policy.yaml", "precedence: [kenaikan_jenjang, kenaikan_pangkat,",
                  "precedence: [kenaikan_pangkat, kenaikan_jenjang,"),
                 ("pengantar_kerja/rules/properties.yaml", "      age: {above: 53}", "      age: {above: 54}"),
                 ("jf_umum/fields/record.yaml", "    type: number\n    decimals: 2\n", "    type: number\n    decimals: 1\n"))
    got = {(c.kind, c.name, c.what): (c.old, c.new) for c in policy_changes(policy, new)}
    assert got.pop(("field", "experience_years", "decimals")) == (2, 1)  # records with 1.25 are now refused
    assert got[("policy", "position", "name")] == ("Pengantar Kerja", "Pengantar Kerjaa")
    assert got[("policy", "precedence", "order")][1][:2] == ["kenaikan_pangkat", "kenaikan_jenjang"]
    assert "credit_points ascending" in got[("policy", "allocation", "order_by")][1]
    old_words, new_words = got[("property", "no_transfer_to_pertama_after_53", "statement")]
    assert "53" in old_words["en"] and "54" in new_words["en"] and "never" in new_words["en"]
    assert len(got) == 4


def test_a_table_note_change_is_reported(tmp_path, policy):
    new = edited(tmp_path, ("jf_umum/tables/credit_points.yaml",
                            "    note: Public code swaps Muda and Madya; that is a bug in the code, not a source (fact sheet 3a).",
                            "    note: Public code swaps Muda and Madya."))
    (change,) = policy_changes(policy, new)
    assert (change.kind, change.what, change.new) == ("table", "note", "Public code swaps Muda and Madya.")


def test_a_workload_without_officers_in_post_is_warned_of_as_formation_does(policy):
    """diff --workload without --existing counted no officer anywhere, silently (formation and
    evaluate --workload say it): the warning is in the impact and on the command's stderr."""
    im = diff(policy, policy, candidates=candidates(), as_of=AS_OF, workload=SUMSEL / "workload.csv").impact
    assert im.warnings and im.to_dict()["warnings"] == list(im.warnings)
    with_officers = diff(policy, policy, candidates=candidates(), as_of=AS_OF, workload=SUMSEL / "workload.csv",
                         existing=SUMSEL / "officers.csv").impact
    assert not set(im.warnings) <= set(with_officers.warnings)
    r = CliRunner().invoke(main, ["diff", str(ROOT / "policies" / "pengantar_kerja"),
                                  str(ROOT / "policies" / "pengantar_kerja"), "--workload", str(SUMSEL / "workload.csv"),
                                  "--candidates", str(SUMSEL / "candidates.json"), "--as-of", str(AS_OF)])
    assert r.exit_code == 0 and f"warning: {im.warnings[0]}" in r.stderr, r.output
