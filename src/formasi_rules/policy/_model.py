"""The in-memory form of a policy: what the YAML files say, validated and typed.

Everything here is immutable. A :class:`Policy` is built by ``load_policy``;
nothing in it can run code: conditions are small trees of :class:`Test`,
:class:`All`, :class:`AnyOf` and :class:`Not` over named fields.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any, Union

import attrs

from .._text import Text


@attrs.frozen
class Where:
    """A place in a policy file (1-based line and column)."""

    file: str
    line: int | None = None
    column: int | None = None


@attrs.frozen
class Period:
    """When a rule or table row is in force: ``valid_from`` to ``valid_to``, both inclusive."""

    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def contains(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def overlaps(self, other: Period) -> bool:
        lo = max(self.valid_from or dt.date.min, other.valid_from or dt.date.min)
        hi = min(self.valid_to or dt.date.max, other.valid_to or dt.date.max)
        return lo <= hi

    def to_dict(self) -> dict[str, str | None]:
        return {
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }


@attrs.frozen
class Source:
    """A regulation or other source that citations point to (``sources:`` in policy.yaml)."""

    key: str
    title: str
    url: str | None = None
    confidence: str | None = None  # P, S, C or I, as in the fact sheet
    note: str | None = None
    articles: tuple[str, ...] | None = None  # where known, the articles it has: a citation names one


@attrs.frozen
class Citation:
    """Where a rule or a table value comes from: a source and its article (pasal/ayat)."""

    source: str
    article: str | None = None
    confidence: str | None = None
    note: str | None = None

    def to_dict(self, policy: Policy) -> dict[str, Any]:
        src = policy.sources[self.source]
        out: dict[str, Any] = {"source": self.source, "title": src.title}
        if self.article:
            out["article"] = self.article
        conf = self.confidence or src.confidence
        if conf:
            out["confidence"] = conf
        if self.note:
            out["note"] = self.note
        if src.url:
            out["url"] = src.url
        return out


# --- values a condition compares against -------------------------------------------------


@attrs.frozen
class Literal:
    value: Any  # str, int, Decimal, bool, date, or a tuple of those for in/not_in


@attrs.frozen
class TableRef:
    """``{table: NAME, column: COL}``: the cell of the row for the level being evaluated."""

    table: str
    column: str


@attrs.frozen
class ThisLevel:
    """``{this: level}``: the level being evaluated (for example, the test level must match it)."""


@attrs.frozen
class FieldValue:
    """``{field: NAME}`` as the value of a test inside a derivation: compare with another field."""

    name: str


Value = Union[Literal, TableRef, ThisLevel, FieldValue]

# --- conditions ---------------------------------------------------------------------------

ORDER_OPS = ("at_least", "at_most", "above", "below")
SET_OPS = ("in", "not_in")
EQ_OPS = ("equals", "not_equals")
OPS = EQ_OPS + SET_OPS + ORDER_OPS


@attrs.frozen
class Test:
    """``FIELD: {OP: VALUE}``, one comparison of one field."""

    field: str
    op: str
    value: Value
    where: Where | None = attrs.field(default=None, eq=False)


@attrs.frozen
class All:
    items: tuple[Condition, ...]


@attrs.frozen
class AnyOf:
    items: tuple[Condition, ...]


@attrs.frozen
class Not:
    item: Condition


Condition = Union[Test, All, AnyOf, Not]


def tests_of(cond: Condition):
    """Every Test of a condition tree, in order."""
    if isinstance(cond, (All, AnyOf)):
        for item in cond.items:
            yield from tests_of(item)
    elif isinstance(cond, Not):
        yield from tests_of(cond.item)
    else:
        yield cond

# --- tables, rules, routes, the policy ---------------------------------------------------


@attrs.frozen
class TableRow:
    key: str | None  # the level (or other key) this row is for; None in a table without key
    values: dict[str, Any]
    period: Period
    citation: Citation | None
    note: str | None
    where: Where
    layer: str = ""  # the policy (in a chain of `extends`) that wrote it


@attrs.frozen
class Table:
    """A table of thresholds, keyed by level (or by rating), with dated rows."""

    name: str
    title: Text
    key: str | None  # a vocabulary ("level", "rank" ...), a free key ("activity") or None
    columns: dict[str, str]  # column name -> type name
    rows: tuple[TableRow, ...]
    citation: Citation | None
    note: str | None
    where: Where
    layer: str = ""

    def row(self, key: str | None, day: dt.date) -> TableRow | None:
        for row in self.rows:
            if row.key == key and row.period.contains(day):
                return row
        return None


@attrs.frozen
class Rule:
    """One requirement of a regulation: a condition every candidate is checked against."""

    id: str
    title: Text
    routes: tuple[str, ...]
    levels: tuple[str, ...]
    condition: Condition
    citation: Citation
    period: Period
    note: str | None
    where: Where
    subject: str = "candidate"  # "formation": a rule over one region and level's need
    then: Condition | None = None  # formation rules: bounds on the need when the condition holds
    layer: str = ""  # the policy (in a chain of `extends`) that wrote it


@attrs.frozen
class Property:
    """An invariant the regulation is meant to have, stated by policy staff and checked by
    ``formasi check``: for candidates matching ``rule.condition`` (the property's ``when``), the
    decision for ``route``/``level`` is never (or always) ``outcome``."""

    id: str
    rule: Rule  # carries when (as condition), route and level, citation and position
    never: bool  # True: never `outcome`; False: always `outcome`
    outcome: str

    @property
    def route(self) -> str:
        return self.rule.routes[0]

    @property
    def level(self) -> str:
        return self.rule.levels[0]


@attrs.frozen
class Route:
    name: str
    title: Text
    levels: tuple[str, ...]


@attrs.frozen
class Identity:
    """The position a policy is for (``position:`` in policy.yaml): how records name it."""

    name: str
    type: str | None  # the position type it has (a value of the position_type vocabulary)
    aliases: tuple[str, ...]


@attrs.frozen
class FormationSettings:
    """Which tables hold the workload (ABK) parameters: ``formation:`` in policy.yaml."""

    working_time_table: str  # key none: effective_minutes_per_year
    choices_table: str  # key none: rounding (half_up | ceil | floor), ej_bands (a band table's name)
    periods_table: str  # key period: per_year
    activities_table: str  # key activity: name, unit, one "optional number" column per level
    holders_table: str | None = None  # key none: statuses (the employment statuses an officer in post has)


@attrs.frozen
class AllocationSettings:
    """Who gets an open place first when more candidates are eligible than places (``allocation:``)."""

    routes: tuple[str, ...]  # routes served first, in this order
    order_by: tuple[tuple[str, bool], ...]  # (field, descending) applied in turn; then candidate id
    citation: Citation
    note: str | None


@attrs.frozen
class Policy:
    """A loaded, validated policy. Build it with :func:`formasi_rules.load_policy`."""

    name: str
    version: str
    title: Text
    coverage: Period
    levels: tuple[str, ...]
    routes: dict[str, Route]
    sources: dict[str, Source]
    vocabularies: dict[str, Any]  # name -> Vocabulary
    fields: dict[str, Any]  # name -> Field: declared ones and the engine's own
    tables: dict[str, Table]
    rules: tuple[Rule, ...]
    formation: FormationSettings | None
    allocation: AllocationSettings | None
    root: str
    digest: str  # sha256 over the policy's files, so a result names exactly what made it
    properties: tuple[Property, ...] = ()
    layers: tuple[str, ...] = ()  # the chain of `extends`, base first, this policy last
    position: Identity | None = None
    precedence: tuple[str, ...] = ()  # routes in the order they go first when several fall due
    abstract: bool = False  # a base for other policies (``abstract: true``), not evaluated on its own
    scales: dict[str, dict[str, int]] = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        # the order of every ordered vocabulary, as the rules compare it
        object.__setattr__(self, "scales", {n: v.ranks for n, v in self.vocabularies.items() if v.ordered})

    def identity(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "digest": self.digest}

    def names_position(self, text: str) -> bool | None:
        """Whether a position name in a record names this policy's position: its name or an
        alias, in any capitals and spacing, optionally followed by a level (the position's
        name, then a level's title, as records of the national system write it). None when the policy names no position."""
        from ._vocabulary import fold
        if self.position is None:
            return None
        folded = fold(text)
        return folded in self._position_words[0] or self._level_after_name(folded) is not None

    def position_level(self, text: str) -> str | None:
        """The level a position name in a record ends with, where it names this policy's position
        (the position's name, then a level's title); None if it names no level."""
        from ._vocabulary import fold
        return None if self.position is None else self._level_after_name(fold(text))

    def level_in_post_name(self, name: str | None, kind: str | None) -> str | None:
        """The level a post's name ends with ("<position name> <level title>", as the national system
        writes it), where the post (of type ``kind``) is of the position's type or says no type; None
        otherwise. A record's post that gives no level is read at this one; one that gives another
        level is refused (its name and its level disagree)."""
        identity = self.position
        if not name or identity is None or (identity.type is not None and kind not in (None, identity.type)):
            return None
        return self.position_level(name)

    def same_position(self, a: str, b: str) -> bool:
        """Whether two position names both name this policy's position, at no two different levels:
        its name and its name followed by a level do (as the national system writes it); its name
        followed by two different levels do not (a level promotion)."""
        if not (self.names_position(a) and self.names_position(b)):
            return False
        first, second = self.position_level(a), self.position_level(b)
        return first is None or second is None or first == second

    def _level_after_name(self, folded: str) -> str | None:
        names, words = self._position_words
        return next((words[folded[len(n) + 1:]] for n in names
                     if folded.startswith(n + " ") and folded[len(n) + 1:] in words), None)

    @functools.cached_property
    def _position_words(self) -> tuple[frozenset[str], dict[str, str]]:
        """The position's names, and the level words that may follow them with the level each
        names, folded, computed once."""
        from ._vocabulary import fold
        names = frozenset(fold(n) for n in (self.position.name, *self.position.aliases))
        level = self.vocabularies.get("level")
        words: dict[str, str] = {}
        if level:
            for spelling, value in ((*((v, v) for v in level.values), *level.aliases.items(),
                                     *((t.id, v) for v, t in level.titles.items()),
                                     *((t.en, v) for v, t in level.titles.items()))):
                words.setdefault(fold(spelling), value)
        return names, words

    def rules_in_force(self, day: dt.date) -> list[Rule]:
        return [r for r in self.rules if r.period.contains(day)]

    def boundaries(self) -> list[dt.date]:
        """Every date on which some rule or table row starts or stops being in force."""
        days: set[dt.date] = set()
        periods = [r.period for r in self.rules] + [
            row.period for t in self.tables.values() for row in t.rows
        ]
        for p in periods:
            if p.valid_from:
                days.add(p.valid_from)
            if p.valid_to and p.valid_to < dt.date.max:
                days.add(p.valid_to + dt.timedelta(days=1))
        return sorted(days)


def as_decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))
