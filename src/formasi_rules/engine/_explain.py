"""Turning what a backend fired into decisions with reasons, in both languages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from .._text import Text
from ..policy import FIELDS, Policy
from ._encode import fact_key, show
from ._result import ELIGIBLE, NOT_ELIGIBLE, UNDETERMINED, Decision, Reason

if TYPE_CHECKING:
    from ._backend import Firings
    from ._derive import Derived
    from ._plan import Check, Plan

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


@attrs.frozen
class CheckText:
    """The parts of a reason that are the same for every candidate, built once per plan."""

    need: str  # the requirement as text: "age ≤ 53"
    citation: dict[str, Any]
    values_from: tuple[dict[str, Any], ...]


def describe(policy: Policy, check: Check) -> CheckText:
    values_from = []
    for table, row in check.rows:
        citation = row.citation or policy.tables[table].citation
        entry: dict[str, Any] = {"table": table}
        if row.key:
            entry["key"] = row.key
        entry["citation"] = citation.to_dict(policy) if citation else None
        if row.note:
            entry["note"] = row.note
        values_from.append(entry)
    return CheckText(_render(check.required), check.rule.citation.to_dict(policy), tuple(values_from))


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
    rule, text = check.rule, check.text
    state_id, state_en = _STATUS[passed]
    got = "; ".join(f"{k} = {_txt(v)}" for k, v in actual.items())
    message = Text(f"{rule.title.id}: {state_id} (nilai: {got}; syarat: {text.need})",
                   f"{rule.title.en}: {state_en} (actual: {got}; required: {text.need})")
    return Reason(rule.id, rule.title, passed, actual, check.required, message, text.citation,
                  text.values_from, missing, rule.note)


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
