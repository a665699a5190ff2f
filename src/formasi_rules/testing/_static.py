"""Static checks of a policy: no generated candidates, only the rules and tables themselves.

Conditions test integer-encoded values against constants, so a finite set of sample values
per fact key (every constant the rules use there, one below and one above) decides exactly
whether a combination of conditions can hold. On that basis:

- C010 a rule that can never pass (its own condition contradicts itself);
- C011 a route and level no candidate can be eligible for (its rules contradict each other);
- C012 a rule masked by another: whenever the other passes it passes too, on the same decisions;
- C013 two formation rules that can fire together with bounds that contradict;
- C020 a threshold table not ordered by level (a higher level asking less than a lower one);
- C021 / C022 rank ranges that overlap / leave a gap between levels;
- C030 a rule that stops being in force inside the policy's period with no later version;
- plus every load problem (P0xx) and every date on which the rules cannot be applied (P070/P071).
"""

from __future__ import annotations

import itertools
from typing import Any

import attrs

from .._errors import PolicyError, Problem
from ..engine._plan import And, Check, Cmp, In, Neg, Or, Plan, build_plan, evaluate, periods
from ..formation._rules import build_formation_plan
from ..policy import All, Policy, TableRef, Test
from ..policy._model import Period

MAX_COMBINATIONS = 50_000


@attrs.frozen
class Finding:
    code: str
    id: str
    en: str
    rules: tuple[str, ...] = ()
    file: str | None = None
    line: int | None = None
    citations: tuple[dict, ...] = ()
    cases: tuple[dict, ...] = ()  # counterexample test cases, in the YAML case format
    severity: str = "defect"  # or "info": worth knowing, not a mistake (a window closed by its dates)

    @classmethod
    def from_problem(cls, p: Problem) -> Finding:
        return cls(p.code, p.id, p.en + (f" ({p.hint})" if p.hint else ""), (p.rule,) if p.rule else (),
                   p.file, p.line)


def _finding(code: str, id_: str, en: str, checks: list[Check], policy: Policy, **kw) -> Finding:
    rules = tuple(dict.fromkeys(c.rule.id for c in checks))
    first = checks[0].rule.where if checks else None
    cites = tuple(c.rule.citation.to_dict(policy) for c in {c.rule.id: c for c in checks}.values())
    return Finding(code, id_, en, rules, first.file if first else None, first.line if first else None, cites, **kw)


# --- sampling ----------------------------------------------------------------------------

def _constants(cond, out: dict[str, set]) -> None:
    if isinstance(cond, (And, Or)):
        for c in cond.items:
            _constants(c, out)
    elif isinstance(cond, Neg):
        _constants(cond.item, out)
    elif isinstance(cond, Cmp):
        out.setdefault(cond.key, set()).add(cond.value)
    elif isinstance(cond, In):
        out.setdefault(cond.key, set()).update(cond.values)


def samples(plan: Plan, policy: Policy) -> dict[str, list]:
    """Per fact key, the values that decide every test on it: each constant, one below, one above
    (kept to what the field can hold: a rank in its scale, a number of zero or more)."""
    found: dict[str, set] = {}
    for check in plan.checks.values():
        _constants(check.condition, found)
    out = {}
    for key, values in found.items():
        field = policy.fields[key.split("__")[0]]
        if all(isinstance(v, int) for v in values):
            pts = {p for v in values for p in (v - 1, v, v + 1)}
            if field.kind == "ordered":
                pts &= set(policy.scales[field.scale].values())
            elif field.kind == "number":
                pts = {p for p in pts if p >= 0}
            if key == "as_of" and plan.period.valid_from:  # the date is the one evaluated
                lo = plan.period.valid_from.toordinal()
                hi = plan.period.valid_to.toordinal() if plan.period.valid_to else None
                pts = {p for p in pts | {lo} if p >= lo and (hi is None or p <= hi)}
            out[key] = sorted(pts)
        else:
            out[key] = sorted(map(str, values)) + ["\0other"]
    return out


def _assignments(keys: list[str], pts: dict[str, list]):
    total = 1
    for k in keys:
        total *= len(pts.get(k, [0]))
    if total > MAX_COMBINATIONS:
        return None
    return (dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(pts.get(k, [0]) for k in keys)))


