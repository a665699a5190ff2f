"""The plan: a policy resolved for one period of time, ready for any backend.

For a date, the plan holds every *check*: one rule in force, at one level when
its condition reads a per-level table or field, with table cells filled in and
values encoded (see _encode). Dates on which no rule or table row starts or
stops share one plan, so a policy has a handful of plans, built once.

A check's condition is a tree of :class:`Cmp`, :class:`In`, :class:`And`,
:class:`Or`, :class:`Neg` over fact keys. Evaluated three-valued (Kleene):
a test on a missing value is unknown; ``and`` is false if any part is false,
``or`` true if any part is true. Both backends implement exactly this.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Callable, Union

import attrs

from .._errors import PolicyError, Problem
from ..policy import All, AnyOf, Literal, Not, Policy, Rule, TableRef, Test, ThisLevel
from ..policy._model import Condition, Period, TableRow
from ._encode import CANDIDATE, NotRepresentable, encode, fact_key
from ._frozen import frozen
from ._words import describe

# operator names of the policy language -> comparison on encoded values
CMP = {"equals": "eq", "not_equals": "ne", "at_least": "ge", "at_most": "le",
       "above": "gt", "below": "lt"}
NEGATE = {"eq": "ne", "ne": "eq", "ge": "lt", "lt": "ge", "le": "gt", "gt": "le"}
SYMBOL = {"eq": "=", "ne": "≠", "ge": "≥", "le": "≤", "gt": ">", "lt": "<"}


@attrs.frozen
class Cmp:
    key: str
    op: str
    value: Any


@attrs.frozen
class In:
    key: str
    values: tuple
    negated: bool = False


@attrs.frozen
class And:
    items: tuple


@attrs.frozen
class Or:
    items: tuple


@attrs.frozen
class Neg:
    item: Any


Cond = Union[Cmp, In, And, Or, Neg]


def keys_read(cond: Cond) -> set[str]:
    """The fact keys a condition reads."""
    if isinstance(cond, (Cmp, In)):
        return {cond.key}
    if isinstance(cond, Neg):
        return keys_read(cond.item)
    return {k for c in cond.items for k in keys_read(c)}


@attrs.frozen
class Check:
    """One rule (at one level, where that matters) as the engine tests it."""

    key: str
    rule: Rule
    level: str | None
    condition: Cond
    required: Any  # the condition with table cells filled in, in the policy language's shape
    fields: tuple[str, ...]  # field names the condition reads
    keys: frozenset[str]  # fact keys the condition reads
    rows: tuple[tuple[str, TableRow], ...]  # the table rows it read, for their citations
    text: Any = None  # _words.CheckText: the candidate-independent part of its reasons


@attrs.frozen
class Plan:
    period: Period
    checks: dict[str, Check]
    targets: dict[tuple[str, str], tuple[str, ...]]  # (route, level) -> check keys
    keys: frozenset[str]  # every fact key any check reads
    kind: str = CANDIDATE  # the kind of fact the plan's checks test
    # the checks in the order every target together reads them, then any other: check ``order[i]``
    # is bit ``1 << i`` of what a backend finds (Firings), and ``bit`` maps a check to its bit
    order: tuple[str, ...] = attrs.field(init=False, eq=False, repr=False)
    bit: dict[str, int] = attrs.field(init=False, eq=False, repr=False)
    _tables: tuple = attrs.field(init=False, eq=False, repr=False)
    # every target, in order: what a candidate asks for with no request and no filter (one tuple, which
    # the explainer knows by identity)
    every: tuple[tuple[str, str], ...] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        order = tuple(dict.fromkeys([*(k for keys in self.targets.values() for k in keys), *self.checks]))
        object.__setattr__(self, "every", tuple(self.targets))
        object.__setattr__(self, "order", order)
        object.__setattr__(self, "bit", {k: 1 << i for i, k in enumerate(order)})
        object.__setattr__(self, "_tables", bit_tables(order, lambda names: frozenset(names)))

    def mask(self, checks: Iterable[str]) -> int:
        """The bit mask of ``checks`` (the inverse of :meth:`names`)."""
        bit = self.bit
        return sum(bit[k] for k in checks)

    def names(self, bits: int) -> frozenset[str]:
        """The checks whose bits are set in ``bits``."""
        return frozenset().union(*[table[bits >> shift & 255] for shift, table in self._tables if bits >> shift & 255])


def bit_tables(items: tuple, make: Callable[[tuple], Any]) -> tuple[tuple[int, tuple], ...]:
    """Lookup tables that turn a bit mask over ``items`` into ``make`` of the items it holds, eight
    bits at a time: ``(shift, table)`` pairs, where ``table[byte]`` is ``make`` of the items of
    ``items[shift:shift + 8]`` whose bits are set in ``byte``."""
    tables = []
    for shift in range(0, len(items), 8):
        part = items[shift:shift + 8]
        tables.append((shift, tuple(make(tuple(x for j, x in enumerate(part) if byte >> j & 1))
                                    for byte in range(1 << len(part)))))
    return tuple(tables)


def build_plan(policy: Policy, day: dt.date, period: Period) -> Plan:
    problems: list[Problem] = []
    checks: dict[str, Check] = {}
    targets: dict[tuple[str, str], list[str]] = {
        (route.name, lv): [] for route in policy.routes.values() for lv in route.levels}
    for rule in policy.rules_in_force(day):
        if rule.subject != "candidate":
            continue
        levels = [lv for lv in policy.levels if lv in rule.levels
                  and any((rt, lv) in targets for rt in rule.routes)]
        by_level: dict[str | None, Check] = {}
        for level in levels:
            try:
                by_level[level] = resolve_check(policy, rule, level, day)
            except Unresolved as exc:
                problems.append(exc.problem(rule, level, day))
        if not by_level:
            continue
        # a condition that does not depend on the level is checked once, not once per level
        first = next(iter(by_level.values()))
        shared = all(c.condition == first.condition and c.keys == first.keys for c in by_level.values()) \
            and all(row.key is None for _, row in first.rows)
        for level, check in by_level.items():
            if shared:
                check = attrs.evolve(first, key=rule.id, level=None)
            checks[check.key] = check
            for route in rule.routes:
                if (route, level) in targets:
                    targets[(route, level)].append(check.key)
    for (route, level), keys in targets.items():
        if not keys:
            problems.append(Problem(
                "P071", f"tidak ada aturan yang berlaku untuk {route} {level} sejak {day}",
                f"no rule is in force for route {route} at level {level} from {day} (the start of the "
                f"policy's period that holds the date asked); every "
                f"(route, level) the policy declares needs at least one rule", file="policy.yaml",
                hint=f"add a rule in force on {day} for route {route} at level {level} (routes: [{route}], levels: "
                f"[{level}]), or take {level} out of route {route}'s levels in policy.yaml / tambahkan aturan yang "
                f"berlaku pada {day} untuk jalur {route} jenjang {level} (routes: [{route}], levels: [{level}]), atau "
                f"keluarkan {level} dari levels jalur {route} di policy.yaml"))
    if problems:
        raise PolicyError(problems, f"the policy cannot be applied on {day}")
    # the candidate-independent part of every reason is built once here, not per candidate
    checks = {k: attrs.evolve(c, text=describe(policy, c)) for k, c in checks.items()}
    all_keys = frozenset(k for c in checks.values() for k in c.keys)
    return Plan(period, checks, {t: tuple(dict.fromkeys(k)) for t, k in targets.items()}, all_keys)


class Unresolved(Exception):
    """A rule that cannot be resolved for a level on a day (P070), said in both languages, with
    how to fix it where that is known."""

    def __init__(self, en: str, id_: str | None = None, hint: str | None = None):
        super().__init__(en)
        self.en, self.id, self.hint = en, id_ or en, hint

    def problem(self, rule: Rule, level: str, day: dt.date) -> Problem:
        return Problem("P070", f"aturan tidak dapat dipakai pada {day} untuk {level}: {self.id}",
                       f"the rule cannot be applied on {day} at {level}: {self.en}",
                       file=rule.where.file, line=rule.where.line, rule=rule.id, hint=self.hint)


def resolve_check(policy: Policy, rule: Rule, level: str, day: dt.date,
           condition: Condition | None = None) -> Check:
    """``rule`` (or another condition of it) resolved for one level and day."""
    rows: dict[tuple[str, str | None], TableRow] = {}
    fields: list[str] = []
    keys: set[str] = set()

    def value_of(test: Test) -> Any:
        value = test.value
        if isinstance(value, Literal):
            return value.value
        if isinstance(value, ThisLevel):
            return level
        assert isinstance(value, TableRef)
        table = policy.tables[value.table]
        key = level if table.key == "level" else None
        row = table.row(key, day)
        if row is None:
            at = f"{table.where.file}:{table.where.line}" if table.where and table.where.line else table.name
            raise Unresolved(
                f"table {table.name!r} has no row for {key or 'the table'} in force",
                f"tabel {table.name!r} tidak punya baris{' untuk ' + key if key else ''} yang berlaku",
                f"give table {table.name!r} ({at}) a row{' for ' + key if key else ''} in force on {day} "
                "(its valid_from and valid_to), or end the rule (valid_to) before it / beri tabel "
                f"{table.name!r} ({at}) baris{' untuk ' + key if key else ''} yang berlaku pada {day} (valid_from "
                "dan valid_to-nya), atau akhiri aturan (valid_to) sebelum hari itu")
        rows[(table.name, key)] = row
        return row.values[value.column]

    def resolve(cond: Condition) -> tuple[Cond, Any]:
        if isinstance(cond, All):
            parts = [resolve(c) for c in cond.items]
            return And(tuple(p[0] for p in parts)), {"all": [p[1] for p in parts]}
        if isinstance(cond, AnyOf):
            parts = [resolve(c) for c in cond.items]
            return Or(tuple(p[0] for p in parts)), {"any": [p[1] for p in parts]}
        if isinstance(cond, Not):
            inner, shown = resolve(cond.item)
            return Neg(inner), {"not": shown}
        field = policy.fields[cond.field]
        key = fact_key(field, level)
        fields.append(cond.field)
        keys.add(key)
        raw = value_of(cond)
        try:
            if cond.op in ("in", "not_in"):
                encoded = tuple(encode(field, v, policy) for v in raw)
                node: Cond = In(key, encoded, cond.op == "not_in")
            else:
                node = Cmp(key, CMP[cond.op], encode(field, raw, policy))
        except NotRepresentable as exc:
            ref = cond.value
            if isinstance(ref, TableRef):  # the value to correct is in the table, not in the rule
                row = rows[(ref.table, level if policy.tables[ref.table].key == "level" else None)]
                at = f"{row.where.file}:{row.where.line}"
                raise Unresolved(f"{cond.field}: {exc} (the value of table {ref.table!r}, column {ref.column!r}, "
                                 f"at {at}: correct it there)",
                                 f"{cond.field}: nilai tabel {ref.table!r} kolom {ref.column!r} di {at} tidak dapat "
                                 f"dipakai ({exc.id}): perbaiki di sana") from None
            raise Unresolved(f"{cond.field}: {exc}", f"{cond.field}: nilai tidak dapat dipakai ({exc.id})") from None
        shown = list(raw) if isinstance(raw, tuple) else raw
        return node, {cond.field: {cond.op: shown.isoformat() if isinstance(shown, dt.date) else shown}}

    resolved, required = resolve(rule.condition if condition is None else condition)
    return Check(f"{rule.id}@{level}", rule, level, resolved, frozen(_plain(required)),  # shared by its reasons
                 tuple(dict.fromkeys(fields)), frozenset(keys), tuple((t, r) for (t, _), r in rows.items()))


def _plain(value: Any) -> Any:
    """Decimals in a displayed condition become JSON numbers."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else float(value)
    return value


