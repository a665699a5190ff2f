"""A policy's derivations written as Python code: the same values as the interpreter
(:class:`._derive.Deriver`), without a closure call per node.

Each derived field becomes one generated function over a list of slots (``V``, a slot per field),
whose body is its derivation as straight-line statements; one more function reads the inputs and
asks for the fields the rules read. A short body (``MAX_INLINED`` lines, keeping no explaining
steps) is written where its field is read instead of a call to its function (a call costs as much
as ten lines), and a function no code calls then is left out. What the interpreter does lazily
happens in the same order here (a field is computed where it is first asked for, its value entered
into ``values`` then), so ``values``, its order, and every explanation are the interpreter's, byte
for byte (``tests/test_generated_code.py`` holds the two to that on generated records).

The text of the code comes from :class:`._source.Source`: no name, literal or other string of
the policy is ever written into it; each is bound to a generated name. A derivation this writer
does not cover (:class:`Unsupported`) leaves the policy to the interpreter.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

import attrs

from ..inputs import Candidate, Formation
from ..inputs._candidate import CompetencyTest, Position, RankHeld
from ..policy import All, AnyOf, FieldValue, Literal, Not, Policy, TableRef, Test
from ..policy import _derivations as d
from ..policy._model import Table, TableRow, as_decimal
from ._derive import (
    RECORD_ATTRS, Dates, Derived, Deriver, OpenPlaces, RecordView, add_months, history_at, level_in_name, over_years,
    read_rank, text,
    _explained, _read_by_rules, _remembered,
)
from ._encode import AS_IS, show
from ._source import Source

_OPS = {"equals": "==", "not_equals": "!=", "at_least": ">=", "at_most": "<=", "above": ">", "below": "<"}
_ARITH = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/"}
_HISTORIES = ("positions", "ranks")  # the record's dated histories, as the frame names them
MAX_INLINED = 40  # lines of a derivation's function written in place of a call to it, at most (_Writer._inlined)
MAX_DEPTH = 16  # blocks a line may sit in once a body is written in place (CPython refuses past 20 nested loops)
_CALL = re.compile(r"\b(f[0-9]+)\(F, V, values, as_of\)")  # a call of a derivation's function, as _get writes it


class Unsupported(Exception):
    """A derivation the writer does not cover: the interpreter computes the policy's fields."""


