"""Checks that need the whole policy: table cells against column types, and each
rule's tests against its fields, operators, tables and levels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from .._dates import iso_date
from .._errors import Problem, said, suggest
from ._check import TWO_FIELDS
from ._derivations import ROUNDING
from ._fields import COLUMN_TYPES, Field, column_type_ok
from ._model import (
    EQ_OPS, ORDER_OPS, SET_OPS, All, AnyOf, Condition, FieldValue, Literal, Not, Rule, Table, TableRef,
    Test, ThisLevel, Where, as_decimal,
)
from ._ranges import reversed_ranges


def _vocabulary(type_name: str, header: dict) -> tuple[str, ...] | None:
    base = type_name.removeprefix("list of ").removeprefix("optional ")
    vocab = header["vocabularies"].get(base)
    return vocab.values if vocab is not None else None


def _cell(type_name: str, value: Any, header: dict) -> tuple[Any, tuple[str, str] | None]:
    """The normalised cell value, or an error as (Bahasa Indonesia, English)."""
    if type_name == "number":
        number = None
        if not isinstance(value, bool):
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                pass
        if number is None or not number.is_finite():
            return None, (f"harus angka, bukan {value!r}", f"expected a number, got {value!r}")
        return number, None
    if type_name.startswith("optional "):
        return (None, None) if value is None else _cell(type_name.removeprefix("optional "), value, header)
    if type_name == "boolean":
        if isinstance(value, bool):
            return value, None
        return None, (f"harus true atau false, bukan {value!r}", f"expected true or false, got {value!r}")
    if type_name == "date":
        if isinstance(value, dt.date):
            return value, None
        try:
            return iso_date(str(value)), None
        except ValueError:
            return None, (f"harus tanggal seperti 2023-01-12, bukan {value!r}",
                          f"expected a date like 2023-01-12, got {value!r}")
    if type_name == "text":
        if isinstance(value, str):
            return str(value), None
        return None, (f"harus teks, bukan {value!r}", f"expected text, got {value!r}")
    if type_name == "list of text":
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return tuple(map(str, value)), None
        return None, (f"harus daftar teks, bukan {value!r}", f"expected a list of text, got {value!r}")
    vocab = _vocabulary(type_name, header)
    if type_name.startswith("list of "):
        if not isinstance(value, list) or not value:
            return None, (f"harus daftar nilai {type_name[8:]}, bukan {value!r}",
                          f"expected a list of {type_name[8:]} values, got {value!r}")
        bad = [v for v in value if v not in vocab]
        if bad:
            return None, (f"nilai tidak dikenal {bad}; pilihan: {', '.join(vocab)}",
                          f"unknown value(s) {bad}; expected: {', '.join(vocab)}")
        return tuple(map(str, value)), None
    if value not in vocab:
        return None, (f"{value!r} bukan {type_name}; pilihan: {', '.join(vocab)}",
                      f"{value!r} is not a {type_name}; expected one of: {', '.join(vocab)}")
    return str(value), None


def typecheck_tables(header: dict, tables: dict[str, Table]) -> list[Problem]:
    problems = []

    def report(where: Where, code: str, id_: str, en: str, hint: str | None = None):
        problems.append(Problem(code, id_, en, file=where.file, line=where.line, column=where.column,
                                hint=hint))

    for table in tables.values():
        vocabularies = header["vocabularies"]
        known_types = (*COLUMN_TYPES, *vocabularies, *(f"list of {v}" for v in vocabularies))
        for col, type_name in table.columns.items():
            if not column_type_ok(type_name, vocabularies):
                report(table.where, "P041", f"jenis kolom {type_name!r} tidak dikenal",
                       f"column {col!r} of table {table.name!r} has unknown type {type_name!r}; "
                       f"expected one of: {', '.join(known_types)}", suggest(type_name, known_types))
        key_vocab = vocabularies[table.key].values if table.key in vocabularies else None
        for row in table.rows:
            if key_vocab and row.key not in key_vocab:
                report(row.where, "P042", f"kunci baris {row.key!r} tidak dikenal",
                       f"row key {row.key!r} of table {table.name!r} is not a {table.key}; expected one "
                       f"of: {', '.join(key_vocab)}", suggest(row.key, key_vocab))
            for col, type_name in table.columns.items():
                if not column_type_ok(type_name, vocabularies):
                    continue
                if col not in row.values and type_name.startswith("optional "):
                    row.values[col] = None
                    continue
                if col not in row.values:
                    report(row.where, "P043", f"kolom {col!r} kosong",
                           f"column {col!r} is missing in this row of table {table.name!r}",
                           f"give the row its {col}: VALUE, or declare the column '{col}: optional {type_name}' "
                           f"where a row may leave it out / beri baris itu {col}: NILAI, atau nyatakan kolomnya "
                           f"'{col}: optional {type_name}' bila baris boleh tanpa nilai")
                    continue
                value, error = _cell(type_name, row.values[col], header)
                if error:
                    given = row.values[col]
                    listed = _vocabulary(type_name, header) or ()
                    hint = suggest(given, listed) if given not in listed else None
                    if type_name.startswith("list of ") and not isinstance(given, list):
                        hint = f"write a list in brackets: [{given}] / tulis daftar dalam kurung siku"
                    report(row.where, "P044", f"nilai kolom {col!r} tabel {table.name!r} salah: {error[0]}",
                           f"bad value in column {col!r} of table {table.name!r}: {error[1]}", hint)
                else:
                    row.values[col] = value  # normalised in place; the row is not shared yet
        seen: dict[Any, list] = {}
        for row in table.rows:
            for other in seen.get(row.key, []):
                if other.period.overlaps(row.period):
                    report(row.where, "P045", "dua baris untuk kunci yang sama berlaku bersamaan",
                           f"two rows of table {table.name!r} for {row.key or 'the table'} are in force "
                           f"on the same days (the other is at line {other.where.line})",
                           "give the older row a valid_to before the newer row's valid_from / beri baris yang lama "
                           "valid_to sebelum valid_from baris yang baru")
            seen.setdefault(row.key, []).append(row)
    return problems


def _one_or_list_hint(op: str, given: Any) -> str:
    """How to write the value of ``op`` that was given as one value where a list goes, or the reverse."""
    if op in SET_OPS:
        return f"write it in brackets: {op}: [{said(given)}] / tulis dalam kurung siku: {op}: [{said(given)}]"
    if op == "equals":
        return f"for any of several values: in: {said(given)} / untuk salah satu dari beberapa nilai: in: {said(given)}"
    if op == "not_equals":
        return (f"for none of several values: not_in: {said(given)} / untuk bukan salah satu dari beberapa nilai: "
                f"not_in: {said(given)}")
    return f"write one value: {op}: VALUE / tulis satu nilai: {op}: NILAI"


def typecheck_rule(header: dict, tables: dict[str, Table], fields: dict[str, Field], rule: Rule) -> list[Problem]:
    problems: list[Problem] = []

    def report(where: Where | None, code: str, id_: str, en: str, hint: str | None = None):
        where = where or rule.where
        problem = Problem(code, id_, en, file=where.file, line=where.line, column=where.column, rule=rule.id,
                          hint=hint)
        if problem not in problems:  # two tests of one line on one table: said once
            problems.append(problem)

    for route in rule.routes:
        if route not in header["routes"]:
            report(None, "P053", f"jalur {route!r} tidak didefinisikan di policy.yaml",
                   f"route {route!r} is not defined under 'routes:' in policy.yaml",
                   suggest(route, header["routes"]) or f"write one of {', '.join(header['routes'])} in the rule's "
                   f"routes:, or define the route under routes: in policy.yaml / tulis salah satu dari "
                   f"{', '.join(header['routes'])} di routes: aturan, atau definisikan jalurnya di policy.yaml")
    for level in rule.levels:
        if level not in header["levels"]:
            report(None, "P054", f"jenjang {level!r} tidak ada di policy.yaml",
                   f"level {level!r} is not among the policy's levels ({', '.join(header['levels'])})",
                   suggest(level, header["levels"]) or "take it out of the rule's levels:, or add it to levels: in "
                   "policy.yaml / keluarkan dari levels: aturan, atau tambahkan ke levels: di policy.yaml")

    def visit(cond: Condition):
        if isinstance(cond, (All, AnyOf)):
            for item in cond.items:
                visit(item)
        elif isinstance(cond, Not):
            visit(cond.item)
        else:
            _test(cond)

    def _test(test: Test):
        field = fields[test.field]
        if field.subject != rule.subject:
            report(test.where, "P069", f"field {test.field!r} bukan untuk aturan {rule.subject}",
                   f"field {test.field!r} is about a {field.subject}; a {rule.subject} rule cannot test it",
                   suggest(test.field, [n for n, f in fields.items() if f.subject == rule.subject]))
            return
        allowed = ops_for(field)
        if test.op not in allowed:
            report(test.where, "P060", f"operator {test.op!r} tidak berlaku untuk {test.field!r}",
                   f"operator {test.op!r} cannot be used on {test.field!r} ({field.kind}); "
                   f"use one of: {', '.join(allowed)}")
            return
        want_list = test.op in SET_OPS
        value = test.value
        if isinstance(value, FieldValue):
            report(test.where, "P061", "{field: ...} hanya dalam perhitungan",
                   "{field: NAME} can only be used inside a derivation; a rule compares with a value, "
                   "a table cell or {this: level}", TWO_FIELDS)
        elif isinstance(value, ThisLevel):
            if field.scale != "level" or want_list:
                report(test.where, "P061", "{this: level} hanya untuk field jenjang",
                       f"{{this: level}} can only be compared with a level field, not {test.field!r}",
                       "{this: level} is the level being decided, for one value of a level field (equals, "
                       "at_least, ...); for another field read the level's row of a table: {table: NAME, column: "
                       "COLUMN} / {this: level} adalah jenjang yang diputuskan, untuk satu nilai field jenjang; "
                       "untuk field lain baca baris jenjang itu di tabel: {table: NAMA, column: KOLOM}")
        elif isinstance(value, TableRef):
            _tableref(test, field, want_list)
        else:
            _literal(test, field, value, want_list)

    def _tableref(test: Test, field: Field, want_list: bool):
        ref: TableRef = test.value
        table = tables.get(ref.table)
        if table is None:
            report(test.where, "P062", f"tabel {ref.table!r} tidak ada",
                   f"table {ref.table!r} does not exist", suggest(ref.table, tables))
            return
        if table.key not in ("level", None):
            report(test.where, "P063", f"tabel {ref.table!r} tidak berkunci jenjang",
                   f"table {ref.table!r} is keyed by {table.key}; a rule can only read tables keyed "
                   f"by level, or without a key",
                   f"read it in a derived field, derive: {{lookup: {ref.table}, key: FIELD, column: {ref.column}}}, "
                   f"and test that field / baca lewat field turunan, derive: {{lookup: {ref.table}, key: FIELD, "
                   f"column: {ref.column}}}, lalu uji field itu")
            return
        type_name = table.columns.get(ref.column)
        if type_name is None:
            report(test.where, "P064", f"kolom {ref.column!r} tidak ada di tabel {ref.table!r}",
                   f"table {ref.table!r} has no column {ref.column!r}; it has: {', '.join(table.columns)}",
                   suggest(ref.column, table.columns))
            return
        expected = _column_type_for(field, want_list)
        if type_name != expected:
            report(test.where, "P065", f"kolom {ref.column!r} berjenis {type_name}, bukan {expected}",
                   f"column {ref.table}.{ref.column} is of type {type_name!r}, but {test.field!r} with "
                   f"{test.op!r} needs {expected!r}",
                   f"compare with a column of type {expected}, or declare this one {ref.column}: {expected} under "
                   f"columns: of table {ref.table} / bandingkan dengan kolom berjenis {expected}, atau nyatakan kolom "
                   f"ini {ref.column}: {expected} di columns: tabel {ref.table}")
            return
        if table.key == "level":
            missing = [lv for lv in applies_at if not any(row.key == lv for row in table.rows)]
            if missing:
                report(test.where, "P066", f"tabel {ref.table!r} tidak punya baris untuk {', '.join(missing)}",
                       f"table {ref.table!r} has no row for level(s) {', '.join(missing)}, to which this "
                       f"rule applies; add rows or narrow the rule's 'levels:'")

    def _literal(test: Test, field: Field, value: Literal, want_list: bool):
        items = value.value if isinstance(value.value, tuple) else (value.value,)
        if want_list != isinstance(value.value, tuple):
            report(test.where, "P067", "nilai harus berupa daftar" if want_list else "nilai harus tunggal",
                   f"{test.op!r} takes {'a list of values' if want_list else 'one value, not a list'}",
                   _one_or_list_hint(test.op, value.value))
            return
        for item in items:
            error = literal_error(field, item, header)
            if error:
                quoted = field.kind == "date" and isinstance(item, str) and _iso_date(item)
                report(test.where, "P068", f"nilai {said(item)} tidak cocok untuk {test.field!r}",
                       f"value {said(item)} does not fit {test.field!r}: {error}",
                       f"write the date without quotes: {item.strip()} / tulis tanggal tanpa tanda kutip: "
                       f"{item.strip()}" if quoted else
                       suggest(item, _field_vocab(field, header) or ()))

    # the levels a rule is really checked at: its own levels within its routes' levels
    applies_at = [lv for lv in header["levels"] if lv in rule.levels and (rule.subject == "formation" or any(
        lv in header["routes"][rt].levels for rt in rule.routes if rt in header["routes"]))]
    visit(rule.condition)
    problems += [p for p in reversed_ranges(rule, header, tables, fields, applies_at) if p not in problems]
    if rule.then is not None:
        bounds = rule.then.items if isinstance(rule.then, All) else (rule.then,)
        for bound in bounds:
            if not isinstance(bound, Test) or bound.field != "need" or bound.op not in ("at_least", "at_most"):
                report(getattr(bound, "where", None), "P057", "then: hanya need: {at_least|at_most: N}",
                       "a formation rule's 'then:' can only bound the need: need: {at_least: N} or "
                       "need: {at_most: N}")
            else:
                visit(bound)
                _negative_bound(bound, applies_at, tables, report)
    return problems


def _negative_bound(bound: Test, levels: list[str], tables: dict[str, Table], report: Any) -> None:
    """A formation rule's bound below 0: ``need: {at_most: -1}`` would make a need of -1 officers."""
    value = bound.value
    if isinstance(value, Literal):
        found = [(bound.where, value.value)]
    elif isinstance(value, TableRef) and value.table in tables:
        found = [(row.where, row.values.get(value.column)) for row in tables[value.table].rows
                 if row.key in levels]
    else:
        return
    for where, number in found:
        if isinstance(number, (int, Decimal)) and not isinstance(number, bool) and number < 0:
            report(where, "P057", f"batas kebutuhan tidak boleh negatif ({number})",
                   f"a bound on the need cannot be below 0, got {number}: the need is a number of officers",
                   "write 0 or more / tulis 0 atau lebih")


