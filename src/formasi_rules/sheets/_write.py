"""``formasi formation --format xlsx``: the result as a workbook.

Sheets: ``ringkasan`` (per region and level: need, existing, gap; the province's totals),
``rincian`` (every region and level with its computation, one row each, to filter), one sheet per
region (its levels and every workload row's contribution), ``parameter`` (the parameters and
their citations) and ``tidak_dihitung`` (rows not computed, and warnings).
"""

from __future__ import annotations

import os
import re

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..formation import FormationResult
from ..formation._summary import summarise
from ._layout import citation_text
from ._style import BOLD, SHORT_FILL, SURPLUS_FILL, TITLE_FONT, WRAP, header, put, save, text, widths

SUMMARY, DETAIL, PARAMS, PROBLEMS = "ringkasan", "rincian", "parameter", "tidak_dihitung"
INT, MINUTES, EXACT = "#,##0", "#,##0.##", "0.0000"


def _sheet_name(region: str, taken: set[str]) -> str:
    """Excel allows 31 characters and none of []:*?/\\ (nor a control character) in a sheet's name."""
    base = re.sub(r"[\[\]:*?/\\]", " ", text(region)).strip()[:31] or "wilayah"
    name, n = base, 2
    while name.casefold() in taken:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(name.casefold())
    return name


def _gap_fill(cell, gap: int) -> None:
    if gap > 0:
        cell.fill = SHORT_FILL
    elif gap < 0:
        cell.fill = SURPLUS_FILL


def write_result(result: FormationResult, path: str | os.PathLike, *, levels: tuple[str, ...] | None = None) -> None:
    summary = summarise(result, levels)
    book = Workbook()
    ws = book.active
    ws.title = SUMMARY
    ws["A1"] = "Kebutuhan formasi per wilayah / Officers needed per region"
    ws["A1"].font = TITLE_FONT
    ws["A2"] = (f"Per tanggal / as of {result.as_of.isoformat()} · kebijakan / policy {result.policy['name']} "
                f"{result.policy['version']} · {result.backend}")
    ws["A3"] = ("selisih = kebutuhan − ada: positif kekurangan (merah), negatif kelebihan (biru) / gap = need − "
                "existing: positive a shortfall (red), negative a surplus (blue)")
    top = 5
    put(ws, top, 1, "wilayah / region").font = BOLD
    col = 2
    for level in (*summary.levels, "total"):
        put(ws, top, col, level).font = BOLD
        ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + 2)
        col += 3
    labels = ["", *(("kebutuhan / need", "ada / existing", "selisih / gap") * (len(summary.levels) + 1)),
              "kekurangan / shortfall", "kelebihan / surplus"]
    header(ws, top + 1, labels, freeze=False)
    ws.freeze_panes = ws.cell(row=top + 2, column=2)
    r = top + 2
    for region in summary.regions:
        values = [region.region]
        for level in summary.levels:
            cell = region.cells.get(level)
            values += [cell.need, cell.existing, cell.gap] if cell else [None, None, None]
        values += [region.need, region.existing, region.need - region.existing, region.shortfall, region.surplus]
        _row(ws, r, values)
        if region.existing == 0:
            ws.cell(row=r, column=1).value = text(f"{region.region} (tanpa pejabat / no officer)")
        r += 1
    totals = ["Total provinsi / all regions"]
    for level in summary.levels:
        cell = summary.totals[level]
        totals += [cell.need, cell.existing, cell.gap]
    totals += [summary.need, summary.existing, summary.need - summary.existing, summary.shortfall, summary.surplus]
    _row(ws, r, totals)
    for c in range(1, len(totals) + 1):
        ws.cell(row=r, column=c).font = BOLD
    widths(ws, (44, *(11,) * (len(totals) - 1)))

    detail = book.create_sheet(DETAIL)
    columns = ("region", "level", "workload_minutes", "need_exact", "need", "existing", "gap", "ej", "band",
               "adjusted_by")
    header(detail, 1, columns)
    for r, row in enumerate(result.rows, start=2):
        d = row.to_dict()
        values = [*(d[c] for c in columns[:-1]), ", ".join(a.rule for a in row.adjustments) or None]
        for c, value in enumerate(values, start=1):
            cell = put(detail, r, c, value)
            cell.number_format = {3: MINUTES, 4: EXACT, 8: "0.00"}.get(c, "General")
        _gap_fill(detail.cell(row=r, column=7), row.gap)
    detail.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(result.rows) + 1}"
    widths(detail, (38, 14, 16, 11, 8, 9, 7, 8, 6, 28))

    taken = {s.casefold() for s in (SUMMARY, DETAIL, PARAMS, PROBLEMS)}
    for region in sorted(summary.regions, key=lambda s: s.region.casefold()):
        _region_sheet(book.create_sheet(_sheet_name(region.region, taken)), region)

    _parameters(book.create_sheet(PARAMS), result)
    _problems(book.create_sheet(PROBLEMS), result)
    save(book, path)


