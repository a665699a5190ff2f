"""YAML test cases written by policy staff, and running them.

A case file holds a list of cases (ROUTE, LEVEL, RULE_ID and FIELD stand for names the policy
declares; see policies/*/tests for real ones). A case for candidates::

    - name: a transfer at age 53 is still allowed
      as_of: 2025-10-09
      formation: {Kota A: {LEVEL: 1}}                       # optional open places
      input:
        candidate: {id: t1, employment_status: PNS, birth_date: 1972-10-09, ...}
      expected:
        ROUTE/LEVEL: eligible                               # an outcome, or:
        ROUTE/OTHER_LEVEL: {outcome: not_eligible, failed: [RULE_ID]}
        derived: {FIELD: 175, OTHER_FIELD: unknown}         # derived values, or unknown

and for workload (numbers per region and level)::

    - name: Two activities give 0.288
      as_of: 2025-10-09
      input:
        workload: [{region: Kota A, activity: x, level: LEVEL, volume: 12, norm_minutes: 900}]
        existing: [{region: Kota A, level: LEVEL, count: 0}]
      expected:
        Kota A/LEVEL: {need_exact: 0.288, need: 1}
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from .._dates import iso_date
from .._errors import FormasiError, PolicyError, Problem, said, suggest
from ..engine import Engine, Result
from ..engine._encode import CANDIDATE, show
from ..engine._result import ELIGIBLE, NOT_ELIGIBLE, UNDETERMINED
from ..policy._yaml import load_yaml, where

CASE_KEYS = ("name", "as_of", "input", "expected", "formation", "note")
NUMBER_KEYS = ("workload_minutes", "need_exact", "need", "existing", "gap", "ej")
OUTCOMES = (ELIGIBLE, NOT_ELIGIBLE, UNDETERMINED)
DECISION_KEYS = ("outcome", "failed", "missing")  # what a candidate case may expect of a decision
ROW_KEYS = (*NUMBER_KEYS, "band")  # what a workload case may expect of a region and level
INPUT_KEYS = {"candidate": ("candidate",), "workload": ("workload", "existing")}


@attrs.frozen
class Case:
    name: str
    file: str
    line: int | None
    as_of: dt.date
    input: dict[str, Any]
    expected: dict[str, Any]
    formation: Any = None
    source: Any = attrs.field(default=None, eq=False, repr=False)  # the case as read, with its lines


@attrs.frozen
class CaseResult:
    case: Case
    failures: tuple[str, ...]  # empty when the case passed
    exercised: frozenset[str]  # rule ids that failed in a decision the case asserts (shown biting)
    rows: frozenset[tuple[str, str | None]]  # (table, key) rows read by the rules it ran

    @property
    def passed(self) -> bool:
        return not self.failures


def load_cases(path: str | Path, *, allow_empty: bool = False) -> list[Case]:
    """Every case in a file, or in every ``*.yaml`` file of a folder; PolicyError lists bad cases.

    Cases are validated strictly (schemas/test-case.schema.json says the same): an unknown key,
    an outcome that does not exist, or an expectation that checks nothing is an error with a
    "did you mean" where one is close, since a case that checks nothing would pass. No cases
    at all is an error too, unless ``allow_empty``."""
    path = Path(path)
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    cases, problems = [], []
    if path.is_dir():  # a file of cases named otherwise, or in a folder inside, would be skipped unsaid
        for other in sorted(path.iterdir()):
            if other.name.startswith("."):
                continue
            if other.is_dir() or other.suffix.lower() in (".yml", ".yaml", ".json") and other.suffix != ".yaml":
                problems.append(Problem(
                    "T008", f"{other.name} tidak dibaca: kasus uji ada di berkas *.yaml folder ini",
                    f"{other.name} is not read: test cases are the *.yaml files of this folder", file=str(other),
                    hint="rename it to end in .yaml / ganti namanya agar berakhiran .yaml" if other.is_file()
                    else "move its files into this folder / pindahkan berkasnya ke folder ini"))
    names: dict[str, tuple[str, int | None]] = {}  # case name -> (file, line) of its first use
    for file in files:
        data = load_yaml(file, str(file))  # a syntax error: a PolicyError with its line
        if not isinstance(data, list):
            problems.append(Problem("T001", "berkas uji harus berupa daftar kasus",
                                    "a test file must be a list of cases ('- name: ...')", file=str(file)))
            continue
        for i, raw in enumerate(data):
            line = (where(data, i)[0])
            found = _case_problems(raw, str(file), line)
            if found:
                problems += found
                continue
            first = names.get(str(raw["name"]))
            if first is not None:
                problems.append(Problem("T007", f"nama kasus {raw['name']!r} sudah dipakai ({first[0]}:{first[1]})",
                                        f"the case name {raw['name']!r} is used before ({first[0]}:{first[1]}): "
                                        "a failure would not say which case it is", file=str(file), line=line,
                                        hint="give each case its own name / beri setiap kasus nama sendiri"))
                continue
            names[str(raw["name"])] = (str(file), line)
            as_of = raw["as_of"]
            if not isinstance(as_of, dt.date):
                as_of = iso_date(str(as_of))
            cases.append(Case(str(raw["name"]), str(file), line, as_of, _plain(raw["input"]),
                              _plain(raw["expected"]), _plain(raw.get("formation")), raw))
    if problems:
        raise PolicyError(problems, f"{len(problems)} problem(s) in the test cases")
    if not cases and not allow_empty:
        raise PolicyError([Problem("T006", "tidak ada kasus uji", "no test cases found (a suite that runs "
                                   "nothing passes whatever the rules say)", file=str(path),
                                   hint="add cases, or allow an empty suite (formasi test --allow-empty) / "
                                        "tambah kasus, atau izinkan kosong (formasi test --allow-empty)")])
    return cases


def _case_problems(raw: Any, file: str, line: int | None) -> list[Problem]:
    """Everything wrong with one case, each at its line."""
    def problem(code: str, id_: str, en: str, at: Any = None, key: Any = None, hint: str | None = None) -> Problem:
        return Problem(code, id_, en, file=file, line=(where(at, key)[0] if at is not None else None) or line,
                       hint=hint)

    if not isinstance(raw, dict):
        return [problem("T002", "kasus uji harus berupa pemetaan", "a test case must be a mapping "
                        "('name: ...', 'as_of: ...', ...)")]
    out = []
    for key in raw:
        if key not in CASE_KEYS:
            out.append(problem("T002", f"kunci kasus tidak dikenal {key!r}", f"unknown key {key!r} in a test "
                               f"case; a case has {', '.join(CASE_KEYS)}", raw, key, suggest(key, CASE_KEYS)))
    missing = [k for k in ("name", "as_of", "input", "expected") if k not in raw]
    if missing:
        names = ", ".join(missing)  # as policy staff write them, not a Python list
        out.append(problem("T002", f"kasus uji tanpa {names}", f"the test case has no {names}"))
    if "as_of" in raw and isinstance(raw["as_of"], dt.datetime):  # YAML reads "2025-10-09 10:30" as a time
        out.append(problem("T003", "as_of adalah tanggal saja, tanpa jam: tulis seperti 2025-10-09",
                           f"as_of is a date alone, with no time of day: write {raw['as_of'].date()}", raw, "as_of"))
    elif "as_of" in raw and not isinstance(raw["as_of"], dt.date):
        try:
            iso_date(str(raw["as_of"]))
        except ValueError:
            out.append(problem("T003", "as_of harus tanggal seperti 2025-10-09",
                               f"as_of must be a date like 2025-10-09, got {raw['as_of']!r}", raw, "as_of"))
    kind = None
    given = raw.get("input")
    if "input" in raw:
        kinds = [k for k in INPUT_KEYS if isinstance(given, dict) and k in given]
        if len(kinds) != 1:
            others = [k for k in given if k not in INPUT_KEYS] if isinstance(given, dict) else []
            out.append(problem("T004", "input harus memuat 'candidate' atau 'workload'",
                               "input must hold either 'candidate' or 'workload'", raw, "input",
                               suggest(others[0], INPUT_KEYS) if len(kinds) == 0 and len(others) == 1 else None))
        else:
            kind = kinds[0]
            allowed = INPUT_KEYS[kind]
            for key in given:
                if key not in allowed:
                    out.append(problem("T004", f"kunci input tidak dikenal {key!r}",
                                       f"unknown key {key!r} in input; a {kind} case has {', '.join(allowed)}",
                                       given, key, suggest(key, allowed)))
    expected = raw.get("expected")
    if "expected" in raw:
        if not isinstance(expected, dict):
            out.append(problem("T005", "expected harus berupa pemetaan", "expected must be a mapping "
                               f"{{route/level: outcome}} (or {{region/level: {{need: ...}}}}), got {_kind(expected)}",
                               raw, "expected", "write each expectation as KEY: VALUE, not as a list item / "
                               "tulis setiap harapan sebagai KUNCI: NILAI, bukan sebagai butir daftar"))
        elif not expected:
            out.append(problem("T005", "expected kosong: kasus ini tidak menguji apa pun",
                               "expected is empty: the case checks nothing, so it would always pass",
                               raw, "expected", "give route/level: outcome (or region/level: {need: ...}) / tulis "
                               "route/level: outcome (atau region/level: {need: ...})"))
        elif kind is not None:
            for key, want in expected.items():
                out += _expectation_problems(kind, key, want, expected, problem)
    return out


def _expectation_problems(kind: str, key: Any, want: Any, expected: dict, problem) -> list[Problem]:
    name, where_ = ("route/level", "decision") if kind == "candidate" else ("region/level", "row")
    if kind == "candidate" and key == "derived":  # derived: {FIELD: VALUE or unknown}
        if not isinstance(want, dict) or not want:
            return [problem("T005", "derived harus {FIELD: NILAI}", "'derived' takes {FIELD: VALUE, ...} (a value "
                            "the policy derives, or 'unknown')", expected, key)]
        return []  # the field names are checked against the policy when the case runs
    if "/" not in str(key):
        return [problem("T005", f"kunci {key!r} harus berbentuk {name}", f"the expectation {key!r} must be "
                        f"written {name}", expected, key)]
    if kind == "candidate" and not isinstance(want, dict):
        want = {"outcome": want}
    if not isinstance(want, dict):  # a region/level given a number: which of the row's numbers?
        return [problem("T005", f"harapan untuk {key} harus {{nama: nilai}}", f"the expectation for {key} "
                        f"names what it checks: {{need: {want}}} or another of {', '.join(ROW_KEYS)}; got "
                        f"{_kind(want)}", expected, key)]
    if not want:
        return [problem("T005", f"harapan untuk {key} kosong", f"the expectation for {key} checks nothing; give "
                        + ("an outcome, failed or missing" if kind == "candidate" else ", ".join(ROW_KEYS)),
                        expected, key)]
    allowed = DECISION_KEYS if kind == "candidate" else ROW_KEYS
    out = []
    for field, value in want.items():
        if field not in allowed:
            out.append(problem("T005", f"kunci tidak dikenal {field!r} untuk {key}",
                               f"unknown key {field!r} expected of the {where_} {key}; use {', '.join(allowed)}",
                               want if hasattr(want, "lc") else expected, field if hasattr(want, "lc") else key,
                               suggest(field, allowed)))
        elif field == "outcome" and value not in OUTCOMES:
            out.append(problem("T005", f"hasil tidak dikenal {value!r}", f"unknown outcome {value!r} for {key}; "
                               f"an outcome is {', '.join(OUTCOMES)}", expected, key, suggest(value, OUTCOMES)))
        elif field in NUMBER_KEYS and (isinstance(value, bool) or not isinstance(value, (int, float))
                                       or value != value or value in (float("inf"), float("-inf"))):
            out.append(problem("T005", f"{field} harus berupa angka", f"{field} must be a number, got "
                               f"{_kind(value)}", want if hasattr(want, "lc") else expected,
                               field if hasattr(want, "lc") else key))
        elif field in ("failed", "missing") and (not isinstance(value, list)
                                                  or not all(isinstance(v, str) for v in value)):
            out.append(problem("T005", f"{field} harus berupa daftar", f"{field} must be a list of names, "
                               f"like [rank.in_range]", want if hasattr(want, "lc") else expected,
                               field if hasattr(want, "lc") else key))
    return out


def _kind(value: Any) -> str:
    """A value as a message names it: a list or a mapping by its kind, any other as written."""
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else said(value)


def _plain(value: Any) -> Any:
    """ruamel's round-trip types to plain JSON-like values (dates as ISO text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return float(value)
    return value


