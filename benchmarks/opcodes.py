"""Where a candidate's Python steps go: bytecodes run per candidate, by module and by function.

    python benchmarks/opcodes.py [N] [PATH]      (default 1000, outcomes)

PATH is ``outcomes`` (`Engine.evaluate(record)` reading `result.outcomes`) or ``reasons`` (the same,
building every decision with every reason). The engine first evaluates 3,000 synthetic records
(benchmarks/evaluate.py: warming its caches and letting durable_rules adapt its rulesets), then N
more under ``sys.settrace`` with opcode events on, counting each bytecode run by the function it is
in (the generated code included, named by its file: "<formasi_rules derivations of ...>").

Like benchmarks/instructions.py the count is the same every run, whatever the machine's load, but
it sees only Python: a bytecode that calls into C (msgspec, durable_rules, a dict look-up) counts
once, whatever the call costs. Use it to see which functions hold the steps, instructions.py to
count what a change saves, against.py to time it.
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

import formasi_rules as fr
from evaluate import AS_OF, candidates

ROOT = Path(__file__).resolve().parent.parent
WARM = 3000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    path = sys.argv[2] if len(sys.argv) > 2 else "outcomes"
    if path not in ("outcomes", "reasons"):
        raise SystemExit(f"PATH must be outcomes or reasons, not {path!r}")
    engine = fr.Engine(fr.load_policy(ROOT / "policies" / "pengantar_kerja"), backend="durable")
    records = [json.loads(json.dumps(c)) for c in candidates(WARM + n)]

    def evaluate(record: dict) -> None:
        result = engine.evaluate(record, as_of=AS_OF)
        if path == "outcomes":
            result.outcomes
        else:
            [d.reasons for d in result.decisions]

    for record in records[:WARM]:
        evaluate(record)
    counts: collections.Counter = collections.Counter()

    def opcode(frame, event, arg):
        if event == "opcode":
            code = frame.f_code
            counts[(Path(code.co_filename).name if code.co_filename.endswith(".py") else code.co_filename,
                    code.co_qualname)] += 1
        return opcode

    def call(frame, event, arg):
        frame.f_trace_opcodes = True
        frame.f_trace_lines = False
        return opcode

    sys.settrace(call)
    try:
        for record in records[WARM:]:
            evaluate(record)
    finally:
        sys.settrace(None)
    counts.pop(("opcodes.py", "main.<locals>.evaluate"), None)  # this script's own loop
    total = sum(counts.values())
    by_file: collections.Counter = collections.Counter()
    for (file, _), count in counts.items():
        by_file[file] += count
    print(f"python {sys.version.split()[0]}, path {path}, {n} candidates after {WARM}, as of {AS_OF}: "
          f"{total / n:,.0f} bytecodes a candidate")
    print("\nby module:")
    for file, count in by_file.most_common(20):
        print(f"  {count / n:8.1f}  {100 * count / total:5.1f} %  {file[:60]}")
    print("\nby function:")
    for (file, name), count in counts.most_common(30):
        print(f"  {count / n:8.1f}  {100 * count / total:5.1f} %  {name}  ({file[:40]})")


if __name__ == "__main__":
    main()