def ops_for(field: Field) -> tuple[str, ...]:
    if field.kind in ("enum", "text"):
        return EQ_OPS + SET_OPS
    if field.kind == "boolean":
        return EQ_OPS
    return EQ_OPS + SET_OPS + ORDER_OPS


def _column_type_for(field: Field, want_list: bool) -> str:
    base = field.scale or field.kind  # a vocabulary's name, or number, date, text, boolean
    return f"list of {base}" if want_list else base


def _field_vocab(field: Field, header: dict) -> tuple[str, ...] | None:
    # a vocabulary's values; or the texts a field derived by cases can be (_build_fields._texts)
    return field.values if field.kind in ("enum", "ordered") or (field.kind == "text" and field.values) else None


def _iso_date(text: str) -> bool:
    try:
        iso_date(text.strip())
    except ValueError:
        return False
    return True


def literal_error(field: Field, item: Any, header: dict) -> str | None:
    vocab = _field_vocab(field, header)
    if vocab is not None:
        return None if item in vocab else f"expected one of: {', '.join(vocab)}"
    if field.kind == "number":
        if isinstance(item, bool) or not isinstance(item, (int, Decimal)):
            return "expected a number"
        exponent = Decimal(item).as_tuple().exponent
        if isinstance(exponent, int) and -exponent > field.decimals:
            return f"at most {field.decimals} decimal(s) are kept for this field"
        return None
    if field.kind == "date":
        return None if isinstance(item, dt.date) else "expected a date like 2023-01-12"
    if field.kind == "boolean":
        return None if isinstance(item, bool) else "expected true or false"
    return None if isinstance(item, str) else "expected text"


