"""Taking a chunk back from a worker's queue (engine/_parallel.py, ``_Workers.steal``).

A chunk's file is claimed by renaming it; the calling process takes back only chunks no
worker has claimed, latest first, and never one twice. The whole protocol, with a worker that
is stopped and resumed, is tested in test_faults.py; here the claiming itself, without processes.
"""

import collections
import os
import pickle

from formasi_rules.engine._parallel import _Job, _Workers


class _Idle:
    """A worker seen from the calling process: only its queue of unanswered chunks."""

    def __init__(self):
        self.jobs = collections.deque()
        self.up = True


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
