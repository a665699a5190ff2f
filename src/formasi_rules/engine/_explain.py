"""Turning what a backend fired into decisions with reasons (their words are in _words)."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import orjson

from ..policy import Policy
from ._encode import AS_IS, fact_key, show
from ._plan import bit_tables
from ._source import Source
from ._result import Decision, Given, Reason, Result, compact_record, outcome, put_decision
from ._words import message

if TYPE_CHECKING:
    from ._backend import Firings
    from ._derive import Derived
    from ._plan import Check, Plan



class Explainer:
    """Makes the decisions for one plan, and their reasons when asked for.

    A decision's outcome comes straight from the firings' bit masks. Its reasons are built on
    demand; a reason depends only on its check, whether it passed, the values it read and the
    inputs missing, and is immutable, so equal reasons are built (and rendered as JSON) once and
    shared between candidates, and so are equal decisions met more than once (:class:`_Kept`).
    """

    def __init__(self, policy: Policy, plan: Plan, slots: dict[str, int] | None = None):
        self.policy = policy
        self.plan = plan
        self._bundles: dict[tuple, _Bundle] = {}  # targets -> what depends on them only
        self._names = {t: f"{t[0]}/{t[1]}" for t in plan.targets}
        # per check: (field, level it is read at, or None) for each field it reads
        fields = policy.fields
        self._reads = {k: tuple((f, c.level if fields[f].per_level else None) for f in c.fields)
                       for k, c in plan.checks.items()}
        self._pairs = tuple(dict.fromkeys(pair for reads in self._reads.values() for pair in reads))
        # the reasons and decisions kept for every candidate; the reasons of a candidate's checks, looked
        # up there (see _lookup_writer); per target, its place in what that gives and its checks' places
        self._kept = _Kept(policy, plan, {k: tuple((fact_key(fields[f], c.level), f) for f in c.fields)
                                          for k, c in plan.checks.items()})
        self._lookup = _lookup_writer(plan, self._reads, self._kept)
        place = {k: i for i, k in enumerate(plan.order)}
        # per target: its place, its checks' places, and its checks' mask
        self._places = {t: (i, tuple(place[k] for k in keys), plan.mask(keys))
                        for i, (t, keys) in enumerate(plan.targets.items())}
        self._failed: dict[int, tuple[str, ...]] = {}  # see failed_checks
        self._missing: dict[tuple[int, int, frozenset[str]], tuple[str, ...]] = {}  # see missing
        self._at_bits = len(plan.targets).bit_length()  # a target's place fits in so many bits
        # the values the checks read as results show them: [(field, None) | (field, (level, ...))] in the
        # order of self._pairs, written as code (made here: never while an evaluation runs); False where a
        # field is read both ways, pair by pair in _actual
        groups: dict[str, Any] = {}
        for field, level in self._pairs:
            groups.setdefault(field, None if level is None else [])
            if level is not None and groups[field] is not None:
                groups[field].append(level)
        self._layout = tuple((f, None if lv is None else tuple(lv)) for f, lv in groups.items())
        if {f for f, lv in self._pairs if lv is None} & {f for f, lv in self._pairs if lv is not None}:
            self._layout = False
        # read from the deriver's slots (``GeneratedDeriver.slots``) where every plain value is in one
        self._slots = slots if self._layout is not False and slots is not None and \
            {f for f, lv in self._layout if lv is None} <= slots.keys() else None
        self._write_actual = _actual_writer(self._layout, self._slots) if self._layout is not False else None

    def states(self, firings: Firings, targets: Sequence[tuple[str, str]]) -> dict[str, bool | None]:
        """The state of every check the targets read: passed (True), failed (False) or not tested
        (None), in their order (a result's ``checks``)."""
        bundle = self._bundle(targets)
        failed_bits, unknown_bits = bundle.masks(firings)
        if bundle.groups is not None:
            return bundle.states(failed_bits, unknown_bits)
        states = dict.fromkeys(bundle.read, True)  # in plan order: passed, unless failed or not tested
        states.update(dict.fromkeys(self.plan.names(failed_bits), False))
        states.update(dict.fromkeys(self.plan.names(unknown_bits), None))
        return states

    def explain(self, derived: Derived, firings: Firings, targets: Sequence[tuple[str, str]]) -> Explanation:
        """The Explanation that builds the decisions when asked, with the values the checks read
        (``actual``; the outcomes are :meth:`outcomes`, the checks' states :meth:`states`)."""
        bundle = self._bundle(targets)
        failed_bits, unknown_bits = bundle.masks(firings)
        return Explanation(self, bundle.rows, self._actual(derived), firings.missing, bundle.read_bits, failed_bits,
                           unknown_bits)

    def outcomes(self, firings: Firings, targets: Sequence[tuple[str, str]]) -> dict[str, str]:
        """The outcome of each target ("route/level" -> outcome), as :func:`outcome` gives it from
        the target's checks: straight from the bit masks."""
        bundle = self._bundle(targets)
        return bundle.outcomes(*bundle.masks(firings))

    def compact(self, candidate: str, shown: dict[str, Any], derived: Derived, firings: Firings,
                targets: Sequence[tuple[str, str]]) -> bytes:
        """The candidate's record in the compact layout, straight from the firings: the same bytes
        as ``Result.to_bytes("compact")`` of the Result :meth:`decide` would make (tested), without
        building the Result, the check states or the values ``shown`` already holds."""
        bundle = self._bundle(targets)
        pieces = bundle.pieces
        actual = self._actual(derived, shown)
        if pieces is not None:  # the lists and decisions from pieces rendered once (see _Pieces)
            return pieces.record(candidate, shown, actual, *bundle.masks(firings))
        passed, failed = firings.passed, firings.failed
        read = bundle.read
        unknown = bundle.read_set.difference(passed, failed)
        return orjson.dumps(compact_record(
            candidate, shown, actual, list(filter(failed.__contains__, read)) if failed else [],
            list(filter(unknown.__contains__, read)) if unknown else [], bundle.outcomes(*bundle.masks(firings))))

    def missing(self, at: int, unknown: int, absent: frozenset[str], reasons: tuple[Reason | None, ...],
                ) -> tuple[str, ...]:
        """The inputs that would settle the checks ``unknown`` (a mask, not 0) of the decision at place
        ``at`` for a candidate lacking the fact keys ``absent``, from the decision's ``reasons``: made
        once for each (an untested check's reason, so its missing inputs, is one per set of fields
        absent; the decision's order of checks is its place's)."""
        key = (at, unknown, absent)
        found = self._missing.get(key)
        if found is None:
            if len(self._missing) >= 4096:
                self._missing.clear()
            found = self._missing[key] = _missing(reasons)
        return found

    def failed_checks(self, target: tuple[str, str], at: int, failed: int) -> tuple[str, ...]:
        """The checks of ``target`` (at its place ``at``) that failed, in its order, from ``failed``,
        the mask of its failed checks (not 0): made once for each (a batch meets few)."""
        key = failed << self._at_bits | at
        found = self._failed.get(key)
        if found is None:
            if len(self._failed) >= 4096:
                self._failed.clear()
            bit = self.plan.bit
            found = self._failed[key] = tuple([k for k in self.plan.targets[target] if bit[k] & failed])
        return found

    def _bundle(self, targets: Sequence[tuple[str, str]]) -> _Bundle:
        """What depends on the targets only, made once per set of targets (a batch asks for few)."""
        last = self.__dict__.get("_last")
        if last is not None and (last[0] is targets or last[0] == targets):
            return last[1]
        key = tuple(targets)
        bundle = self._bundles.get(key)
        if bundle is None:
            if len(self._bundles) > 64:
                self._bundles.clear()
            plan = self.plan
            read = tuple(dict.fromkeys(k for t in targets for k in plan.targets[t]))
            in_order = list(read) == [k for k in plan.order if k in frozenset(read)]
            rows = tuple((t, self._names[t], *self._places[t]) for t in key)
            bits = tuple((name, mask) for _, name, _, _, mask in rows)
            groups = tuple((shift, tuple((j, k) for j, k in enumerate(plan.order[shift:shift + 8]) if k in read))
                           for shift in range(0, len(plan.order), 8))
            bundle = self._bundles[key] = _Bundle(key, read, frozenset(read), plan.mask(read), bits, rows,
                                                  _Pieces(self._check_names, bits) if in_order else None,
                                                  tuple(g for g in groups if g[1]) if in_order else None,
                                                  _outcomes_writer(bits))
        self.__dict__["_last"] = (targets if type(targets) is tuple else list(targets), bundle)
        return bundle

    @functools.cached_property
    def _check_names(self) -> tuple:
        """Each check's name as JSON followed by a comma, by bit mask eight checks at a time."""
        return bit_tables(self.plan.order, lambda names: b"".join(orjson.dumps(n) + b"," for n in names))

    def _actual(self, derived: Derived, shown: dict[str, Any] | None = None) -> dict[str, Any]:
        """The values the checks read, by field (and level); those in ``shown`` left out."""
        layout, per_level = self._layout, derived.per_level
        if layout is False:
            values = derived.values
            out: dict[str, Any] = {}
            for field, level in self._pairs:
                if shown is not None and field in shown:
                    continue
                if level is None:
                    out[field] = show(values.get(field))
                else:
                    out.setdefault(field, {})[level] = show(per_level.get(field, {}).get(level))
            return out
        return self._write_actual(derived.given(self._slots), per_level, shown if shown is not None else ())


class _Kept:
    """The reasons and decisions of a plan kept for every candidate, bounded: past MAX_CACHED
    entries they are all let go, so memory stays flat however many candidates pass through.

    A reason is kept per check and state (passed, failed, not tested) by the values its check read;
    one not tested also by the set of fact keys the candidate lacks (each such set an entry: a
    frozenset keeps its hash), made once per set of fields those leave it without. A decision is
    kept once it is made a second time (:meth:`keep`). The code that looks reasons up holds this,
    not the Explainer, and nothing here holds the code: no cycle keeps a closed engine's reasons."""

    MAX_CACHED = 20_000  # reasons' entries, and decisions; a reason is about 1 KB with its JSON

    def __init__(self, policy: Policy, plan: Plan, reads: dict[str, tuple[tuple[str, str], ...]]):
        # per check: (fact key, field) for each field it reads, to say which a candidate lacks
        self.policy, self.plan, self.reads = policy, plan, reads
        self.reasons: dict[tuple[str, bool | None], dict[Any, Reason]] = {
            (k, state): {} for k in plan.order for state in (True, False, None)}
        self.count = 0  # entries in reasons
        self.decisions: dict[tuple, Decision] = {}  # (target's place, its reasons' ids) -> the Decision
        # the keys of decisions made once; a key may name reasons let go since (and a new reason take
        # an id of one): it only decides whether the next decision is kept, never which one is given
        self.seen: set[tuple] = set()

    def keep(self, key: tuple, decision: Decision) -> None:
        """Keep a decision made for the second time, for every candidate after: one made once stays
        the candidate's own. Most decisions made are never met again; kept, each would live
        long enough for the garbage collector to walk it in every full collection, a cost
        which grew with each kept (measured: a fifth of the reasons path's time)."""
        made, seen = self.decisions, self.seen
        if key in seen:
            if len(made) >= self.MAX_CACHED:  # bounded as the reasons are
                made.clear()
            made[key] = decision  # it holds its reasons: no other can take their ids while it is kept
        else:
            if len(seen) >= self.MAX_CACHED:
                seen.clear()
            seen.add(key)

    def make(self, k: str, passed: bool | None, read: Any, absent: frozenset[str]) -> Reason:
        """The reason of check ``k`` that ``passed`` (None: not tested, for a candidate lacking the
        fact keys ``absent``), having read ``read`` (a value, or a tuple where it reads several),
        kept for every candidate that gives the same."""
        if self.count >= self.MAX_CACHED:
            for kept in self.reasons.values():
                kept.clear()
            self.count = 0
            self.decisions.clear()  # they hold reasons too: memory stays bounded by the two
            self.seen.clear()
        kept = self.reasons[k, passed]
        self.count += 1
        if passed is not None:
            key, gone = read, ()
        else:  # the same reason for every set of absent keys that leaves the check the same fields
            key, gone = (read, absent), tuple([f for fact, f in self.reads[k] if fact in absent])
            reason = kept.get((read, gone))
            if reason is not None:
                kept[key] = reason
                return reason
            self.count += 1  # (the entry by the fields, below)
        check = self.plan.checks[k]
        values = (read,) if len(check.fields) == 1 else read
        reason = kept[key] = _reason(self.policy, check, passed, dict(zip(check.fields, values, strict=True)), gone)
        if passed is None:
            kept[read, gone] = reason
        return reason


def _actual_writer(layout: tuple[tuple[str, tuple[str, ...] | None], ...], slots: dict[str, int] | None = None):
    """``actual(values, per_level, shown)``: each field of ``layout`` not in ``shown`` as JSON shows it
    (a per-level field as a mapping of its levels), written as code for one plan (engine/_source.py);
    with ``slots``, ``values`` is the deriver's slots (``Derived.given``)."""
    w = Source(frozenset(("get", "isoformat")))
    name, out, as_is, shown_as, date = w.function_name(), w.temp(), w.bind(AS_IS), w.bind(show), w.bind(dt.date)

    def as_shown(t: str) -> str:  # show(t), its two commonest cases written out (a call costs more than either)
        return f"{t} if type({t}) in {as_is} else {t}.isoformat() if type({t}) is {date} else {shown_as}({t})"
    with w.block(f"def {name}(values, per_level, shown)"):
        w(f"{out} = {{}}")
        for field, levels in layout:
            key, t = w.bind(field), w.temp()
            with w.block(f"if {key} not in shown"):
                if levels is None:
                    w(f"{t} = values[{slots[field]}]" if slots is not None else f"{t} = values.get({key})")
                    w(f"{out}[{key}] = {as_shown(t)}")
                    continue
                w(f"{t} = per_level.get({key})")
                with w.block(f"if {t} is None"):
                    w(f"{out}[{key}] = {w.bind(dict.fromkeys)}({w.bind(levels)})")
                with w.block("else"):
                    got = [w.temp() for _ in levels]
                    for level, g in zip(levels, got):
                        w(f"{g} = {t}.get({w.bind(level)})")
                    items = ", ".join(f"{w.bind(level)}: {as_shown(g)}" for level, g in zip(levels, got))
                    w(f"{out}[{key}] = {{{items}}}")
        w(f"return {out}")
    return w.build("<formasi_rules actual values>")[name]


def _outcomes_writer(bits: tuple[tuple[str, int], ...]) -> Callable[[int, int], dict[str, str]]:
    """``outcomes(failed, unknown)``: each target's outcome (as :func:`outcome`) from the masks of
    the checks read that failed and were not tested (``_Bundle.masks``); ``bits``: per target its
    name and its checks' mask."""
    return _by_outcome([(name, mask, (_NOT_ELIGIBLE, _UNDETERMINED, _ELIGIBLE)) for name, mask in bits])


def _by_outcome(targets: list[tuple[Any, int, tuple[Any, Any, Any]]], joined: bool = False,
                ) -> Callable[[int, int], Any]:
    """``f(failed, unknown)``, written as code (engine/_source.py), one line per target (its key,
    its checks' mask, and what its outcome gives: not eligible, undetermined, eligible): a dict of
    each key's value, or (``joined``) the values, which are bytes, joined by commas."""
    w = Source(frozenset(("join",)))
    name = w.function_name()
    with w.block(f"def {name}(failed, unknown)"):
        items = [f"{w.bind(no)} if failed & {mask} else {w.bind(unknown)} if unknown & {mask} else {w.bind(yes)}"
                 for _, mask, (no, unknown, yes) in targets]
        if joined:
            w(f"return {w.bind(b',')}.join({_tuple(items)})")
        else:
            w(f"return {{{', '.join(f'{w.bind(key)}: {item}' for (key, _, _), item in zip(targets, items))}}}")
    return w.build("<formasi_rules outcomes of a plan>").pop(name)


def _lookup_writer(plan: Plan, reads: dict[str, tuple[tuple[str, str | None], ...]], kept: _Kept):
    """``lookup(read, failed, unknown, values, absent)``: for a candidate whose checks ``read``
    failed and were not tested as the bit masks say, read the values ``values`` (the result's
    ``actual``) and lack the fact keys ``absent``, the reason of each check read, in
    ``Plan.order`` (None for one not read), found in ``kept`` or made there; and per target its
    place and the ids of its checks' reasons. Written as code for one plan (engine/_source.py)."""
    w = Source(frozenset())
    name, local, reason, ident = w.function_name(), {}, {}, {}
    make = w.bind(kept.make)
    with w.block(f"def {name}(read, failed, unknown, values, absent)"):
        for field in dict.fromkeys(f for k in plan.order for f, _ in reads[k]):
            local[field] = w.temp()
            w(f"{local[field]} = values[{w.bind(field)}]")
        for k in plan.order:
            bit, check, reason[k], ident[k] = plan.bit[k], w.bind(k), w.temp(), w.temp()
            with w.block(f"if read & {bit}"):
                parts = [local[f] if level is None else f"{local[f]}[{w.bind(level)}]" for f, level in reads[k]]
                value = parts[0] if len(parts) == 1 and parts[0] in local.values() else w.temp()
                if value not in local.values():
                    w(f"{value} = {parts[0] if len(parts) == 1 else _tuple(parts)}")
                with w.block(f"if unknown & {bit}"):
                    w(f"{reason[k]} = {w.bind(kept.reasons[k, None].get)}(({value}, absent))")
                    with w.block(f"if {reason[k]} is None"):
                        w(f"{reason[k]} = {make}({check}, None, {value}, absent)")
                for header, passed in ((f"elif failed & {bit}", False), ("else", True)):
                    with w.block(header):
                        w(f"{reason[k]} = {w.bind(kept.reasons[k, passed].get)}({value})")
                        with w.block(f"if {reason[k]} is None"):
                            w(f"{reason[k]} = {make}({check}, {passed}, {value}, ())")
                w(f"{ident[k]} = {w.bind(id)}({reason[k]})")
            with w.block("else"):
                w(f"{reason[k]} = None")
                w(f"{ident[k]} = 0")
        targets = [_tuple([str(i), *(ident[k] for k in keys)]) for i, keys in enumerate(plan.targets.values())]
        w(f"return {_tuple([reason[k] for k in plan.order])}, {_tuple(targets)}")
    namespace = w.build("<formasi_rules reasons of a plan>")
    return namespace.pop(name)  # (it calls no function of its own: its namespace need not hold it)


def _tuple(items: list[str]) -> str:
    return f"({', '.join(items)}{',' if len(items) == 1 else ''})"


_SET = object.__setattr__
_NOT_ELIGIBLE, _UNDETERMINED, _ELIGIBLE = outcome(True, False), outcome(False, True), outcome(False, False)


@attrs.frozen
class _Bundle:
    """What an Explainer needs of a set of targets, made once for it."""

    targets: tuple[tuple[str, str], ...]
    read: tuple[str, ...]  # the checks they read, in plan order
    read_set: frozenset[str]
    read_bits: int  # the same as a bit mask (Plan.bit)
    bits: tuple[tuple[str, int], ...]  # per target: its name ("route/level") and its checks' mask
    # per target: itself, its name, its place, its checks' places and its checks' mask (Explainer._places)
    rows: tuple[tuple[tuple[str, str], str, int, tuple[int, ...], int], ...]
    pieces: _Pieces | None  # the compact record's pieces, where ``read`` is in Plan.order's order
    # there too: Plan.order eight checks at a time, (its first bit, (bit, check) for each check read)
    groups: tuple[tuple[int, tuple[tuple[int, str], ...]], ...] | None
    # ``outcomes(failed, unknown)``: each target's outcome, written as code (_outcomes_writer)
    outcomes: Callable[[int, int], dict[str, str]]
    # (first bit, failed byte, untested byte) -> the states of the checks of its group
    _states: dict[tuple[int, int, int], tuple] = attrs.field(factory=dict, init=False, eq=False)

    MAX_STATES = 4096  # parts of states kept (a part is at most 8 pairs)

    def states(self, failed: int, unknown: int) -> dict[str, bool | None]:
        """check -> passed (True), failed (False) or not tested (None), in ``read``'s order, from
        :meth:`masks`: joined from each group's part, made once for its bits (a batch meets few)."""
        made, parts = self._states, []
        for shift, group in self.groups:
            key = (shift, failed >> shift & 255, unknown >> shift & 255)
            part = made.get(key)
            if part is None:
                if len(made) >= self.MAX_STATES:
                    made.clear()
                _, no, unknown_ = key
                part = made[key] = tuple((k, False if no >> j & 1 else None if unknown_ >> j & 1 else True)
                                         for j, k in group)
            parts.append(part)
        return dict(itertools.chain.from_iterable(parts))

    def masks(self, firings: Firings) -> tuple[int, int]:
        """The checks read that failed, and those not tested (neither passed nor failed), as masks."""
        failed = firings.failed_bits & self.read_bits
        return failed, self.read_bits & ~(firings.passed_bits | failed)


class _Pieces:
    """A compact record's parts that depend only on which checks passed and failed, rendered once
    for a plan and a set of targets: each check's name as JSON (eight checks at a time, by bit
    mask: ``Plan.order``'s bits, which these targets read in their order), and each decision's
    name with each of its outcomes. The record is then joined from them and orjson's text of the
    values (``compact_record`` gives the same bytes, key for key; tests/test_compact.py)."""

    MAX_LISTS = 4096  # lists of check names kept (about 1 KB each at most for the shipped policy)

    def __init__(self, names: tuple, bits: tuple[tuple[str, int], ...]):
        self.names = names  # Explainer._check_names
        # (failed, unknown) -> the decisions' names with their outcomes, "name":"outcome" joined by commas
        self.decisions = _by_outcome([(None, mask, tuple(orjson.dumps(name) + b":" + orjson.dumps(o)
                                                         for o in (_NOT_ELIGIBLE, _UNDETERMINED, _ELIGIBLE)))
                                      for name, mask in bits], joined=True)
        self._lists: dict[int, bytes] = {}  # mask -> its list: a batch meets few sets of untested checks

    def _list(self, bits: int) -> bytes:
        found = self._lists.get(bits)
        if found is None:
            if len(self._lists) >= self.MAX_LISTS:
                self._lists.clear()
            found = self._lists[bits] = b"".join([table[bits >> shift & 255] for shift, table in self.names])[:-1]
        return found

    def record(self, candidate: str, shown: dict[str, Any], actual: dict[str, Any], failed: int, unknown: int,
               ) -> bytes:
        """The record, from the masks of the checks read that failed and that were not tested."""
        return b"".join((b'{"candidate":', orjson.dumps(candidate), b',"derived":', orjson.dumps(shown),
                         b',"actual":', orjson.dumps(actual), b',"failed":[', self._list(failed) if failed else b"",
                         b'],"undetermined":[', self._list(unknown) if unknown else b"", b'],"decisions":{',
                         self.decisions(failed, unknown), b"}}"))


@attrs.frozen
class Explanation:
    """One candidate's evaluation: builds its decisions, and their reasons, when they are read."""

    explainer: Explainer
    rows: tuple[tuple[tuple[str, str], str, int, tuple[int, ...], int], ...]  # _Bundle.rows
    actual: dict[str, Any]
    absent: frozenset[str]
    read_bits: int  # the checks the targets read, those that failed, and those not tested, as the plan's masks
    failed_bits: int
    unknown_bits: int
    # what _looked gives, once looked up
    _found: list = attrs.field(factory=list, init=False, eq=False, repr=False)

    def decisions(self, result: Result) -> tuple[Decision, ...]:
        """A Decision per target, with its reasons. A decision is a function of its target and its
        checks' reasons (its outcome, failed checks and missing inputs are theirs), and the
        reasons are shared between candidates: so are equal decisions met more than once
        (:meth:`_Kept.keep`), but for one with an allocation, which is the candidate's own."""
        explainer, allocations, outcomes = self.explainer, result.allocations, result.outcomes
        kept = explainer._kept
        made = kept.decisions
        reasons, ids = self._looked()
        failed_bits, unknown_bits, out = self.failed_bits, self.unknown_bits, []
        for target, name, at, where, mask in self.rows:
            allocation = allocations.get(name) if allocations else None
            # its place and its reasons' ids: a decision kept holds its reasons, so no other can take their ids
            key = ids[at]
            if allocation is None:
                decision = made.get(key)
                if decision is not None:
                    out.append(decision)
                    continue
            own = tuple(map(reasons.__getitem__, where))
            failed, unknown = failed_bits & mask, unknown_bits & mask
            decision = Decision(target[0], target[1], outcomes[name],
                                explainer.failed_checks(target, at, failed) if failed else (),
                                explainer.missing(at, unknown, self.absent, own) if unknown else (), allocation,
                                explain=Given(own))
            _SET(decision, "reasons", own)  # its cached_property, known already
            if allocation is None:
                kept.keep(key, decision)
            out.append(decision)
        return tuple(out)

    def put_decisions(self, parts: list[bytes], outcomes: dict[str, str]) -> None:
        """The decisions' JSON pieces (as ``decisions`` would give them, rendered), straight from
        the check states: no Decision objects, each reason looked up once for the candidate."""
        reasons, _ = self._looked()
        # each reason's JSON, once (a check no target reads has none): each decision takes its own
        raw = [None if r is None else r.raw or r.to_bytes() for r in reasons]
        for i, (target, name, _, where, mask) in enumerate(self.rows):
            if i:
                parts.append(b",")
            put_decision(parts, target[0], target[1], outcomes[name], [raw[j] for j in where],
                         _missing([reasons[j] for j in where]) if self.unknown_bits & mask else (), None)

    def _looked(self) -> tuple[tuple[Reason, ...], tuple[tuple[int, ...], ...]]:
        """Every check's reason (in Plan.order) and each target's place and reasons' ids, looked up once for
        the candidate, when its decisions are first read (a check is read by up to 18 decisions)."""
        found = self._found
        if not found:
            found.append(self.explainer._lookup(self.read_bits, self.failed_bits, self.unknown_bits, self.actual,
                                                self.absent))
        return found[0]


def _missing(reasons: Iterable[Reason]) -> tuple[str, ...]:
    """The inputs that would settle a decision's undetermined checks, from their reasons."""
    found = [r.missing for r in reasons if r.passed is None]
    if not found:
        return ()
    return found[0] if len(found) == 1 else tuple(dict.fromkeys(itertools.chain.from_iterable(found)))


def _reason(policy: Policy, check: Check, passed: bool | None, actual: dict[str, Any],
            absent: tuple[str, ...]) -> Reason:
    missing = tuple(dict.fromkeys(i for f in absent for i in policy.fields[f].inputs))
    rule, text = check.rule, check.text
    reason = Reason(rule.id, rule.title, passed, actual, check.required, message(rule.title, passed, actual, text.need_text),
                    text.citation, text.values_from, missing, rule.note, rule.layer)
    return attrs.evolve(reason, raw=reason.to_bytes())
