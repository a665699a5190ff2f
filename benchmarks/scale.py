"""Per-candidate cost against the number of checks: the shipped policy with its rules 1x, 5x, 20x.

    python benchmarks/scale.py [N] [ROUNDS] [--sizes 1,5,20] [--identical]
        (defaults: N = 3000 candidates, 5 rounds, sizes 1, 5 and 20)

In a temporary folder, copies of policies/jf_umum and policies/pengantar_kerja (``extends:`` kept)
have every candidate rule written k times: copy i (2..k) of rule R is ``R_c{i}``, on the same
routes and levels, so each of the 18 route/level decisions has k times its checks. Each copy's
thresholds differ a little from the original's, so durable_rules cannot share their tests:
every table a rule reads gets a copy ``T_c{i}`` (``replaces:`` renamed in the layer that
replaces it) whose number cells are moved by (i-1) units of the last decimal of the field they
are compared with (credit points by 0.001, experience by 0.01, age and years by 1) and whose
dates by (i-1) days, and number and date literals in the rules move the same way. Tests on
codes (statuses, levels, ranks, booleans) cannot move and stay equal to the original's; the
output counts the distinct tests. ``--identical`` writes the copies without moving anything
(every copy's tests equal the original's), to see what sharing is worth. Formation rules
(``subject: formation``) are not copied: they are not evaluated per candidate. Every copy must
pass ``formasi validate`` (run in a subprocess; a copy that fails is reported, not hidden).

Then, in each round, every size is evaluated in a fresh subprocess, once with the durable_rules
backend and once with the reference backend, interleaved (1x, 5x, 20x, 1x ...), on the same N
synthetic candidates of benchmarks/evaluate.py (JSON Lines, compact layout, ``evaluate_blocks``,
with the open places of evaluate.py so the formation checks decide too), after a warm-up of 300
records (past durable_rules' adaptation at 256). CPU time of the loop is measured. Each
subprocess also times the backend alone (``Backend.run`` over the same encoded facts: the rule
matching, the part that must grow with the checks). Prints, per size and backend, min and median
of µs per candidate, µs per check per candidate, the ratio to 1x (ideal linear growth of the
whole is at most k; of the backend part, k), and the marginal cost of an added check between
sizes (constant when growth is linear, rising when it is worse). Before the rounds, the checks,
rulesets, tests (and distinct tests), agenda actions per candidate and load/compile times of
each size are printed, with what loading and compiling it added to the RSS.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
sys.path.insert(0, str(SRC))
sys.path.insert(0, str(ROOT / "benchmarks"))
from evaluate import candidates  # noqa: E402  the same synthetic candidates

from formasi_rules import load_policy  # noqa: E402

yaml = YAML()
LAYERS = ("jf_umum", "pengantar_kerja")
JUNCTIONS = ("all", "any")


# --- the sized copies ---------------------------------------------------------------------------

def _step(field) -> Decimal | None:
    """The smallest move of a threshold compared with ``field`` (None: a code, not moved)."""
    if field.kind == "number":
        return Decimal(1).scaleb(-field.decimals)
    return None


def _move(value, step: Decimal | None, d: int, kind: str):
    if d == 0:
        return value
    if kind == "date" and isinstance(value, dt.date):
        return value + dt.timedelta(days=d)
    if kind == "number" and step is not None and isinstance(value, (int, float, Decimal)) \
            and not isinstance(value, bool):
        moved = Decimal(str(value)) + d * step
        return int(moved) if moved == moved.to_integral() else float(moved)
    return value


def _vary(cond, fields, i: int, d: int, refs: dict):
    """Copy ``i`` of a rule's condition: table references renamed, literals moved by ``d`` steps.
    ``refs`` collects (table, column) -> the fields it is compared with."""
    if isinstance(cond, list):
        return [_vary(c, fields, i, d, refs) for c in cond]
    out = {}
    for key, val in cond.items():
        if key in JUNCTIONS:
            out[key] = [_vary(c, fields, i, d, refs) for c in val]
        elif key == "not":
            out[key] = _vary(val, fields, i, d, refs)
        else:
            field = fields[key]
            out[key] = {op: _value(v, field, i, d, refs) for op, v in val.items()}
    return out


def _value(v, field, i: int, d: int, refs: dict):
    if isinstance(v, list):
        return [_value(x, field, i, d, refs) for x in v]
    if isinstance(v, dict) and "table" in v:
        refs.setdefault((v["table"], v["column"]), []).append(field)
        return {**v, "table": f"{v['table']}_c{i}"} if d else dict(v)
    if isinstance(v, dict):  # {this: level}
        return dict(v)
    return _move(v, _step(field), d, field.kind)


def sized_copy(k: int, into: Path, vary: bool = True) -> Path:
    """Copies of both layers in ``into`` with every candidate rule k times; the position's folder."""
    for name in LAYERS:
        shutil.copytree(ROOT / "policies" / name, into / name, ignore=shutil.ignore_patterns("tests"))
    if k == 1:
        return into / "pengantar_kerja"
    fields = load_policy(ROOT / "policies" / "pengantar_kerja").fields
    refs: dict[tuple[str, str], list] = {}
    for name in LAYERS:
        for path in sorted((into / name / "rules").glob("*.yaml")):
            doc = yaml.load(path.read_text())
            if not doc or "rules" not in doc:
                continue
            copies = []
            for i in range(2, k + 1):
                for rule in doc["rules"]:
                    if rule.get("subject", "candidate") != "candidate":
                        continue
                    new = copy.deepcopy(dict(rule))
                    new["id"] = f"{rule['id']}_c{i}"
                    if isinstance(rule.get("replaces"), str):
                        new["replaces"] = f"{rule['replaces']}_c{i}"
                    new["require"] = _vary(rule["require"], fields, i, i - 1 if vary else 0, refs)
                    copies.append(new)
            doc["rules"] = list(doc["rules"]) + copies
            with path.open("w") as fh:
                yaml.dump(doc, fh)
    if not vary:
        return into / "pengantar_kerja"
    # every table a rule reads, copied per copy index with its cells moved, in each layer defining it
    steps: dict[tuple[str, str], Decimal | None] = {}
    for (table, column), used in refs.items():
        found = [_step(f) for f in used]
        steps[(table, column)] = None if None in found else max(found)  # coarsest: representable for all
    tables = {t for t, _ in refs}
    for name in LAYERS:
        for path in sorted((into / name / "tables").glob("*.yaml")):
            doc = yaml.load(path.read_text())
            if not doc or "tables" not in doc:
                continue
            added = {}
            for tname, table in doc["tables"].items():
                if tname not in tables:
                    continue
                kinds = {c: ("date" if t == "date" else "number" if "number" in str(t) else "code")
                         for c, t in table["columns"].items()}
                for i in range(2, k + 1):
                    new = copy.deepcopy(dict(table))
                    if isinstance(table.get("replaces"), str):
                        new["replaces"] = f"{table['replaces']}_c{i}"
                    new["rows"] = [{c: (_move(v, steps.get((tname, c)), i - 1, kinds.get(c, "code"))
                                        if c in kinds else v) for c, v in row.items()}
                                   for row in table["rows"]]
                    added[f"{tname}_c{i}"] = new
            if added:
                doc["tables"].update(added)
                with path.open("w") as fh:
                    yaml.dump(doc, fh)
    return into / "pengantar_kerja"


