"""Turning what a backend fired into decisions with reasons, in both languages."""

from __future__ import annotations

import json
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


class Explainer:
    """Builds decisions for one plan, sharing reasons between candidates.

    A reason depends only on its check, whether it passed, the actual values and the missing
    inputs, and is immutable, so equal reasons are built (and rendered as JSON) once. The cache
    is bounded, so memory stays flat however many candidates pass through.
    """

    MAX_CACHED = 20_000  # reasons; about 1 KB each with their JSON

    def __init__(self, policy: Policy, plan: Plan):
        self.policy = policy
        self.plan = plan
        self._cache: dict[tuple, Reason] = {}

    def decide(self, derived: Derived, firings: Firings,
               targets: list[tuple[str, str]]) -> tuple[Decision, ...]:
        reasons: dict[str, Reason] = {}
        decisions = []
        for route, level in targets:
            check_keys = self.plan.targets[(route, level)]
            for k in check_keys:
                if k not in reasons:
                    check = self.plan.checks[k]
                    reasons[k] = self._reason_for(self._key(check, derived, firings), check, derived, firings)
            decisions.append(_decision(route, level, [reasons[k] for k in check_keys]))
        return tuple(decisions)

    def _key(self, check: Check, derived: Derived, firings: Firings) -> tuple:
        passed = True if check.key in firings.passed else False if check.key in firings.failed else None
        actual = tuple((name, _actual(check, name, derived)) for name in check.fields)
        missing = () if passed is not None else tuple(f for f in check.fields
                                                      if fact_key(f, check.level) in firings.missing)
        return (check.key, passed, actual, missing)

    def _reason_for(self, key: tuple, check: Check, derived: Derived, firings: Firings) -> Reason:
        reason = self._cache.get(key)
        if reason is None:
            if len(self._cache) >= self.MAX_CACHED:
                self._cache.clear()
            reason = self._cache[key] = _reason(self.policy, check, derived, firings)
        return reason


def _actual(check: Check, name: str, derived: Derived) -> Any:
    if FIELDS[name].per_level:
        return show(derived.per_level.get(name, {}).get(check.level))
    return show(derived.values.get(name))


def _decision(route: str, level: str, rs: list[Reason]) -> Decision:
    if any(r.passed is False for r in rs):
        outcome = NOT_ELIGIBLE
    elif any(r.passed is None for r in rs):
        outcome = UNDETERMINED
    else:
        outcome = ELIGIBLE
    missing = tuple(dict.fromkeys(m for r in rs if r.passed is None for m in r.missing))
    return Decision(route, level, outcome, tuple(rs), missing)


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
    actual = {name: _actual(check, name, derived) for name in check.fields}
    missing = ()
    if passed is None:
        absent = [f for f in check.fields if fact_key(f, check.level) in firings.missing]
        missing = tuple(dict.fromkeys(i for f in absent for i in FIELDS[f].inputs))
    rule, text = check.rule, check.text
    state_id, state_en = _STATUS[passed]
    got = "; ".join(f"{k} = {_txt(v)}" for k, v in actual.items())
    message = Text(f"{rule.title.id}: {state_id} (nilai: {got}; syarat: {text.need})",
                   f"{rule.title.en}: {state_en} (actual: {got}; required: {text.need})")
    reason = Reason(rule.id, rule.title, passed, actual, check.required, message, text.citation,
                    text.values_from, missing, rule.note)
    return attrs.evolve(reason, json=json.dumps(reason.to_dict(), ensure_ascii=False))


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
