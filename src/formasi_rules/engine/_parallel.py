"""Evaluating a stream of records in several processes, in input order, with flat memory.

``jobs`` counts processes in all: the calling process and ``jobs - 1`` workers. Each
worker makes its own Engine (durable_rules holds the GIL, so threads would not help; one engine
per process is also what its notes advise) from the calling process's own Policy, sent over its
pipe (pickled: ~80 KB, 2 ms to read), so a worker evaluates by exactly the policy the batch
began with, whatever its folder holds by then. ``formasi evaluate --jobs N`` starts its workers
first (:func:`prestart`: each imports the engine's modules while this process loads the policy)
and sends them the policy as soon as it is read (:func:`brief`): each makes its engine beside
this process making its own, and is up when the batch begins. The calling process reads
records, sends chunks to the workers while fewer than a few per worker are queued, and
otherwise evaluates the next chunk itself; it yields results in the order the records came. On
two cores this keeps both busy without a third process competing with them.

The workers are plain processes, each with a pipe of its own to this one, not a process
pool: a pool replaces a worker that dies and waits for its lost chunk forever
(multiprocessing.Pool), or hangs at exit on a result half sent (concurrent.futures). Here
a worker that dies (killed, out of memory) is seen at once through its process sentinel
and ends the batch with a WorkerError: the results before the lost chunk have been handed
out and nothing after it, so what was written is valid and in order. The other workers are
ended with it; a worker whose calling process is gone reads the end of its pipe and ends
too. Nothing runs in a thread of this process, so nothing can keep it from exiting.

Bulk goes through files in a spool folder, and the pipes carry only a chunk's number:
neither side ever waits for the other to read (a worker writing its results into a pipe
would wait while this process evaluates a chunk of its own). JSON Lines come unparsed
(``read_records(..., parse=False)``) and the workers parse them; rendered results come
back as one Block of bytes per chunk, which the command line writes as it is.

When the calling process would wait for a worker's chunk (its own share is done, or enough
is finished ahead of that chunk), it first takes back the last chunk sent to a worker that no
worker has started, and evaluates it itself; a chunk's file is claimed by renaming it, by
whichever side renames it first, so such a chunk is evaluated once. If the chunk it waits for
is still not done after half the time this process takes for a chunk of its own, the worker
is starved (a machine whose other cores are busy): this process evaluates that chunk too and
uses its own result (the worker's, when it comes, is thrown away). So a batch with workers is
never held back by them for much longer than that; on a quiet machine the workers finish their
chunks in time and keep them. A worker that dies still ends the batch with WorkerError, even
when this process holds everything it was sent: a worker lost is a fault to report, not to hide.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import gc
import itertools
import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from multiprocessing.connection import wait
from typing import Any

import attrs

from .._errors import EngineError, FormasiError, WorkerError

CHUNK = 250  # records per chunk (see chunk_size)
IN_FLIGHT_PER_JOB = 3


def _portable(exc: BaseException) -> FormasiError:
    """An exception fit to send: ours as they are (they pickle whole, problems and all), anything
    else as an EngineError with its text (exceptions with extra constructor arguments do not
    survive pickling)."""
    if isinstance(exc, FormasiError):
        return exc
    return EngineError(f"a worker process failed: {type(exc).__name__}: {exc}")


def _spool_full(exc: OSError) -> FormasiError:
    return FormasiError(f"cannot write the worker processes' files in {tempfile.gettempdir()} ({exc.strerror or exc}); "
                        "set TMPDIR to a folder with room, or use one process (--jobs 1) / folder sementara penuh")


def _serve(conn) -> None:
    """A worker: make an engine when told, ``("make", number, factory, policy, backend, places)``
    (``factory`` is the Engine class with its options, passed in so that this module never
    imports the one that starts it), and say ``("up", number)`` or ``("failed", (number,
    error))``; evaluate each chunk it is sent on the engine made last; end when told (None) or
    when its pipe closes (the calling process is gone). A prestarted worker is told to make one
    early (:func:`brief`) and again if the batch that takes it needs another."""
    # Ctrl-C reaches the whole process group: the calling process handles it and ends the workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    engine = None
    try:
        while True:
            try:
                job = conn.recv()
            except EOFError:
                return
            if job is None:
                return
            if job[0] == "make":
                engine = _made(conn, engine, *job[1:])
                continue
            number, inbox, outbox, as_of, route, level, render = job
            try:
                try:  # claimed by renaming: the calling process may have taken the chunk back
                    os.rename(inbox, inbox + ".taken")
                except FileNotFoundError:
                    conn.send(("skipped", number))
                    continue
                with open(inbox + ".taken", "rb") as f:
                    records = pickle.load(f)
                os.unlink(inbox + ".taken")
                done = engine._part(records, as_of, route, level, render)
                try:
                    with open(outbox, "wb") as f:
                        pickle.dump(done, f, protocol=pickle.HIGHEST_PROTOCOL)
                except OSError as exc:  # a full TMPDIR: the user's to fix, not a bug
                    raise _spool_full(exc) from None
                conn.send(("done", number))
            except Exception as exc:  # noqa: BLE001 - handed to the calling process
                conn.send(("error", _portable(exc)))
    except (BrokenPipeError, EOFError):  # the calling process is gone
        return
    finally:
        if engine is not None:
            engine.close()


def _made(conn, engine: Any, number: int, factory: Callable[..., Any], policy: Any, backend: str,
          places: Any) -> Any:
    """A worker's new engine (the one it had closed), or None if it cannot be made (said)."""
    if engine is not None:
        gc.unfreeze()
        engine.close()
    try:
        engine = factory(policy, backend=backend, formation=places)
    except Exception as exc:  # noqa: BLE001 - handed to the calling process (which may not need it)
        conn.send(("failed", (number, _portable(exc))))
        return None
    conn.send(("up", number))
    # the policy, the engine and the modules live as long as the worker: the collector's full passes
    # need not walk them (as `formasi evaluate` does in the calling process)
    gc.freeze()
    return engine


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


