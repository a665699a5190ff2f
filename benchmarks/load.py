"""How long loading a policy and compiling it take, in fresh processes, against a baseline run beside it.

    python benchmarks/load.py [ROUNDS] [--sizes 1,20] [--against COMMIT]
        (defaults: 7 rounds; the shipped policy (1x) and the copy with 20x its rules)

Each round runs, one after the other, each in a fresh subprocess:

- the baseline: ``import formasi_rules`` and nothing else (what every command pays before it
  reads a policy);
- for each size: the import, then ``load_policy`` (read, check and resolve every YAML file of
  both layers), ``Engine(policy, backend="durable")`` (plans built, compiled into durable_rules
  rulesets and primed) and ``Engine(policy, backend="reference")``; size 1 is the shipped
  policies/pengantar_kerja, size k the copy of benchmarks/scale.py with every rule k times;
- with ``--against COMMIT``: the shipped policy the same way on that commit, checked out into a
  temporary git worktree (as benchmarks/against.py does).

Each stage is timed inside the process (wall clock, perf_counter), and the whole process from
outside (interpreter start to exit). Prints min and median per stage over the rounds, load +
compile against the target (under 1 s), and ratios: to the import baseline, and this tree to
the earlier commit.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

# argv: the source folder to import from, and the policy folder ("" for the import alone)
RUN = r"""
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
import formasi_rules as fr
t1 = time.perf_counter()
out = {"import": t1 - t0}
if sys.argv[2]:
    policy = fr.load_policy(sys.argv[2])
    t2 = time.perf_counter()
    durable = fr.Engine(policy, backend="durable")
    t3 = time.perf_counter()
    reference = fr.Engine(policy, backend="reference")
    t4 = time.perf_counter()
    out.update({"load": t2 - t1, "durable": t3 - t2, "reference": t4 - t3,
                "checks": sum(len(p.checks) for p in durable.plans), "rules": len(policy.rules),
                "tables": len(policy.tables)})
    durable.close()
    reference.close()
print(json.dumps(out))
"""

STAGES = ("import", "load", "durable", "reference")


def measure(src: Path, folder: Path | None) -> dict:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", RUN, str(src), str(folder) if folder else ""],
                         capture_output=True, text=True)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"the run on {folder} failed: {out.stderr.strip()[-800:]}")
    got = json.loads(out.stdout.strip().splitlines()[-1])
    got["process"] = wall
    return got


def ms(values: list[float]) -> str:
    return f"{1000 * min(values):7.0f} {1000 * statistics.median(values):7.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rounds", type=int, nargs="?", default=7)
    parser.add_argument("--sizes", default="1,20")
    parser.add_argument("--against", default=None, help="an earlier commit to measure beside this tree")
    opts = parser.parse_args()
    sizes = [int(s) for s in opts.sizes.split(",")]
    from scale import sized_copy

    with tempfile.TemporaryDirectory() as tmp:
        contenders: dict[str, tuple[Path, Path | None]] = {"import only": (ROOT / "src", None)}
        for k in sizes:
            folder = ROOT / "policies" / "pengantar_kerja" if k == 1 else sized_copy(k, Path(tmp) / f"x{k}")
            contenders[f"{k}x" if k != 1 else "shipped (1x)"] = (ROOT / "src", folder)
        old = None
        if opts.against:
            old = Path(tmp) / "old"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(old), opts.against],
                           check=True)
            contenders[f"{opts.against} (1x)"] = (old / "src", old / "policies" / "pengantar_kerja")
        try:
            got: dict[str, list[dict]] = {name: [] for name in contenders}
            for r in range(opts.rounds):
                for name, (src, folder) in contenders.items():
                    one = measure(src, folder)
                    got[name].append(one)
                    stages = "  ".join(f"{s} {1000 * one[s]:6.0f}" for s in STAGES if s in one)
                    print(f"round {r + 1} {name:>16}: {stages}  process {1000 * one['process']:6.0f} ms", flush=True)
        finally:
            if old is not None:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False)

    print(f"\npython {sys.version.split()[0]}, {opts.rounds} rounds interleaved, fresh processes, wall clock; "
          "ms as min / median")
    print(f"{'':>16} {'checks':>7} {'import':>15} {'load_policy':>15} {'Engine durable':>15} "
          f"{'Engine refer.':>15} {'load+durable':>15} {'process':>15}")
    totals: dict[str, list[float]] = {}
    for name, runs in got.items():
        cells = [ms([g[s] for g in runs]) if s in runs[0] else f"{'':>15}" for s in STAGES]
        checks = f"{runs[0]['checks']:>7}" if "checks" in runs[0] else f"{'':>7}"
        if "load" in runs[0]:
            totals[name] = [g["load"] + g["durable"] for g in runs]
            both = ms(totals[name])
        else:
            both = f"{'':>15}"
        print(f"{name:>16} {checks} {' '.join(cells)} {both} {ms([g['process'] for g in runs])}")
    print("  checks: over every period of the policy (its plans); process: interpreter start to exit")
    base = statistics.median(g["process"] for g in got["import only"])
    print("\nload + compile for durable_rules (medians), target under 1 s:")
    for name, values in totals.items():
        med = statistics.median(values)
        process = statistics.median(g["process"] for g in got[name])
        verdict = "met" if med < 1 else "NOT met"
        print(f"  {name:>16}: {1000 * med:6.0f} ms ({verdict}); the whole process {process / base:4.2f}x the "
              f"import-only process ({1000 * (process - base):.0f} ms more)")
    if opts.against:
        this, earlier = statistics.median(totals["shipped (1x)"]), statistics.median(totals[f"{opts.against} (1x)"])
        print(f"  ratio this / {opts.against} (load + compile, medians): {this / earlier:.2f}")


if __name__ == "__main__":
    main()