def satisfiable(checks: list[Check], pts: dict[str, list]) -> bool | None:
    """Can all these checks pass at once? None when too many combinations to decide."""
    found = witness(checks, pts)
    return None if found is None else isinstance(found, dict)


def witness(checks: list[Check], pts: dict[str, list]) -> dict | bool | None:
    """Fact values under which all these checks pass; False if none exist; None if undecided."""
    out: dict = {}
    # independent groups of keys can be decided separately
    groups: list[set[str]] = []
    for c in checks:
        merged = set(c.keys)
        for g in [g for g in groups if g & merged]:
            merged |= g
            groups.remove(g)
        groups.append(merged)
    for group in groups:
        members = [c for c in checks if c.keys & group]
        assignments = _assignments(sorted(group), pts)
        if assignments is None:
            return None
        hit = next((a for a in assignments if all(evaluate(c.condition, a) is True for c in members)), None)
        if hit is None:
            return False
        out.update(hit)
    return out


# --- checks --------------------------------------------------------------------------------

def static_findings(policy: Policy) -> list[Finding]:
    findings: list[Finding] = []
    plans = []
    for period in periods(policy):
        try:
            plans.append(build_plan(policy, period.valid_from, period))
        except PolicyError as exc:
            findings += [Finding.from_problem(p) for p in exc.problems]
        try:
            fplan, bounds = build_formation_plan(policy, period.valid_from, period)
            findings += _formation_conflicts(policy, fplan, bounds)
        except PolicyError as exc:
            findings += [Finding.from_problem(p) for p in exc.problems]
    seen: set[tuple] = set()
    closed: dict[str, list[Plan]] = {}  # rule -> the periods in which its dates shut it
    found = [(plan, _plan_findings(policy, plan, closed)) for plan in plans]
    for plan, plan_findings in found:
        for finding in plan_findings:
            if (finding.code, finding.rules) not in seen:  # the same finding in several periods: once
                seen.add((finding.code, finding.rules))
                findings.append(finding)
    for rid, shut in closed.items():
        check = next(c for c in shut[0].checks.values() if c.rule.id == rid)
        if len(shut) == len(plans):  # never open at all: a mistake
            findings.append(_finding("C010", f"aturan {rid} tidak pernah terpenuhi pada tanggal mana pun",
                                     f"rule {rid} can never pass: its dates exclude every day of the policy",
                                     [check], policy))
        else:
            days = ", ".join(f"{p.period.valid_from} – {p.period.valid_to or '…'}" for p in shut)
            findings.append(_finding("C090", f"aturan {rid} tertutup menurut tanggalnya pada {days}",
                                     f"rule {rid} is closed by its dates on {days} (a window, on purpose)",
                                     [check], policy, severity="info"))
    findings += _ordering(policy) + _ranges(policy) + _lapses(policy)
    # a finding the same in several periods (a dated change elsewhere splits the timeline) is said once
    return list({(f.code, f.rules, f.en): f for f in findings}.values())


