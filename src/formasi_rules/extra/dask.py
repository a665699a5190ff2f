"""A batch evaluated on a Dask cluster, byte for byte what one process writes.

When a national run outgrows one machine, the work goes to an engine built for that
(Dask here; Spark by the same contract, docs/distributed.md) rather than to more of
``--jobs``. Each partition is evaluated by a pure function of the policy (its folder and
digest), the date, the options and the partition's records with their places in the
whole input (:func:`evaluate_partition`). Two things need the whole stream, and this
module does them around the pure part:

- places: a record's place (``$[12]``, ``$[12] (line 14)``) appears in its error record, so
  each partition is told where it starts. The partitions are counted first (one cheap
  pass, read again afterwards: :meth:`dask.bag.Bag.persist` the input if it is costly to
  compute twice);
- one candidate, one record: a later record with an id already seen is an error record
  naming the first. The workers do not look for duplicates; this process applies the
  one-process rule over the partitions' Blocks, in order, as they arrive
  (:func:`mark_duplicates`). It sees ids and bytes it would write anyway.

Each worker process loads the policy once per folder and digest (a cache in this module),
refuses a copy whose digest is not the batch's, and refuses a formasi_rules of another
version than the client's.

    >>> import datetime as dt                                       # doctest: +SKIP
    >>> import dask.bag as db
    >>> from distributed import Client, LocalCluster
    >>> import formasi_rules as fr
    >>> from formasi_rules.extra import dask as frd
    >>> batch = frd.Batch.of(fr.load_policy("policies/pengantar_kerja"), as_of=dt.date(2025, 10, 9))
    >>> with LocalCluster(n_workers=2) as cluster, Client(cluster), open("out.jsonl", "wb") as out:
    ...     lines = db.read_text("candidates.jsonl", include_path=True, blocksize="8MiB")
    ...     out.write(frd.catalogue_line(batch))                 # the compact layout's first line
    ...     for block in frd.evaluate_jsonl(lines, batch):
    ...         out.write(block.text)

Needs the ``dask`` extra: ``pip install 'formasi-rules[dask]'``.
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import os
import threading
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

try:
    import dask
    import dask.bag
except ImportError as exc:  # the optional extra is not installed
    raise ImportError(f"formasi_rules.extra.dask needs the dask extra ({exc.name} is missing): "
                      "pip install 'formasi-rules[dask]'", name=exc.name) from None

import attrs
import orjson

from .. import __version__
from .._errors import BackendUnavailable, EngineError, InvalidArgument
from ..engine._dedup import unique
from ..engine._engine import BackendWarning, Engine, _check_filter, _date, _formation
from ..engine._parallel import load_checked
from ..engine._result import Block, check_layout, render_block
from ..inputs import JsonLine
from ..policy import Policy

__all__ = ["Batch", "catalogue_line", "evaluate_jsonl", "evaluate_partition", "evaluate_records",
           "mark_duplicates"]


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

    @classmethod
    def of(cls, policy: Policy, *, as_of: dt.date, layout: str = "compact",
           formation: Mapping | str | os.PathLike | Any = None, route: str | None = None,
           level: str | None = None, backend: str | None = None,
           folder: str | os.PathLike | None = None) -> Batch:
        """A batch of ``policy`` on ``as_of``, with the options of :meth:`Engine.evaluate_blocks`
        (``formation`` is read here, once). ``folder`` is where the workers find the policy
        (default: its folder here, made absolute); the base policies it extends must be
        beside it there too. ``backend`` None is durable_rules where it imports in this
        process, else the reference backend with a BackendWarning, as for an Engine."""
        if not isinstance(policy, Policy):
            raise InvalidArgument(f"Batch.of() takes a Policy from load_policy(), got {type(policy).__name__}")
        if policy.abstract:
            raise InvalidArgument(f"policy {policy.name} is a base (abstract: true) that position policies extend; "
                                  "evaluate a policy that extends it / kebijakan dasar tidak dievaluasi sendiri")
        if backend not in (None, "durable", "reference"):
            raise InvalidArgument(f"backend must be 'durable', 'reference' or None, got {backend!r}")
        return cls(folder=os.fspath(folder) if folder is not None else os.path.abspath(policy.root),
                   digest=policy.digest, version=__version__, backend=backend or _default_backend(),
                   as_of=_date(as_of), layout=check_layout(layout), route=route, level=level,
                   formation=_formation(formation, policy.levels))


def _default_backend() -> str:
    from ..engine._durable import load_engine

    try:
        load_engine()
    except BackendUnavailable:
        warnings.warn("durable_rules is not available on this Python; the batch uses the reference backend, "
                      "which gives the same decisions. Pass backend='reference' to silence this.",
                      BackendWarning, stacklevel=3)
        return "reference"
    return "durable"


# --- the workers' side ----------------------------------------------------------------------

_POLICIES: dict[tuple[str, str], Policy] = {}  # (folder, digest) -> the policy loaded from there
_ENGINES: dict[tuple, Engine] = {}  # (folder, digest, backend, formation) -> its engine, oldest first
_KEEP = 4  # engines kept per worker process: a run uses one; a few runs may overlap
_LOCK = threading.Lock()  # a worker with several threads loads a policy once, not once per thread


def _engine(batch: Batch) -> Engine:
    """This process's engine for ``batch``: built on first use, from the folder, after checking the
    formasi_rules version and the policy's digest."""
    places = orjson.dumps(batch.formation, option=orjson.OPT_SORT_KEYS) if batch.formation else b""
    key = (batch.folder, batch.digest, batch.backend, places)
    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is not None:
            return engine
        if batch.version != __version__:
            raise EngineError(f"this worker has formasi_rules {__version__} and the client {batch.version}; "
                              "install the same version everywhere / versi formasi_rules pada pekerja berbeda")
        policy = _POLICIES.get((batch.folder, batch.digest))
        if policy is None:
            policy = load_checked(batch.folder, batch.digest)
            if len(_POLICIES) >= _KEEP:
                del _POLICIES[next(iter(_POLICIES))]
            _POLICIES[(batch.folder, batch.digest)] = policy
        engine = Engine(policy, backend=batch.backend, formation=batch.formation)
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
    _check_filter(engine.policy, engine.plan(batch.as_of), batch.route, batch.level)
    pairs = list(records)
    return render_block(engine._rendered(pairs, batch.as_of, batch.route, batch.level, batch.layout),
                        batch.layout)


