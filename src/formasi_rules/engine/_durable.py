"""The durable_rules backend: plans compiled to native rulesets and driven defensively.

How each check becomes rules (shared/engine/durable-rules.md gives the reasons):

- ``fail`` fires when the check's negation holds (negation pushed down to the tests);
  a test on a missing field matches nothing. Which fact keys are missing is a property
  of the encoded fact itself (the plan's keys it lacks), read from it in Python as the
  reference backend does: a ``$nex`` rule per key would cost an agenda action per
  absent key and an alpha test per key (a third ruleset for the shipped policy) to
  report the same set. A check *passes* when it did not fail and none of its keys is
  missing: without an ``or`` across different keys, a condition can only be true with
  every key present, and with every key present it is either true or false. Only a
  check with such an ``or`` (true with a key missing, as Kleene logic allows) gets a
  ``pass`` rule as well. Every fired rule is an agenda action the host must drain, so
  leaving out the ``pass`` rules that could be inferred halves the actions per
  candidate. Where a check's negation, too, can be true only with every key present,
  either side may fire and the other be inferred; after a plan's first facts
  (``DurableBackend.ADAPT_AFTER``) the backend rebuilds its rulesets once so that
  each such check fires the side it saw less often (same results, fewer actions),
  unless that would take more rulesets. A check whose negation can be true with a key
  missing (``not (a and b)``), failing far more often than it passes, can fire its pass
  rule too: its fail rule then lives in a fallback ruleset that only facts lacking one of
  its keys are asserted into (``compile_plan``'s ``fallback``, chosen where the actions
  saved outweigh the extra asserts).
- Every rule starts with the positive discriminator ``kind: candidate``, so the
  engine's own state fact ``{sid, id, $s}`` can never match one (H3). No ``any``, no
  ``$in``, no string ordering, only integers and plain strings (H6).
- Rules are packed into several rulesets so that no ruleset has more alpha tests than
  ``ALPHA_BUDGET``: a fact matching 65 tests at once raises error 303 and 513 tests
  under one node hang the compiler (H5). A single rule too large for a ruleset is a
  PolicyError naming it, raised when the engine is built, never a hang.
- No ``Host`` (its threads race synchronous calls, H1) and no Python actions: facts are
  asserted into one long-lived session per ruleset, the agenda is drained
  synchronously, and the fact is retracted. The session slot is primed once so that
  deleting it on close is safe (H2). One fixed session id and one fact id per
  ruleset: no 32-bit hash collisions are possible (H4).
- Rulesets and facts go through one serialiser (:func:`_json`, orjson): the engine compares
  strings in their JSON-escaped form, so a rule literal escaped one way (``json.dumps``
  writes ``\u00e1``) and a fact another (raw UTF-8) would never be equal.
- Calls into the C engine hold the GIL and the session is shared, so a lock
  serialises evaluations on one backend; threads are safe, not faster.
"""

from __future__ import annotations

import collections
import itertools
import threading
from collections.abc import Sequence
from typing import Any

import attrs
import orjson

from .._errors import BackendUnavailable, EngineError, InputError, PolicyError, Problem
from ._backend import Firings
from ._encode import KIND
from ._plan import And, Cmp, Cond, In, Or, Plan, negate, positive

