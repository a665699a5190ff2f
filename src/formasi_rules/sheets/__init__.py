"""Spreadsheets in and out: a workbook to fill in (the template), reading it back, and the
formation result as a workbook. The layout is in ``_layout`` and docs/spreadsheets.md."""

from ._layout import OFFICERS_SHEET, WORKLOAD_SHEET, is_workbook
from ._read import SheetRow, read_sheet, sheet_names

__all__ = ["OFFICERS_SHEET", "WORKLOAD_SHEET", "SheetRow", "is_workbook", "read_sheet", "sheet_names",
           "write_result", "write_template"]


def write_template(policy, path, regions, *, as_of):
    """Write the workbook to fill in for ``regions``, with ``policy``'s catalogue in force on ``as_of``."""
    from .._dates import as_date
    from ._template import write_template as write

    return write(policy, path, regions, as_of=as_date(as_of))


def write_result(result, path, *, levels=None):
    """Write a FormationResult as a workbook: a summary, a sheet per region, the parameters."""
    from ._write import write_result as write

    return write(result, path, levels=levels)
