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
from typing import TYPE_CHECKING, Any, Callable, Protocol

import attrs

from .._errors import InputError
from ._memo import ValueRecall, keep, parts_of, recaller, share, values_of
from ._plan import Plan, compile_condition, keys_read

if TYPE_CHECKING:  # (typing only)
    from ._derive import Derived
    from ._encode_code import FactCode


@attrs.define(hash=False)  # not frozen, as Derived: one is made per record, and a frozen class's __init__
# costs a setattr call per field; nothing changes one once made
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

    def recall(self, plan: Plan, code: FactCode, derived: Derived) -> Firings | None:
        """What :meth:`run` gives for the fact ``code`` (``_encode_code.FactCode``) makes of these
        derived values, where the backend answers from what it remembers without the fact; else None
        (the caller builds the fact and runs it)."""
        ...

    def run_many(self, plan: Plan, facts: Sequence[dict[str, Any]]) -> list[Firings | InputError]:
        """Each fact's Firings, in order, or the InputError that fact alone raises (a value the
        backend cannot hold): one bad fact does not stop the others."""
        ...

    def close(self) -> None: ...


class ReferenceBackend:
    """Evaluates plans directly in Python. Same results as durable_rules, by construction and by test.

    A plan's checks fall into parts that read no fact key in common (as the durable_rules backend's
    rules do, ``_memo``); each part's outcomes are remembered by the values of its keys, and a part
    whose values a fact holds for the first time has its checks evaluated (``remember=False``: every
    check for every fact)."""

    name = "reference"

    def __init__(self, remember: bool = True) -> None:
        self._remember = remember
        self._answers: dict[int, tuple[Plan, _Answers]] = {}  # id(plan) -> (plan, its checks)

    def prepare(self, plan: Plan) -> None:
        self._compiled(plan)

    def _compiled(self, plan: Plan) -> _Answers:
        found = self._answers.get(id(plan))
        if found is None or found[0] is not plan:  # a plan not prepared is compiled when first run
            if len(self._answers) > 256:  # plans made on the fly (tests, checks) do not pile up
                self._answers.clear()
            found = self._answers[id(plan)] = (plan, _Answers(plan, self._remember))
        return found[1]

    def run(self, plan: Plan, fact: dict[str, Any]) -> Firings:
        answers = self._compiled(plan)
        got = answers.recall(fact)
        return Firings(got & answers.every, got >> answers.shift, plan.keys.difference(fact), plan)

    def recall(self, plan: Plan, code: FactCode, derived: Derived) -> Firings | None:
        answers = self._compiled(plan)
        if answers.parts is None or not code.writable:
            return None
        found = answers.from_values
        if found is None or found.code is not code:
            found = answers.from_values = ValueRecall(code, [(frozenset(), answers.parts)])
        answer = found(derived)
        if answer is None:  # a part not seen: run() fills it
            return None
        got, lacks, _ = answer
        return Firings(got & answers.every, got >> answers.shift, lacks, plan)

    def run_many(self, plan: Plan, facts: Sequence[dict[str, Any]]) -> list[Firings | InputError]:
        return [self.run(plan, fact) for fact in facts]

    def close(self) -> None:
        self._answers.clear()


class _Answers:
    """A plan's checks, each condition compiled once into a closure (:func:`_plan.compile_condition`),
    in parts by the fact keys they read; ``recall(fact)``: the bits of the checks passed, and of those
    failed above them (``shift``: a bit per check of the plan)."""

    def __init__(self, plan: Plan, remember: bool):
        self.shift = len(plan.order)
        self.every = (1 << self.shift) - 1
        tests = {key: (plan.bit[key], compile_condition(check.condition)) for key, check in plan.checks.items()}
        self.parts: list[tuple[tuple[str, ...], dict]] | None = None  # (keys, memo) each; None: no memo
        self.from_values: ValueRecall | None = None  # the parts asked from derived values (made when first asked)
        if not remember:
            every = tuple(tests.values())
            self.recall = lambda fact: _outcomes(every, self.shift, fact)
            return
        split = parts_of({key: frozenset(keys_read(check.condition)) for key, check in plan.checks.items()})
        self.parts = parts = [(keys, {}) for keys, _ in split]
        limit = share(parts)
        self.recall = recaller(parts, [_filler(keys, memo, tuple(tests[k] for k in checks), self.shift, limit)
                                       for (keys, memo), (_, checks) in zip(parts, split)])


def _outcomes(tests: tuple[tuple[int, Callable[[dict[str, Any]], bool | None]], ...], shift: int,
              fact: dict[str, Any]) -> int:
    """The bits of the ``tests`` passed for the fact, and those failed ``shift`` above."""
    got = 0
    for bit, test in tests:
        result = test(fact)
        if result is True:
            got |= bit
        elif result is False:
            got |= bit << shift
    return got


def _filler(keys: tuple[str, ...], memo: dict, tests: tuple, shift: int, limit: int):
    """What a part's memo gives a fact whose values of ``keys`` it has not seen: its ``tests``
    evaluated, and remembered (the memo forgets all it holds past ``limit``)."""
    def fill(fact: dict[str, Any]) -> int:
        got = _outcomes(tests, shift, fact)
        keep(memo, values_of(keys, fact.get), got, limit)
        return got
    return fill