@attrs.define(eq=False)
class _Job:
    """A chunk sent to a worker: done once the worker said so; its result is in ``outbox``."""

    number: int
    inbox: str
    outbox: str
    items: list  # the chunk, kept to be evaluated here if it is taken back (see steal)
    done: bool = False
    given: Any = None  # the result, when this process evaluated the chunk itself

    def result(self) -> Any:
        if self.given is not None:
            return self.given
        with open(self.outbox, "rb") as f:
            got = pickle.load(f)
        os.unlink(self.outbox)
        return got


class _Worker:
    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, there = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_serve, args=(there,), daemon=True, name="formasi-worker")
        self.process.start()
        there.close()  # only the worker holds its end: its death closes the pipe
        self.up = False  # its engine made: the one asked for last
        self.making: tuple[int, Any] = (-1, None)  # the number and the kind (see _kind) of the engine asked for last
        self.jobs: collections.deque[_Job] = collections.deque()  # sent, not answered, in order

    def make(self, factory: Callable[..., Any], policy: Any, backend: str, places: Any) -> None:
        """Ask for an engine (see _serve); the worker is up once it says it made this one."""
        number = next(_MAKES)
        self.conn.send(("make", number, factory, policy, backend, places))
        self.making, self.up = (number, _kind(factory, policy, backend, places)), False


_MAKES = itertools.count()


def _kind(factory: Callable[..., Any], policy: Any, backend: str, places: Any) -> Any:
    """What tells two engines apart for a batch, or None with open places (their engine is always
    made for the batch: they come late, from a file or a workload, and are rarely alike). The
    policy is compared whole, not by its digest: a copy in another folder, or one changed in
    memory, keeps the digest of its files (the same object compares at once)."""
    if places is not None:
        return None
    if isinstance(factory, functools.partial):
        factory = (factory.func, factory.args, tuple(sorted(factory.keywords.items())))
    return factory, policy, backend