class _Missing:
    """A slot not computed yet (None is a value computed and unknown)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_YET"

    def __reduce__(self) -> str:  # (the one instance, copied or pickled: a frame's slots compare it by identity)
        return "NOT_YET"


NOT_YET = _Missing()


class Frame(RecordView):
    """One candidate on one date as the generated code reads it: a slot per field (``names``), the
    known values in the order they were computed with their text, and the explanations. A lean
    frame (``kept`` False, for code written without ``shown``) keeps the values in the slots
    alone: :meth:`known` makes them into a dict when asked for."""

    __slots__ = ("V", "names", "values", "shown", "explain")

    def __init__(self, c: Candidate, as_of: dt.date, names: tuple[str, ...], kept: bool = True):
        super().__init__(c, as_of)
        self.V = [NOT_YET] * len(names)
        self.names = names
        self.values: dict[str, Any] | None = {"as_of": as_of} if kept else None
        self.shown: dict[str, Any] | None = {} if kept else None  # the derived values as JSON shows them
        self.explain: dict[str, Any] = {}

    def known(self) -> dict[str, Any]:
        """The values known: ``values`` as kept, else made from the slots (in their order) and kept."""
        if self.values is not None:
            return self.values
        known: dict[str, Any] = {"as_of": self.as_of}
        for name, value in zip(self.names, self.V):
            if value is not None and value is not NOT_YET:
                known[name] = value
        self.values = known
        return known


# the attribute names the generated code may read (_source.verify holds it to these)
ATTRIBUTES = frozenset((
    *(a.name for a in attrs.fields(Candidate)), *(a.name for a in attrs.fields(Position)),
    *(a.name for a in attrs.fields(CompetencyTest)), *(a.name for a in attrs.fields(RankHeld)), *Frame.__slots__,
    *RecordView.__slots__, "positions", "ranks", "ratings", "current", "entries", "complete", "year", "month", "day",
    "isoformat", "quantize", "get", "append",
))


class GeneratedDeriver:
    """:class:`._derive.Deriver`'s ``derive``, from generated code."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.open_places = OpenPlaces(policy)
        writer = _Writer(policy, True)
        self._run, self.source = self._written(writer), writer.src.text()  # source: for reading (tests)
        self._names = tuple(writer.slot)  # the field of each slot
        # the slots every derivation fills (the record's fields, and those the rules read): code reading a
        # candidate's values from its frame (_encode_code.FactCode) may read these; NOT_YET is never left there
        self.slots = {name: writer.slot[name] for name in (*writer.inputs, *writer.wanted, "as_of")}
        self._lean: Callable[[Frame], None] | None = None  # without ``shown``: written when first asked for

    def _written(self, writer: _Writer) -> Callable[[Frame], None]:
        return writer.src.build(f"<formasi_rules derivations of {self.policy.digest[:12]}>")[writer.main]

    def derive(self, c: Candidate, as_of: dt.date, formation: Formation | None, shown: bool = True) -> Derived:
        """The derived values; ``shown`` False: without them as JSON shows them (``Derived.shown``
        None, made from the values when asked for) and without how they were reached
        (``Derived.explain`` None: derive again with ``shown`` to have it), the values held in the
        frame's slots alone (``Derived.values`` made from them, in the slots' order, when first
        read: code written for the slots reads them there), for a Result whose caller may read
        only its outcomes (each value's text is ~4 % of a Result's cost, the steps ~4 % of
        ``Engine.evaluate``'s, the dict of values ~3 %). InputError for a date after ``as_of``
        (``Dates.check``; the code looks first)."""
        frame = Frame(c, as_of, self._names, shown)
        run = self._run if shown else self._lean
        if run is None:  # (two threads may each write it: the same code)
            run = self._lean = self._written(_Writer(self.policy, False))
        run(frame)
        if shown:
            return Derived(frame.values, self.open_places(c, formation, frame.explain), frame.explain, frame.shown,
                           frame)
        return Derived(None, self.open_places(c, formation, frame.explain), None, None, frame)


def deriver_for(policy: Policy) -> GeneratedDeriver | Deriver:
    """The generated deriver of a policy, or the interpreter where the writer does not cover it."""
    try:
        return GeneratedDeriver(policy)
    except Unsupported:
        return Deriver(policy)


@attrs.frozen
class _Env:
    """Where a derivation is being written: the local its explanation steps go to (None: the
    field explains nothing) and the locals of sum_months' variables, if inside one."""

    trace: str | None = None
    loop: dict[str, str] | None = None
    traced: bool = True  # False: the steps are not kept (the code that would keep them is not written)


