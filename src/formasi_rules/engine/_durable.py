"""The durable_rules backend: plans compiled to native rulesets (``_rulesets``) and driven defensively.

How the engine is driven (shared/engine/durable-rules.md gives the reasons; how each check becomes
rules, and how rules are packed into rulesets, is ``_rulesets``'s):

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
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import orjson

from .._errors import BackendUnavailable, EngineError, InputError, PolicyError, Problem
from ._backend import Firings
from ._encode import KIND
from ._memo import Memo, ValueRecall
from ._plan import Plan
from ._regions import Made
from ._rulesets import RULE_NAME, RulesetSpec, compile_plan, engine_names, fallback_able, groups

if TYPE_CHECKING:  # (typing only)
    from ._derive import Derived
    from ._encode_code import FactCode

MAX_VALUE_BYTES = 16 * 1024 * 1024  # MAX_OBJECT_PROPERTY_SIZE: a longer value is error 314
SID = "1"
FACT_ID = "c"
_HEAD = f'{{"sid":"{SID}","id":"{FACT_ID}","{KIND}":'  # how every fact the backend asserts begins
# the engine finds a fact to retract by its session and id alone (events.c, handleMessageCore):
# parsing the whole fact a second time would buy nothing
_RETRACT = f'{{"sid":"{SID}","id":"{FACT_ID}"}}'
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


class _Ruleset:
    def __init__(self, engine, spec: RulesetSpec, label: str, key_of: Callable[[str], str] = str,
                 remember: bool = True):
        self.engine = engine
        self.meaning = spec.meaning  # rule name -> (side, its check)
        self.regions, self.defaults = spec.regions, spec.defaults  # region rules and their groups' defaults
        self.bits: dict[str, int] | None = None  # rule name -> the bits it sets (_ready sets it)
        self.inferred = spec.inferred
        self.inferred_fail = spec.inferred_fail
        # a fallback ruleset (only_missing) fires nothing for a fact lacking every one of its keys: each of
        # its rules tests those keys only, and a test on a missing key does not match (run_many skips it)
        self.only_missing = spec.only_missing
        try:
            self.handle = engine.create_ruleset(f"formasi_{label}_{next(_names)}",
                                                _json(spec.definition))
        except Exception as exc:
            raise EngineError(f"durable_rules refused a generated ruleset: {exc}") from exc
        fired = self.fire(_json({"sid": SID, "id": "prime", KIND: "prime"}))
        if fired != ["prime"]:
            raise EngineError(f"durable_rules did not run the priming rule (got {fired})")
        # what the engine fired, remembered by the values each part of the rules reads (``key_of``: the
        # fact key of an engine name, see DurableBackend._built)
        self.memo = Memo(spec.definition, key_of, frozenset([KIND]), remember)

    def fire(self, payload: str) -> list[str]:
        """Assert one fact, drain the agenda synchronously, retract the fact; the rules that fired."""
        return [m[2:m.index('"', 2)] for m in self._drain(payload)]

    def answer(self, fact: dict[str, Any], payload: str) -> int:
        """:meth:`bits_of` the fact (``payload`` its text), teaching the memo what fired."""
        if not self.memo.on:
            return self.bits_of(payload)
        return self.memo.learn(fact, [m[RULE_NAME] for m in self._drain(payload)], self.bits)

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
            engine.retract_fact(handle, _RETRACT)
        return fired

    def bits_of(self, payload: str) -> int:
        """Assert one fact, drain the agenda synchronously (each fired rule's bits ORed in as its
        message comes, see DurableBackend._ready), retract the fact: the bits of the rules that fired."""
        engine, handle = self.engine, self.handle
        code, state = engine.assert_fact(handle, payload)
        if code == 1:  # matched no rule: nothing was stored
            return 0
        if code != 0:
            raise EngineError(f"durable_rules answered code {code} to a fresh fact")
        got, bits, complete = 0, self.bits, engine.complete_and_start_action
        try:
            result = engine.start_action_for_state(handle, state)
            message = result[1] if result else None
            while message:
                got |= bits[message[RULE_NAME]]
                message = complete(handle, state)
        finally:
            engine.retract_fact(handle, _RETRACT)
        return got

    def close(self) -> None:
        try:
            self.engine.delete_state(self.handle, SID)
        finally:
            self.engine.delete_ruleset(self.handle)


@attrs.frozen
class _Inference:
    """What a plan's rulesets leave to be inferred, over all of them (see the module docstring), as
    bit masks over the plan's checks: those passed unless they failed or a key they read is missing
    (``passes``), those failed unless they passed or a key they read is missing (``fails``), and
    per fact key the checks that read it. Built once per set of rulesets."""

    rulesets: list[_Ruleset]
    passes: int
    passes_by_key: dict[str, int]
    fails: int
    fails_by_key: dict[str, int]
    # what the groups compiled as regions that fired no rule give (passed, failed), by the bits of the
    # groups that did fire, eight groups at a time (as _plan.bit_tables)
    defaults: tuple[tuple[int, tuple[tuple[int, int], ...]], ...] = ()
    # the fact keys no rule of a ruleset every fact goes to reads: a fact answered from the memos, so
    # never written for the engine, has their sizes checked as writing it would (_check_sizes)
    unread: frozenset[str] = frozenset()
    # missing keys -> (passes, fails) none of whose keys is missing: a batch meets few such sets
    _open: dict[frozenset[str], tuple[int, int]] = attrs.field(factory=dict, eq=False)

    @classmethod
    def of(cls, rulesets: list[_Ruleset], plan: Plan) -> _Inference:
        def masks(pairs) -> tuple[int, dict[str, int]]:
            every, by_key = 0, {}
            for check, keys in pairs:
                bit = plan.bit[check]
                every |= bit
                for k in keys:
                    by_key[k] = by_key.get(k, 0) | bit
            return every, by_key
        passes = masks(p for r in rulesets for p in r.inferred)
        fails = masks(p for r in rulesets for p in r.inferred_fail)
        read = frozenset(k for r in rulesets if not r.only_missing for k in r.memo.keys)
        return cls(rulesets, *passes, *fails, _default_tables(plan, [d for r in rulesets for d in r.defaults]),
                   plan.keys - read)

    def open(self, missing: frozenset[str]) -> tuple[int, int]:
        """The inferred checks (passes, fails) that no missing key keeps from being decided."""
        found = self._open.get(missing)
        if found is None:
            if len(self._open) >= 1024:
                self._open.clear()
            found = self._open[missing] = (_unblocked(self.passes, self.passes_by_key, missing),
                                           _unblocked(self.fails, self.fails_by_key, missing))
        return found


@attrs.define
class _Tally:
    """What the facts of a plan that durable_rules ran showed (DurableBackend._observe): each one's passed
    and failed checks (bit masks) and missing keys, counted once there are enough (:meth:`counted`), and
    its place among the plan's facts (``at``: the facts ``seen``, the memo's answers included); the
    plan's checks by the keys they read; and what compiling the plan's groups made (their tables)."""

    groups: dict[tuple[str, ...], tuple[str, ...]]  # the plan's checks by the keys they read
    made: Made  # what compiling the plan's groups made, for compiling it again
    facts: list[tuple[int, int, frozenset[str]]] = attrs.Factory(list)
    at: list[int] = attrs.Factory(list)
    seen: int = 0

    def counted(self, plan: Plan) -> _Counts:
        """The facts counted: each group's outcomes (counted by the group's bits of the two masks, the
        outcome tuple made for each distinct one only), each check's passes and fails, the facts per
        set of missing keys, and each check's fails with one of its keys missing."""
        facts, bit = self.facts, plan.bit
        outcomes = {}
        for keys, group in self.groups.items():
            mask = plan.mask(group)
            seen = collections.Counter((passed & mask, failed & mask) for passed, failed, _ in facts)
            outcomes[keys] = collections.Counter({
                tuple(True if bit[k] & p else False if bit[k] & f else None for k in group): n
                for (p, f), n in seen.items()})
        checks, names, chain = plan.checks, plan.names, itertools.chain.from_iterable
        passes = collections.Counter(chain(names(passed) for passed, _, _ in facts))
        fails = collections.Counter(chain(names(failed) for _, failed, _ in facts))
        gaps = collections.Counter(missing for _, _, missing in facts)
        fails_lacking: collections.Counter = collections.Counter()
        for _, failed, missing in facts:
            if missing:
                fails_lacking.update([k for k in names(failed) if not checks[k].keys.isdisjoint(missing)])
        return _Counts(len(facts), outcomes, passes, fails, gaps, fails_lacking)