def run_case(engine: Engine, case: Case) -> CaseResult:
    try:
        if "candidate" in case.input:
            return _run_candidate(engine, case)
        if "workload" in case.input:
            return _run_workload(engine, case)
        return CaseResult(case, ("input must hold 'candidate' or 'workload' / input harus memuat 'candidate' atau "
                                 "'workload'",), frozenset(), frozenset())
    except FormasiError as exc:
        problems = getattr(exc, "problems", None)
        if not problems:
            return CaseResult(case, (f"could not run / tidak dapat dijalankan: {exc}",), frozenset(), frozenset())
        said = "could not run / tidak dapat dijalankan:\n" + "\n".join(f"  {_placed(case, p)}" for p in problems)
        return CaseResult(case, (said,), frozenset(), frozenset())


_STEP = re.compile(r"\.(\w+)|\[(\d+)\]|\[('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\]")


def _placed(case: Case, problem: Problem) -> Problem:
    """A problem of the input a case gave (``$.birth_date``, ``$[0].volume``, the formation's
    ``$['Kota A']``) placed at the line of the case file that holds the value, its path kept."""
    raw = case.source
    given = raw.get("input") if isinstance(raw, dict) else None
    if not isinstance(given, dict) or not problem.path or not problem.path.startswith("$"):
        return problem
    if problem.file == "formation":
        roots = [(raw, "formation")]
    else:
        roots = [(given, k) for k in ("candidate", "workload", "existing") if k in given]
    placed = [_line_of(container, key, problem.path) for container, key in roots]
    if not placed:
        return problem
    _, line = max(placed, key=lambda p: p[0])  # the root the path reaches furthest into (workload, existing)
    path = f"{problem.file} {problem.path}" if problem.file else problem.path
    return attrs.evolve(problem, file=case.file, line=line or case.line, column=None, path=path)


