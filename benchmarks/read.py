"""Reading a record: the one-pass lane against the detailed path, in one process, interleaved.

    python benchmarks/read.py [N] [ROUNDS]          (defaults: N = 20000, ROUNDS = 7)

N synthetic candidates (the generator of benchmarks/evaluate.py) are read as `Engine` reads them:

- ``line, lane``: a JSON line through `read_line` (msgspec, then the policy's checks);
- ``line, detailed``: the same line through `JsonLine.parse` then `structure_candidate` with the
  lane switched off (what every line cost before the lane);
- ``dict, lane`` / ``dict, detailed``: the record already parsed, through `structure_candidate`
  with the lane on and off.

Each round runs the four one after the other, so load on this shared machine falls on all alike.
Prints microseconds per record (min and median over the rounds) and the ratios of the medians. The
script stops if the lane and the detailed path build different Candidates, or the lane declines a
record (every benchmark record is a plain one).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import orjson

import formasi_rules as fr
from evaluate import candidates
from formasi_rules.inputs import JsonLine, read_line, structure_candidate
from formasi_rules.inputs import _structure

ROOT = Path(__file__).resolve().parent.parent


class _Off:
    """A lane that declines everything: the detailed path alone."""

    def read(self, text):
        return None

    def structure(self, raw):
        return None


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    policy = fr.load_policy(ROOT / "policies" / "pengantar_kerja")
    raws = list(candidates(n))
    texts = [orjson.dumps(r).decode() for r in raws]
    contract = _structure._contract(policy)
    lane = contract.lane

    def lines_lane():
        for t in texts:
            read_line(t, policy)

    def lines_detailed():
        for t in texts:
            structure_candidate(JsonLine(t, "bench", 1).parse(), policy=policy)

    def dicts():
        for r in raws:
            structure_candidate(r, policy=policy)

    for raw, text in zip(raws[:500], texts[:500]):
        fast = read_line(text, policy)
        contract.lane = _Off()
        slow = structure_candidate(raw, policy=policy)
        contract.lane = lane
        if fast is None or fast != slow or structure_candidate(raw, policy=policy) != slow:
            raise SystemExit(f"the lane and the detailed path disagree on {text}")

    runs = {"line, lane": [], "line, detailed": [], "dict, lane": [], "dict, detailed": []}
    for _ in range(rounds + 1):  # the first round warms up
        for name, fn, on in (("line, lane", lines_lane, True), ("line, detailed", lines_detailed, False),
                             ("dict, lane", dicts, True), ("dict, detailed", dicts, False)):
            contract.lane = lane if on else _Off()
            start = time.process_time()
            fn()
            runs[name].append(1e6 * (time.process_time() - start) / n)
        contract.lane = lane
    print(f"python {sys.version.split()[0]}, {n} records, {rounds} rounds, µs per record (CPU time)")
    medians = {}
    for name, times in runs.items():
        times = times[1:]
        medians[name] = statistics.median(times)
        print(f"  {name:>15}  min {min(times):6.2f}  median {medians[name]:6.2f}")
    for kind in ("line", "dict"):
        print(f"  {kind}: detailed / lane (medians) {medians[kind + ', detailed'] / medians[kind + ', lane']:.2f}x")


if __name__ == "__main__":
    main()
