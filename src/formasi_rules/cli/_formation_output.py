"""Rendering a FormationResult: table, CSV; the HTML report (``report``), xlsx (``sheets``) and PDF."""

from __future__ import annotations

import csv
import io

from ..formation import FormationResult
from ..formation._result import num

FORMATS = ("json", "table", "csv", "html", "xlsx", "pdf")
BINARY = ("xlsx", "pdf")  # written to a file (-o), never to standard output
COLUMNS = ("region", "level", "workload_minutes", "need_exact", "need", "existing", "gap", "ej", "band")


def _cells(result: FormationResult):
    for row in result.rows:
        d = row.to_dict()
        yield [d[c] if d[c] is not None else "" for c in COLUMNS]


def table(result: FormationResult) -> str:
    out = [f"{'region':<38} {'level':<13} {'workload min':>13} {'need exact':>11} {'need':>5} "
           f"{'existing':>8} {'gap':>5} {'EJ':>9} band"]
    for region, level, minutes, exact, need, have, gap, ej, band in _cells(result):
        out.append(f"{region:<38} {level:<13} {minutes:>13} {exact:>11} {need:>5} {have:>8} {gap:>5} "
                   f"{ej!s:>9} {band}")
    total = result.to_dict()["totals"]["all"]
    out.append(f"{'total':<38} {'':<13} {total['workload_minutes']:>13} {total['need_exact']:>11} "
               f"{total['need']:>5} {total['existing']:>8} {total['gap']:>5}")
    for row in result.rows:
        for adj in row.adjustments:
            out.append(f"note: {row.region} {row.level}: {adj.message['en']} / {adj.message['id']} [{adj.rule}]")
    return "\n".join(out) + "\n"


_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a cell a spreadsheet runs as a formula when it begins so


def _as_text(cell):
    """A text cell (a region as its file named it) that a spreadsheet would run as a formula, with
    the apostrophe that keeps it text (OWASP's advice for CSV); numbers are written as they are."""
    return "'" + cell if isinstance(cell, str) and cell.startswith(_FORMULA) else cell


def to_csv(result: FormationResult) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    writer.writerows([_as_text(c) for c in cells] for cells in _cells(result))
    return buf.getvalue()


def to_html(result: FormationResult, policy=None, *, lang: str = "id") -> str:
    """The report for people: one HTML file, no external resource (see ``formasi_rules.report``)."""
    from ..report import render

    return render(result, policy, lang=lang)


def write_binary(fmt: str, result: FormationResult, policy, path: str, *, lang: str = "id") -> None:
    """``xlsx``: the result as a workbook; ``pdf``: the HTML report printed by headless Chromium."""
    if fmt == "xlsx":
        from ..sheets import write_result

        write_result(result, path, levels=policy.levels)
    else:
        from ..report import to_pdf

        to_pdf(to_html(result, policy, lang=lang), path)


__all__ = ["BINARY", "FORMATS", "num", "table", "to_csv", "to_html", "write_binary"]