# The tables that policy.yaml's credit_points and formation sections name, and the columns
# (with types) the computations read from them.
_SETTINGS = {
    ("formation", "working_time_table"): (None, {"effective_minutes_per_year": "number"}),
    ("formation", "choices_table"): (None, {"rounding": "text", "ej_bands": "text"}),
    ("formation", "periods_table"): ("period", {"per_year": "number"}),
    ("formation", "activities_table"): ("activity", {"name": "text", "unit": "text"}),
    ("formation", "holders_table"): (None, {"statuses": "list of employment_status"}),
}


def check_settings(header: dict, tables: dict[str, Table]) -> list[Problem]:
    problems = []
    for (section, attr), (key, columns) in _SETTINGS.items():
        settings = header.get(section)
        if settings is None:
            continue
        name = getattr(settings, attr)
        if name is None:  # a setting that may be left out
            continue
        table = tables.get(name)
        where = f"{section}.{attr}"
        if table is None:
            problems.append(Problem("P051", f"tabel {name!r} ({where}) tidak ada",
                                    f"table {name!r} named in {where} does not exist", file="policy.yaml",
                                    hint=suggest(name, tables)))
            continue
        wrong = [f"{c}: {t}" for c, t in columns.items() if table.columns.get(c) != t]
        if table.key != key or wrong:
            problems.append(Problem(
                "P055", f"tabel {name!r} tidak berbentuk yang diperlukan {where}",
                f"table {name!r} ({where}) must have key {key or 'none'} and columns "
                f"{', '.join(f'{c}: {t}' for c, t in columns.items())}",
                file=table.where.file, line=table.where.line, column=table.where.column,
                hint=f"write 'key: {key or 'none'}' and 'columns: {{{', '.join(f'{c}: {t}' for c, t in columns.items())}}}'"
                     f" in table {name!r}, or name another table in {where} / tulis key dan columns itu pada tabel "
                     f"{name!r}, atau sebut tabel lain di {where}"))
    formation = header.get("formation")
    if formation:
        problems += _formation_values(formation, tables)
        for name in (formation.working_time_table, formation.choices_table, formation.holders_table):
            if name in tables and tables[name].key is None:
                problems += _uncovered(tables[name], header["coverage"])
    if formation and formation.activities_table in tables:
        table = tables[formation.activities_table]
        bad = [lv for lv in header["levels"] if table.columns.get(lv) not in (None, "optional number")]
        if bad or not any(lv in table.columns for lv in header["levels"]):
            problems.append(Problem(
                "P056", "katalog kegiatan harus punya kolom norma waktu per jenjang",
                "the activity catalogue needs norm-minute columns named after levels, of type "
                "'optional number' (leave a cell out where a level does not do the activity)",
                file=table.where.file, line=table.where.line,
                hint=f"write columns such as {{{', '.join(f'{lv}: optional number' for lv in header['levels'][:2])}, ...}}"
                     " / tulis kolom norma waktu per jenjang berjenis 'optional number'"))
    return problems


