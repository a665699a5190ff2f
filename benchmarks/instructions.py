"""Instructions a candidate costs, counted by valgrind (callgrind), for this checkout against an
earlier commit: the same figure every run, whatever else the machine is doing.

    python benchmarks/instructions.py [COMMIT] [N] [PATH ...] [--cache]
        (default: HEAD^1, 1000, compact outcomes)

This machine is shared, and a timing moves by 10-30 % from one minute to the next (against.py
takes the best of interleaved rounds for that reason); a change of 2 % is lost in it. Counted
instructions are deterministic for the same code, inputs and hash seed (PYTHONHASHSEED=0 here), so
a change of a few hundred instructions a candidate shows. Instructions are not time (a cache miss
costs no instruction), so against.py still has the last word on speed.

Each PATH runs the tree's own code in two processes under callgrind: one evaluates 3,000
synthetic records (warming caches and letting durable_rules adapt its rulesets), the other the
same and then N more; the difference over N is one candidate's cost. PATH is what is measured:

- ``compact``: `Engine.evaluate_blocks` of JSON Lines in the compact layout, durable_rules deciding;
- ``outcomes``: `Engine.evaluate(record)` reading `result.outcomes`;
- ``reasons``: the same, building every decision with every reason.

``--cache`` simulates the processor's caches too (callgrind's ``--cache-sim``, about twice as slow)
and prints valgrind's estimate of cycles, Ir + 10 x (L1 misses) + 100 x (last-level misses): a
change in how much code and data a candidate walks through (the stages taken a chunk at a time)
shows there, and not in instructions. The simulated caches are not this machine's, so it is a
guide, deterministic like the count, that against.py confirms.

Needs valgrind (Debian: ``apt-get install valgrind``). Takes about a minute per path and tree on
2 cores (two processes at a time).
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM = 3000
CACHE = "--cache" in sys.argv  # the estimated cycles of a simulated cache, not instructions (see the docstring)

RUN = r"""
import datetime as dt, json, sys
sys.path.insert(0, {src!r})
sys.path.insert(1, {bench!r})
import formasi_rules as fr
from formasi_rules.inputs import JsonLine
from evaluate import AS_OF, candidates
policy = fr.load_policy({policy!r})
engine = fr.Engine(policy, backend="durable")
path, n = {path!r}, int(sys.argv[1])
# the same records made in every process (their making is no part of the difference)
records = [json.loads(json.dumps(c)) for c in candidates({warm} + {most})]
items = [("$[%d]" % i, JsonLine(json.dumps(r), "bench", i + 1)) for i, r in enumerate(records)]
records, items = records[:{warm} + n], items[:{warm} + n]


def run(part):
    if path == "compact":
        sum(b.count for b in engine.evaluate_blocks(part, as_of=AS_OF, layout="compact"))
        return
    for record in part:
        result = engine.evaluate(record, as_of=AS_OF)
        if path == "outcomes":
            result.outcomes
        else:
            [d.reasons for d in result.decisions]


given = items if path == "compact" else records
run(given[:{warm}])
run(given[{warm}:])
"""


def counted(tree: Path, path: str, n: int, most: int, scratch: Path) -> int:
    """The instructions one process of RUN executes for ``n`` records after the warm ones."""
    script = scratch / f"run_{abs(hash((str(tree), path, n)))}.py"
    script.write_text(RUN.format(src=str(tree / "src"), bench=str(ROOT / "benchmarks"), path=path, warm=WARM,
                                 most=most, policy=str(tree / "policies" / "pengantar_kerja")))
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    cache = ["--cache-sim=yes"] if CACHE else []
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cache, sys.executable,
                          str(script), str(n)], capture_output=True, text=True, env=env)
    found = re.search(r"Collected : ([\d ]+)", out.stderr)
    if out.returncode != 0 or found is None:
        raise SystemExit(f"the run under valgrind failed ({tree}, {path}):\n{out.stderr[-2000:]}")
    if not CACHE:
        return int(found.group(1).split()[0])
    ir, _, _, i1, d1r, d1w, il, dlr, dlw = map(int, found.group(1).split())
    return ir + 10 * (i1 + d1r + d1w) + 100 * (il + dlr + dlw)


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--cache"]
    commit = args[0] if args else "HEAD^1"
    n = int(args[1]) if len(args) > 1 else 1000
    paths = args[2:] or ["compact", "outcomes"]
    for path in paths:
        if path not in ("compact", "outcomes", "reasons"):
            raise SystemExit(f"PATH must be compact, outcomes or reasons, not {path!r}")
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        old = scratch / "old"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(old), commit], check=True)
        try:
            trees = {"earlier": old, "this": ROOT}
            jobs = {(name, path, size): (tree, path, size)
                    for name, tree in trees.items() for path in paths for size in (0, n)}
            with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:  # two valgrinds at a time
                futures = {key: pool.submit(counted, *args, n, scratch) for key, args in jobs.items()}
                got = {key: future.result() for key, future in futures.items()}
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False)
    what = "estimated cycles (Ir + 10 x L1 misses + 100 x LL misses)" if CACHE else "instructions"
    print(f"{what} a candidate (callgrind, PYTHONHASHSEED=0, {n} candidates after {WARM}), "
          f"commit {commit} vs this checkout")
    print(f"  {'path':10} {'earlier':>12} {'this':>12} {'this / earlier':>15}")
    for path in paths:
        earlier, this = ((got[(name, path, n)] - got[(name, path, 0)]) / n for name in trees)
        print(f"  {path:10} {earlier:12,.0f} {this:12,.0f} {this / earlier:15.3f}")


if __name__ == "__main__":
    main()
