"""The contract by which any distributed engine (Dask, Spark, ...) evaluates a batch in parts,
and gets back the bytes of one process. Needs no extra: :mod:`formasi_rules.extra.dask` builds
on it, and a Spark job can use it as it is (docs/distributed.md).

- :class:`Batch`: what every worker needs, small and picklable: the policy by its folder (as the
  workers see it) and digest, the formasi_rules version, the backend, the date, the options.
- :func:`evaluate_partition`: a pure function of the batch and ``(where, record)`` pairs, each
  ``where`` the record's place in the whole input (it appears in error records): one Block.
  Each worker process loads the policy once per folder and digest (a cache in this module),
  refuses a copy whose digest is not the batch's, and a formasi_rules of another version.
- :func:`mark_duplicates`: one candidate, one record: over the partitions' Blocks in input
  order, in one process, a later record with an id already seen becomes an error record
  naming the first, exactly as in one process. The workers do not look for duplicates.
- :func:`catalogue_line`: the compact layout's first line.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs
import orjson

from .. import __version__
from .._dates import as_date
from .._errors import EngineError, InvalidArgument
from ..engine._dedup import unique
from ..engine._engine import Engine, check_filter, check_remember, open_places_of, resolve_backend
from ..engine._result import Block, check_layout
from ..inputs import record_columns
from ..policy import Policy, load_checked

__all__ = ["Batch", "catalogue_line", "evaluate_partition", "mark_duplicates"]


@attrs.frozen
class Batch:
    """What every worker needs to evaluate its part of a batch: the policy by its folder (as
    the workers see it) and digest, the formasi_rules version, the backend, the date, the
    options. Small and picklable; build it with :meth:`Batch.of`."""

    folder: str
    digest: str
    version: str
    backend: str  # "durable" or "reference": chosen once, here, so every record names the same one
    as_of: dt.date
    layout: str = "compact"
    route: str | None = None
    level: str | None = None
    formation: dict[str, dict[str, int]] | None = None  # open places, already read
    # the names a record's fields may have (the record's own and those the policy adds): what a data
    # frame's columns are read as, here, where the policy's folder may be another machine's path
    columns: frozenset[str] = frozenset()
    remember: bool = True  # as Engine(remember=): False, every record decided afresh

    @classmethod
    def of(cls, policy: Policy, *, as_of: dt.date, layout: str = "compact",
           formation: Mapping | str | os.PathLike | Any = None, route: str | None = None,
           level: str | None = None, backend: str | None = None,
           folder: str | os.PathLike | None = None, remember: bool = True) -> Batch:
        """A batch of ``policy`` on ``as_of``, with the options of :meth:`Engine.evaluate_blocks`
        (``formation`` is read here, once). ``folder`` is where the workers find the policy
        (default: its folder here, made absolute); the base policies it extends must be
        beside it there too. ``backend`` None is durable_rules where it imports in this
        process, else the reference backend with a BackendWarning, as for an Engine; ``remember``
        as for an Engine."""
        if not isinstance(policy, Policy):
            raise InvalidArgument(f"Batch.of() takes a Policy from load_policy(), got {type(policy).__name__}")
        if policy.abstract:
            raise InvalidArgument(f"policy {policy.name} is a base (abstract: true) that position policies extend; "
                                  "evaluate a policy that extends it / kebijakan dasar tidak dievaluasi sendiri")
        if backend not in (None, "durable", "reference"):
            raise InvalidArgument(f"backend must be 'durable', 'reference' or None, got {backend!r}")
        return cls(folder=os.fspath(folder) if folder is not None else os.path.abspath(policy.root),
                   digest=policy.digest, version=__version__, backend=resolve_backend(backend, stacklevel=2),
                   as_of=as_date(as_of), layout=check_layout(layout), route=route, level=level,
                   formation=open_places_of(formation, policy.levels), columns=record_columns(policy),
                   remember=check_remember(remember))


_POLICIES: dict[tuple[str, str], Policy] = {}  # (folder, digest) -> the policy loaded from there
_ENGINES: dict[tuple, Engine] = {}  # (folder, digest, backend, formation, remember) -> its engine, oldest first
_KEEP = 4  # engines kept per worker process: a run uses one; a few runs may overlap
_LOCK = threading.Lock()  # a worker with several threads loads a policy once, not once per thread


def _engine(batch: Batch) -> Engine:
    """This process's engine for ``batch``: built on first use, from the folder, after checking the
    formasi_rules version and the policy's digest."""
    if batch.version != __version__:  # every batch, a cached engine's too
        raise EngineError(f"this worker has formasi_rules {__version__} and the client {batch.version}; "
                          "install the same version everywhere / versi formasi_rules pada pekerja berbeda")
    places = orjson.dumps(batch.formation, option=orjson.OPT_SORT_KEYS) if batch.formation else b""
    key = (batch.folder, batch.digest, batch.backend, places, batch.remember)
    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is not None:
            return engine
        policy = _POLICIES.get((batch.folder, batch.digest))
        if policy is None:
            policy = load_checked(batch.folder, batch.digest)
            if len(_POLICIES) >= _KEEP:
                del _POLICIES[next(iter(_POLICIES))]
            _POLICIES[(batch.folder, batch.digest)] = policy
        engine = Engine(policy, backend=batch.backend, formation=batch.formation, remember=batch.remember)
        if len(_ENGINES) >= _KEEP:
            _ENGINES.pop(next(iter(_ENGINES))).close()  # an evaluation still on it finishes first
        _ENGINES[key] = engine
        return engine


def evaluate_partition(batch: Batch, records: Iterable[tuple[str, Any]]) -> Block:
    """The pure part: one Block for ``(where, record)`` pairs (a record as
    :meth:`Engine.evaluate_blocks` takes it: a dict, a :class:`JsonLine`, an InputError), with
    ``where`` the record's place in the whole input. Duplicate ids are not looked for (see
    :func:`mark_duplicates`). Runs wherever it is called: on a Dask worker, in a Spark
    ``mapPartitions``, in this process."""
    engine = _engine(batch)
    route, level = check_filter(engine.policy, engine.plan(batch.as_of), batch.route, batch.level)
    return engine._part(records, batch.as_of, route, level, batch.layout)


def mark_duplicates(blocks: Iterable[Block]) -> Iterator[Block]:
    """Blocks in input order with every later record of an id already seen made an error record
    naming the first: the one-process rule, over the whole batch. The partitions' Blocks must
    come through here, in order, for the output to be one process's."""
    yield from unique(iter(blocks), blocks=True)


def catalogue_line(batch: Batch) -> bytes:
    """The first line of a compact run's JSON Lines (what ``formasi evaluate --format jsonl``
    writes first, and ``formasi expand`` reads): the run's catalogue, made in this process from
    the same cache as the workers' engines."""
    if batch.layout != "compact":
        raise InvalidArgument("only a compact run has a catalogue line; the full layout's records stand alone")
    return orjson.dumps(_engine(batch).catalogue(batch.as_of)) + b"\n"
