"""Turning what a backend fired into decisions with reasons (their words are in _words)."""

from __future__ import annotations

import itertools
import operator
from typing import TYPE_CHECKING, Any

import attrs
import orjson

from ..policy import Policy
from ._encode import AS_IS, fact_key, show
from ._result import Decision, Reason, Result, compact_record, outcome, put_decision
from ._words import message

if TYPE_CHECKING:
    from ._backend import Firings
    from ._derive import Derived
    from ._plan import Check, Plan



class Explainer:
    """Makes the decisions for one plan, and their reasons when asked for.

    A decision's outcome, failed checks and missing inputs come straight from the
    firings. Its reasons are built on demand; a reason depends only on its check, whether
    it passed, the values it read and the inputs missing, and is immutable, so equal
    reasons are built (and rendered as JSON) once and shared between candidates. The
    cache is bounded, so memory stays flat however many candidates pass through.
    """

    MAX_CACHED = 20_000  # reasons; about 1 KB each with their JSON

    def __init__(self, policy: Policy, plan: Plan):
        self.policy = policy
        self.plan = plan
        self._cache: dict[tuple, Reason] = {}
        self._read: dict[tuple, tuple[str, ...]] = {}
        self._names = {t: f"{t[0]}/{t[1]}" for t in plan.targets}
        # per check: (field, level it is read at, or None) for each field it reads
        fields = policy.fields
        self._reads = {k: tuple((f, c.level if fields[f].per_level else None) for f in c.fields)
                       for k, c in plan.checks.items()}
        self._pairs = tuple(dict.fromkeys(pair for reads in self._reads.values() for pair in reads))
        self._readers = {k: _reader(reads) for k, reads in self._reads.items()}  # actual -> the values read
        # per check: (fact key, field, the inputs that give it) for each field it reads
        self.inputs = {k: tuple((fact_key(fields[f], c.level), f, fields[f].inputs) for f in c.fields)
                        for k, c in plan.checks.items()}

    def decide(self, derived: Derived, firings: Firings, targets: list[tuple[str, str]],
               ) -> tuple[dict[str, str], dict[str, bool | None], dict[str, Any], Explanation]:
        """The outcome of each target ("route/level" -> outcome), the state of every check they
        read, the values read, and the Explanation that builds the decisions when asked."""
        passed, failed = firings.passed, firings.failed
        as_tuple, read, read_set, _ = bundle = self._bundle(targets)
        states = dict.fromkeys(read)  # in plan order; unknown unless passed or failed
        states.update(dict.fromkeys(read_set.intersection(failed), False))
        states.update(dict.fromkeys(read_set.intersection(passed), True))
        unknown = read_set.difference(passed, failed)
        actual = self._actual(derived)
        return _outcomes(bundle, failed, unknown), states, actual, Explanation(
            self, as_tuple, states, actual, failed, unknown, firings.missing)

    def compact(self, candidate: str, shown: dict[str, Any], derived: Derived, firings: Firings,
                targets: list[tuple[str, str]]) -> bytes:
        """The candidate's record in the compact layout, straight from the firings: the same bytes
        as ``Result.to_bytes("compact")`` of the Result :meth:`decide` would make (tested), without
        building the Result, the check states or the values ``shown`` already holds."""
        passed, failed = firings.passed, firings.failed
        _, read, read_set, _ = bundle = self._bundle(targets)
        unknown = read_set.difference(passed, failed)
        return orjson.dumps(compact_record(
            candidate, shown, self._actual(derived, shown), list(filter(failed.__contains__, read)) if failed else [],
            list(filter(unknown.__contains__, read)) if unknown else [], _outcomes(bundle, failed, unknown)))

    def _bundle(self, targets: list[tuple[str, str]]) -> tuple:
        """What depends on the targets only, made once for a run of candidates asking for the same:
        (targets, the checks they read in plan order, those as a set, per target its name and checks)."""
        bundle = self.__dict__.get("_last")
        if bundle is None or bundle[0] != targets:
            read = self._read_by(targets)
            pairs = tuple((self._names[t], frozenset(self.plan.targets[t])) for t in targets)
            bundle = self.__dict__["_last"] = (list(targets), (tuple(targets), read, frozenset(read), pairs))
        return bundle[1]

    def _read_by(self, targets: list[tuple[str, str]]) -> tuple[str, ...]:
        """The checks the targets read, in plan order (remembered: a batch asks for few target sets)."""
        key = tuple(targets)
        found = self._read.get(key)
        if found is None:
            if len(self._read) > 64:
                self._read.clear()
            found = self._read[key] = tuple(dict.fromkeys(k for t in targets for k in self.plan.targets[t]))
        return found

    def _actual(self, derived: Derived, shown: dict[str, Any] | None = None) -> dict[str, Any]:
        """The values the checks read, by field (and level); those in ``shown`` left out."""
        layout = self.__dict__.get("_layout")
        if layout is None:  # [(field, None) | (field, (level, ...))] in the order of self._pairs
            groups: dict[str, Any] = {}
            for field, level in self._pairs:
                groups.setdefault(field, None if level is None else [])
                if level is not None and groups[field] is not None:
                    groups[field].append(level)
            layout = self.__dict__["_layout"] = tuple((f, None if lv is None else tuple(lv))
                                                      for f, lv in groups.items())
            if len({f for f, _ in self._pairs if _ is None} & {f for f, lv in self._pairs if lv is not None}):
                layout = self.__dict__["_layout"] = False  # a field read both ways: pair by pair below
        values, per_level = derived.values, derived.per_level
        out: dict[str, Any] = {}
        if layout is False:
            for field, level in self._pairs:
                if shown is not None and field in shown:
                    continue
                if level is None:
                    out[field] = show(values.get(field))
                else:
                    out.setdefault(field, {})[level] = show(per_level.get(field, {}).get(level))
            return out
        skip = shown if shown is not None else ()
        for field, levels in layout:
            if field in skip:
                continue
            if levels is None:
                value = values.get(field)
                out[field] = value if type(value) in AS_IS else show(value)
            else:
                got = per_level.get(field)
                out[field] = dict.fromkeys(levels) if got is None else {level: show(got.get(level)) for level in levels}
        return out

    def reason_for(self, k: str, passed: bool | None, actual: dict[str, Any], absent: frozenset[str]) -> Reason:
        """The reason of check ``k`` for a candidate, shared with every candidate that gives the same."""
        read = self._readers[k](actual)
        gone = tuple([f for key, f, _ in self.inputs[k] if key in absent]) if passed is None else ()
        cache_key = (k, passed, read, gone)
        reason = self._cache.get(cache_key)
        if reason is None:
            if len(self._cache) >= self.MAX_CACHED:
                self._cache.clear()
            check = self.plan.checks[k]
            values = (read,) if len(check.fields) == 1 else read
            reason = _reason(self.policy, check, passed, dict(zip(check.fields, values, strict=True)), gone)
            self._cache[cache_key] = reason
        return reason


