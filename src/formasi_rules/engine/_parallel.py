"""Evaluating a stream of records in several processes, in input order, with flat memory.

``jobs`` counts processes in all: the calling process and ``jobs - 1`` workers. Each
worker builds its own Engine from the policy folder (durable_rules holds the GIL, so
threads would not help; one engine per process is also what its notes advise) and checks
that the policy it loaded has the caller's digest. The calling process reads records,
sends chunks to the workers while fewer than a few per worker are queued, and otherwise
evaluates the next chunk itself; it yields results in the order the records came. On two
cores this keeps both busy without a third process competing with them.

Records and results cross processes cheaply: JSON Lines come unparsed
(``read_records(..., parse=False)``) and the workers parse them; rendered results come
back as one Block of bytes per chunk, which the command line writes as it is.
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import AsyncResult
from typing import Any

import attrs

from .._errors import EngineError, FormasiError, InputError
from ._result import render_block

CHUNK = 250  # records per chunk (see chunk_size)
IN_FLIGHT_PER_JOB = 3

_engine = None  # the worker's own Engine
_failure: BaseException | None = None  # why the worker could not start


def _start_worker(root: str, digest: str, backend: str, places: Any) -> None:
    # an exception here would make the pool start the worker again, forever: it is kept and
    # raised by the worker's tasks instead, so the calling process hears of it
    global _engine, _failure
    try:
        from ..policy import load_policy
        from ._engine import Engine

        policy = load_policy(root)
        if policy.digest != digest:
            raise EngineError(f"the policy in {root} changed after the batch started (its digest is now "
                              f"{policy.digest}); run the batch again")
        _engine = Engine(policy, backend=backend, formation=places)
    except Exception as exc:  # noqa: BLE001 - handed to the calling process by _up and _work
        _failure = exc


def _up() -> bool:
    """A task that returns once a worker has started (loaded and compiled its policy)."""
    if _failure is not None:
        raise _failure
    return True


def _work(job: tuple) -> Any:
    if _failure is not None:
        raise _failure
    items, as_of, route, level, render, spool = job
    records = [(where, InputError(problems) if problems is not None else record)
               for where, record, problems in items]
    done = _finish(_engine.evaluate_many(records, as_of=as_of, route=route, level=level), render)
    if render:  # the text goes through a file: a worker writing into a pipe would wait for the
        # calling process's result thread, which waits for the GIL while that process evaluates
        with open(spool, "wb") as f:
            f.write(done.text)
        done = attrs.evolve(done, text=b"")
    return done


def chunk_size(render: str | None) -> int:
    """Records per chunk: a tenth in the full layout, whose records are ~40x larger, so that a
    rendered block is a few MB either way."""
    return CHUNK // 10 if render == "full" else CHUNK


def _spool() -> str:
    try:
        return tempfile.mkdtemp(prefix="formasi-")
    except OSError as exc:
        raise FormasiError(f"cannot make a folder for the worker processes' output in {tempfile.gettempdir()} "
                           f"({exc.strerror}); set TMPDIR to a writable folder, or use one process "
                           "(--jobs 1)") from None


def _collect(job: Any, spool: str | None) -> Any:
    """What a chunk came to: a worker's (its block's text read back from ``spool``) or ours."""
    if not isinstance(job, AsyncResult):
        return job
    got = job.get()
    if spool is not None:
        with open(spool, "rb") as f:
            got = attrs.evolve(got, text=f.read())
        os.unlink(spool)
    return got


def _finish(results: Iterator[Any], render: str | None) -> Any:
    # finished text (in that layout) travels back far cheaper than result objects; each
    # result is rendered as it comes (holding a chunk of result objects is slow)
    return render_block(results, render) if render else list(results)


def evaluate_parallel(policy, backend: str, records: Iterable[Any], here: Callable[[list], Iterator[Any]],
                      as_of: dt.date, places: Any, route: str | None, level: str | None, jobs: int,
                      render: str | None = None) -> Iterator[Any]:
    """Results (or RecordErrors) in input order; with ``render`` (a layout), Blocks of them.
    ``here`` evaluates a list of ``(where, record)`` in this process, on the caller's engine;
    the workers load ``policy`` from its folder for ``backend`` ("durable" or "reference")."""
    spool = _spool() if render else None  # the workers' rendered blocks
    size = chunk_size(render)
    ctx = multiprocessing.get_context("spawn")
    workers = jobs - 1
    pool = ctx.Pool(workers, initializer=_start_worker, initargs=(policy.root, policy.digest, backend, places))
    # until a worker is up (a few tenths of a second), this process works alone rather than
    # queueing chunks it would then have to wait for
    started = pool.apply_async(_up)
    queued = workers * IN_FLIGHT_PER_JOB  # chunks the workers may have at once
    cap = 2 * queued + 2  # chunks finished or under way, waiting to be handed out in order
    pending: collections.deque = collections.deque()  # (records, AsyncResult or finished, spool file)
    numbered = enumerate(records)
    numbers = itertools.count()

    def chunk() -> list:
        return [item if isinstance(item, tuple) else (f"$[{i}]", item)
                for i, item in itertools.islice(numbered, size)]

    try:
        exhausted = False
        while True:
            if started.ready():
                started.get()  # a worker that could not start: its exception, here
            # keep the workers' queues full (exceptions pickle badly: an InputError goes as its problems)
            while not exhausted and len(pending) < cap and started.ready() and \
                    sum(isinstance(job, AsyncResult) and not job.ready() for _, job, _ in pending) < queued:
                items = chunk()
                exhausted = not items
                if items:
                    sent = [(w, None, r.problems) if isinstance(r, InputError) else (w, r, None) for w, r in items]
                    path = os.path.join(spool, str(next(numbers))) if render else None
                    job = pool.apply_async(_work, ((sent, as_of, route, level, render, path),))
                    pending.append((len(items), job, path))
            # then evaluate one chunk here, unless enough is already waiting
            if not exhausted and len(pending) < cap:
                items = chunk()
                exhausted = not items
                if items:
                    pending.append((len(items), _finish(here(items), render), None))
            # hand out what is finished at the head, in order; wait for the head only when there
            # is nothing else to do
            while pending and (exhausted or len(pending) >= cap
                               or not isinstance(pending[0][1], AsyncResult) or pending[0][1].ready()):
                size, job, path = pending.popleft()
                got = _collect(job, path)
                if (got.count if render else len(got)) != size:
                    raise EngineError(f"{size} records were evaluated into another number of results")
                if render:
                    yield got
                else:
                    yield from got
            if exhausted and not pending:
                break
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)