def _row(ws, r: int, values) -> None:
    for c, value in enumerate(values, start=1):
        cell = put(ws, r, c, value)
        if c > 1:
            cell.number_format = INT
    # every third numeric column is a gap; the last two are shortfall and surplus
    for c in range(4, len(values) - 1, 3):
        if isinstance(values[c - 1], int):
            _gap_fill(ws.cell(row=r, column=c), values[c - 1])
    shortfall, surplus = values[-2], values[-1]
    if shortfall:
        ws.cell(row=r, column=len(values) - 1).fill = SHORT_FILL
    if surplus:
        ws.cell(row=r, column=len(values)).fill = SURPLUS_FILL


def _region_sheet(ws, region) -> None:
    ws["A1"] = text(region.region)
    ws["A1"].font = TITLE_FONT
    header(ws, 3, ("level", "workload_minutes", "need_exact", "need", "existing", "gap", "ej", "band"), freeze=False)
    r = 4
    for row in region.rows:
        d = row.to_dict()
        for c, key in enumerate(("level", "workload_minutes", "need_exact", "need", "existing", "gap", "ej", "band"), 1):
            cell = put(ws, r, c, d[key])
            cell.number_format = {2: MINUTES, 3: EXACT, 7: "0.00"}.get(c, "General")
        _gap_fill(ws.cell(row=r, column=6), row.gap)
        for adj in row.adjustments:
            r += 1
            put(ws, r, 2, f"{adj.message['id']} / {adj.message['en']} [{adj.rule}]")
        r += 1
    r += 1
    put(ws, r, 1, "Rincian beban kerja / workload contributions").font = BOLD
    r += 1
    cols = ("level", "activity", "name", "volume", "period", "per_year", "norm_minutes", "norm_from", "minutes", "row")
    header(ws, r, cols, freeze=False)
    for row in region.rows:
        for part in row.contributions:
            r += 1
            d = part.to_dict()
            values = [row.level, *(d.get(c) for c in cols[1:])]
            for c, value in enumerate(values, start=1):
                cell = put(ws, r, c, value)
                if c in (4, 7, 9):
                    cell.number_format = MINUTES
    widths(ws, (14, 26, 44, 10, 8, 9, 13, 10, 12, 30))


def _parameters(ws, result: FormationResult) -> None:
    header(ws, 1, ("parameter", "nilai / value", "tabel / table", "dasar / citation", "catatan / note"))
    p = result.parameters
    rows = [
        ("waktu kerja efektif per tahun (menit) / effective minutes per year", p["effective_minutes_per_year"]),
        ("pembulatan / rounding", p["rounding"]),
        ("predikat EJ / efficiency bands", p["ej_bands"]),
        ("faktor periode / period factors", p["periods"]),
        ("katalog kegiatan / activity catalogue", p["activities"]),
    ]
    r = 2
    for label, item in rows:
        value = item.get("value")
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        cite = citation_text(item.get("citation"), "[keyakinan / confidence {}]")
        for c, v in enumerate((label, value, item.get("table"), cite,
                               " ".join((item.get("note") or "").split()) or None), start=1):
            put(ws, r, c, v).alignment = WRAP
        r += 1
    for band in p["ej_bands"].get("bands", []):
        put(ws, r, 1, f"  {band['band']} {band['name']}")
        put(ws, r, 2, (">" if not band["inclusive"] else "≥") + f" {band['lower']}")
        r += 1
    r += 1
    put(ws, r, 1, f"Kebijakan / policy: {result.policy['name']} {result.policy['version']} "
            f"({result.policy.get('digest', '')[:19]}), {result.backend}")
    widths(ws, (52, 24, 26, 60, 80))


def _problems(ws, result: FormationResult) -> None:
    header(ws, 1, ("tempat / place", "kode / code", "pesan / message", "message", "saran / hint"))
    r = 2
    for p in result.problems:
        for c, v in enumerate((p.where, p.code, p.id, p.en, p.hint), start=1):
            put(ws, r, c, v).alignment = WRAP
        r += 1
    if not result.problems:
        put(ws, r, 1, "Semua baris dihitung. / Every row was computed.")
        r += 1
    r += 1
    put(ws, r, 1, "Peringatan / warnings").font = BOLD
    for warning in result.warnings:
        r += 1
        put(ws, r, 1, warning)
    widths(ws, (34, 8, 60, 60, 36))