# workers started by prestart, not yet taken by a batch
_PRESTARTED: list[_Worker] = []


def prestart(count: int) -> None:
    """Start ``count`` workers now, before this process loads its policy: each imports the engine's
    modules beside this process, and makes its engine once it is sent the policy (:func:`brief`),
    and the next batch with workers takes them instead of starting its own when it is ready
    (``formasi evaluate --jobs N`` does this first thing). Those no batch takes are ended by
    :func:`discard_prestarted`, or at exit (they are daemons). A worker that cannot be started (no
    process left to this user) is not: the batch meets the same and says so, as without this."""
    for _ in range(count):
        try:
            _PRESTARTED.append(_Worker())
        except OSError:
            return


def brief(factory: Callable[..., Any], policy: Any, backend: str) -> None:
    """Have the prestarted workers make their engines for ``policy`` now (``factory(policy,
    backend=backend, formation=None)``), beside this process making its own. A batch that needs
    another (another policy or backend, or open places) has its workers make that one; a worker's
    engine that could not be made is said only to a batch that needs it."""
    for w in _PRESTARTED:
        try:
            w.make(factory, policy, backend, None)
        except OSError:  # dead already: the batch that takes it says so
            pass


def discard_prestarted() -> None:
    """End the workers :func:`prestart` started that no batch took."""
    idle, _PRESTARTED[:] = list(_PRESTARTED), []
    _end(idle, force=True)  # (none holds anything yet: ended at once, not after its engine is made)


def _prestarted(count: int) -> list[_Worker]:
    """Up to ``count`` prestarted workers, taken; any others are ended."""
    taken = [w for w in _PRESTARTED if w.process.is_alive()][:count]
    _PRESTARTED[:] = [w for w in _PRESTARTED if w not in taken]
    discard_prestarted()
    return taken