class _Writer:
    def __init__(self, policy: Policy, shown: bool = True):
        self.policy = policy
        self.dates = Dates(policy)
        # for a record written at once: each value entered into Frame.values, with its text (Frame.shown)
        # and how it was reached (Frame.explain, the steps), as it goes; without, none is: the slots
        # alone hold the values (a Result derives again for the steps, if read)
        self.shown = shown
        self.src = w = Source(ATTRIBUTES)
        fields = policy.fields
        self.inputs = [n for n, f in fields.items() if f.input is not None]
        # the derived fields the rules read: the main function asks for each
        self.wanted = [n for n in _read_by_rules(policy) if fields[n].input is None and fields[n].derive is not None]
        self.derived = _needed(policy, self.wanted)
        # (the date too: code reading a frame's slots reads it there, FactCode)
        self.slot = {name: i for i, name in enumerate([*self.inputs, *self.derived, "as_of"])}
        self.fn = {name: w.function_name() for name in self.derived}
        self.not_yet = w.bind(NOT_YET)
        self.show = w.bind(show)
        self._row_finders: dict[str, tuple[str, str]] = {}
        self._names = None
        # each function's body, the name holding its value and the body's depth of blocks, where it may be
        # written in place of a call to it (_inlined): the functions are written each after those it reads,
        # so that theirs are there; and where each function's lines are (fn -> start, end), to leave out
        # those never called (_drop_uncalled)
        self._bodies: dict[str, tuple[list[str], str, int]] = {}
        self._defs: dict[str, tuple[int, int]] = {}
        for name in _after_their_own(self.policy, self.derived):
            self._field(name)
        self.main = w.function_name()
        self._main()
        self._drop_uncalled()

    # --- functions -------------------------------------------------------------------------

    def _main(self) -> None:
        w, fields = self.src, self.policy.fields
        with w.block(f"def {self.main}(F)"):
            w("c = F.c")
            self._dates()
            w("V = F.V")
            w(f"V[{self.slot['as_of']}] = as_of")
            w("values = F.values")
            if any(fields[n].input.startswith("position.") for n in self.inputs):
                w("cur = F.current")
            for name in self.inputs:
                t = self._input(fields[name])
                if fields[name].default is not None:
                    w(f"{t} = {w.bind(fields[name].default)} if {t} is None else {t}")
                w(f"V[{self.slot[name]}] = {t}")
                if self.shown:
                    with w.block(f"if {t} is not None"):
                        w(f"values[{w.bind(name)}] = {t}")
            for name in self.wanted:
                with w.block(f"if V[{self.slot[name]}] is {self.not_yet}"):
                    if self._inlined(name) is None:
                        w(f"{self.fn[name]}(F, V, values, as_of)")

    def _dates(self) -> None:
        """``Dates.check`` written out: a date of the record the policy reads after the evaluation
        date, or a rating's year after its year, and ``Dates.refuse`` raises the InputError."""
        w, dates = self.src, self.dates
        when, part, rating, refuse = w.temp(), w.temp(), w.temp(), w.bind(dates.refuse)
        w("as_of = F.as_of")
        for head, attr in dates.parts:
            if attr:
                w(f"{part} = c.{head}")
                w(f"{when} = None if {part} is None else {part}.{attr}")
            else:
                w(f"{when} = c.{head}")
            with w.block(f"if {when} is not None and {when} > as_of"):
                w(f"{refuse}(c, as_of)")
        if dates.ratings:
            with w.block("if c.performance"):
                with w.block(f"for {rating} in c.performance"):
                    with w.block(f"if {rating}.year > as_of.year"):
                        w(f"{refuse}(c, as_of)")

    def _input(self, field: Any) -> str:
        w, t = self.src, self.src.temp()
        head, _, attr = field.input.partition(".")
        if head == "position":
            w(f"{t} = cur.{_allowed(attr, Position)} if cur is not None else None")
            if attr == "level":  # else the level the post's name ends with (_derive.level_in_name)
                with w.block(f"if {t} is None"):
                    w(f"{t} = {w.bind(level_in_name)}(cur, {w.bind(self.policy)})")
            cls = Position
        elif head == "competency_test":
            w(f"{t} = c.competency_test")
            w(f"{t} = {t}.{_allowed(attr, CompetencyTest)} if {t} else None")
            cls = CompetencyTest
        elif field.input == "rank":
            w(f"{t} = c.rank")
            with w.block(f"if {t} is None"):
                w(f"{t} = {w.bind(read_rank)}(F, {w.bind('rank')})")
            cls, attr = Candidate, "rank"
        elif field.input == "rank_since":
            w(f"{t} = c.rank_since if c.rank is not None else {w.bind(read_rank)}(F, {w.bind('since')})")
            return t
        elif field.input in RECORD_ATTRS:
            w(f"{t} = c.{_allowed(field.input, Candidate)}")
            cls, attr = Candidate, field.input
        else:
            w(f"{t} = c.extra.get({w.bind(field.input)})")
            return t
        if _may_be_text(cls, attr):  # a date or a number is given back by text() as it is
            self._plain(t)
        return t

    def _plain(self, t: str) -> None:
        """A coded value (a str subclass) as plain text, as ``_derive.text`` makes it."""
        with self.src.block(f"if {t} is not None and type({t}) is not {self.src.bind(str)}"):
            self.src(f"{t} = {self.src.bind(text)}({t})")

    def _field(self, name: str) -> None:
        w, i = self.src, self.slot[name]
        field = self.policy.fields[name]
        explained = _explained(field.derive) and self.shown
        first = len(w.lines)
        with w.block(f"def {self.fn[name]}(F, V, values, as_of)"):  # (the frame's, as locals of the caller's)
            start = len(w.lines)
            w(f"V[{i}] = None")  # asked for again while being computed: unknown, as the interpreter says
            if explained:
                w("tr = []")
            x = self._value(field.derive, _Env("tr" if explained else None, traced=self.shown))
            with w.block(f"if {x} is not None"):
                w(f"V[{i}] = {x}")
                if self.shown:  # (lean: the slots alone hold them, Frame.known)
                    w(f"values[{w.bind(name)}] = {x}")
                shown = w.temp()  # as show() gives it; a date's text asked of it at once
                shows = (f"{shown} = {x} if type({x}) in {w.bind(AS_IS)} else "
                         + (f"{x}.isoformat() if type({x}) is {w.bind(dt.date)} else " if field.kind == "date" else "")
                         + f"{self.show}({x})")
                if self.shown:
                    w(shows)
                    w(f"F.shown[{w.bind(name)}] = {shown}")
                if explained:
                    with w.block("if tr"):
                        if not self.shown:
                            w(shows)
                        w(f"F.explain[{w.bind(name)}] = {{{w.bind('value')}: {shown}, {w.bind('steps')}: tr}}")
            body = w.since(start)
            if not explained and len(body) <= MAX_INLINED:  # (the steps' list, tr, is the function's own)
                self._bodies[name] = (body, x, max(_depth(line) for line in body))
            w(f"return {x}")
        self._defs[self.fn[name]] = (first, len(w.lines))

    def _inlined(self, name: str) -> str | None:
        """Write the body of ``name``'s function here, in place of a call to it (which costs about as
        much as ten lines of it: the locals it reads are the caller's, by the same names, and the
        temporaries of each function are its own); the name then holding its value. None where the
        function is to be called: a long one, one keeping steps, one not written yet (a derivation
        reading itself through others), one whose blocks would nest past ``MAX_DEPTH`` here."""
        found = self._bodies.get(name)
        if found is None or self.src.depth + found[2] > MAX_DEPTH:
            return None
        self.src.insert(found[0])
        return found[1]

    def _drop_uncalled(self) -> None:
        """Leave out the functions no code calls (a short one written in place wherever it is read):
        those the main function calls, and those they call, are kept."""
        lines, defs = self.src.lines, self._defs
        called = {self.main}
        todo = [(0, len(lines))] if not defs else [(max(end for _, end in defs.values()), len(lines))]
        while todo:
            start, end = todo.pop()
            for line in lines[start:end]:
                for fn in _CALL.findall(line):
                    if fn not in called:
                        called.add(fn)
                        todo.append(defs[fn])
        dropped = sorted(span for fn, span in defs.items() if fn not in called)
        for start, end in reversed(dropped):
            del lines[start:end]

    # --- values ------------------------------------------------------------------------------

    def _get(self, name: str) -> str:
        """The value of field ``name`` where it is read (computing it the first time)."""
        if name == "as_of":
            return "as_of"
        if name in self.inputs:
            return f"V[{self.slot[name]}]"
        if name not in self.fn:
            raise Unsupported(f"{name} is neither an input nor a derived field")
        w, t = self.src, self.src.temp()
        w(f"{t} = V[{self.slot[name]}]")
        with w.block(f"if {t} is {self.not_yet}"):
            x = self._inlined(name)
            w(f"{t} = {self.fn[name]}(F, V, values, as_of)" if x is None else f"{t} = {x}")
        return t

    def _value(self, node: Any, env: _Env) -> str:  # noqa: C901 - one branch per operator, each small
        """Write the statements computing ``node``: the name (or slot) that then holds its value."""
        w = self.src
        if isinstance(node, d.Ref):
            if node.name in d.LOOP_VARIABLES:
                if env.loop is None:
                    raise Unsupported(f"{node.name} read outside sum_months")
                return env.loop[node.name]
            return self._get(node.name)
        if isinstance(node, d.Const):
            return w.bind(node.value)
        t = w.temp()
        if isinstance(node, d.Span):
            a, b = self._value(node.start, env), self._value(node.end, env)
            with w.block(f"if {a} is None or {b} is None"):
                w(f"{t} = None")
            with w.block("else"):  # _derive.years_between / months_between, written out
                earlier = f"({b}.month < {a}.month or ({b}.month == {a}.month and {b}.day < {a}.day))"
                if node.unit == "years":
                    w(f"{t} = {b}.year - {a}.year - {earlier}")
                else:
                    w(f"{t} = ({b}.year - {a}.year) * 12 + {b}.month - {a}.month - ({b}.day < {a}.day)")
        elif isinstance(node, d.Arith):
            self._arith(node, env, t)
        elif isinstance(node, d.Round):
            x = self._value(node.item, env)
            step, mode = w.bind(Decimal(1).scaleb(-node.decimals)), w.bind(d.ROUNDING_MODES[node.mode])
            w(f"{t} = None if {x} is None else {w.bind(as_decimal)}({x}).quantize({step}, {mode})")
        elif isinstance(node, d.Lookup):
            self._lookup(node, env, t)
        elif isinstance(node, d.HistoryAt):
            day = self._value(node.on, env)
            args = ", ".join(map(w.bind, (node.value, node.previous, node.same, self.policy)))
            w(f"{t} = None if {day} is None else {w.bind(history_at)}(F.{_history(node.history)}, {day}, {args})")
        elif isinstance(node, d.HistoryExists):
            self._history_exists(node, env, t)
        elif isinstance(node, d.HistoryYear):
            year = self._value(node.year, env)
            w(f"{t} = None if {year} is None else {w.bind(text)}(F.ratings.get(int({year})))")
        elif isinstance(node, d.OverYears):
            self._over_years(node, t)
        elif isinstance(node, d.SumMonths):
            self._sum_months(node, env, t)
        elif isinstance(node, d.Cases):
            self._cases(node, env, t)
        elif isinstance(node, d.FirstKnown):
            with w.block("while True"):
                for item in node.items:
                    w(f"{t} = {self._value(item, env)}")
                    with w.block(f"if {t} is not None"):
                        w("break")
                w("break")
        elif isinstance(node, d.StartOfYear):
            x = self._value(node.item, env)
            w(f"{t} = None if {x} is None else {w.bind(dt.date)}({x}.year, 1, 1)")
        elif isinstance(node, d.AddMonths):
            a, b = self._value(node.date, env), self._value(node.months, env)
            w(f"{t} = None if {a} is None or {b} is None else {w.bind(add_months)}({a}, {b})")
        elif isinstance(node, d.IsPosition):
            x = self._value(node.item, env)
            if self._names is None:
                self._names = w.bind(_remembered(self.policy.names_position))  # a pure function of the name
            w(f"{t} = None if {x} is None else {self._names}({x})")
        else:
            raise Unsupported(f"no code for {type(node).__name__}")
        return t

    def _history_exists(self, node: d.HistoryExists, env: _Env, t: str) -> None:
        """_derive.history_exists, written out: whether an entry begun before the day matches."""
        w = self.src
        day = self._value(node.before, env)
        history, entry = w.temp(), w.temp()
        with w.block(f"if {day} is None"):
            w(f"{t} = None")
        with w.block("else"):
            w(f"{history} = F.{_history(node.history)}")
            w(f"{t} = False if {history}.complete else None")
            tests = [f"{entry}.since is not None", f"{entry}.since < {day}"]
            tests += [f"{entry}.{_allowed(attr, Position if node.history == 'positions' else RankHeld)} in "
                      f"{w.bind(values)}" for attr, values in node.match]
            with w.block(f"for {entry} in {history}.entries"):
                with w.block(f"if {' and '.join(tests)}"):
                    w(f"{t} = True")
                    w("break")

    def _over_years(self, node: d.OverYears, t: str) -> None:
        """_derive.over_years; the least or greatest of a few years written out (the first such, as
        min and max give it, each value's rank looked up as their key is)."""
        w = self.src
        rank = self.policy.scales.get("rating", {}) if node.value == "rating" else None
        if node.take not in ("min", "max") or not 1 <= node.years <= 4:
            args = ", ".join(map(w.bind, (node.years, node.take, rank)))
            w(f"{t} = {w.bind(over_years)}(F.ratings, as_of.year, {args})")
            return
        ratings, got = w.temp(), [w.temp() for _ in range(node.years)]
        w(f"{ratings} = F.ratings")
        for back, g in zip(range(node.years, 0, -1), got):  # range(year - n, year), oldest first
            w(f"{g} = {ratings}.get(as_of.year - {back})")
        with w.block(f"if {' or '.join(f'{g} is None' for g in got)}"):
            w(f"{t} = None")
        with w.block("else"):
            key = (lambda g: f"{w.bind(rank)}[{g}]") if rank else (lambda g: g)
            if rank:
                for g in got:  # min and max call their key on every value
                    w(f"{key(g)}")
            w(f"{t} = {got[0]}")
            better = "<" if node.take == "min" else ">"
            for g in got[1:]:
                w(f"{t} = {g} if {key(g)} {better} {key(t)} else {t}")

    def _arith(self, node: d.Arith, env: _Env, t: str) -> None:
        w = self.src
        items = [self._value(i, env) for i in node.items]  # every operand, as the interpreter computes each
        with w.block(f"if {' or '.join(f'{x} is None' for x in items)}"):
            w(f"{t} = None")
        with w.block("else"):
            numbers = []
            for x in items:
                n = w.temp()
                w(f"{n} = {x} if type({x}) is {w.bind(Decimal)} else {w.bind(_number)}({x})")
                numbers.append(n)
            if node.op in ("min", "max"):
                w(f"{t} = {node.op}([{', '.join(numbers)}])")
                return
            with w.block("try"):
                w(f"{t} = {numbers[0]}")
                for n in numbers[1:]:
                    w(f"{t} = {t} {_ARITH[node.op]} {n}")
            with w.block(f"except ({w.bind(ZeroDivisionError)}, {w.bind(InvalidOperation)})"):
                w(f"{t} = None")

    def _lookup(self, node: d.Lookup, env: _Env, t: str) -> None:
        w = self.src
        table = self.policy.tables[node.table]
        key = self._value(node.key, env) if node.key is not None else "None"
        find, cite = self._finders(table)
        block = w.block(f"if {key} is None") if table.key is not None else None
        if block is not None:
            with block:
                w(f"{t} = None")
        with w.block("else") if block is not None else _same():
            row, step, citation = w.temp(), w.temp(), w.temp()
            w(f"{row} = {find}({key}, as_of)")
            w(f"{t} = {row}.values.get({w.bind(node.column)}) if {row} is not None else None")
            if env.trace is None and env.traced:
                raise Unsupported("a table read outside an explained field")
            if not env.traced:
                return
            w(f"{step} = {{{w.bind('table')}: {w.bind(node.table)}, {w.bind('key')}: {key}, "
              f"{w.bind('column')}: {w.bind(node.column)}, {w.bind('value')}: {self.show}({t})}}")
            with w.block(f"if {row} is not None"):
                w(f"{citation} = {cite}({row})")
                with w.block(f"if {citation} is not None"):
                    w(f"{step}[{w.bind('citation')}] = {citation}")
            w(f"{env.trace}.append({step})")

    def _finders(self, table: Table) -> tuple[str, str]:
        """Bound names of the table's row finder and citation of a row, made once per table."""
        found = self._row_finders.get(table.name)
        if found is None:
            w = self.src
            found = self._row_finders[table.name] = (w.bind(_row_finder(table)),
                                                     w.bind(_citer(table, self.policy)))
        return found

    def _sum_months(self, node: d.SumMonths, env: _Env, t: str) -> None:
        w = self.src
        if env.loop is not None:
            raise Unsupported("sum_months inside sum_months")
        if env.trace is None and env.traced:
            raise Unsupported("sum_months outside an explained field")
        if any(_sums(self.policy, name) for name in d.refs(node.amount)):
            # the interpreter's loop variables are dynamic: a sum_months first computed inside the
            # amount would end them for the rest of it
            raise Unsupported("sum_months whose amount reads a field computed by sum_months")
        a, b = self._value(node.start, env), self._value(node.end, env)
        with w.block(f"if {a} is None or {b} is None"):
            w(f"{t} = None")
        with w.block("else"):
            lo, hi, rows, year, months, read = (w.temp() for _ in range(6))
            w(f"{lo} = {a}.year * 12 + {a}.month - 1")
            w(f"{hi} = {b}.year * 12 + {b}.month - 1")
            w(f"{t} = {w.bind(Decimal(0))}")
            if env.traced:
                w(f"{rows} = []")
            with w.block(f"for {year} in range({a}.year, ({hi} - 1) // 12 + 1 if {hi} > {lo} else {a}.year)"):
                w(f"{months} = min({hi}, ({year} + 1) * 12) - max({lo}, {year} * 12)")
                with w.block(f"if {months} <= 0"):
                    w("continue")
                if env.traced:
                    w(f"{read} = []")
                x = self._value(node.amount, _Env(read if env.traced else None, {"year": year, "months": months},
                                                  traced=env.traced))
                if env.traced:
                    w(f"{rows}.append({{{w.bind('year')}: {year}, {w.bind('months')}: {months}, "
                      f"{w.bind('amount')}: {self.show}({x}), {w.bind('read')}: {read}}})")
                with w.block(f"if {x} is None"):
                    w(f"{t} = None")
                    w("break")
                w(f"{t} = {t} + {w.bind(as_decimal)}({x})")
            if env.traced:
                with w.block(f"if {t} is not None"):
                    w(f"{env.trace}.append({{{w.bind('sum_months')}: [{a}.isoformat(), {b}.isoformat()], "
                      f"{w.bind('years')}: {rows}}})")

    def _cases(self, node: d.Cases, env: _Env, t: str) -> None:
        w = self.src
        if env.trace is None and env.traced:
            raise Unsupported("cases outside an explained field")
        with w.block("while True"):
            for i, (condition, then) in enumerate(node.branches):
                verdict = self._verdict(condition, env)
                with w.block(f"if {verdict} is None"):
                    w(f"{t} = None")
                    w("break")
                with w.block(f"if {verdict}"):
                    if env.traced:
                        w(f"{env.trace}.append({{{w.bind('case')}: {i + 1}}})")
                    w(f"{t} = {self._value(then, env)}")
                    w("break")
            if env.traced:
                w(f"{env.trace}.append({{{w.bind('case')}: {w.bind('else')}}})")
            w(f"{t} = {self._value(node.otherwise, env) if node.otherwise is not None else 'None'}")
            w("break")

    # --- conditions (three-valued, as Deriver._condition) -------------------------------------

    def _verdict(self, cond: Any, env: _Env) -> str:
        w, t = self.src, self.src.temp()
        if isinstance(cond, (All, AnyOf)):
            decisive = isinstance(cond, AnyOf)
            unknown = w.temp()
            w(f"{unknown} = False")
            with w.block("while True"):
                for part in cond.items:
                    v = self._verdict(part, env)
                    with w.block(f"if {v} is {decisive}"):
                        w(f"{t} = {decisive}")
                        w("break")
                    with w.block(f"if {v} is None"):
                        w(f"{unknown} = True")
                w(f"{t} = None if {unknown} else {not decisive}")
                w("break")
            return t
        if isinstance(cond, Not):
            v = self._verdict(cond.item, env)
            w(f"{t} = None if {v} is None else not {v}")
            return t
        if not isinstance(cond, Test):
            raise Unsupported(f"no code for the condition {type(cond).__name__}")
        a = self._get(cond.field)
        value = cond.value
        if isinstance(value, FieldValue):
            b = self._get(value.name)
        elif isinstance(value, TableRef):
            b = w.temp()
            w(f"{b} = {w.bind(_cell)}({w.bind(self.policy.tables[value.table])}, {w.bind(value.column)}, as_of)")
        elif isinstance(value, Literal):
            b = w.bind(value.value)
        else:
            raise Unsupported(f"no code for the value {type(value).__name__}")
        # a literal is known when the code is written: only the field's value can be unknown
        unknown = f"{a} is None" if isinstance(value, Literal) and value.value is not None else \
            f"{a} is None or {b} is None"
        if cond.op in ("in", "not_in"):
            w(f"{t} = None if {unknown} else (({a} in {b}) != {cond.op == 'not_in'})")
            return t
        field = self.policy.fields[cond.field]
        order = self.policy.scales.get(field.scale) if field.kind == "ordered" and field.scale else None
        if order:
            rank = w.bind(order)
            a, b = f"{rank}[{a}]", f"{rank}[{b}]"
        w(f"{t} = None if {unknown} else ({a} {_OPS[cond.op]} {b})")
        return t


