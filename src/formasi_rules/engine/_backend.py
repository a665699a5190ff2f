"""The backend seam: what an engine backend does, and the plain-Python reference backend.

A backend prepares a :class:`Plan` once and then, for each encoded fact, reports
which checks passed, which failed, and which fact keys were missing: one fact at a time
(``run``), or a batch's chunk of facts at once (``run_many``, where durable_rules takes each
ruleset over the whole chunk). The
durable_rules backend (``_durable``) does this with rulesets; the reference
backend below with each condition compiled once into a closure
(:func:`_plan.compile_condition`), of the three-valued semantics :func:`_plan.evaluate`
writes down and the tests hold it to. The two backends must agree exactly:
the reference is the oracle the durable backend is tested against, and the
fallback where durable_rules cannot be imported.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from typing import Any, Protocol

import attrs

from .._errors import InputError
from ._plan import Plan, compile_condition


@attrs.frozen(hash=False)
class Firings:
    """What the backend found for one fact. The sets are the backend's own, made for this fact and
    never changed after (copying them into frozensets cost more than a tenth of the backend's time)."""

    passed: Set[str]  # check keys whose condition holds
    failed: Set[str]  # check keys whose condition does not hold
    missing: frozenset[str]  # fact keys the plan reads that the fact lacks


class Backend(Protocol):
    name: str

    def prepare(self, plan: Plan) -> None: ...

    def run(self, plan: Plan, fact: dict[str, Any]) -> Firings: ...

    def run_many(self, plan: Plan, facts: Sequence[dict[str, Any]]) -> list[Firings | InputError]:
        """Each fact's Firings, in order, or the InputError that fact alone raises (a value the
        backend cannot hold): one bad fact does not stop the others."""
        ...

    def close(self) -> None: ...


class ReferenceBackend:
    """Evaluates plans directly in Python. Same results as durable_rules, by construction and by test."""

    name = "reference"

    def __init__(self) -> None:
        self._tests: dict[int, tuple[Plan, tuple]] = {}  # id(plan) -> (plan, ((check key, test), ...))

    def prepare(self, plan: Plan) -> None:
        self._compiled(plan)

    def _compiled(self, plan: Plan) -> tuple:
        found = self._tests.get(id(plan))
        if found is None or found[0] is not plan:  # a plan not prepared is compiled when first run
            if len(self._tests) > 256:  # plans made on the fly (tests, checks) do not pile up
                self._tests.clear()
            found = self._tests[id(plan)] = (plan, tuple(
                (key, compile_condition(check.condition)) for key, check in plan.checks.items()))
        return found[1]

    def run(self, plan: Plan, fact: dict[str, Any]) -> Firings:
        passed, failed = [], []
        for key, test in self._compiled(plan):
            result = test(fact)
            if result is True:
                passed.append(key)
            elif result is False:
                failed.append(key)
        return Firings(frozenset(passed), frozenset(failed), plan.keys.difference(fact))

    def run_many(self, plan: Plan, facts: Sequence[dict[str, Any]]) -> list[Firings | InputError]:
        return [self.run(plan, fact) for fact in facts]

    def close(self) -> None:
        self._tests.clear()