def _uncovered(table: Table, cover: Any) -> list[Problem]:
    """The first days the policy covers on which a formation table of one row per date has none in
    force: the formation could not be computed then (found only when someone asked for that date)."""
    day = cover.valid_from or min((r.period.valid_from for r in table.rows if r.period.valid_from), default=None)
    if day is None:
        return []
    end = cover.valid_to or dt.date.max
    for row in sorted(table.rows, key=lambda r: r.period.valid_from or dt.date.min):
        if day > end or (row.period.valid_from or dt.date.min) > day:
            break  # every day covered, or a row that begins later: the days before it have none
        if row.period.valid_to is None:
            return []
        day = max(day, row.period.valid_to + dt.timedelta(days=1))
    if day > end:
        return []
    later = [r.period.valid_from for r in table.rows if r.period.valid_from and r.period.valid_from > day]
    until = min(min(later) - dt.timedelta(days=1), end) if later else cover.valid_to
    return [Problem("P049", f"tabel {table.name!r} tidak punya baris yang berlaku {day} – {until or '…'}",
                    f"table {table.name!r} has no row in force from {day} to {until or 'no end'}, within the days "
                    f"the policy covers: the formation cannot be computed on those dates",
                    file=table.where.file, line=table.where.line, column=table.where.column,
                    hint="give a row for those dates (valid_from, valid_to), without a gap between rows / beri baris "
                         "untuk tanggal itu (valid_from, valid_to), tanpa celah antarbaris")]


