"""Taking a chunk back from a worker's queue (engine/_parallel.py, ``_Workers.steal``), and what
the calling process makes of the worker's answers about such chunks (``_Workers._hear``).

A chunk's file is claimed by renaming (or removing) it; the calling process takes back only chunks
no worker has claimed, latest first, and never one twice. The whole protocol, with a worker that
is stopped and resumed, is tested in test_faults.py; here its parts, without processes.
"""

import collections
import os
import pickle

import pytest

from formasi_rules._errors import EngineError, WorkerError
from formasi_rules.engine._parallel import _Job, _Workers


class _Idle:
    """A worker seen from the calling process: its queue of unanswered chunks, and what it says."""

    def __init__(self):
        self.jobs = collections.deque()
        self.up = True
        self.conn = _Said()


class _Said:
    """The calling process's end of a worker's pipe, holding what the worker said."""

    def __init__(self):
        self.messages = collections.deque()

    def poll(self) -> bool:
        return bool(self.messages)

    def recv(self):
        return self.messages.popleft()


def _pool(tmp_path, queued: int) -> tuple[_Workers, _Idle]:
    pool = _Workers(0, (), str(tmp_path))
    worker = _Idle()
    pool.all.append(worker)
    for n in range(queued):
        inbox = tmp_path / f"{n}.in"
        items = [(f"$[{n}]", {"id": str(n)})]
        inbox.write_bytes(pickle.dumps(items))
        worker.jobs.append(_Job(n, str(inbox), str(tmp_path / f"{n}.out"), items))
    return pool, worker


def test_the_latest_unclaimed_chunk_is_taken_back_first_and_once(tmp_path):
    pool, worker = _pool(tmp_path, 3)
    first = pool.steal()
    assert first.number == 2 and not os.path.exists(first.inbox)
    first.given = "evaluated here"
    assert pool.steal().number == 1  # the one taken already is passed over
    pool.all.clear()


def test_a_chunk_a_worker_claimed_is_never_taken_back_nor_any_before_it(tmp_path):
    pool, worker = _pool(tmp_path, 3)
    os.rename(worker.jobs[2].inbox, worker.jobs[2].inbox + ".taken")  # what the worker does on starting it
    assert pool.steal() is None  # a worker starts its chunks in order: the earlier ones are its too
    assert os.path.exists(worker.jobs[0].inbox) and os.path.exists(worker.jobs[1].inbox)
    assert pool.stolen == 0
    pool.all.clear()


def test_a_skipped_chunk_is_answered_and_a_late_result_of_one_done_here_is_thrown_away(tmp_path):
    pool, worker = _pool(tmp_path, 3)
    taken = pool.steal()  # chunk 2: the worker will find it gone and skip it
    taken.given = "evaluated here"
    worker.jobs[0].given = "evaluated here too"  # chunk 0: overdue, done here while the worker was on it
    outbox = tmp_path / "0.out"
    outbox.write_bytes(pickle.dumps("the worker's late result"))
    worker.conn.messages.extend([("done", 0), ("done", 1), ("skipped", 2)])
    jobs = list(worker.jobs)
    pool._hear(worker)
    assert not worker.jobs
    assert not outbox.exists()  # the late result of a chunk done here is not left in the spool
    assert [j.result() for j in (jobs[0], jobs[2])] == ["evaluated here too", "evaluated here"]
    assert jobs[1].done and not jobs[2].done  # a skipped chunk is not the worker's to give
    pool.all.clear()


def test_an_answer_out_of_order_is_an_engine_error(tmp_path):
    pool, worker = _pool(tmp_path, 2)
    worker.conn.messages.append(("done", 1))
    with pytest.raises(EngineError, match="answered chunk 1 for chunk 0"):
        pool._hear(worker)
    pool.all.clear()


class _Gone:
    """A worker that died since it was last heard: its pipe refuses what is sent."""

    def __init__(self):
        self.jobs = collections.deque()
        self.up = True
        self.conn = self
        self.process = self
        self.exitcode = -15

    def send(self, message):
        raise BrokenPipeError(32, "Broken pipe")

    def join(self, timeout=None):
        pass


def test_a_chunk_sent_to_a_worker_that_died_is_a_worker_error_not_a_closed_pipe(tmp_path):
    # a BrokenPipeError reaching the command line reads as standard output's reader gone: exit 0,
    # the output thrown away, not a word said
    pool = _Workers(0, (), str(tmp_path))
    gone = _Gone()
    pool.all.append(gone)
    with pytest.raises(WorkerError, match="ended unexpectedly .killed by SIGTERM."):
        pool.send(gone, [("$[0]", {"id": "0"})], None, None, None, "compact")
    pool.all.clear()