def _records_part(batch: Batch, part: Iterable[Any], start: int) -> Block:
    return evaluate_partition(batch, (item if isinstance(item, tuple) else (f"$[{start + i}]", item)
                                      for i, item in enumerate(part)))


def _lines_part(batch: Batch, part: Iterable[Any], starts: dict[str, tuple[int, int]]) -> Block:
    return evaluate_partition(batch, _placed(part, starts))


def _line(item: Any) -> tuple[str, str]:
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], str):
        return item
    raise InvalidArgument("evaluate_jsonl() takes the lines of dask.bag.read_text(..., include_path=True): "
                          f"(line, path) pairs, so that an error record names its file and line; got {item!r:.80}")


def _placed(part: Iterable[Any], starts: dict[str, tuple[int, int]]) -> Iterator[tuple[str, JsonLine]]:
    """Lines as ``read_records(path, parse=False)`` gives them: blank lines skipped, a byte-order
    mark on a file's first line dropped, ``$[i] (line n)`` counted per file from ``starts``
    (the lines and records of each file in the partitions before this one)."""
    at = {path: list(start) for path, start in starts.items()}
    for item in part:
        text, path = _line(item)
        pos = at.setdefault(path, [0, 0])
        pos[0] += 1
        if pos[0] == 1 and text.startswith("\ufeff"):
            text = text[1:]
        if not text.strip():
            continue
        yield f"$[{pos[1]}] (line {pos[0]})", JsonLine(text, path, pos[0])
        pos[1] += 1


def _count_lines(part: Iterable[Any]) -> list[tuple[str, int, int, bool]]:
    """Per file, in order of appearance: the partition's lines, its non-blank lines, and whether
    its first line is blank but for a byte-order mark (not a record if it is the file's first)."""
    counts: dict[str, list] = {}
    for item in part:
        text, path = _line(item)
        c = counts.get(path)
        if c is None:
            c = counts[path] = [0, 0, text.startswith("\ufeff") and not text[1:].strip()]
        c[0] += 1
        c[1] += bool(text.strip())
    return [(path, lines, records, mark) for path, (lines, records, mark) in counts.items()]


def _count(part: Iterable[Any]) -> int:
    return sum(1 for _ in part)


def _catalogue(batch: Batch) -> dict[str, Any]:
    return _engine(batch).catalogue(batch.as_of)


# --- the client's side ----------------------------------------------------------------------

def mark_duplicates(blocks: Iterable[Block]) -> Iterator[Block]:
    """Blocks in input order with every later record of an id already seen made an error record
    naming the first: the one-process rule, over the whole batch. The partitions' Blocks must
    come through here, in order, for the output to be one process's."""
    yield from unique(iter(blocks), blocks=True)


