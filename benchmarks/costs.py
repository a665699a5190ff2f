"""Where the time of one candidate goes, on the compact JSON Lines path.

    python benchmarks/costs.py [N]          (default N = 10000)

Streams N synthetic candidates (JSON lines) through the stages of a compact JSON Lines batch
(Engine.evaluate_blocks) one by one, timing each inline (the stages, not a profiler, so the
figures add up to the real rate), and prints microseconds per candidate and each stage's
share. The reference backend's run is timed beside the durable_rules one as the baseline.
The stages mirror engine/_stages.py taken one record at a time (a batch takes them a chunk at a
time, which benchmarks/stages.py measures); the script stops if what they produce differs from
the record evaluate_blocks writes.
"""

from __future__ import annotations

import collections
import sys
import time
from pathlib import Path

import orjson

import formasi_rules as fr
from evaluate import AS_OF, LEVELS, candidates
from formasi_rules.engine._backend import ReferenceBackend
from formasi_rules.engine._stages import _shown, _targets
from formasi_rules.inputs import read_line

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    policy = fr.load_policy(ROOT / "policies" / "pengantar_kerja")
    engine = fr.Engine(policy, backend="durable",
                       formation={f"Region {i}": {lv: i % 2 for lv in LEVELS} for i in range(17)})
    compiled = engine._current
    index = compiled.index(AS_OF)
    plan, explainer, encoder = compiled.plans[index], compiled.explainers[index], compiled.encoders[index]
    reference = ReferenceBackend()
    lines = [orjson.dumps(r).decode() for r in candidates(n)]
    def read(line):  # as Engine._records reads a JSON line (each benchmark record takes the one pass)
        return read_line(line, policy)
    spent: collections.Counter = collections.Counter()
    clock = time.perf_counter
    for _ in range(2):  # the first round warms up
        spent.clear()
        for line in lines:
            t1 = clock()
            candidate = read(line)
            t2 = clock()
            targets = _targets(policy, plan, candidate, None, None)
            derived = compiled.deriver.derive(candidate, AS_OF, engine.places)
            t3 = clock()
            fact = encoder(derived.values, derived.per_level)
            t4 = clock()
            firings = compiled.backend.run(plan, fact)
            t5 = clock()
            reference.run(plan, fact)
            t6 = clock()
            shown = _shown(compiled.echo, derived)
            t7 = clock()
            text = explainer.compact(candidate.id, shown, derived, firings, targets)
            t8 = clock()
            if line is lines[0]:
                block = next(engine.evaluate_blocks([orjson.loads(line)], as_of=AS_OF, layout="compact"))
                if text + b"\n" != block.text:
                    raise SystemExit("the stages no longer match Engine.evaluate_blocks: update this script")
            for stage, a, b in (("read the line", t1, t2), ("derive", t2, t3),
                                ("encode the fact", t3, t4), ("durable_rules", t4, t5), ("(reference)", t5, t6),
                                ("values shown", t6, t7), ("write the record", t7, t8)):
                spent[stage] += b - a
    total = sum(v for k, v in spent.items() if k != "(reference)")
    print(f"python {sys.version.split()[0]}, {n} candidates, per candidate:")
    for stage, seconds in spent.items():
        share = "" if stage == "(reference)" else f"  {100 * seconds / total:4.1f} %"
        print(f"{stage:>18} {1e6 * seconds / n:6.1f} µs{share}")
    print(f"{'total':>18} {1e6 * total / n:6.1f} µs  ({n / total:.0f} candidates/s)")
    engine.close()


if __name__ == "__main__":
    main()
