"""``formasi formation template``: the workbook a region fills in (lembar isian ABK).

Everything the sheets offer for choice (levels, activities, periods) is read from the policy
in force on the date, so a policy with other levels or another catalogue gets its own template.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidation

from .._errors import InputError, Problem
from ..formation._compute import Parameters
from ..inputs import region_key
from ..inputs import sep_directive
from ..policy import Policy
from ..policy._yaml import read_text
from ._layout import (
    CATALOGUE_SHEET, GUIDE_SHEET, LISTS_SHEET, NOTE_COLUMN, OFFICERS_COLUMNS, OFFICERS_SHEET,
    WORKLOAD_COLUMNS, WORKLOAD_SHEET, citation_text,
)
from ._style import BOLD, LOCKED_FILL, TITLE_FONT, WRAP, header, put, save, widths

SPARE_ROWS = 500  # rows below the pre-filled ones that still carry the lists

HEADER_NOTES = {  # shown as a comment on each header cell
    "region": "Nama kabupaten/kota, dari daftar. / Regency or city, from the list.",
    "activity": "Kode kegiatan dari lembar katalog. / Activity id from the catalogue sheet.",
    "level": "Jenjang jabatan. / Level.",
    "volume": "Jumlah hasil kerja dalam periode. Kosongkan bila kegiatan tidak dilakukan. / "
              "Units of output in the period; leave empty if the activity is not done.",
    "period": "Periode volume. / The volume's period.",
    "norm_minutes": "Opsional: norma waktu (menit per satuan) bila berbeda dari katalog, atau untuk "
                    "kegiatan lokal. / Optional: minutes per unit, overriding the catalogue.",
    NOTE_COLUMN: "Nama kegiatan dan satuannya, untuk dibaca saja (tidak dihitung). / The activity's "
                 "name and unit, for reading only.",
    "count": "Jumlah pejabat yang menduduki jabatan pada jenjang ini. / Officers in post at this level.",
}


def read_regions(path: str | os.PathLike) -> list[str]:
    """Region names from a text file (one a line; # starts a comment) or a CSV file with a
    ``region`` column. Raises InputError for a file without names or with a name twice."""
    path = Path(path)
    # lines end at a line end only: splitlines() also splits at \x0b (Word's Shift+Enter), \x0c, \x1c-\x1e,
    # \x85 and \u2028, and "Kab\x0bLahat" became two regions
    lines = re.split(r"\r\n|\r|\n", read_text(path, str(path), "I010", InputError, utf8_code="I012"))
    if path.suffix.lower() == ".csv":
        said = sep_directive(lines[0])  # Excel's "sep=;" line: the separator, not the header
        skipped = 1 if said is not None else 0
        lines = lines[skipped:]
        try:
            dialect = csv.Sniffer().sniff(lines[0], ",;\t") if lines and said is None else "excel"
        except csv.Error:  # one column: nothing to tell
            dialect = "excel"
        reader = csv.DictReader(lines, dialect=dialect, **({"delimiter": said} if said is not None else {}))
        if "region" not in (reader.fieldnames or ()):
            raise InputError([Problem("I017", "berkas CSV wilayah harus punya kolom 'region'",
                                      "a CSV file of regions needs a 'region' column", file=str(path),
                                      line=1 + skipped)])
        found = [(reader.line_num + skipped, (row["region"] or "").strip()) for row in reader]
    else:
        found = [(n, line.strip()) for n, line in enumerate(lines, 1)]
    names, seen, problems = [], {}, []
    for line, name in found:
        if not name or name.startswith("#"):
            continue
        name = " ".join(name.split())
        key = region_key(name)
        if key in seen:
            problems.append(Problem("I018", f"wilayah {name!r} tercantum dua kali (baris {seen[key]})",
                                    f"region {name!r} is listed twice (first on line {seen[key]})",
                                    file=str(path), line=line))
            continue
        seen[key] = line
        names.append(name)
    if not names and not problems:
        problems.append(Problem("I019", "berkas tidak memuat nama wilayah", "the file names no region",
                                file=str(path)))
    if problems:
        raise InputError(problems, f"{len(problems)} problem(s) in the list of regions")
    return names


def _list(ws, column: int, title: str, values) -> str:
    """Write a list under a title in ``ws`` and return its absolute range for data validation."""
    from openpyxl.utils import get_column_letter

    put(ws, 1, column, title).font = BOLD
    for i, value in enumerate(values, start=2):
        put(ws, i, column, value)
    letter = get_column_letter(column)
    return f"{ws.title}!${letter}$2:${letter}${len(values) + 1}"


def _choose(ws, source: str, cells: str, what: str) -> None:
    # OOXML keeps a formula without its "=": Excel writes <formula1>daftar!$A$2:$A$5</formula1>
    dv = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True,
                        errorTitle="Nilai tidak ada di daftar / Not in the list",
                        error=f"Pilih {what} dari daftar. / Choose a value from the list.")
    ws.add_data_validation(dv)
    dv.add(cells)


def _number_rule(ws, cells: str, *, whole: bool, minimum: float, above: bool = False) -> None:
    dv = DataValidation(type="whole" if whole else "decimal", operator="greaterThan" if above else
                        "greaterThanOrEqual", formula1=str(minimum), allow_blank=True, showErrorMessage=True,
                        errorTitle="Angka tidak sah / Not a valid number",
                        error=("Isi angka lebih dari " if above else "Isi angka ") + f"{minimum}"
                              + ("" if above else " atau lebih") + ". / Enter a number"
                              + (" above " if above else " of at least ") + f"{minimum}.")
    ws.add_data_validation(dv)
    dv.add(cells)


def write_template(policy: Policy, path: str | os.PathLike, regions: list[str], *, as_of: dt.date) -> dict:
    """Write the workbook; return what it holds (rows pre-filled, activities) for the caller to report."""
    params = Parameters(policy, as_of)
    levels = policy.levels
    catalogue = params.activities  # the rows in force on as_of, in the table's order
    periods = list(params.per_year)
    book = Workbook()
    guide = book.active
    guide.title = GUIDE_SHEET
    work = book.create_sheet(WORKLOAD_SHEET)
    officers = book.create_sheet(OFFICERS_SHEET)
    cat = book.create_sheet(CATALOGUE_SHEET)
    lists = book.create_sheet(LISTS_SHEET)

    # daftar: the lists data validation reads, and the parameters behind the numbers
    level_range = _list(lists, 1, "level", levels)
    period_range = _list(lists, 3, "period", periods)
    put(lists, 1, 4, "per_year").font = BOLD
    for i, period in enumerate(periods, start=2):
        put(lists, i, 4, int(params.per_year[period]))
    region_range = _list(lists, 6, "region", regions)
    shown = params.shown
    facts = [("waktu kerja efektif per tahun (menit) / effective minutes per year",
              shown["effective_minutes_per_year"]["value"], shown["effective_minutes_per_year"]["citation"]),
             ("pembulatan / rounding", shown["rounding"]["value"], shown["rounding"]["citation"]),
             ("tabel predikat EJ / efficiency bands", shown["ej_bands"]["value"], shown["ej_bands"]["citation"]),
             ("faktor periode / period factors", ", ".join(f"{k} {v}" for k, v in shown["periods"]["value"].items()),
              shown["periods"]["citation"])]
    put(lists, 1, 8, "parameter").font = BOLD
    put(lists, 1, 9, "nilai / value").font = BOLD
    put(lists, 1, 10, "dasar / citation").font = BOLD
    for i, (label, value, citation) in enumerate(facts, start=2):
        put(lists, i, 8, label)
        put(lists, i, 9, value)
        put(lists, i, 10, citation_text(citation))
    put(lists, len(facts) + 3, 8,
        f"Kebijakan / policy: {policy.name} {policy.version}, berlaku / in force {as_of.isoformat()}")
    widths(lists, (16, 2, 10, 10, 2, 38, 2, 52, 22, 70))

    # katalog: the activities and their norm minutes per level, protected
    cat_columns = ("activity", "name", "unit", *levels)
    header(cat, 1, cat_columns)
    for r, (key, row) in enumerate(catalogue.items(), start=2):
        values = [key, row.values.get("name"), row.values.get("unit"),
                  *(_plain(row.values.get(level)) for level in levels)]
        for c, value in enumerate(values, start=1):
            put(cat, r, c, value).fill = LOCKED_FILL
    last = len(catalogue) + 1
    table = policy.tables[policy.formation.activities_table]
    put(cat, last + 2, 1, "Norma waktu: menit per satuan hasil; kosong = kegiatan tidak "
             "dilakukan pada jenjang itu. / Norm minutes per unit of output; empty: not done at that level.")
    put(cat, last + 3, 1, f"Dasar / citation: {citation_text(shown['activities']['citation'])}")
    if table.note:
        put(cat, last + 4, 1, f"Catatan / note: {' '.join(table.note.split())}")
    widths(cat, (26, 48, 16, *(13,) * len(levels)))
    activity_range = f"{CATALOGUE_SHEET}!$A$2:$A${last}"

    # beban_kerja: one row per region, activity and level the catalogue gives; volume left empty
    columns = (*WORKLOAD_COLUMNS, NOTE_COLUMN)
    header(work, 1, columns)
    _notes(work, columns)
    r, formulas = 2, []  # the template's own formulas (every other text is kept as text)
    for region in regions:
        for key, row in catalogue.items():
            for level in levels:
                if row.values.get(level) is None:
                    continue
                for c, value in enumerate((region, key, level, None, periods[0], None), start=1):
                    put(work, r, c, value)
                formulas.append(put(work, r, len(columns), _lookup(r, last, len(levels))))
                r += 1
    filled = r - 2
    end = r - 1 + SPARE_ROWS
    _choose(work, region_range, f"A2:A{end}", "wilayah")
    _choose(work, activity_range, f"B2:B{end}", "kegiatan")
    _choose(work, level_range, f"C2:C{end}", "jenjang")
    _number_rule(work, f"D2:D{end}", whole=False, minimum=0)
    _choose(work, period_range, f"E2:E{end}", "periode")
    _number_rule(work, f"F2:F{end}", whole=False, minimum=0, above=True)
    widths(work, (38, 26, 15, 10, 9, 14, 60))
    work.auto_filter.ref = f"A1:{chr(64 + len(columns))}{r - 1}"

    # pejabat: one row per region and level; count left empty
    header(officers, 1, OFFICERS_COLUMNS)
    _notes(officers, OFFICERS_COLUMNS)
    r = 2
    for region in regions:
        for level in levels:
            put(officers, r, 1, region)
            put(officers, r, 2, level)
            r += 1
    end = r - 1 + SPARE_ROWS
    _choose(officers, region_range, f"A2:A{end}", "wilayah")
    _choose(officers, level_range, f"B2:B{end}", "jenjang")
    _number_rule(officers, f"C2:C{end}", whole=True, minimum=0)
    widths(officers, (38, 15, 10))

    _guide(guide, policy, as_of, regions, levels, periods)
    for ws in (cat, lists):
        ws.protection.sheet = True  # against slips, not a secret: no password
    save(book, path, formulas)
    return {"regions": len(regions), "activities": len(catalogue), "workload_rows": filled,
            "officer_rows": len(regions) * len(levels)}


def _plain(value):
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


def _lookup(row: int, last: int, levels: int) -> str:
    """The activity's name, unit and norm at the row's level, looked up in the catalogue sheet."""
    from openpyxl.utils import get_column_letter

    c = CATALOGUE_SHEET
    where = f"MATCH(B{row},{c}!$A$2:$A${last},0)"
    end = get_column_letter(3 + levels)
    name = f"INDEX({c}!$B$2:$B${last},{where})"
    unit = f"INDEX({c}!$C$2:$C${last},{where})"
    norm = f"INDEX({c}!$D$2:${end}${last},{where},MATCH(C{row},{c}!$D$1:${end}$1,0))"
    return (f'=IFERROR({name}&" (satuan: "&{unit}&IFERROR("; norma "&{norm}&" menit",)&")","")')


def _notes(ws, columns) -> None:
    for c, name in enumerate(columns, start=1):
        if name in HEADER_NOTES:
            ws.cell(row=1, column=c).comment = Comment(HEADER_NOTES[name], "formasi")


def _guide(ws, policy: Policy, as_of: dt.date, regions, levels, periods) -> None:
    lines = [
        ("Lembar isian analisis beban kerja (ABK)", TITLE_FONT),
        (f"{policy.title.id}", BOLD),
        (f"Kebijakan {policy.name} versi {policy.version}; katalog dan parameter yang berlaku pada "
         f"{as_of.isoformat()}. Wilayah: {len(regions)}.", None),
        ("", None),
        ("Cara mengisi", BOLD),
        (f"1. Lembar '{WORKLOAD_SHEET}': satu baris per wilayah, kegiatan dan jenjang. Baris untuk setiap "
         "kegiatan katalog sudah disiapkan; isi kolom volume (jumlah hasil kerja). Biarkan volume kosong "
         "bila kegiatan tidak dilakukan: baris itu dilewati.", None),
        (f"2. Kolom period: {', '.join(periods)} — periode volume (setahun, sebulan, ...). Volume bulanan "
         "dikalikan faktor di lembar 'daftar'.", None),
        (f"3. Kolom level: {', '.join(levels)}. Kolom activity: kode dari lembar '{CATALOGUE_SHEET}'. "
         "Pilih dari daftar pada sel (validasi data).", None),
        ("4. Kolom norm_minutes boleh dikosongkan: norma waktu diambil dari katalog. Isi hanya bila norma "
         "berbeda, atau untuk kegiatan lokal yang tidak ada di katalog.", None),
        (f"5. Baris boleh ditambah di bawah; jangan mengubah judul kolom di baris 1. Kolom {NOTE_COLUMN} "
         "hanya keterangan dan tidak dihitung.", None),
        (f"6. Lembar '{OFFICERS_SHEET}': jumlah pejabat yang sudah menduduki jabatan per wilayah dan "
         "jenjang (count). Isi 0 bila tidak ada; baris kosong dilewati.", None),
        (f"7. Lembar '{CATALOGUE_SHEET}' dan 'daftar' dikunci: isinya berasal dari kebijakan.", None),
        ("", None),
        ("Menghitung", BOLD),
        ("   formasi formation abk.xlsx --as-of TANGGAL --format html -o laporan.html", None),
        ("   formasi formation abk.xlsx --as-of TANGGAL --format xlsx -o hasil.xlsx", None),
        ("Baris yang salah dilaporkan dengan lembar, baris dan kolomnya (mis. abk.xlsx!beban_kerja:7:D); "
         "baris lain tetap dihitung.", None),
        ("", None),
        ("Kebutuhan = Σ(volume per tahun × norma waktu) / waktu kerja efektif per tahun, per wilayah dan "
         "jenjang. (Need = sum of volume per year × norm minutes / effective minutes per year.)", None),
        ("In English: fill in the volume column of 'beban_kerja' and the count column of 'pejabat'; see "
         "docs/spreadsheets.md.", None),
    ]
    for r, (text, font) in enumerate(lines, start=1):
        cell = put(ws, r, 1, text)
        cell.alignment = WRAP
        if font is not None:
            cell.font = font
    ws.column_dimensions["A"].width = 110
