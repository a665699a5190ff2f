"""How long `formasi check` takes on the shipped policy and on copies 5x and 20x its size.

    python benchmarks/check.py [ROUNDS] [--static-only]      (default 3 rounds)

A copy k times the size adds k-1 copies of every route of the base policy (``perpindahan_c2`` ...)
with a copy of every rule of those routes, so the checks, targets and pairs grow k-fold while
the tables stay shared. Sizes are measured interleaved (shipped, 5x, 20x, shipped, ...), so a
slow moment of the shared machine falls on all of them; min and median per size are printed,
with the number of checks, of solver queries and the time per query (the reason for the growth).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from ruamel.yaml import YAML

from formasi_rules import load_policy
from formasi_rules.engine._plan import build_plan, periods
from formasi_rules.testing import _solver, check

ROOT = Path(__file__).resolve().parent.parent
yaml = YAML()


def sized_copy(k: int, into: Path) -> Path:
    for name in ("jf_umum", "pengantar_kerja"):
        shutil.copytree(ROOT / "policies" / name, into / name, ignore=shutil.ignore_patterns("tests"))
    if k == 1:
        return into / "pengantar_kerja"
    base = into / "jf_umum"
    head = yaml.load((base / "policy.yaml").read_text())
    routes = dict(head["routes"])
    for i in range(2, k + 1):
        for name, route in routes.items():
            head["routes"][f"{name}_c{i}"] = {"title": {"id": f"{route['title']['id']} ({i})",
                                                        "en": f"{route['title']['en']} ({i})"},
                                              "levels": route["levels"]}
    head["precedence"] = list(head["precedence"]) + [f"{r}_c{i}" for i in range(2, k + 1) for r in head["precedence"]]
    with (base / "policy.yaml").open("w") as fh:
        yaml.dump(head, fh)
    for path in sorted((base / "rules").glob("*.yaml")):
        doc = yaml.load(path.read_text())
        copies = []
        for i in range(2, k + 1):
            for rule in doc["rules"]:
                new = dict(rule)
                new["id"] = f"{rule['id']}_c{i}"
                rs = rule["routes"]
                new["routes"] = [f"{r}_c{i}" for r in (routes if rs == "all" else rs)]
                copies.append(new)
        doc["rules"] = list(doc["rules"]) + copies
        with path.open("w") as fh:
            yaml.dump(doc, fh)
    return into / "pengantar_kerja"


class Counting:
    """Counts the solver's queries (monkeypatched around Space.solve)."""

    def __init__(self):
        self.n = 0
        self.orig = _solver.Space.solve

    def __enter__(self):
        counter = self

        def solve(space, *terms):
            counter.n += 1
            return counter.orig(space, *terms)

        _solver.Space.solve = solve
        return self

    def __exit__(self, *exc):
        _solver.Space.solve = self.orig


def main() -> None:
    rounds = int(next((a for a in sys.argv[1:] if a.isdigit()), 3))
    static_only = "--static-only" in sys.argv
    sizes = (1, 5, 20)
    with tempfile.TemporaryDirectory() as tmp:
        folders = {k: sized_copy(k, Path(tmp) / f"x{k}") for k in sizes}
        info = {}
        for k, folder in folders.items():
            policy = load_policy(folder)
            n = sum(len(build_plan(policy, p.valid_from, p).checks) for p in periods(policy))
            info[k] = n
        times: dict[int, list[float]] = {k: [] for k in sizes}
        queries: dict[int, int] = {}
        for _ in range(rounds):
            for k in sizes:
                with Counting() as c:
                    t = time.perf_counter()
                    found = check(folders[k], properties=not static_only)
                    times[k].append(time.perf_counter() - t)
                queries[k] = c.n
                defects = [f for f in found if f.severity != "info"]
                if k == 1 and defects:
                    print("shipped policy has defect findings:", [(f.code, f.rules) for f in defects])
        print(f"formasi check{' --static-only' if static_only else ''}, {rounds} rounds interleaved")
        print(f"{'size':>5} {'checks':>7} {'queries':>8} {'min s':>7} {'median s':>9} {'ms/query':>9}")
        for k in sizes:
            lo, med = min(times[k]), statistics.median(times[k])
            print(f"{k:>4}x {info[k]:>7} {queries[k]:>8} {lo:>7.2f} {med:>9.2f} {1000 * lo / max(queries[k], 1):>9.2f}")


if __name__ == "__main__":
    main()
