"""The Engine: evaluates candidates against a loaded policy.

>>> import formasi_rules as fr                                   # doctest: +SKIP
>>> engine = fr.Engine(fr.load_policy("policies/pengantar_kerja"))
>>> result = engine.evaluate({"id": "c1", ...}, as_of=date(2025, 10, 9))
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
import threading
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from .. import _vocab
from .._errors import BackendUnavailable, FormasiError, InputError, InvalidArgument, Problem
from ..inputs import Candidate, Formation, formation_from_mapping, read_formation, structure_candidate
from ..policy import Policy
from ._allocate import allocate
from ._backend import Backend, ReferenceBackend
from ._derive import derive
from ._durable import DurableBackend
from ._encode import encode_fact, show
from ._explain import Explainer
from ._plan import Plan, build_plan, periods
from ._result import RecordError, Result
from ..formation._result import FormationResult
from ..formation._run import run_formation

BACKENDS = ("durable", "reference")


class BackendWarning(UserWarning):
    """The durable_rules backend was asked for implicitly but is unavailable; the reference backend is used."""


class Engine:
    """Evaluates candidates against one policy.

    ``backend`` is ``"durable"`` (durable_rules), ``"reference"`` (plain Python, same
    results) or ``None``: durable_rules where it can be imported, else the reference
    backend with a :class:`BackendWarning`. ``formation`` gives the open places, as a
    mapping ``{region: {level: open}}`` or a file path; without it the formation rule
    is undetermined.

    Every plan the policy needs is built and compiled here, so a policy the engine
    cannot run fails now, not in the middle of a batch.
    """

    def __init__(self, policy: Policy, *, backend: str | None = None,
                 formation: Mapping | str | os.PathLike | FormationResult | None = None):
        if not isinstance(policy, Policy):
            raise InvalidArgument(f"Engine() takes a Policy from load_policy(), got {type(policy).__name__}")
        if backend not in (None, *BACKENDS):
            raise InvalidArgument(f"backend must be one of {BACKENDS} or None, got {backend!r}")
        self.policy = policy
        self.places = _formation(formation)
        self.backend = self._backend(backend)
        self._periods = periods(policy)
        self._starts = [p.valid_from for p in self._periods]
        self._plans = [build_plan(policy, p.valid_from, p) for p in self._periods]
        self._explainers = [Explainer(policy, plan) for plan in self._plans]
        for plan in self._plans:
            self.backend.prepare(plan)
        # formation rules (subject: formation) get plans of their own, on the same backend
        from ..formation._rules import build_formation_plan

        self._formation_plans = [build_formation_plan(policy, p.valid_from, p) for p in self._periods]
        for plan, _bounds in self._formation_plans:
            self.backend.prepare(plan)
        self._closed = False
        self._lock = threading.Lock()

    def _backend(self, backend: str | None) -> Backend:
        if backend == "reference":
            return ReferenceBackend()
        try:
            return DurableBackend(self.policy.name)
        except BackendUnavailable:
            if backend == "durable":
                raise
            warnings.warn("durable_rules is not available on this Python; using the reference "
                          "backend, which gives the same decisions. Pass backend='reference' to "
                          "silence this.", BackendWarning, stacklevel=3)
            return ReferenceBackend()

    # --- public API -------------------------------------------------------------------------

    @property
    def plans(self) -> tuple[Plan, ...]:
        """One plan per period in which the same rule versions and table rows are in force."""
        return tuple(self._plans)

    def plan(self, as_of: dt.date) -> Plan:
        """The resolved rules in force on ``as_of``."""
        return self._plans[self._period_index(as_of)]

    def _period_index(self, as_of: dt.date) -> int:
        as_of = _date(as_of)
        cov = self.policy.coverage
        if not cov.contains(as_of):
            raise InvalidArgument(
                f"policy {self.policy.name} covers {cov.valid_from} to {cov.valid_to or 'now'}; "
                f"{as_of} is outside it / tanggal di luar cakupan kebijakan")
        return bisect.bisect_right(self._starts, as_of) - 1

    def formation(self, workload: str | os.PathLike | Iterable[Mapping],
                  existing: str | os.PathLike | Iterable[Mapping] | None = None, *,
                  as_of: dt.date) -> FormationResult:
        """Officers needed per region and level from workload rows (kebutuhan formasi).

        ``workload`` and ``existing`` are file paths or iterables of row dicts. Bad rows are
        listed in ``result.problems`` with their position; the rest is computed.
        """
        if self._closed:
            raise InvalidArgument("this Engine is closed")
        plan, bounds = self._formation_plans[self._period_index(as_of)]
        return run_formation(self.policy, self.backend, plan, bounds, workload, existing, as_of)

    def evaluate(self, candidate: Candidate | Mapping, *, as_of: dt.date,
                 formation: Mapping | str | os.PathLike | FormationResult | None = None,
                 route: str | None = None, level: str | None = None) -> Result:
        """Every decision for one candidate on ``as_of``; raises InputError for a bad record."""
        if self._closed:
            raise InvalidArgument("this Engine is closed")
        index = self._period_index(as_of)
        plan, explainer = self._plans[index], self._explainers[index]
        if not isinstance(candidate, Candidate):
            candidate = structure_candidate(candidate)
        places = self.places if formation is None else _formation(formation)
        targets = self._targets(plan, candidate, route, level)
        derived = derive(candidate, as_of, self.policy, places)
        fact = encode_fact(derived, self.policy, plan.keys)
        firings = self.backend.run(plan, fact)
        decisions = explainer.decide(derived, firings, targets)
        shown = {k: show(v) for k, v in derived.values.items()
                 if k not in ("as_of",) and k not in _INPUT_ECHO}
        shown.update({k: dict(v) for k, v in derived.per_level.items()})
        shown["explain"] = derived.explain
        return Result(candidate.id, as_of, self.policy.identity(), self.backend.name, shown, decisions,
                      values={**derived.values, "region": candidate.region})

    def evaluate_many(self, records: Iterable[Any], *, as_of: dt.date,
                      formation: Mapping | str | os.PathLike | FormationResult | None = None,
                      route: str | None = None, level: str | None = None,
                      ) -> Iterator[Result | RecordError]:
        """Evaluate records lazily, in order. A record that cannot be read or evaluated yields a
        RecordError (with its position and every problem) and the rest go on.

        ``records`` holds Candidates, raw dicts, or ``(where, record)`` pairs as
        ``inputs.read_records`` yields them.
        """
        self.plan(as_of)  # a bad date fails once, up front
        places = self.places if formation is None else _formation(formation)
        for index, item in enumerate(records):
            where, record = item if isinstance(item, tuple) else (f"$[{index}]", item)
            ident = record.get("id") if isinstance(record, Mapping) else getattr(record, "id", None)
            if isinstance(record, InputError):
                yield RecordError(where, None, tuple(record.problems))
                continue
            try:
                if not isinstance(record, Candidate):
                    record = structure_candidate(record, where.split()[0])
                yield self.evaluate(record, as_of=as_of, formation=places, route=route, level=level)
            except InputError as exc:
                yield RecordError(where, None if ident is None else str(ident),
                                  tuple(_at(p, where) for p in exc.problems))

    def allocate(self, results: Iterable[Result | RecordError],
                 formation: Mapping | str | os.PathLike | FormationResult | None = None) -> list[Result | RecordError]:
        """Give the open places to eligible candidates in the policy's priority order.

        ``results`` come from evaluate / evaluate_many with the same places. Each eligible decision
        that needed a place gets ``allocation``: allocated, not_allocated (with rank) or
        allocated_elsewhere. Deterministic: the same results give the same allocation in any order.
        """
        places = self.places if formation is None else _formation(formation)
        if places is None:
            raise InvalidArgument("allocation needs the open places: give formation= here or to Engine()")
        return allocate(self.policy, list(results), places)

    def close(self) -> None:
        """Release the engine's rulesets. The Engine cannot be used afterwards."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self.backend.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- helpers --------------------------------------------------------------------------

    def _targets(self, plan: Plan, candidate: Candidate, route: str | None,
                 level: str | None) -> list[tuple[str, str]]:
        for name, value, vocab in (("route", route, _vocab.ROUTES), ("level", level, _vocab.LEVELS)):
            if value is not None and value not in vocab:
                raise InvalidArgument(f"{name} must be one of {', '.join(vocab)}, got {value!r}")
        req = candidate.request
        want_route = req.route if req and req.route else None
        want_level = req.level if req and req.level else None
        requested = [t for t in plan.targets
                     if (want_route is None or t[0] == want_route) and (want_level is None or t[1] == want_level)]
        if not requested:
            raise InputError([Problem(
                "I030", f"permohonan {want_route or ''} {want_level or ''} tidak ada dalam kebijakan",
                f"the request ({want_route or 'any route'}, {want_level or 'any level'}) matches no "
                f"route and level of policy {self.policy.name}", path="$.request")])
        # a caller's filter narrows further; a request outside it leaves no decision, not an error
        targets = [t for t in requested if (route is None or t[0] == route) and (level is None or t[1] == level)]
        return targets


# candidate fields shown in the record already; "derived" shows only what was computed
_INPUT_ECHO = {"employment_status", "education", "rank", "experience_years", "position_type",
               "position_name", "position_level", "competency_test_status", "competency_test_level"}


def _at(problem: Problem, where: str) -> Problem:
    """Re-anchor a problem found inside one record ("$.birth_date") at the record ("$[3].birth_date")."""
    base = where.split()[0]
    path = problem.path or "$"
    if path.startswith("$.") or path == "$":
        path = base + path[1:]
    return attrs.evolve(problem, path=path)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise InvalidArgument(f"as_of must be a datetime.date, got {value!r}")


def _formation(value: Mapping | str | os.PathLike | FormationResult | None) -> Formation | None:
    if value is None:
        return None
    if isinstance(value, FormationResult):  # a computed formation: its shortfall is open
        return formation_from_mapping(value.open_places())
    if isinstance(value, Mapping):
        return formation_from_mapping(value)
    if isinstance(value, (str, os.PathLike)):
        return read_formation(value)
    raise InvalidArgument("formation must be a mapping {region: {level: open}} or a file path")


__all__ = ["BACKENDS", "BackendWarning", "Engine", "FormasiError"]