def _line_of(container: Any, key: Any, path: str) -> tuple[int, int | None]:
    """How many steps of ``path`` (``$.performance[1].rating``) lead into ``container[key]``, and the
    line of the last value reached."""
    line, depth = where(container, key)[0], 0
    node, at = container.get(key) if isinstance(container, dict) else None, 1
    while at < len(path):
        step = _STEP.match(path, at)
        if step is None:
            break
        name, index, quoted = step.groups()
        key = int(index) if index is not None else ast.literal_eval(quoted) if quoted is not None else name
        if isinstance(node, dict) and key in node or isinstance(node, list) and isinstance(key, int) \
                and 0 <= key < len(node):
            line = where(node, key)[0] or line
            node, depth, at = node[key], depth + 1, step.end()
        else:
            break
    return depth, line


def _run_candidate(engine: Engine, case: Case) -> CaseResult:
    result: Result = engine.evaluate(case.input["candidate"], as_of=case.as_of, formation=case.formation)
    failures = []
    for name, want in (case.expected.get("derived") or {}).items():
        failures += _derived_failure(engine.policy.fields, result, str(name), want)
    for key, want in case.expected.items():
        if key == "derived":
            continue
        route, _, level = str(key).partition("/")
        try:
            decision = result.decision(route, level)
        except (KeyError, LookupError):
            close = suggest(key, [f"{d.route}/{d.level}" for d in result.decisions])
            failures.append(f"{key}: no decision for this route and level / tidak ada keputusan untuk jalur dan "
                            "jenjang ini" + (f" ({close})" if close else ""))
            continue
        want = want if isinstance(want, dict) else {"outcome": want}
        if "outcome" in want and decision.outcome != want["outcome"]:
            failed = [r.rule for r in decision.reasons if r.passed is False]
            failures.append(f"{key}: expected {want['outcome']}, got {decision.outcome}"
                            + (f" (failed: {', '.join(failed)})" if failed else "")
                            + (f" (missing: {', '.join(decision.missing)})" if decision.missing else "")
                            + f" / diharapkan {want['outcome']}, hasilnya {decision.outcome}"
                            + (f" (tidak terpenuhi: {', '.join(failed)})" if failed else "")
                            + (f" (data tidak ada: {', '.join(decision.missing)})" if decision.missing else ""))
        if "failed" in want:
            known = [r.id for r in engine.policy.rules]
            for rule in (r for r in want["failed"] if r not in known):
                close = suggest(str(rule), known)
                failures.append(f"{key}: failed names {rule!r}, which is no rule of policy {engine.policy.name} / "
                                f"{rule!r} bukan aturan kebijakan {engine.policy.name}" + (f" ({close})" if close else ""))
            got = sorted(r.rule for r in decision.reasons if r.passed is False)
            if got != sorted(want["failed"]):
                failures.append(f"{key}: expected failed rules {sorted(want['failed'])}, got {got} / aturan tidak "
                                f"terpenuhi yang diharapkan {sorted(want['failed'])}, hasilnya {got}")
        if "missing" in want:
            inputs = _inputs(engine.policy)
            for name in (m for m in want["missing"] if m not in inputs):
                close = suggest(str(name), inputs)
                failures.append(f"{key}: missing names {name!r}, which is no input policy {engine.policy.name} "
                                f"reads / {name!r} bukan data yang dibaca kebijakan {engine.policy.name}"
                                + (f" ({close})" if close else ""))
            if sorted(decision.missing) != sorted(want["missing"]):
                failures.append(f"{key}: expected missing {sorted(want['missing'])}, got {sorted(decision.missing)} / "
                                f"data tidak ada yang diharapkan {sorted(want['missing'])}, hasilnya "
                                f"{sorted(decision.missing)}")
    # a case exercises only the decisions it asserts
    asserted = [d for d in result.decisions if f"{d.route}/{d.level}" in case.expected]
    exercised = frozenset(r.rule for d in asserted for r in d.reasons if r.passed is False)
    rows = frozenset((v["table"], v.get("key")) for d in asserted for r in d.reasons for v in r.values_from)
    return CaseResult(case, tuple(failures), exercised, rows)


