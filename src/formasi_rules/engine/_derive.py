"""Derived facts: the value of every field the policy declares, for one candidate on one date.

The policy says how each value is computed (``fields:``, see policy/_derivations); here each
derivation is compiled once per policy into plain closures and run in dependency order. A
value any of whose inputs is unknown is unknown (absent from ``values``), never a guess.

Each value computed with table cells, sums over periods or cases keeps an account of how it
was reached (``explain``): the cells read with their citations, the years summed, the case
that held.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

import attrs

from .._errors import InputError, Problem, suggest
from .._text import Text
from ..inputs import Candidate, Formation, PerformanceRating, Position, RankHeld, region_key
from ..policy import All, AnyOf, FieldValue, Literal, Not, Policy, TableRef, Test, fold, tests_of
from ..policy import _derivations as d
from ..policy._model import as_decimal
from ._encode import show
from ._memo import keep

_CMP = {"equals": lambda a, b: a == b, "not_equals": lambda a, b: a != b, "at_least": lambda a, b: a >= b,
        "at_most": lambda a, b: a <= b, "above": lambda a, b: a > b, "below": lambda a, b: a < b}
Fn = Callable[["_Ctx"], Any]


@attrs.define(eq=False)  # not frozen: one is made per record, and a frozen class's __init__ costs ~3x (a
# setattr call per field); nothing changes one once made
class Derived:
    """The values of every field for one candidate on one date (absent = not known)."""

    # field -> str | int | Decimal | date | bool, in the order computed; None where the generated
    # deriver left them in its frame's slots (``shown`` False): made from them when first read
    _values: dict[str, Any] | None
    per_level: dict[str, dict[str, Any]]  # field -> level -> value
    # JSON-able account of how derived values were reached; None where the deriver was asked not to
    # keep it (GeneratedDeriver.derive, ``shown`` False): derive again to have it
    explain: dict[str, Any] | None
    # the derived (not input) values as JSON shows them, in the order of ``values``, where the deriver
    # kept them as it went (the generated one does); None: made from ``values`` when asked for
    shown: dict[str, Any] | None = attrs.field(default=None, eq=False, repr=False)
    # the generated deriver's frame (_derive_code.Frame): a slot per field (``V``), which code written
    # for them reads (``given``), and ``known()``, the values of a lean one
    frame: Any = attrs.field(default=None, eq=False, repr=False)

    @property
    def values(self) -> dict[str, Any]:
        found = self._values
        return found if found is not None else self.frame.known()  # (the frame keeps what it makes)

    def given(self, slots: dict[str, int] | None) -> Any:
        """What code written to read the values from ``slots`` (``GeneratedDeriver.slots``: field ->
        slot) takes: the frame's slots, or slots made from the values where there is no frame (a
        Derived made by hand, or given values other than its frame's; None for a value not known); the
        values where ``slots`` is None."""
        if slots is None:
            return self.values
        frame = self.frame
        if frame is not None and (self._values is None or self._values is frame.values):  # (not values given
            return frame.V  # in place of the frame's: attrs.evolve(derived, values=...))
        made = [None] * (max(slots.values(), default=-1) + 1)
        for name, value in self.values.items():
            at = slots.get(name)
            if at is not None:
                made[at] = value
        return made

    def __eq__(self, other: object) -> bool:  # (by the values, however they are held)
        if type(other) is not Derived:
            return NotImplemented
        return (self.values, self.per_level, self.explain) == (other.values, other.per_level, other.explain)

    __hash__ = None  # type: ignore[assignment] - holds dicts


class _History:
    """One history of the record, in time order; ``complete`` when the record gave it whole. Shared
    by the records that give the same one (:func:`_shared`), with the answers :func:`history_at` gave."""

    __slots__ = ("entries", "complete", "answers")

    def __init__(self, entries: tuple, complete: bool):
        self.entries = entries
        self.complete = complete
        # history_at's: (day, attr, previous, same) -> (the policy's digest, value); the digest, not the policy,
        # so that a version replaced (Engine.reload) is not held here
        self.answers: dict[tuple, tuple[str, Any]] = {}

    def index_on(self, day: dt.date) -> int | None:
        entries = self.entries
        if len(entries) == 1:  # the common case: the record's current position or rank alone
            since = entries[0].since
            if since is None or since > day:
                return None
            found = 0
        else:
            found = None
            for i, e in enumerate(entries):
                if e.since is not None and e.since <= day:
                    found = i
                else:
                    break
            if found is None:
                return None
        until = getattr(entries[found], "until", None)
        return None if until is not None and until < day else found


class RecordView:
    """One candidate on one date, and the record's histories (built the first time a derivation
    reads them). The interpreter's context and the generated code's frame both build on it."""

    __slots__ = ("c", "as_of", "_positions", "_ranks", "_ratings", "_current")

    def __init__(self, c: Candidate, as_of: dt.date):
        self.c = c
        self.as_of = as_of
        self._positions = self._ranks = self._ratings = self._current = None

    # the histories and ratings are shared by the records that give the same parts (_shared): never changed

    @property
    def positions(self) -> _History:
        if self._positions is None:
            c = self.c
            given, now = c.positions, c.position if c.position and c.position.since else None
            if now is None or type(now) is Position:  # (frozen: one given from Python may be of a class that changes)
                self._positions = _shared(("positions", id(given), id(now)), given, now, _history, given, now)
            else:
                self._positions = _history(given, now)
        return self._positions

    @property
    def ranks(self) -> _History:
        if self._ranks is None:
            c = self.c
            given, now = c.ranks, _Rank(c.rank, c.rank_since) if c.rank and c.rank_since else None
            self._ranks = _shared(("ranks", id(given), now and now.rank, now and now.since), given, None,
                                  _history, given, now)
        return self._ranks

    @property
    def ratings(self) -> dict[int, str]:
        """Year -> rating."""
        if self._ratings is None:
            given = self.c.performance
            self._ratings = _shared(("ratings", id(given)), given, None, _ratings, given)
        return self._ratings

    @property
    def current(self) -> Any:
        """The position held on the date: the record's ``position``, or the history's entry then."""
        if self._current is None:
            given = self.c.position
            if given is not None and (given.until is None or given.until >= self.as_of):  # (until: its last day)
                self._current = given
            else:
                i = self.positions.index_on(self.as_of) if self.positions.entries else None
                self._current = self.positions.entries[i] if i is not None else False
        return self._current or None


class _Ctx(RecordView):
    """The interpreter's context: the fields computed so far, on top of the record's view."""

    __slots__ = ("values", "done", "fns", "explain", "vars", "trace")

    def __init__(self, c: Candidate, as_of: dt.date, fns: dict[str, tuple[Fn, bool]]):
        super().__init__(c, as_of)
        self.values: dict[str, Any] = {"as_of": as_of}  # known values only
        self.done: set[str] = {"as_of"}
        self.fns = fns
        self.explain: dict[str, Any] = {}
        self.vars: dict[str, Any] = {}
        self.trace: list | None = None

    def get(self, name: str) -> Any:
        """The value of field ``name`` (None: unknown), computed the first time it is asked for."""
        if name in self.done:
            return self.values.get(name)
        self.done.add(name)
        fn, explained = self.fns[name]
        if not explained:
            value = fn(self)
            if value is not None:
                self.values[name] = value
            return value
        outer, self.trace = self.trace, []
        value = fn(self)
        if value is not None:
            self.values[name] = value
            if self.trace:  # an unknown value is explained by the reasons that read it
                self.explain[name] = {"value": show(value), "steps": self.trace}
        self.trace = outer
        return value


MAX_SHARED = 8192  # histories and ratings kept for the records that give their parts again (memory stays flat)
MAX_ANSWERS = 64  # history_at's answers kept per history (a few days and attributes are asked of each)
_SHARED: dict[tuple, tuple[Any, Any, Any]] = {}  # key -> (the part given, the entry held, what was made of them)
_FROZEN = frozenset((Position, RankHeld, PerformanceRating))  # the record's parts held in its histories


def _shared(key: tuple, given: Any, held: Any, make: Callable[..., Any], *args: Any) -> Any:
    """``make(*args)``, made once for the records that give the same parts: ``given``, a record's
    tuple of frozen entries or None (the readers give equal records the same tuple), and ``held``,
    an entry whose identity ``key`` holds, or None; ``key`` names them (their identities, values,
    and what is made). Kept with them, so that their identities are no other's while it is; kept
    only where every entry is of a frozen class of the record's (checked once, when kept), never
    for a list given from Python or an entry of another class, which may change."""
    found = _SHARED.get(key)
    if found is not None and found[0] is given and found[1] is held:
        return found[2]
    made = make(*args)
    if given is None or type(given) is tuple and all(type(entry) in _FROZEN for entry in given):
        keep(_SHARED, key, (given, held, made), MAX_SHARED)
    return made


def _ratings(given: tuple | None) -> dict[int, str]:
    return {p.year: str(p.rating) for p in given or ()}


def _history(given: tuple | None, current: Any) -> _History:
    """The record's history in time order, complete when given whole; else only what the record
    holds now (``current``, or nothing), which says nothing of what came before."""
    if given is not None:
        return _History(tuple(sorted(given, key=lambda e: e.since)), True)
    return _History((current,) if current is not None else (), False)


@attrs.frozen
class _Rank:
    rank: str
    since: dt.date


class Dates:
    """The record's dates a policy reads that may not lie after the evaluation date."""

    def __init__(self, policy: Policy):
        self.paths = [f.input for f in policy.fields.values() if f.input in _DATED]
        parts = {f.input.partition(".")[0] for f in policy.fields.values() if f.input}
        self.paths += [path for part, path in _PART_DATES.items() if part in parts and path not in self.paths]
        self.parts = tuple(path.partition(".")[::2] for path in self.paths)  # (record field, its part's or "")
        # a rating's year after the date's: a typo (2042), never a rating (a field reading the ratings)
        self.ratings = any("performance" in f.inputs for f in policy.fields.values())

    def check(self, c: Candidate, as_of: dt.date) -> None:
        """InputError (I020) naming each such date (and rating year) after ``as_of``."""
        for head, attr in self.parts:  # (as _scalar, without a call per date: this runs for every record)
            when = getattr(c, head, None)
            if attr and when is not None:
                when = getattr(when, attr, None)
            if when is not None and when > as_of:
                raise InputError(self._after(c, as_of))
        if self.ratings and c.performance:
            year = as_of.year
            for rating in c.performance:
                if rating.year > year:
                    raise InputError(self._after(c, as_of))

    def refuse(self, c: Candidate, as_of: dt.date) -> None:
        """Raise the InputError :meth:`check` raises for a record with a date after ``as_of``."""
        raise InputError(self._after(c, as_of))

    def _after(self, c: Candidate, as_of: dt.date) -> list[Problem]:
        problems = [Problem("I020", f"{name} {when} sesudah tanggal penilaian {as_of}",
                            f"{name} {when} is after the evaluation date {as_of}", path=f"$.{name}")
                    for name in self.paths if (when := _scalar(c, name)) is not None and when > as_of]
        if self.ratings:
            problems += [Problem("I020", f"predikat tahun {p.year} sesudah tahun penilaian {as_of.year}",
                                 f"the rating of year {p.year} is after the year of the evaluation date {as_of}",
                                 path=f"$.performance[{i}].year",
                                 hint="check the year: a rating is of a year passed / periksa tahunnya: predikat "
                                      "hanya untuk tahun yang sudah lewat")
                         for i, p in enumerate(c.performance or ()) if p.year > as_of.year]
        return problems


