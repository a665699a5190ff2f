"""YAML test cases: loading, running, readable failures, coverage, and the formasi test command."""

import shutil

import pytest
import yaml
from click.testing import CliRunner

import formasi_rules as fr
from conftest import POLICY_DIR
from formasi_rules.cli import main
from formasi_rules.testing import coverage, load_cases, run_case

CASES = POLICY_DIR / "tests"


def test_shipped_cases_pass_and_cover_every_rule_and_row(policy, default_engine):
    results = [run_case(default_engine, c) for c in load_cases(CASES)]
    assert results and all(r.passed for r in results), [r.failures for r in results if not r.passed]
    # the one rule no case can show failing: the guideline was set in 2023 and the rule is in force
    # from late 2025, so it bites only once policy staff enter a later date in pedoman_kebutuhan
    assert coverage(policy, results) == {"rules": ["pengangkatan.pedoman_ditetapkan"], "rows": []}


def test_a_wrong_expectation_fails_with_a_readable_message(default_engine, tmp_path):
    (tmp_path / "c.yaml").write_text("""
- name: wrong on purpose
  as_of: 2025-10-09
  input:
    candidate: {id: x, employment_status: PPPK, education: S1, rank: III/a, performance: [{year: 2024, rating: baik}]}
  expected:
    pengangkatan_pertama/ahli_pertama: eligible
""")
    (result,) = [run_case(default_engine, c) for c in load_cases(tmp_path / "c.yaml")]
    assert not result.passed
    assert result.failures[0].startswith("pengangkatan_pertama/ahli_pertama: expected eligible, got not_eligible")
    assert "status.asn" in result.failures[0] and "missing: formation" in result.failures[0]


def test_every_failure_of_a_case_is_said_in_both_languages(default_engine, tmp_path):
    """Policy staff read `formasi test` in Bahasa Indonesia too: an outcome, failed rules, a route
    that has no decision, an unknown rule, missing inputs and a record that cannot be read were
    said in English only."""
    (tmp_path / "c.yaml").write_text("""
- name: several mistakes
  as_of: 2025-10-09
  input:
    candidate: {id: x, employment_status: PPPK, education: S1, rank: III/a, performance: [{year: 2024, rating: baik}]}
  expected:
    pengangkatan_pertama/ahli_pertama: {outcome: eligible, failed: [status.asnn], missing: [formasi]}
    pengangkatan_pertma/ahli_pertama: eligible
    derived: {agee: 3}
- name: a record that cannot be read
  as_of: 2025-10-09
  input:
    candidate: {id: y, birthdate: 1980-01-01}
  expected:
    pengangkatan_pertama/ahli_pertama: eligible
""")
    results = [run_case(default_engine, c) for c in load_cases(tmp_path / "c.yaml")]
    failures = [f for r in results for f in r.failures]
    assert len(failures) >= 7, failures
    indonesian = ("diharapkan", "tidak ada", "tidak punya", "bukan", "tidak dapat", "tidak dikenal")
    for failure in failures:
        assert " / " in failure and any(word in failure for word in indonesian), failure
    assert any(f.startswith("pengangkatan_pertama/ahli_pertama: expected eligible, got not_eligible") for f in failures)


def test_coverage_names_a_rule_no_case_shows(policy, default_engine):
    results = [run_case(default_engine, c) for c in load_cases(CASES) if "Ahli Utama" not in c.name]
    assert coverage(policy, results)["rules"] == ["pengangkatan.pedoman_ditetapkan", "perpindahan.age_utama"]


def test_malformed_case_files_are_reported(tmp_path):
    (tmp_path / "c.yaml").write_text("- name: x\n  as_of: 09/10/2025\n  input: {}\n  expected: {}\n"
                                     "- name: y\n  inputs: {}\n")
    with pytest.raises(fr.PolicyError) as info:
        load_cases(tmp_path / "c.yaml")
    assert [p.code for p in info.value.problems] == ["T003", "T004", "T005", "T002", "T002"]
    assert [p.line for p in info.value.problems][3:] == [6, 5]  # the unknown key's line, then the case's


def test_a_case_dated_with_a_time_of_day_is_refused_at_its_line(tmp_path):
    """YAML reads `as_of: 2025-10-09 10:30:00` as a time: the case was run and failed with the Python
    API's advice (as_of=value.date()); it is T003 where it is written, with the date to write."""
    (tmp_path / "c.yaml").write_text("- name: x\n  as_of: 2025-10-09 10:30:00\n  input: {candidate: {id: a}}\n"
                                     "  expected: {pengangkatan_pertama/ahli_pertama: eligible}\n")
    with pytest.raises(fr.PolicyError) as info:
        load_cases(tmp_path / "c.yaml")
    (problem,) = info.value.problems
    assert problem.code == "T003" and problem.line == 2 and "write 2025-10-09" in problem.en