class _Workers:
    """The worker processes, and what each was sent. ``args``: ``(factory, policy, backend,
    places)``, each worker's engine (see _serve)."""

    def __init__(self, count: int, args: tuple, spool: str):
        self.spool = spool
        self.numbers = itertools.count()
        self.all: list[_Worker] = []
        self.done = 0  # records handed out, for the message if a worker dies
        self.stolen = 0  # chunks taken back from the workers' queues
        self.duplicated = 0  # chunks a starved worker was on that this process did as well
        if not count:
            return
        try:
            self.all = _prestarted(count)
            while len(self.all) < count:
                try:
                    self.all.append(_Worker())
                except OSError as exc:  # the machine's to fix (no process left to this user), not a bug
                    raise FormasiError(
                        f"cannot start a worker process ({exc.strerror or exc}); use fewer processes: --jobs "
                        f"{len(self.all) + 1} at most / proses pekerja tidak dapat dimulai") from None
            kind = _kind(*args)
            for w in self.all:
                if kind is None or w.making[1] != kind:  # (one briefed for this batch is made, or nearly)
                    try:
                        w.make(*args)
                    except OSError:  # a worker dead already (a prestarted one, killed): poll says so
                        pass
        except BaseException:
            self.end(force=True)
            raise

    def poll(self, timeout: float | None) -> None:
        """Take in what the workers said within ``timeout`` seconds (None: until one says
        something); raise what a worker raised, or WorkerError if one died."""
        conns = {w.conn: w for w in self.all}
        sentinels = {w.process.sentinel: w for w in self.all}
        for ready in wait([*conns, *sentinels], timeout):
            if ready in conns:
                self._hear(conns[ready])
        for w in self.all:  # a dead worker: after reading what it said last
            if w.process.exitcode is not None and not w.conn.poll():
                raise WorkerError(_lost(w.process.exitcode, self.done))

    def _hear(self, w: _Worker) -> None:
        while w.conn.poll():
            try:
                kind, data = w.conn.recv()
            except (EOFError, OSError):
                w.process.join(1)
                raise WorkerError(_lost(w.process.exitcode, self.done)) from None
            except Exception as exc:  # noqa: BLE001 - an error that pickled but cannot be rebuilt here
                raise EngineError(f"a worker process sent what cannot be read back ({type(exc).__name__}: "
                                  f"{exc})") from None
            if kind == "up":
                w.up = w.up or data == w.making[0]  # (not an engine asked for before this one)
            elif kind in ("done", "skipped"):  # skipped: a chunk this process took back (see steal)
                job = w.jobs.popleft()
                if job.number != data:
                    raise EngineError(f"a worker answered chunk {data} for chunk {job.number}")
                if kind == "done" and job.given is not None:  # this process did it first: not needed
                    _discard(job.outbox)
                job.done = job.done or kind == "done"
            elif kind == "failed":  # could not make its engine: said if it is the one asked for last
                number, error = data
                if number == w.making[0]:
                    raise error
            else:  # "error"
                raise data

    def idle(self, limit: int) -> _Worker | None:
        """An up worker with fewer than ``limit`` chunks queued (the least busy), or None."""
        up = [w for w in self.all if w.up and len(w.jobs) < limit]
        return min(up, key=lambda w: len(w.jobs)) if up else None

    def steal(self) -> _Job | None:
        """The last chunk sent to a worker that no worker has started, claimed for this process
        (its file renamed before the worker could), or None."""
        for w in sorted(self.all, key=lambda w: -len(w.jobs)):
            for job in reversed(w.jobs):
                if job.done or job.given is not None:
                    continue
                try:  # as atomic a claim as the worker's rename: exactly one of the two succeeds
                    os.unlink(job.inbox)
                except FileNotFoundError:  # the worker has it: so it has every earlier one too
                    break
                self.stolen += 1
                return job
        return None

    def send(self, w: _Worker, items: list, as_of, route, level, render) -> _Job:
        number = next(self.numbers)
        inbox = os.path.join(self.spool, f"{number}.in")
        job = _Job(number, inbox, os.path.join(self.spool, f"{number}.out"), items)
        try:  # an InputError (a line that could not be read) pickles whole, problems and all
            with open(inbox, "wb") as f:
                pickle.dump(items, f, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError as exc:
            raise _spool_full(exc) from None
        w.jobs.append(job)
        try:
            w.conn.send((number, inbox, job.outbox, as_of, route, level, render))
        except OSError:  # the worker died since it was last heard: a BrokenPipeError must not reach the
            w.process.join(1)  # command line, which takes it for a reader gone from standard output
            raise WorkerError(_lost(w.process.exitcode, self.done)) from None
        return job

    def end(self, force: bool) -> None:
        """Stop every worker and make sure none outlives this call (see :func:`_end`)."""
        _end(self.all, force)
        self.all = []


def _end(workers: list[_Worker], force: bool) -> None:
    """Stop ``workers`` and make sure none outlives this call: asked to stop (``force`` False) and
    given a moment, else ended."""
    if not force:
        for w in workers:
            try:
                w.conn.send(None)
            except OSError:
                pass
        for w in workers:
            w.process.join(5)
    for w in workers:
        if w.process.is_alive():
            w.process.terminate()
    for w in workers:
        w.process.join(5)
        if w.process.is_alive():
            w.process.kill()
            w.process.join()
        w.conn.close()
        w.process.close()


def _discard(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _lost(exitcode: int | None, done: int) -> str:
    how = ""
    if exitcode is not None and exitcode < 0:
        try:
            how = f" (killed by {signal.Signals(-exitcode).name})"
        except ValueError:
            how = f" (killed by signal {-exitcode})"
    elif exitcode:
        how = f" (exit status {exitcode})"
    return (f"a worker process ended unexpectedly{how}; the batch stopped after {done} record(s), and the "
            f"output holds those, in order / proses pekerja berhenti tiba-tiba; {done} rekaman selesai. "
            "If it was killed for memory, use fewer --jobs or the compact layout")


def evaluate_parallel(policy, backend: str, records: Iterable[Any], here: Callable[[list], Any],
                      as_of: dt.date, places: Any, route: str | None, level: str | None, jobs: int,
                      render: str | None, factory: Callable[..., Any]) -> Iterator[Any]:
    """Results (or RecordErrors) in input order; with ``render`` (a layout), Blocks of them.
    ``here`` evaluates a list of ``(where, record)`` in this process, on the caller's engine, into
    what a worker sends back for it (``Engine._part``); the workers make their engines with
    ``factory(policy, backend=backend, formation=places)`` (``backend``: "durable" or "reference")."""
    spool = _spool()  # chunks to the workers and their results back
    size = chunk_size(render)
    pool: _Workers | None = None
    clean = False
    try:
        pool = _Workers(jobs - 1, (factory, policy, backend, places), spool)
        # until a worker is up (a few tenths of a second), this process works alone rather than
        # queueing chunks it would then have to wait for
        cap = 2 * (jobs - 1) * IN_FLIGHT_PER_JOB + 2  # chunks finished or under way, handed out in order
        pending: collections.deque = collections.deque()  # (records, _Job or finished)
        numbered = enumerate(records)
        failed: list[Exception] = []  # what the records' iterable raised: raised once those before are out

        def chunk() -> list:
            items: list = []
            if failed:
                return items
            try:
                for i, item in itertools.islice(numbered, size):
                    where, record = item if isinstance(item, tuple) else (f"$[{i}]", item)
                    if not isinstance(record, dict) and isinstance(record, Mapping):
                        record = dict(record)  # read as an object all the same, and sent: a mappingproxy cannot be
                    items.append((where, record))
            except Exception as exc:  # noqa: BLE001 - the records read before it are evaluated first
                failed.append(exc)
            return items

        exhausted = False
        patience = 0.05  # seconds; then half the time this process takes for a chunk (see the docstring)
        while True:
            pool.poll(0)
            # keep the workers' queues full
            while not exhausted and len(pending) < cap and (w := pool.idle(IN_FLIGHT_PER_JOB)) is not None:
                items = chunk()
                exhausted = not items or bool(failed)
                if items:
                    pending.append((len(items), pool.send(w, items, as_of, route, level, render)))
            # then evaluate one chunk here, unless enough is already waiting
            if not exhausted and len(pending) < cap:
                items = chunk()
                exhausted = not items or bool(failed)
                if items:
                    started = time.monotonic()
                    pending.append((len(items), here(items)))
                    # how long to wait for a worker's chunk before doing it here: half of ours
                    patience = 0.8 * patience + 0.2 * (time.monotonic() - started) / 2
            # hand out what is finished at the head, in order; wait for the head only when there
            # is nothing else to do
            while pending and (exhausted or len(pending) >= cap or not isinstance(pending[0][1], _Job)
                               or pending[0][1].done or pending[0][1].given is not None):
                count, job = pending.popleft()
                if isinstance(job, _Job):
                    deadline = time.monotonic() + patience
                    while not job.done and job.given is None:
                        # rather than wait: a chunk no worker has started (this one, or a later one) ...
                        taken = pool.steal()
                        if taken is not None:
                            taken.given = here(taken.items)
                            pool.poll(0)
                            deadline = time.monotonic() + patience  # the worker had that time too
                            continue
                        left = deadline - time.monotonic()
                        if left > 0:
                            pool.poll(left)
                            continue
                        # ... or, once it is overdue, the chunk a starved worker is still on
                        job.given = here(job.items)
                        pool.duplicated += 1
                    job = job.result()
                if (job.count if render else len(job)) != count:
                    raise EngineError(f"{count} records were evaluated into another number of results")
                pool.done += count
                if render:
                    yield job
                else:
                    yield from job
            if exhausted and not pending:
                break
        clean = True
        if failed:  # every record before it has been given out
            raise failed[0]
    finally:
        if pool is not None:
            pool.end(force=not clean)
        shutil.rmtree(spool, ignore_errors=True)