class OpenPlaces:
    """The per-level values of a candidate: the open places of its region (``formation_open``), or
    in ``explain`` why there are none. A batch meets the same few regions again and again, so each
    region as written is looked up (and any hint for a region not found made) once per formation."""

    MAX_REMEMBERED = 4096

    def __init__(self, policy: Policy):
        self.levels = policy.levels
        # (id(formation), region as written) -> (the formation, its places by level, or why there are none)
        self._seen: dict[tuple[int, str], tuple[Formation, dict[str, Any] | None, str | None]] = {}

    def __call__(self, c: Candidate, formation: Formation | None, explain: dict[str, Any]) -> dict[str, dict[str, Any]]:
        if formation is None:
            explain["formation"] = "no formation data given / data formasi tidak diberikan"
            return {}
        if not c.region:
            explain["formation"] = "the candidate has no region / wilayah kandidat tidak diisi"
            return {}
        found = self._seen.get((id(formation), c.region))
        if found is None or found[0] is not formation:  # (held here, a formation's id is not reused)
            found = self._look_up(c.region, formation)
        if found[1] is None:
            explain["formation"] = found[2]
            return {}
        return {"formation_open": dict(found[1])}

    def _look_up(self, region_as_written: str, formation: Formation) -> tuple:
        region = region_key(region_as_written)
        if region not in formation:
            hint = Text.of(suggest(region, formation) or "")  # both halves, each said in its own language
            found = (formation, None, f"region {region_as_written!r} is not in the formation data"
                                      + (f" ({hint.en})" if hint.en else "") + f" / wilayah {region_as_written!r} "
                                      "tidak ada dalam data formasi" + (f" ({hint.id})" if hint.id else ""))
        else:
            places = formation[region]
            found = (formation, {lv: places.get(lv, 0) for lv in self.levels}, None)
        if len(self._seen) >= self.MAX_REMEMBERED:
            self._seen.clear()
        self._seen[(id(formation), region_as_written)] = found
        return found