def test_a_case_file_the_folder_would_skip_is_named(tmp_path):
    """A file renamed to .yml, or moved into a folder inside, was skipped: '23 passed, 0 failed' with
    15 cases dropped unsaid."""
    shutil.copytree(CASES, tmp_path / "tests")
    (tmp_path / "tests" / "perpindahan.yaml").rename(tmp_path / "tests" / "perpindahan.yml")
    (tmp_path / "tests" / "sub").mkdir()
    with pytest.raises(fr.PolicyError) as info:
        load_cases(tmp_path / "tests")
    named = {(p.code, p.file.rsplit("/", 1)[-1]) for p in info.value.problems}
    assert named == {("T008", "perpindahan.yml"), ("T008", "sub")}


def test_formasi_test_command(tmp_path):
    shutil.copytree(POLICY_DIR.parent, tmp_path / "policies")
    target = tmp_path / "policies" / POLICY_DIR.name
    r = CliRunner().invoke(main, ["test", str(target / "tests"), "--coverage"])
    assert r.exit_code == 0, r.output
    shipped = sum(len(yaml.safe_load(f.read_text(encoding="utf-8"))) for f in (target / "tests").glob("*.yaml"))
    assert shipped >= 36 and r.output.rstrip().endswith(f"{shipped} passed, 0 failed")
    assert "coverage: 22 of 23 rules" in r.output   # penyesuaian.not_in_position added
    path = target / "tests" / "perpindahan.yaml"
    path.write_text(path.read_text().replace("perpindahan/ahli_pertama: eligible", "perpindahan/ahli_pertama: not_eligible", 1))
    r = CliRunner().invoke(main, ["test", str(target / "tests")])
    assert r.exit_code == 1 and "FAIL perpindahan.yaml" in r.output and f"{shipped - 1} passed, 1 failed" in r.output


def test_formasi_test_of_a_policy_folder_runs_its_own_cases(tmp_path, monkeypatch):
    """What policy staff type first: the policy's folder (or, inside it, "."), not its tests/."""
    shutil.copytree(POLICY_DIR.parent, tmp_path / "policies")
    target = tmp_path / "policies" / POLICY_DIR.name
    shipped = sum(len(yaml.safe_load(f.read_text(encoding="utf-8"))) for f in (target / "tests").glob("*.yaml"))
    r = CliRunner().invoke(main, ["test", str(target)])
    assert r.exit_code == 0 and r.output.rstrip().endswith(f"{shipped} passed, 0 failed"), r.output
    monkeypatch.chdir(target / "tests")  # "." and ".." have no folder name: the base beside it is found all the same
    for args in (["test", "."], ["test", ".."], ["test", "../tests/formation.yaml"]):
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 0 and " 0 failed" in r.output, (args, r.output)


@pytest.mark.parametrize("given, said", [
    ("policy.yaml", "is a policy file, not test cases: run `formasi test"),
    ("../jf_umum", "has no tests/ folder"),
    ("../../docs", "no policy holds"),
])
def test_formasi_test_of_something_else_says_what_to_give(given, said, monkeypatch):
    monkeypatch.chdir(POLICY_DIR)
    r = CliRunner().invoke(main, ["test", given])
    assert r.exit_code == 2 and said in r.stderr and "internal error" not in r.stderr, r.output


def write(tmp_path, text):
    (tmp_path / "c.yaml").write_text(text)
    return tmp_path / "c.yaml"


CANDIDATE = "  as_of: 2025-10-09\n  input:\n    candidate: {id: x, education: S1}\n"


@pytest.mark.parametrize("expected, code, hint", [
    ("    perpindahan/ahli_pertama: {outcome: undetermined, faild: [rank.in_range]}\n", "T005", "'failed'"),
    ("    perpindahan/ahli_pertama: eligble\n", "T005", "'eligible'"),
    ("    perpindahan/ahli_pertama: {}\n", "T005", None),
    ("    perpindahan/ahli_pertama: {outcome: eligible, failed: rank.in_range}\n", "T005", None),
    ("    perpindahan: eligible\n", "T005", None),
])
def test_a_case_that_would_check_nothing_or_misspells_is_an_error(tmp_path, expected, code, hint):
    path = write(tmp_path, "- name: c\n" + CANDIDATE + "  expected:\n" + expected)
    with pytest.raises(fr.PolicyError) as info:
        load_cases(path)
    (problem,) = info.value.problems
    assert problem.code == code and problem.line == 6
    assert hint is None or hint in problem.hint


