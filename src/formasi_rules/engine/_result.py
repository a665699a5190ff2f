"""What an evaluation returns: a Result per candidate, a Decision per (route, level),
a Reason per checked rule. ``to_dict()`` gives the stable JSON shape
(schemas/result.schema.json); ``to_dict("compact")`` the compact one, which names each
check instead of repeating its text (see _compact and docs/decisions.md).

A result's outcomes are settled when it is made; an evaluation's result computes its
derived values, check states and values read the first time one of them is read
(``Result.deferred``), and its Decision objects, with their reasons (bilingual messages and
citations), the first time ``decisions`` is read. Equal reasons, and equal decisions without
an allocation, are shared between results.
``to_bytes(layout)`` is the JSON as UTF-8, joined once from pieces rendered once (a reason's
JSON is kept).

A batch written as JSON Lines builds no Result at all: each record is written straight from
its evaluation (``Rendered``, by ``compact_record`` / ``full_bytes`` / ``put_decision``, the
same functions ``to_bytes`` uses) and gathered into ``Block``s.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs
import orjson

from .._errors import EngineError, InvalidArgument, Problem, suggest
from .._text import Text
from ._frozen import frozen

ELIGIBLE, NOT_ELIGIBLE, UNDETERMINED = "eligible", "not_eligible", "undetermined"


def outcome(any_failed: bool, any_undetermined: bool) -> str:
    """A decision's outcome from its checks: a failed check decides; else one that could not be
    tested leaves it undetermined; else it is eligible."""
    return NOT_ELIGIBLE if any_failed else UNDETERMINED if any_undetermined else ELIGIBLE


class NoSuchDecision(InvalidArgument, KeyError):
    """``Result.decision()`` for a route and level the result has no decision for."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@attrs.frozen
class Reason:
    """One rule checked for one decision: passed (True), failed (False) or undetermined (None).

    Equal reasons are one object shared by the results that have them: its dicts and lists are
    read-only (``ReadOnlyDict``, ``ReadOnlyList``: changing one raises InvalidArgument), and
    ``to_dict()`` gives a fresh copy."""

    rule: str
    title: Text
    passed: bool | None
    actual: dict[str, Any] = attrs.field(converter=frozen)
    required: Any = attrs.field(converter=frozen)  # a check's is read-only already: kept as it is
    message: Text
    citation: dict[str, Any] = attrs.field(converter=frozen)
    # table rows the requirement was read from
    values_from: tuple[dict[str, Any], ...] = attrs.field(default=(), converter=frozen)
    missing: tuple[str, ...] = ()
    note: str | None = None
    layer: str = ""  # the policy (of a chain of extends) that wrote the rule
    raw: bytes | None = attrs.field(default=None, eq=False, repr=False)  # to_dict() as UTF-8 JSON, made once

    def to_json(self) -> str:
        return self.to_bytes().decode()

    def to_bytes(self) -> bytes:
        return self.raw if self.raw is not None else orjson.dumps(self._data())

    def to_dict(self) -> dict[str, Any]:
        """A fresh copy, every dict and list in it the caller's own."""
        return orjson.loads(self.to_bytes())

    def _data(self) -> dict[str, Any]:
        # to_dict() holding the reason's own (shared) values: only to be written at once
        out = {"rule": self.rule, "title": self.title.to_dict(), "passed": self.passed,
               "actual": self.actual, "required": self.required, "message": self.message.to_dict(),
               "citation": self.citation}
        if self.layer:
            out["layer"] = self.layer
        if self.values_from:
            out["values_from"] = list(self.values_from)
        if self.missing:
            out["missing"] = list(self.missing)
        if self.note:
            out["note"] = self.note
        return out