def _plan_findings(policy: Policy, plan: Plan, closed: dict[str, list[Plan]]) -> list[Finding]:
    out = []
    pts = samples(plan, policy)
    when = f"{plan.period.valid_from} – {plan.period.valid_to or '…'}"
    for check in plan.checks.values():
        if satisfiable([check], pts) is False and check.keys == {"as_of"}:
            # a test of the date alone: a window its dates close here; judged over all periods
            if plan not in closed.setdefault(check.rule.id, []):
                closed[check.rule.id].append(plan)
        elif satisfiable([check], pts) is False:
            out.append(_finding("C010", f"aturan {check.rule.id} tidak pernah terpenuhi ({when})",
                                f"rule {check.rule.id} can never pass: its condition contradicts itself ({when})",
                                [check], policy))
    bad_rules = {c.key for c in plan.checks.values() if satisfiable([c], pts) is False}
    for (route, level), keys in plan.targets.items():
        checks = [plan.checks[k] for k in keys]
        if any(k in bad_rules for k in keys):
            continue
        if satisfiable(checks, pts) is False:
            out.append(_finding(
                "C011", f"tidak ada kandidat yang dapat memenuhi {route} {level}: aturannya saling bertentangan",
                f"no candidate can be eligible for {route} at {level}: its rules contradict each other ({when})",
                _culprits(checks, pts), policy))
    targets: dict[str, set] = {}
    for t, keys in plan.targets.items():
        for k in keys:
            targets.setdefault(k, set()).add(t)
    for a, b in itertools.permutations(plan.checks.values(), 2):
        if a.rule.id == b.rule.id or not targets.get(a.key) or not targets[a.key] <= targets.get(b.key, set()):
            continue
        if a.keys == {"as_of"}:  # a rule on the date alone holds or not for everyone: dated, not masked
            continue
        keys = sorted(a.keys | b.keys)
        assignments = _assignments(keys, pts)
        if assignments is None:
            continue
        passing = [x for x in assignments if evaluate(b.condition, x) is True]
        if passing and all(evaluate(a.condition, x) is True for x in passing):
            out.append(_finding(
                "C012", f"aturan {a.rule.id} tertutup oleh {b.rule.id}",
                f"rule {a.rule.id} is masked by {b.rule.id}: whenever {b.rule.id} passes, {a.rule.id} passes "
                f"too, on the same decisions, so it never decides an outcome", [a, b], policy))
    return out


def _culprits(checks: list[Check], pts) -> list[Check]:
    """A smallest set of the checks that already contradict each other (for the message)."""
    for size in (2, 3):
        for combo in itertools.combinations(checks, size):
            if satisfiable(list(combo), pts) is False:
                return list(combo)
    return checks


def _formation_conflicts(policy: Policy, plan: Plan, bounds) -> list[Finding]:
    out = []
    pts = samples(plan, policy)
    for a, b in itertools.combinations(plan.checks.values(), 2):
        lows = [x.value for x in bounds[a.key] + bounds[b.key] if x.op == "ge"]
        highs = [x.value for x in bounds[a.key] + bounds[b.key] if x.op == "le"]
        if lows and highs and max(lows) > min(highs) and satisfiable([a, b], pts):
            out.append(_finding("C013", f"aturan formasi {a.rule.id} dan {b.rule.id} bertentangan",
                                f"formation rules {a.rule.id} and {b.rule.id} can apply together and ask a need "
                                f"of at least {max(lows)} and at most {min(highs)}", [a, b], policy))
    return out


def _level_refs(policy: Policy) -> list[tuple[Any, Test, TableRef]]:
    out = []

    def visit(rule, cond):
        if isinstance(cond, All) or hasattr(cond, "items"):
            for c in cond.items:
                visit(rule, c)
        elif hasattr(cond, "item"):
            visit(rule, cond.item)
        elif isinstance(cond.value, TableRef) and policy.tables[cond.value.table].key == "level":
            out.append((rule, cond, cond.value))

    for rule in policy.rules:
        visit(rule, rule.condition)
    return out


def _value_rank(policy: Policy, table, column: str, value):
    kind = table.columns[column]
    return policy.scales[kind][value] if kind in policy.scales else value


def _ladders(policy: Policy) -> list[list[str]]:
    """The position's levels as ladders: one per category (keterampilan, keahlian ...) in order.
    Levels rise within a ladder; two ladders are not compared with each other."""
    vocab = policy.vocabularies.get("level")
    ladders: dict[str, list[str]] = {}
    for level in policy.levels:
        ladders.setdefault(vocab.categories.get(level, "") if vocab else "", []).append(level)
    return list(ladders.values())


def _steps(policy: Policy) -> list[tuple[str, str]]:
    """Each level with the next one up its ladder."""
    return [(a, b) for ladder in _ladders(policy) for a, b in zip(ladder, ladder[1:], strict=False)]


