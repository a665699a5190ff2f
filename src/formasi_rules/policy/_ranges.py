"""A ``between: [LOW, HIGH]`` whose low bound is above its high one: no value passes, so the rule
can never be met. Said at the place that holds the two values (a table row, or the rule's own
pair), where the fix is, rather than as the rule that never passes (``formasi check``, C010)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from .._errors import Problem, said
from ._fields import Field
from ._model import All, Condition, Literal, Rule, Table, TableRef, Test, Where


def reversed_ranges(rule: Rule, header: dict, tables: dict[str, Table], fields: dict[str, Field],
                    levels: list[str]) -> list[Problem]:
    """P073 for each ``between`` of ``rule`` whose bounds are reversed: the pair written in the rule,
    or, for each table row the rule reads at one of ``levels`` while it is in force, that row's cells."""
    problems: list[Problem] = []
    for low, high in _betweens(rule.condition):
        field = fields.get(low.field)
        order = _order(field, header) if field is not None else None
        if order is None:
            continue
        for where, lo, hi, place in _bound_pairs(low.value, high.value, rule, tables, levels):
            lo_key, hi_key = order(lo), order(hi)
            if lo_key is not None and hi_key is not None and lo_key > hi_key:
                problems.append(_problem(rule, low, where, lo, hi, place))
    return problems


def _betweens(cond: Condition) -> Iterator[tuple[Test, Test]]:
    """The (at_least, at_most) tests each ``between`` was read as: one All of the two, sharing the
    place of the ``between`` itself (two operators written apart each have their own). Only those
    every passing candidate must meet (reached through ``all`` alone): one under ``any`` or ``not``
    does not keep the rule from being met, which is what P073 says."""
    if isinstance(cond, All):
        for a, b in itertools.pairwise(cond.items):
            if (isinstance(a, Test) and isinstance(b, Test) and a.field == b.field and a.op == "at_least"
                    and b.op == "at_most" and a.where is not None and a.where is b.where):
                yield a, b
        for item in cond.items:
            yield from _betweens(item)


def _bound_pairs(low: Any, high: Any, rule: Rule, tables: dict[str, Table],
                 levels: list[str]) -> Iterator[tuple[Where | None, Any, Any, Any]]:
    """``(where to say it, low value, high value, what holds them)`` for each pair the rule can meet."""
    if isinstance(low, Literal) and isinstance(high, Literal):
        yield None, low.value, high.value, None
        return
    low_rows = _rows(low, rule, tables, levels)
    high_rows = _rows(high, rule, tables, levels)
    if low_rows is None or high_rows is None:
        return
    for lo_row, lo in low_rows:
        for hi_row, hi in high_rows:
            if lo_row is not None and hi_row is not None and (
                    lo_row.key != hi_row.key or not lo_row.period.overlaps(hi_row.period)):
                continue  # never read together
            row = lo_row if lo_row is not None else hi_row
            other = hi_row if lo_row is not None and hi_row is not None and hi_row is not lo_row else None
            yield row.where, lo, hi, (low, high, other)


def _rows(value: Any, rule: Rule, tables: dict[str, Table], levels: list[str]) -> list | None:
    """``[(row, cell)]`` a bound reads (a literal: one pair with no row); None where it cannot be told."""
    if isinstance(value, Literal):
        return [(None, value.value)]
    if not isinstance(value, TableRef) or value.table not in tables:
        return None
    table = tables[value.table]
    return [(row, row.values.get(value.column)) for row in table.rows
            if (table.key != "level" or row.key in levels) and row.period.overlaps(rule.period)
            and value.column in row.values]


def _order(field: Field, header: dict) -> Callable[[Any], Any] | None:
    """A sort key for the field's values (None for a value that is not one), or None for a field
    that has no order."""
    if field.kind == "ordered":
        vocab = header["vocabularies"].get(field.scale)
        ranks = vocab.ranks if vocab is not None else {}
        return lambda v: ranks.get(v) if isinstance(v, str) else None
    if field.kind == "number":
        return lambda v: Decimal(v) if isinstance(v, (int, Decimal)) and not isinstance(v, bool) else None
    if field.kind == "date":
        return lambda v: v if isinstance(v, dt.date) else None
    return None


def _problem(rule: Rule, test: Test, where: Where | None, lo: Any, hi: Any, place: Any) -> Problem:
    dates = isinstance(lo, dt.date)
    kind, kind_id, after = ("dates", "tanggal", "after") if dates else ("bounds", "batas", "above")
    none = "no date" if dates else "no value"
    if place is None:  # the pair written in the rule
        where = test.where or rule.where
        en = (f"'between: [{_written(lo)}, {_written(hi)}]' on {test.field!r} has its {kind} reversed: the first "
              f"is {after} the second, so {none} passes and rule {rule.id} is never met")
        id_ = (f"{kind_id} 'between' untuk {test.field!r} terbalik: {_written(lo)} melewati {_written(hi)}, "
               f"sehingga aturan {rule.id} tidak pernah terpenuhi")
        hint = (f"write the lower one first: between: [{_written(hi)}, {_written(lo)}] / "
                "tulis yang lebih rendah dahulu")
    else:
        low, high, other = place
        table = low.table if isinstance(low, TableRef) else high.table
        also = f" (read with the row at {other.where.file}:{other.where.line})" if other is not None else ""
        if isinstance(low, TableRef) and isinstance(high, TableRef):
            pair = f"{low.column} {_written(lo)} is {after} {high.column} {_written(hi)}"
            pair_id = f"{low.column} {_written(lo)} melewati {high.column} {_written(hi)}"
            hint = (f"swap the two values: {low.column} is the lower bound, {high.column} the upper / "
                    f"tukar kedua nilai: {low.column} batas bawah, {high.column} batas atas")
        else:
            cell, value = (low.column, lo) if isinstance(low, TableRef) else (high.column, hi)
            side, side_id = ("upper", "atas") if isinstance(low, TableRef) else ("lower", "bawah")
            bound = hi if isinstance(low, TableRef) else lo
            short = ("before" if dates else "below", "sebelum" if dates else "di bawah")
            past = (after, "melewati") if side == "upper" else short
            pair = f"{cell} {_written(value)} is {past[0]} the rule's {side} bound {_written(bound)}"
            pair_id = f"{cell} {_written(value)} {past[1]} batas {side_id} aturan {_written(bound)}"
            hint = ("correct the cell against its citation, or the rule's bound / "
                    "perbaiki nilai sel sesuai rujukannya, atau batas pada aturan")
        en = (f"table {table!r}: the {kind} of this row{also} are reversed, {pair}; rule {rule.id} tests "
              f"{test.field!r} between them, so {none} passes and the rule is never met")
        id_ = f"tabel {table!r}: {kind_id} pada baris ini terbalik ({pair_id}); aturan {rule.id} tidak pernah terpenuhi"
    return Problem("P073", id_, en, file=where.file, line=where.line, column=where.column, rule=rule.id, hint=hint)


def _written(value: Any) -> str:
    """A value as the policy file writes it (a vocabulary value as is, 2023-12-31, 2.5)."""
    return value if isinstance(value, str) else said(value)