@attrs.frozen
class Decision:
    """The outcome for one route and level, with every reason."""

    route: str
    level: str
    outcome: str  # eligible | not_eligible | undetermined
    failed: tuple[str, ...]  # the checks that failed ("rule" or "rule@level")
    missing: tuple[str, ...]  # inputs that would settle an undetermined check
    allocation: dict[str, Any] | None = None  # set by allocation when places are contested
    # builds the reasons of a decision (the candidate's evaluation, or the reasons themselves)
    _explain: Callable[[Decision], tuple[Reason, ...]] = attrs.field(eq=False, repr=False, alias="explain",
                                                                     kw_only=True)

    @functools.cached_property
    def reasons(self) -> tuple[Reason, ...]:
        """Every rule checked for this decision, in the policy's order."""
        return self._explain(self)

    def __reduce__(self):
        # a pickled decision (sent back by a worker process) carries its reasons, not the
        # explainer that would build them
        return _with_reasons, (self.route, self.level, self.outcome, self.failed, self.missing,
                               self.allocation, self.reasons)

    def to_json(self) -> str:
        return self.to_bytes().decode()

    def to_bytes(self) -> bytes:
        """``to_dict()`` as UTF-8 JSON, joined from the reasons' JSON made once (never decoded)."""
        parts: list[bytes] = []
        self.put(parts)
        return b"".join(parts)

    def put(self, parts: list[bytes]) -> None:
        """Append the pieces of ``to_bytes()`` to ``parts``, to be joined once with the rest."""
        put_decision(parts, self.route, self.level, self.outcome, [r.to_bytes() for r in self.reasons],
                     self.missing, self.allocation)

    def to_dict(self) -> dict[str, Any]:
        """A fresh copy, every dict and list in it the caller's own (the reasons' values are shared)."""
        return orjson.loads(self.to_bytes())

    def _data(self) -> dict[str, Any]:
        # to_dict() holding the shared values of the reasons: only to be written at once
        out = {"route": self.route, "level": self.level, "outcome": self.outcome,
               "reasons": [r._data() for r in self.reasons], "missing": list(self.missing)}
        if self.allocation is not None:
            out["allocation"] = self.allocation
        return out


DEFERRED = frozenset(("derived", "checks", "actual", "values"))  # see Result.deferred
_FILLING = threading.RLock()  # a deferred Result's fields are computed by one thread
FORMAT = 1  # the shape of a full result; changes when that shape does (the catalogue has its own)