def _inputs(policy) -> list[str]:
    """What a candidate's decision can name as missing: the record's inputs the policy's fields read
    (a field of a candidate rule names the inputs its value comes from)."""
    return sorted({i for f in policy.fields.values() if f.subject == CANDIDATE for i in f.inputs})


def _derived_failure(fields: dict, result: Result, name: str, want: Any) -> list[str]:
    """``derived: {FIELD: VALUE}``: the value a field of the policy took (``unknown``: none)."""
    if name not in fields:
        close = suggest(name, list(fields))
        return [f"derived: the policy has no field {name!r} / kebijakan tidak punya field {name!r}"
                + (f" ({close})" if close else "")]
    got = result.values.get(name)
    if want == "unknown":
        return [] if got is None else [f"derived {name}: expected unknown, got {show(got)} / diharapkan tidak "
                                       f"diketahui, hasilnya {show(got)}"]
    if got is None:
        return [f"derived {name}: expected {want}, got unknown / diharapkan {want}, hasilnya tidak diketahui"]
    same = (Decimal(str(got)) == Decimal(str(want))) if isinstance(got, (int, Decimal)) and not isinstance(got, bool) \
        and isinstance(want, (int, float)) and not isinstance(want, bool) else show(got) == want
    return [] if same else [f"derived {name}: expected {want}, got {show(got)} / diharapkan {want}, hasilnya "
                            f"{show(got)}"]