# --- measuring, in fresh subprocesses -----------------------------------------------------------

# each measuring process reads its arguments from sys.argv: source folder, policy folder, data, backend
PRELUDE = """
import datetime as dt, json, os, sys, time
SRC, FOLDER, DATA, BACKEND = sys.argv[1:5]
sys.path.insert(0, SRC)
import orjson
import formasi_rules as fr
from formasi_rules.inputs import JsonLine
AS_OF = dt.date(2025, 10, 9)
LEVELS = ["ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama"]
FORMATION = {f"Region {i}": {lv: i % 2 for lv in LEVELS} for i in range(17)}
"""

INFO = PRELUDE + r"""
from formasi_rules.engine import _durable
made = _durable._Ruleset.__init__
def keep(self, engine, spec, label, *rest):  # each ruleset keeps its definition, for counting its tests
    made(self, engine, spec, label, *rest)
    self.spec = spec
_durable._Ruleset.__init__ = keep
def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
rss0 = rss_mb()
t0 = time.perf_counter()
policy = fr.load_policy(FOLDER)
t1 = time.perf_counter()
engine = fr.Engine(policy, backend="durable", formation=FORMATION)
t2 = time.perf_counter()
rss_engine = rss_mb()
fr.Engine(policy, backend="reference", formation=FORMATION).close()
t3 = time.perf_counter()
compiled = engine._current
plan = compiled.plans[compiled.index(AS_OF)]
backend = compiled.backend

def tests(rulesets):
    total = distinct = 0
    for r in rulesets:
        # the tests of a ruleset: each rule's condition after the discriminator, as JSON leaves
        leaves = []
        def walk(node):
            if isinstance(node, dict):
                keys = [k for k in node if k in ("$and", "$or")]
                if keys:
                    for item in node[keys[0]]:
                        walk(item)
                else:
                    leaves.append(orjson.dumps(node, option=orjson.OPT_SORT_KEYS))
        for name, rule in r.spec.definition.items():
            if name != "prime":
                walk(rule["all"][0]["m"]["$and"][1])
        total += len(leaves)
        distinct += len(set(leaves))
    return total, distinct

specs_before = _durable.compile_plan(plan, regions=dict.fromkeys(_durable.groups(plan)))  # as prepare() builds them
fired = [0]


class Counting:
    # the C engine, counting the agenda actions the backend drains (every message it is given)

    def __init__(self, engine):
        self._engine = engine

    def __getattr__(self, name):
        return getattr(self._engine, name)

    def start_action_for_state(self, *args):
        result = self._engine.start_action_for_state(*args)
        fired[0] += bool(result)
        return result

    def complete_and_start_action(self, *args):
        message = self._engine.complete_and_start_action(*args)
        fired[0] += bool(message)
        return message


backend._engine = Counting(backend._engine)
lines = open(DATA, encoding="utf-8").read().splitlines()
records = [("$[%d]" % i, JsonLine(t, "bench", i + 1)) for i, t in enumerate(lines)]
warm, rest = records[:300], records[300:]
for block in engine.evaluate_blocks(warm, as_of=AS_OF, layout="compact"):
    pass
fired[0] = 0
errors = 0
for block in engine.evaluate_blocks(rest, as_of=AS_OF, layout="compact"):
    errors += len(block.errors)
rulesets = backend._rulesets[id(plan)]
total, distinct = tests(rulesets)
print(json.dumps({"checks": len(plan.checks), "checks_all_periods": sum(len(p.checks) for p in compiled.plans),
                  "periods": len(compiled.plans), "decisions": len(plan.targets),
                  "rulesets_first": len(specs_before), "rulesets": len(rulesets), "tests": total,
                  "distinct_tests": distinct, "actions": fired[0] / max(len(rest), 1), "errors": errors,
                  "rss_mb": rss_engine - rss0, "load_ms": 1000 * (t1 - t0), "durable_ms": 1000 * (t2 - t1), "reference_ms": 1000 * (t3 - t2)}))
engine.close()
"""

