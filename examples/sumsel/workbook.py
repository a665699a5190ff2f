"""Writes abk.xlsx: the ABK template filled in with the numbers of workload.csv and officers.csv,
as a region would fill it (SYNTHETIC numbers, as in the CSV files).

Run from the repository root:  python examples/sumsel/workbook.py
Then:  formasi formation examples/sumsel/abk.xlsx --as-of 2025-10-09
"""

import csv
import datetime as dt
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent


def _rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def fill(template, target, workload=HERE / "workload.csv", officers=HERE / "officers.csv"):
    """Put each workload row's volume into the template's row for its region, activity and level
    (a new row at the bottom for what the template has no row for, such as a local activity with
    its own norm), and each count into the officers sheet."""
    book = openpyxl.load_workbook(template)
    ws = book["beban_kerja"]
    col = {cell.value: cell.column for cell in ws[1]}
    where = {tuple(ws.cell(r, col[k]).value for k in ("region", "activity", "level")): r
             for r in range(2, ws.max_row + 1)}
    bottom = ws.max_row + 1
    for row in _rows(workload):
        r = where.pop((row["region"], row["activity"], row["level"]), None)
        if r is None:
            r, bottom = bottom, bottom + 1
            for key in ("region", "activity", "level"):
                ws.cell(r, col[key], row[key])
        ws.cell(r, col["volume"], float(row["volume"]) if "." in row["volume"] else int(row["volume"]))
        ws.cell(r, col["period"], row["period"] or "year")
        if row["norm_minutes"]:
            ws.cell(r, col["norm_minutes"], int(row["norm_minutes"]))
    ws = book["pejabat"]
    where = {(ws.cell(r, 1).value, ws.cell(r, 2).value): r for r in range(2, ws.max_row + 1)}
    for row in _rows(officers):
        ws.cell(where[(row["region"], row["level"])], 3, int(row["count"]))
    book.save(target)
    return target


def main():
    import formasi_rules as fr
    from formasi_rules.sheets import write_template
    from formasi_rules.sheets._template import read_regions

    policy = fr.load_policy(HERE.parent.parent / "policies" / "pengantar_kerja")
    target = HERE / "abk.xlsx"
    write_template(policy, target, read_regions(HERE / "regions.txt"), as_of=dt.date(2025, 10, 9))
    fill(target, target)


if __name__ == "__main__":
    main()
