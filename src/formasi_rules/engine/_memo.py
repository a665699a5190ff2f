"""What durable_rules answered, remembered by the values its rules read.

A ruleset's rule fires or not by the values of the fact keys its condition reads, and by nothing
else: a fact is asserted alone into its session and retracted before the next (``_durable``). So
the rules that read the same keys fire alike for two facts that hold the same values of those
keys, whatever else the facts hold. A :class:`Memo` splits a ruleset's rules into *parts*, the
smallest sets of rules no two of which share a key with a rule outside the set, and remembers,
per part, which of its rules fired for each set of values of the part's keys the engine was shown.

A fact whose every part holds values the engine was shown before is answered from the memo: the
bits of the same rules the engine fired for those values. Any part new, and the whole fact is
asserted, as without the memo, and every part learns its values. So every answer is one
durable_rules gave, for a fact that agrees with this one on every key the answering rules read:
the results are the same with the memo on or off (``tests/test_memo.py`` holds the two to it).

A batch's facts repeat their parts' values: statuses, ranks, ratings and ages in whole years take
few values, and the engine is asked for each new combination once. Where a batch's values do not
repeat (a part that reads an exact amount), asking the memo costs more than it saves: a memo that
missed more than half the facts of a stretch of :data:`STRETCH` (after its first, in which it
learns) stops being asked (``on``), and the engine decides every fact after, as without it.

The fact's values are the encoder's: ``str`` or ``int`` (``_encode``), which are never equal to
each other, so no two values the engine tells apart are one key here.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from ._source import Source

if TYPE_CHECKING:  # (typing only)
    from ._encode_code import FactCode

MISSING = object()  # a key the fact lacks: no value equals it (the engine's $nex rules fire on it)
STRETCH = 1024  # facts asked for before the memo judges whether it pays (and again after each as many)
LIMIT = 1 << 14  # sets of values a memo remembers, over its parts: a part past its share forgets all it holds
# (memory stays bounded: ~2.5 MB a ruleset at most; the shipped policy's largest part holds 266 on the benchmark)


class _Judged:
    """What stops being asked where it does not pay: ``_asked`` facts in the stretch so far, ``_missed``
    of them not answered; after a stretch of :data:`STRETCH` that missed more than half it is off
    (``on`` False) and forgets what it holds (:meth:`_memos`). Its first stretch is not judged
    (``_learning``): a memo starts empty, with its backend or after durable_rules rebuilt its
    rules, and misses most of the facts it first meets, where the values do repeat."""

    __slots__ = ()

    def _missed_one(self) -> None:
        self._missed += 1
        if self._asked >= STRETCH:  # the end of a stretch
            if 2 * self._missed > self._asked and not self._learning:
                self.on = False
                for memo in self._memos():
                    memo.clear()
            self._asked = self._missed = 0
            self._learning = False

    def _memos(self) -> list[dict]:
        raise NotImplementedError


class Memo(_Judged):
    """The rules of one ruleset, in parts by the fact keys they read, each with what it answered."""

    __slots__ = ("parts", "part_of", "keys", "on", "_share", "_recall", "_learn", "_asked", "_missed", "_learning")

    def __init__(self, definition: dict[str, Any], key_of: Callable[[str], str], always: frozenset[str],
                 on: bool = True):
        """``definition``: the ruleset as the engine took it (rule name -> rule); ``key_of``: the fact
        key of an engine property name; ``always``: properties every fact holds alike (the kind of
        fact), which tell no facts apart; ``on``: False for a memo never asked."""
        reads = {}
        self.on = on
        for rule, body in definition.items():
            properties = _properties(body)
            if properties is None:
                self.on = False
                properties = frozenset()
            reads[rule] = frozenset(key_of(p) for p in properties - always)
        split = parts_of(reads)
        # (keys in a fixed order, the part's memo: values -> bits); the rules that read no key (the
        # priming rule) fire alike for every fact: one part of no keys, one entry
        self.parts: list[tuple[tuple[str, ...], dict[Any, int]]] = [(keys, {}) for keys, _ in split]
        self._share = share(self.parts)
        self._recall = recaller(self.parts)
        self._learn: Callable[[dict[str, Any], list[int]], int] | None = None  # written when first needed
        self.part_of = {rule: i for i, (_, rules) in enumerate(split) for rule in rules}
        self.keys = frozenset(k for keys, _ in split for k in keys)  # every fact key a rule reads
        self._asked = self._missed = 0
        self._learning = True

    def recall(self, fact: dict[str, Any]) -> int | None:
        """The bits the engine's rules gave for facts with this fact's values, or None where one of
        its parts holds values not seen yet (the engine must be asked), or the memo is off."""
        if not self.on:
            return None
        self._asked += 1
        got = self._recall(fact)
        if got is None:
            self._missed_one()
        return got

    def answered(self) -> None:
        """Count a fact answered from this memo without :meth:`recall` (by a ValueRecall), as recall
        counts a hit."""
        self._asked += 1

    def learn(self, fact: dict[str, Any], fired: list[str], bits: dict[str, int]) -> int:
        """Remember what the engine fired for this fact (``fired``: rule names), part by part; the
        bits of the rules that fired."""
        split = [0] * len(self.parts)
        part_of = self.part_of
        for rule in fired:
            split[part_of[rule]] |= bits[rule]
        if self._learn is None:  # (a memo off, or never missed, needs none)
            self._learn = learner(self.parts, self._share)
        return self._learn(fact, split)

    def _memos(self) -> list[dict]:
        return [memo for _, memo in self.parts]


def parts_of(reads: dict[str, frozenset[str]]) -> list[tuple[tuple[str, ...], list[str]]]:
    """The smallest sets of ``reads``' names (rules, checks) no two of which share a fact key with a
    name outside the set, each with the keys its names read, in a fixed order; the names that read
    no key make one part of their own."""
    parts: list[tuple[set[str], list[str]]] = []
    for name, keys in reads.items():
        joined = [p for p in parts if not p[0].isdisjoint(keys) or not (keys or p[0])]
        merged: tuple[set[str], list[str]] = (set(keys), [name])
        for p in joined:
            merged[0].update(p[0])
            merged[1].extend(p[1])
            parts.remove(p)
        parts.append(merged)
    return [(tuple(sorted(keys)), names) for keys, names in parts]


def share(parts: list) -> int:
    """The sets of values each part may hold (:data:`LIMIT` over the parts)."""
    return max(1, LIMIT // len(parts)) if parts else LIMIT


def keep(memo: dict[Any, Any], values: Any, bits: Any, limit: int) -> None:
    """Remember a part's ``bits`` for its ``values``; a part holding ``limit`` sets of values forgets
    them all first (memory stays bounded)."""
    if len(memo) >= limit:
        memo.clear()
    memo[values] = bits


def values_of(keys: tuple[str, ...], get: Callable[[str, Any], Any]) -> Any:
    """What a part of ``keys`` remembers a fact by (``get``: the fact's): the value of its one key,
    the tuple of its keys' values, or ``()``; a key the fact lacks as :data:`MISSING`."""
    return get(keys[0], MISSING) if len(keys) == 1 else tuple(get(k, MISSING) for k in keys)


def recaller(parts: list[tuple[tuple[str, ...], dict]], fill: list[Callable[[dict[str, Any]], int]] | None = None,
             ) -> Callable[[dict[str, Any]], int | None]:
    """``recall(values)``: the OR of every part's remembered bits for the fact ``values``; where a
    part has not seen its values, None, or with ``fill``, what ``fill[i](values)`` gives for part i
    (which works the bits out and remembers them). Written out part by part (``_source``), each
    part's values as :func:`values_of` gives them."""
    w = Source(frozenset(("get",)))
    name, get, missing = w.function_name(), w.temp(), w.bind(MISSING)
    found = []
    with w.block(f"def {name}(values)"):
        w(f"{get} = values.get")
        for i, (keys, memo) in enumerate(parts):
            t = w.temp()
            w(f"{t} = {w.bind(memo)}.get({_key([f'{get}({w.bind(k)}, {missing})' for k in keys])})")
            with w.block(f"if {t} is None"):
                w("return None" if fill is None else f"{t} = {w.bind(fill[i])}(values)")
            found.append(t)
        w(f"return {' | '.join(found) or '0'}")
    return w.build("<formasi_rules memo of a plan's rules>")[name]


def learner(parts: list[tuple[tuple[str, ...], dict]], limit: int) -> Callable[[dict[str, Any], list[int]], int]:
    """``learn(values, split)``: each part i remembers ``split[i]`` for the fact ``values`` (by its
    keys' values, as :func:`values_of` gives them, and as :func:`keep` does, ``limit`` sets at most);
    the OR of them. Written out part by part, as :func:`recaller`."""
    w = Source(frozenset(("get", "clear")))
    name, get, missing = w.function_name(), w.temp(), w.bind(MISSING)
    found = []
    with w.block(f"def {name}(values, split)"):
        w(f"{get} = values.get")
        for i, (keys, memo) in enumerate(parts):
            bits, table = w.temp(), w.bind(memo)
            w(f"{bits} = split[{i}]")
            with w.block(f"if len({table}) >= {int(limit)}"):
                w(f"{table}.clear()")
            w(f"{table}[{_key([f'{get}({w.bind(k)}, {missing})' for k in keys])}] = {bits}")
            found.append(bits)
        w(f"return {' | '.join(found) or '0'}")
    return w.build("<formasi_rules memo of a plan's rules, learning>")[name]


def _key(values: list[str]) -> str:
    """The expression of a part's key (as :func:`values_of` makes it) from its keys' expressions."""
    return values[0] if len(values) == 1 else "(" + "".join(v + ", " for v in values) + ")"


class ValueRecall(_Judged):
    """A backend's memos asked straight from a candidate's derived values, so a fact the memos answer
    is never built. ``code`` (an ``_encode_code.FactCode``) reads and encodes each key as the fact's
    encoder would; ``groups``: per memo (a ruleset's), the keys that alone send a fact to it (a
    fallback ruleset's ``only_missing``; empty: every fact) and its parts.

    Each part is first asked by its keys' values as derived (``FactCode.key``: equal keys encode
    alike), in a memo of its own (``seen``): only where that has not seen them are they encoded and
    the backend's memo asked, and what it answers kept for the values, with the part's keys the fact
    lacks (a value not known, a per-level value not given), both in one integer: the bits above the
    plan's keys, the keys lacking below. So a repeated Decimal or date is not encoded again, and which
    keys a fact lacks comes with the answers, not from a look at each value.

    Called with a Derived (its values as ``Derived.given`` gives them to the code, and its per-level
    values), it gives ``(bits, lacking, asked)``: the OR of the bits remembered, the plan's keys the
    fact would lack, and a bit per group asked (for its memo's count); or None where the fact must be
    built and given to the backend: a part whose values the backend's memo has not seen, a value the
    encoding refuses (the fact's encoder words it), a per-level value of a field read as a plain one
    (``FactCode.covers``). Like :class:`Memo`, one that declined more than half the facts of a
    stretch stops being asked (``on``): a batch whose values do not repeat pays nothing more."""

    def __init__(self, code: FactCode, groups: list[tuple[frozenset[str], list[tuple[tuple[str, ...], dict]]]]):
        self.code = code
        self.on = True
        self._asked = self._missed = 0
        self._learning = True
        self.seen: list[dict[Any, int]] = []  # per part: its values as derived -> bits << width | keys lacking
        order, width = code.order, len(code.order)
        w = Source(frozenset(("get", "scaleb")))
        name, missing = w.function_name(), w.bind(MISSING)
        with w.block(f"def {name}(values, per_level)"):
            lacks, got, asked = w.temp(), w.temp(), w.temp()
            read: dict[str, tuple[str, str]] = {}  # key -> the local holding its value, what it holds when lacking
            by_level: dict[str, str] = {}
            for key in order:
                read[key] = code.read(w, key, missing, by_level)
            # a key the entries of the parts every fact asks do not cover (it is in none of them), and a
            # key that decides whether a fallback ruleset's memo is asked: whether it lacks, looked at alone
            told = {k for only, parts in groups if not only for keys, _ in parts for k in keys}
            deciding = {k for only, _ in groups for k in only}
            w(f"{lacks} = 0")
            for i, key in enumerate(order):
                if key not in told or key in deciding:
                    with w.block(f"if {read[key][0]} is {read[key][1]}"):
                        w(f"{lacks} = {lacks} | {1 << i}")
            w(f"{got} = 0")
            w(f"{asked} = 0")
            for g, (only, parts) in enumerate(groups):
                mask = sum(1 << order.index(k) for k in only)
                # a fallback ruleset takes a fact lacking some of its keys, not all (DurableBackend.run)
                with w.block(f"if {lacks} & {mask} and {lacks} & {mask} != {mask}") if mask else nullcontext():
                    for keys, memo in parts:
                        w(f"{got} = {got} | {self._part(w, code, keys, memo, read, share(parts), missing)}")
                    w(f"{asked} = {asked} | {1 << g}")
            w(f"return {got} >> {width}, {lacks} | {got} & {(1 << width) - 1}, {asked}")
        self._recall = w.build("<formasi_rules memo asked from values>")[name]

    def _part(self, w: Source, code: FactCode, keys: tuple[str, ...], memo: dict, read: dict[str, tuple[str, str]],
              limit: int, missing: str) -> str:
        """Write one part's look-up: the local holding its entry (the function returns None where the
        backend's memo has not seen its values)."""
        order, width = code.order, len(code.order)
        seen: dict[Any, int] = {}
        self.seen.append(seen)
        entry, key = w.temp(), _key([code.key(w, k, *read[k]) for k in keys])
        if not key.isidentifier():  # (a value read as it is is its own key)
            key, expression = w.temp(), key
            w(f"{key} = {expression}")
        w(f"{entry} = {w.bind(seen)}.get({key})")
        with w.block(f"if {entry} is None"):
            encoded, lacking = [], []
            for k in keys:
                value, absent = read[k]
                if absent != missing:  # (a value not known is None: the fact's encoding takes the sentinel)
                    given, value = value, w.temp()
                    w(f"{value} = {missing} if {given} is {absent} else {given}")
                encoded.append(code.encode(w, k, value, missing))
                lacking.append(f"({1 << order.index(k)} if {value} is {missing} else 0)")
            bits = w.temp()
            w(f"{bits} = {w.bind(memo)}.get({_key(encoded)})")
            with w.block(f"if {bits} is None"):
                w("return None")
            w(f"{entry} = {bits} << {width} | {' | '.join(lacking) or '0'}")
            w(f"{w.bind(keep)}({w.bind(seen)}, {key}, {entry}, {limit})")  # bounded, as the backend's memo
        return entry

    def __call__(self, derived: Any) -> tuple[int, frozenset[str], int] | None:
        code, per_level = self.code, derived.per_level
        if not self.on or not code.covers(per_level):
            return None
        self._asked += 1
        try:
            found = self._recall(derived.given(code.slots), per_level)
        except (ArithmeticError, ValueError, LookupError, TypeError):  # the fact's encoder says what is wrong
            found = None
        if found is None:
            self._missed_one()
            return None
        got, lacks, asked = found
        return got, code.lacking(lacks), asked

    def _memos(self) -> list[dict]:
        return self.seen


def _properties(rule: Any) -> frozenset[str] | None:
    """The fact properties a rule's condition reads, or None for a rule of a shape it does not know
    (then the memo is never asked). durable_rules' JSON: ``{"all": [{alias: condition}]}``, one fact
    (a rule joining two facts is of no shape it knows); in a condition, a name beginning ``$`` is an
    operator over conditions (``$and``, ``$or``) or over one test (``$lte: {property: literal}``),
    any other name a test ``{property: literal}``."""
    if not isinstance(rule, dict) or set(rule) != {"all"} or not isinstance(rule["all"], list) or \
            len(rule["all"]) != 1:
        return None
    found: set[str] = set()
    stack: list[Any] = []
    for item in rule["all"]:
        if not isinstance(item, dict):
            return None
        stack.extend(item.values())
    while stack:
        condition = stack.pop()
        if not isinstance(condition, dict):
            return None
        for name, value in condition.items():
            if name in ("$and", "$or") and isinstance(value, list):
                stack.extend(value)
            elif name.startswith("$"):
                stack.append(value)
            elif isinstance(value, (str, int, float, bool)):
                found.add(name)
            else:  # a value that is itself an expression (another property, the session's state)
                return None
    return frozenset(found)