@pytest.mark.parametrize("text, code", [
    ("- name: c\n" + CANDIDATE + "  expected: {}\n", "T005"),
    ("- name: c\n  as_of: 2025-10-09\n  input: {candidat: {id: x}}\n  expected: {a/b: eligible}\n", "T004"),
    ("- name: c\n  as_of: 2025-10-09\n  input: {workload: [], existng: []}\n  expected: {a/b: {need: 1}}\n",
     "T004"),
    ("- name: c\n  as_of: 2025-10-09\n  input: {workload: []}\n  expected: {a/b: {nead: 1}}\n", "T005"),
    ("- name: c\n  as_of: 2025-10-09\n  inptu: {workload: []}\n  expected: {a/b: {need: 1}}\n", "T002"),
])
def test_case_structure_is_checked_strictly(tmp_path, text, code):
    with pytest.raises(fr.PolicyError) as info:
        load_cases(write(tmp_path, text))
    assert code in [p.code for p in info.value.problems]


def test_a_misspelt_input_kind_gets_a_guess(tmp_path):
    """input: {candidat: ...} was T004 "must hold either 'candidate' or 'workload'" with no guess."""
    with pytest.raises(fr.PolicyError) as info:
        load_cases(write(tmp_path, "- name: c\n  as_of: 2025-10-09\n  input: {candidat: {id: x}}\n"
                                   "  expected: {a/b: eligible}\n"))
    (problem,) = [p for p in info.value.problems if p.code == "T004"]
    assert "'candidate'" in problem.hint and "maksud" in problem.hint


WORKLOAD_CASE = "- name: c\n  as_of: 2025-10-09\n  input: {workload: []}\n"


@pytest.mark.parametrize("expected, said", [
    ("{Kota A/ahli_muda: {need_exact: abc}}", "need_exact must be a number, got 'abc'"),
    ("{Kota A/ahli_muda: {need: true}}", "need must be a number, got true"),
    ("{Kota A/ahli_muda: {gap: [1]}}", "gap must be a number, got a list"),
    ("{Kota A/ahli_muda: 1}", "names what it checks: {need: 1}"),
    ("[perpindahan/ahli_pertama]", "expected must be a mapping"),
])
def test_an_expectation_of_the_wrong_kind_is_said_before_the_case_runs(tmp_path, expected, said):
    """They crashed formasi test (a number read from text), or were said to be empty."""
    with pytest.raises(fr.PolicyError) as info:
        load_cases(write(tmp_path, WORKLOAD_CASE + f"  expected: {expected}\n"))
    problem, = info.value.problems
    assert problem.code == "T005" and said in problem.en and problem.line is not None


def test_a_yaml_syntax_error_in_a_case_file_is_a_message_with_the_line(tmp_path):
    write(tmp_path, "- name: c\n  as_of: [2025\n")
    with pytest.raises(fr.PolicyError) as info:
        load_cases(tmp_path / "c.yaml")
    assert info.value.problems[0].code == "P002" and info.value.problems[0].line
    r = CliRunner().invoke(main, ["test", str(tmp_path / "c.yaml"), "--policy-dir", str(POLICY_DIR)])
    assert r.exit_code == 2 and "invalid YAML" in r.stderr and "internal error" not in r.stderr


def test_an_empty_suite_is_an_error_unless_allowed(tmp_path):
    (tmp_path / "tests").mkdir()
    with pytest.raises(fr.PolicyError, match="no test cases"):
        load_cases(tmp_path / "tests")
    assert load_cases(tmp_path / "tests", allow_empty=True) == []
    args = ["test", str(tmp_path / "tests"), "--policy-dir", str(POLICY_DIR)]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2 and "no test cases" in r.stderr
    r = CliRunner().invoke(main, [*args, "--allow-empty"])
    assert r.exit_code == 0 and "0 passed, 0 failed" in r.output


def test_a_route_level_without_a_decision_suggests_the_closest(default_engine, tmp_path):
    path = write(tmp_path, "- name: c\n" + CANDIDATE + "  expected:\n    perpindahan/ahli_pertamaa: eligible\n")
    (result,) = [run_case(default_engine, c) for c in load_cases(path)]
    assert "did you mean 'perpindahan/ahli_pertama'" in result.failures[0]


def test_a_misspelt_rule_in_failed_is_named_with_the_closest(default_engine, tmp_path):
    """'got []' alone would not say the expectation names no rule at all."""
    (tmp_path / "c.yaml").write_text("""
- name: a rule id misspelt
  as_of: 2025-10-09
  input:
    candidate: {id: x, employment_status: PNS, birth_date: 1960-01-01}
  expected:
    perpindahan/ahli_pertama: {failed: [perpindahan.agee]}
""", encoding="utf-8")
    (result,) = [run_case(default_engine, c) for c in load_cases(tmp_path)]
    assert not result.passed
    named = [f for f in result.failures if "'perpindahan.agee'" in f]
    assert named and "no rule of policy" in named[0] and "'perpindahan.age'" in named[0]


