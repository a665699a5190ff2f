"""What an evaluation returns: a Result per candidate, a Decision per (route, level),
a Reason per checked rule. ``to_dict()`` gives the stable JSON shape
(schemas/result.schema.json)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs

from .._errors import Problem
from .._text import Text

ELIGIBLE, NOT_ELIGIBLE, UNDETERMINED = "eligible", "not_eligible", "undetermined"


@attrs.frozen
class Reason:
    """One rule checked for one decision: passed (True), failed (False) or undetermined (None)."""

    rule: str
    title: Text
    passed: bool | None
    actual: dict[str, Any]
    required: Any
    message: Text
    citation: dict[str, Any]
    values_from: tuple[dict[str, Any], ...] = ()  # table rows the requirement was read from
    missing: tuple[str, ...] = ()
    note: str | None = None
    json: str | None = attrs.field(default=None, eq=False, repr=False)  # to_dict() as JSON, rendered once

    def to_json(self) -> str:
        return self.json if self.json is not None else _dumps(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        out = {"rule": self.rule, "title": self.title.to_dict(), "passed": self.passed,
               "actual": self.actual, "required": self.required, "message": self.message.to_dict(),
               "citation": self.citation}
        if self.values_from:
            out["values_from"] = list(self.values_from)
        if self.missing:
            out["missing"] = list(self.missing)
        if self.note:
            out["note"] = self.note
        return out


@attrs.frozen
class Decision:
    """The outcome for one route and level, with every reason."""

    route: str
    level: str
    outcome: str  # eligible | not_eligible | undetermined
    reasons: tuple[Reason, ...]
    missing: tuple[str, ...]
    allocation: dict[str, Any] | None = None  # set by allocation when places are contested

    def to_json(self) -> str:
        # route, level, outcome and missing input names are fixed vocabulary: no escaping needed
        missing = ", ".join(f'"{m}"' for m in self.missing)
        text = (f'{{"route": "{self.route}", "level": "{self.level}", "outcome": "{self.outcome}", '
                f'"reasons": [{", ".join([r.json or r.to_json() for r in self.reasons])}], "missing": [{missing}]')
        if self.allocation is not None:
            text += f', "allocation": {_dumps(self.allocation)}'
        return text + "}"

    def to_dict(self) -> dict[str, Any]:
        out = {"route": self.route, "level": self.level, "outcome": self.outcome,
               "reasons": [r.to_dict() for r in self.reasons], "missing": list(self.missing)}
        if self.allocation is not None:
            out["allocation"] = self.allocation
        return out


@attrs.frozen
class Result:
    """Every decision for one candidate on one date."""

    candidate: str
    as_of: dt.date
    policy: dict[str, str]
    backend: str
    derived: dict[str, Any]
    decisions: tuple[Decision, ...]
    # the candidate's field values (raw, not for display), for ordering in allocation
    values: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)

    def decision(self, route: str, level: str) -> Decision:
        for d in self.decisions:
            if (d.route, d.level) == (route, level):
                return d
        raise KeyError((route, level))

    def to_json(self) -> str:
        """The same as ``json.dumps(self.to_dict())``, built from reasons rendered once."""
        head = _dumps({"candidate": self.candidate, "as_of": self.as_of.isoformat(), "policy": self.policy,
                       "backend": self.backend, "derived": self.derived})
        return f'{head[:-1]}, "decisions": [{", ".join(d.to_json() for d in self.decisions)}]}}'

    def to_dict(self) -> dict[str, Any]:
        return {"candidate": self.candidate, "as_of": self.as_of.isoformat(), "policy": self.policy,
                "backend": self.backend, "derived": self.derived,
                "decisions": [d.to_dict() for d in self.decisions]}


@attrs.frozen
class RecordError:
    """A record that could not be evaluated; batch evaluation reports it and goes on."""

    where: str
    candidate: str | None
    problems: tuple[Problem, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"where": self.where, "candidate": self.candidate,
                          "problems": [p.to_dict() for p in self.problems]}}

    def to_json(self) -> str:
        return _dumps(self.to_dict())


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