_BANDS = {"name": "text", "lower": "number", "inclusive": "boolean"}


def _formation_values(formation: Any, tables: dict[str, Table]) -> list[Problem]:
    """The values the formation computation divides by, multiplies with or chooses from: a zero or
    negative working time or period factor, an unknown rounding, a band table that is not there,
    each named at its row (the computation would fail, or give needs that mean nothing)."""
    problems = []

    def bad(row: Any, table: str, column: str, id_: str, en: str, hint: str | None = None) -> None:
        problems.append(Problem("P049", f"tabel {table!r}, kolom {column}: {id_}", f"table {table!r}, column "
                                f"{column}: {en}", file=row.where.file, line=row.where.line,
                                column=row.where.column, hint=hint))

    for attr, column in (("working_time_table", "effective_minutes_per_year"), ("periods_table", "per_year")):
        name = getattr(formation, attr)
        for row in tables[name].rows if name in tables else ():
            value = row.values.get(column)
            if isinstance(value, (int, Decimal)) and not isinstance(value, bool) and not value > 0:
                bad(row, name, column, f"harus lebih dari 0, bukan {value}", f"must be above 0, got {value}: "
                    "the need is divided or multiplied by it")
    name = formation.activities_table  # norm minutes a unit of output takes: a negative one lowers the need
    for row in tables[name].rows if name in tables else ():
        for column, value in row.values.items():
            if column not in ("name", "unit") and isinstance(value, (int, Decimal)) and not isinstance(value, bool) \
                    and not value > 0:
                bad(row, name, column, f"norma menit harus lebih dari 0, bukan {value}",
                    f"norm minutes must be above 0, got {value}: the workload is volume x norm",
                    "leave the cell out where the level does not do the activity / kosongkan sel itu bila "
                    "jenjang tersebut tidak melakukan kegiatan ini")
    name, checked = formation.choices_table, set()
    for row in tables[name].rows if name in tables else ():
        rounding, bands = row.values.get("rounding"), row.values.get("ej_bands")
        if isinstance(rounding, str) and rounding not in ROUNDING:
            bad(row, name, "rounding", f"pembulatan tidak dikenal {rounding!r}", f"unknown rounding {rounding!r}; "
                f"expected one of: {', '.join(ROUNDING)}", suggest(rounding, ROUNDING))
        if isinstance(bands, str):
            table = tables.get(bands)
            if table is None:
                bad(row, name, "ej_bands", f"tabel {bands!r} tidak ada", f"names table {bands!r}, which does not "
                    "exist", suggest(bands, tables))
            elif any(table.columns.get(c) != t for c, t in _BANDS.items()):
                bad(row, name, "ej_bands", f"tabel {bands!r} bukan tabel predikat",
                    f"names table {bands!r}, which is not a band table (columns "
                    f"{', '.join(f'{c}: {t}' for c, t in _BANDS.items())})")
            elif bands not in checked:
                checked.add(bands)
                problems += _band_order(table)
    return problems


