"""Static checks of a policy: no generated candidates, only the rules and tables themselves, on
every period of the policy's timeline (the dates on which some rule or row starts or stops).

- the reasoning over each period's plan (C010-C016, C041 monotonicity, C090, C099): _logic, with the solver of _solver;
- the regulation's invariants over tables and rules (C015, C020-C026): _regulation;
- rules that lapse (C030): _dates;
- every load problem (P0xx) and every date on which the rules cannot be applied (P070/P071).

A finding the same in several periods is said once, with the periods it holds in.
"""

from __future__ import annotations

import datetime as dt

from .._errors import PolicyError
from ..engine._plan import build_plan, periods
from ..formation._rules import build_formation_plan
from ..policy import Policy
from ._dates import lapses
from ._findings import Finding, for_rules, merge, period_text
from ._logic import formation_conflicts, plan_findings
from ._regulation import regulation_findings
from ._witness import Confirmer


def static_findings(policy: Policy, confirm: Confirmer | None = None) -> list[Finding]:
    own = confirm is None
    confirm = confirm or Confirmer(policy)
    try:
        return _static(policy, confirm)
    finally:
        if own:
            confirm.close()


def _static(policy: Policy, confirm: Confirmer) -> list[Finding]:
    findings: list[Finding] = []
    spans = periods(policy)
    closed: dict[str, list[str]] = {}  # rule -> the periods in which its dates shut it
    first_check = {}
    loaded = 0
    plans = []
    unchecked: list[str] = []  # periods whose plan cannot be built (P070/P071 said)
    for period in spans:
        when = period_text(period)
        try:
            plan = build_plan(policy, period.valid_from, period)
        except PolicyError as exc:
            findings += [Finding.from_problem(p) for p in exc.problems]
            plan = None
            unchecked.append(when)
        if plan is not None:
            plans.append(plan)
            loaded += 1
            for check in plan.checks.values():
                first_check.setdefault(check.rule.id, check)
            findings += plan_findings(policy, plan, confirm, closed)
        try:
            fplan, bounds = build_formation_plan(policy, period.valid_from, period)
            findings += formation_conflicts(policy, fplan, bounds, when)
        except PolicyError as exc:
            findings += [Finding.from_problem(p) for p in exc.problems]
    for rid, spans_open in closed.items():
        findings += _window(policy, first_check[rid].rule, spans_open, unchecked)
    findings += regulation_findings(policy) + lapses(policy)
    return _one_per_defect(policy, merge(findings, len(spans)), plans, confirm)


def _one_per_defect(policy: Policy, findings: list[Finding], plans, confirm: Confirmer) -> list[Finding]:
    """A test in the wrong direction (C015) is also non-monotone (C041): one finding, the C015 that
    says why, with the monotonicity cases (or a case of a candidate the rule refuses). Either way the
    cases are ones the rule as the finding would correct it passes, where the solver finds such."""
    import attrs
    mono = {(f.topic[1], r): f for f in findings if f.topic[:1] == ("C041",) for r in f.rules}
    blocking = {r for f in findings if f.code in ("C010", "C011") for r in f.rules[:1]}
    shown = {f.topic[1:] for f in findings if f.topic[:1] == ("C041",)}
    out, dropped = [], set()
    for f in findings:
        if f.topic[:1] == ("C041?",) and f.topic[1:] in shown:
            continue  # shown with a verified case in another period
        if f.code == "C015" and f.topic and f.topic[-1] == "majority" and f.topic[2] in blocking:
            continue  # a new rule that blocks a level: the contradiction is the finding
        if f.code == "C015" and f.topic:
            twin = mono.get((f.topic[1], f.topic[2]))
            if twin is not None:
                dropped.add(id(twin))
                f = attrs.evolve(f, cases=twin.cases, periods=twin.periods)
            if f.amend and f.cases and not any(all(confirm.amended(a).holds(c) for c in f.cases) for a in f.amend):
                # a case eligible only as the rule is now (below the bound it reverses, say) would
                # fail once it is fixed: a candidate the corrected rule admits instead, if there is one
                f = _with_case(policy, f, plans, confirm, fallback=False) or f
            if not f.cases:
                f = _with_case(policy, f, plans, confirm) or f
        out.append(f)
    return [f for f in out if id(f) not in dropped]


def _with_case(policy: Policy, finding: Finding, plans, confirm: Confirmer, fallback: bool = True) -> Finding | None:
    """A test whose direction is wrong (C015) comes with a candidate it refuses although every other
    rule of a route and level accepts them (verified on every backend): one the rule as the finding
    would correct it admits (so the case passes once it is fixed), in any period and at any route
    and level, before any other (with ``fallback``). None when there is no such case."""
    if finding.code != "C015" or not plans or not finding.rules:
        return None
    import attrs

    from ._logic import _blocked
    from ._solver import Space
    found = [(plan, target) for plan in plans for target, keys in plan.targets.items()
             if any(plan.checks[k].rule.id == finding.rules[0] for k in keys)]
    for fixes, last in ((finding.amend, False), ((), True)):
        if last and not fallback or not last and not fixes:
            continue
        for plan, target in found:
            keys = plan.targets[target]
            culprit = next(k for k in keys if plan.checks[k].rule.id == finding.rules[0])
            space = Space(policy, plan)
            terms = {k: space.passes(plan.checks[k]) for k in keys}
            cases = _blocked(policy, plan, space, terms, target, culprit, confirm, fixes, fallback=last)
            if cases:
                return attrs.evolve(finding, cases=cases)
    return None


def _window(policy: Policy, rule, spans_open, unchecked: list[str] = ()) -> list[Finding]:
    """A rule on the date alone: never open is a mistake (C010); closed on some days is a window,
    said once for information with the days it is closed (C090)."""
    opened = [iv for _, ivs in spans_open for iv in ivs]
    if not opened:
        return [for_rules("C010", f"aturan {rule.id} tidak pernah terpenuhi pada tanggal mana pun",
                          f"rule {rule.id} can never pass: its dates exclude every day of the policy",
                          [rule], policy)]
    closed = []
    for period, ivs in spans_open:
        lo = period.valid_from.toordinal()
        hi = period.valid_to.toordinal() if period.valid_to else None
        cursor = lo
        for a, b in ivs:
            if a > cursor:
                closed.append((cursor, a - 1))
            cursor = b + 1
        if hi is None or cursor <= hi:
            if ivs and hi is None and ivs[-1][1] >= lo + 365 * 200 - 1:
                continue
            closed.append((cursor, hi))
    joined: list[list] = []
    for a, b in closed:
        if joined and joined[-1][1] is not None and joined[-1][1] + 1 >= a:
            joined[-1][1] = b
        else:
            joined.append([a, b])
    if not joined:
        return []
    day = dt.date.fromordinal
    text = "; ".join(f"from {day(a)}" + (f" to {day(b)}" if b is not None else "") for a, b in joined)
    if unchecked:
        text += f"; not known in {', '.join(unchecked)}, where the rules cannot be applied"
    kata = "; ".join(f"sejak {day(a)}" + (f" sampai {day(b)}" if b is not None else "") for a, b in joined)
    return [for_rules("C090", f"aturan {rule.id} tertutup menurut tanggalnya {kata}",
                      f"rule {rule.id} is closed by its dates {text} (a window, on purpose)",
                      [rule], policy, severity="info")]


__all__ = ["Finding", "static_findings"]
