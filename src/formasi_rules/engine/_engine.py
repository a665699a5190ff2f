"""The Engine: evaluates candidates against a loaded policy.

>>> import formasi_rules as fr                                   # doctest: +SKIP
>>> engine = fr.Engine(fr.load_policy("policies/pengantar_kerja"))
>>> result = engine.evaluate({"id": "c1", ...}, as_of=date(2025, 10, 9))
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from .._dates import as_date
from .._errors import BackendUnavailable, FormasiError, InputError, InvalidArgument
from ..inputs import Candidate, Formation, Names, formation_from_mapping, formation_from_rows, read_formation
from ..policy import Policy, load_policy
from ._allocate import allocate
from ._backend import Backend, ReferenceBackend
from ._compact import catalogue
from ._compiled import Compiled
from ._parallel import brief, chunk_size, evaluate_parallel
from ._dedup import unique
from . import _durable
from ._durable import DurableBackend
from ._plan import Plan
from ._result import Block, RecordError, Rendered, Result, check_layout, render_block
from ._stages import CHUNK, evaluate_one, evaluate_records
from ..formation._inputs import Located
from ..formation._result import FormationResult
from ..formation._run import run_formation

BACKENDS = ("durable", "reference")


class BackendWarning(UserWarning):
    """The durable_rules backend was asked for implicitly but is unavailable; the reference backend is used."""


class Engine:
    """Evaluates candidates against one policy, and computes formation needs.

    ``backend`` is ``"durable"`` (durable_rules), ``"reference"`` (plain Python, same
    results) or ``None``: durable_rules where it can be imported, else the reference
    backend with a :class:`BackendWarning`. ``formation`` gives the open places: a mapping
    ``{region: {level: open}}``, a file path, or a FormationResult (its shortfall); without
    it the formation rule is undetermined.

    ``remember`` (default True) lets the backend answer a candidate from what it decided for an
    earlier one holding the same values of the keys a part of the rules reads (docs/engine.md):
    the same results, most of a batch decided without a call into the engine. False: every
    candidate is decided afresh (durable_rules asserts every fact), for an audit or a comparison.

    Every plan the policy needs is built and compiled here, so a policy the engine cannot
    run fails now, not in the middle of a batch. An Engine may be shared by threads (its
    backend serialises the calls into durable_rules) and can take a new policy version
    while it runs (:meth:`reload`).
    """

    def __init__(self, policy: Policy, *, backend: str | None = None,
                 formation: Mapping | str | os.PathLike | FormationResult | None = None, remember: bool = True):
        if not isinstance(policy, Policy):
            raise InvalidArgument(f"Engine() takes a Policy from load_policy(), got {type(policy).__name__}")
        if policy.abstract:
            raise InvalidArgument(
                f"policy {policy.name} is a base (abstract: true) that position policies extend; evaluate a "
                f"policy that extends it / kebijakan dasar tidak dievaluasi sendiri")
        if backend not in (None, *BACKENDS):
            raise InvalidArgument(f"backend must be one of {BACKENDS} or None, got {backend!r}")
        self._remember = check_remember(remember)
        self.places = open_places_of(formation, policy.levels)
        self._lock = threading.Lock()
        self._closed = False
        self._current = Compiled(policy, _new_backend(backend, policy, remember))
        # a backend chosen implicitly stays chosen on reload, without a second warning
        self._choice = "reference" if self._current.backend.name == "reference" else "durable"

    # --- the version in service -------------------------------------------------------------

    @property
    def policy(self) -> Policy:
        """The policy in service (after a reload, the new one)."""
        return self._current.policy

    @property
    def backend(self) -> Backend:
        return self._current.backend

    @property
    def plans(self) -> tuple[Plan, ...]:
        """One plan per period in which the same rule versions and table rows are in force."""
        return tuple(self._current.plans)

    def plan(self, as_of: dt.date) -> Plan:
        """The resolved rules in force on ``as_of``."""
        return self._current.plan(as_date(as_of))

    def catalogue(self, as_of: dt.date) -> dict[str, Any]:
        """What compact results (``Result.to_dict("compact")``) made on ``as_of`` refer to: every
        check's rule, level, title, requirement and citations, and the checks of each decision.
        The first item of a compact run; :func:`formasi_rules.expand` needs it."""
        compiled = self._pin()
        try:
            return catalogue(compiled.policy, compiled.plan(as_date(as_of)), as_date(as_of), compiled.backend.name)
        finally:
            compiled.release()

    def reload(self, policy: Policy | str | os.PathLike | None = None) -> Policy:
        """Put a new version of the policy in service without stopping.

        ``policy`` is a loaded Policy, a policy folder, or None (the folder the current policy
        was loaded from). The new version is loaded, validated and compiled into rulesets of
        its own first; if any of that fails the error is raised and the current version stays
        in service. Evaluations already running (a whole ``evaluate_many`` batch included)
        finish on the version they started with. Every result names its version and digest.
        """
        self._check_open()
        if policy is None or isinstance(policy, (str, os.PathLike)):
            policy = load_policy(policy if policy is not None else self.policy.root)
        if not isinstance(policy, Policy):
            raise InvalidArgument("reload() takes a Policy, a policy folder, or nothing")
        fresh = Compiled(policy, _new_backend(self._choice, policy, self._remember))
        with self._lock:
            if self._closed:
                fresh.retire()
                raise InvalidArgument("this Engine is closed")
            old, self._current = self._current, fresh
        old.retire()  # closes once the evaluations that pinned it are done
        return policy

    # --- evaluation ---------------------------------------------------------------------------

    def formation(self, workload: str | os.PathLike | Iterable[Mapping],
                  existing: str | os.PathLike | Iterable[Mapping] | None = None, *,
                  as_of: dt.date) -> FormationResult:
        """Officers needed per region and level from workload rows (kebutuhan formasi).

        ``workload`` and ``existing`` are file paths or iterables of row dicts. Bad rows are
        listed in ``result.problems`` with their position; the rest is computed.
        """
        compiled = self._pin()
        try:
            day = as_date(as_of)
            plan, bounds = compiled.formation_plans[compiled.index(day)]
            return run_formation(compiled.policy, compiled.backend, plan, bounds, workload, existing, day)
        finally:
            compiled.release()

    def evaluate(self, candidate: Candidate | Mapping, *, as_of: dt.date,
                 formation: Mapping | str | os.PathLike | FormationResult | None = None,
                 route: str | None = None, level: str | None = None) -> Result:
        """Every decision for one candidate on ``as_of``; raises InputError for a bad record."""
        compiled = self._pin()
        try:
            places = self.places if formation is None else open_places_of(formation, self.policy.levels)
            day = as_of if type(as_of) is dt.date else as_date(as_of)  # (a date as such, at once)
            if route is not None or level is not None:
                route, level = check_filter(compiled.policy, compiled.plan(day), route, level)
            return evaluate_one(compiled, candidate, day, places, route, level)
        finally:
            compiled.release()

    def evaluate_many(self, records: Iterable[Any], *, as_of: dt.date,
                      formation: Mapping | str | os.PathLike | FormationResult | None = None,
                      route: str | None = None, level: str | None = None, jobs: int = 1,
                      ) -> Iterator[Result | RecordError]:
        """Evaluate records lazily, in order. A record that cannot be read or evaluated yields a
        RecordError (with its position and every problem) and the rest go on.

        ``records`` holds raw dicts (or Candidates), or ``(where, record)`` pairs as
        ``read_records`` yields them (its unparsed JSON Lines included: with ``jobs`` > 1
        the workers parse them). The whole batch uses the policy version in service
        when its first result is asked for. ``jobs`` > 1 spreads the work over that many
        processes, each with its own engine: same results, same order, memory still flat.
        """
        yield from self._batch(records, as_of, formation, route, level, jobs, render=None)

    def evaluate_lines(self, records: Iterable[Any], *, as_of: dt.date,
                       formation: Mapping | str | os.PathLike | FormationResult | None = None,
                       route: str | None = None, level: str | None = None, jobs: int = 1,
                       layout: str = "full") -> Iterator[tuple[str, RecordError | None]]:
        """Like :meth:`evaluate_many`, but each item is the record's JSON text in ``layout``
        (``full`` or ``compact``; an error record is the same in both), with the RecordError
        beside it when the record was rejected. A compact run's text refers to
        :meth:`catalogue` for the same date."""
        if _check_jobs(jobs) == 1:
            for item in self._batch(records, as_of, formation, route, level, 1, check_layout(layout), blocks=False):
                yield item.to_json(layout), item if isinstance(item, RecordError) else None
            return
        for block in self.evaluate_blocks(records, as_of=as_of, formation=formation, route=route, level=level,
                                          jobs=jobs, layout=layout):
            yield from block.lines()

    def evaluate_blocks(self, records: Iterable[Any], *, as_of: dt.date,
                        formation: Mapping | str | os.PathLike | FormationResult | None = None,
                        route: str | None = None, level: str | None = None, jobs: int = 1,
                        layout: str = "full") -> Iterator[Block]:
        """The JSON Lines of :meth:`evaluate_lines` in Blocks of consecutive records, as UTF-8
        bytes ready to write, with the rejected records beside them: the fastest way to write a
        batch (``formasi evaluate --format jsonl`` does this). With ``jobs`` > 1 the workers
        render their blocks and this process only writes them."""
        yield from self._batch(records, as_of, formation, route, level, jobs, render=check_layout(layout))

    def _batch(self, records: Iterable[Any], as_of: dt.date, formation: Any, route: str | None,
               level: str | None, jobs: int, render: str | None, blocks: bool = True,
               chunk: int = CHUNK) -> Iterator[Any]:
        """On the version in service now: Results (``render`` None), or Blocks in that layout, or
        (``blocks`` False, one process) each record ready to be written in that layout. ``chunk``
        records are read ahead and evaluated stage by stage (1: each answered before the next is
        read, as a stream whose records come slowly needs)."""
        _many(records, "records", "records (dicts, Candidates or (where, record) pairs)")
        if _check_jobs(jobs) > 1 and not blocks:
            raise InvalidArgument("records one by one come from one process; with jobs > 1 ask for Blocks")
        as_of = as_date(as_of)
        route, level = check_filter(self.policy, self.plan(as_of), route, level)  # a bad date or filter fails once, up front
        places = self.places if formation is None else open_places_of(formation, self.policy.levels)
        compiled = self._pin()
        try:
            def here(items: Iterable[Any]) -> Iterator[Result | Rendered | RecordError]:
                return evaluate_records(compiled, items, as_of, places, route, level, render, chunk)

            if jobs > 1:
                backend = "reference" if compiled.backend.name == "reference" else "durable"
                out = evaluate_parallel(compiled.policy, backend, records, lambda items: _finished(here(items), render),
                                        as_of, places, route, level, jobs, render,
                                        factory=_factory(self._remember))
            elif render is None or not blocks:
                out = here(records)
            else:
                out = _blocks(here(records), render)
            yield from unique(out, blocks=render is not None and blocks)  # one record per candidate id
        finally:
            compiled.release()

    def _part(self, records: Iterable[Any], as_of: dt.date, route: str | None, level: str | None,
              render: str | None) -> Block | list[Result | RecordError]:
        """A part of a batch (a worker's chunk, a Dask partition): ``(where, record)`` pairs
        evaluated on the version in service into one Block in ``render`` (a layout), or with None
        a list of Results; no check of duplicates (whoever holds the whole batch does that)."""
        compiled = self._pin()
        try:
            return _finished(evaluate_records(compiled, records, as_of, self.places, route, level, render), render)
        finally:
            compiled.release()

    def allocate(self, results: Iterable[Result | RecordError],
                 formation: Mapping | str | os.PathLike | FormationResult | None = None) -> list[Result | RecordError]:
        """Give the open places to eligible candidates in the policy's priority order.

        ``results`` come from evaluate / evaluate_many with the same places. Each eligible decision
        that needed a place gets ``allocation``: allocated, not_allocated (with rank) or
        allocated_elsewhere. Deterministic: the same results give the same allocation in any order.
        """
        places = self.places if formation is None else open_places_of(formation, self.policy.levels)
        if places is None:
            raise InvalidArgument("allocation needs the open places: give formation= here or to Engine()")
        return allocate(self.policy, list(_many(results, "results", "what evaluate_many returned")), places)

    def close(self) -> None:
        """Release the engine's rulesets. The Engine cannot be used afterwards."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._current.retire()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- helpers --------------------------------------------------------------------------

    def _pin(self) -> Compiled:
        """The version an evaluation uses from start to end."""
        while True:
            if self._closed:
                self._check_open()  # (which says so)
            current = self._current
            if current.acquire():
                return current
            # a reload retired it between reading and acquiring: take the new one

    def _check_open(self) -> None:
        if self._closed:
            raise InvalidArgument("this Engine is closed")

def _finished(results: Iterator[Any], render: str | None) -> Block | list:
    # finished text (in that layout) travels back far cheaper than result objects; each
    # result is rendered as it comes (holding a chunk of result objects is slow)
    return render_block(results, render) if render else list(results)


def _blocks(results: Iterator[Any], render: str) -> Iterator[Block]:
    while (block := render_block(itertools.islice(results, chunk_size(render)), render)).count:
        yield block


def _factory(remember: bool) -> Callable[..., Engine]:
    """How a worker process makes its Engine (the options that are not the policy, backend and places)."""
    return functools.partial(Engine, remember=remember)


def brief_workers(policy: Policy, backend: str | None, remember: bool = True) -> None:
    """Have the workers :func:`~._parallel.prestart` started make their engines for ``policy`` now,
    beside this process making its own (``formasi evaluate --jobs N`` calls it between loading the
    policy and compiling it): the batch that takes them finds them up. ``backend`` None is the one
    Engine chooses (durable_rules where it imports; the warning is the Engine's to give)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BackendWarning)
        brief(_factory(remember), policy, resolve_backend(backend))


def _new_backend(backend: str | None, policy: Policy, remember: bool) -> Backend:
    if resolve_backend(backend, stacklevel=3) == "reference":  # the warning names the line making the Engine
        return ReferenceBackend(remember=remember)
    return DurableBackend(policy.name, remember=remember)  # BackendUnavailable if it was asked for and cannot be imported


def check_remember(remember: Any) -> bool:
    """``remember`` (see Engine), or InvalidArgument for anything but True or False."""
    if type(remember) is not bool:
        raise InvalidArgument(f"remember must be True or False, got {remember!r}")
    return remember


def resolve_backend(backend: str | None, stacklevel: int = 2) -> str:
    """The backend ``backend`` names ("durable" or "reference"); None is durable_rules where it
    imports, else the reference backend, announced with a BackendWarning (``stacklevel`` as for
    warnings.warn, counted from the caller)."""
    if backend is not None:
        return backend
    try:
        _durable.load_engine()
    except BackendUnavailable:
        warnings.warn("durable_rules is not available on this Python; using the reference "
                      "backend, which gives the same decisions. Pass backend='reference' to "
                      "silence this.", BackendWarning, stacklevel=stacklevel + 1)
        return "reference"
    return "durable"


def filter_names(policy: Policy, route: str | None, level: str | None) -> tuple[str | None, str | None]:
    """A route and a level (each a str, or None) as the policy names them, read as a record's request
    is: in any capitals and spacing, a level by its other spellings too ("Ahli Pertama"); as given
    where they name none (the caller says so)."""
    if isinstance(route, str):
        route = Names(tuple(policy.routes)).read(route) or route
    if isinstance(level, str):
        level = (policy.vocabularies.get("level") or Names(policy.levels)).read(level) or level
    return route, level


def check_filter(policy: Policy, plan: Plan, route: str | None, level: str | None) -> tuple[str | None, str | None]:
    """The route/level filter as the policy names them: read as a record's request is (any capitals
    and spacing, a level's other spellings: "Ahli Pertama"). One that no route of the policy in force
    can meet is a mistake: refuse it with the pairs there are, rather than decide nothing for everyone."""
    if route is None and level is None:
        return None, None
    for name, value in (("route", route), ("level", level)):
        if value is not None and not isinstance(value, str):
            raise InvalidArgument(f"{name} is one name (a str) or None, got {type(value).__name__} {value!r:.60}")
    route, level = filter_names(policy, route, level)
    if any((route is None or r == route) and (level is None or lv == level) for r, lv in plan.targets):
        return route, level
    pairs = ", ".join(f"{r}/{lv}" for r, lv in plan.targets)
    asked = "/".join([route or "*", level or "*"])
    raise InvalidArgument(f"no route and level of policy {policy.name} matches {asked} (route {route!r}, level "
                          f"{level!r}); the pairs are: {pairs} / tidak ada jalur dan jenjang {asked}")


def _many(value: Any, name: str, what: str) -> Iterable[Any]:
    """``value`` if it is an iterable of items; one record (a mapping), a text or a number is a mistake
    that iterating would hide (a dict gives its keys, a text its letters)."""
    if isinstance(value, (str, bytes, Mapping, Candidate)) or not isinstance(value, Iterable):
        one = " (for one record use evaluate())" if isinstance(value, (Mapping, Candidate)) else ""
        raise InvalidArgument(f"{name} must be an iterable of {what}, got {type(value).__name__}{one}")
    return value


def _check_jobs(jobs: Any) -> int:
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise InvalidArgument(f"jobs must be a whole number of 1 or more, got {jobs!r}")
    return jobs


def open_places_of(value: Mapping | str | os.PathLike | FormationResult | None,
                   levels: tuple[str, ...] | None = None) -> Formation | None:
    """The open places a ``formation=`` argument gives: a mapping, a file, or a computed formation's
    shortfall; None for none."""
    if value is None:
        return None
    if isinstance(value, FormationResult):  # a computed formation: its shortfall is open
        if value.problems:  # a rejected row's workload is missing from the need: the places would be wrong
            raise InputError(list(value.problems), f"the formation has {len(value.problems)} rejected input "
                             "problem(s); its open places would be wrong / data formasi berisi baris yang ditolak")
        return formation_from_mapping(value.open_places(), levels)
    if isinstance(value, Mapping):
        return formation_from_mapping(value, levels)
    if isinstance(value, (str, os.PathLike)):
        return read_formation(value, levels)
    if isinstance(value, Located):  # rows read already, each with its place
        return formation_from_rows(value.pairs, levels)
    raise InvalidArgument("formation must be a mapping {region: {level: open}} or a file path")


__all__ = ["BACKENDS", "BackendWarning", "Engine", "FormasiError"]