@attrs.frozen(unsafe_hash=False)  # compared by value and holding dicts: not hashable, and says so
class Result:
    """Every decision for one candidate on one date."""

    candidate: str
    as_of: dt.date
    policy: dict[str, str]
    backend: str
    derived: dict[str, Any]
    outcomes: dict[str, str]  # "route/level" -> outcome, in the order of the decisions
    checks: dict[str, bool | None] = attrs.field(factory=dict, repr=False)  # check -> passed
    actual: dict[str, Any] = attrs.field(factory=dict, repr=False)  # field -> value (or level -> value)
    allocations: dict[str, dict[str, Any]] = attrs.field(factory=dict)  # "route/level" -> allocation
    # the candidate's field values (raw, not for display), for ordering in allocation
    values: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)
    order: tuple[str, ...] = attrs.field(default=(), repr=False)  # the policy's precedence of routes
    # builds the decisions (from the candidate's evaluation, or the decisions themselves)
    _decide: Callable[[Result], tuple[Decision, ...]] = attrs.field(eq=False, repr=False, alias="decide",
                                                                    kw_only=True)
    # a result made by ``deferred``: what computes its DEFERRED fields, the first time one is read
    _later: Callable[[str], tuple[dict[str, Any], bool]] | None = attrs.field(default=None, init=False, eq=False,
                                                                            repr=False)
    # where its record was in a batch's input ("$[2] (line 3)", as a RecordError says it); "" otherwise
    where: str = attrs.field(default="", init=False, eq=False, repr=False)

    @classmethod
    def deferred(cls, candidate: str, as_of: dt.date, policy: dict[str, str], backend: str,
                 outcomes: dict[str, str], order: tuple[str, ...], decide: Callable[[Result], tuple[Decision, ...]],
                 later: Callable[[str], tuple[dict[str, Any], bool]], where: str = "") -> Result:
        """A Result whose outcomes are known and whose DEFERRED fields (``derived``, ``checks``,
        ``actual``, ``values``) ``later(name)`` gives when one of them is first read: the fields
        computed with ``name``, as a dict, and whether any are left to compute. A caller after the
        outcomes alone pays for nothing else. Read, compared, copied or pickled, it is the Result the
        constructor would make of the same values."""
        self = object.__new__(cls)
        # each slot's own setter, one a field, written out: object.__setattr__ would look each slot up
        # again (one Result is made per record)
        _put_candidate(self, candidate)
        _put_as_of(self, as_of)
        _put_policy(self, policy)
        _put_backend(self, backend)
        _put_outcomes(self, outcomes)
        _put_allocations(self, {})
        _put_order(self, order)
        _put_decide(self, decide)
        _put_later(self, later)
        _put_where(self, where)
        return self

    def __getattr__(self, name: str) -> Any:
        # called only for a slot not set: a DEFERRED field of a result made by ``deferred``
        if name not in DEFERRED:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        with _FILLING:  # one thread computes them; another reading at once gets the same objects
            try:  # (another thread may have computed it while this one waited)
                return object.__getattribute__(self, name)
            except AttributeError:
                pass
            later = object.__getattribute__(self, "_later")
            try:
                values, done = later(name)
            except AttributeError as exc:  # not "no such field": a fault while computing it
                raise RuntimeError(f"computing the result's {name} failed: {exc}") from exc
            for key, value in values.items():
                object.__setattr__(self, key, value)
            if done:
                object.__setattr__(self, "_later", None)
        return object.__getattribute__(self, name)

    @functools.cached_property
    def decisions(self) -> tuple[Decision, ...]:
        """A decision per route and level, with its reasons; built when first read."""
        return self._decide(self)

    def __reduce__(self):
        # a pickled result (sent back by a worker process) carries its decisions, not the
        # explainer that would build them
        return _with_decisions, (tuple(getattr(self, a.name) for a in _GIVEN), self.decisions)

    @property
    def precedence(self) -> list[str] | None:
        """Where the candidate is eligible by two routes or more, the eligible decisions in the
        order the policy's ``precedence`` says they go (kenaikan jenjang before kenaikan
        pangkat, for example); else None."""
        return precedence_of(self.outcomes, self.order)

    def decision(self, route: str, level: str) -> Decision:
        """The decision for ``route`` and ``level``; InvalidArgument (also a KeyError) with the
        closest pair when the result has none."""
        for d in self.decisions:
            if (d.route, d.level) == (route, level):
                return d
        pairs = [f"{d.route}/{d.level}" for d in self.decisions]
        close = suggest(f"{route}/{level}", pairs)
        raise NoSuchDecision(
            f"candidate {self.candidate} has no decision for route {route!r} and level {level!r}"
            + (f"; {close}" if close else "") + f". Its decisions: {', '.join(pairs) or 'none'}")

    def to_json(self, layout: str = "full") -> str:
        """``to_dict(layout)`` as JSON text (see :func:`dumps`)."""
        return self.to_bytes(layout).decode()

    def to_bytes(self, layout: str = "full") -> bytes:
        """``to_json(layout)`` as UTF-8, as it is written: the full layout is joined from reasons
        rendered once, as bytes, with no text decoded and encoded again on the way."""
        if layout == "compact":
            return orjson.dumps(self._data(layout))
        check_layout(layout)

        def decisions(parts: list[bytes]) -> None:
            for i, d in enumerate(self.decisions):
                if i:
                    parts.append(b",")
                d.put(parts)
        return full_bytes(self.candidate, self.as_of, self.policy, self.backend, self.derived, decisions,
                          self.precedence)

    def to_dict(self, layout: str = "full") -> dict[str, Any]:
        """``full``: every decision with every reason. ``compact``: each decision's outcome, the
        checks that failed or could not be tested (every other check of the decisions passed),
        and the values the checks read that ``derived`` does not show; the date, policy,
        backend and the checks' text are in the run's catalogue (:meth:`Engine.catalogue`), and
        :func:`formasi_rules.expand` gives back the full form.

        A fresh copy, every dict and list in it the caller's own: results share their reasons,
        so a copy is what may be changed. It is ``json.loads(to_json(layout))``."""
        return orjson.loads(self.to_bytes(check_layout(layout)))

    def _data(self, layout: str = "full") -> dict[str, Any]:
        # to_dict() holding the result's own and its shared reasons' values: only to be written at once
        if check_layout(layout) == "compact":
            derived = self.derived
            return compact_record(self.candidate, derived, {k: v for k, v in self.actual.items() if k not in derived},
                                  [k for k, state in self.checks.items() if state is False],
                                  [k for k, state in self.checks.items() if state is None], self.outcomes,
                                  self.allocations)
        out = {"format": FORMAT, "candidate": self.candidate, "as_of": self.as_of.isoformat(), "policy": self.policy,
               "backend": self.backend, "derived": self.derived,
               "decisions": [d._data() for d in self.decisions]}
        first = self.precedence
        if first:
            out["precedence"] = first
        return out