def periods(policy: Policy) -> list[Period]:
    """The policy's coverage cut at every date a rule or table row starts or stops."""
    start, end = policy.coverage.valid_from, policy.coverage.valid_to
    cuts = [d for d in policy.boundaries() if start < d and (end is None or d <= end)]
    out, lo = [], start
    for cut in cuts:
        out.append(Period(lo, cut - dt.timedelta(days=1)))
        lo = cut
    out.append(Period(lo, end))
    return out


def evaluate(cond: Cond, fact: dict[str, Any]) -> bool | None:
    """Three-valued evaluation of a condition over an encoded fact (the reference semantics)."""
    if isinstance(cond, Cmp):
        if cond.key not in fact:
            return None
        a, b = fact[cond.key], cond.value
        return {"eq": a == b, "ne": a != b, "ge": a >= b, "le": a <= b, "gt": a > b, "lt": a < b}[cond.op]
    if isinstance(cond, In):
        if cond.key not in fact:
            return None
        return (fact[cond.key] in cond.values) != cond.negated
    if isinstance(cond, Neg):
        inner = evaluate(cond.item, fact)
        return None if inner is None else not inner
    results = [evaluate(c, fact) for c in cond.items]
    if isinstance(cond, And):
        return False if False in results else (None if None in results else True)
    return True if True in results else (None if None in results else False)