def evaluate_records(records: Any, batch: Batch, *, ahead: int | None = None) -> Iterator[Block]:
    """The Blocks of a Dask bag of records, in order: the bytes of
    ``Engine.evaluate_blocks(list(records), ...)`` in one process.

    The bag holds what :meth:`Engine.evaluate_blocks` takes: dicts (placed ``$[i]`` in the
    whole bag) or ``(where, record)`` pairs (placed as they say). At most ``ahead``
    partitions are computed ahead of the one handed out (default: two per worker thread),
    so memory stays flat in this process."""
    _check_batch(batch)
    if not isinstance(records, dask.bag.Bag):
        raise InvalidArgument(f"evaluate_records() takes a dask bag, got {type(records).__name__}")
    parts = records.to_delayed()
    return _run(parts, _records_part, batch, ahead, lambda: list(itertools.accumulate(
        dask.compute(*[dask.delayed(_count)(p) for p in parts]), initial=0)))


def evaluate_jsonl(lines: Any, batch: Batch, *, ahead: int | None = None) -> Iterator[Block]:
    """The Blocks of JSON Lines files read by ``dask.bag.read_text(paths, include_path=True)``
    (any ``blocksize``), in order: the bytes of ``Engine.evaluate_blocks`` over
    ``read_records(path, parse=False)`` of each file in turn, each file's record places and line
    numbers counted on their own; the workers parse the lines. A file is named as Dask names
    it (a local path made absolute). ``ahead`` as for :func:`evaluate_records`."""
    _check_batch(batch)
    if not isinstance(lines, dask.bag.Bag):
        raise InvalidArgument(f"evaluate_jsonl() takes a dask bag from dask.bag.read_text(), got "
                              f"{type(lines).__name__}")
    parts = lines.to_delayed()

    def starts() -> list[dict[str, tuple[int, int]]]:
        seen: dict[str, tuple[int, int]] = {}
        out = []
        for counts in dask.compute(*[dask.delayed(_count_lines)(p) for p in parts]):
            out.append({path: seen.get(path, (0, 0)) for path, *_ in counts})
            for path, n, records, mark in counts:
                before = seen.get(path, (0, 0))
                seen[path] = (before[0] + n, before[1] + records - (mark and before[0] == 0))
        return out

    return _run(parts, _lines_part, batch, ahead, starts)


def catalogue_line(batch: Batch) -> bytes:
    """The first line of a compact run's JSON Lines (what ``formasi evaluate --format jsonl``
    writes first, and ``formasi expand`` reads): the run's catalogue, made on a worker."""
    if batch.layout != "compact":
        raise InvalidArgument("only a compact run has a catalogue line; the full layout's records stand alone")
    return orjson.dumps(dask.delayed(_catalogue, pure=False)(batch).compute()) + b"\n"


def _check_batch(batch: Any) -> None:
    if not isinstance(batch, Batch):
        raise InvalidArgument(f"give a Batch (Batch.of(policy, as_of=...)), got {type(batch).__name__}")


def _run(parts: list, task: Any, batch: Batch, ahead: int | None, starts: Any) -> Iterator[Block]:
    if ahead is not None and (isinstance(ahead, bool) or not isinstance(ahead, int) or ahead < 1):
        raise InvalidArgument(f"ahead must be a whole number of 1 or more, got {ahead!r}")

    def blocks() -> Iterator[Block]:
        tasks = [dask.delayed(task, pure=False)(batch, p, s) for p, s in zip(parts, starts())]
        yield from mark_duplicates(_in_order(tasks, ahead))

    return blocks()


def _client() -> Any:
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        return default_client()
    except ValueError:  # no client: Dask's local scheduler
        return None


def _in_order(tasks: list, ahead: int | None) -> Iterator[Block]:
    """Each task's result in order, with at most ``ahead`` under way: on the distributed client if
    there is one (as futures, the next sent as each is handed out), else in rounds."""
    client = _client()
    if client is None:
        ahead = ahead or 2 * (os.cpu_count() or 1)
        for i in range(0, len(tasks), ahead):
            yield from dask.compute(*tasks[i:i + ahead])
        return
    ahead = ahead or 2 * max(1, sum(client.nthreads().values()))
    waiting = iter(tasks)
    futures: collections.deque = collections.deque(client.compute(t) for t in itertools.islice(waiting, ahead))
    try:
        while futures:
            block = futures.popleft().result()
            following = next(waiting, None)
            if following is not None:
                futures.append(client.compute(following))
            yield block
    finally:
        for future in futures:  # the caller stopped early, or a partition failed
            future.cancel()
