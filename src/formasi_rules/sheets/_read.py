"""Reading a filled workbook: rows of one sheet as ``(where, record)`` pairs, as CSV gives them.

``where`` is a :class:`SheetRow`, so that a problem names the cell: ``abk.xlsx!beban_kerja:7:D``.
A row holding only what the template fills in (region, activity, level, period: no volume, no
count) is a template row left empty, and is skipped; so is a row with every cell empty (as a
blank CSV line is).
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from .._errors import InputError, Problem, suggest
from ..inputs import flat_record, name_columns
from ._layout import NOTE_COLUMN, PREFILLED


@attrs.frozen
class SheetRow:
    """Where a record was read: workbook, sheet and row, and the column letter of each field."""

    book: str
    sheet: str
    row: int
    columns: tuple[tuple[str, str], ...]  # (field, column letter)

    def __str__(self) -> str:
        return f"{self.book}!{self.sheet}:{self.row}"

    def field(self, name: str) -> str:
        """The place of one field's cell, ``book!sheet:row:column`` (the row's place if no such column)."""
        letter = dict(self.columns).get(name)
        return f"{self}:{letter}" if letter else str(self)


def _letter(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)  # Excel stores every number as a float: 2.0 officers is 2
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    return value


def _open(path: str | os.PathLike, data_only: bool = True):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=data_only)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError([Problem("I015", f"buku kerja tidak dapat dibuka: {exc}",
                                  f"cannot open the workbook: {exc} (is it an .xlsx file?)",
                                  file=str(path))]) from None


def sheet_names(path: str | os.PathLike) -> list[str]:
    book = _open(path)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def read_sheet(path: str | os.PathLike, sheet: str, *, fallback: bool = True,
               columns: tuple[str, ...] | None = None) -> Iterator[tuple[Any, Any]]:
    """Yield ``(SheetRow, record)`` for the rows of ``sheet`` (the header is row 1). Without such a
    sheet, a workbook of one sheet is read from that one (``fallback``); otherwise InputError.
    With ``columns``, a header naming another column is the sheet's InputError (I018), said once
    at its cell, rather than every row's."""
    book = _open(path)
    name = Path(path).name
    formulas = None
    try:
        if sheet in book.sheetnames:
            ws = book[sheet]
        elif fallback and len(book.sheetnames) == 1:
            ws = book[book.sheetnames[0]]
        else:
            raise InputError([Problem("I016", f"lembar {sheet!r} tidak ada di buku kerja",
                                      f"the workbook has no sheet {sheet!r} (it has: "
                                      f"{', '.join(book.sheetnames)})", file=str(path))])
        ws.reset_dimensions()  # the size a sheet says it has (<dimension ref="A1"/> from some export
        # libraries) would bound the rows and columns read: every row is read as it is
        rows = ws.iter_rows()  # cells: a computed empty text and a formula never computed both read None,
        # and only the cell's type tells them apart ("str" against "n")
        formulas = _formulas(path, ws.title)  # the same rows as written: a formula where a value is missing
        header = [_cell(c.value) for c in next(rows, ())]
        keep = [i for i, h in enumerate(header) if h is not None and h != NOTE_COLUMN]
        # a name twice, or two naming one column: which one? ("Region" is region, as in a CSV header)
        for i, named in zip(keep, name_columns([str(header[i]) for i in keep], columns or (),
                                               path=f"{name}!{ws.title}:1")):
            header[i] = named
        if columns is not None:
            _check_header(name, ws.title, [(str(header[i]), _letter(i)) for i in keep], columns)
        columns = tuple((str(header[i]), _letter(i)) for i in keep)
        prefilled = PREFILLED.get(ws.title, frozenset())
        for number, cells in enumerate(rows, start=2):
            values = [c.value for c in cells]
            record = {}
            for i in keep:
                value = _cell(values[i]) if i < len(values) else None
                if value is not None:
                    record[str(header[i])] = value
            extra = [i for i, v in enumerate(values)  # a value under no column name
                     if (i >= len(header) or header[i] is None) and _cell(v) is not None]
            where = SheetRow(name, ws.title, number, columns)
            written = next(formulas, ())
            uncomputed = [i for i in keep if i < len(written) and _uncomputed(cells[i] if i < len(cells) else None,
                                                                             written[i])]
            if uncomputed:  # the file was saved by a program that does not compute (openpyxl, a script)
                yield where, InputError([Problem(
                    "I023", "sel berisi rumus tanpa nilai terhitung", f"the cell holds the formula "
                    f"{written[uncomputed[0]]} with no computed value saved, so its value is not known",
                    path=f"{where}:{_letter(uncomputed[0])}",
                    hint="open the workbook in Excel or LibreOffice and save it (that stores the values), "
                    "or type the value / buka workbook di Excel atau LibreOffice lalu simpan (agar nilainya "
                    "tersimpan), atau ketik nilainya")])
                continue
            if extra:
                yield where, InputError([Problem(
                    "I013", "sel berisi di kolom tanpa judul", "a cell holds a value in a column with no "
                    "name in row 1", path=f"{where}:{_letter(extra[0])}")])
                continue
            if set(record) <= prefilled:
                continue  # an empty row, or a template row not filled in
            # dotted column names make nested fields (position.level), as in CSV
            yield where, flat_record(record, str(where)) if any("." in k for k in record) else record
    finally:
        if formulas is not None:
            formulas.close()  # a reader that stops early leaves no workbook open behind it
        book.close()


def _check_header(book: str, sheet: str, named: list[tuple[str, str]], columns: tuple[str, ...]) -> None:
    unknown = [(h, letter) for h, letter in named if h not in columns]
    if unknown:
        listed = ", ".join(columns)
        raise InputError([Problem(
            "I018", f"kolom {h!r} bukan kolom lembar {sheet} ({listed})", f"the column {h!r} is not a column of "
            f"the sheet {sheet} ({listed}); every row is read by its header, so none can be", path=f"{book}!{sheet}:1:{letter}",
            hint=suggest(h, columns) or f"restore the template's header: {listed} / kembalikan judul kolom "
            f"seperti pada templat: {listed}") for h, letter in unknown])


def _uncomputed(cell: Any, written: Any) -> bool:
    """Whether a cell holds a formula whose value was never computed: it reads None and is typed
    "n", where a formula that computed an empty text reads None too but is typed "str"."""
    return isinstance(written, str) and written.startswith("=") and (
        cell is None or cell.value is None and getattr(cell, "data_type", "n") == "n")


def _formulas(path: str | os.PathLike, sheet: str) -> Iterator[tuple]:
    """The rows of ``sheet`` as written (formulas as their text), after the header."""
    book = _open(path, data_only=False)
    try:
        ws = book[sheet]
        ws.reset_dimensions()  # as in read_sheet: the rows as they are, whatever size the sheet says
        rows = ws.iter_rows(values_only=True)
        next(rows, None)
        yield from rows
    finally:
        book.close()