RUN = PRELUDE + r"""
from formasi_rules.engine._encode import encode_fact
from formasi_rules.inputs import structure_candidate
lines = open(DATA, encoding="utf-8").read().splitlines()
policy = fr.load_policy(FOLDER)
engine = fr.Engine(policy, backend=BACKEND, formation=FORMATION)
records = [("$[%d]" % i, JsonLine(t, "bench", i + 1)) for i, t in enumerate(lines)]
for _ in engine.evaluate_blocks(records[:300], as_of=AS_OF, layout="compact"):
    pass  # warm up (durable_rules adapts its rulesets after 256 facts it ran, where it ran most of those seen)
records = [("$[%d]" % i, JsonLine(t, "bench", i + 1)) for i, t in enumerate(lines)]
start = time.process_time()
n = sum(block.count for block in engine.evaluate_blocks(records, as_of=AS_OF, layout="compact"))
whole = time.process_time() - start
compiled = engine._current
plan = compiled.plans[compiled.index(AS_OF)]
facts = []
for line in lines:
    try:
        candidate = structure_candidate(orjson.loads(line), policy=policy)
    except fr.InputError:
        continue
    facts.append(encode_fact(compiled.deriver.derive(candidate, AS_OF, engine.places), policy, plan.keys))
run = compiled.backend.run
start = time.process_time()
for fact in facts:
    run(plan, fact)
alone = time.process_time() - start
print(json.dumps({"n": n, "us": 1e6 * whole / n, "backend_us": 1e6 * alone / len(facts)}))
engine.close()
"""