def written(item: Result | RecordError, layout: str) -> dict[str, Any]:
    """``item.to_dict(layout)`` for a writer that writes it at once: a Result's without the copy
    (it holds the values results share: never to be handed out)."""
    return item._data(layout) if isinstance(item, Result) else item.to_dict(layout)


def compact_record(candidate: str, derived: dict[str, Any], actual: dict[str, Any], failed: list[str],
                   undetermined: list[str], decisions: dict[str, str],
                   allocation: dict[str, Any] | None = None) -> dict[str, Any]:
    """A candidate's record in the compact layout (schemas/result-compact.schema.json): ``actual``
    holds only the values ``derived`` does not show; every check of the decisions not failed or
    undetermined passed."""
    out = {"candidate": candidate, "derived": derived, "actual": actual, "failed": failed,
           "undetermined": undetermined, "decisions": decisions}
    if allocation:
        out["allocation"] = allocation
    return out


def precedence_of(outcomes: dict[str, str], order: tuple[str, ...]) -> list[str] | None:
    """Where the outcomes are eligible by two routes or more, those decisions in the order of the
    policy's ``precedence``; else None (see Result.precedence)."""
    eligible = [t for t, o in outcomes.items() if o == ELIGIBLE]
    if not order or len({t.split("/")[0] for t in eligible}) < 2:
        return None
    rank = {route: i for i, route in enumerate(order)}
    return sorted(eligible, key=lambda t: rank.get(t.split("/")[0], len(rank)))


def full_bytes(candidate: str, as_of: dt.date, policy: dict[str, str], backend: str, derived: dict[str, Any],
               decisions: Callable[[list[bytes]], None], first: list[str] | None) -> bytes:
    """A result in the full layout as UTF-8 JSON; ``decisions`` appends the decisions' pieces
    (comma-separated, see :func:`put_decision`). Every piece is joined once, here."""
    return b"".join(full_parts(candidate, as_of, policy, backend, derived, decisions, first))


def full_parts(candidate: str, as_of: dt.date, policy: dict[str, str], backend: str, derived: dict[str, Any],
               decisions: Callable[[list[bytes]], None], first: list[str] | None) -> list[bytes]:
    """The pieces of :func:`full_bytes`, not joined yet: a batch joins a whole block's at once (a
    record of the full layout is over 100 KB, so every copy of it counts)."""
    parts = [orjson.dumps({"format": FORMAT, "candidate": candidate, "as_of": as_of.isoformat(), "policy": policy,
                           "backend": backend, "derived": derived})[:-1], b',"decisions":[']
    decisions(parts)
    parts.append(b"]")
    if first:
        parts += (b',"precedence":', orjson.dumps(first))
    parts.append(b"}")
    return parts


def put_decision(parts: list[bytes], route: str, level: str, outcome: str, reasons: list[bytes],
                 missing: tuple[str, ...], allocation: dict[str, Any] | None) -> None:
    """Append the pieces of one decision's JSON (as Decision.to_dict gives it) to ``parts``;
    ``reasons`` is each reason's JSON (made once per reason and shared, never re-encoded)."""
    key = (route, level, outcome)
    head = _HEADS.get(key)
    if head is None:  # a policy has a few dozen: made once each
        if len(_HEADS) >= 4096:
            _HEADS.clear()
        head = _HEADS[key] = orjson.dumps({"route": route, "level": level, "outcome": outcome})[:-1] + \
            b',"reasons":['
    parts.append(head)
    parts.append(b",".join(reasons))
    if not missing and allocation is None:
        parts.append(b'],"missing":[]}')
        return
    parts += (b'],"missing":', orjson.dumps(missing))  # a tuple is an array to orjson
    if allocation is not None:
        parts += (b',"allocation":', orjson.dumps(allocation))
    parts.append(b"}")


_HEADS: dict[tuple[str, str, str], bytes] = {}  # (route, level, outcome) -> the decision's JSON up to its reasons


@attrs.define(hash=False)  # not frozen, as _derive.Derived: one per record, never changed once made (internal)
class Rendered:
    """One candidate's record already written in one layout (a batch that only writes text needs
    no Result object in between), as the pieces of its UTF-8 JSON: a block joins every record's
    pieces at once."""

    candidate: str
    pieces: list[bytes]  # joined, the record's UTF-8 JSON
    layout: str
    where: str = ""  # the record's place in the input ("$[3] (line 5)"), for an error found later (an id twice)

    @property
    def raw(self) -> bytes:
        return self.pieces[0] if len(self.pieces) == 1 else b"".join(self.pieces)

    def to_json(self, layout: str) -> str:
        return self.to_bytes(layout).decode()

    def to_bytes(self, layout: str) -> bytes:
        if layout != self.layout:
            raise InvalidArgument(f"this record was rendered in the {self.layout} layout, not {layout!r}")
        return self.raw


