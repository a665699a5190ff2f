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

from collections.abc import Sequence
from typing import Any, Protocol

import attrs

from .._errors import InputError
from ._plan import Plan, compile_condition


@attrs.frozen(hash=False)
class Firings:
    """What the backend found for one fact: the checks whose condition holds and those whose
    condition does not, as bit masks over the plan's checks (``Plan.order``), and the fact keys
    the plan reads that the fact lacks."""

    passed_bits: int
    failed_bits: int
    missing: frozenset[str]
    plan: Plan = attrs.field(eq=False, repr=False)

    @property
    def passed(self) -> frozenset[str]:
        return self.plan.names(self.passed_bits)

    @property
    def failed(self) -> frozenset[str]:
        return self.plan.names(self.failed_bits)


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
                (plan.bit[key], compile_condition(check.condition)) for key, check in plan.checks.items()))
        return found[1]

    def run(self, plan: Plan, fact: dict[str, Any]) -> Firings:
        passed = failed = 0
        for bit, test in self._compiled(plan):
            result = test(fact)
            if result is True:
                passed |= bit
            elif result is False:
                failed |= bit
        return Firings(passed, failed, plan.keys.difference(fact), plan)

    def run_many(self, plan: Plan, facts: Sequence[dict[str, Any]]) -> list[Firings | InputError]:
        return [self.run(plan, fact) for fact in facts]

    def close(self) -> None:
        self._tests.clear()
