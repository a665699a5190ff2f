"""Spreadsheets in and out: the ABK template, a filled workbook read back, --format xlsx, and CSV
as Excel writes it (byte-order mark, ';', CRLF)."""

import csv
import importlib.util
import json

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import formasi_rules as fr
from conftest import AS_OF, ROOT
from formasi_rules.cli import main
from formasi_rules.sheets import OFFICERS_SHEET, WORKLOAD_SHEET, write_template
from formasi_rules.sheets._template import read_regions

SUMSEL = ROOT / "examples" / "sumsel"
WORKLOAD, OFFICERS, REGIONS = SUMSEL / "workload.csv", SUMSEL / "officers.csv", SUMSEL / "regions.txt"
POLICIES = str(ROOT / "policies")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def rows_of(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _example_filler():
    """examples/sumsel/workbook.py fills the template as a region would; the tests use it too."""
    spec = importlib.util.spec_from_file_location("sumsel_workbook", SUMSEL / "workbook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.fill


fill = _example_filler()


@pytest.fixture(scope="module")
def template(tmp_path_factory, policy):
    path = tmp_path_factory.mktemp("abk") / "abk.xlsx"
    made = write_template(policy, path, read_regions(REGIONS), as_of=AS_OF)
    assert made["regions"] == 17
    return path


@pytest.fixture(scope="module")
def filled(template, tmp_path_factory):
    return fill(template, tmp_path_factory.mktemp("filled") / "abk.xlsx")


def needs(result):
    return {(r.region, r.level): (r.workload_minutes, r.need_exact, r.need, r.existing) for r in result.rows}


def test_regions_file_names_the_17_regencies_and_cities():
    names = read_regions(REGIONS)
    assert len(names) == 17 and names[0] == "Kabupaten Ogan Komering Ulu" and "Kota Palembang" in names
    assert {n for n in names} == {r["region"] for r in rows_of(WORKLOAD)}


def test_regions_from_csv_and_errors(tmp_path):
    one = tmp_path / "r.csv"
    one.write_bytes(b"\xef\xbb\xbfregion\r\nKota A\r\n\r\nKota  B\r\n")
    assert read_regions(one) == ["Kota A", "Kota B"]
    two = tmp_path / "r2.csv"
    two.write_text("code;region\n1671;Kota Palembang\n")
    assert read_regions(two) == ["Kota Palembang"]
    twice = tmp_path / "r.txt"
    twice.write_text("# Sumsel\nKota A\nkota a\n")
    r = run("formation", "template", "--regions", twice, "-o", tmp_path / "x.xlsx", "--policies", POLICIES)
    assert r.exit_code == 2 and "r.txt:3" in r.stderr and "listed twice (first on line 2)" in r.stderr


def test_an_xls_file_is_asked_for_as_xlsx(tmp_path):
    path = tmp_path / "abk.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    r = run("formation", path, "--as-of", "2025-10-09", "--policies", POLICIES)
    assert r.exit_code == 2 and "save the workbook as .xlsx" in r.stderr


def test_template_lists_and_norms_come_from_the_policy(template, policy):
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == ["petunjuk", WORKLOAD_SHEET, OFFICERS_SHEET, "katalog", "daftar"]
    catalogue = policy.tables[policy.formation.activities_table]
    cat = book["katalog"]
    assert [c.value for c in cat[1]] == ["activity", "name", "unit", *policy.levels]
    assert [cat.cell(r, 1).value for r in range(2, len(catalogue.rows) + 2)] == [r.key for r in catalogue.rows]
    first = catalogue.rows[0]
    assert cat.cell(2, 4 + policy.levels.index("ahli_pertama")).value == int(first.values["ahli_pertama"])
    assert cat.protection.sheet and book["daftar"].protection.sheet
    assert not book[WORKLOAD_SHEET].protection.sheet
    lists = book["daftar"]
    assert [lists.cell(r, 1).value for r in range(2, len(policy.levels) + 2)] == list(policy.levels)
    periods = list(dict.fromkeys(row.key for row in policy.tables[policy.formation.periods_table].rows))
    assert [lists.cell(r, 3).value for r in range(2, len(periods) + 2)] == periods
    work = book[WORKLOAD_SHEET]
    assert [c.value for c in work[1]][:6] == ["region", "activity", "level", "volume", "period", "norm_minutes"]
    validations = {str(dv.sqref).split(":")[0]: dv for dv in work.data_validations.dataValidation}
    assert validations["A2"].formula1 == "daftar!$F$2:$F$18"  # the 17 regions
    assert validations["B2"].formula1 == f"katalog!$A$2:$A${len(catalogue.rows) + 1}"
    assert validations["C2"].formula1 == f"daftar!$A$2:$A${len(policy.levels) + 1}"
    assert validations["E2"].formula1 == f"daftar!$C$2:$C${len(periods) + 1}"
    # a row per region and each level the catalogue gives an activity at
    per_region = sum(1 for r in catalogue.rows for lv in policy.levels if r.values.get(lv) is not None)
    assert work.max_row - 1 == 17 * per_region
    assert book[OFFICERS_SHEET].max_row - 1 == 17 * len(policy.levels)
    assert "Cara mengisi" in [c.value for c in book["petunjuk"]["A"]]


def test_workbook_and_report_code_names_no_level_route_or_position():
    """What the sheets and the report offer or label comes from the policy, never from the code."""
    package = ROOT / "src" / "formasi_rules"
    files = [*(package / "sheets").glob("*.py"), *(package / "report").rglob("*.py"),
             *(package / "report" / "templates").glob("*.j2"), package / "formation" / "_summary.py"]
    assert len(files) > 10
    for path in files:
        source = path.read_text(encoding="utf-8")
        for word in ("ahli_", "Ahli ", "Pengantar", "registrasi_", "perpindahan", "III/"):
            assert word not in source, f"{path.name} names {word!r}"


def test_filled_workbook_gives_the_same_need_as_the_csv(filled, engine):
    from_csv = engine.formation(WORKLOAD, OFFICERS, as_of=AS_OF)
    from_book = engine.formation(filled, as_of=AS_OF)  # officers from the workbook's own sheet
    assert not from_book.problems and not from_csv.problems
    assert needs(from_book) == needs(from_csv)
    assert from_book.to_dict()["totals"]["all"] == from_csv.to_dict()["totals"]["all"]
    # the contributions say which cell they came from
    part = from_book.row("Kota Palembang", "ahli_pertama").contributions[0]
    assert part.where.startswith("abk.xlsx!beban_kerja:")


def test_the_shipped_example_workbook_gives_the_csv_need(engine):
    """examples/sumsel/abk.xlsx (python examples/sumsel/workbook.py) stays in step with the CSV files."""
    shipped = engine.formation(SUMSEL / "abk.xlsx", as_of=AS_OF)
    assert not shipped.problems
    assert needs(shipped) == needs(engine.formation(WORKLOAD, OFFICERS, as_of=AS_OF))


def test_existing_may_be_a_workbook_too(filled, engine):
    result = engine.formation(WORKLOAD, filled, as_of=AS_OF)
    assert needs(result) == needs(engine.formation(WORKLOAD, OFFICERS, as_of=AS_OF))


def test_bad_cells_name_sheet_row_and_column_and_the_rest_is_computed(filled, tmp_path, engine):
    book = openpyxl.load_workbook(filled)
    ws = book[WORKLOAD_SHEET]
    filled_rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, 4).value is not None]
    bad_volume, bad_level, bad_activity = filled_rows[:3]
    ws.cell(bad_volume, 4, "banyak")
    ws.cell(bad_level, 3, "ahli_pertma")
    ws.cell(bad_activity, 2, "penempatn")
    book[OFFICERS_SHEET].cell(2, 3, -1)
    stray = filled_rows[3]
    ws.cell(stray, 9, "lihat catatan")  # under no column name (G is keterangan, H and I have none)
    path = tmp_path / "abk.xlsx"
    book.save(path)
    result = engine.formation(path, as_of=AS_OF)
    places = {p.path: p for p in result.problems}
    assert set(places) == {f"abk.xlsx!beban_kerja:{bad_volume}:D", f"abk.xlsx!beban_kerja:{bad_level}:C",
                           f"abk.xlsx!beban_kerja:{bad_activity}:B", "abk.xlsx!pejabat:2:C",
                           f"abk.xlsx!beban_kerja:{stray}:I"}
    assert places[f"abk.xlsx!beban_kerja:{stray}:I"].code == "I013"
    assert "did you mean 'ahli_pertama'" in places[f"abk.xlsx!beban_kerja:{bad_level}:C"].hint
    assert places[f"abk.xlsx!beban_kerja:{bad_activity}:B"].code == "W002"
    assert "Kota Palembang" in {r.region for r in result.rows}
    assert len(result.rows) == len(engine.formation(WORKLOAD, OFFICERS, as_of=AS_OF).rows)


