"""Formation rules (``subject: formation``), evaluated by the same backends as appointment rules.

Each rule in force becomes one check per level it covers; the check's condition is the
rule's ``when`` and a test that the fact is for that level, so one ruleset serves every
region and level. The fact for a region and level carries its ``workload_minutes``,
``need_exact`` (to 4 decimals), rounded ``need``, ``existing`` and ``level``. When a check
passes, the rule's ``then`` bounds the need (``need: {at_least: 1}``), in rule order.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import attrs

from .._errors import PolicyError
from ..engine._backend import Backend
from ..engine._encode import FORMATION, NotRepresentable, encode
from ..engine._words import describe
from ..engine._plan import And, Check, Cmp, Plan, Unresolved, resolve_check
from ..policy import Policy
from ..policy._model import Period
from ._result import Adjustment, NeedRow


@attrs.frozen
class Bound:
    op: str  # "ge" (at least) or "le" (at most)
    value: int


def build_formation_plan(policy: Policy, day: dt.date, period: Period) -> tuple[Plan, dict[str, tuple[Bound, ...]]]:
    checks: dict[str, Check] = {}
    bounds: dict[str, tuple[Bound, ...]] = {}
    problems = []
    for rule in policy.rules_in_force(day):
        if rule.subject != "formation":
            continue
        for level in (lv for lv in policy.levels if lv in rule.levels):
            try:
                when = resolve_check(policy, rule, level, day)
                then = resolve_check(policy, rule, level, day, condition=rule.then)
            except Unresolved as exc:
                problems.append(exc.problem(rule, level, day))
                continue
            when = attrs.evolve(when, rows=when.rows + then.rows)  # the bound's table rows are cited too
            is_level = Cmp("level", "eq", encode(policy.fields["level"], level, policy))
            check = attrs.evolve(when, condition=And((is_level, when.condition)), keys=when.keys | {"level"},
                                 text=describe(policy, when))
            checks[check.key] = check
            parts = then.condition.items if isinstance(then.condition, And) else (then.condition,)
            bounds[check.key] = tuple(Bound(p.op, p.value) for p in parts)
    if problems:
        raise PolicyError(problems, f"the policy's formation rules cannot be applied on {day}")
    keys = frozenset(k for c in checks.values() for k in c.keys)
    return Plan(period, checks, {}, keys, kind=FORMATION), bounds


class TooLarge(ArithmeticError):
    """A region and level's workload beyond what the computation holds: Decimal's 28 digits, or the
    rules engine's 64-bit integers."""


def formation_fact(row: NeedRow, policy: Policy) -> dict[str, Any]:
    try:
        values = {"workload_minutes": row.workload_minutes.quantize(Decimal("0.01"), ROUND_HALF_UP),
                  "need_exact": row.need_exact.quantize(Decimal("0.0001"), ROUND_HALF_UP),
                  "need": row.need, "existing": row.existing, "level": row.level}
        return {k: encode(policy.fields[k], v, policy) for k, v in values.items()}
    except (InvalidOperation, NotRepresentable) as exc:
        raise TooLarge(str(exc)) from None


def apply_rules(row: NeedRow, plan: Plan, bounds: dict[str, tuple[Bound, ...]], backend: Backend,
                policy: Policy) -> NeedRow:
    """``row`` with its need bounded by the formation rules that hold; TooLarge for a workload beyond
    what the computation holds (found with or without rules, so every policy reports it alike)."""
    fact = formation_fact(row, policy)
    if not plan.checks:
        return row
    firings = backend.run(plan, fact)
    values_from = {key: c.text.values_from for key, c in plan.checks.items()}
    need, adjustments = row.need, []
    for key, check in plan.checks.items():  # in rule order, so a cap written last wins
        if key not in firings.passed:
            continue
        before = need
        for bound in bounds[key]:
            need = max(need, bound.value) if bound.op == "ge" else min(need, bound.value)
        if need != before:
            adjustments.append(Adjustment(
                check.rule.id, before, need,
                {"id": f"{check.rule.title.id}: kebutuhan {before} menjadi {need}",
                 "en": f"{check.rule.title.en}: need {before} becomes {need}"},
                check.text.citation, values_from[key]))
    return attrs.evolve(row, need=need, adjustments=tuple(adjustments)) if adjustments else row