def read_position(view: RecordView, attr: str) -> Any:
    current = view.current
    return text(getattr(current, attr)) if current is not None else None


def level_in_name(post: Any, policy: Policy) -> str | None:
    """The level a post's name ends with, for a post that gives none ("<position name> <level title>",
    as the national system writes it): ``Policy.position_level``, where the post is of the position's
    type or says no type, as formation counts the same record."""
    return None if post is None else policy.level_in_post_name(post.name, post.type)


def read_test(c: Candidate, attr: str) -> Any:
    held = c.competency_test
    return text(getattr(held, attr)) if held else None


def read_rank(view: RecordView, key: str) -> Any:
    """The rank (``key`` "rank") or its start ("since") on the date: the record's, else the history's."""
    c = view.c
    if c.rank is not None:
        return text(c.rank) if key == "rank" else c.rank_since
    ranks = view.ranks
    i = ranks.index_on(view.as_of) if ranks.complete else None
    return text(getattr(ranks.entries[i], key)) if i is not None else None


class Deriver:
    """Every declared field of a policy compiled to closures. A candidate's fields are computed
    when first asked for, each once: those the rules, properties and allocation read, and what
    they need (so a credit-point figure given in the record skips the whole derivation)."""

    slots: dict[str, int] | None = None  # (GeneratedDeriver's: this one keeps the values in a dict alone)

    def __init__(self, policy: Policy):
        self.policy = policy
        self.fns: dict[str, tuple[Fn, bool]] = {}
        self.inputs: list[tuple[str, Fn]] = []  # read at once: cheaper than asking for each
        self._input_names = frozenset(n for n, f in policy.fields.items() if f.input is not None)
        for name, field in policy.fields.items():
            if field.input is not None:
                read = self._input(field.input)
                if field.default is not None:
                    read = _or_default(read, field.default)
                self.inputs.append((name, read))
            elif field.derive is not None:
                self.fns[name] = (self._compile(field.derive), _explained(field.derive))
        self.wanted = tuple(n for n in _read_by_rules(policy) if n in self.fns)
        self.dates = Dates(policy)
        self.open_places = OpenPlaces(policy)

    # --- running ------------------------------------------------------------------------------

    def derive(self, c: Candidate, as_of: dt.date, formation: Formation | None, shown: bool = True) -> Derived:
        """The derived values (``Derived.shown`` is made from them when asked for: ``shown`` is the
        generated deriver's choice)."""
        self.dates.check(c, as_of)
        ctx = _Ctx(c, as_of, self.fns)
        values, done = ctx.values, ctx.done
        for name, read in self.inputs:  # every input is read: cheaper than asking for each
            value = read(ctx)
            if value is not None:
                values[name] = value
        done.update(self._input_names)
        get = ctx.get
        for name in self.wanted:
            if name not in done:
                get(name)
        return Derived(values, self.open_places(c, formation, ctx.explain), ctx.explain)

    # --- compiling -------------------------------------------------------------------------

    def _input(self, path: str) -> Fn:
        head, _, attr = path.partition(".")
        if path == "position.level":
            policy = self.policy
            return lambda ctx: read_position(ctx, attr) or level_in_name(ctx.current, policy)
        if head == "position":
            return lambda ctx: read_position(ctx, attr)
        if head == "competency_test":
            return lambda ctx: read_test(ctx.c, attr)
        if path in ("rank", "rank_since"):
            key = "rank" if path == "rank" else "since"
            return lambda ctx: read_rank(ctx, key)
        if path in RECORD_ATTRS:
            return lambda ctx: text(getattr(ctx.c, path))
        return lambda ctx: ctx.c.extra.get(path)

    def _compile(self, node: Any) -> Fn:  # noqa: C901 - one branch per operator, each small
        if isinstance(node, d.Ref):
            name = node.name
            if name in d.LOOP_VARIABLES:
                return lambda ctx: ctx.vars.get(name)
            if name == "as_of" or name in self._input_names:  # read before any derivation runs
                return lambda ctx: ctx.values.get(name)
            return lambda ctx: ctx.get(name)
        if isinstance(node, d.Const):
            value = node.value
            return lambda ctx: value
        if isinstance(node, d.Span):
            a, b = self._compile(node.start), self._compile(node.end)
            span = years_between if node.unit == "years" else months_between
            return lambda ctx: _both(a(ctx), b(ctx), span)
        if isinstance(node, d.Arith):
            return _arith(node.op, [self._compile(i) for i in node.items])
        if isinstance(node, d.Round):
            inner, step = self._compile(node.item), Decimal(1).scaleb(-node.decimals)
            mode = d.ROUNDING_MODES[node.mode]

            def rounded(ctx: _Ctx) -> Any:
                value = inner(ctx)
                return None if value is None else as_decimal(value).quantize(step, mode)
            return rounded
        if isinstance(node, d.Lookup):
            return self._lookup(node)
        if isinstance(node, d.HistoryAt):
            on, name = self._compile(node.on), node.history
            args = (node.value, node.previous, node.same, self.policy)
            return lambda ctx: None if (day := on(ctx)) is None else history_at(getattr(ctx, name), day, *args)
        if isinstance(node, d.HistoryExists):
            before, name, match = self._compile(node.before), node.history, node.match
            return lambda ctx: None if (day := before(ctx)) is None else history_exists(getattr(ctx, name), day, match)
        if isinstance(node, d.HistoryYear):
            year = self._compile(node.year)
            return lambda ctx: text(ctx.ratings.get(int(y))) if (y := year(ctx)) is not None else None
        if isinstance(node, d.OverYears):
            return self._over_years(node)
        if isinstance(node, d.SumMonths):
            return _sum_months(self._compile(node.start), self._compile(node.end), self._compile(node.amount))
        if isinstance(node, d.Cases):
            return self._cases(node)
        if isinstance(node, d.FirstKnown):
            items = [self._compile(i) for i in node.items]

            def first_known(ctx: _Ctx) -> Any:
                for f in items:
                    value = f(ctx)
                    if value is not None:
                        return value
                return None
            return first_known
        if isinstance(node, d.StartOfYear):
            inner = self._compile(node.item)
            return lambda ctx: dt.date(v.year, 1, 1) if (v := inner(ctx)) is not None else None
        if isinstance(node, d.AddMonths):
            day, months = self._compile(node.date), self._compile(node.months)
            return lambda ctx: _both(day(ctx), months(ctx), add_months)
        if isinstance(node, d.IsPosition):
            inner = self._compile(node.item)
            names = _remembered(self.policy.names_position)  # a pure function of the name
            return lambda ctx: names(v) if (v := inner(ctx)) is not None else None
        raise TypeError(f"not a derivation: {node!r}")  # the loader admits no other node

    def _lookup(self, node: d.Lookup) -> Fn:
        table = self.policy.tables[node.table]
        key = self._compile(node.key) if node.key is not None else (lambda ctx: None)
        column, name = node.column, node.table
        cited: dict[int, dict[str, Any]] = {}  # id(row) -> its citation as shown: the rows live as long as the policy

        def lookup(ctx: _Ctx) -> Any:
            k = key(ctx)
            if k is None and table.key is not None:
                return None
            row = table.row(k, ctx.as_of)
            value = row.values.get(column) if row is not None else None
            if ctx.trace is not None:
                step = {"table": name, "key": k, "column": column, "value": show(value)}
                if row is not None and (row.citation or table.citation):
                    citation = cited.get(id(row))
                    if citation is None:
                        citation = cited[id(row)] = (row.citation or table.citation).to_dict(self.policy)
                    step["citation"] = citation
                ctx.trace.append(step)
            return value
        return lookup

    def _over_years(self, node: d.OverYears) -> Fn:
        args = (node.years, node.take, self.policy.scales.get("rating", {}) if node.value == "rating" else None)
        return lambda ctx: over_years(ctx.ratings, ctx.as_of.year, *args)

    def _cases(self, node: d.Cases) -> Fn:
        branches = [(self._condition(c), self._compile(e)) for c, e in node.branches]
        otherwise = self._compile(node.otherwise) if node.otherwise is not None else (lambda ctx: None)

        def cases(ctx: _Ctx) -> Any:
            for i, (holds, then) in enumerate(branches):
                verdict = holds(ctx)
                if verdict is None:
                    return None
                if verdict:
                    if ctx.trace is not None:
                        ctx.trace.append({"case": i + 1})
                    return then(ctx)
            if ctx.trace is not None:
                ctx.trace.append({"case": "else"})
            return otherwise(ctx)
        return cases

    def _condition(self, cond: Any) -> Callable[[_Ctx], bool | None]:
        """Three-valued (Kleene) truth of a condition over the values computed so far."""
        if isinstance(cond, (All, AnyOf)):
            parts = [self._condition(c) for c in cond.items]
            decisive = isinstance(cond, AnyOf)

            def combine(ctx: _Ctx) -> bool | None:
                unknown = False
                for p in parts:
                    v = p(ctx)
                    if v is None:
                        unknown = True
                    elif v is decisive:
                        return decisive
                return None if unknown else not decisive
            return combine
        if isinstance(cond, Not):
            inner = self._condition(cond.item)
            return lambda ctx: None if (v := inner(ctx)) is None else not v
        assert isinstance(cond, Test)
        field = self.policy.fields[cond.field]
        order = self.policy.scales.get(field.scale) if field.kind == "ordered" and field.scale else None
        key = (lambda v: order[v]) if order else None
        name, value = cond.field, cond.value
        if isinstance(value, FieldValue):
            other = value.name
            get_b = lambda ctx: ctx.get(other)  # noqa: E731
        elif isinstance(value, TableRef):
            table = self.policy.tables[value.table]
            col = value.column
            get_b = lambda ctx: (row.values.get(col) if (row := table.row(None, ctx.as_of)) else None)  # noqa: E731
        else:
            assert isinstance(value, Literal)
            fixed = value.value
            get_b = lambda ctx: fixed  # noqa: E731
        if cond.op in ("in", "not_in"):
            negated = cond.op == "not_in"

            def member(ctx: _Ctx) -> bool | None:
                a, b = ctx.get(name), get_b(ctx)
                return None if a is None or b is None else (a in b) != negated
            return member
        compare = _CMP[cond.op]
        if key is None:
            def plain(ctx: _Ctx) -> bool | None:
                a, b = ctx.get(name), get_b(ctx)
                return None if a is None or b is None else compare(a, b)
            return plain

        def test(ctx: _Ctx) -> bool | None:
            a, b = ctx.get(name), get_b(ctx)
            return None if a is None or b is None else compare(key(a), key(b))
        return test