_PY_OPS = {"eq": operator.eq, "ne": operator.ne, "ge": operator.ge, "le": operator.le, "gt": operator.gt,
           "lt": operator.lt}
_ABSENT = object()


def compile_condition(cond: Cond) -> Callable[[dict[str, Any]], bool | None]:
    """:func:`evaluate` for one condition, as a closure built once: the same three-valued answer
    for every encoded fact (one type per key, as the encoder guarantees), without walking the
    tree (the reference backend runs these). Only the condition's own keys, operators and
    encoded literals go in; nothing is generated as text."""
    if isinstance(cond, Cmp):
        key, op, value = cond.key, _PY_OPS[cond.op], cond.value

        def test(fact: dict[str, Any]) -> bool | None:
            a = fact.get(key, _ABSENT)
            return None if a is _ABSENT else op(a, value)
        return test
    if isinstance(cond, In):
        key, values, negated = cond.key, cond.values, cond.negated

        def member(fact: dict[str, Any]) -> bool | None:
            a = fact.get(key, _ABSENT)
            return None if a is _ABSENT else (a in values) != negated
        return member
    if isinstance(cond, Neg):
        inner = compile_condition(cond.item)

        def neg(fact: dict[str, Any]) -> bool | None:
            result = inner(fact)
            return None if result is None else not result
        return neg
    items = tuple(compile_condition(c) for c in cond.items)
    decisive = isinstance(cond, Or)  # the value that settles the whole: True for or, False for and

    def junction(fact: dict[str, Any]) -> bool | None:
        unknown = False
        for item in items:
            result = item(fact)
            if result is decisive:
                return decisive
            if result is None:
                unknown = True
        return None if unknown else not decisive
    return junction


def negate(cond: Cond) -> Cond:
    """¬cond with the negation pushed down to the tests (De Morgan)."""
    if isinstance(cond, Cmp):
        return Cmp(cond.key, NEGATE[cond.op], cond.value)
    if isinstance(cond, In):
        return In(cond.key, cond.values, not cond.negated)
    if isinstance(cond, Neg):
        return positive(cond.item)
    if isinstance(cond, And):
        return Or(tuple(negate(c) for c in cond.items))
    return And(tuple(negate(c) for c in cond.items))


def positive(cond: Cond) -> Cond:
    """cond with every Neg pushed down to the tests."""
    if isinstance(cond, Neg):
        return negate(cond.item)
    if isinstance(cond, And):
        return And(tuple(positive(c) for c in cond.items))
    if isinstance(cond, Or):
        return Or(tuple(positive(c) for c in cond.items))
    return cond
