"""Batch throughput with --jobs, and resident memory as the number of records grows.

    python benchmarks/batch.py [N]        (default N = 20000)

Streams N synthetic candidates (JSON Lines in, JSON Lines out, every reason) through
Engine.evaluate_lines with jobs=1 and jobs=2 and prints the rate of each and their ratio;
then, in fresh processes, the peak RSS after N/10 and N records, and the difference.
Output is counted and discarded, as when it is written to a file.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
AS_OF = dt.date(2025, 10, 9)


def stream(n: int):
    sys.path.insert(0, str(HERE))
    from evaluate import candidates

    for i, rec in enumerate(candidates(n)):
        yield f"$[{i}]", json.loads(json.dumps(rec))


def run(n: int, jobs: int) -> tuple[float, int]:
    import formasi_rules as fr

    engine = fr.Engine(fr.load_policy(HERE.parent / "policies" / "pengantar_kerja"))
    start = time.perf_counter()
    size = 0
    for text, _error in engine.evaluate_lines(stream(n), as_of=AS_OF, jobs=jobs):
        size += len(text) + 1
    seconds = time.perf_counter() - start
    engine.close()
    return seconds, size


def rss_after(n: int) -> float:
    code = (f"import sys; sys.path.insert(0, {str(HERE)!r}); import batch; batch.run({n}, 1); "
            "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    print(f"python {sys.version.split()[0]}, {n} candidates, JSON Lines in and out, every reason")
    one, size = run(n, 1)
    two, _ = run(n, 2)
    print(f"jobs=1: {n / one:8.0f} candidates/s   ({size / n / 1024:.0f} KB of JSON per candidate, "
          f"{size / one / 2**20:.0f} MB/s written)")
    print(f"jobs=2: {n / two:8.0f} candidates/s   (start-up of the workers included)")
    print(f"speed-up jobs=2 / jobs=1: {one / two:.2f}")
    small, large = rss_after(n // 10), rss_after(n)
    print(f"peak RSS: {small:.1f} MB after {n // 10} records, {large:.1f} MB after {n}: "
          f"+{large - small:.1f} MB")
    print(f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