# --- the operators' arithmetic ---------------------------------------------------------------

_DATED = ("birth_date", "rank_since", "position.since")
# the date of a part of the record whose other fields a policy reads: a competency test's status is
# its result on that date, which cannot lie after the evaluation date
_PART_DATES = {"competency_test": "competency_test.date"}
RECORD_ATTRS = frozenset(("employment_status", "birth_date", "education", "region", "agency", "name",
                          "credit_points", "experience_years"))


def _read_by_rules(policy: Policy) -> list[str]:
    """The fields the rules, properties and allocation order test, in the policy's order."""
    found = [t.field for rule in (*policy.rules, *(p.rule for p in policy.properties))
             for t in tests_of(rule.condition)]
    if policy.allocation is not None:
        found += [name for name, _ in policy.allocation.order_by]
    return list(dict.fromkeys(found))


def _remembered(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    seen: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        key = (type(value), value)  # True == 1, but they are not the same input
        try:
            return seen[key]
        except KeyError:
            if len(seen) >= 4096:
                seen.clear()
            found = seen[key] = fn(value)
            return found
        except TypeError:  # unhashable
            return fn(value)
    return remembered


def _or_default(read: Fn, default: Any) -> Fn:
    return lambda ctx: value if (value := read(ctx)) is not None else default


def _scalar(c: Candidate, path: str) -> Any:
    head, _, attr = path.partition(".")
    obj = getattr(c, head, None)
    return getattr(obj, attr, None) if attr and obj is not None else (obj if not attr else None)


def text(value: Any) -> Any:
    if type(value) is str:  # the common case: str() would give it back as it is
        return value
    return str(value) if isinstance(value, str) else value


def _both(a: Any, b: Any, fn: Callable[[Any, Any], Any]) -> Any:
    return None if a is None or b is None else fn(a, b)


def years_between(start: dt.date, end: dt.date) -> int:
    years = end.year - start.year
    return years - 1 if (end.month, end.day) < (start.month, start.day) else years


def months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)