def _reader(reads: tuple[tuple[str, str | None], ...]):
    """The values a check reads from a candidate's ``actual`` values (by field, and by level for a
    per-level field): in C where no field is per-level. A tuple, or the value itself where the
    check reads one field (a value is never a tuple)."""
    if all(level is None for _, level in reads):
        return operator.itemgetter(*(f for f, _ in reads))
    if len(reads) == 1:
        (field, level), = reads
        return lambda actual: actual[field][level]
    return lambda actual: tuple([actual[f] if level is None else actual[f][level] for f, level in reads])


_NOT_ELIGIBLE, _UNDETERMINED, _ELIGIBLE = outcome(True, False), outcome(False, True), outcome(False, False)


def _outcomes(bundle: tuple, failed: frozenset[str], unknown: frozenset[str]) -> dict[str, str]:
    """Per target, as outcome(): a failed check decides; else one that could not be tested
    leaves it undetermined."""
    return {name: _NOT_ELIGIBLE if failed and not failed.isdisjoint(keys) else
            _UNDETERMINED if unknown and not unknown.isdisjoint(keys) else _ELIGIBLE for name, keys in bundle[3]}


@attrs.frozen
class Explanation:
    """One candidate's evaluation: builds its decisions, and their reasons, when they are read."""

    explainer: Explainer
    targets: tuple[tuple[str, str], ...]
    states: dict[str, bool | None]
    actual: dict[str, Any]
    failed: frozenset[str]
    unknown: frozenset[str]
    absent: frozenset[str]
    # check -> its reason for this candidate (see _every_reason)
    _reasons: dict[str, Reason] = attrs.field(factory=dict, init=False, eq=False, repr=False)
    # undetermined check -> the inputs it lacks (see _missing)
    _wanted: dict[str, tuple[str, ...]] = attrs.field(factory=dict, init=False, eq=False, repr=False)

    def decisions(self, result: Result) -> tuple[Decision, ...]:
        plan_targets = self.explainer.plan.targets
        out = []
        for route, level in self.targets:
            keys, name = plan_targets[(route, level)], f"{route}/{level}"
            out.append(Decision(route, level, result.outcomes[name], tuple(filter(self.failed.__contains__, keys)),
                                self._missing(keys), result.allocations.get(name), explain=self.reasons))
        return tuple(out)

    def put_decisions(self, parts: list[bytes], outcomes: dict[str, str]) -> None:
        """The decisions' JSON pieces (as ``decisions`` would give them, rendered), straight from
        the check states: no Decision objects, each reason looked up once for the candidate."""
        plan_targets, names = self.explainer.plan.targets, self.explainer._names
        # every reason the decisions show, as its JSON, once: each decision then takes its own in C
        raw = {k: r.raw or r.to_bytes() for k, r in self._every_reason().items()}.__getitem__
        for i, target in enumerate(self.targets):
            if i:
                parts.append(b",")
            keys = plan_targets[target]
            put_decision(parts, target[0], target[1], outcomes[names[target]], list(map(raw, keys)),
                         self._missing(keys), None)

    def _missing(self, keys: tuple[str, ...]) -> tuple[str, ...]:
        """The inputs that would settle the decision's undetermined checks."""
        if not self.unknown:
            return ()
        wanted = self._wanted
        if not wanted:  # made once for the candidate, the first time a decision asks
            absent, inputs = self.absent, self.explainer.inputs
            wanted.update({k: tuple(dict.fromkeys(i for key, _, given in inputs[k] if key in absent for i in given))
                           for k in self.unknown})
        found = [wanted[k] for k in keys if k in wanted]
        if not found:
            return ()
        return found[0] if len(found) == 1 else tuple(dict.fromkeys(itertools.chain.from_iterable(found)))

    def reasons(self, decision: Decision) -> tuple[Reason, ...]:
        return tuple(map(self._every_reason().__getitem__,
                         self.explainer.plan.targets[(decision.route, decision.level)]))

    def _every_reason(self) -> dict[str, Reason]:
        """check -> its reason, for every check the decisions read, looked up once for the candidate
        (when the first decision's reasons are read): a check is read by up to 18 decisions."""
        made = self._reasons
        if not made:
            reason, actual, absent = self.explainer.reason_for, self.actual, self.absent
            made.update({k: reason(k, passed, actual, absent) for k, passed in self.states.items()})
        return made


def _reason(policy: Policy, check: Check, passed: bool | None, actual: dict[str, Any],
            absent: tuple[str, ...]) -> Reason:
    missing = tuple(dict.fromkeys(i for f in absent for i in policy.fields[f].inputs))
    rule, text = check.rule, check.text
    reason = Reason(rule.id, rule.title, passed, actual, check.required, message(rule.title, passed, actual, text.need),
                    text.citation, text.values_from, missing, rule.note, rule.layer)
    return attrs.evolve(reason, raw=orjson.dumps(reason.to_dict()))
