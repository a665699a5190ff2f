"""Workload rows, read and validated row by row, and where the formation's inputs come from
(``records_of``, ``place``, ``file_line``: the existing officers of ``_existing`` too).

A workload row: ``region, activity, level, volume`` with optional ``period`` (year by
default, month, week, day) and ``norm_minutes`` (overrides the catalogue; with it the
activity may be a local one not in the catalogue). A bad row is reported with its number; the
others go on.

Either may be a file (CSV, JSON, YAML, or an .xlsx workbook: its ``beban_kerja`` and ``pejabat``
sheets), an iterable of row dicts, or :class:`Located` pairs already read with their places.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from .._errors import InputError, InvalidArgument, Problem, said, suggest
from .._text import Text
from ..inputs import line_of, path_of, read_records
from ..inputs._candidate import Names, decimal_comma_hints, thousands_hint
from ..inputs._read import PLAIN_NUMBER, UTF16_HINT
from ..policy._yaml import GROUPED
from ..sheets._layout import WORKLOAD_COLUMNS, WORKLOAD_SHEET, is_workbook
from ..sheets._read import SheetRow, read_sheet


@attrs.frozen
class WorkloadRow:
    where: Any  # str, or a SheetRow: see place()
    region: str
    activity: str
    level: str
    volume: Decimal
    period: str
    norm_minutes: Decimal | None
    located: dict[str, Any] = attrs.field(factory=dict, eq=False)  # file and line, for a row of a text file


@attrs.frozen
class Located:
    """Records already read, as ``(where, record)`` pairs (``read_records(path, delimiter=";",
    columns=WORKLOAD_COLUMNS)``)."""

    pairs: Iterable[tuple[Any, Any]]


OTHER_WORKBOOKS = (".xls", ".ods", ".numbers")  # read only as .xlsx


def records_of(source: str | os.PathLike | Iterable | Located, sheet: str, columns: Collection[str]
               ) -> Iterable[tuple[Any, Any]]:
    """The ``(where, row)`` pairs of ``source``; a CSV header's names are read as the ``columns``
    they name (``Region`` is region: see :func:`~formasi_rules.inputs.name_columns`)."""
    if isinstance(source, Located):
        return _or_workbook(source.pairs)
    if is_workbook(source):
        return read_sheet(source, sheet, columns=WORKLOAD_COLUMNS if sheet == WORKLOAD_SHEET else None)
    if isinstance(source, (str, os.PathLike)) and os.fspath(source).lower().endswith(OTHER_WORKBOOKS):
        raise InputError([Problem("I020", "simpan buku kerja sebagai .xlsx (Excel Workbook)",
                                  "save the workbook as .xlsx (Excel Workbook) to read it", file=os.fspath(source))])
    if isinstance(source, (str, os.PathLike)):
        return _or_workbook(read_records(source, columns=columns, grouped_as_text=True))  # (2.400: see _amount)
    if isinstance(source, (Mapping, bytes)) or not isinstance(source, Iterable):
        one = (" (one row: put it in a list)", " (satu baris: masukkan ke dalam list)") if isinstance(source, Mapping) \
            else ("", "")
        what = ("workload", "beban kerja") if sheet == WORKLOAD_SHEET else ("existing", "pejabat yang ada")
        raise InvalidArgument(f"{what[0]} is a file's path or a list of rows, got {type(source).__name__}{one[0]} / "
                              f"{what[1]} berupa path berkas atau list baris, bukan {type(source).__name__}{one[1]}")
    return ((f"$[{i}]", item) for i, item in enumerate(source))


def _or_workbook(pairs: Iterable[tuple[Any, Any]]) -> Iterator[tuple[Any, Any]]:
    """``pairs``; a UTF-16 file is told that the workbook is read too (a candidate file is not)."""
    try:
        yield from pairs
    except InputError as exc:
        if not any(p.hint == UTF16_HINT for p in exc.problems):
            raise
        raise InputError([attrs.evolve(p, hint=_UTF16_OR_WORKBOOK) if p.hint == UTF16_HINT else p
                          for p in exc.problems]) from None


# UTF16_HINT, and that a workbook is read too, each in its own half of the "English / Indonesian" hint
_UTF16 = Text.of(UTF16_HINT)
_UTF16_OR_WORKBOOK = (f"{_UTF16.en}, or give the .xlsx workbook, which is read as it is / "
                      f"{_UTF16.id}, atau berikan workbook .xlsx, yang dibaca apa adanya")


def place(where: Any, field: str = "") -> str:
    """Where one field of a record is: ``$[3].volume`` (line-based files, Python rows) or the cell,
    ``abk.xlsx!beban_kerja:7:D`` (workbooks)."""
    if isinstance(where, SheetRow):
        return where.field(field) if field else str(where)
    path = path_of(str(where))
    return f"{path}.{field}" if field else path


def file_line(source: Any, where: Any) -> dict[str, Any]:
    """The file and line of a row read from a text file ("$[4] (line 6)"), for its problems."""
    if isinstance(where, SheetRow) or not isinstance(source, (str, os.PathLike)):
        return {}
    return {"file": os.fspath(source), "line": line_of(str(where))}


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str) and not PLAIN_NUMBER.fullmatch(value.strip()):
        return None  # "1_000", other scripts' digits: Decimal would take them
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# "2.400" or "1.250.000" as Indonesian spreadsheets write thousands: read as 2.4 it would be a
# thousand times too small, without a word. A volume counts things, so it is refused, not guessed.
_MARKS = ("write the number without a thousands separator, with '.' as the decimal mark: 2400 for "
          "two thousand four hundred, 2.4 for two and four tenths / tulis angka tanpa pemisah ribuan, dengan '.' "
          "sebagai tanda desimal: 2400 untuk dua ribu empat ratus, 2.4 untuk dua koma empat")


def _grouped(value: Any) -> bool:
    return isinstance(value, str) and GROUPED.fullmatch(value.strip()) is not None  # (0.250 cannot be thousands)


def _comma_hint(value: Any) -> str | None:
    if isinstance(value, str) and re.fullmatch(r"\d+,\d+", value.strip()):  # 2,400: a thousands comma, or decimals?
        # (each reading as the reader accepts it back: 2.4, not 2.400, which is refused as thousands)
        point = value.strip().replace(",", ".")
        return thousands_hint(value) or f"the decimal mark is '.': write {point} / tanda desimalnya '.': tulis {point}"
    return None


def _amount(raw: dict, key: str, bad: Any, above_zero: bool) -> Decimal | None:
    """The number a workload row gives in ``key`` (None when it gives none); one written with
    Indonesian thousands, or outside its range, is reported through ``bad``."""
    given = raw.get(key)
    if given in (None, ""):
        return None
    subject = "the volume" if key == "volume" else key
    if _grouped(given):
        bad(key, f"{key} {given!r} ambigu: pemisah ribuan atau desimal?",
            f"{subject} {given!r} is ambiguous: thousands written with dots, or a decimal?", _MARKS)
        return None
    number = _number(given)
    if number is None or number < 0 or (above_zero and number == 0):
        limit_id, limit_en = ("lebih dari 0", "above 0") if above_zero else ("0 atau lebih", "of 0 or more")
        bad(key, f"{key} harus angka {limit_id}, bukan {said(given)}", f"{key} must be a number {limit_en}, got {said(given)}",
            _comma_hint(given))
    return number


_AMOUNTS = ("volume", "norm_minutes")  # a workload row's numbers


def read_workload(source: str | os.PathLike | Iterable, levels: tuple[str, ...], periods: tuple[str, ...]
                  ) -> tuple[list[WorkloadRow], list[Problem]]:
    rows: list[WorkloadRow] = []
    problems: list[Problem] = []
    named = Names(levels)  # a level in any capitals and spacing (Ahli Pertama), as a places file's
    for where, raw in records_of(source, WORKLOAD_SHEET, WORKLOAD_COLUMNS):
        if isinstance(raw, InputError):
            problems.extend(raw.problems)
            continue

        def bad(field: str, id_: str, en: str, hint: str | None = None, where: Any = where) -> None:
            problems.append(Problem("W001", id_, en, path=place(where, field), hint=hint,
                                    **file_line(source, where)))

        if not isinstance(raw, dict):
            bad("", "baris beban kerja harus berupa objek", "a workload row must be an object with fields")
            continue
        before = len(problems)
        commas = decimal_comma_hints(raw, _AMOUNTS, place(where))  # {volume: 12,5} in YAML: volume 12 and a key 5
        for key in raw:
            if key not in WORKLOAD_COLUMNS:
                bad(key, f"field tidak dikenal {key!r}", f"unknown field {key!r}; expected: {', '.join(WORKLOAD_COLUMNS)}",
                    commas.get(place(where, str(key))) or suggest(key, WORKLOAD_COLUMNS))
        for key in ("region", "activity", "level", "volume"):
            if raw.get(key) in (None, ""):
                bad(key, f"field wajib {key!r} kosong", f"the required field {key!r} is missing")
        level, period = raw.get("level"), raw.get("period") or "year"
        level = named.read(level) or level
        if isinstance(period, str) and period not in periods:  # "Year", " month": as coded values are read
            period = next((p for p in periods if p.casefold() == period.strip().casefold()), period)
        if level not in (None, "") and level not in levels:
            bad("level", f"jenjang tidak dikenal {level!r}", f"unknown level {level!r}; expected one of: {', '.join(levels)}",
                suggest(str(level), levels))
        if period not in periods:
            bad("period", f"periode tidak dikenal {period!r}", f"unknown period {period!r}; expected one of: "
                f"{', '.join(periods)}", suggest(str(period), periods))
        volume = _amount(raw, "volume", bad, above_zero=False)
        norm = _amount(raw, "norm_minutes", bad, above_zero=True)
        for key in ("region", "activity"):
            if raw.get(key) not in (None, "") and not isinstance(raw[key], str):
                bad(key, f"{key} harus berupa teks", f"{key} must be text, got {said(raw[key])}")
        if len(problems) == before:
            rows.append(WorkloadRow(where, " ".join(raw["region"].split()), raw["activity"].strip(), level,
                                    volume, period, norm, file_line(source, where)))
    return rows, problems