# alpha tests per ruleset, counted on the expanded paths: a fact can match no more tests than a
# ruleset holds, and the engine fails only at 65 matched at once (MAX_STACK_SIZE 64; probed, and
# a ruleset filled to this budget with every test matching is tested)
ALPHA_BUDGET = 60
MAX_RULES_PER_RULESET = 4000  # MAX_ACTIONS is 4096
_NAME_DIGITS = len(str(MAX_RULES_PER_RULESET))  # rule names: side letter + this many digits
_NAME = slice(2, 3 + _NAME_DIGITS)  # where an agenda message '{"f0012":{"m":{...}}}' names its rule
MAX_VALUE_BYTES = 16 * 1024 * 1024  # MAX_OBJECT_PROPERTY_SIZE: a longer value is error 314
SID = "1"
FACT_ID = "c"
_HEAD = f'{{"sid":"{SID}","id":"{FACT_ID}",'  # how every fact the backend asserts begins
_RETRACT = f'{{"sid":"{SID}","id":"{FACT_ID}"}}'
_OPS = {"ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}
_names = itertools.count(1)


def _json(value: Any) -> str:
    """The one JSON text of ``value`` the engine sees, for rulesets and facts alike (see above)."""
    return orjson.dumps(value).decode()


def load_engine():
    """Import the C engine, or raise BackendUnavailable saying what to do instead."""
    try:
        import durable_rules_engine
    except ImportError as exc:
        raise BackendUnavailable(
            f"durable_rules cannot be imported on this Python ({exc}). It supports Python 3.11 and "
            "3.12. Use Engine(policy, backend='reference') (CLI: --backend reference), which gives "
            "the same decisions.") from None
    return durable_rules_engine


def to_durable(cond: Cond) -> dict:
    """A condition (negations already pushed down) in durable_rules' native JSON."""
    if isinstance(cond, Cmp):
        return {cond.key: cond.value} if cond.op == "eq" else {_OPS[cond.op]: {cond.key: cond.value}}
    if isinstance(cond, In):
        if not cond.values:  # in []: false, not in []: true, either only with the key present (the
            # engine would read an empty $or or $and as matching every fact, the state fact included)
            present = {"$ex": {cond.key: 1}}
            return present if cond.negated else {"$and": [present, {"$nex": {cond.key: 1}}]}
        if cond.negated:
            parts = [{"$neq": {cond.key: v}} for v in cond.values]
            return parts[0] if len(parts) == 1 else {"$and": parts}
        parts = [{cond.key: v} for v in cond.values]
        return parts[0] if len(parts) == 1 else {"$or": parts}
    op = "$and" if isinstance(cond, And) else "$or"
    return {op: [to_durable(c) for c in cond.items]}


def alpha_cost(cond: Cond) -> tuple[int, int]:
    """(terms, tests) of the condition's disjunctive normal form: an upper bound on the
    alpha nodes durable_rules builds for it, since it expands ``$or`` into paths."""
    if isinstance(cond, Cmp):
        return 1, 1
    if isinstance(cond, In):
        n = len(cond.values)
        if n == 0:
            return 1, 1 if cond.negated else 2
        return (1, n) if cond.negated else (n, n)
    parts = [alpha_cost(c) for c in cond.items]
    if isinstance(cond, Or):
        return sum(t for t, _ in parts), sum(n for _, n in parts)
    terms = 1
    for t, _ in parts:
        terms *= t
    tests = sum(n * terms // t for t, n in parts)
    return terms, tests


@attrs.frozen
class RulesetSpec:
    definition: dict[str, Any]
    meaning: dict[str, tuple[str, str]]  # rule name -> ("pass"|"fail", check key)
    inferred: tuple[tuple[str, frozenset[str]], ...] = ()  # (check key, its fact keys): passed unless
    # it failed or one of its keys is missing
    inferred_fail: tuple[tuple[str, frozenset[str]], ...] = ()  # the same for checks that fire their
    # pass rule instead (see compile_plan's ``flip``): failed unless it passed or one of its keys is missing
    only_missing: frozenset[str] = frozenset()  # not empty: only a fact lacking one of these keys is
    # asserted into this ruleset (it decides the checks of ``fallback`` for such facts; see compile_plan)


def true_only_when_complete(cond: Cond) -> bool:
    """Whether the condition (negations pushed down) can be true only with every key it reads
    present: so unless its only ``or`` nodes test one key each."""
    if isinstance(cond, (Cmp, In)):
        return True
    if isinstance(cond, Or) and len({k for item in cond.items for k in _keys(item)}) > 1:
        return False
    return all(true_only_when_complete(c) for c in cond.items)


def _keys(cond: Cond) -> set[str]:
    if isinstance(cond, (Cmp, In)):
        return {cond.key}
    return {k for c in cond.items for k in _keys(c)}


def fallback_able(cond: Cond) -> bool:
    """Whether a check may fire its pass rule with its fail rule in a fallback ruleset: its condition
    can be true only with every key present, its negation with one missing too (else ``flip`` serves)."""
    return true_only_when_complete(positive(cond)) and not true_only_when_complete(negate(cond))


class _Packer:
    """Rules packed into ruleset definitions that each stay within the engine's limits."""

    def __init__(self, budget: int, kind: str):
        self.budget, self.kind = budget, kind
        self.specs: list[RulesetSpec] = []
        self.only_missing = False  # the rulesets being packed now are fallback rulesets
        self._new()

    def _new(self) -> None:
        self.rules: dict[str, Any] = {}
        self.meaning: dict[str, tuple[str, str]] = {}
        self.inferred: list[tuple[str, frozenset[str]]] = []
        self.inferred_fail: list[tuple[str, frozenset[str]]] = []
        self.keys: set[str] = set()
        self.used = 2  # the discriminator test and the priming rule's test

    def room(self, cost: int, check: Any) -> None:
        """Start a new ruleset unless this one holds ``cost`` more tests (and a check's rules)."""
        if cost + 2 > self.budget:
            raise PolicyError([Problem(
                "P080", f"aturan terlalu rumit untuk mesin aturan ({cost} uji)",
                f"the rule is too complex for the rules engine: it compiles to {cost} tests, and a "
                f"ruleset holds at most {self.budget - 2} for it; split it into several rules",
                file=check.rule.where.file, line=check.rule.where.line, rule=check.rule.id)])
        if self.used + cost > self.budget or 2 * len(self.rules) + 2 > MAX_RULES_PER_RULESET:
            self.flush()
        self.used += cost

    def add(self, what: tuple[str, str], cond: Cond) -> None:
        _add(self.rules, self.meaning, what, to_durable(cond), self.kind)

    def flush(self) -> None:
        if self.rules:
            self.specs.append(RulesetSpec(self.rules, self.meaning, tuple(self.inferred), tuple(self.inferred_fail),
                                          frozenset(self.keys) if self.only_missing else frozenset()))
        self._new()


def compile_plan(plan: Plan, budget: int = ALPHA_BUDGET, flip: frozenset[str] = frozenset(),
                 fallback: frozenset[str] = frozenset()) -> list[RulesetSpec]:
    """Split a plan into ruleset definitions that each stay within the engine's limits.

    A check in ``flip`` whose condition and negation can both be true only with every key present
    fires its pass rule instead of its fail rule, and its failure is inferred: the same results,
    fewer agenda actions where passing is the rarer side (DurableBackend chooses from what it sees).

    A check in ``fallback`` whose condition can be true only with every key present, but whose
    negation can be true with one missing (``not (a and b)`` is true when ``a`` is false and ``b``
    unknown), fires its pass rule too, and its failure is inferred where none of its keys is
    missing. Its fail rule goes to a ruleset of its own after the others, one for each set of keys
    such checks read (``only_missing``): only a fact that lacks one of those keys is asserted into
    it, to tell failed from unknown.
    """
    packer = _Packer(budget, plan.kind)
    backed: list[tuple[str, Cond, Any]] = []
    for key, check in plan.checks.items():
        pos, neg = positive(check.condition), negate(check.condition)
        infer = true_only_when_complete(pos)
        flipped = key in flip and infer and true_only_when_complete(neg)
        if key in fallback and fallback_able(check.condition):
            backed.append((key, neg, check))
            flipped = True
        cost = alpha_cost(pos)[1] if flipped else alpha_cost(neg)[1] + (0 if infer else alpha_cost(pos)[1])
        packer.room(cost, check)
        if flipped:
            packer.inferred_fail.append((key, frozenset(_keys(neg))))
            packer.add(("pass", key), pos)
            continue
        if infer:
            packer.inferred.append((key, frozenset(_keys(pos))))
        else:
            packer.add(("pass", key), pos)
        packer.add(("fail", key), neg)
    packer.flush()
    packer.only_missing = True
    group = None
    for key, neg, check in sorted(backed, key=lambda b: sorted(_keys(b[1]))):  # a ruleset per set of keys
        if group != _keys(neg):
            packer.flush()
            group = _keys(neg)
        packer.room(alpha_cost(neg)[1], check)
        packer.add(("fail", key), neg)
        packer.keys.update(group)
    packer.flush()
    for spec in packer.specs:  # every session is primed through this rule (see module docstring)
        spec.definition["prime"] = {"all": [{"m": {KIND: "prime"}}]}
    return packer.specs


def _add(rules: dict, meaning: dict, what: tuple[str, str], test: dict, kind: str) -> None:
    # the name says the side (p/f) and has a fixed width, so the host reads a fired rule's check
    # from a fixed slice of the agenda message (see _Ruleset.fire_into)
    if len(rules) >= 10 ** _NAME_DIGITS:
        raise EngineError(f"a ruleset of more than {10 ** _NAME_DIGITS} rules cannot be named")
    name = f"{what[0][0]}{len(rules):0{_NAME_DIGITS}d}"
    rules[name] = {"all": [{"m": {"$and": [{KIND: kind}, test]}}]}
    meaning[name] = what


class _Ruleset:
    def __init__(self, engine, spec: RulesetSpec, label: str):
        self.engine = engine
        self.checks = {name: key for name, (_, key) in spec.meaning.items()}  # rule name -> its check
        self.inferred = spec.inferred
        self.inferred_fail = spec.inferred_fail
        self.only_missing = spec.only_missing
        try:
            self.handle = engine.create_ruleset(f"formasi_{label}_{next(_names)}",
                                                _json(spec.definition))
        except Exception as exc:
            raise EngineError(f"durable_rules refused a generated ruleset: {exc}") from exc
        fired = self.fire(_json({"sid": SID, "id": "prime", KIND: "prime"}))
        if fired != ["prime"]:
            raise EngineError(f"durable_rules did not run the priming rule (got {fired})")

    def fire(self, payload: str) -> list[str]:
        """Assert one fact, drain the agenda synchronously, retract the fact; the rules that fired."""
        return [m[2:m.index('"', 2)] for m in self._drain(payload)]

    def fire_into(self, payload: str, passed: set[str], failed: set[str], retract: str) -> None:
        """``fire``, with each fired rule's check added to ``passed`` or ``failed`` as its agenda
        message comes (no list in between: this runs for every fact and ruleset). ``retract`` is the
        fact as :meth:`_drain` retracts it."""
        engine, handle = self.engine, self.handle
        code, state = engine.assert_fact(handle, payload)
        if code == 1:  # matched no rule: nothing was stored
            return
        if code != 0:
            raise EngineError(f"durable_rules answered code {code} to a fresh fact")
        checks, name, complete = self.checks, _NAME, engine.complete_and_start_action
        try:
            result = engine.start_action_for_state(handle, state)
            message = result[1] if result else None
            while message:
                (passed if message[2] == "p" else failed).add(checks[message[name]])
                message = complete(handle, state)
        finally:
            engine.retract_fact(handle, retract)

    def _drain(self, payload: str) -> list[str]:
        """The agenda messages ('{"f0012":{"m":{...}}}') of the rules one fact fires."""
        engine, handle = self.engine, self.handle
        code, state = engine.assert_fact(handle, payload)
        if code == 1:  # matched no rule: nothing was stored
            return []
        if code != 0:
            raise EngineError(f"durable_rules answered code {code} to a fresh fact")
        fired = []
        try:
            result = engine.start_action_for_state(handle, state)
            message = result[1] if result else None
            while message:
                fired.append(message)
                message = engine.complete_and_start_action(handle, state)
        finally:
            engine.retract_fact(handle, _retraction(payload))
        return fired

    def close(self) -> None:
        try:
            self.engine.delete_state(self.handle, SID)
        finally:
            self.engine.delete_ruleset(self.handle)


@attrs.frozen
class _Inference:
    """What a plan's rulesets leave to be inferred, over all of them (see the module docstring):
    the checks passed unless they failed or a key they read is missing (``passes``), those failed
    unless they passed or a key they read is missing (``fails``), and which checks read each fact
    key. Built once per set of rulesets."""

    rulesets: list[_Ruleset]
    passes: frozenset[str]
    passes_by_key: dict[str, frozenset[str]]
    fails: frozenset[str]
    fails_by_key: dict[str, frozenset[str]]
    # missing keys -> (passes, fails) none of whose keys is missing: a batch meets few such sets
    _open: dict[frozenset[str], tuple[frozenset[str], frozenset[str]]] = attrs.field(factory=dict, eq=False)

    @classmethod
    def of(cls, rulesets: list[_Ruleset]) -> _Inference:
        def by_key(pairs) -> dict[str, frozenset[str]]:
            found: dict[str, set[str]] = {}
            for key, keys in pairs:
                for k in keys:
                    found.setdefault(k, set()).add(key)
            return {k: frozenset(v) for k, v in found.items()}
        passes = [p for r in rulesets for p in r.inferred]
        fails = [p for r in rulesets for p in r.inferred_fail]
        return cls(rulesets, frozenset(k for k, _ in passes), by_key(passes), frozenset(k for k, _ in fails),
                   by_key(fails))

    def open(self, missing: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
        """The inferred checks (passes, fails) that no missing key keeps from being decided."""
        found = self._open.get(missing)
        if found is None:
            if len(self._open) >= 1024:
                self._open.clear()
            found = self._open[missing] = (_unblocked(self.passes, self.passes_by_key, missing),
                                           _unblocked(self.fails, self.fails_by_key, missing))
        return found


class DurableBackend:
    """Evaluates plans with durable_rules. ``label`` names its rulesets (the policy's name)."""

    name = "durable_rules"

    ADAPT_AFTER = 256  # facts of a plan seen before choosing which side of each check fires

    def __init__(self, label: str = "policy", adapt_after: int | None = None):
        self._engine = load_engine()
        self._label = label
        self._lock = threading.Lock()
        self._rulesets: dict[int, list[_Ruleset]] = {}
        self._inference: dict[int, _Inference] = {}  # id(plan) -> over its rulesets now
        self._plans: dict[int, Plan] = {}  # keeps each plan alive while its id is a key
        self._adapt_after = self.ADAPT_AFTER if adapt_after is None else adapt_after
        self._tally: dict[int, list] = {}  # id(plan) -> what _observe counts

    def prepare(self, plan: Plan) -> None:
        with self._lock:
            if id(plan) not in self._rulesets:
                specs = compile_plan(plan)
                self._rulesets[id(plan)] = [_Ruleset(self._engine, s, self._label) for s in specs]
                self._plans[id(plan)] = plan
                if self._adapt_after > 0:
                    # [facts seen, passes per check, fails per check, facts per set of missing keys,
                    #  fails per check with one of its keys missing]
                    self._tally[id(plan)] = [0, *(collections.Counter() for _ in range(4))]

    def _observe(self, plan: Plan, passed: set[str], failed: set[str], missing: frozenset[str]) -> None:
        """Count each check's sides over a plan's first facts; then let the rarer side fire.

        Every agenda action costs a round trip into the engine, and a check fires one side only
        (the other is inferred), so where a check passes less often than it fails its pass rule
        should be the one that fires (``flip``, or ``fallback`` where its failure can show with a
        key missing: see compile_plan). The results are the same either way; the rulesets are
        rebuilt once, and kept as they are if more rulesets would take every fact (a fallback
        ruleset takes only facts lacking its keys, and is weighed by :func:`_fallback`)."""
        with self._lock:
            tally = self._tally.get(id(plan))
            if tally is None:
                return
            tally[0] += 1
            tally[1].update(passed)
            tally[2].update(failed)
            tally[3][missing] += 1
            if missing:
                checks = plan.checks
                tally[4].update(k for k in failed if not checks[k].keys.isdisjoint(missing))
            if tally[0] < self._adapt_after:
                return
            del self._tally[id(plan)]
            old = self._rulesets.get(id(plan))
            flip = frozenset(k for k in plan.checks if tally[1][k] < tally[2][k])
            if old is None or not flip:
                return
            for specs in (compile_plan(plan, flip=flip, fallback=_fallback(plan, tally)),
                          compile_plan(plan, flip=flip)):
                if sum(not s.only_missing for s in specs) <= len(old):
                    break
            else:
                return
            self._rulesets[id(plan)] = [_Ruleset(self._engine, s, self._label) for s in specs]
            for ruleset in old:
                ruleset.close()

    def run(self, plan: Plan, fact: dict[str, Any]) -> Firings:
        (found,) = self.run_many(plan, (fact,))
        if isinstance(found, InputError):
            raise found
        return found

    def run_many(self, plan: Plan, facts: Sequence[dict[str, Any]]) -> list[Firings | InputError]:
        """Each ruleset takes the whole chunk of facts in turn: one ruleset's C state stays in the
        processor's caches while it runs, where fact by fact the rulesets pushed each other out.
        Each fact is asserted, its agenda drained and the fact retracted before the next, as alone."""
        payloads: list[tuple[str, str] | InputError] = []
        for fact in facts:
            try:
                payload = _payload(fact)
            except InputError as exc:
                payloads.append(exc)
                continue
            payloads.append((payload, _retraction(payload)))
        keys = plan.keys
        missing = [keys.difference(fact) for fact in facts]  # the keys the plan reads that each fact lacks
        sides = [(set(), set()) for _ in payloads]  # (passed, failed) per fact
        with self._lock:
            rulesets, inference = self._ready(plan)
            try:
                for ruleset in rulesets:
                    fire, only = ruleset.fire_into, ruleset.only_missing
                    for given, (passed, failed), lacks in zip(payloads, sides, missing):
                        if type(given) is tuple and (not only or not only.isdisjoint(lacks)):
                            fire(given[0], passed, failed, given[1])
            except EngineError:
                raise
            except Exception as exc:  # durable_rules_engine.error, MemoryError
                raise EngineError(f"durable_rules failed while evaluating a fact: {exc}") from exc
        return [self._firings(plan, inference, lacks, passed, failed) if type(given) is tuple else given
                for lacks, given, (passed, failed) in zip(missing, payloads, sides)]

    def _ready(self, plan: Plan) -> tuple[list[_Ruleset], _Inference]:
        """The plan's rulesets now, and what they leave to inference (called holding the lock)."""
        rulesets = self._rulesets.get(id(plan))
        if rulesets is None:
            raise EngineError("plan was not prepared for the durable_rules backend")
        inference = self._inference.get(id(plan))
        if inference is None or inference.rulesets is not rulesets:  # rebuilt (adapted) since
            inference = self._inference[id(plan)] = _Inference.of(rulesets)
        return rulesets, inference

    def _firings(self, plan: Plan, inference: _Inference, missing: frozenset[str], passed: set[str],
                 failed: set[str]) -> Firings:
        """What the fired rules and the inference say of one fact, which lacks the keys ``missing``."""
        # an inferred check passed unless it failed or a key it reads is missing, and one firing its
        # pass rule failed unless it passed or a key it reads is missing (the two sets are disjoint)
        passes, fails = inference.open(missing)
        if passes:
            passed.update(passes.difference(failed))
        if fails:
            failed.update(fails.difference(passed))
        if passed and failed and not passed.isdisjoint(failed):
            raise EngineError(f"durable_rules fired both pass and fail for {sorted(passed & failed)}")
        if id(plan) in self._tally:  # (no lock to look: _observe looks again holding it)
            self._observe(plan, passed, failed, missing)
        return Firings(passed, failed, missing)

    def close(self) -> None:
        with self._lock:
            for rulesets in self._rulesets.values():
                for ruleset in rulesets:
                    ruleset.close()
            self._rulesets.clear()
            self._inference.clear()
            self._plans.clear()
            self._tally.clear()


FALLBACK_ASSERT = 8  # what asserting a fact into one more ruleset costs, in agenda actions (measured: ~4.5 µs
# against ~0.55 µs an action, benchmarks/costs.py)


def _fallback(plan: Plan, tally: list) -> frozenset[str]:
    """The checks that should fire their pass rule, with their fail rule in a fallback ruleset
    (compile_plan), from what ``_observe`` counted: a set of keys' checks are taken together where
    the actions they save (a fail rule that fired on a fact with every key of its check, where now
    only a pass fires) outweigh asserting the facts that lack one of those keys into the fallback
    ruleset (where their fail rules still fire)."""
    _, passes, fails, gaps, fails_lacking = tally
    groups: dict[frozenset[str], list[str]] = {}
    for key, check in plan.checks.items():
        if passes[key] < fails[key] and fallback_able(check.condition):
            groups.setdefault(frozenset(check.keys), []).append(key)
    chosen: list[str] = []
    for keys, members in groups.items():
        saved = sum(fails[k] - fails_lacking[k] - passes[k] for k in members)
        asserted = sum(n for lacks, n in gaps.items() if not keys.isdisjoint(lacks))
        if saved > FALLBACK_ASSERT * asserted:
            chosen += members
    return frozenset(chosen)


def _payload(fact: dict[str, Any]) -> str:
    """The fact as the engine reads it; InputError for a value longer than the engine holds."""
    payload = _json({"sid": SID, "id": FACT_ID, **fact})
    if len(payload) * 4 >= MAX_VALUE_BYTES:  # a character is at most 4 bytes of UTF-8: no value of
        _check_sizes(fact)  # a shorter fact can reach the engine's limit
    return payload


def _retraction(payload: str) -> str:
    # the engine finds a fact to retract by its session and id alone (events.c, handleMessageCore):
    # parsing the whole fact a second time would buy nothing
    return _RETRACT if payload.startswith(_HEAD) else payload


def _check_sizes(fact: dict[str, Any]) -> None:
    """The engine refuses a value of 16 MiB of UTF-8 or more (error 314, ``state.c``): the record's
    error, naming the field. Measured in bytes as the engine reads them, escapes included."""
    for key, value in fact.items():
        if isinstance(value, str) and len(value) * 4 >= MAX_VALUE_BYTES and \
                len(orjson.dumps(value)) - 2 >= MAX_VALUE_BYTES:
            raise InputError([Problem(
                "I022", f"nilai {key} lebih dari 16 MiB", f"the value of {key} is longer than the rules "
                f"engine holds (16 MiB)", path=f"$.{key}", hint="no field needs text this long")])


def _unblocked(keys: frozenset[str], by_key: dict[str, frozenset[str]], missing: frozenset[str]) -> frozenset[str]:
    """The checks ``keys`` none of whose fact keys is ``missing``."""
    if not keys or not missing:
        return keys
    blocked: set[str] = set()
    for k in missing:
        found = by_key.get(k)
        if found is not None:
            blocked.update(found)
    return keys.difference(blocked)
