"""Record by record against chunks taken stage by stage (engine/_stages.py), in one process.

    python benchmarks/stages.py [N] [ROUNDS] [--frozen]   (default 10000 records, 5 rounds)

Each round runs the same N synthetic JSON lines (benchmarks/evaluate.py) through the compact
JSON Lines path (the blocks `formasi evaluate --format jsonl` writes) once per chunk size, the
sizes interleaved so that this shared machine's load falls on all alike; chunk 1 is each record
through every stage before the next is read (how the engine ran before), the baseline. Prints
candidates/s (CPU time) per round, then the best (the least CPU time) and the median per size,
and the ratio of the medians to chunk 1. Every size must write the same bytes, or the script stops.
``--frozen`` freezes the heap once the engine is made, as ``formasi evaluate`` does; without it
the collector walks everything loaded, as in an application that does not freeze.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from pathlib import Path

import orjson

import formasi_rules as fr
from evaluate import AS_OF, LEVELS, candidates
from formasi_rules.inputs import JsonLine

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1, 16, 32, 64, 256, 1024)


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--frozen"]
    n = int(args[0]) if args else 10000
    rounds = int(args[1]) if len(args) > 1 else 5
    policy = fr.load_policy(ROOT / "policies" / "pengantar_kerja")
    engine = fr.Engine(policy, backend="durable",
                       formation={f"Region {i}": {lv: i % 2 for lv in LEVELS} for i in range(17)})
    pairs = [(f"$[{i}] (line {i + 1})", JsonLine(orjson.dumps(r).decode(), "bench.jsonl", i + 1))
             for i, r in enumerate(candidates(n))]

    def run(chunk: int) -> tuple[float, bytes]:
        start = time.process_time()
        out = b"".join(b.text for b in engine._batch(pairs, AS_OF, None, None, None, 1, "compact", chunk=chunk))
        return time.process_time() - start, out

    if "--frozen" in sys.argv:
        gc.freeze()
    expected = run(1)[1]  # also warms every path up
    for size in SIZES[1:]:
        run(size)
    rates: dict[int, list[float]] = {size: [] for size in SIZES}
    print(f"python {sys.version.split()[0]}, {n} candidates, compact JSON Lines, durable_rules, candidates/s:")
    for r in range(rounds):
        order = SIZES if r % 2 == 0 else SIZES[::-1]  # neither side always runs first
        for size in order:
            seconds, out = run(size)
            if out != expected:
                raise SystemExit(f"chunk {size} wrote other bytes than chunk 1")
            rates[size].append(n / seconds)
        print(f"  round {r + 1}: " + "  ".join(f"chunk {s}: {rates[s][-1]:7.0f}" for s in SIZES))
    base = statistics.median(rates[1])
    for size in SIZES:
        med = statistics.median(rates[size])
        print(f"chunk {size:>4}: best {max(rates[size]):7.0f}  median {med:7.0f}  ({med / base:.2f}x chunk 1)")
    engine.close()


if __name__ == "__main__":
    main()
