"""Turning what a backend fired into decisions with reasons, in both languages."""

from __future__ import annotations

from typing import Any

from .._text import Text
from ..policy import FIELDS, Policy
from ._backend import Firings
from ._derive import Derived
from ._encode import fact_key, show
from ._plan import Check, Plan
from ._result import ELIGIBLE, NOT_ELIGIBLE, UNDETERMINED, Decision, Reason

_STATUS = {True: ("terpenuhi", "met"), False: ("tidak terpenuhi", "not met"),
           None: ("belum dapat diperiksa", "cannot be checked yet")}
_OP_TEXT = {"equals": "=", "not_equals": "≠", "in": "∈", "not_in": "∉", "at_least": "≥",
            "at_most": "≤", "above": ">", "below": "<"}


def decide(policy: Policy, plan: Plan, derived: Derived, firings: Firings,
           targets: list[tuple[str, str]]) -> tuple[Decision, ...]:
    reasons: dict[str, Reason] = {}
    decisions = []
    for route, level in targets:
        rs = []
        for key in plan.targets[(route, level)]:
            if key not in reasons:
                reasons[key] = _reason(policy, plan.checks[key], derived, firings)
            rs.append(reasons[key])
        if any(r.passed is False for r in rs):
            outcome = NOT_ELIGIBLE
        elif any(r.passed is None for r in rs):
            outcome = UNDETERMINED
        else:
            outcome = ELIGIBLE
        missing = tuple(dict.fromkeys(m for r in rs if r.passed is None for m in r.missing))
        decisions.append(Decision(route, level, outcome, tuple(rs), missing))
    return tuple(decisions)


def _reason(policy: Policy, check: Check, derived: Derived, firings: Firings) -> Reason:
    passed = True if check.key in firings.passed else False if check.key in firings.failed else None
    actual = {}
    for name in check.fields:
        if FIELDS[name].per_level:
            value = derived.per_level.get(name, {}).get(check.level)
        else:
            value = derived.values.get(name)
        actual[name] = show(value)
    missing = ()
    if passed is None:
        absent = [f for f in check.fields if fact_key(f, check.level) in firings.missing]
        missing = tuple(dict.fromkeys(i for f in absent for i in FIELDS[f].inputs))
    rule = check.rule
    state_id, state_en = _STATUS[passed]
    got = "; ".join(f"{k} = {_txt(v)}" for k, v in actual.items())
    need = _render(check.required)
    message = Text(f"{rule.title.id}: {state_id} (nilai: {got}; syarat: {need})",
                   f"{rule.title.en}: {state_en} (actual: {got}; required: {need})")
    values_from = tuple(
        {"table": table, **({"key": row.key} if row.key else {}),
         "citation": (row.citation or policy.tables[table].citation).to_dict(policy)
         if (row.citation or policy.tables[table].citation) else None,
         **({"note": row.note} if row.note else {})}
        for table, row in check.rows)
    return Reason(rule.id, rule.title, passed, actual, check.required, message,
                  rule.citation.to_dict(policy), values_from, missing, rule.note)


def _txt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _render(required: Any) -> str:
    if "all" in required:
        return " dan/and ".join(_render(r) for r in required["all"])
    if "any" in required:
        return "(" + " atau/or ".join(_render(r) for r in required["any"]) + ")"
    if "not" in required:
        return f"bukan/not ({_render(required['not'])})"
    (field, test), = required.items()
    (op, value), = test.items()
    return f"{field} {_OP_TEXT[op]} {_txt(value)}"