def add_months(day: dt.date, months: Any) -> dt.date:
    index = day.year * 12 + day.month - 1 + int(months)
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _arith(op: str, items: list[Fn]) -> Fn:
    def run(ctx: _Ctx) -> Any:
        # every operand is computed, so the parts that are known show in the result beside the unknown one
        values = [f(ctx) for f in items]
        if None in values:
            return None
        values = [v if isinstance(v, dt.date) else as_decimal(v) for v in values]
        if op == "min":
            return min(values)
        if op == "max":
            return max(values)
        total = values[0]
        try:
            for v in values[1:]:
                if op == "add":
                    total += v
                elif op == "subtract":
                    total -= v
                elif op == "multiply":
                    total *= v
                else:
                    total /= v
        except (ZeroDivisionError, InvalidOperation):
            return None
        return total
    return run


def history_at(history: _History, day: dt.date, attr: str, previous: bool, same: tuple[str, ...],
               policy: Policy) -> Any:
    """The ``attr`` of the history's entry in force on ``day`` (``previous``: of the entry before it),
    entries equal in every attribute of ``same`` joined into one. Two names are equal in any capitals
    and spacing, and where both name the policy's position at no two different levels
    (``Policy.same_position``: an alias, or the name followed by a level, as the national system
    writes it); an entry without a level has the level its name ends with (:func:`level_in_name`).
    Asked again of the same history (one the records share, :func:`_shared`), the answer kept."""
    key, digest = (day, attr, previous, same), policy.digest
    answers = history.answers
    found = answers.get(key)
    if found is not None and found[0] == digest:  # (the same policy files give the same answer)
        return found[1]
    value = _entry_at(history, day, attr, previous, same, policy)
    keep(answers, key, (digest, value), MAX_ANSWERS)
    return value


