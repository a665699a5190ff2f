"""The national batch, measured through the command line as a user runs it.

    python benchmarks/batch.py [N] [--rounds R] [--busy B] [--memory-to M]
        (defaults: N = 200000, R = 3, B = 0, M = 0: skip the long memory run)

1. Writes N synthetic candidates (the generator of benchmarks/evaluate.py) to a JSON Lines
   file and runs, alternately R times each,
       formasi evaluate FILE --as-of 2025-10-09 --format jsonl --jobs J -q -o /dev/null
   for J = 1 and J = 2, and prints the best and median rate of each and their ratios.
   The median matters: timings on this shared 2-core machine vary by 10-30 % from run to run.
   With --busy B, B processes spin on the processor during every run, the same load for both
   (a busy machine, made repeatable): --jobs 2 must then be no slower than --jobs 1.
2. With --memory-to M: streams 10,000 and then M candidates through standard input
   (formasi evaluate - --input-format jsonl, so no file of M records is written) and prints
   the peak RSS of each run and the difference.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from evaluate import candidates  # noqa: E402  the same synthetic candidates

FORMASI = [shutil.which("formasi") or str(Path(sys.executable).parent / "formasi")]
ARGS = ["--as-of", "2025-10-09", "--format", "jsonl", "-q", "--policies", str(HERE.parent / "policies")]
# runs the CLI inside a process that then reports its own peak RSS (in KB) on the last stderr line
MEASURED = [sys.executable, "-c",
            "import resource, sys\nfrom formasi_rules.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"]


def timed_run(path: Path, jobs: int) -> float:
    start = time.perf_counter()
    subprocess.run([*FORMASI, "evaluate", str(path), *ARGS, "--jobs", str(jobs), "-o", "/dev/null"],
                   check=True, capture_output=True)
    return time.perf_counter() - start


def peak_rss_mb(n: int) -> float:
    proc = subprocess.Popen([*MEASURED, "evaluate", "-", "--input-format", "jsonl", *ARGS, "-o", "/dev/null"],
                            stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.extend(proc.stderr))
    reader.start()
    for rec in candidates(n, seed=7):
        proc.stdin.write(json.dumps(rec) + "\n")
    proc.stdin.close()
    proc.wait()
    reader.join()
    summary = [line for line in err if "record(s)" in line]
    if proc.returncode != 0 or not summary or f"{n} record(s): {n} evaluated" not in summary[0]:
        raise SystemExit(f"the memory run of {n} failed: {''.join(err)[-500:]}")
    return int(err[-1]) / 1024


def spinning(count: int) -> list[subprocess.Popen]:
    """``count`` processes that keep a processor busy until they are ended."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--busy", type=int, default=0, help="processes spinning beside every run")
    parser.add_argument("--memory-to", type=int, default=0)
    opts = parser.parse_args()
    print(f"python {sys.version.split()[0]}, formasi evaluate FILE --format jsonl (compact), "
          f"{opts.n} candidates, {opts.rounds} rounds" + (f", {opts.busy} spinning processes beside" if opts.busy
                                                          else ""))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "candidates.jsonl"
        with open(path, "w") as f:
            for rec in candidates(opts.n):
                f.write(json.dumps(rec) + "\n")
        times: dict[int, list[float]] = {1: [], 2: []}
        load = spinning(opts.busy)
        try:
            for _ in range(opts.rounds):
                for jobs in (1, 2):
                    times[jobs].append(timed_run(path, jobs))
        finally:
            for p in load:
                p.kill()
                p.wait()
    for jobs, seconds in times.items():
        print(f"jobs={jobs}: best {opts.n / min(seconds):7.0f} candidates/s, median "
              f"{opts.n / statistics.median(seconds):7.0f}/s   (runs: {', '.join(f'{s:.1f}' for s in seconds)} s)")
    print(f"speed-up jobs=2 / jobs=1: best {min(times[1]) / min(times[2]):.2f}, "
          f"median {statistics.median(times[1]) / statistics.median(times[2]):.2f}")
    if opts.memory_to:
        small, large = peak_rss_mb(10_000), peak_rss_mb(opts.memory_to)
        print(f"peak RSS (jobs=1, records streamed through standard input): {small:.1f} MB after 10000, "
              f"{large:.1f} MB after {opts.memory_to}: {large - small:+.1f} MB")


if __name__ == "__main__":
    main()
