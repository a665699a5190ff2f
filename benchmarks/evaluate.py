"""Throughput of both backends on the shipped policy, measured in one run.

    python benchmarks/evaluate.py [N]          (default N = 5000)

Generates N synthetic candidates (fixed seed, every route and outcome represented) as JSON
Lines and evaluates them the way `formasi evaluate --format jsonl` does (parse each line,
validate, evaluate, write every decision as JSON text), on the durable_rules backend and
on the reference backend, in both output layouts: compact (the default for JSON Lines:
every check's state, expandable to the full form) and full (every reason with its
bilingual text and citations repeated). Prints candidates/s, microseconds per candidate,
the ratio durable_rules / reference, and peak RSS; also times loading and compiling.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import resource
import sys
import time
from pathlib import Path

import formasi_rules as fr
from formasi_rules.inputs import JsonLine

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2025, 10, 9)
LEVELS = ["ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama"]
RATINGS = ["sangat_baik", "baik", "baik", "baik", "butuh_perbaikan", "kurang"]


def candidates(n: int, seed: int = 20251009):
    rnd = random.Random(seed)
    regions = [f"Region {i}" for i in range(17)]
    for i in range(n):
        jf = rnd.random() < 0.4
        rec = {"id": f"B{i:07d}", "employment_status": rnd.choice(["PNS"] * 8 + ["CPNS", "PPPK"]),
               "birth_date": f"{rnd.randint(1963, 1999)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
               "education": rnd.choice(["D3", "D4", "S1", "S1", "S2", "S3"]),
               "rank": rnd.choice(["III/a", "III/b", "III/c", "III/d", "IV/a", "IV/b", "IV/c", "IV/d"]),
               "rank_since": f"{rnd.randint(2015, 2024)}-04-01", "region": rnd.choice(regions),
               "performance": [{"year": y, "rating": rnd.choice(RATINGS)} for y in range(2021, 2025)],
               "experience_years": rnd.choice([0, 1, 2, 3, 5, 10])}
        if jf:
            rec["position"] = {"type": "jf", "name": "Pengantar Kerja", "level": rnd.choice(LEVELS),
                               "since": f"{rnd.randint(2023, 2024)}-{rnd.randint(1, 12):02d}-01"}
            if rnd.random() < 0.5:
                rec["credit_points"] = rnd.choice([40, 50, 99.5, 100, 150, 200, 450])
        else:
            rec["position"] = {"type": rnd.choice(["ja", "jpt", "none"]), "since": "2016-01-01"}
        if rnd.random() < 0.8:
            rec["competency_test"] = {"status": rnd.choice(["passed", "passed", "failed", "not_taken"]),
                                      "level": rnd.choice(LEVELS)}
        yield rec


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(engine: fr.Engine, lines: list[str], layout: str) -> tuple[float, int]:
    """JSON Lines in, JSON Lines out: parse, validate, evaluate, render every decision.
    The best of three runs (this machine's timings vary by 10-20 % from run to run)."""
    items = [(f"$[{i}]", JsonLine(line, "bench", i + 1)) for i, line in enumerate(lines)]
    best, size = float("inf"), 0
    for _ in range(3):
        start = time.perf_counter()
        size = sum(len(text) for text, _ in engine.evaluate_lines(items, as_of=AS_OF, layout=layout))
        best = min(best, time.perf_counter() - start)
    return best, size


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    t0 = time.perf_counter()
    policy = fr.load_policy(ROOT / "policies" / "pengantar_kerja")
    t1 = time.perf_counter()
    formation = {f"Region {i}": {lv: i % 2 for lv in LEVELS} for i in range(17)}
    durable = fr.Engine(policy, backend="durable", formation=formation)
    t2 = time.perf_counter()
    reference = fr.Engine(policy, backend="reference", formation=formation)
    records = [json.dumps(r) for r in candidates(n)]
    outcomes = {}
    for rec in records[:500]:
        for d in durable.evaluate(json.loads(rec), as_of=AS_OF).decisions:
            outcomes[d.outcome] = outcomes.get(d.outcome, 0) + 1
    print(f"python {sys.version.split()[0]}, {n} candidates, as of {AS_OF}, JSON Lines in and out, every decision")
    print(f"load policy: {1000 * (t1 - t0):.1f} ms; compile for durable_rules: {1000 * (t2 - t1):.1f} ms "
          f"({sum(len(p.checks) for p in durable.plans)} checks in {len(durable.plans)} periods)")
    print(f"decision outcomes in the first 500: {outcomes}")
    for layout in ("compact", "full"):
        times = {}
        for name, engine in (("durable_rules", durable), ("reference", reference)):
            measure(engine, records[:300], layout)  # warm-up
            times[name], size = measure(engine, records, layout)
            print(f"{layout:>7} {name:>14}: {n / times[name]:7.0f} candidates/s {1e6 * times[name] / n:7.1f} "
                  f"µs/candidate  ({size / n / 1024:.1f} KB of JSON each)")
        print(f"{layout:>7} ratio durable_rules / reference time: {times['durable_rules'] / times['reference']:.2f}")
    print(f"peak RSS: {peak_rss_mb():.1f} MB")
    durable.close()


if __name__ == "__main__":
    main()