def _entry_at(history: _History, day: dt.date, attr: str, previous: bool, same: tuple[str, ...],
              policy: Policy) -> Any:
    i = history.index_on(day)
    if i is None:
        return None
    entries = history.entries
    start = i
    while same and start > 0 and all(_same(a, entries[start - 1], entries[i], policy) for a in same):
        start -= 1
    if previous:
        if start == 0:
            return None
        return text(_value(entries[start - 1], attr, policy))
    return text(_value(entries[start] if attr == "since" else entries[i], attr, policy))


def _value(entry: Any, attr: str, policy: Policy) -> Any:
    value = getattr(entry, attr)
    return level_in_name(entry, policy) if value is None and attr == "level" else value


def _same(attr: str, x: Any, y: Any, policy: Policy) -> bool:
    a, b = getattr(x, attr), getattr(y, attr)
    if a == b:  # (two entries without a level: their names, compared too, tell two levels apart)
        return True
    if attr == "level":
        return _value(x, attr, policy) == _value(y, attr, policy)
    if attr != "name" or not a or not b:
        return False
    return fold(a) == fold(b) or policy.same_position(a, b)


def history_exists(history: _History, day: dt.date, match: tuple[tuple[str, tuple], ...]) -> bool | None:
    """Whether an entry begun before ``day`` matches; unknown where the history is not whole."""
    for e in history.entries:
        if e.since is not None and e.since < day and all(getattr(e, a) in values for a, values in match):
            return True
    return False if history.complete else None


