"""Parsing a rule's ``require:`` block into a condition tree, safely.

The grammar, in YAML::

    require:
      FIELD: {OP: VALUE}            # one test; several fields in one mapping all apply
      all: [COND, ...]              # every condition holds
      any: [COND, ...]              # at least one holds
      not: COND                     # the condition does not hold

    OP    : equals | not_equals | in | not_in | at_least | at_most | above | below | between
    VALUE : a literal (S1, 53, 2023-01-12, [PNS, PPPK])
          | {table: TABLE, column: COLUMN}   # the row for the level being evaluated
          | {this: level}                     # the level being evaluated

Nothing is evaluated here and no text is ever executed: the result is data.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .._errors import said, suggest
from ._check import TWO_FIELDS, Reader, comma_hint
from ._model import OPS, FieldValue, All, AnyOf, Condition, Literal, Not, TableRef, Test, ThisLevel

COMBINATORS = ("all", "any", "not")


def parse_condition(r: Reader, node: Any, key: Any, fields: Any, field_values: bool = False) -> Condition | None:
    """``node[key]`` as a condition over ``fields`` (names); ``field_values`` allows
    ``{field: NAME}`` as a value (inside derivations)."""
    return _Parser(r, fields, field_values).condition(node, key)


class _Parser:
    def __init__(self, r: Reader, fields: Any, field_values: bool):
        self.r, self.fields, self.field_values = r, fields, field_values

    def condition(self, node: Any, key: Any) -> Condition | None:
        return _condition(self, node, key)


def _condition(p: _Parser, node: Any, key: Any) -> Condition | None:
    r = p.r
    value = node[key]
    if isinstance(value, list):  # a bare list reads as "all of these"
        return _combine(p, node, key, All)
    if not isinstance(value, dict) or not value:
        r.problem("P030", "syarat harus berupa pemetaan seperti 'education: {at_least: S1}'",
                  "a condition must be a mapping such as 'education: {at_least: S1}'", node, key)
        return None
    parts: list[Condition] = []
    ok = True
    for name in value:
        if name == "all":
            part = _combine(p, value, name, All)
        elif name == "any":
            part = _combine(p, value, name, AnyOf)
        elif name == "not" and isinstance(value[name], list) and len(value[name]) > 1:
            # a list under not: reads "not all of these", where "neither" is as likely meant
            r.problem("P032", "'not' berisi satu syarat; tulis not: {any: [...]} atau not: {all: [...]}",
                      "'not' takes one condition: a list under it could mean 'not all of these' or 'none of "
                      "these'; say which", value, name,
                      hint="none of them: not: {any: [...]}; not every one of them: not: {all: [...]} / tidak satu pun: "
                           "not: {any: [...]}; tidak semuanya: not: {all: [...]}")
            part = None
        elif name == "not":
            inner = _condition(p, value, name)
            part = Not(inner) if inner is not None else None
        elif name in p.fields:
            part = _tests(p, value, name)
        else:
            r.problem("P031", f"field tidak dikenal {name!r}",
                      f"unknown field {name!r}; a condition names a field "
                      f"({', '.join(sorted(p.fields))}) or all/any/not",
                      value, name, hint=suggest(name, (*p.fields, *COMBINATORS)))
            part = None
        if part is None:
            ok = False
        else:
            parts.append(part)
    if not ok:
        return None
    return parts[0] if len(parts) == 1 else All(tuple(parts))


def _combine(p: _Parser, node: Any, key: Any, kind: type) -> Condition | None:
    r = p.r
    items = node[key]
    if not isinstance(items, list) or not items:
        r.problem("P032", f"'{key}' harus berupa daftar syarat yang tidak kosong",
                  f"'{key}' must be a non-empty list of conditions", node, key)
        return None
    parsed = [_condition(p, items, i) for i in range(len(items))]
    if None in parsed:
        return None
    return parsed[0] if len(parsed) == 1 else kind(tuple(parsed))


def _tests(p: _Parser, node: Any, field: str) -> Condition | None:
    r = p.r
    spec = node[field]
    if not isinstance(spec, dict) or not spec:
        r.problem("P033", f"uji untuk {field!r} harus seperti '{{at_least: NILAI}}'",
                  f"the test on {field!r} must look like '{{at_least: VALUE}}' "
                  f"(operators: {', '.join(OPS)}, between)", node, field, hint=_bare_hint(field, spec))
        return None
    tests: list[Condition] = []
    ok = True
    for op in spec:
        where = r.at(spec, op)
        if op == "between":
            bounds = spec[op]
            if not isinstance(bounds, list) or len(bounds) != 2:
                r.problem("P034", "'between' perlu tepat dua nilai: [paling rendah, paling tinggi]",
                          "'between' takes exactly two values: [lowest, highest]", spec, op)
                ok = False
                continue
            lo, hi = _value(p, bounds, 0), _value(p, bounds, 1)
            if lo is None or hi is None:
                ok = False
                continue
            tests += [Test(field, "at_least", lo, where), Test(field, "at_most", hi, where)]
        elif op in OPS:
            value = _value(p, spec, op)
            if value is None:
                ok = False
                continue
            tests.append(Test(field, op, value, where))
        else:
            r.problem("P035", f"operator tidak dikenal {op!r}",
                      f"unknown operator {op!r}; expected one of: {', '.join(OPS)}, between",
                      spec, op, hint=comma_hint(spec, op) or suggest(op, (*OPS, "between")))
            ok = False
    if not ok:
        return None
    return tests[0] if len(tests) == 1 else All(tuple(tests))


def _bare_hint(field: str, given: Any) -> str | None:
    """How to write a test for a value given bare under its field (``education: S1``)."""
    if isinstance(given, dict) or given is None:
        return None  # (nothing given: the message shows the form)
    if isinstance(given, list):
        return (f"for any of these values: {field}: {{in: {said(given)}}} / untuk salah satu nilai ini: "
                f"{field}: {{in: {said(given)}}}")
    return (f"to require that value: {field}: {{equals: {said(given)}}} / untuk mensyaratkan nilai itu: "
            f"{field}: {{equals: {said(given)}}}")


def _value(p: _Parser, node: Any, key: Any):
    r = p.r
    value = node[key]
    if isinstance(value, dict):
        if p.field_values and set(value) == {"field"} and isinstance(value["field"], str):
            if value["field"] in p.fields:
                return FieldValue(str(value["field"]))
            r.problem("P031", f"field tidak dikenal {value['field']!r}", f"unknown field {value['field']!r}",
                      value, "field", hint=suggest(value["field"], p.fields))
            return None
        if set(value) == {"table", "column"}:
            table, column = value["table"], value["column"]
            if isinstance(table, str) and isinstance(column, str):
                return TableRef(table, column)
        if dict(value) == {"this": "level"}:
            return ThisLevel()
        r.problem("P036", "nilai rujukan harus {table: NAMA, column: KOLOM} atau {this: level}",
                  "a reference value must be {table: NAME, column: COLUMN} or {this: level}",
                  node, key, hint=TWO_FIELDS if set(value) == {"field"} else (
                      "write a table cell as {table: NAME, column: COLUMN}, both names as text, or the level being "
                      "decided as {this: level} / tulis sel tabel sebagai {table: NAMA, column: KOLOM}, keduanya "
                      "nama berupa teks, atau jenjang yang diputuskan sebagai {this: level}"))
        return None
    if isinstance(value, list):
        items = [_literal(r, value, i) for i in range(len(value))]
        return None if any(i is _BAD for i in items) else Literal(tuple(items))
    lit = _literal(r, node, key)
    return None if lit is _BAD else Literal(lit)


_BAD = object()


def _literal(r: Reader, node: Any, key: Any):
    value = node[key]
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, (str, dt.date)):
        return value if isinstance(value, dt.date) else str(value)
    r.problem("P037", f"nilai {said(value)} tidak dapat dipakai dalam syarat",
              f"the value {said(value)} cannot be used in a condition (expected text, a number or a date)",
              node, key, hint="the value is missing: write it after the colon, at_least: 35 / nilainya tidak ada: "
              "tulis setelah titik dua, at_least: 35" if value is None else "write one text, number or date, or for "
              "in and not_in a list of them: in: [a, b] / tulis satu teks, angka atau tanggal, atau untuk in dan "
              "not_in daftarnya: in: [a, b]")
    return _BAD