def _run_workload(engine: Engine, case: Case) -> CaseResult:
    result = engine.formation(case.input["workload"], case.input.get("existing"), as_of=case.as_of)
    failures = [f"input row rejected / baris input ditolak: {_placed(case, p)}" for p in result.problems]
    for key, want in case.expected.items():
        region, _, level = str(key).rpartition("/")
        try:
            row = result.row(region, level)
        except KeyError:
            failures.append(f"{key}: no such region and level in the result / wilayah dan jenjang ini tidak ada "
                            "dalam hasil")
            continue
        got = row.to_dict()
        for name, value in (want or {}).items():
            if name not in NUMBER_KEYS + ("band",):
                failures.append(f"{key}: unknown expected field {name!r} (use {', '.join(NUMBER_KEYS)}, band) / "
                                f"field harapan tidak dikenal {name!r} (pakai {', '.join(NUMBER_KEYS)}, band)")
            elif name == "band" and got["band"] != value:
                failures.append(f"{key}: expected band {value}, got {got['band']} / diharapkan band {value}, "
                                f"hasilnya {got['band']}")
            elif name != "band" and (got[name] is None or Decimal(str(got[name])) != Decimal(str(value))):
                failures.append(f"{key}: expected {name} {value}, got {got[name]} / diharapkan {name} {value}, "
                                f"hasilnya {got[name]}")
    exercised = frozenset(a.rule for r in result.rows for a in r.adjustments)
    rows = frozenset((v["table"], v.get("key")) for r in result.rows for a in r.adjustments for v in a.values_from)
    return CaseResult(case, tuple(failures), exercised, rows)


def coverage(policy, results: list[CaseResult]) -> dict[str, list[str]]:
    """Rules no case shows failing (or, for formation rules, adjusting), and table rows no case read."""
    exercised = set().union(*(r.exercised for r in results))
    read = set().union(*(r.rows for r in results))
    tables = [t for t in policy.tables.values() if any(_reads(rule, t.name) for rule in policy.rules)]
    # rows for levels the position does not have (from a base policy) are never read
    rows = sorted({(t.name, row.key) for t in tables for row in t.rows
                   if t.key != "level" or row.key in policy.levels})
    return {"rules": sorted({r.id for r in policy.rules} - exercised),
            "rows": [f"{t}[{k}]" if k else t for t, k in rows if (t, k) not in read]}


def _reads(rule, table: str) -> bool:
    from ..policy import All, AnyOf, Not, TableRef

    def visit(cond) -> bool:
        if isinstance(cond, (All, AnyOf)):
            return any(visit(c) for c in cond.items)
        if isinstance(cond, Not):
            return visit(cond.item)
        return isinstance(cond.value, TableRef) and cond.value.table == table

    return visit(rule.condition) or (rule.then is not None and visit(rule.then))