class _same:
    """A ``with`` that writes no block (the statements stay at the current depth)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def _depth(line: str) -> int:
    """The blocks a line of :meth:`._source.Source.since` sits in (four spaces each)."""
    return (len(line) - len(line.lstrip(" "))) // 4


def _after_their_own(policy: Policy, derived: list[str]) -> list[str]:
    """``derived`` (the fields :func:`_needed` gives) in an order where each comes after those of
    them it reads."""
    among, order = set(derived), {}
    for first in derived:
        if first in order:
            continue
        stack, seen = [(first, iter(d.refs(policy.fields[first].derive)))], {first}
        while stack:
            name, refs = stack[-1]
            ref = next((r for r in refs if r in among and r not in order and r not in seen), None)
            if ref is None:
                stack.pop()
                order[name] = None
            else:
                seen.add(ref)
                stack.append((ref, iter(d.refs(policy.fields[ref].derive))))
    return list(order)


def _needed(policy: Policy, wanted: list[str]) -> list[str]:
    """The derived fields the wanted ones read, directly or through others, in a stable order."""
    fields, found, todo = policy.fields, {}, list(wanted)
    while todo:
        name = todo.pop()
        if name in found or name not in fields or fields[name].derive is None or fields[name].input is not None:
            continue
        found[name] = None
        todo.extend(d.refs(fields[name].derive))
    return [n for n in fields if n in found]


def _sums(policy: Policy, name: str, seen: set[str] | None = None) -> bool:
    """Whether field ``name``'s derivation, or one it reads, holds a sum_months."""
    seen = set() if seen is None else seen
    field = policy.fields.get(name)
    if name in seen or field is None or field.derive is None:
        return False
    seen.add(name)
    return _holds(field.derive, d.SumMonths) or any(_sums(policy, n, seen) for n in d.refs(field.derive))


