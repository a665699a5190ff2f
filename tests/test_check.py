"""Mutation tests of the checker: break the shipped policy on purpose, one way at a time, and
require that `check` reports exactly that problem. A checker that finds nothing on a broken
policy fails here."""

import pytest
from click.testing import CliRunner

from conftest import edit, line_of
from formasi_rules.cli import main
from formasi_rules.testing import cases_yaml, load_cases, run_case
from formasi_rules.testing import check as check_all


def check(*args, **kwargs):
    """The defect findings (information, such as a window closed by its dates, left out)."""
    return [f for f in check_all(*args, **kwargs) if f.severity != "info"]


def codes(findings):
    return sorted({f.code for f in findings})


@pytest.mark.parametrize("name", ["pengantar_kerja", "instruktur"])
def test_the_shipped_policies_have_no_defect_findings(policy_copy, name):
    folder = policy_copy if name == "pengantar_kerja" else policy_copy.parent / name
    findings = check_all(folder, max_examples=150)
    assert [f for f in findings if f.severity != "info"] == []
    # the adjustment window, closed by its dates after 2023, is said once for information
    assert {(f.code, f.rules) for f in findings} <= {("C090", ("penyesuaian.window",))}


def test_swapped_thresholds_are_reported(policy_copy):
    # Ahli Muda would ask fewer credit points for rank promotion than Ahli Pertama
    path = policy_copy.parent / "jf_umum" / "tables" / "credit_points.yaml"
    edit(path, "{level: ahli_pertama, min_credit_points: 50}", "{level: ahli_pertama, min_credit_points: 100}")
    edit(path, "{level: ahli_muda, min_credit_points: 100}", "{level: ahli_muda, min_credit_points: 50}")
    (f,) = check(policy_copy, properties=False)
    assert f.code == "C020" and f.rules == ("kenaikan_pangkat.credit_points",)
    assert "ahli_muda asks 50, less than ahli_pertama (100)" in f.en
    assert f.file.endswith("credit_points.yaml") and f.line