def python(code: str, folder: Path, data: Path, backend: str = "durable") -> dict:
    out = subprocess.run([sys.executable, "-c", code, str(SRC), str(folder), str(data), backend],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def validate(folder: Path) -> tuple[bool, str]:
    code = (f"import sys; sys.path.insert(0, {str(SRC)!r})\nfrom formasi_rules.cli import main\n"
            f"main(['validate', {str(folder)!r}])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    text = (out.stdout + out.stderr).strip()
    return out.returncode == 0, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=3000)
    parser.add_argument("rounds", type=int, nargs="?", default=5)
    parser.add_argument("--sizes", default="1,5,20")
    parser.add_argument("--identical", action="store_true", help="copies with the original's thresholds")
    opts = parser.parse_args()
    sizes = [int(s) for s in opts.sizes.split(",")]
    backends = ("durable", "reference")
    print(f"python {sys.version.split()[0]}, {opts.n} candidates, {opts.rounds} rounds, sizes {sizes}, "
          f"copies {'identical' if opts.identical else 'with moved thresholds'}; compact layout, "
          f"evaluate_blocks, CPU time")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "candidates.jsonl"
        data.write_text("".join(json.dumps(c) + "\n" for c in candidates(opts.n)), encoding="utf-8")
        folders, info = {}, {}
        print(f"\n{'size':>5} {'checks':>7} {'tests':>6} {'distinct':>8} {'rulesets':>8} {'actions':>8} "
              f"{'load ms':>8} {'durable ms':>10} {'ref ms':>7} {'RSS MB':>6}  validate")
        for k in sizes:
            folder = sized_copy(k, Path(tmp) / f"x{k}", vary=not opts.identical)
            ok, said = validate(folder)
            try:
                got = python(INFO, folder, data)
            except RuntimeError as exc:
                print(f"{k:>4}x  cannot be compiled or run: {exc}")
                print(f"       formasi validate: {said.splitlines()[-1] if said else ''}")
                continue
            folders[k], info[k] = folder, got
            rulesets = (f"{got['rulesets']}" if got["rulesets"] == got["rulesets_first"]
                        else f"{got['rulesets_first']}->{got['rulesets']}")
            print(f"{k:>4}x {got['checks']:>7} {got['tests']:>6} {got['distinct_tests']:>8} {rulesets:>8} "
                  f"{got['actions']:>8.1f} {got['load_ms']:>8.0f} {got['durable_ms']:>10.0f} "
                  f"{got['reference_ms']:>7.0f} {got['rss_mb']:>6.1f}  {'ok' if ok else 'FAILED'}")
            if not ok:
                print("       " + "\n       ".join(said.splitlines()[:6]))
            if got["errors"]:
                print(f"       {got['errors']} record(s) rejected")
        print("  checks: in the plan in force on 2025-10-09 (decisions: "
              f"{next(iter(info.values()))['decisions'] if info else '?'}); tests/distinct: alpha tests of the "
              "durable_rules rulesets and how many differ; actions: agenda actions per candidate")
        times: dict[tuple[int, str], list[dict]] = {(k, b): [] for k in folders for b in backends}
        for r in range(opts.rounds):
            for k in folders:
                for b in backends:
                    got = python(RUN, folders[k], data, b)
                    times[(k, b)].append(got)
                    print(f"round {r + 1} {k:>3}x {b:9} {got['us']:8.1f} µs/candidate  "
                          f"backend alone {got['backend_us']:8.1f} µs", flush=True)
    if not folders:
        return
    base = min(folders)
    for b in backends:
        print(f"\n{b}: µs per candidate over {opts.rounds} rounds; whole evaluation, then the backend alone")
        print(f"{'size':>5} {'checks':>7} | {'min':>7} {'median':>7} {'/check':>6} {'x 1x':>5} {'marg.':>5} | "
              f"{'min':>7} {'median':>7} {'/check':>6} {'x 1x':>5} {'marg.':>5} | {'ideal':>5}")
        med0 = {part: statistics.median(t[part] for t in times[(base, b)]) for part in ("us", "backend_us")}
        prev: dict[str, float] = {}
        for k in folders:
            checks = info[k]["checks"]
            cells, now = [], {"checks": checks}
            for part in ("us", "backend_us"):
                values = [t[part] for t in times[(k, b)]]
                med = statistics.median(values)
                marginal = f"{(med - prev[part]) / (checks - prev['checks']):5.2f}" if prev else f"{'':5}"
                cells.append(f"{min(values):7.1f} {med:7.1f} {med / checks:6.2f} {med / med0[part]:5.2f} {marginal}")
                now[part] = med
            prev = now
            print(f"{k:>4}x {checks:>7} | {cells[0]} | {cells[1]} | {k / base:5.0f}")
    print("\n  /check: median / checks; x 1x: median / median at the smallest size (growth no worse than linear:\n"
          "  at most the ideal); marg.: µs per check added since the size above (medians; constant when the\n"
          "  growth is linear, rising when it is worse)")


if __name__ == "__main__":
    main()