def test_a_misspelt_input_in_missing_is_named_with_the_closest(default_engine, tmp_path):
    """As for failed: an expected/got difference alone would not say the name is no input at all."""
    (tmp_path / "c.yaml").write_text("""
- name: an input misspelt
  as_of: 2025-10-09
  input:
    candidate: {id: x, employment_status: PNS, education: S1, rank: III/a, region: Kota Palembang}
  expected:
    perpindahan/ahli_pertama: {outcome: undetermined, missing: [birth_dat, formation]}
""", encoding="utf-8")
    (result,) = [run_case(default_engine, c) for c in load_cases(tmp_path)]
    named = [f for f in result.failures if "'birth_dat'" in f and "expected missing" not in f]
    assert len(named) == 1 and "no input policy pengantar_kerja reads" in named[0]
    assert "did you mean 'birth_date'" in named[0] and "formation" not in named[0]


def test_a_case_without_its_keys_names_them_plainly(tmp_path):
    """Policy staff read the message: the names, not a Python list of them."""
    with pytest.raises(fr.PolicyError) as info:
        load_cases(write(tmp_path, "- name: c\n  input: {candidate: {id: x}}\n"))
    (problem,) = info.value.problems
    assert problem.code == "T002" and problem.id == "kasus uji tanpa as_of, expected"
    assert problem.en == "the test case has no as_of, expected"


def test_two_cases_of_one_name_are_an_error(tmp_path):
    case = """
- name: the same name
  as_of: 2025-10-09
  input: {candidate: {id: x}}
  expected: {perpindahan/ahli_pertama: undetermined}
"""
    (tmp_path / "a.yaml").write_text(case, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(case, encoding="utf-8")
    with pytest.raises(fr.PolicyError) as info:
        load_cases(tmp_path)
    (problem,) = info.value.problems
    assert problem.code == "T007" and problem.file.endswith("b.yaml") and "a.yaml" in problem.en and problem.line


def test_a_decimal_comma_in_a_flow_mapping_fails_the_case(default_engine, tmp_path):
    """Policy test cases write candidates in flow style: {experience_years: 2,5} ran the case with
    2 years, and a case expecting that passed."""
    (tmp_path / "c.yaml").write_text("""
- name: a decimal comma
  as_of: 2025-10-09
  input:
    candidate: {id: x, employment_status: PNS, experience_years: 2,5}
  expected:
    perpindahan/ahli_pertama: undetermined
""")
    (result,) = [run_case(default_engine, c) for c in load_cases(tmp_path / "c.yaml")]
    assert not result.passed
    assert "I003" in result.failures[0] and "write 2.5, with a point" in result.failures[0]


def test_an_input_a_case_cannot_run_with_is_placed_at_its_line(default_engine, tmp_path):
    """A case whose candidate, workload or formation could not be read said `$.birth_date` only: staff
    had to find the value in the case file themselves."""
    path = tmp_path / "c.yaml"
    path.write_text("""\
- name: a candidate that cannot be read
  as_of: 2025-10-09
  input:
    candidate:
      id: x1
      birth_date: 30/04/85
      performance: [{year: 2023, rating: baik},
                    {year: 2024, rating: bagus}]
  expected:
    perpindahan/ahli_pertama: eligible
- name: a workload row that cannot be read
  as_of: 2025-10-09
  input:
    workload:
      - {region: Kota A, activity: dokumen, level: ahli_pertama, volume: 3, norm_minutes: 900}
      - {region: Kota A, activity: dokumen, level: ahli_pertama, volume: -3, norm_minutes: 900}
    existing:
      - {region: Kota A, level: ahli_pertama, count: -1}
  expected:
    Kota A/ahli_pertama: {need: 1}
- name: open places that cannot be read
  as_of: 2025-10-09
  formation:
    Kota A: {ahli_pertam: 1}
  input:
    candidate: {id: x2, employment_status: PNS}
  expected:
    perpindahan/ahli_pertama: eligible
""", encoding="utf-8")
    candidate, workload, formation = (run_case(default_engine, c).failures for c in load_cases(path))
    text = "\n".join(candidate)
    assert f"{path}:6 $.birth_date: I005" in text and f"{path}:8 $.performance[1].rating: I005" in text, text
    assert text.startswith("could not run / tidak dapat dijalankan"), text
    text = "\n".join(workload)
    assert f"{path}:16 $[1].volume: W001" in text and f"{path}:18 $[0].count: W012" in text, text
    text = "\n".join(formation)
    assert f"{path}:24 formation $['Kota A']['ahli_pertam']" in text, text