@attrs.frozen
class _Counts:
    """What :meth:`_Tally.counted` gives: how many facts, the outcomes of each group of checks (outcome
    tuple -> facts, in the order first seen), each check's passes and fails, the facts per set of
    missing keys, and each check's fails with one of its keys missing."""

    seen: int
    outcomes: dict[tuple[str, ...], collections.Counter]
    passes: collections.Counter
    fails: collections.Counter
    gaps: collections.Counter
    fails_lacking: collections.Counter


class DurableBackend:
    """Evaluates plans with durable_rules. ``label`` names its rulesets (the policy's name)."""

    name = "durable_rules"

    ADAPT_AFTER = 256  # facts of a plan durable_rules ran before choosing which side of each check fires
    # ... if it ran at least this share of the plan's facts meanwhile: else the memo answers most of them,
    # and what a rebuild costs (new rulesets, their memos learnt again) outweighs the actions it saves
    ADAPT_SHARE = 0.75
    COUNT_FOR = 16  # times ADAPT_AFTER: facts of a plan after which, not adapted, it is no longer counted

    def __init__(self, label: str = "policy", adapt_after: int | None = None, regions: bool = True,
                 remember: bool = True, adapt_share: float | None = None):
        self._engine = load_engine()
        self._label = label
        self._regions = regions  # compile checks reading the same keys into region rules (_regions)
        self._remember = remember  # answer a fact from what the engine fired for the same values (_memo)
        self._lock = threading.Lock()
        self._rulesets: dict[int, list[_Ruleset]] = {}
        self._inference: dict[int, _Inference] = {}  # id(plan) -> over its rulesets now
        self._plans: dict[int, Plan] = {}  # keeps each plan alive while its id is a key
        self._adapt_after = self.ADAPT_AFTER if adapt_after is None else adapt_after
        self._adapt_share = self.ADAPT_SHARE if adapt_share is None else adapt_share
        if not 0 <= self._adapt_share <= 1:
            raise ValueError(f"adapt_share is a share of the facts seen, from 0 to 1, not {self._adapt_share!r}")
        # id(plan) -> what _observe counts of its facts the engine ran, until it adapts or stops counting
        self._tally: dict[int, _Tally] = {}
        # id(plan) -> how its facts begin (session, fact id, kind) and the engine name of each key
        # (None: every key is its own; see _rulesets.engine_names)
        self._heads: dict[int, tuple[str, dict[str, str] | None]] = {}
        # id(plan) -> its rulesets, the FactCode, their memos asked from values, the inference (_recaller)
        self._recalls: dict[int, tuple[list[_Ruleset], FactCode, ValueRecall | None, _Inference]] = {}

    def prepare(self, plan: Plan) -> None:
        with self._lock:
            if id(plan) not in self._rulesets:
                made = Made()
                specs = compile_plan(plan, regions=dict.fromkeys(groups(plan)) if self._regions else None, made=made)
                self._heads[id(plan)] = (_HEAD + _json(plan.kind) + ",", engine_names(plan.keys))
                self._rulesets[id(plan)] = self._built(plan, specs)
                self._plans[id(plan)] = plan
                if self._adapt_after > 0:
                    self._tally[id(plan)] = _Tally(groups(plan), made)

    def _observe(self, plan: Plan, tally: _Tally, passed: int, failed: int, missing: frozenset[str]) -> None:
        """Count the outcomes of a fact of a plan that durable_rules ran, in the plan's ``tally``
        (``_firings`` counts every fact as seen); then, where the engine runs most facts, let the
        rules that fire be the rarer ones.

        Every agenda action costs a round trip into the engine, paid only for a fact the engine
        runs. Once it has run ADAPT_AFTER facts, at least ADAPT_SHARE of those seen since the first
        of them, the rulesets are rebuilt for what those showed (:meth:`_adapt`). Where it ran
        fewer, the memo answers most facts, and a rebuild would cost more than it saves: its new
        rulesets' memos learn every set of values again (on the benchmark's candidates the engine
        ran 545 facts of a batch with a rebuild, 293 without), and a memo learning again may miss
        enough of a stretch to stop being asked (``_memo``). The oldest quarter of the facts
        counted makes room as the count goes on, and after COUNT_FOR times ADAPT_AFTER facts seen
        the plan is no longer counted: its rulesets stay as they are."""
        with self._lock:
            if self._tally.get(id(plan)) is not tally:  # adapted, or let go, since it was looked at
                return
            facts, at, seen = tally.facts, tally.at, tally.seen
            facts.append((passed, failed, missing))  # (counted once there are enough)
            at.append(seen)
            if len(facts) >= self._adapt_after:
                if len(facts) >= self._adapt_share * (seen - at[0] + 1):
                    del self._tally[id(plan)]
                    self._adapt(plan, tally)
                    return
                drop = len(facts) // 4 + 1
                del facts[:drop], at[:drop]

    def _stop_counting(self, plan: Plan, tally: _Tally) -> None:
        """Let go of the plan's count (COUNT_FOR times ADAPT_AFTER facts seen, not adapted)."""
        with self._lock:
            if self._tally.get(id(plan)) is tally:  # (this count: a plan prepared again since has its own)
                del self._tally[id(plan)]

    def _adapt(self, plan: Plan, tally: _Tally) -> None:
        """Let the rules that fire be the rarer ones, for what the facts ``tally`` counted showed
        (called holding the lock).

        A group of checks compiled as regions fires no rule where its outcome is the group's
        default: the one seen most often becomes it. A check with a rule of its own fires one side
        only (the other is inferred), so where it passes less often than it fails its pass rule
        should be the one that fires (``flip``, or ``fallback`` where its failure can show with a
        key missing: see compile_plan). The results are the same either way; the rulesets are
        rebuilt once, and kept as they are if more rulesets would take every fact (a fallback
        ruleset takes only facts lacking its keys, and is weighed by :func:`_fallback`)."""
        counts = tally.counted(plan)
        old = self._rulesets.get(id(plan))
        flip = frozenset(k for k in plan.checks if counts.passes[k] < counts.fails[k])
        regions = {keys: seen.most_common(1)[0][0] for keys, seen in counts.outcomes.items()} \
            if self._regions else None
        if old is None or (not flip and regions is None):
            return
        try:
            for specs in (compile_plan(plan, flip=flip, fallback=_fallback(plan, counts), regions=regions,
                                       made=tally.made),
                          compile_plan(plan, flip=flip, regions=regions, made=tally.made)):
                if sum(not s.only_missing for s in specs) <= len(old):
                    break
            else:
                return
        except PolicyError:  # a choice that no longer fits the engine (P080): the rulesets stay as they are
            return
        self._rulesets[id(plan)] = self._built(plan, specs)
        self._recalls.pop(id(plan), None)  # asked the old rulesets' memos
        for ruleset in old:
            ruleset.close()

    def _built(self, plan: Plan, specs: list[RulesetSpec]) -> list[_Ruleset]:
        names = self._heads[id(plan)][1]  # the engine name of each fact key, where some were renamed
        back = {name: key for key, name in names.items()} if names else None
        key_of = (lambda name: back.get(name, name)) if back else str
        return [_Ruleset(self._engine, s, self._label, key_of, self._remember) for s in specs]

    def run(self, plan: Plan, fact: dict[str, Any]) -> Firings:
        """One fact, as :meth:`run_many` takes each (without its lists: one evaluation is often all)."""
        found = self._heads.get(id(plan))
        if found is None:
            raise EngineError("plan was not prepared for the durable_rules backend")
        lacks = plan.keys.difference(fact)  # the keys the plan reads that the fact lacks
        got, text = 0, None
        with self._lock:
            rulesets, inference = self._ready(plan)
            try:
                for ruleset in rulesets:
                    only = ruleset.only_missing
                    if only and (only.isdisjoint(lacks) or only <= lacks):
                        continue
                    bits = ruleset.memo.recall(fact)
                    if bits is None:  # the engine decides (and the memo learns)
                        bits = ruleset.answer(fact, text or (text := _payload(fact, *found)))
                    got |= bits
            except (EngineError, InputError):
                raise
            except Exception as exc:  # durable_rules_engine.error, MemoryError
                raise EngineError(f"durable_rules failed while evaluating a fact: {exc}") from exc
        if text is None and inference.unread:
            _check_sizes(fact, inference.unread)
        return self._firings(plan, inference, lacks, got, text is not None)

    def recall(self, plan: Plan, code: FactCode, derived: Derived) -> Firings | None:
        """What :meth:`run` gives for the fact ``code`` (the plan's ``_encode_code.FactCode``) makes of
        these derived values, where the memos answer it: no fact is built. None where the fact must be
        built and run: a part's values not seen, a memo off, keys no rule reads (their sizes are
        checked as the fact is written)."""
        with self._lock:
            found = self._recalls.get(id(plan))
            if found is None or found[1] is not code or found[0] is not self._rulesets.get(id(plan)):
                found = self._recaller(plan, code)
                if found is None:
                    return None
            rulesets, _, ask, inference = found
            if ask is None:
                return None
            for ruleset in rulesets:
                if not ruleset.memo.on:
                    return None
            answer = ask(derived)
            if answer is None:
                return None
            got, lacks, asked = answer
            for i, ruleset in enumerate(rulesets):
                if asked >> i & 1:
                    ruleset.memo.answered()
        return self._firings(plan, inference, lacks, got, False)

    def _recaller(self, plan: Plan, code: FactCode) -> tuple[list[_Ruleset], FactCode, ValueRecall | None, _Inference] | None:
        """The plan's rulesets now, with their memos asked from values (None where they never can be:
        a key no rule reads, a key the code cannot write) and what they leave to inference; None for a
        plan not prepared, or a backend that remembers nothing (called holding the lock)."""
        if id(plan) not in self._rulesets or not self._remember:
            return None
        rulesets, inference = self._ready(plan)
        ask = None
        if code.writable and not inference.unread:
            ask = ValueRecall(code, [(r.only_missing or frozenset(), r.memo.parts) for r in rulesets])
        found = self._recalls[id(plan)] = (rulesets, code, ask, inference)
        return found

    def run_many(self, plan: Plan, facts: Sequence[dict[str, Any]]) -> list[Firings | InputError]:
        """Each ruleset takes the whole chunk of facts in turn: one ruleset's C state stays in the
        processor's caches while it runs, where fact by fact the rulesets pushed each other out.
        Each fact is asserted, its agenda drained (each fired rule's bits ORed into the fact's as its
        message comes, see _ready) and the fact retracted before the next, as alone; or answered from
        what the engine fired for the same values (``_memo``)."""
        found = self._heads.get(id(plan))
        if found is None:
            raise EngineError("plan was not prepared for the durable_rules backend")
        keys = plan.keys
        missing = [keys.difference(fact) for fact in facts]  # the keys the plan reads that each fact lacks
        texts: list[str | InputError | None] = [None] * len(facts)  # each fact's text, made when first needed
        found_bits = [0] * len(facts)  # per fact: the bits of the checks fired passed, and failed << checks
        with self._lock:
            rulesets, inference = self._ready(plan)
            try:
                for ruleset in rulesets:
                    recall, only = ruleset.memo.recall, ruleset.only_missing
                    for i, fact in enumerate(facts):
                        if only and (only.isdisjoint(lacks := missing[i]) or only <= lacks):
                            continue
                        text = texts[i]
                        if text is None or type(text) is str:
                            bits = recall(fact)
                            if bits is None:
                                if text is None:
                                    text = texts[i] = _text(fact, *found)
                                if type(text) is str:
                                    bits = ruleset.answer(fact, text)
                            found_bits[i] |= bits or 0
            except EngineError:
                raise
            except Exception as exc:  # durable_rules_engine.error, MemoryError
                raise EngineError(f"durable_rules failed while evaluating a fact: {exc}") from exc
        if inference.unread:
            for i, fact in enumerate(facts):
                if texts[i] is None:
                    try:
                        _check_sizes(fact, inference.unread)
                    except InputError as exc:
                        texts[i] = exc
        return [text if type(text) is InputError else self._firings(plan, inference, lacks, got, text is not None)
                for lacks, text, got in zip(missing, texts, found_bits)]

    def _ready(self, plan: Plan) -> tuple[list[_Ruleset], _Inference]:
        """The plan's rulesets now, and what they leave to inference (called holding the lock)."""
        rulesets = self._rulesets.get(id(plan))
        if rulesets is None:
            raise EngineError("plan was not prepared for the durable_rules backend")
        inference = self._inference.get(id(plan))
        if inference is None or inference.rulesets is not rulesets:  # rebuilt (adapted) since
            shift = len(plan.order)  # a fail rule's bit is its check's above every pass bit; a region
            # rule sets its checks' bits on both sides, and its group's bit above all of them
            for ruleset in rulesets:
                ruleset.bits = {name: plan.bit[key] << (0 if side == "pass" else shift) if side != "region" else
                                plan.mask(ruleset.regions[name][1]) | plan.mask(ruleset.regions[name][2]) << shift
                                | 1 << (2 * shift + ruleset.regions[name][0])
                                for name, (side, key) in ruleset.meaning.items()}
            inference = self._inference[id(plan)] = _Inference.of(rulesets, plan)
        return rulesets, inference

    def _firings(self, plan: Plan, inference: _Inference, missing: frozenset[str], got: int, ran: bool) -> Firings:
        """What the fired rules (``got``: pass bits, then fail bits above them) and the inference
        say of one fact, which lacks the keys ``missing`` (``ran``: durable_rules ran it, else the
        memos answered it)."""
        shift = len(plan.order)
        every = (1 << shift) - 1
        passed, failed = got & every, got >> shift & every
        if inference.defaults:  # each group compiled as regions that fired no rule: its default outcome
            fired = got >> 2 * shift
            for at, table in inference.defaults:
                default_passed, default_failed = table[fired >> at & 255]
                passed |= default_passed
                failed |= default_failed
        # an inferred check passed unless it failed or a key it reads is missing, and one firing its
        # pass rule failed unless it passed or a key it reads is missing (the two sets are disjoint)
        passes, fails = inference.open(missing)
        if passes:
            passed |= passes & ~failed
        if fails:
            failed |= fails & ~passed
        if passed & failed:
            raise EngineError(f"durable_rules fired both pass and fail for {sorted(plan.names(passed & failed))}")
        tally = self._tally.get(id(plan))
        if tally is not None:  # (no lock to look or to count: two threads at once may count one fact
            tally.seen += 1  # as seen, and the count only weighs a choice; _observe looks again holding it)
            if ran:
                self._observe(plan, tally, passed, failed, missing)
            if tally.seen >= self.COUNT_FOR * self._adapt_after:
                self._stop_counting(plan, tally)
        return Firings(passed, failed, missing, plan)

    def close(self) -> None:
        with self._lock:
            for rulesets in self._rulesets.values():
                for ruleset in rulesets:
                    ruleset.close()
            self._rulesets.clear()
            self._inference.clear()
            self._plans.clear()
            self._tally.clear()
            self._heads.clear()
            self._recalls.clear()


