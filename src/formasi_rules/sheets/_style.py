"""Cell styles shared by the template and the result workbook."""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")
SHORT_FILL = PatternFill("solid", fgColor="F8D7DA")  # a shortfall (kekurangan)
SURPLUS_FILL = PatternFill("solid", fgColor="D6E9F8")  # a surplus (kelebihan)
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def text(value):
    """A value as a cell can hold it: a text with each control character XML cannot carry (Word's
    Shift+Enter \\x0b, a bell \\x07, from a region or activity name) made a space, where openpyxl
    would refuse the whole workbook."""
    return ILLEGAL_CHARACTERS_RE.sub(" ", value) if isinstance(value, str) else value


def put(ws, row: int, column: int, value):
    """``ws.cell(row, column, value)``, the value as a cell can hold it (:func:`text`)."""
    return ws.cell(row=row, column=column, value=text(value))


def header(ws, row: int, labels, *, freeze: bool = True) -> None:
    for col, label in enumerate(labels, start=1):
        cell = put(ws, row, col, label)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    if freeze:
        ws.freeze_panes = ws.cell(row=row + 1, column=1)


def widths(ws, sizes) -> None:
    for col, size in enumerate(sizes, start=1):
        ws.column_dimensions[get_column_letter(col)].width = size


def save(book, path, formulas=()) -> None:
    """Save ``book``, every text a cell holds kept as text but the cells of ``formulas`` (the
    library's own): openpyxl takes a text beginning with "=" for a formula, and a region or
    activity named so by its file would run as one in Excel."""
    own = {id(cell) for cell in formulas}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and id(cell) not in own:
                    cell.data_type = "s"
    book.save(path)
