"""Memory over a long stream: resident set size sampled while N candidates are evaluated.

    python benchmarks/memory.py [N] [--every 50000] [--repeated]
        (default N = 1,000,000; a quick run: python benchmarks/memory.py 100000 --every 10000)

Each contender runs in a fresh subprocess, one after the other:

- ``durable``: N synthetic candidates (the generator of benchmarks/evaluate.py, one record at a
  time: the records are never held together) through ``Engine.evaluate_blocks`` (durable_rules,
  compact layout, the open places of evaluate.py), every block written to /dev/null;
- ``reference``: the same stream through the reference backend: the baseline;
- ``SeenIds``: the N distinct ids alone added to the table that finds duplicate ids
  (engine/_dedup.py), which keeps 15-23 bytes per distinct id by design (about 18 MB for a
  million): the part of the growth that is meant to be there;
- with ``--repeated``: the durable stream again with only 1,000 distinct ids (each id given again
  every 1,000 records, so every later record is a duplicate error record: evaluated, then
  replaced), which leaves the engine's growth without the ids table's.

The resident set (/proc/self/statm) is sampled every ``--every`` records; the first sample is
taken after ``--every`` records (the warm-up: caches filled, rulesets adapted). Prints the
samples, the growth from the first sample to the last (target: flat within 20 MB over 1,000,000
candidates), the peak RSS (ru_maxrss) of each process, the growth of durable against the
reference, and the growth left once the ids table's own is taken off.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# argv: source folder, benchmarks folder, what to run, N, every
RUN = r"""
import datetime as dt, json, os, resource, sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[2])
what, n, every = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
PAGE = os.sysconf("SC_PAGE_SIZE")

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20

def sample(done, start):
    print(json.dumps({"records": done, "rss": rss_mb(), "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "s": time.perf_counter() - start}), flush=True)

from evaluate import candidates
start = time.perf_counter()
if what == "SeenIds":
    from formasi_rules.engine._dedup import SeenIds
    seen = SeenIds()
    for i in range(n):
        seen.add(f"B{i:07d}", i)
        if (i + 1) % every == 0:
            sample(i + 1, start)
else:
    import formasi_rules as fr
    LEVELS = ["ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama"]
    formation = {f"Region {i}": {lv: i % 2 for lv in LEVELS} for i in range(17)}
    backend = "reference" if what == "reference" else "durable"
    engine = fr.Engine(fr.load_policy(os.path.join(sys.argv[1], "..", "policies", "pengantar_kerja")),
                       backend=backend, formation=formation)
    records = candidates(n)
    if what == "repeated":
        def again(records):
            for i, rec in enumerate(records):
                rec["id"] = f"B{i % 1000:07d}"
                yield rec
        records = again(records)
    done, errors, due = 0, 0, every
    with open(os.devnull, "wb") as sink:
        for block in engine.evaluate_blocks(records, as_of=dt.date(2025, 10, 9), layout="compact"):
            sink.write(block.text)
            done += block.count
            errors += len(block.errors)
            while done >= due:
                sample(due, start)
                due += every
    engine.close()
    print(json.dumps({"done": done, "errors": errors}), flush=True)
"""


def run(what: str, n: int, every: int) -> tuple[list[dict], dict]:
    proc = subprocess.Popen([sys.executable, "-c", RUN, str(ROOT / "src"), str(ROOT / "benchmarks"), what, str(n),
                             str(every)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples, end = [], {}
    for line in proc.stdout:
        got = json.loads(line)
        if "records" in got:
            samples.append(got)
            print(f"  {what:9} {got['records']:>9,} records  RSS {got['rss']:7.1f} MB  peak {got['peak']:7.1f} MB"
                  f"  {got['s']:6.0f} s", flush=True)
        else:
            end = got
    err = proc.stderr.read()
    if proc.wait() != 0:
        raise SystemExit(f"the {what} run failed: {err.strip()[-800:]}")
    return samples, end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--every", type=int, default=50_000)
    parser.add_argument("--repeated", action="store_true", help="also run the stream with 1,000 distinct ids")
    opts = parser.parse_args()
    if opts.n < 2 * opts.every:
        raise SystemExit("N must be at least twice --every (a first sample after the warm-up, and one more)")
    whats = ["durable", "reference", "SeenIds"] + (["repeated"] if opts.repeated else [])
    print(f"python {sys.version.split()[0]}, {opts.n:,} candidates streamed, RSS sampled every {opts.every:,}")
    got, ends = {}, {}
    start = time.perf_counter()
    for what in whats:
        got[what], ends[what] = run(what, opts.n, opts.every)
    print(f"(all runs: {time.perf_counter() - start:.0f} s)")
    print(f"\n{'records':>9} " + " ".join(f"{w:>10}" for w in whats) + "   (RSS, MB)")
    for i, s in enumerate(got["durable"]):
        print(f"{s['records']:>9,} " + " ".join(f"{got[w][i]['rss']:>10.1f}" for w in whats))
    growth = {w: got[w][-1]["rss"] - got[w][0]["rss"] for w in whats}
    print(f"\ngrowth from {opts.every:,} to {opts.n:,} records (RSS, MB), and each process's peak RSS:")
    for w in whats:
        rate = got[w][-1]["records"] / got[w][-1]["s"] if got[w][-1]["s"] else 0
        extra = f", {ends[w]['errors']:,} error records" if ends[w].get("errors") else ""
        print(f"  {w:>9}: {growth[w]:+7.1f} MB   peak {got[w][-1]['peak']:6.1f} MB   ({rate:,.0f} records/s{extra})")
    verdict = "met" if abs(growth["durable"]) <= 20 else "NOT met"
    print(f"durable_rules: {growth['durable']:+.1f} MB over {opts.n - opts.every:,} records (target flat within 20 MB: "
          f"{verdict}); against the reference backend {growth['durable'] - growth['reference']:+.1f} MB")
    for w in ("durable", "reference"):
        print(f"  {w} less the ids table's own growth ({growth['SeenIds']:+.1f} MB): {growth[w] - growth['SeenIds']:+.1f} MB")
    if "repeated" in growth:
        print(f"  durable with 1,000 distinct ids: {growth['repeated']:+.1f} MB")


if __name__ == "__main__":
    main()