FALLBACK_ASSERT = 8  # what asserting a fact into one more ruleset costs, in agenda actions (measured: ~4.5 µs
# against ~0.55 µs an action, benchmarks/costs.py)


def _fallback(plan: Plan, tally: _Counts) -> frozenset[str]:
    """The checks that should fire their pass rule, with their fail rule in a fallback ruleset
    (compile_plan), from what ``_observe`` counted: a set of keys' checks are taken together where
    the actions they save (a fail rule that fired on a fact with every key of its check, where now
    only a pass fires) outweigh asserting the facts that lack one of those keys into the fallback
    ruleset (where their fail rules still fire)."""
    passes, fails, gaps, fails_lacking = tally.passes, tally.fails, tally.gaps, tally.fails_lacking
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


def _payload(fact: dict[str, Any], head: str, names: dict[str, str] | None) -> str:
    """The fact as the engine reads it: ``head`` (the session, fact id and kind of fact) then the
    fact's keys, under their engine names (``names``, where some differ); InputError for a value
    longer than the engine holds."""
    text = orjson.dumps(fact if names is None else {names[k]: v for k, v in fact.items() if k in names}).decode()
    payload = head + text[1:] if len(text) > 2 else head[:-1] + "}"
    if len(payload) * 4 >= MAX_VALUE_BYTES:  # a character is at most 4 bytes of UTF-8: no value of
        _check_sizes(fact)  # a shorter fact can reach the engine's limit
    return payload


