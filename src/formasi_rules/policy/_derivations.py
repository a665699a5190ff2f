"""Derivations: how a derived field's value is computed, as small typed data, never code.

In YAML a derivation is a mapping with one operator (plus its options); an operand is another
derivation, a number or date literal, ``{text: ...}`` for text, or the name of a field::

    years_between: [birth_date, as_of]              # completed years from one date to another
    months_between: [A, B]                          # completed months
    add | multiply | min | max: [A, B, ...]         # exact decimal arithmetic (min/max of dates too)
    subtract | divide: [A, B]
    round: A, decimals: 2, mode: half_up            # half_up | floor | ceil
    lookup: TABLE, key: A, column: COLUMN           # the cell of A's row in force on the date
    history: positions, on: A, value: level         # the entry in force on A (step: previous;
                                                    #   same: [name, level] joins equal entries)
    history: positions, before: A, exists: {type: jpt}   # an entry started before A matches
    history: performance, year: A, value: rating    # the entry of a year
    over_years: 2, of: performance, value: rating, take: min   # min | max | sum | count
    sum_months: {from: A, to: B}, amount: E         # per calendar year: E with `year` and
                                                    #   `months` (the months of [A, B) in it)
    cases: [{when: CONDITION, then: A}, ...], else: B    # the first case that holds
    first_known: [A, B]                             # A, or B where A is not known
    start_of_year: A / add_months: [A, N]           # dates
    is_position: A                                  # text A names the policy's position

A value any of whose inputs is unknown is unknown; the loader checks every operand's type.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP
from decimal import Decimal
from typing import Any

import attrs

from .._errors import suggest
from ._fields import HISTORIES
from ._model import All, AnyOf, Condition, FieldValue, Not, Test, Where


@attrs.frozen
class Ref:
    name: str  # a field, or a variable of sum_months (year, months)


@attrs.frozen
class Const:
    value: Any


@attrs.frozen
class Span:
    unit: str  # "years" | "months"
    start: Any
    end: Any


@attrs.frozen
class Arith:
    op: str  # add subtract multiply divide min max
    items: tuple


@attrs.frozen
class Round:
    item: Any
    decimals: int
    mode: str


@attrs.frozen
class Lookup:
    table: str
    key: Any  # None for a table without key
    column: str


@attrs.frozen
class HistoryAt:
    history: str
    on: Any
    value: str
    previous: bool = False
    same: tuple[str, ...] = ()


@attrs.frozen
class HistoryExists:
    history: str
    before: Any
    match: tuple[tuple[str, tuple], ...]


@attrs.frozen
class HistoryYear:
    history: str
    year: Any
    value: str


@attrs.frozen
class OverYears:
    history: str
    years: int
    value: str
    take: str


@attrs.frozen
class SumMonths:
    start: Any
    end: Any
    amount: Any


@attrs.frozen
class Cases:
    branches: tuple[tuple[Condition, Any], ...]
    otherwise: Any  # None: unknown when no case holds


@attrs.frozen
class FirstKnown:
    items: tuple


@attrs.frozen
class StartOfYear:
    item: Any


@attrs.frozen
class AddMonths:
    date: Any
    months: Any


@attrs.frozen
class IsPosition:
    item: Any


OPERATORS = ("years_between", "months_between", "add", "subtract", "multiply", "divide", "min", "max",
             "round", "lookup", "history", "over_years", "sum_months", "cases", "first_known",
             "start_of_year", "add_months", "is_position", "text")
ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "floor": ROUND_FLOOR, "ceil": ROUND_CEILING}  # a policy's word -> Decimal's
ROUNDING = tuple(ROUNDING_MODES)
TAKE = ("min", "max", "sum", "count")
LOOP_VARIABLES = {"year": "integer", "months": "integer"}
NUMERIC = ("number", "integer")


def refs(node: Any) -> list[str]:
    """The names a derivation reads (fields and variables), in the order it reads them."""
    return list(dict.fromkeys(_refs_in(node)))


def _refs_in(value: Any) -> list[str]:
    if isinstance(value, Ref):
        return [value.name]
    if isinstance(value, tuple):
        return [n for v in value for n in _refs_in(v)]
    if isinstance(value, Test):
        return [value.field] + ([value.value.name] if isinstance(value.value, FieldValue) else [])
    if isinstance(value, (All, AnyOf)):
        return _refs_in(value.items)
    if isinstance(value, Not):
        return _refs_in(value.item)
    if attrs.has(type(value)) and not isinstance(value, Where):
        return [n for v in attrs.astuple(value, recurse=False) for n in _refs_in(v)]
    return []


class Parser:
    """Parses and type-checks derivations; problems go to the Reader, the result is None."""

    def __init__(self, r: Any, types: dict[str, str], vocabularies: dict, tables: dict,
                 parse_condition: Any):
        self.r = r
        self.types = types  # field name -> declared type
        self.vocabularies = vocabularies
        self.tables = tables
        self.parse_condition = parse_condition
        self.scope: dict[str, str] = {}

    def parse(self, node: Any, key: Any) -> tuple[Any, str] | None:
        value = node[key]
        if isinstance(value, bool):
            return Const(value), "boolean"
        if isinstance(value, int):
            return Const(Decimal(value)), "integer"
        if isinstance(value, float):
            return Const(Decimal(str(value))), "number"
        if isinstance(value, dt.datetime):
            return Const(value.date()), "date"
        if isinstance(value, dt.date):
            return Const(value), "date"
        if isinstance(value, str):
            if value in self.scope:
                return Ref(value), self.scope[value]
            if value in self.types:
                return Ref(value), self.types[value]
            return self._bad(node, key, "D001", f"field tidak dikenal {value!r}",
                             f"unknown field {value!r}; an operand names a field, or is a number, a date "
                             f"or {{text: ...}}", suggest(value, (*self.types, *self.scope)))
        if not isinstance(value, dict) or not value:
            return self._bad(node, key, "D002", "perhitungan harus berupa pemetaan seperti {add: [a, b]}",
                             "a derivation must be a mapping such as {add: [a, b]}")
        ops = [k for k in value if k in OPERATORS]
        if len(ops) != 1:
            unknown = [k for k in value if k not in OPERATORS]
            return self._bad(value, unknown[0] if unknown and not ops else None, "D003",
                             "perhitungan perlu tepat satu operator",
                             f"a derivation needs exactly one operator ({', '.join(OPERATORS)}); got "
                             f"{', '.join(map(str, value)) or 'none'}",
                             suggest(unknown[0], OPERATORS) if unknown and not ops else None)
        return getattr(self, "_" + ops[0])(value)

    # --- helpers ---------------------------------------------------------------------------

    def _bad(self, node: Any, key: Any, code: str, id_: str, en: str, hint: str | None = None):
        self.r.problem(code, id_, en, node, key, hint=hint)
        return None

    def _options(self, node: dict, op: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> bool:
        return self.r.keys(node, (op, *required), optional, f"'{op}'")

    def _typed(self, node: Any, key: Any, want: tuple[str, ...], what: str):
        parsed = self.parse(node, key)
        if parsed is None:
            return None
        if parsed[1] not in want:
            return self._bad(node, key, "D004", f"{what} harus {' atau '.join(want)}, bukan {parsed[1]}",
                             f"{what} must be {' or '.join(want)}, but it is {parsed[1]}")
        return parsed

    def _list(self, node: dict, op: str, size: int | None) -> list | None:
        items = node[op]
        if not isinstance(items, list) or (size is not None and len(items) != size) or not items:
            return self._bad(node, op, "D005", f"'{op}' perlu daftar {size or 'beberapa'} nilai",
                             f"'{op}' takes a list of {size or 'one or more'} values")
        return items

    # --- operators ---------------------------------------------------------------------------

    def _text(self, node: dict):
        if not self._options(node, "text", ()) or not isinstance(node["text"], str):
            return self._bad(node, "text", "D006", "text harus berupa teks", "'text' must be text")
        return Const(str(node["text"])), "text"

    def _span(self, node: dict, op: str, unit: str):
        items = self._list(node, op, 2) if self._options(node, op, ()) else None
        if items is None:
            return None
        a, b = self._typed(items, 0, ("date",), "from"), self._typed(items, 1, ("date",), "to")
        return None if a is None or b is None else (Span(unit, a[0], b[0]), "integer")

    def _years_between(self, node: dict):
        return self._span(node, "years_between", "years")

    def _months_between(self, node: dict):
        return self._span(node, "months_between", "months")

    def _arith(self, node: dict, op: str, size: int | None):
        items = self._list(node, op, size) if self._options(node, op, ()) else None
        if items is None:
            return None
        allowed = NUMERIC + (("date",) if op in ("min", "max") else ())
        parsed = [self._typed(items, i, allowed, f"operand {i + 1} of '{op}'") for i in range(len(items))]
        if None in parsed:
            return None
        types = {t for _, t in parsed}
        if "date" in types and types != {"date"}:
            return self._bad(node, op, "D007", f"'{op}' tidak dapat mencampur tanggal dan angka",
                             f"'{op}' cannot mix dates and numbers")
        if op == "divide" and isinstance(parsed[1][0], Const) and parsed[1][0].value == 0:
            return self._bad(node, op, "D020", "pembagian dengan 0", "'divide' by the number 0: every value "
                             "it gives would be unknown", hint="divide by the number the regulation gives / bagi dengan angka dari peraturan")
        result = "date" if types == {"date"} else (
            "integer" if types == {"integer"} and op in ("add", "subtract", "multiply", "min", "max") else "number")
        return Arith(op, tuple(p[0] for p in parsed)), result

    def _add(self, node):
        return self._arith(node, "add", None)

    def _subtract(self, node):
        return self._arith(node, "subtract", 2)

    def _multiply(self, node):
        return self._arith(node, "multiply", None)

    def _divide(self, node):
        return self._arith(node, "divide", 2)

    def _min(self, node):
        return self._arith(node, "min", None)

    def _max(self, node):
        return self._arith(node, "max", None)

    def _round(self, node: dict):
        if not self._options(node, "round", ("decimals",), ("mode",)):
            return None
        item = self._typed(node, "round", NUMERIC, "the value to round")
        decimals = node["decimals"]
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
            return self._bad(node, "decimals", "D008", "decimals harus 0 sampai 6",
                             "decimals must be a whole number from 0 to 6")
        mode = self.r.choice(node, "mode", "mode", ROUNDING) if "mode" in node else "half_up"
        if item is None or mode is None:
            return None
        return Round(item[0], decimals, mode), "integer" if decimals == 0 else "number"

    def _lookup(self, node: dict):
        if not self._options(node, "lookup", ("column",), ("key",)):
            return None
        name, column = node["lookup"], node["column"]
        table = self.tables.get(name) if isinstance(name, str) else None
        if table is None:
            return self._bad(node, "lookup", "D010", f"tabel {name!r} tidak ada", f"table {name!r} does not exist",
                             suggest(name, self.tables))
        type_name = table.columns.get(column) if isinstance(column, str) else None
        if type_name is None:
            return self._bad(node, "column", "D011", f"kolom {column!r} tidak ada di tabel {name!r}",
                             f"table {name!r} has no column {column!r}; it has: {', '.join(table.columns)}",
                             suggest(column, table.columns))
        key = None
        if table.key is not None:
            if "key" not in node:
                return self._bad(node, "lookup", "D012", f"tabel {name!r} berkunci {table.key}: beri 'key:'",
                                 f"table {name!r} is keyed by {table.key}: give 'key:' (which row to read)")
            want = (table.key,) if table.key in self.vocabularies else ("text",)
            parsed = self._typed(node, "key", want, f"the key of table {name!r}")
            if parsed is None:
                return None
            key = parsed[0]
        elif "key" in node:
            return self._bad(node, "key", "D013", f"tabel {name!r} tidak berkunci", f"table {name!r} has no key")
        base = type_name.removeprefix("optional ")
        return Lookup(str(name), key, str(column)), base

    def _history_name(self, node: dict, key: str = "history") -> str | None:
        name = node[key]
        if name not in HISTORIES:
            return self._bad(node, key, "D014", f"riwayat {name!r} tidak dikenal",
                             f"unknown history {name!r}; the record has: {', '.join(HISTORIES)}",
                             suggest(name, HISTORIES))
        return str(name)

    def _attribute(self, node: dict, key: str, history: str) -> str | None:
        value = node[key]
        attributes = HISTORIES[history][1]
        if value not in attributes:
            return self._bad(node, key, "D015", f"{history} tidak punya {value!r}",
                             f"an entry of {history} has no {value!r}; it has: {', '.join(attributes)}",
                             suggest(value, attributes))
        return str(value)

    def _history(self, node: dict):
        name = self._history_name(node)
        if name is None:
            return None
        placed_by, attributes = HISTORIES[name]
        if "exists" in node:
            if not self._options(node, "history", ("before", "exists")):
                return None
            before = self._typed(node, "before", ("date",), "before")
            spec = self.r.mapping(node, "exists", "exists")
            if before is None or spec is None:
                return None
            match = []
            for attr, wanted in spec.items():
                if self._attribute({attr: attr}, attr, name) is None:
                    return None
                values = tuple(wanted) if isinstance(wanted, list) else (wanted,)
                match.append((str(attr), tuple(v if not isinstance(v, str) else str(v) for v in values)))
            return HistoryExists(name, before[0], tuple(match)), "boolean"
        if placed_by == "year":
            if not self._options(node, "history", ("year", "value")):
                return None
            year = self._typed(node, "year", ("integer",), "year")
            attr = self._attribute(node, "value", name)
            return None if year is None or attr is None else (HistoryYear(name, year[0], attr), attributes[attr])
        if not self._options(node, "history", ("on", "value"), ("step", "same")):
            return None
        on = self._typed(node, "on", ("date",), "on")
        attr = self._attribute(node, "value", name)
        step = self.r.choice(node, "step", "step", ("current", "previous")) if "step" in node else "current"
        same: list[str] = []
        if "same" in node:
            listed = self.r.sequence(node, "same", "same")
            for i in range(len(listed or [])):
                if self._attribute(listed, i, name) is None:
                    return None
                same.append(str(listed[i]))
        if on is None or attr is None or step is None:
            return None
        return HistoryAt(name, on[0], attr, step == "previous", tuple(same)), attributes[attr]

    def _over_years(self, node: dict):
        if not self._options(node, "over_years", ("of", "value", "take")):
            return None
        years = node["over_years"]
        if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 50:
            return self._bad(node, "over_years", "D016", "over_years harus 1 sampai 50",
                             "over_years must be a whole number of years from 1 to 50")
        name = self._history_name(node, "of")
        if name is None:
            return None
        if HISTORIES[name][0] != "year":
            return self._bad(node, "of", "D017", f"{name} tidak per tahun",
                             f"over_years reads a yearly history; {name} is placed by date")
        attr = self._attribute(node, "value", name)
        take = self.r.choice(node, "take", "take", TAKE)
        if attr is None or take is None:
            return None
        type_name = HISTORIES[name][1][attr]
        if take in ("min", "max") and not (type_name in NUMERIC or self.vocabularies.get(type_name) is not None
                                           and self.vocabularies[type_name].ordered):
            return self._bad(node, "take", "D018", f"{attr} tidak berurutan", f"{attr} has no order to take {take} of")
        if take == "sum" and type_name not in NUMERIC:
            return self._bad(node, "take", "D018", f"{attr} bukan angka", f"{attr} is not a number to sum")
        result = "integer" if take == "count" else type_name
        return OverYears(name, years, attr, take), result

    def _sum_months(self, node: dict):
        if not self._options(node, "sum_months", ("amount",)):
            return None
        span = self.r.mapping(node, "sum_months", "sum_months")
        if span is None or not self.r.keys(span, ("from", "to"), (), "sum_months"):
            return None
        start = self._typed(span, "from", ("date",), "from")
        end = self._typed(span, "to", ("date",), "to")
        outer = self.scope
        self.scope = {**outer, **LOOP_VARIABLES}
        try:
            amount = self._typed(node, "amount", NUMERIC, "amount")
        finally:
            self.scope = outer
        if None in (start, end, amount):
            return None
        return SumMonths(start[0], end[0], amount[0]), "number"

    def _cases(self, node: dict):
        if not self._options(node, "cases", (), ("else",)):
            return None
        items = self._list(node, "cases", None)
        if items is None:
            return None
        branches, types = [], set()
        for i, item in enumerate(items):
            spec = self.r.mapping(items, i, f"case {i + 1}")
            if spec is None or not self.r.keys(spec, ("when", "then"), (), f"case {i + 1}"):
                return None
            condition = self.parse_condition(self.r, spec, "when")
            then = self.parse(spec, "then")
            if condition is None or then is None:
                return None
            branches.append((condition, then[0]))
            types.add(then[1])
        otherwise = None
        if "else" in node:
            parsed = self.parse(node, "else")
            if parsed is None:
                return None
            otherwise = parsed[0]
            types.add(parsed[1])
        return self._one_type(node, "cases", types, Cases(tuple(branches), otherwise))

    def _one_type(self, node: dict, op: str, types: set[str], result: Any):
        if types <= set(NUMERIC):
            return result, "integer" if types == {"integer"} else "number"
        if len(types) != 1:
            return self._bad(node, op, "D019", f"hasil '{op}' berbeda jenis: {', '.join(sorted(types))}",
                             f"the values of '{op}' are of different types: {', '.join(sorted(types))}")
        return result, types.pop()

    def _first_known(self, node: dict):
        items = self._list(node, "first_known", None) if self._options(node, "first_known", ()) else None
        if items is None:
            return None
        parsed = [self.parse(items, i) for i in range(len(items))]
        if None in parsed:
            return None
        return self._one_type(node, "first_known", {t for _, t in parsed}, FirstKnown(tuple(p[0] for p in parsed)))

    def _start_of_year(self, node: dict):
        if not self._options(node, "start_of_year", ()):
            return None
        item = self._typed(node, "start_of_year", ("date",), "start_of_year")
        return None if item is None else (StartOfYear(item[0]), "date")

    def _add_months(self, node: dict):
        items = self._list(node, "add_months", 2) if self._options(node, "add_months", ()) else None
        if items is None:
            return None
        day, months = self._typed(items, 0, ("date",), "date"), self._typed(items, 1, NUMERIC, "months")
        return None if day is None or months is None else (AddMonths(day[0], months[0]), "date")

    def _is_position(self, node: dict):
        if not self._options(node, "is_position", ()):
            return None
        item = self._typed(node, "is_position", ("text",), "is_position")
        return None if item is None else (IsPosition(item[0]), "boolean")