def test_a_renamed_column_of_the_workload_sheet_is_said_once_at_its_cell(filled, tmp_path, engine):
    """Not once per row (and a template row left empty is still an empty row, not a rejected one)."""
    book = openpyxl.load_workbook(filled)
    book[WORKLOAD_SHEET].cell(1, 1, "wilayah")
    path = tmp_path / "abk.xlsx"
    book.save(path)
    with pytest.raises(fr.InputError) as caught:
        engine.formation(path, as_of=AS_OF)
    problem, = caught.value.problems
    assert problem.code == "I018" and problem.path == "abk.xlsx!beban_kerja:1:A" and "'wilayah'" in problem.en


def test_cli_reads_a_workbook_and_reports_cells(filled, tmp_path):
    book = openpyxl.load_workbook(filled)
    book[WORKLOAD_SHEET].cell(7, 4, -3)
    bad = tmp_path / "abk.xlsx"
    book.save(bad)
    r = run("formation", bad, "--as-of", "2025-10-09", "--policies", POLICIES, "--format", "csv")
    assert r.exit_code == 1
    assert "abk.xlsx!beban_kerja:7:D: W001: volume must be a number of 0 or more, got -3" in r.stderr
    assert "Kota Palembang,ahli_pertama," in r.stdout


def test_cli_template_then_formation(tmp_path):
    out = tmp_path / "abk.xlsx"
    r = run("formation", "template", "--regions", REGIONS, "-o", out, "--as-of", "2025-10-09",
            "--policies", POLICIES)
    assert r.exit_code == 0, r.stderr
    assert "17 regions" in r.stderr and out.exists()
    filled = fill(out, tmp_path / "filled.xlsx")
    r = run("formation", filled, "--as-of", "2025-10-09", "--policies", POLICIES, "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["totals"]["all"]["existing"] == 28


def test_a_workbook_without_the_sheet_is_an_error_naming_the_sheets(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "satu"
    book.create_sheet("dua")
    path = tmp_path / "x.xlsx"
    book.save(path)
    r = run("formation", path, "--as-of", "2025-10-09", "--policies", POLICIES)
    assert r.exit_code == 2
    assert "no sheet 'beban_kerja' (it has: satu, dua)" in r.stderr


def test_a_sheet_header_naming_a_column_twice_is_refused_not_read_last_wins(tmp_path):
    """The CSV reader refused a column named twice; a workbook kept the last cell silently (a
    second volume column's 99999 replaced the first's 100)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = WORKLOAD_SHEET
    sheet.append(["region", "activity", "level", "volume", "period", "volume"])
    sheet.append(["Kota Palembang", "penempatan", "ahli_pertama", 100, "year", 99999])
    path = tmp_path / "twice.xlsx"
    book.save(path)
    r = run("formation", path, "--as-of", "2025-10-09", "--policies", POLICIES)
    assert r.exit_code == 2 and "I018" in r.stderr and "['volume'] more than once" in r.stderr
    assert "twice.xlsx!beban_kerja:1" in r.stderr


def test_a_csv_with_trailing_unnamed_columns_is_read(tmp_path):
    """Spreadsheets export trailing separators ("rank;;"): columns with no name and nothing in them
    are no error; a value under one is that row's."""
    path = tmp_path / "c.csv"
    path.write_text("id;employment_status;rank;;\nA1;PNS;III/a;;\nA2;PNS;III/b;;x\n", encoding="utf-8")
    (_, first), (_, second) = fr.inputs.read_records(path)
    assert first == {"id": "A1", "employment_status": "PNS", "rank": "III/a"}
    assert isinstance(second, fr.InputError) and second.problems[0].code == "I013"
    assert "column 5" in second.problems[0].en and second.record_id == "A2"


def test_a_csv_row_of_separators_only_is_a_blank_line(tmp_path):
    """Excel writes ';;;' for a formatted empty row: each was a record missing every field (I002 and
    W001 for workload rows), where the same empty row in the workbook is skipped."""
    path = tmp_path / "c.csv"
    path.write_text("id;employment_status;rank\r\nA1;PNS;III/a\r\n;;\r\n ; ;\r\nA2;PNS;III/b\r\n;;\r\n", encoding="utf-8")
    records = list(fr.inputs.read_records(path))
    assert [r["id"] for _, r in records] == ["A1", "A2"] and records[1][0] == "$[1] (line 5)"
    workload = tmp_path / "w.csv"
    workload.write_text("region;activity;level;volume\r\nKota A;registrasi_pencari_kerja;ahli_pertama;2400\r\n;;;\r\n",
                        encoding="utf-8")
    r = run("formation", workload, "--as-of", "2025-10-09", "--policies", POLICIES, "--format", "csv")
    assert r.exit_code == 0 and "W001" not in r.stderr, r.stderr


def _officers_sheet(path):
    """An officers' workbook at ``path`` (dotted columns, one officer at each of two levels), and
    workload rows of those levels."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = OFFICERS_SHEET
    ws.append(["id", "region", "position.type", "position.name", "position.level", "position.since"])
    ws.append(["o1", "Kota A", "jf", "Pengantar Kerja", "ahli_pertama", "2020-01-01"])
    ws.append(["o2", "Kota A", "jf", "Pengantar Kerja", "ahli_muda", "2020-01-01"])
    book.save(path)
    return [{"region": "Kota A", "activity": "local", "level": lv, "volume": 10, "norm_minutes": 1}
            for lv in ("ahli_pertama", "ahli_muda")]


def test_officer_records_in_a_sheet_with_dotted_columns_are_counted_as_in_csv(tmp_path, engine):
    """A 'pejabat' sheet of records with position.type, position.name, position.level columns: every row
    was I003 "unknown field 'position.level'", where the same CSV is counted."""
    rows = _officers_sheet(tmp_path / "pejabat.xlsx")
    result = engine.formation(rows, tmp_path / "pejabat.xlsx", as_of=AS_OF)
    assert not result.problems, result.problems
    assert [result.row("Kota A", lv).existing for lv in ("ahli_pertama", "ahli_muda")] == [1, 1]


def test_a_name_beginning_with_an_equals_sign_is_written_as_text_not_a_formula(tmp_path):
    """A region named '=1+1' (or '=HYPERLINK(...)') in a workload file was written into the result
    workbook as a formula, which Excel would run."""
    workload = tmp_path / "w.csv"
    workload.write_text("region,activity,level,volume,period,norm_minutes\n"
                        "=1+1,registrasi_pencari_kerja,ahli_pertama,9600,year,\n", encoding="utf-8")
    out = tmp_path / "hasil.xlsx"
    r = run("formation", workload, "--as-of", "2025-10-09", "--policies", POLICIES, "--format", "xlsx", "-o", out)
    assert r.exit_code == 0, r.stderr
    cells = [c for ws in openpyxl.load_workbook(out).worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)
    policy = fr.load_policy(ROOT / "policies" / "pengantar_kerja")
    write_template(policy, tmp_path / "t.xlsx", ["=1+1"], as_of=AS_OF)
    work = openpyxl.load_workbook(tmp_path / "t.xlsx")[WORKLOAD_SHEET]
    assert work["A2"].value == "=1+1" and work["A2"].data_type == "s"  # the region: text
    assert work["G2"].value.startswith("=IFERROR(") and work["G2"].data_type == "f"  # the template's own formula


@pytest.mark.parametrize("region", ["=1+2", "+1+2", "@SUM(A1)", "-2+3"])
def test_a_name_a_spreadsheet_would_run_is_kept_text_in_the_csv_output(tmp_path, region):
    """The CSV a clerk opens in Excel wrote '=1+2' as it was: Excel ran it. It is written '\'=1+2'; the
    numbers, a negative gap among them, stay numbers."""
    workload = tmp_path / "w.csv"
    workload.write_text("region,activity,level,volume,period,norm_minutes\n"
                        f"\"{region}\",registrasi_pencari_kerja,ahli_pertama,9600,year,\n", encoding="utf-8")
    counts = tmp_path / "o.csv"
    counts.write_text(f"region,level,count\n\"{region}\",ahli_pertama,5\n", encoding="utf-8")
    r = run("formation", workload, "--existing", counts, "--as-of", "2025-10-09", "--policies", POLICIES,
            "--format", "csv")
    assert r.exit_code == 0, r.stderr
    (line,) = r.stdout.splitlines()[1:]
    cells = next(csv.reader([line]))
    assert cells[0] == "'" + region and cells[1] == "ahli_pertama" and int(cells[6]) < 0


def test_not_a_workbook_is_an_error_not_a_crash(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_text("region,activity\n")
    r = run("formation", path, "--as-of", "2025-10-09", "--policies", POLICIES)
    assert r.exit_code == 2 and "I015" in r.stderr and "internal error" not in r.stderr


def test_xlsx_output_has_the_sheets_and_numbers(tmp_path):
    out = tmp_path / "hasil.xlsx"
    r = run("formation", WORKLOAD, "--existing", OFFICERS, "--as-of", "2025-10-09", "--policies", POLICIES,
            "--format", "xlsx", "-o", out)
    assert r.exit_code == 0, r.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:2] == ["ringkasan", "rincian"] and book.sheetnames[-2:] == ["parameter", "tidak_dihitung"]
    assert len(book.sheetnames) == 4 + 17
    assert "Kabupaten Penukal Abab Lematang" in book.sheetnames  # 31 characters at most
    summary = list(book["ringkasan"].iter_rows(min_row=7, values_only=True))
    assert summary[0][:4] == ("Kota Palembang", 7, 6, 1)  # the largest shortfall first
    total = summary[-1]
    assert total[0].startswith("Total provinsi") and total[-5:] == (47, 28, 19, 20, 1)
    detail = list(book["rincian"].iter_rows(values_only=True))
    assert len(detail) == 1 + 51
    params = {row[0]: row for row in book["parameter"].iter_rows(min_row=2, values_only=True) if row[0]}
    wke = params["waktu kerja efektif per tahun (menit) / effective minutes per year"]
    assert wke[1] == 75000 and "Menteri PANRB Nomor 1 Tahun 2020" in wke[3]


def test_xlsx_needs_an_output_file():
    r = run("formation", WORKLOAD, "--as-of", "2025-10-09", "--policies", POLICIES, "--format", "xlsx")
    assert r.exit_code == 2 and "give -o FILE" in r.stderr


# --- CSV as Excel writes it ---------------------------------------------------------------

def excel_csv(path, source, *, delimiter=",", bom=True, crlf=True):
    text = source.read_text(encoding="utf-8")
    lines = [";".join(line.split(",")) if delimiter == ";" else line for line in text.splitlines()]
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + (("\r\n" if crlf else "\n").join(lines) + "\r\n").encode())
    return path


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_bom_semicolon_and_crlf_read_as_plain_csv(tmp_path, engine, delimiter):
    workload = excel_csv(tmp_path / "w.csv", WORKLOAD, delimiter=delimiter)
    officers = excel_csv(tmp_path / "o.csv", OFFICERS, delimiter=delimiter)
    result = engine.formation(workload, officers, as_of=AS_OF)
    assert not result.problems
    assert needs(result) == needs(engine.formation(WORKLOAD, OFFICERS, as_of=AS_OF))


def test_candidates_csv_with_bom_and_semicolons(tmp_path):
    from formasi_rules import read_records

    plain = tmp_path / "c.csv"
    plain.write_text("id,employment_status,region,performance\n1985,PNS,Kota Palembang,2023:baik;2024:baik\n")
    excel = tmp_path / "e.csv"
    excel.write_bytes(b"\xef\xbb\xbfid;employment_status;region;performance\r\n"
                      b'1985;PNS;Kota Palembang;"2023:baik;2024:baik"\r\n')
    assert [r for _, r in read_records(excel)] == [r for _, r in read_records(plain)]
    assert [w for w, _ in read_records(excel)] == ["$[0] (line 2)"]


def test_explicit_delimiter(tmp_path):
    path = excel_csv(tmp_path / "w.csv", WORKLOAD, delimiter=";", bom=False)
    officers = excel_csv(tmp_path / "o.csv", OFFICERS, delimiter=";", bom=False)
    r = run("formation", path, "--delimiter", ";", "--existing", officers, "--as-of", "2025-10-09",
            "--policies", POLICIES, "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["totals"]["all"]["need"] == 47
    r = run("formation", path, "--delimiter", ",", "--as-of", "2025-10-09", "--policies", POLICIES)
    assert r.exit_code == 1 and "$[0].region" in r.stderr  # the whole header is one unknown field


@given(rows=st.lists(st.fixed_dictionaries({
    "region": st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12).map(str.strip)
                .filter(bool),
    "note": st.text(st.sampled_from(list("ab ,;\t\"'\n")), min_size=1, max_size=8).map(str.strip).filter(bool)}),
    min_size=1, max_size=5), delimiter=st.sampled_from([",", ";", "\t"]), bom=st.booleans(), crlf=st.booleans())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_csv_read_back_whatever_the_separator(tmp_path, rows, delimiter, bom, crlf):
    """Cells holding the separators, quotes and line breaks read back the same, with or without a
    byte-order mark, with ',', ';' or tab, CRLF or LF."""
    from formasi_rules import read_records

    path = tmp_path / "x.csv"
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        writer = csv.DictWriter(f, ["region", "note"], delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
        writer.writeheader()
        writer.writerows(rows)
    assert [record for _, record in read_records(path)] == rows


def test_a_regions_file_that_is_not_utf8_names_its_line(tmp_path):
    bad = tmp_path / "r.txt"
    bad.write_bytes("Kota A\n".encode() + "Kota Prabumulih \xe9\n".encode("latin-1"))
    from formasi_rules import InputError
    with pytest.raises(InputError) as info:
        read_regions(bad)
    (problem,) = info.value.problems
    assert problem.code == "I012" and problem.line == 2 and problem.file == str(bad)


def test_a_formula_saved_without_its_value_is_reported_not_read_as_empty(tmp_path, default_engine):
    """openpyxl (or a script) saves formulas without computing them: data_only reads None, and the
    row would drop out as if the volume were left empty."""
    book = openpyxl.load_workbook(SUMSEL / "abk.xlsx")
    book[WORKLOAD_SHEET]["D7"] = "=2*3"
    path = tmp_path / "abk.xlsx"
    book.save(path)
    result = default_engine.formation(path, None, as_of=AS_OF)
    (problem,) = result.problems
    assert problem.code == "I023" and problem.path.endswith(f"{WORKLOAD_SHEET}:7:D") and "=2*3" in problem.en
    untouched = default_engine.formation(SUMSEL / "abk.xlsx", None, as_of=AS_OF)
    assert not untouched.problems and len(untouched.rows) == len(result.rows)


def test_a_formula_that_computed_an_empty_text_is_an_empty_cell(tmp_path):
    """=IF(A2>5,"x","") saved by Excel keeps "" as its value: that is a value (the cell is empty),
    not a formula left uncomputed."""
    import zipfile

    from formasi_rules.sheets._read import read_sheet
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "S"
    sheet.append(["a", "b"])
    sheet.append([1, '=IF(A2>5,"x","")'])
    saved = tmp_path / "saved.xlsx"
    book.save(saved)
    computed = tmp_path / "computed.xlsx"  # as Excel writes it: the formula, its type and its value ""
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(computed, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start = text.index('<c r="B2"')
                end = text.index("</c>", start) + len("</c>")
                data = (text[:start] + '<c r="B2" t="str"><f>IF(A2&gt;5,"x","")</f><v></v></c>' + text[end:]).encode()
            out.writestr(item, data)
    assert [record for _, record in read_sheet(computed, "S")] == [{"a": 1}]
    ((_, error),) = read_sheet(saved, "S")  # saved by openpyxl: never computed
    assert error.problems[0].code == "I023"


def _with_dimension(path, ref):
    """The workbook at ``path`` with each sheet's <dimension ref=...> rewritten to ``ref``, as some
    export libraries write it (A1 whatever the sheet holds)."""
    import re
    import zipfile

    out = path.with_name(f"dim-{path.name}")
    rewritten = 0
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data, n = re.subn(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), data)
                rewritten += n
            zout.writestr(item, data)
    assert rewritten
    return out


def test_a_workbook_whose_dimension_is_wrong_is_read_whole(tmp_path, engine):
    """openpyxl reading read-only bounds the rows and columns by the size the sheet says it has:
    a workbook saying A1 was read as no row at all, without a word."""
    rows = _officers_sheet(tmp_path / "pejabat.xlsx")
    for ref in ("A1", "A1:B2"):
        result = engine.formation(rows, _with_dimension(tmp_path / "pejabat.xlsx", ref), as_of=AS_OF)
        assert not result.problems, result.problems
        assert [result.row("Kota A", lv).existing for lv in ("ahli_pertama", "ahli_muda")] == [1, 1]


def test_a_filled_workbook_whose_dimension_is_wrong_gives_the_same_need(filled, engine):
    whole = engine.formation(filled, filled, as_of=AS_OF)
    wrong = _with_dimension(filled, "A1")
    assert needs(engine.formation(wrong, wrong, as_of=AS_OF)) == needs(whole)


def test_a_control_character_in_a_name_is_written_as_a_space_not_a_crash(tmp_path):
    """Word's Shift+Enter (\\x0b) or a bell (\\x07) pasted into a region or activity: openpyxl refuses
    them in a cell, and --format xlsx and the template ended in 'internal error ... IllegalCharacterError'."""
    workload = tmp_path / "w.csv"
    workload.write_text("region,activity,level,volume,period,norm_minutes\n"
                        "Kota\x07Baru,lokal\x07satu,ahli_pertama,2400,year,20\n"
                        "Kota\x07Baru,registrasi_pencari_kerja,ahli_muda\x07,10,year,\n", encoding="utf-8")
    out = tmp_path / "hasil.xlsx"
    r = run("formation", workload, "--as-of", "2025-10-09", "--policies", POLICIES, "--format", "xlsx", "-o", out)
    assert r.exit_code == 1 and "internal error" not in r.stderr, r.stderr  # 1: the row of an unknown level
    book = openpyxl.load_workbook(out)
    assert "Kota Baru" in book.sheetnames
    assert next(book["rincian"].iter_rows(min_row=2, values_only=True))[0] == "Kota Baru"
    region = [v for row in book["Kota Baru"].iter_rows(values_only=True) for v in row]
    assert "lokal satu" in region
    problems = [v for row in book["tidak_dihitung"].iter_rows(values_only=True) for v in row if v]
    assert any("'ahli_muda\\x07'" in str(v) for v in problems)  # a message shows it as written
    regions = tmp_path / "r.txt"
    regions.write_text("Kota\x07Baru\nKab\x0bLahat\n", encoding="utf-8")
    template = tmp_path / "abk.xlsx"
    r = run("formation", "template", "--regions", regions, "-o", template, "--as-of", "2025-10-09",
            "--policies", POLICIES)
    assert r.exit_code == 0 and "internal error" not in r.stderr, r.stderr
    names = [row[0] for row in openpyxl.load_workbook(template)[OFFICERS_SHEET].iter_rows(min_row=2, values_only=True)]
    assert {"Kota Baru", "Kab Lahat"} <= set(names)


def test_a_sep_line_is_read_as_excel_means_it_in_workload_officers_and_regions(tmp_path, engine):
    """Excel writes (and reads) a first line 'sep=;' naming the separator: every workload and
    officer row was refused as having more cells than the header's columns."""
    marked = {}
    for source in (WORKLOAD, OFFICERS):
        marked[source] = tmp_path / source.name
        marked[source].write_text("sep=;\r\n" + source.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    got = engine.formation(marked[WORKLOAD], marked[OFFICERS], as_of=AS_OF)
    assert not got.problems, got.problems
    assert needs(got) == needs(engine.formation(WORKLOAD, OFFICERS, as_of=AS_OF))
    regions = tmp_path / "r.csv"
    regions.write_text("sep=;\ncode;region\n1671;Kota Palembang\n1672;kota palembang\n")
    with pytest.raises(fr.InputError) as caught:
        read_regions(regions)
    assert caught.value.problems[0].line == 4  # the line in the file, the sep line counted
    regions.write_text("sep=;\ncode;region\n1671;Kota Palembang\n")
    assert read_regions(regions) == ["Kota Palembang"]