def _band_order(table: Table) -> list[Problem]:
    """A band table lists its bands in one order, best first (each lower bound below the one
    before; an equal one only where the first excludes it and the next includes it) or worst first
    (each above the one before). The computation gives the band of the highest bound an EJ passes,
    so a bound out of that order gives a band the wrong name (a lower band for a higher EJ) or never
    gives one, without a word."""
    rows = [r for r in table.rows if isinstance(r.values.get("lower"), (int, Decimal))
            and isinstance(r.values.get("inclusive"), bool)]
    pairs = []  # each row with the row before it in force on some of the same days
    for j, later in enumerate(rows):
        earlier = next((r for r in reversed(rows[:j]) if r.period.overlaps(later.period)), None)
        if earlier is not None:
            pairs.append((earlier, later, as_decimal(earlier.values["lower"]), as_decimal(later.values["lower"])))
    best_first = sum(lo < hi for _, _, hi, lo in pairs) >= sum(lo > hi for _, _, hi, lo in pairs)
    problems = []
    for earlier, later, hi, lo in pairs:
        if best_first and (lo < hi or (lo == hi and not earlier.values["inclusive"] and later.values["inclusive"])):
            continue
        if not best_first and lo > hi:
            continue
        order = "best first, each lower bound below" if best_first else "worst first, each lower bound above"
        given = f"be given to EJs {'above' if best_first else 'below'} those of band {earlier.key}"
        problems.append(Problem(
            "P049", f"tabel {table.name!r}: batas bawah predikat {later.key} ({lo}) tidak berurutan dengan "
            f"predikat {earlier.key} ({hi})",
            f"table {table.name!r}: band {later.key}'s lower bound {lo} is out of order with band {earlier.key}'s "
            f"({hi}): the bands are listed {order} the one before, and as written band {later.key} would "
            f"{'never be given' if lo == hi else given}",
            file=later.where.file, line=later.where.line, column=later.where.column,
            hint="list the bands in the order of their bounds, and check each bound against the citation / "
                 "urutkan band menurut batasnya, dan periksa setiap batas terhadap rujukannya"))
    return problems
