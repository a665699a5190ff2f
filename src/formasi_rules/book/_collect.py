"""What the book shows, gathered from a loaded policy: per route and level the requirements in
force in each period, with the table cells they read; and which test cases exercise what.

Nothing here renders; _site turns these plain objects into pages.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from typing import Any

import attrs

from .._errors import FormasiError
from ..policy import All, AnyOf, Not, Period, Policy, Rule, TableRef
from ..policy._model import TableRow

CONFIDENCE = {"P": ("teks primer dilihat", "primary text seen"),
              "S": ("hanya sumber sekunder", "secondary source only"),
              "C": ("hanya kode publik", "public code only"),
              "I": ("disimpulkan", "inferred")}


def periods(policy: Policy) -> list[Period]:
    """The policy's coverage cut wherever a rule or table row starts or stops."""
    from ..engine._plan import periods as cut
    if policy.coverage.valid_from is None:
        return [policy.coverage]
    return cut(policy)


def day_of(period: Period) -> dt.date:
    return period.valid_from or dt.date.min


def table_refs(cond: Any) -> list[TableRef]:
    if cond is None:
        return []
    if isinstance(cond, (All, AnyOf)):
        return [r for c in cond.items for r in table_refs(c)]
    if isinstance(cond, Not):
        return table_refs(cond.item)
    return [cond.value] if isinstance(cond.value, TableRef) else []


def fields_read(cond: Any) -> list[str]:
    if cond is None:
        return []
    if isinstance(cond, (All, AnyOf)):
        return list(dict.fromkeys(f for c in cond.items for f in fields_read(c)))
    if isinstance(cond, Not):
        return fields_read(cond.item)
    return [cond.field]


def row_for(policy: Policy, ref: TableRef, level: str | None, day: dt.date) -> TableRow | None:
    table = policy.tables[ref.table]
    return table.row(level if table.key == "level" else None, day)


@attrs.frozen
class Requirement:
    """One rule as it applies to one route and level in one period."""

    rule: Rule
    level: str
    period: Period  # the period of the book (a cut of the coverage) it is shown for
    rows: tuple[tuple[str, TableRow | None], ...]  # (table, row read at this level and date)
    since: str = ""  # "new": not in force in the period before; "changed": it read other rows then

    def cell(self, ref: TableRef) -> Any:
        for table, row in self.rows:
            if table == ref.table:
                return None if row is None else row.values.get(ref.column)
        return None


def requirements(policy: Policy, route: str, level: str) -> list[tuple[Period, list[Requirement]]]:
    """Per period of the policy, the rules a candidate for ``route``/``level`` must meet; periods
    in which nothing changes for this route and level are joined."""
    out = []
    before: dict[str, Requirement] | None = None
    for period in periods(policy):
        day = day_of(period)
        found = []
        for rule in policy.rules:
            if rule.subject != "candidate" or route not in rule.routes or level not in rule.levels:
                continue
            if not rule.period.contains(day):
                continue
            names = dict.fromkeys(ref.table for ref in table_refs(rule.condition))
            rows = tuple((t, row_for(policy, TableRef(t, ""), level, day)) for t in names)
            since = "" if before is None else "new" if rule.id not in before else \
                "changed" if before[rule.id].rows != rows else ""
            found.append(Requirement(rule, level, period, rows, since))
        if before is not None and len(found) == len(before) and not any(q.since for q in found):
            # nothing changes for this route and level at this cut: one period, not two
            merged = Period(out[-1][0].valid_from, period.valid_to)
            out[-1] = (merged, [attrs.evolve(q, period=merged) for q in out[-1][1]])
            continue
        out.append((period, found))
        before = {q.rule.id: q for q in found}
    return out


def targets(policy: Policy) -> list[tuple[str, str]]:
    return [(r.name, lv) for r in policy.routes.values() for lv in policy.levels if lv in r.levels]


@attrs.frozen
class CaseView:
    index: int
    name: str
    file: str
    line: int | None
    as_of: dt.date
    asserts: tuple[str, ...]  # "route/level" keys it asserts
    shown_failing: frozenset[str]  # rule ids it shows failing (or adjusting)
    passed: bool | None  # None: not run (an abstract policy)
    yaml: str


def test_cases(policy: Policy) -> list[CaseView]:
    """The policy's YAML test cases (``tests/*.yaml`` beside policy.yaml), run on the reference
    backend so the book can say which rules each one shows biting."""
    from ..engine import BackendWarning, Engine
    from ..testing import load_cases, run_case

    folder = Path(policy.root) / "tests"
    if not folder.is_dir():
        return []
    cases = load_cases(folder)
    engine = None
    if not policy.abstract:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BackendWarning)
            try:
                engine = Engine(policy, backend="reference")
            except FormasiError:
                engine = None
    out = []
    for i, case in enumerate(cases):
        result = run_case(engine, case) if engine else None
        out.append(CaseView(i, case.name, case.file, case.line, case.as_of,
                            tuple(k for k in case.expected if k != "derived"),
                            result.exercised if result else frozenset(),
                            result.passed if result else None, _yaml_of(case.file, case.line)))
    if engine:
        engine.close()
    return out


def _yaml_of(file: str, line: int | None) -> str:
    """The case as written: its lines from ``- name:`` to the next case."""
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    start = (line or 1) - 1
    while start > 0 and not lines[start].lstrip().startswith("- "):
        start -= 1
    end = start + 1
    while end < len(lines) and not lines[end].startswith("- "):
        end += 1
    return "\n".join(lines[start:end]).rstrip()