def _ordering(policy: Policy) -> list[Finding]:
    """A minimum (at_least / above) read per level must not fall as the level rises."""
    out, done = [], set()
    for rule, test, ref in _level_refs(policy):
        if test.op not in ("at_least", "above") or (ref.table, ref.column) in done:
            continue
        done.add((ref.table, ref.column))
        table = policy.tables[ref.table]
        for day in [p.valid_from for p in periods(policy)]:
            rows = {lv: table.row(lv, day) for lv in policy.levels}
            rows = {lv: r for lv, r in rows.items() if r is not None and r.values.get(ref.column) is not None}
            for lo_lv, hi_lv in _steps(policy):
                if lo_lv not in rows or hi_lv not in rows:
                    continue
                lo, hi = rows[lo_lv], rows[hi_lv]
                if _value_rank(policy, table, ref.column, hi.values[ref.column]) < _value_rank(
                        policy, table, ref.column, lo.values[ref.column]):
                    out.append(Finding(
                        "C020", f"tabel {table.name}: {hi_lv} meminta lebih sedikit dari {lo_lv}",
                        f"table {table.name}, column {ref.column}: {hi_lv} asks {hi.values[ref.column]}, less than "
                        f"{lo_lv} ({lo.values[ref.column]}); a higher level should not ask less (read by "
                        f"rule {rule.id} as a minimum)", (rule.id,), hi.where.file, hi.where.line,
                        (rule.citation.to_dict(policy),)))
                    break
    return out


def _ranges(policy: Policy) -> list[Finding]:
    """Ranges per level read as between(min, max) must meet without overlap or gap."""
    out = []
    for rule in policy.rules:
        tests = rule.condition.items if isinstance(rule.condition, All) else ()
        lows = [t for t in tests if isinstance(t, Test) and t.op == "at_least" and isinstance(t.value, TableRef)]
        highs = [t for t in tests if isinstance(t, Test) and t.op == "at_most" and isinstance(t.value, TableRef)]
        for lo in lows:
            for hi in highs:
                if lo.field != hi.field or lo.value.table != hi.value.table:
                    continue
                table = policy.tables[lo.value.table]
                day = policy.coverage.valid_from
                rows = {lv: table.row(lv, day) for lv in policy.levels}
                spans = {lv: (_value_rank(policy, table, lo.value.column, r.values[lo.value.column]),
                              _value_rank(policy, table, hi.value.column, r.values[hi.value.column]), r)
                         for lv, r in rows.items() if r is not None}
                for a, b in _steps(policy):
                    if a not in spans or b not in spans:
                        continue
                    (_a_lo, a_hi, _), (b_lo, _b_hi, row) = spans[a], spans[b]
                    if b_lo <= a_hi:
                        code, what, kata = "C021", "overlaps", "tumpang tindih dengan"
                    elif b_lo > a_hi + 1:
                        code, what, kata = "C022", "leaves a gap after", "menyisakan celah setelah"
                    else:
                        continue
                    out.append(Finding(code, f"tabel {table.name}: rentang {b} {kata} rentang {a}",
                                       f"table {table.name}: the range of {b} {what} the range of {a}",
                                       (rule.id,), row.where.file, row.where.line, (rule.citation.to_dict(policy),)))
    return out


def _lapses(policy: Policy) -> list[Finding]:
    """A rule whose last version ends before the policy does, while earlier versions chained."""
    out = []
    end = policy.coverage.valid_to
    by_id: dict[str, list] = {}
    for rule in policy.rules:
        by_id.setdefault(rule.id, []).append(rule)
    for rid, versions in by_id.items():
        versions.sort(key=lambda r: r.period.valid_from or policy.coverage.valid_from)
        for older, newer in zip(versions, versions[1:], strict=False):
            if older.period.valid_to and newer.period.valid_from and \
                    (newer.period.valid_from - older.period.valid_to).days > 1:
                out.append(Finding("C030", f"aturan {rid} tidak berlaku antara dua versinya",
                                   f"rule {rid} has no version in force from {older.period.valid_to} to "
                                   f"{newer.period.valid_from} (a gap between its versions)", (rid,),
                                   newer.where.file, newer.where.line))
        last = versions[-1].period.valid_to
        if last and (end is None or last < end) and len(versions) > 1:
            out.append(Finding("C030", f"aturan {rid} berhenti berlaku {last}",
                               f"rule {rid} stops being in force after {last}, inside the policy's period, with no "
                               "later version", (rid,), versions[-1].where.file, versions[-1].where.line))
    return out


__all__ = ["Finding", "Period", "static_findings"]