def _text(fact: dict[str, Any], head: str, names: dict[str, str] | None) -> str | InputError:
    """:func:`_payload`, or the InputError it raises."""
    try:
        return _payload(fact, head, names)
    except InputError as exc:
        return exc


def _check_sizes(fact: dict[str, Any], keys: frozenset[str] | None = None) -> None:
    """The engine refuses a value of 16 MiB of UTF-8 or more (error 314, ``state.c``): the record's
    error, naming the field. Measured in bytes as the engine reads them, escapes included.
    ``keys``: only these (those a fact answered from the memo was never written with)."""
    for key, value in fact.items():
        if keys is not None and key not in keys:
            continue
        if isinstance(value, str) and len(value) * 4 >= MAX_VALUE_BYTES and \
                len(orjson.dumps(value)) - 2 >= MAX_VALUE_BYTES:
            raise InputError([Problem(
                "I022", f"nilai {key} lebih dari 16 MiB", f"the value of {key} is longer than the rules "
                f"engine holds (16 MiB)", path=f"$.{key}", hint="shorten it: no field needs text this long / "
                "perpendek isinya: tidak ada field yang memerlukan teks sepanjang ini")])


def _default_tables(plan: Plan, defaults: list[tuple[int, frozenset[str], frozenset[str]]]) -> tuple:
    """(shift, table) pairs over the groups' bits, eight at a time: ``table[byte]`` is the default
    (passed, failed) of every group of those eight whose bit ``byte`` does not set (it fired no rule)."""
    if not defaults:
        return ()
    by_group = {g: (plan.mask(passed), plan.mask(failed)) for g, passed, failed in defaults}
    size = max(by_group) + 1
    tables = []
    for at in range(0, size, 8):
        chunk = range(at, min(size, at + 8))
        table = []
        for byte in range(1 << len(chunk)):
            passed = failed = 0
            for j, g in enumerate(chunk):
                if not byte >> j & 1 and g in by_group:
                    passed |= by_group[g][0]
                    failed |= by_group[g][1]
            table.append((passed, failed))
        tables.append((at, tuple(table)))
    return tuple(tables)


def _unblocked(checks: int, by_key: dict[str, int], missing: frozenset[str]) -> int:
    """The checks (a mask) none of whose fact keys is ``missing``."""
    if not checks or not missing:
        return checks
    blocked = 0
    for k in missing:
        blocked |= by_key.get(k, 0)
    return checks & ~blocked