def over_years(ratings: dict[int, str], year: int, n: int, take: str, rank: dict[str, int] | None) -> Any:
    """The ``take`` of the ratings of the ``n`` years before ``year``."""
    got = [ratings.get(y) for y in range(year - n, year)]
    if take == "count":
        return sum(v is not None for v in got)
    if None in got or not got:
        return None
    if take == "sum":
        return sum(as_decimal(v) for v in got)
    pick = min if take == "min" else max
    return pick(got, key=rank.__getitem__) if rank else pick(got)


def _sum_months(start: Fn, end: Fn, amount: Fn) -> Fn:
    def total(ctx: _Ctx) -> Any:
        a, b = start(ctx), end(ctx)
        if a is None or b is None:
            return None
        lo, hi = a.year * 12 + a.month - 1, b.year * 12 + b.month - 1
        result = Decimal(0)
        rows = [] if ctx.trace is not None else None
        outer = ctx.trace
        for year in range(a.year, (hi - 1) // 12 + 1 if hi > lo else a.year):
            months = min(hi, (year + 1) * 12) - max(lo, year * 12)
            if months <= 0:
                continue
            ctx.vars = {"year": year, "months": months}
            if rows is not None:
                ctx.trace = []
            value = amount(ctx)
            if rows is not None:
                rows.append({"year": year, "months": months, "amount": show(value), "read": ctx.trace})
                ctx.trace = outer
            if value is None:
                ctx.vars = {}
                return None
            result += as_decimal(value)
        ctx.vars = {}
        if rows is not None:
            outer.append({"sum_months": [a.isoformat(), b.isoformat()], "years": rows})
        return result
    return total


def _explained(node: Any) -> bool:
    """Whether a derivation reads tables, sums periods or chooses cases: those show their account."""
    if isinstance(node, (d.Lookup, d.SumMonths, d.Cases)):
        return True
    if isinstance(node, tuple):
        return any(_explained(i) for i in node)
    if attrs.has(type(node)):
        return any(_explained(v) for v in attrs.astuple(node, recurse=False))
    return False

