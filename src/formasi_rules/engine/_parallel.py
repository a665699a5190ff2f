"""Evaluating a stream of records in several processes, in input order, with flat memory.

Each worker process builds its own Engine from the policy folder (durable_rules holds the
GIL, so threads would not help; one engine per process is also what its notes advise) and
checks that the policy it loaded has the digest the caller's has. The main process reads
records, sends them in chunks, keeps only a few chunks in flight, and yields results in the
order the records came.

The main process shares the two cores with the workers, so it does as little as it can:
JSON Lines come to it unparsed (``read_records(..., parse=False)``) and the workers parse
them; rendered results come back as one text per chunk, split into lines only here.
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import multiprocessing
from collections.abc import Iterable, Iterator
from typing import Any

from .._errors import EngineError, InputError
from ._result import RecordError

CHUNK = 250
IN_FLIGHT_PER_JOB = 3

_engine = None  # the worker's own Engine


def _start_worker(root: str, digest: str, backend: str, places: Any) -> None:
    global _engine
    from ..policy import load_policy
    from ._engine import Engine

    policy = load_policy(root)
    if policy.digest != digest:
        raise EngineError(f"the policy in {root} changed while the batch started ({policy.digest})")
    _engine = Engine(policy, backend=backend, formation=places)


def _work(job: tuple) -> Any:
    items, as_of, route, level, render = job
    records = [(where, InputError(problems) if problems is not None else record)
               for where, record, problems in items]
    results = _engine.evaluate_many(records, as_of=as_of, route=route, level=level)
    if not render:
        return list(results)
    # finished text (in that layout) travels back far cheaper than result objects: one text
    # per chunk (orjson never writes a raw newline), and the error records on the side
    texts, errors = [], {}
    for i, result in enumerate(results):
        texts.append(result.to_json(render))
        if isinstance(result, RecordError):
            errors[i] = result
    return "\n".join(texts), errors


def _lines(chunk: Any, expected: int) -> Iterator[tuple[str, RecordError | None]]:
    text, errors = chunk
    lines = text.split("\n") if expected else []
    if len(lines) != expected:
        raise EngineError(f"a worker sent {len(lines)} results for {expected} records")
    for i, line in enumerate(lines):
        yield line, errors.get(i)


def evaluate_parallel(engine, records: Iterable[Any], as_of: dt.date, places: Any, route: str | None,
                      level: str | None, jobs: int, render: str | None = None) -> Iterator[Any]:
    ctx = multiprocessing.get_context("spawn")
    backend = "reference" if engine.backend.name == "reference" else "durable"
    pool = ctx.Pool(jobs, initializer=_start_worker,
                    initargs=(engine.policy.root, engine.policy.digest, backend, places))
    pending: collections.deque = collections.deque()
    try:
        numbered = ((i, item) for i, item in enumerate(records))
        while True:
            chunk = list(itertools.islice(numbered, CHUNK))
            if chunk:
                items = []
                for i, item in chunk:
                    where, record = item if isinstance(item, tuple) else (f"$[{i}]", item)
                    if isinstance(record, InputError):  # exceptions do not cross processes well
                        items.append((where, None, record.problems))
                    else:
                        items.append((where, record, None))
                pending.append((len(items), pool.apply_async(_work, ((items, as_of, route, level, render),))))
            if pending and (not chunk or len(pending) >= jobs * IN_FLIGHT_PER_JOB):
                size, done = pending.popleft()
                yield from _lines(done.get(), size) if render else done.get()
            elif not chunk:
                break
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
