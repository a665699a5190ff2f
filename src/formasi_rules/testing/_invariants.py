"""Invariants every policy evaluation should have, as functions another test suite can call.

Each takes an engine and input and returns ``None`` when the invariant holds, or a
:class:`Violation` naming what broke and the YAML test cases that show it.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import attrs

from ..engine import Engine, RecordError

from ..engine._encode import encode_fact
from ..engine._plan import evaluate, resolve_check
from ..inputs import structure_candidate
from ..policy import RECORD, Policy
from ..policy._model import Property


@attrs.frozen
class Violation:
    """An invariant that does not hold, with test cases (dicts in the YAML case format) that show it."""

    invariant: str
    message: str
    cases: tuple[dict[str, Any], ...]
    rules: tuple[str, ...] = ()


def case(name: str, record: dict, as_of: dt.date, formation: Any, expected: dict) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "as_of": as_of.isoformat()}
    if formation is not None:
        out["formation"] = formation
    out["input"] = {"candidate": record}
    out["expected"] = expected
    return out


def _outcomes(engine: Engine, record: dict, as_of: dt.date, formation: Any) -> dict[str, str]:
    result = engine.evaluate(record, as_of=as_of, formation=formation)
    return {f"{d.route}/{d.level}": d.outcome for d in result.decisions}


def deterministic(engine: Engine, record: dict, as_of: dt.date, formation: Any = None) -> Violation | None:
    first = engine.evaluate(record, as_of=as_of, formation=formation).to_dict()
    if engine.evaluate(record, as_of=as_of, formation=formation).to_dict() != first:
        return Violation("determinism", "the same candidate gave two different results",
                         (case("determinism", record, as_of, formation, {}),))
    return None


def one_outcome_each(engine: Engine, record: dict, as_of: dt.date, formation: Any = None) -> Violation | None:
    result = engine.evaluate(record, as_of=as_of, formation=formation)
    keys = [(d.route, d.level) for d in result.decisions]
    declared = set(engine.plan(as_of).targets)
    bad = [d for d in result.decisions if d.outcome not in ("eligible", "not_eligible", "undetermined")]
    if len(keys) != len(set(keys)) or (not record.get("request") and set(keys) != declared) or bad:
        return Violation("one outcome", "a route and level got no outcome, or more than one",
                         (case("one outcome each", record, as_of, formation, {}),))
    return None


def order_independent(engine: Engine, records: list[dict], as_of: dt.date, formation: Any = None,
                      seed: int = 0) -> Violation | None:
    ids = [dict(r, id=f"c{i}") for i, r in enumerate(records)]
    shuffled = list(ids)
    random.Random(seed).shuffle(shuffled)
    forward = {r.candidate: _compared(r) for r in engine.evaluate_many(ids, as_of=as_of, formation=formation)}
    mixed = {r.candidate: _compared(r) for r in engine.evaluate_many(shuffled, as_of=as_of, formation=formation)}
    if forward != mixed:
        return Violation("order independence", "evaluating the same candidates in another order changed a result",
                         tuple(case(f"order {i}", r, as_of, formation, {}) for i, r in enumerate(ids)))
    return None


def _compared(item: Any) -> Any:
    """A result as order independence compares it: a rejected record by its problems' codes, since
    where it is (``$[2]``) is its place in the order."""
    if isinstance(item, RecordError):
        return ("error", sorted(p.code for p in item.problems))
    return item.to_dict()


def improvements(policy: Policy, record: dict) -> list[tuple[str, dict]]:
    """The candidate made better in one way each: rating, credit points, education, test passed."""
    out = []

    def better(vocab_name: str, value: str) -> str | None:
        vocab = policy.vocabularies.get(vocab_name)
        if vocab is None or vocab.better is None or value not in vocab.ranks:
            return None
        up = vocab.better == "higher"
        ranks = vocab.ranks
        found = [x for x in ranks if (ranks[x] > ranks[value] if up else ranks[x] < ranks[value])]
        return min(found, key=lambda x: ranks[x] if up else -ranks[x]) if found else None

    if record.get("performance"):
        lifted = [{**p, "rating": better("rating", p["rating"]) or p["rating"]} for p in record["performance"]]
        if lifted != record["performance"]:
            out.append(("a better rating", {**record, "performance": lifted}))
    if record.get("credit_points") is not None:
        out.append(("more credit points", {**record, "credit_points": float(Decimal(str(record["credit_points"])) + 50)}))
    for slot in ("education", "employment_status"):
        value = record.get(slot)
        if isinstance(value, str) and better(RECORD[slot], value):
            up = policy.vocabularies[RECORD[slot]].better == "higher"
            out.append((f"a {'higher' if up else 'lower'} {slot.replace('_', ' ')}",
                        {**record, slot: better(RECORD[slot], value)}))
    test = record.get("competency_test")
    if test and isinstance(test.get("status"), str) and better("test_status", test["status"]):
        out.append(("a better competency test status",
                    {**record, "competency_test": {**test, "status": better("test_status", test["status"])}}))
    return out


def monotone(engine: Engine, record: dict, as_of: dt.date, formation: Any = None) -> Violation | None:
    before = _outcomes(engine, record, as_of, formation)
    for what, improved in improvements(engine.policy, record):
        after = _outcomes(engine, improved, as_of, formation)
        for key, outcome in before.items():
            if outcome == "eligible" and after.get(key) == "not_eligible":
                result = engine.evaluate(improved, as_of=as_of, formation=formation)
                route, level = key.split("/")
                failed = tuple(r.rule for r in result.decision(route, level).reasons if r.passed is False)
                return Violation(
                    "monotonicity", f"{key}: eligible, but not eligible after {what} (failed: {', '.join(failed)})",
                    (case(f"eligible before {what}", record, as_of, formation, {key: "eligible"}),
                     case(f"still eligible after {what}", improved, as_of, formation, {key: "eligible"})), failed)
    return None


def backends_agree(engines: dict[str, Engine], record: dict, as_of: dt.date, formation: Any = None) -> Violation | None:
    outs = {name: e.evaluate(record, as_of=as_of, formation=formation).to_dict() for name, e in engines.items()}
    for out in outs.values():
        out.pop("backend")
    first = next(iter(outs.values()))
    if any(out != first for out in outs.values()):
        return Violation("backends agree", f"the backends {', '.join(outs)} gave different results",
                         (case("backends agree", record, as_of, formation, {}),))
    return None


def declared(engine: Engine, prop: Property, record: dict, as_of: dt.date, formation: Any = None) -> Violation | None:
    """A property of the policy: for candidates matching its ``when``, never (or always) the outcome."""
    candidate = structure_candidate(record, policy=engine.policy)
    derived = engine._current.deriver.derive(candidate, as_of, None)
    check = resolve_check(engine.policy, prop.rule, prop.level, as_of)
    if evaluate(check.condition, encode_fact(derived, engine.policy, check.keys)) is not True:
        return None
    outcome = engine.evaluate(record, as_of=as_of, formation=formation).decision(prop.route, prop.level).outcome
    if (outcome == prop.outcome) == prop.never:
        key = f"{prop.route}/{prop.level}"
        want = {key: f"not {prop.outcome}"} if prop.never else {key: prop.outcome}
        expected = {key: "not_eligible"} if prop.never and prop.outcome == "eligible" else (
            {key: prop.outcome} if not prop.never else {})
        return Violation(f"property {prop.id}",
                         f"{prop.rule.title.en}: {key} is {outcome} for a candidate matching 'when' "
                         f"(expected {want[key]})",
                         (case(f"property {prop.id}", record, as_of, formation, expected),), (prop.id,))
    return None


def need_monotone(engine: Engine, rows: list[dict], extra: dict, as_of: dt.date) -> Violation | None:
    base = engine.formation(rows, as_of=as_of)
    grown = engine.formation(rows + [extra], as_of=as_of)
    for r in base.rows:
        bigger = grown.row(r.region, r.level)
        if bigger.need_exact < r.need_exact or bigger.need < r.need:
            return Violation("more workload never lowers the need",
                             f"{r.region}/{r.level}: need {r.need} became {bigger.need} after adding a row", (
                                 {"name": "need before", "as_of": as_of.isoformat(), "input": {"workload": rows},
                                  "expected": {f"{r.region}/{r.level}": {"need": r.need}}},
                                 {"name": "need after more workload", "as_of": as_of.isoformat(),
                                  "input": {"workload": rows + [extra]},
                                  "expected": {f"{r.region}/{r.level}": {"need": r.need}}}))
    return None