@pytest.mark.parametrize("new_min, code", [("III/b", "C021"), ("III/d", "C022")])
def test_rank_ranges_that_overlap_or_leave_a_gap(policy_copy, new_min, code):
    edit(policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml", "{level: ahli_muda, min_rank: III/c,",
         f"{{level: ahli_muda, min_rank: {new_min},")
    findings = check(policy_copy, properties=False)
    (found,) = [f for f in findings if f.code == code]
    assert found.rules == ("rank.in_range",)
    if new_min == "III/d":  # a level of one rank also leaves no rank promotion within it: said too
        assert codes(findings) == ["C010", "C022"]
        assert [f.rules for f in findings if f.code == "C010"] == [("kenaikan_pangkat.room_in_level",)]
    else:
        assert codes(findings) == [code]


def test_a_dropped_citation_is_reported(policy_copy):
    edit(policy_copy.parent / "jf_umum" / "rules" / "perpindahan.yaml",
         "    citation: {source: bkn_faq_perpindahan, article: Syarat usia}\n", "")
    (f,) = check(policy_copy)
    assert f.code == "P013" and f.rules == ("perpindahan.age",) and "citation" in f.en


def test_a_citation_to_an_undefined_source(policy_copy):
    edit(policy_copy.parent / "jf_umum" / "rules" / "perpindahan.yaml", "{source: bkn_faq_perpindahan, article: Syarat usia}",
         "{source: bkn_faq, article: Syarat usia}")
    (f,) = check(policy_copy)
    assert f.code == "P050" and f.rules == ("perpindahan.age",)


def test_two_rules_that_contradict(policy_copy):
    path = policy_copy.parent / "jf_umum" / "rules" / "perpindahan.yaml"
    path.write_text(path.read_text() + """
  - id: perpindahan.senior_only
    title: {id: Hanya yang senior, en: Only the senior}
    routes: [perpindahan]
    levels: [ahli_madya]
    require:
      age: {above: 60}
    citation: {source: formasi_policy_choice}
""")
    findings = check(policy_copy, properties=False)
    assert codes(findings) == ["C011"]
    (f,) = findings
    assert "perpindahan at ahli_madya" in f.en
    assert set(f.rules) == {"perpindahan.senior_only", "perpindahan.age"}
    assert f.rules[0] == "perpindahan.senior_only"  # the rule that causes it (the more specific) first


def test_a_rule_that_can_never_pass(policy_copy):
    path = policy_copy.parent / "jf_umum" / "rules" / "perpindahan.yaml"
    edit(path, "      age: {at_most: {table: transfer_age_limit, column: max_age}}",
         "      age: {at_most: {table: transfer_age_limit, column: max_age}, above: 70}")
    findings = check(policy_copy, properties=False)
    assert "C010" in codes(findings) and all("perpindahan.age" in f.rules for f in findings)


def test_a_masked_rule(policy_copy):
    path = policy_copy.parent / "jf_umum" / "rules" / "perpindahan.yaml"
    path.write_text(path.read_text() + """
  - id: perpindahan.some_experience
    title: {id: Ada pengalaman, en: Some experience}
    routes: [perpindahan]
    require:
      experience_years: {at_least: 1}
    citation: {source: formasi_policy_choice}
""")
    (f,) = check(policy_copy, properties=False)
    assert f.code == "C012" and f.rules == ("perpindahan.some_experience", "perpindahan.experience")


def test_a_rule_implied_at_one_level_only_is_said_to_be_so_there(policy_copy):
    """A gap in the rank ranges (IV/a at no level) leaves kenaikan_pangkat.credit_points implied by two
    other rules at Ahli Madya alone: the finding names that decision, not the rule everywhere."""
    edit(policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml", "{level: ahli_madya, min_rank: IV/a,",
         "{level: ahli_madya, min_rank: IV/b,")
    (f,) = [f for f in check(policy_copy, properties=False) if f.code == "C012"]
    assert f.rules[0] == "kenaikan_pangkat.credit_points"
    assert " together at kenaikan_pangkat/ahli_madya: " in f.en and "so it never decides an outcome there [" in f.en
    assert " bersama-sama hanya pada kenaikan_pangkat/ahli_madya" in f.id
    assert "ahli_muda" not in f.en + f.id and "ahli_utama" not in f.en + f.id


def test_a_rule_masked_at_some_levels_names_them_and_one_implied_everywhere_names_none(policy_copy):
    rules = policy_copy.parent / "jf_umum" / "rules"
    path = rules / "promosi.yaml"
    path.write_text(path.read_text() + """
  - id: kenaikan_pangkat.points_tested
    title: {id: Angka kredit dan uji kompetensi, en: Credit points and a competency test}
    routes: [kenaikan_pangkat]
    levels: [ahli_pertama, ahli_muda]
    require:
      credit_points: {at_least: {table: kp_credit_points, column: min_credit_points}}
      competency_test_status: {equals: passed}
    citation: {source: jf_policy_choice}
""")
    (f,) = check(policy_copy, properties=False)
    assert f.code == "C012" and f.rules == ("kenaikan_pangkat.credit_points", "kenaikan_pangkat.points_tested")
    at = "at kenaikan_pangkat/ahli_pertama, kenaikan_pangkat/ahli_muda"  # (it still decides at the two above)
    assert f"is masked by kenaikan_pangkat.points_tested {at}: " in f.en and "never decides an outcome there [" in f.en
    assert f"hanya pada {at.removeprefix('at ')} [" in f.id
    # a rule implied at every decision it takes part in is said to be so as before, with no place named
    edit(path, "    levels: [ahli_pertama, ahli_muda]\n    require:\n      credit_points",
         "    require:\n      credit_points")
    (f,) = check(policy_copy, properties=False)
    assert "so it never decides an outcome [" in f.en and " at kenaikan_pangkat/" not in f.en
    assert f.id.startswith("aturan kenaikan_pangkat.credit_points tertutup oleh kenaikan_pangkat.points_tested [")


def test_a_date_gap(policy_copy):
    # the Ahli Madya age limit ends in 2024 and nothing replaces it
    edit(policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml", "{level: ahli_madya, max_age: 55}",
         "{level: ahli_madya, max_age: 55, valid_to: 2024-12-31}")
    findings = check(policy_copy, properties=False)
    assert codes(findings) == ["P070"]
    assert "2025-01-01" in findings[0].en and findings[0].rules == ("perpindahan.age",)


def test_a_date_gap_is_said_in_indonesian_with_the_fix(policy_copy):
    """P070's Indonesian half was English after its first words ('aturan tidak dapat dipakai pada
    2025-01-01: table 'transfer_age_limit' has no row for ahli_madya in force'), with no fix."""
    path = policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml"
    edit(path, "{level: ahli_madya, max_age: 55}", "{level: ahli_madya, max_age: 55, valid_to: 2024-12-31}")
    found = [f for f in check(policy_copy, properties=False) if f.code == "P070"]
    assert found
    table = f"{path}:{line_of(path, 'transfer_age_limit:')}"
    for f in found:
        assert "has no row" not in f.id and "in force" not in f.id, f.id
        assert "tabel 'transfer_age_limit' tidak punya baris untuk ahli_madya yang berlaku" in f.id, f.id
        assert f"give table 'transfer_age_limit' ({table}) a row for ahli_madya in force on 2025-" in f.fix.en, f.fix
        assert f"beri tabel 'transfer_age_limit' ({table}) baris untuk ahli_madya" in f.fix.id, f.fix
        assert "beri tabel" not in f.fix.en and "give table" not in f.fix.id


def test_a_table_value_the_engine_cannot_hold_is_said_in_indonesian_too(policy_copy):
    """A table cell with more decimals than its field keeps: P070's Indonesian half said why in English."""
    path = policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml"
    edit(path, "{min_experience_years: 2, min_experience_years_strategic: 1}",
         "{min_experience_years: 2.125, min_experience_years_strategic: 1}")
    found = [f for f in check(policy_copy, properties=False) if f.code == "P070"]
    assert found
    for f in found:
        assert "2.125 lebih dari 2 desimal" in f.id and "decimal" not in f.id, f.id
        assert "2.125 has more than 2 decimal(s)" in f.en


def test_every_finding_says_how_to_fix_it_in_both_languages(policy_copy):
    """A finding whose check gives no words of its own gets its code's (FIXES); a policy problem's
    hint is its fix, not words run on after the English message."""
    from formasi_rules.testing._findings import FIXES, Finding
    from formasi_rules import Problem

    path = policy_copy.parent / "jf_umum" / "rules" / "common.yaml"
    edit(path, "formation_open: {at_least: 1}", "formation_open: {at_least: 0}")  # passes everyone (C016)
    found = [f for f in check(policy_copy, properties=False) if f.code == "C016"]
    assert found and all(f.fix == FIXES["C016"] for f in found), found
    result = CliRunner().invoke(main, ["check", str(policy_copy), "--static-only"])
    assert f"  fix: {FIXES['C016'].en}" in result.output and f"  perbaikan: {FIXES['C016'].id}" in result.output
    f = Finding.from_problem(Problem("P023", "valid_to sebelum valid_from", "valid_to is before valid_from",
                                     hint="move valid_to after valid_from / pindahkan valid_to"))
    assert f.en == "valid_to is before valid_from" and (f.fix.en, f.fix.id) == ("move valid_to after valid_from",
                                                                                 "pindahkan valid_to")
    assert set(FIXES) >= {"C010", "C011", "C012", "C016", "C020", "C030", "C041"}
    assert all(t.id != t.en and t.id and t.en for t in FIXES.values())


def test_contradicting_formation_rules(policy_copy):
    path = policy_copy / "rules" / "formation.yaml"
    path.write_text(path.read_text() + """
  - id: formation.no_pertama
    subject: formation
    title: {id: Tanpa Ahli Pertama, en: No Ahli Pertama}
    levels: [ahli_pertama]
    when:
      existing: {at_least: 0}
    then:
      need: {at_most: 0}
    citation: {source: formasi_policy_choice}
""")
    (f,) = check(policy_copy, properties=False)
    assert f.code == "C013" and set(f.rules) == {"formation.minimum_staffing", "formation.no_pertama"}


def test_a_broken_declared_property_gives_a_counterexample_that_fails_as_a_test(policy_copy, default_engine):
    edit(policy_copy / "rules" / "properties.yaml", "      age: {above: 53}", "      age: {above: 50}")
    (f,) = check(policy_copy, max_examples=150)
    assert f.code == "C040" and f.rules == ("no_transfer_to_pertama_after_53",)
    (case,) = f.cases
    assert case["expected"] == {"perpindahan/ahli_pertama": "not_eligible"}
    # pasted into the tests folder, the counterexample is a failing case under the real policy's engine
    (policy_copy / "tests").mkdir(exist_ok=True)
    (policy_copy / "tests" / "counterexample.yaml").write_text(cases_yaml(f.cases))
    (loaded,) = load_cases(policy_copy / "tests" / "counterexample.yaml")
    result = run_case(default_engine, loaded)
    assert not result.passed and "expected not_eligible, got eligible" in result.failures[0]


def test_a_non_monotone_rule_is_found(policy_copy):
    edit(policy_copy.parent / "jf_umum" / "rules" / "common.yaml",
         "      education: {at_least: {table: education_min, column: min_education}}",
         "      education: {in: [S1, D4]}")
    # found by the reasoner, once for the rule, not again by the search
    (f,) = check(policy_copy, max_examples=150)
    assert f.code == "C041" and "monotonicity" in f.en and "higher education" in f.en
    assert f.rules == ("education.minimum",)
    before, after = f.cases  # eligible before the improvement; the second fails under this policy
    assert before["expected"] == after["expected"] and list(before["expected"].values()) == ["eligible"]


def test_a_wrong_direction_in_a_branch_read_from_the_positions_history_comes_with_its_case(policy_copy):
    """The branch tests held_jpt, derived from the history of positions: the case's record holds
    that history whole (else the decision would be undetermined and the finding would have none)."""
    import formasi_rules as fr

    edit(policy_copy.parent / "jf_umum" / "rules" / "perpindahan.yaml",
         "age: {at_most: {table: transfer_age_limit_utama, column: from_jpt}}",
         "age: {at_least: {table: transfer_age_limit_utama, column: from_jpt}}")
    (f,) = check(policy_copy, properties=False)
    assert f.code == "C015" and f.rules == ("perpindahan.age_utama",)
    (case,) = f.cases
    assert "positions" in case["input"]["candidate"]
    assert case["expected"] == {"perpindahan/ahli_utama": "eligible"}  # the case fails until the rule is fixed
    (policy_copy / "tests").mkdir(exist_ok=True)
    (policy_copy / "tests" / "counterexample.yaml").write_text(cases_yaml(f.cases))
    (loaded,) = load_cases(policy_copy / "tests" / "counterexample.yaml")
    engine = fr.Engine(fr.load_policy(policy_copy), backend="reference")
    try:
        result = run_case(engine, loaded)
        decision = engine.evaluate(case["input"]["candidate"], as_of=loaded.as_of,
                                   formation=case["formation"]).decision("perpindahan", "ahli_utama")
    finally:
        engine.close()
    assert "expected eligible, got not_eligible" in result.failures[0]
    assert decision.failed == ("perpindahan.age_utama",)  # refused by that rule alone, as the finding says


PERPINDAHAN_RULES = ("jf_umum", "rules", "perpindahan.yaml")


@pytest.mark.parametrize("path, wrong, right, code, rule", [
    # one branch of an `any:` reversed: someone both branches refuse for another reason (no JPT) tells nothing
    (PERPINDAHAN_RULES, "age: {at_least: {table: transfer_age_limit_utama, column: from_jpt}}",
     "age: {at_most: {table: transfer_age_limit_utama, column: from_jpt}}", "C015", "perpindahan.age_utama"),
    # a minimum compared with equals: someone below the minimum is refused by the right rule too
    (PERPINDAHAN_RULES, "- experience_years: {equals: {table: transfer_requirements, column: min_experience_years}}",
     "- experience_years: {at_least: {table: transfer_requirements, column: min_experience_years}}", "C015",
     "perpindahan.experience"),
    # an upper bound among lower bounds: the monotonicity pair starts from someone only the mistake admits
    (("jf_umum", "rules", "promosi.yaml"), "      performance_worst_1y: {below: baik}",
     "      performance_worst_1y: {at_least: baik}", "C015", "kenaikan_jenjang.performance"),
    # a bound that empties a rule: someone over the age limit is refused once the bound is gone too
    (PERPINDAHAN_RULES, "      age: {at_most: {table: transfer_age_limit, column: max_age}, above: 70}",
     "      age: {at_most: {table: transfer_age_limit, column: max_age}}", "C010", "perpindahan.age"),
])
def test_the_case_of_a_finding_fails_on_the_mistake_and_passes_once_it_is_corrected(policy_copy, path, wrong,
                                                                                      right, code, rule):
    """A finding's case expects eligible someone the rule refuses. It was any such candidate, often
    one the corrected rule refuses as well (aged 64, no JPT, from a JA post: either age test refuses
    them), so the case
    pasted into tests/ kept failing after the fix: it must be one only the mistake refuses."""
    file = policy_copy.parent.joinpath(*path)
    edit(file, right, wrong)
    (f,) = [f for f in check(policy_copy, properties=False) if f.code == code]
    assert f.rules[0] == rule and f.cases
    (policy_copy / "tests").mkdir()
    (policy_copy / "tests" / "finding.yaml").write_text(cases_yaml(f.cases))
    r = CliRunner().invoke(main, ["test", str(policy_copy)])
    assert r.exit_code == 1 and "FAIL" in r.output and f"(failed: {rule})" in r.output, r.output
    edit(file, wrong, right)  # the correction the finding asks for
    r = CliRunner().invoke(main, ["test", str(policy_copy)])
    assert r.exit_code == 0 and "FAIL" not in r.output and f"{len(f.cases)} passed, 0 failed" in r.output, r.output


def test_check_command_exits_2_for_a_policy_that_does_not_load(policy_copy):
    """docs/checking.md: a policy that does not load exits 2, as validate does; check said its
    problems as findings and exited 1, as for a defect of a policy that loads."""
    edit(policy_copy / "rules" / "pedoman.yaml", "\n    ", "\n\t", )
    r = CliRunner().invoke(main, ["check", str(policy_copy), "--static-only"])
    validate = CliRunner().invoke(main, ["validate", str(policy_copy)])
    assert r.exit_code == validate.exit_code == 2, r.output
    assert "pedoman.yaml:" in r.output and "P002" in r.output and "tab" in r.output


def test_check_command_exit_codes(policy_copy):
    r = CliRunner().invoke(main, ["check", str(policy_copy), "--max-examples", "50"])
    assert r.exit_code == 0 and r.output.splitlines()[-1].startswith("ok: no defect findings")
    assert "C090" in r.output and "(info)" in r.output  # the window closed by its dates, said for information
    edit(policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml", "{level: ahli_muda, min_rank: III/c,", "{level: ahli_muda, min_rank: III/d,")
    r = CliRunner().invoke(main, ["check", str(policy_copy), "--static-only"])
    assert r.exit_code == 1 and "C022 " in r.output and "[rule rank.in_range]" in r.output
    assert "citation:" in r.output and "2 finding(s)" in r.output  # and C010: no rank promotion in a 1-rank level


@pytest.mark.parametrize("new_min, code, fix_en, fix_id", [
    ("III/b", "C021", "raise ahli_muda's min_rank to III/c, or lower ahli_pertama's max_rank to III/a",
     "naikkan min_rank ahli_muda menjadi III/c, atau turunkan max_rank ahli_pertama menjadi III/a"),
    ("III/d", "C022", "lower ahli_muda's min_rank to III/c", "turunkan min_rank ahli_muda menjadi III/c"),
])
def test_ranges_that_overlap_or_leave_a_gap_say_how_to_fix_them(policy_copy, new_min, code, fix_en, fix_id):
    """C021 said two levels' ranges overlap, not which cells meet or what to write instead."""
    path = policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml"
    edit(path, "{level: ahli_muda, min_rank: III/c,", f"{{level: ahli_muda, min_rank: {new_min},")
    (found,) = [f for f in check(policy_copy, properties=False) if f.code == code]
    rows = f"({path}:{line_of(path, '{level: ahli_muda, min_rank')})", f"({path}:{line_of(path, '{level: ahli_pertama, min_rank')})"
    assert found.fix is not None, found
    assert f"ahli_muda's min_rank {new_min} {rows[0]}" in found.fix.en and f"ahli_pertama's max_rank III/b {rows[1]}" \
        in found.fix.en, found.fix
    assert fix_en in found.fix.en and fix_id in found.fix.id, found.fix
    r = CliRunner().invoke(main, ["check", str(policy_copy), "--static-only"])
    assert f"  fix: {found.fix.en}\n  perbaikan: {found.fix.id}\n" in r.output, r.output


def test_a_range_fix_never_suggests_a_value_that_empties_a_range(policy_copy):
    """ahli_muda III/b-III/b over ahli_pertama III/a-III/b: raising ahli_muda's min_rank to III/c
    would leave its range III/c-III/b empty (no rank passes), so only lowering ahli_pertama's
    max_rank fixes the overlap."""
    path = policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml"
    edit(path, "{level: ahli_muda, min_rank: III/c, max_rank: III/d}", "{level: ahli_muda, min_rank: III/b, max_rank: III/b}")
    (found,) = [f for f in check(policy_copy, properties=False) if f.code == "C021"]
    assert "raise ahli_muda's min_rank" not in found.fix.en and "naikkan min_rank ahli_muda" not in found.fix.id
    assert "lower ahli_pertama's max_rank to III/a" in found.fix.en, found.fix.en
    assert "turunkan max_rank ahli_pertama menjadi III/a" in found.fix.id, found.fix.id