def _holds(node: Any, kind: type) -> bool:
    if isinstance(node, kind):
        return True
    if isinstance(node, tuple):
        return any(_holds(i, kind) for i in node)
    return attrs.has(type(node)) and any(_holds(v, kind) for v in attrs.astuple(node, recurse=False))


def _may_be_text(cls: type, attr: str) -> bool:
    """Whether the record's ``cls.attr`` may hold text (a coded value, a str subclass, which
    ``_derive.text`` makes plain), by its type."""
    hint = typing.get_type_hints(cls)[attr]
    return any(isinstance(a, type) and issubclass(a, str) for a in typing.get_args(hint) or (hint,))


def _allowed(attr: str, cls: type) -> str:
    """An attribute of the record's class ``cls`` as the code reads it; nothing else is written."""
    if attr not in attrs.fields_dict(cls):
        raise Unsupported(f"{cls.__name__} has no {attr!r}")
    return attr


def _history(name: str) -> str:
    if name not in _HISTORIES:
        raise Unsupported(f"no dated history {name!r}")
    return name


def _number(value: Any) -> Any:
    """An operand of arithmetic as the interpreter takes it: a date as it is, else a Decimal."""
    return value if isinstance(value, dt.date) else as_decimal(value)


def _cell(table: Table, column: str, day: dt.date) -> Any:
    row = table.row(None, day)
    return row.values.get(column) if row else None


def _row_finder(table: Table) -> Callable[[Any, dt.date], TableRow | None]:
    """``table.row`` remembered per key and date (a table never changes; bounded)."""
    seen: dict[tuple, TableRow | None] = {}
    row = table.row

    def find(key: Any, day: dt.date) -> TableRow | None:
        memo = (type(key), key, day)  # True == 1, but they are not the same key
        try:
            return seen[memo]
        except KeyError:
            if len(seen) >= 4096:
                seen.clear()
            found = seen[memo] = row(key, day)
            return found
        except TypeError:  # unhashable
            return row(key, day)
    return find


def _citer(table: Table, policy: Policy) -> Callable[[TableRow], dict[str, Any] | None]:
    """A row's citation as explanations show it (its own, else the table's), made once per row."""
    cited: dict[int, dict[str, Any] | None] = {}  # id(row) -> citation: the rows live as long as the policy

    def cite(row: TableRow) -> dict[str, Any] | None:
        try:
            return cited[id(row)]
        except KeyError:
            source = row.citation or table.citation
            found = cited[id(row)] = source.to_dict(policy) if source else None
            return found
    return cite