@attrs.frozen
class RecordError:
    """A record that could not be evaluated; batch evaluation reports it and goes on."""

    where: str
    candidate: str | None
    problems: tuple[Problem, ...]

    def to_dict(self, layout: str = "full") -> dict[str, Any]:
        """The same in either layout."""
        return {"error": {"where": self.where, "candidate": self.candidate,
                          "problems": [p.to_dict() for p in self.problems]}}

    def to_json(self, layout: str = "full") -> str:
        return dumps(self.to_dict(layout))

    def to_bytes(self, layout: str = "full") -> bytes:
        return orjson.dumps(self.to_dict(layout))


@attrs.frozen
class Block:
    """Consecutive records as finished JSON Lines: the fastest form to write or send.

    ``text`` is UTF-8, one line per record in order, each ending in a newline (orjson never
    writes a raw newline inside one); ``errors`` gives the rejected records by their place,
    ``ids`` the candidate of each line (None for a rejected record), ``wheres`` each line's record's
    place in the input ("$[3] (line 5)"; "" where not known)."""

    text: bytes
    count: int
    errors: tuple[tuple[int, RecordError], ...] = ()
    ids: tuple[str | None, ...] = ()
    wheres: tuple[str, ...] = ()

    def lines(self) -> Iterator[tuple[str, RecordError | None]]:
        """Each record's JSON text, with its RecordError if it was rejected."""
        lines = self.text.decode().split("\n")[:-1]
        if len(lines) != self.count:
            raise EngineError(f"a block of {self.count} records holds {len(lines)} lines")
        errors = dict(self.errors)
        for i, line in enumerate(lines):
            yield line, errors.get(i)


def render_block(results: Iterable[Result | Rendered | RecordError], layout: str) -> Block:
    texts: list[bytes] = []
    errors, ids, wheres = [], [], []
    for i, result in enumerate(results):
        if type(result) is Rendered:
            if result.layout != layout:
                result.to_bytes(layout)  # says which layout it was rendered in
            texts += result.pieces
            ids.append(result.candidate)
            wheres.append(result.where)
        else:
            texts.append(result.to_bytes(layout))
            if isinstance(result, RecordError):
                errors.append((i, result))
                ids.append(None)
                wheres.append(result.where)
            else:
                ids.append(result.candidate)
                wheres.append("")
        texts.append(b"\n")  # every line ends in a newline
    return Block(b"".join(texts), len(ids), tuple(errors), tuple(ids), tuple(wheres))


@attrs.frozen
class Given:
    """What a result's decisions or a decision's reasons are, already built (sent by another
    process, or expanded from the compact layout)."""

    value: tuple

    def __call__(self, _: Any) -> tuple:
        return self.value


def _with_reasons(route, level, outcome, failed, missing, allocation, reasons) -> Decision:
    return Decision(route, level, outcome, failed, missing, allocation, explain=Given(reasons))


(_put_candidate, _put_as_of, _put_policy, _put_backend, _put_outcomes, _put_allocations, _put_order, _put_decide,
 _put_later, _put_where) = (getattr(Result, name).__set__ for name in (
    "candidate", "as_of", "policy", "backend", "outcomes", "allocations", "order", "_decide", "_later", "where"))
_GIVEN = tuple(a for a in attrs.fields(Result) if a.init and a.alias != "decide")  # in the constructor's order


def _with_decisions(fields: tuple, decisions: tuple[Decision, ...]) -> Result:
    return Result(*fields, decide=Given(decisions))


LAYOUTS = ("full", "compact")


def check_layout(layout: str) -> str:
    """The layout name, or InvalidArgument naming the choices."""
    if layout not in LAYOUTS:
        raise InvalidArgument(f"layout must be one of {', '.join(LAYOUTS)}, got {layout!r}")
    return layout


def dumps(value: Any) -> str:
    """JSON text as every result is written: UTF-8, no spaces (orjson)."""
    return orjson.dumps(value).decode()
