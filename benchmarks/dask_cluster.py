"""A batch on Dask's local cluster against one process and --jobs 2, wall time, same bytes.

    python benchmarks/dask_cluster.py [N] [--rounds R] [--blocksize B]
        (defaults: N = 20000, R = 3, B = 1MiB: about 1,700 records a partition)

Writes N synthetic candidates (benchmarks/evaluate.py's generator) as JSON Lines, then times
the compact layout's Blocks of all of them, R rounds each, alternately:
  - one process: Engine.evaluate_blocks over read_records(path, parse=False);
  - --jobs 2: the same with jobs=2 (the home-made pool: this process and one worker);
  - Dask: formasi_rules.extra.dask.evaluate_jsonl over dask.bag.read_text(path, include_path=True,
    blocksize=B) on a LocalCluster of 2 worker processes, one thread each. The cluster's
    start and the first batch (each worker loading the policy) are timed on their own.
Every run's bytes are checked against the one process's. Prints best and median seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from evaluate import candidates  # noqa: E402  the same synthetic candidates

AS_OF = dt.date(2025, 10, 9)


def main() -> None:
    import dask.bag as db
    from distributed import Client, LocalCluster

    import formasi_rules as fr
    from formasi_rules.extra import dask as frd

    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--blocksize", default="1MiB")
    args = parser.parse_args()
    policy = fr.load_policy(HERE.parent / "policies" / "pengantar_kerja")
    engine = fr.Engine(policy, backend="durable")
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "candidates.jsonl")
        Path(path).write_text("".join(json.dumps(r) + "\n" for r in candidates(args.n)), encoding="utf-8")

        def local(jobs: int) -> bytes:
            return b"".join(b.text for b in engine.evaluate_blocks(fr.read_records(path, parse=False), as_of=AS_OF,
                                                                   layout="compact", jobs=jobs))
        want = local(1)
        start = time.perf_counter()
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=logging.ERROR) as cluster, Client(cluster):
            up = time.perf_counter() - start
            batch = frd.Batch.of(policy, as_of=AS_OF, backend="durable")
            lines = db.read_text(path, include_path=True, blocksize=args.blocksize)

            def on_dask() -> bytes:
                return b"".join(b.text for b in frd.evaluate_jsonl(lines, batch))
            start = time.perf_counter()
            assert on_dask() == want
            first = time.perf_counter() - start
            times: dict[str, list[float]] = {"one process": [], "--jobs 2": [], "dask, 2 workers": []}
            for _ in range(args.rounds):
                for name, run in (("one process", lambda: local(1)), ("--jobs 2", lambda: local(2)),
                                  ("dask, 2 workers", on_dask)):
                    start = time.perf_counter()
                    assert run() == want, name
                    times[name].append(time.perf_counter() - start)
        print(f"{args.n} records, {lines.npartitions} partitions of {args.blocksize}; cluster up in {up:.1f} s, "
              f"first Dask batch (workers load the policy) {first:.1f} s")
        for name, seconds in times.items():
            print(f"{name:>16}: best {min(seconds):.2f} s ({args.n / min(seconds):,.0f}/s), "
                  f"median {statistics.median(seconds):.2f} s")


if __name__ == "__main__":
    main()
