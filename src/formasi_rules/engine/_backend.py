"""The backend seam: what an engine backend does, and the plain-Python reference backend.

A backend prepares a :class:`Plan` once and then, for each encoded fact, reports
which checks passed, which failed, and which fact keys were missing. The
durable_rules backend (``_durable``) does this with rulesets; the reference
backend below does it with :func:`_plan.evaluate`. The two must agree exactly:
the reference is the oracle the durable backend is tested against, and the
fallback where durable_rules cannot be imported.
"""

from __future__ import annotations

from typing import Any, Protocol

import attrs

from ._plan import Plan, evaluate


@attrs.frozen
class Firings:
    """What the backend found for one fact."""

    passed: frozenset[str]  # check keys whose condition holds
    failed: frozenset[str]  # check keys whose condition does not hold
    missing: frozenset[str]  # fact keys the plan reads that the fact lacks


class Backend(Protocol):
    name: str

    def prepare(self, plan: Plan) -> None: ...

    def run(self, plan: Plan, fact: dict[str, Any]) -> Firings: ...

    def close(self) -> None: ...


class ReferenceBackend:
    """Evaluates plans directly in Python. Same results as durable_rules, by construction and by test."""

    name = "reference"

    def prepare(self, plan: Plan) -> None:
        pass

    def run(self, plan: Plan, fact: dict[str, Any]) -> Firings:
        passed, failed = [], []
        for key, check in plan.checks.items():
            result = evaluate(check.condition, fact)
            if result is True:
                passed.append(key)
            elif result is False:
                failed.append(key)
        return Firings(frozenset(passed), frozenset(failed), plan.keys - fact.keys())

    def close(self) -> None:
        pass
