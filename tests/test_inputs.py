"""Candidate records and formation rows: every bad value is named with its path."""

import datetime as dt
import json
import pickle
import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import formasi_rules as fr
from conftest import AS_OF, ROOT
from formasi_rules.formation import Located
from formasi_rules.inputs import read_formation, read_records, structure_candidate


@pytest.fixture(scope="module", autouse=True)
def _policy(policy):
    global POLICY
    POLICY = policy


def problems_of(raw, path="$"):
    with pytest.raises(fr.InputError) as info:
        structure_candidate(raw, path, POLICY)
    return info.value.problems


def test_the_contract_example_message():
    (p,) = problems_of({"id": "x", "birth_date": "30/04/85"}, "$[3]")
    assert str(p).startswith('$[3].birth_date: I005: expected a date like 1985-04-30, got "30/04/85"')


def test_every_problem_in_a_record_is_reported_with_its_path():
    raw = {"id": "a", "educaton": "S1", "education": "S5", "credit_points": "12",
           "performance": [{"year": 2023, "rating": "bak"}, {"year": "x", "rating": "baik"}],
           "position": {"type": "jf", "level": "ahli_mda"}}
    problems = {p.path: p for p in problems_of(raw)}
    assert set(problems) == {"$.educaton", "$.education", "$.credit_points", "$.performance[0].rating",
                             "$.performance[1].year", "$.position.level"}
    assert "'education'" in problems["$.educaton"].hint
    assert "'baik'" in problems["$.performance[0].rating"].hint
    assert "'ahli_muda'" in problems["$.position.level"].hint
    assert problems["$.credit_points"].en == 'expected a number, got "12"'


@pytest.mark.parametrize("raw, path, code", [
    ([1, 2], "$", "I001"),
    ({"name": "no id"}, "$", "I002"),
    ({"id": "a", "position": "jf"}, "$.position", "I005"),
    ({"id": "a", "performance": {"2024": "baik"}}, "$.performance", "I005"),
    ({"id": "a", "performance": [{"year": 2024}]}, "$.performance[0].rating", "I004"),
    ({"id": "a", "experience_years": float("nan")}, "$.experience_years", "I005"),
    ({"id": "a", "experience_years": -1}, "$.experience_years", "I005"),
    ({"id": "a", "credit_points": True}, "$.credit_points", "I005"),
    ({"id": "a", "birth_date": "1985-02-30"}, "$.birth_date", "I005"),
    ({"id": "a", "performance": [{"year": 2024, "rating": "baik"}, {"year": 2024, "rating": "kurang"}]},
     "$.performance", "I007"),
])
def test_bad_values(raw, path, code):
    (p,) = problems_of(raw)
    assert (p.path, p.code) == (path, code)
    assert p.id and p.en


def test_good_record_and_null_means_absent():
    c = structure_candidate({"id": 198701012010011001, "education": "S1", "rank": None,
                             "credit_points": 12.5, "performance": [{"year": 2024, "rating": "baik"}]})
    assert c.id == "198701012010011001"
    assert c.rank is None and c.credit_points == Decimal("12.5")


def test_readers_stream_every_format_and_isolate_bad_lines(tmp_path):
    rec = {"id": "a", "education": "S1"}
    (tmp_path / "one.json").write_text(json.dumps(rec))
    (tmp_path / "many.json").write_text(json.dumps([rec, {"id": "b"}]))
    (tmp_path / "c.jsonl").write_text(json.dumps(rec) + "\n\n{broken\n" + json.dumps({"id": "c"}) + "\n")
    (tmp_path / "c.yaml").write_text("- id: a\n  education: S1\n- id: b\n")
    (tmp_path / "c.csv").write_text("id,education,position.level,performance,credit_points\n"
                                    "a,S1,ahli_muda,2023:baik;2024:sangat_baik,12.5\nb,,,2024-baik,\n")
    assert [w for w, _ in read_records(tmp_path / "one.json")] == ["$"]
    assert [r["id"] for _, r in read_records(tmp_path / "many.json")] == ["a", "b"]
    jsonl = list(read_records(tmp_path / "c.jsonl"))
    assert [w for w, _ in jsonl] == ["$[0] (line 1)", "$[1] (line 3)", "$[2] (line 4)"]
    assert isinstance(jsonl[1][1], fr.InputError) and jsonl[1][1].problems[0].line == 3
    assert [r["id"] for _, r in read_records(tmp_path / "c.yaml")] == ["a", "b"]
    csv_rows = list(read_records(tmp_path / "c.csv"))
    first = csv_rows[0][1]
    assert first == {"id": "a", "education": "S1", "position": {"level": "ahli_muda"},
                     "performance": [{"year": 2023, "rating": "baik"}, {"year": 2024, "rating": "sangat_baik"}],
                     "credit_points": 12.5}
    assert structure_candidate(first).position.level == "ahli_muda"
    with pytest.raises(fr.InputError) as info:  # the rating cell is said when the record is structured ...
        structure_candidate(csv_rows[1][1], "$[1]")
    (problem,) = info.value.problems
    assert (problem.code, problem.path) == ("I014", "$[1].performance") and "2024-baik" in problem.en
    error = next(fr.Engine(POLICY, backend="reference").evaluate_many([csv_rows[1]], as_of=AS_OF))
    assert isinstance(error, fr.RecordError) and error.candidate == "b" and error.problems[0].code == "I014"
    sent = pickle.loads(pickle.dumps(csv_rows[1][1]))  # (as records go to worker processes)
    assert sent == csv_rows[1][1] and sent["performance"].bad == "2024-baik"


def test_an_unreadable_rating_cell_is_said_with_the_records_other_problems(tmp_path):
    """A CSV row whose rating history cell could not be read was refused for that alone (I014), its
    other problems said only once that was fixed: a row is fixed in one pass when all are said."""
    path = tmp_path / "c.csv"
    path.write_text("id,birth_date,performance,rank\nb,1990-13-01,2024-baik;2023:baik,III/x\n", encoding="utf-8")
    ((where, raw),) = read_records(path)
    error = next(fr.Engine(POLICY, backend="reference").evaluate_many([(where, raw)], as_of=AS_OF))
    assert isinstance(error, fr.RecordError) and error.candidate == "b"
    assert sorted((p.code, p.path) for p in error.problems) == [
        ("I005", "$[0].birth_date"), ("I005", "$[0].rank"), ("I014", "$[0].performance")]
    # a text given for the history in JSON is not a cell: it is said as the list it should be
    with pytest.raises(fr.InputError) as info:
        structure_candidate({"id": "j", "performance": "2024-baik"})
    assert [p.code for p in info.value.problems] == ["I005"] and "a list" in info.value.problems[0].en


def test_json_array_records_are_placed_by_their_line(tmp_path):
    """A JSON file of one array written over several lines places each record by the line it
    begins on; written on one line, by its index alone. A flaw keeps its path without the line."""
    text = '[\n  {"id": "a", "note": "[not, an] item"},\n\n  {"id": "b",\n   "id": "b2"},\n  {"id": "c"}]\n'
    (tmp_path / "c.json").write_text(text)
    got = list(read_records(tmp_path / "c.json"))
    assert [w for w, _ in got] == ["$[0] (line 2)", "$[1] (line 4)", "$[2] (line 6)"]
    assert isinstance(got[1][1], fr.InputError) and got[1][1].problems[0].path == "$[1].id"
    (tmp_path / "one.json").write_text(json.dumps([{"id": "a"}, {"id": "b"}]))
    assert [w for w, _ in read_records(tmp_path / "one.json")] == ["$[0]", "$[1]"]


def test_yaml_records_are_placed_by_their_line(tmp_path):
    """Each record of a YAML list is named by its line, as JSON Lines and CSV records are, so a
    policy officer finds the one an error is about; a file of one record is ``$``."""
    (tmp_path / "c.yaml").write_text("# candidates\n- id: a\n  education: S1\n\n-   id: b\n    rank: X/z\n"
                                     "- {id: c}\n")
    assert [w for w, _ in read_records(tmp_path / "c.yaml")] == ["$[0] (line 2)", "$[1] (line 5)", "$[2] (line 7)"]
    (tmp_path / "one.yaml").write_text("id: a\neducation: S1\n")
    assert [w for w, _ in read_records(tmp_path / "one.yaml")] == ["$"]
    (tmp_path / "empty.yaml").write_text("[]\n")
    assert list(read_records(tmp_path / "empty.yaml")) == []
    policy = fr.load_policy(ROOT / "policies" / "pengantar_kerja")
    with fr.Engine(policy, backend="reference") as engine:
        out = list(engine.evaluate_many(read_records(tmp_path / "c.yaml"), as_of=AS_OF))
    assert isinstance(out[1], fr.RecordError) and out[1].where == "$[1] (line 5)"
    assert out[1].problems[0].path == "$[1].rank"


def test_unreadable_json_file(tmp_path):
    (tmp_path / "bad.json").write_text("[{\"id\": 1,]")
    with pytest.raises(fr.InputError) as info:
        list(read_records(tmp_path / "bad.json"))
    assert info.value.problems[0].line == 1


def test_formation_rows(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("region,level,open\nKota Palembang,ahli_pertama,2\nKota  palembang,ahli_muda,0\n")
    assert read_formation(path) == {"kota palembang": {"ahli_pertama": 2, "ahli_muda": 0}}
    path.write_text("region,level,open\nKota Palembang,ahli_prtama,2\nLahat,ahli_muda,-1\nLahat,ahli_muda,x\n"
                    "Muara Enim,ahli_muda,1\u00b2\n", encoding="utf-8")  # a footnote mark: int() crashed on it
    with pytest.raises(fr.InputError) as info:
        read_formation(path, POLICY.levels)
    codes = [p.code for p in info.value.problems]
    assert codes == ["F003", "F004", "F004", "F004"]
    assert "'ahli_pertama'" in info.value.problems[0].hint


def test_formation_levels_are_read_in_any_capitals_as_a_records_are(tmp_path):
    """A places row 'Kota Palembang;Ahli Pertama;2' failed the whole run (F003), though a candidate's
    record takes 'Ahli Pertama' as the level it names; a level twice in two spellings is F005."""
    path = tmp_path / "f.csv"
    path.write_text("region;level;open\nKota Palembang;Ahli Pertama;2\nKota Palembang;AHLI_MUDA;1\n")
    assert read_formation(path, POLICY.levels) == {"kota palembang": {"ahli_pertama": 2, "ahli_muda": 1}}
    path.write_text("region;level;open\nLahat;Ahli Pertama;2\nLahat;ahli_pertama;1\n")
    with pytest.raises(fr.InputError) as info:
        read_formation(path, POLICY.levels)
    assert [p.code for p in info.value.problems] == ["F005"]


def test_formation_rows_say_which_field_is_missing_or_not_a_place(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("region,level,open\nKota A,ahli_pertama,\n,ahli_muda,2\nKota B,ahli_muda,1\n")
    with pytest.raises(fr.InputError) as info:
        read_formation(path, POLICY.levels)
    assert [(p.code, p.en.split("; ")[1]) for p in info.value.problems] == [
        ("F001", "open missing (an empty cell is missing)"), ("F001", "region missing (an empty cell is missing)")]
    with pytest.raises(fr.InputError) as info:
        fr.inputs.formation_from_mapping({"Kota A": 2}, POLICY.levels)  # the level left out
    assert [(p.code, p.path) for p in info.value.problems] == [("F006", "$['Kota A']")]


@pytest.mark.parametrize("cell", ["1_5", "١٢", "1_000.5", "nan"])
def test_a_csv_number_python_would_read_but_no_export_means_is_refused(tmp_path, cell):
    """int() and float() take '1_5' as 15 and Arabic-Indic digits as 12: a silent wrong number."""
    path = tmp_path / "c.csv"
    path.write_text(f"id,credit_points\nA,{cell}\nB,12.5\n", encoding="utf-8")
    (_, first), (_, second) = list(read_records(path))
    with pytest.raises(fr.InputError) as info:
        structure_candidate(first)
    assert info.value.problems[0].path == "$.credit_points" and cell in info.value.problems[0].en
    assert structure_candidate(second).credit_points == Decimal("12.5")


def test_a_csv_number_in_dotted_thousands_is_refused_and_three_decimals_are_read(tmp_path):
    """"2.500.000" is how an Indonesian spreadsheet writes two and a half million: it was refused as
    "expected a number" with no word of why; now the hint gives the number meant. One dot with three
    decimals is a number (a PAK states credit points so: 9.375), as it always was."""
    path = tmp_path / "c.csv"
    path.write_text("id,credit_points,experience_years\nA,2.500.000,2\nB,9.375,1.25\nC,1.250,+1.5\n",
                    encoding="utf-8")
    (_, first), (_, second), (_, third) = list(read_records(path))
    with pytest.raises(fr.InputError) as info:
        structure_candidate(first)
    (problem,) = info.value.problems
    assert (problem.code, problem.path) == ("I005", "$.credit_points")
    assert problem.hint.startswith("write 2500000 if a thousands separator is meant / tulis 2500000")
    read = structure_candidate(second)
    assert (read.credit_points, read.experience_years) == (Decimal("9.375"), Decimal("1.25"))
    assert structure_candidate(third).credit_points == Decimal("1.25")


@pytest.mark.parametrize("field, given, hint", [
    ("birth_date", "01/02/1980", "write it as year-month-day: 1980-02-01 if that is the day meant"),
    ("birth_date", "1980/02/01", "write it as year-month-day: 1980-02-01"),
    ("birth_date", "1980-2-1", "write it as year-month-day: 1980-02-01"),  # (a spreadsheet's text date)
    ("birth_date", "1980-10-9", "write it as year-month-day: 1980-10-09"),
    ("birth_date", "31/02/1980", "write it as year-month-day (YYYY-MM-DD)"),
    ("birth_date", "9 Oktober 2025", "write it as year-month-day (YYYY-MM-DD): 2025-10-09"),
    ("birth_date", "09-Okt-2025", "write it as year-month-day (YYYY-MM-DD): 2025-10-09"),
    ("birth_date", "9 Agustus 1980", "write it as year-month-day (YYYY-MM-DD): 1980-08-09"),
    ("birth_date", "1 Januari 1990", "write it as year-month-day (YYYY-MM-DD): 1990-01-01"),
    ("birth_date", "9 October 2025", "write it as year-month-day (YYYY-MM-DD): 2025-10-09"),
    ("birth_date", "30 April 1985", "write it as year-month-day (YYYY-MM-DD): 1985-04-30"),
    ("birth_date", " 17 agt. 1945 ", "write it as year-month-day (YYYY-MM-DD): 1945-08-17"),
    ("birth_date", "1 Nop 1990", "write it as year-month-day (YYYY-MM-DD): 1990-11-01"),
    ("rank_since", "12 DES 2020", "write it as year-month-day (YYYY-MM-DD): 2020-12-12"),
    ("birth_date", "31 Februari 1990", "write it as year-month-day (YYYY-MM-DD) / "),  # no such day: no date shown
    ("birth_date", "1980-01-02 00:00:00", "give the date alone: 1980-01-02 if that is the day meant"),
    ("birth_date", "1980-01-02T00:00:00Z", "give the date alone: 1980-01-02"),  # (a database's or an API's)
    ("rank_since", "2019-04-01T07:00:00.000+07:00", "give the date alone: 2019-04-01"),
    ("birth_date", "19800102", "write it as year-month-day: 1980-01-02 if that is the day meant"),
    ("birth_date", 29221, "a spreadsheet's day number? it would be 1980-01-01"),
    ("birth_date", "29221", "a spreadsheet's day number? it would be 1980-01-01"),
    ("credit_points", "12,5", "write the decimals after a point: 12.5"),
    ("credit_points", "1,250", "write 1250 if a thousands separator is meant, 1.25 if decimals"),  # no guess
    ("experience_years", "2,500", "write 2500 if a thousands separator is meant, 2.5 if decimals"),
    ("credit_points", "1.250.000", "write 1250000 if a thousands separator is meant / tulis"),  # only thousands
])
def test_a_spreadsheets_way_of_writing_is_refused_with_how_to_write_it(field, given, hint):
    """A date written day first or as a spreadsheet's day number, a decimal comma: each is the
    record's error (never read as a guess), with the value it would be, for the user to check. So is
    a date with its month's name, in Indonesian or English, in full or shortened (9 Oktober 2025,
    09-Okt-2025), which got no word on how to write it; and one with its time (a date-time column
    exported as text: 1980-01-02 00:00:00) or without its dashes (19800102), which got none either."""
    with pytest.raises(fr.InputError) as info:
        structure_candidate({"id": "a", field: given})
    (problem,) = info.value.problems
    assert problem.code == "I005" and problem.path == f"$.{field}"
    assert problem.hint.startswith(hint) and " / " in problem.hint  # in both languages


@pytest.mark.parametrize("field, given", [("birth_date", "30 Apriil 1985"), ("birth_date", 12),
                                          ("credit_points", "dua belas"), ("credit_points", "1,234,5")])
def test_other_bad_values_get_no_guess(field, given):
    with pytest.raises(fr.InputError) as info:
        structure_candidate({"id": "a", field: given})
    assert info.value.problems[0].hint is None


@pytest.mark.parametrize("given, english, indonesian", [
    ("1990-02-30", "1990-02 has 28 days: there is no day 30", "bulan 1990-02 hanya 28 hari: tidak ada tanggal 30"),
    ("2020-02-30", "2020-02 has 29 days", "bulan 2020-02 hanya 29 hari"),
    ("2019-04-31", "2019-04 has 30 days: there is no day 31", "tidak ada tanggal 31"),
    ("2019-02-29", "2019 is no leap year: its February has 28 days", "2019 bukan tahun kabisat"),
    ("1990-13-01", "there is no month 13: month and day swapped? 1990-01-13", "bulan dan tanggal tertukar? 1990-01-13"),
    ("1990-13-14", "there is no month 13", "tidak ada bulan 13"),
    ("1990-10-00", "a month or day 00 is how a date not known is written", "kosongkan field-nya"),
])
def test_a_date_written_right_that_is_no_day_says_why(given, english, indonesian):
    """'expected a date like 1985-04-30, got "2019-04-31"' left staff looking for what was wrong
    with the form: the hint says the day does not exist, and why."""
    with pytest.raises(fr.InputError) as info:
        structure_candidate({"id": "a", "birth_date": given})
    (problem,) = info.value.problems
    en, _, id_ = problem.hint.rpartition(" / ")
    assert problem.code == "I005" and en.startswith(english) and indonesian in id_, problem.hint
    if given == "1990-13-14":
        assert "swapped" not in en  # no 14th month either: no date to offer


@pytest.mark.parametrize("given", ["A1 ", " A1", "\tA1\n"])
def test_an_id_with_spaces_around_it_is_that_id_in_every_format(given, tmp_path):
    """A CSV cell is trimmed; so is a JSON, JSON Lines or YAML id, or "A1 " would get past the
    duplicate check and give one person two places."""
    policy = fr.load_policy(ROOT / "policies" / "pengantar_kerja")
    assert structure_candidate({"id": given}, "$", policy).id == "A1"  # a dict: the detailed way
    line, = read_records(_write(tmp_path / "one.jsonl", json.dumps({"id": given}) + "\n"), parse=False)
    assert fr.inputs.read_line(line[1].text, policy).id == "A1"  # a JSON line: the one-pass lane
    engine = fr.Engine(policy, backend="reference")
    records = [{"id": "A1"}, {"id": given}]
    second = list(engine.evaluate_many(records, as_of=AS_OF))[1]
    assert isinstance(second, fr.RecordError) and second.problems[0].code == "I031"


@pytest.mark.parametrize("given, read", [("19900101 201503 1 001", "199001012015031001"),
                                         (" 1990 0101  2015 03 1001 ", "199001012015031001"),
                                         ("A 1", "A 1"), ("1990-0101", "1990-0101")])
def test_a_nip_written_in_groups_is_its_digits_in_every_format(given, read, tmp_path):
    """A NIP as it is printed, in groups of digits (19900101 201503 1 001), was an id of its own: the
    same person written 199001012015031001 in another row got past the duplicate check (I031) and
    could be given two places; an officer, counted twice. Another id keeps its spaces."""
    policy = fr.load_policy(ROOT / "policies" / "pengantar_kerja")
    assert structure_candidate({"id": given}, "$", policy).id == read
    line, = read_records(_write(tmp_path / "one.jsonl", json.dumps({"id": given}) + "\n"), parse=False)
    assert fr.inputs.read_line(line[1].text, policy).id == read
    if read != given.strip():
        engine = fr.Engine(policy, backend="reference")
        second = list(engine.evaluate_many([{"id": read}, {"id": given}], as_of=AS_OF))[1]
        assert isinstance(second, fr.RecordError) and second.problems[0].code == "I031"


@pytest.mark.parametrize("given", ["１９９００１０１２０１５０３１００１", "19900101\u00a0201503\u00a01\u00a0001",
                                   "１９９００１０１\u3000２０１５０３ １ ００１"])
def test_an_id_in_full_width_digits_or_with_other_spaces_is_the_id_its_characters_show(given):
    """An East Asian input method types full-width digits; a copied cell brings non-breaking
    spaces: the same NIP, which got past the duplicate check (one person, three places)."""
    policy = fr.load_policy(ROOT / "policies" / "pengantar_kerja")
    assert structure_candidate({"id": given}, "$", policy).id == "199001012015031001"
    engine = fr.Engine(policy, backend="reference")
    second = list(engine.evaluate_many([{"id": "199001012015031001"}, {"id": given}], as_of=AS_OF))[1]
    assert isinstance(second, fr.RecordError) and second.problems[0].code == "I031"


@pytest.mark.parametrize("given", ["K1\nSUMSEL-77 eligible", "A\x1b[31m", "A\tB", "A\u2028B", "A\x85B", "A\x00B"])
def test_an_id_holding_a_line_break_or_a_control_character_is_refused(given, tmp_path):
    """No id holds one; in a table it would print a line of its own (a forged result)."""
    policy = fr.load_policy(ROOT / "policies" / "pengantar_kerja")
    record = json.loads((ROOT / "examples" / "sumsel" / "candidates.json").read_text())[0]
    engine = fr.Engine(policy, backend="reference")
    source = _write(tmp_path / "c.jsonl", json.dumps({**record, "id": given}) + "\n")
    for got in (list(engine.evaluate_many([{**record, "id": given}], as_of=AS_OF))[0],  # the detailed way
                *(e for b in engine.evaluate_blocks(read_records(source, parse=False), as_of=AS_OF)
                  for _, e in b.errors)):  # a JSON line: the one-pass lane
        assert isinstance(got, fr.RecordError)
        assert [(p.code, p.path) for p in got.problems] == [("I005", "$[0].id")] and "line break" in got.problems[0].en


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_record_refused_for_its_own_problems_holds_its_id(jobs):
    """The first record with an id is the one that counts, evaluated or not: a later one with the id is
    not evaluated in its stead (which counted would change once the first was corrected)."""
    policy = fr.load_policy(ROOT / "policies" / "pengantar_kerja")
    record = json.loads((ROOT / "examples" / "sumsel" / "candidates.json").read_text())[0]
    bad, good = {**record, "birth_date": "1980-02-30", "id": f" {record['id']} "}, {**record, "education": "S2"}
    with fr.Engine(policy, backend="reference") as engine:
        many = list(engine.evaluate_many([bad, good], as_of=AS_OF))
        blocks = [e for b in engine.evaluate_blocks([bad, good, good], as_of=AS_OF, jobs=jobs) for e in b.errors]
        later_bad = list(engine.evaluate_many([good, bad], as_of=AS_OF))
    assert [[p.code for p in r.problems] for r in many] == [["I005"], ["I031"]]
    assert "$[0]" in many[1].problems[0].en
    assert [(i, [p.code for p in e.problems]) for i, e in blocks] == [(0, ["I005"]), (1, ["I031"]), (2, ["I031"])]
    # a later record refused for problems of its own is said with those
    assert isinstance(later_bad[0], fr.Result) and [p.code for p in later_bad[1].problems] == ["I005"]


@pytest.mark.parametrize("post, refused", [
    ({"type": "jf", "name": "Pengantar Kerja Ahli Muda", "level": "ahli_pertama"}, True),
    ({"name": "PENGANTAR KERJA AHLI MADYA", "level": "ahli_pertama"}, True),  # (no type: the position's, by name)
    ({"type": "jf", "name": "Pengantar Kerja Ahli Pertama", "level": "ahli_pertama"}, False),
    ({"type": "jf", "name": "Pengantar Kerja", "level": "ahli_muda"}, False),  # the name names no level
    ({"type": "ja", "name": "Pengantar Kerja Ahli Muda", "level": "ahli_pertama"}, False),  # another type of post
    ({"type": "jf", "name": "Analis Kebijakan Ahli Muda", "level": "ahli_pertama"}, False),  # another position
])
def test_a_post_whose_name_names_another_level_than_it_gives_is_refused(post, refused, tmp_path):
    """Read at the level given, without a word, the record was decided at a level it may not hold."""
    policy = fr.load_policy(ROOT / "policies" / "pengantar_kerja")
    record = json.loads((ROOT / "examples" / "sumsel" / "candidates.json").read_text())[0]
    engine = fr.Engine(policy, backend="reference")
    now = {**record, "position": {**post, "since": "2020-01-01"}}
    history = {**record, "positions": [{**post, "since": "2020-01-01"}]}
    source = _write(tmp_path / "c.jsonl", json.dumps(now) + "\n")
    got = [list(engine.evaluate_many([now], as_of=AS_OF))[0],  # the detailed way
           next(iter(engine.evaluate_blocks(read_records(source, parse=False), as_of=AS_OF))),  # the lane
           list(engine.evaluate_many([history], as_of=AS_OF))[0]]
    if not refused:
        assert isinstance(got[0], fr.Result) and not got[1].errors
        return
    assert [(p.code, p.path) for p in got[0].problems] == [("I033", "$[0].position.level")]
    assert "which is it?" in got[0].problems[0].en and post["name"] in got[0].problems[0].en
    assert [(p.code, p.path) for _, e in got[1].errors for p in e.problems] == [("I033", "$[0].position.level")]
    assert ("I033", "$[0].positions[0].level") in [(p.code, p.path) for p in got[2].problems]


def test_a_byte_order_mark_past_the_first_line_of_json_lines_is_not_part_of_the_record(tmp_path):
    """Two files joined (cat a.jsonl b.jsonl), each saved with Excel's or Notepad's mark: the second
    file's first record was "invalid JSON: Expecting value" at column 1, with nothing to see."""
    bom = "\ufeff"
    path = _write(tmp_path / "c.jsonl", f'{bom}{{"id": "a"}}\n{bom}{{"id": "b"}}\n')
    assert [r for _, r in read_records(path)] == [{"id": "a"}, {"id": "b"}]


def test_an_id_of_spaces_is_missing():
    with pytest.raises(fr.InputError) as caught:
        structure_candidate({"id": "   "}, "$")
    assert caught.value.problems[0].code == "I002"


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_data_reads_numbers_and_dates_as_json_would(tmp_path):
    """YAML's other ways of writing an integer (0123, 0x1F, 1_000, +5) and a date with a time are
    kept as written: an id keeps its zeros, a number field or a date field says what is wrong."""
    path = _write(tmp_path / "c.yaml", "- {id: 0123}\n- {id: 0x1F}\n- {id: Y3, experience_years: 1_0}\n"
                  "- {id: Y4, birth_date: 1980-05-01 10:00:00}\n- {id: 5, experience_years: 12}\n"
                  "- {id: Y6, birth_date: 1980-05-01}\n")
    policy = fr.load_policy(ROOT / "policies" / "pengantar_kerja")
    got = {}
    for where, record in read_records(path):
        try:
            got[where] = structure_candidate(record, where.split()[0], policy)
        except fr.InputError as exc:
            got[where] = exc.problems[0]
    first, second, third, fourth, fifth, sixth = got.values()
    assert (first.id, second.id, fifth.id, fifth.experience_years) == ("0123", "0x1F", "5", Decimal(12))
    assert third.code == "I005" and '"1_0"' in third.en and third.path == "$[2].experience_years"
    assert fourth.code == "I005" and fourth.path == "$[3].birth_date" and "1980-05-01 10:00:00" in fourth.en
    assert str(sixth.birth_date) == "1980-05-01"


@pytest.mark.parametrize("record, found", [
    ({"birth_date": "1900-01-01"}, [("I024", "$.birth_date")]),  # SIMPEG's empty date: an age of 125
    ({"birth_date": "1985-01-01", "rank_since": "1899-12-30"}, [("I024", "$.rank_since")]),  # Excel's day 0
    ({"birth_date": "1985-01-01", "rank_since": "1970-01-01"}, [("I025", "$.rank_since")]),
    ({"birth_date": "1985-01-01", "ranks": [{"rank": "III/a", "since": "2010-01-01"},
                                            {"rank": "III/b", "since": "1984-12-31"}]}, [("I025", "$.ranks[1].since")]),
    ({"birth_date": "1985-01-01", "competency_test": {"status": "passed", "date": "1980-05-05"}},
     [("I025", "$.competency_test.date")]),
    ({"birth_date": "1985-01-01", "position": {"type": "jf", "since": "1900-01-01"}}, [("I024", "$.position.since")]),
])
def test_a_date_no_record_can_hold_is_refused_not_read_as_a_fact(record, found, tmp_path):
    """An empty date as spreadsheets and personnel systems export it (1900-01-01 or before), and a
    date before the birth date, are the record's errors: read, they decided (an age of 125 is not
    eligible) without a word. Both readings of a JSON line say so."""
    policy = fr.load_policy(ROOT / "policies" / "pengantar_kerja")
    with pytest.raises(fr.InputError) as caught:
        structure_candidate({"id": "d", **record}, "$", policy)
    assert [(p.code, p.path) for p in caught.value.problems] == found
    assert fr.inputs.read_line(json.dumps({"id": "d", **record}), policy) is None
    born = {"id": "d", "birth_date": "1985-01-01", "rank_since": "2010-01-01", "competency_test": {"date": "2020-01-01"}}
    assert structure_candidate(born, "$", policy).rank_since == dt.date(2010, 1, 1)


_DAYS = st.one_of(st.none(), st.dates(dt.date(1899, 12, 25), dt.date(1900, 1, 5)),  # (a rank's date is never None)
                  st.dates(dt.date(1979, 12, 25), dt.date(1980, 1, 5)), st.dates(dt.date(1900, 1, 1), dt.date(2030, 1, 1)))


@settings(max_examples=400)
@given(born=_DAYS, since=_DAYS, post=st.one_of(st.none(), st.tuples(_DAYS, _DAYS)), test=st.one_of(st.none(), _DAYS),
       positions=st.one_of(st.none(), st.lists(_DAYS, max_size=3)), ranks=st.one_of(st.none(), st.lists(_DAYS.filter(bool), max_size=3)))
def test_the_look_at_a_records_dates_misses_no_date_the_check_would_word(born, since, post, test, positions, ranks):
    """Every record is looked at before its dates are checked one by one (``_dates_look_wrong``, each
    date compared once with a floor): it says so exactly where the check finds a date of the
    spreadsheets' empty day or before, or before the birth date."""
    from formasi_rules.inputs._candidate import (
        Candidate, CompetencyTest, Position, RankHeld, _dates, _dates_look_wrong, _impossible_dates,
    )
    c = Candidate("d", birth_date=born, rank_since=since,
                  position=None if post is None else Position("jf", None, None, post[0], post[1]),
                  competency_test=None if test is None else CompetencyTest("passed", None, test),
                  positions=None if positions is None else tuple(Position("jf", None, None, d) for d in positions),
                  ranks=None if ranks is None else tuple(RankHeld("III/a", d) for d in ranks))
    assert _dates_look_wrong(c) == bool(_impossible_dates(_dates(c), born, "$"))


@pytest.mark.parametrize("ident, hint", [("1.98501E+17", "format the id column as text"),
                                          ("1.98501e17", "format the id column as text"),
                                          ("'198501012010011001", "198501012010011001")])
def test_an_id_a_spreadsheet_changed_is_refused(ident, hint, tmp_path):
    """A NIP shortened to scientific notation has lost its digits (two officers would share it);
    the apostrophe is the spreadsheet's, not the id's. CSV and JSON alike; other ids are taken."""
    policy = fr.load_policy(ROOT / "policies" / "pengantar_kerja")
    (path := tmp_path / "ids.csv").write_text(f"id,employment_status\n{ident},PNS\n2019E001,PNS\n", encoding="utf-8")
    (_, record), (_, fine) = read_records(path)
    with pytest.raises(fr.InputError) as caught:
        structure_candidate(record, "$", policy)
    (problem,) = caught.value.problems
    assert (problem.code, problem.path) == ("I026", "$.id") and hint in problem.hint
    assert fr.inputs.read_line(json.dumps(record), policy) is None
    assert structure_candidate(fine, "$", policy).id == "2019E001"  # a code, not a shortened number
    assert structure_candidate({"id": "12e5"}, "$", policy).id == "12e5"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
@pytest.mark.parametrize("name, text", [("c.csv", "id,employment_status\nA1,PNS\n"),
                                        ("c.json", '[{"id": "A1"}]'), ("c.yaml", "- id: A1\n"),
                                        ("c.jsonl", '{"id": "A1"}\n')])
def test_a_utf16_file_is_named_as_such(encoding, tmp_path, name, text):
    """Excel's "Unicode Text" is UTF-16: with its byte-order mark the CSV reader stopped on a Python
    message; without, every column name came out with NUL characters in it. A JSON or YAML file was
    "not UTF-8 (byte 0xff)", with no word of what it is."""
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    with pytest.raises(fr.InputError) as caught:
        list(read_records(path))
    (problem,) = caught.value.problems
    assert problem.code == "I012" and "UTF-16" in problem.en and "CSV UTF-8" in problem.hint
    assert "xlsx" not in problem.hint  # formasi evaluate reads no workbook


def test_a_utf16_workload_or_officers_file_is_told_the_workbook_is_read_too(tmp_path, policy):
    """Workload and officers, unlike candidates, may be given as the .xlsx workbook."""
    workload = tmp_path / "w.csv"
    workload.write_bytes("region,activity,level,volume\nKota A,x,ahli_pertama,1\n".encode("utf-16"))
    with fr.Engine(policy, backend="reference") as engine:
        for given in ((workload, None), ([], workload), (Located(read_records(workload)), None)):
            with pytest.raises(fr.InputError) as caught:
                engine.formation(*given, as_of=AS_OF)
            (problem,) = caught.value.problems
            assert problem.code == "I012" and "CSV UTF-8" in problem.hint and ".xlsx workbook" in problem.hint


def test_a_row_with_a_cell_too_many_names_the_files_own_separator(tmp_path):
    """A ';' file whose rating history (2023:baik;2024:baik) is not quoted was told to 'separate
    every cell with a comma'."""
    path = tmp_path / "c.csv"
    path.write_text("id;employment_status;performance\nA1;PNS;2023:baik;2024:baik\n", encoding="utf-8")
    ((_, error),) = read_records(path)
    assert error.problems[0].code == "I013" and "with a semicolon" in error.problems[0].hint
    assert '"YEAR:RATING;YEAR:RATING"' in error.problems[0].hint


def test_a_record_cannot_say_what_had_not_happened_by_the_date():
    """A test's result dated after the evaluation date, a post ending before it begins, a post that
    ended before the date: never taken as the record's state on the date."""
    engine = fr.Engine(fr.load_policy(ROOT / "policies" / "pengantar_kerja"), backend="reference")
    post = {"type": "jf", "name": "Pengantar Kerja", "level": "ahli_pertama", "since": "2020-01-01"}
    with pytest.raises(fr.InputError) as caught:
        engine.evaluate({"id": "t", "competency_test": {"status": "passed", "level": "ahli_pertama",
                                                        "date": "2030-01-01"}}, as_of=AS_OF)
    assert [(p.code, p.path) for p in caught.value.problems] == [("I020", "$.competency_test.date")]
    # a rating of a year after the date's (2042 for 2024): ignored by the windows, it said nothing
    with pytest.raises(fr.InputError) as caught:
        engine.evaluate({"id": "t", "performance": [{"year": 2024, "rating": "baik"}, {"year": 2042, "rating": "baik"}]},
                        as_of=AS_OF)
    assert [(p.code, p.path) for p in caught.value.problems] == [("I020", "$.performance[1].year")]
    assert engine.evaluate({"id": "t", "performance": [{"year": AS_OF.year, "rating": "baik"}]}, as_of=AS_OF)
    for record, path in (({"position": {**post, "until": "2019-12-31"}}, "$.position.until"),
                         ({"positions": [{**post, "until": "2019-12-31"}]}, "$.positions[0].until")):
        with pytest.raises(fr.InputError) as caught:
            engine.evaluate({"id": "p", **record}, as_of=AS_OF)
        assert [(p.code, p.path) for p in caught.value.problems] == [("I009", path)]
    held = engine.evaluate({"id": "h", "position": {**post, "until": str(AS_OF)}}, as_of=AS_OF)  # its last day
    ended = engine.evaluate({"id": "e", "position": {**post, "until": "2021-01-01"}}, as_of=AS_OF)
    assert held.values.get("position_level") == "ahli_pertama"
    assert ended.values.get("position_level") is None  # not the post held on the date


@pytest.mark.parametrize("year", [-5, 0, 99999])
def test_a_rating_of_no_calendar_year_is_refused_in_every_format(year, tmp_path):
    """A CSV cell refuses more than four digits; a JSON rating of year 99999 was taken and never read."""
    policy = fr.load_policy(ROOT / "policies" / "pengantar_kerja")
    record = {"id": "r", "performance": [{"year": 2024, "rating": "baik"}, {"year": year, "rating": "baik"}]}
    with pytest.raises(fr.InputError) as caught:
        structure_candidate(record, "$", policy)
    assert [(p.code, p.path) for p in caught.value.problems] == [("I005", "$.performance[1].year")]
    line, = read_records(_write(tmp_path / "r.jsonl", json.dumps(record) + "\n"), parse=False)
    assert fr.inputs.read_line(line[1].text, policy) is None  # the lane leaves it to the detailed path


def test_a_number_field_the_policy_adds_is_read_from_a_csv_cell(policy_copy, tmp_path):
    """A CSV cell is text: '40' for a field the policy adds of type integer was refused ("expected a
    whole number"), so no CSV record could give it, while the same record in JSON Lines was read."""
    (policy_copy.parent / "jf_umum" / "fields" / "training.yaml").write_text(
        "fields:\n"
        "  training_hours: {title: {id: jam pelatihan, en: training hours}, type: integer, input: training_hours}\n"
        "  training_score: {title: {id: nilai, en: score}, type: number, decimals: 2, input: training_score}\n",
        encoding="utf-8")
    policy = fr.load_policy(policy_copy)
    path = tmp_path / "c.csv"
    path.write_text("id,training_hours,training_score\nA1,40,85.5\nA2,4.5,1\nA3,40,\"1,250\"\nA4,-5,+2\n"
                    "A5,1.250.000,1.250\nA6,40,0.250\nA7,40,85.555\n", encoding="utf-8")
    read = {}
    for where, raw in read_records(path):
        try:
            read[raw["id"]] = structure_candidate(raw, where.split()[0], policy).extra
        except fr.InputError as exc:
            read[raw["id"]] = [(p.code, p.path) for p in exc.problems]
    assert read["A1"] == {"training_hours": 40, "training_score": Decimal("85.5")}
    assert read["A2"] == [("I005", "$[1].training_hours")]  # 4.5 is no whole number
    assert read["A3"] == [("I005", "$[2].training_score")]  # 1,250: thousands or decimals, not guessed
    assert read["A4"] == {"training_hours": -5, "training_score": Decimal(2)}  # a sign, as the record's own numbers
    assert read["A5"] == [("I005", "$[4].training_hours")]  # 1.250.000: thousands (1.250 is 1.25, as 0.250 0.25)
    assert read["A6"] == {"training_hours": 40, "training_score": Decimal("0.25")}
    assert read["A7"] == [("I008", "$[6].training_score")]  # more decimals than it keeps, as a record's own number


@pytest.mark.parametrize("cell, said, hint", [
    ("40.0", 'got "40.0"', None), ("1.250", 'got "1.250"', "write 1250 if a thousands separator is meant / "),
    ("1,250", 'got "1,250"', "write 1250 if a thousands separator is meant / "),
])
def test_a_whole_number_the_policy_adds_words_a_cell_with_a_point_as_written(policy_copy, cell, said, hint):
    """'40.0' was "got 40" and '1.250' "got 1.25", with no word that a count's 1.250 is one thousand
    two hundred and fifty, and '1,250' was offered the reading 1.25, which a whole number refuses."""
    (policy_copy.parent / "jf_umum" / "fields" / "training.yaml").write_text(
        "fields:\n  training_hours: {title: {id: jam, en: hours}, type: integer, input: training_hours}\n"
        "  training_total: {title: {id: jumlah, en: total}, type: number, decimals: 0, input: training_total}\n",
        encoding="utf-8")
    policy = fr.load_policy(policy_copy)
    with pytest.raises(fr.InputError) as info:
        structure_candidate({"id": "a", "training_hours": cell}, "$", policy)
    (problem,) = info.value.problems
    assert said in problem.en and (problem.hint == hint if hint is None else problem.hint.startswith(hint))
    # a whole float for a number field of no decimals is that number (40.0 from JSON, YAML or a data frame)
    assert structure_candidate({"id": "a", "training_total": 40.0}, "$", policy).extra == {"training_total": 40}


@pytest.mark.parametrize("change, where", [
    ({"positions": []}, "$.positions"),
    ({"ranks": []}, "$.ranks"),
])
def test_an_empty_history_beside_what_is_held_now_is_refused(change, where):
    """positions: [] says there never was a post; beside a current one it made held_jpt false, and a
    transfer to Ahli Utama not eligible, where the history was only not known (a system writing "none
    known" as an empty list)."""
    record = {"id": "u1", "rank": "IV/d", "position": {"type": "ja", "name": "Analis Kebijakan", "since": "2022-01-01"},
              **change}
    (problem,) = problems_of(record)
    assert problem.code == "I009" and problem.path == where and "empty" in problem.en and problem.hint
    assert structure_candidate({**record, "position": None, "rank": None}, "$", POLICY)  # none held now: it may say so


@pytest.mark.parametrize("raw, path", [
    ({"id": "j1", "foo": None}, "$.foo"),
    ({"id": "j1", "foo": ""}, "$.foo"),
    ({"id": "j1", "position": {"level": None, "levl": None}}, "$.position.levl"),
    ({"id": "j1", "performance": [{"year": 2024, "rating": "baik", "note": None}]}, "$.performance[0].note"),
])
def test_an_unknown_field_is_refused_whatever_its_value(raw, path):
    """A null (or "") of an unknown key was dropped with the nulls before the unknown keys were
    looked for: a misspelt field left empty was accepted without a word."""
    (p,) = problems_of(raw)
    assert (p.path, p.code) == (path, "I003")
    assert structure_candidate({"id": "j1", "rank": None, "credit_points": ""}, "$", POLICY).rank is None


def test_a_decimal_comma_in_a_yaml_flow_mapping_is_refused_with_the_point(tmp_path):
    """YAML reads {experience_years: 2,5} as experience_years 2 and a key 5 with no value: the
    record was evaluated with 2 years without a word."""
    (tmp_path / "c.yaml").write_text("- {id: Y1, experience_years: 2,5, credit_points: 112,25}\n")
    ((_, raw),) = read_records(tmp_path / "c.yaml")
    problems = {p.path: p for p in problems_of(raw, "$[0]")}
    assert set(problems) == {"$[0].5", "$[0].25"} and {p.code for p in problems.values()} == {"I003"}
    assert "write 2.5, with a point" in problems["$[0].5"].hint
    assert "write 112.25, with a point" in problems["$[0].25"].hint
    # a number key and a text key unknown together are both said (sorting them raised TypeError)
    assert {p.path for p in problems_of({"id": "x", 5: 3, "foo": 1})} == {"$.5", "$.foo"}


def test_an_empty_csv_cell_of_an_unknown_column_is_not_given(tmp_path):
    """CSV is flat: an empty cell is no key of the record, in a known column or not; a value in an
    unknown column is refused."""
    (tmp_path / "c.csv").write_text("id,foo,education\na,,S1\nb,x,S1\n")
    (_, first), (_, second) = read_records(tmp_path / "c.csv")
    assert structure_candidate(first, "$[0]", POLICY).education == "S1"
    assert [p.path for p in problems_of(second, "$[1]")] == ["$[1].foo"]


@pytest.mark.parametrize("sep, newline", [(";", "\r\n"), (",", "\n"), ("\t", "\n"), ("|", "\r\n")])
def test_excels_sep_line_names_the_separator_and_is_not_the_header(sep, newline, tmp_path):
    """A first line 'sep=;' (Excel's directive) was read as the header: every row was refused as
    'the row has 3 cells and the header 1 columns'."""
    path = tmp_path / "c.csv"
    lines = [f"sep={sep}", sep.join(["id", "employment_status", "education"]), sep.join(["A1", "PNS", "S1"]),
             sep.join(["A2", "PNS"])]
    path.write_bytes(b"\xef\xbb\xbf" + newline.join(lines).encode() + newline.encode())
    (where, first), (where2, second) = read_records(path)
    assert where == "$[0] (line 3)" and first == {"id": "A1", "employment_status": "PNS", "education": "S1"}
    assert where2 == "$[1] (line 4)" and [(p.code, p.line) for p in second.problems] == [("I013", 4)]


def test_numpy_numbers_from_a_data_frame_are_the_numbers_they_are():
    """A pandas cell is a numpy scalar: np.int64(3) as experience_years was 'expected a number, got
    "3"', sending the user looking for a text. A numpy integer, float64 or bool is read as the Python
    value it is; any other numpy value is refused with its type named."""
    np = pytest.importorskip("numpy")
    c = structure_candidate({"id": np.int64(198701012010011001), "experience_years": np.int64(3),
                             "credit_points": np.float64(12.5), "position": {"top_rank": np.bool_(True)},
                             "performance": [{"year": np.int64(2024), "rating": "baik"}]}, "$", POLICY)
    assert c.id == "198701012010011001" and c.experience_years == 3 and c.credit_points == Decimal("12.5")
    assert c.position.top_rank is True and c.performance[0].year == 2024
    (p,) = problems_of({"id": "a", "experience_years": np.float32(0.1)})
    assert p.en == "expected a number, got 0.1 (numpy.float32)" and "float64" in p.hint
    (p,) = problems_of({"id": "a", "birth_date": np.datetime64("1980-01-01")})
    assert p.code == "I005" and "(numpy.datetime64)" in p.en
    (p,) = problems_of({"id": "a", "credit_points": np.array([1, 2])})  # an array: refused, not a crash
    assert p.code == "I005" and "(numpy.ndarray)" in p.en
    with fr.Engine(POLICY, backend="reference") as engine:
        result = engine.formation([{"region": "A", "activity": "x", "level": "ahli_pertama", "volume": np.int64(10),
                                    "norm_minutes": np.float64(7500.0)}],
                                  [{"region": "A", "level": "ahli_pertama", "count": np.int64(1)}], as_of=AS_OF)
        assert not result.problems and result.row("A", "ahli_pertama").existing == 1
        assert fr.inputs.formation_from_rows([("$[0]", {"region": "A", "level": "ahli_pertama",
                                                        "open": np.int64(2)})]) == {"a": {"ahli_pertama": 2}}


def test_a_row_with_a_cell_too_many_in_a_file_without_ratings_is_not_told_of_ratings(tmp_path):
    """The rating history's quoting example is for a candidate file: a workload row is told to quote
    its cell, without it."""
    path = tmp_path / "w.csv"
    path.write_text("region;activity;level;volume\nKota Lahat;a;b;ahli_pertama;4\n", encoding="utf-8")
    ((_, error),) = read_records(path)
    assert error.problems[0].code == "I013" and "in quotes" in error.problems[0].hint
    assert "RATING" not in error.problems[0].hint
    assert "pisahkan setiap sel dengan" in error.problems[0].hint  # the fix in Bahasa Indonesia too


def test_a_cell_under_no_column_name_and_an_open_quote_are_told_how_to_fix_in_both_languages(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text('id,education,\nA1,S1,x\nA2,"S1\nA3,S1\n', encoding="utf-8")
    hints = [p.hint for _, e in read_records(path) if isinstance(e, fr.InputError) for p in e.problems]
    assert any("beri judul kolomnya" in h for h in hints) and any("tanda kutip" in h for h in hints), hints
def test_a_record_may_be_any_mapping_at_the_top_too(default_engine, tmp_path, monkeypatch):
    """docs/python-api.md: any mapping is read as an object. Nested ones were; the record itself was I001."""
    import collections.abc
    import tempfile
    import types

    class Record(collections.abc.Mapping):  # a caller's own mapping: no dict, and not picklable as one
        def __init__(self, data):
            self._data = data

        def __getitem__(self, key):
            return self._data[key]

        def __iter__(self):
            return iter(self._data)

        def __len__(self):
            return len(self._data)

    rec = {"id": "m", "employment_status": "PNS", "birth_date": "1972-05-01", "education": "S1", "rank": "III/b",
           "region": "Kota Palembang", "experience_years": 3, "performance": [{"year": 2024, "rating": "baik"}]}
    want = default_engine.evaluate(rec, as_of=AS_OF).to_bytes()
    for given in (types.MappingProxyType(rec), Record(rec)):
        assert structure_candidate(given, "$", POLICY) == structure_candidate(rec, "$", POLICY)
        assert default_engine.evaluate(given, as_of=AS_OF).to_bytes() == want
        (got,) = default_engine.evaluate_many([given], as_of=AS_OF)
        assert got.to_bytes() == want
    # with a worker: the records it is sent are pickled (a mappingproxy cannot be)
    from formasi_rules.engine import _parallel
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    pools, sent = [], []
    made, send = _parallel._Workers.__init__, _parallel._Workers.send
    monkeypatch.setattr(_parallel._Workers, "__init__", lambda self, *a: (made(self, *a), pools.append(self))[0])
    monkeypatch.setattr(_parallel._Workers, "send", lambda self, w, items, *a: (sent.append(len(items)),
                                                                                 send(self, w, items, *a))[1])

    def records():
        deadline = time.monotonic() + 60
        while not all(w.up or w.conn.poll() for w in pools[0].all) and time.monotonic() < deadline:
            time.sleep(0.05)  # until the worker is up: the chunks after the first are sent to it
        for i in range(1000):
            yield types.MappingProxyType({**rec, "id": f"m{i}"})

    got = list(default_engine.evaluate_many(records(), as_of=AS_OF, jobs=2))
    assert [r.candidate for r in got] == [f"m{i}" for i in range(1000)] and all(isinstance(r, fr.Result) for r in got)
    assert sent  # a worker had its share
    (p,) = problems_of(["not", "a", "mapping"])
    assert p.code == "I001"


def test_a_date_and_time_is_a_date_only_at_midnight():
    """A datetime is a date to Python: one with a time of day had its date kept without a word
    (2025-06-12 23:30 in one time zone is the 13th in another), while as_of refuses any datetime.
    Midnight, as a spreadsheet's or pandas' date is, is that date; a time of day is refused, naming
    the field, with the date it would be as a hint."""
    at_noon = dt.datetime(1980, 1, 2, 12, 30)
    (p,) = problems_of({"id": "a", "birth_date": at_noon, "rank_since": dt.datetime(2019, 4, 1)})
    assert (p.code, p.path) == ("I005", "$.birth_date")
    assert p.en == "expected a date like 1985-04-30, got a date and time 1980-01-02T12:30:00"
    assert "tanggal dan waktu" in p.id and p.hint.startswith("give the date alone: 1980-01-02 if that is the day")
    c = structure_candidate({"id": "a", "birth_date": dt.datetime(1980, 1, 2), "position": {
        "since": dt.datetime(2020, 1, 2, tzinfo=dt.timezone.utc)}}, "$", POLICY)
    assert c.birth_date == dt.date(1980, 1, 2) and type(c.birth_date) is dt.date
    assert c.position.since == dt.date(2020, 1, 2) and type(c.position.since) is dt.date
    (p,) = problems_of({"id": "a", "competency_test": {"date": dt.datetime(2025, 6, 12, 0, 0, 1)}})
    assert p.path == "$.competency_test.date" and "2025-06-12T00:00:01" in p.en
    (p,) = problems_of({"id": "a", "positions": [{"since": at_noon}]})
    assert p.path == "$.positions[0].since"
    with fr.Engine(POLICY, backend="reference") as engine:
        (item,) = engine.evaluate_many([{"id": "a", "birth_date": at_noon}], as_of=AS_OF)
        assert isinstance(item, fr.RecordError) and item.problems[0].path == "$[0].birth_date"


def test_pandas_missing_date_is_refused_not_a_crash():
    """pandas writes a missing date as NaT, which Python takes for a datetime: evaluate_many ended in
    'TypeError: Cannot compare NaT with datetime.date object'."""
    pd = pytest.importorskip("pandas")
    (p,) = problems_of({"id": "a", "birth_date": pd.NaT})
    assert (p.code, p.path) == ("I005", "$.birth_date") and "NaT" in p.en and "None" in p.hint
    at_noon = pd.Timestamp("1980-01-02 12:30")
    (p,) = problems_of({"id": "a", "birth_date": at_noon})
    assert "1980-01-02T12:30:00" in p.en
    (p,) = problems_of({"id": "a", "birth_date": pd.Timestamp("1980-01-02") + pd.Timedelta(1, "ns")})
    assert p.path == "$.birth_date"
    assert structure_candidate({"id": "a", "birth_date": pd.Timestamp("1980-01-02")}, "$", POLICY).birth_date == \
        dt.date(1980, 1, 2)
    with fr.Engine(POLICY, backend="reference") as engine:
        items = list(engine.evaluate_many([{"id": "a", "birth_date": pd.NaT}, {"id": "b"}], as_of=AS_OF))
        assert isinstance(items[0], fr.RecordError) and isinstance(items[1], fr.Result)


@pytest.mark.parametrize("given, said", [
    (Decimal("NaN"), "expected a finite number, got NaN"), (Decimal("sNaN"), "expected a finite number, got sNaN"),
    (Decimal("-1"), "expected a number of zero or more, got -1"),
])
def test_a_decimal_that_is_no_number_is_said_as_the_number_it_is(given, said):
    """A Decimal (from a database) that is NaN was 'the value cannot be read ([<class
    'decimal.InvalidOperation'>])', and a negative one was shown as text ("-1")."""
    (p,) = problems_of({"id": "a", "credit_points": given})
    assert (p.code, p.path, p.en) == ("I005", "$.credit_points", said)


def test_an_id_that_is_no_id_names_no_candidate(tmp_path):
    """An id of true, a list or an object was made the error record's candidate as Python writes it
    ("True", "{'a': 1}"), which a system reading the output would take for a candidate's id."""
    path = _write(tmp_path / "ids.json", '[{"id": true}, {"id": [1, 2]}, {"id": {"a": 1}}, {"id": "A1", "x": 1}]')
    with fr.Engine(POLICY, backend="reference") as engine:
        items = list(engine.evaluate_many(read_records(path), as_of=AS_OF))
    assert [i.candidate for i in items] == [None, None, None, "A1"]
    assert [i.problems[0].path for i in items] == ["$[0].id", "$[1].id", "$[2].id", "$[3].x"]


@pytest.mark.parametrize("end", [b"\r", b"\r\n", b"\n"])
def test_a_file_with_old_mac_line_ends_is_read_line_by_line(tmp_path, end):
    """Excel for Mac's "CSV (Macintosh)" ends lines with CR alone: the whole file was refused, "cannot
    read the header row: new-line character seen in unquoted field - do you need to open the file in
    universal-newline mode?". A lone CR ends a line as CRLF and LF do, in CSV and JSON Lines."""
    rows = [b"id;education;name", b"A1;S1;Ani", b"", b'A2;S5;"two\nlines"', b"A3;S2;Budi"]
    path = tmp_path / "mac.csv"
    path.write_bytes(b"\xef\xbb\xbf" + end.join(rows) + end)
    got = list(read_records(path))
    assert [w for w, _ in got] == ["$[0] (line 2)", "$[1] (line 4)", "$[2] (line 6)"]
    assert [r["id"] for _, r in got] == ["A1", "A2", "A3"] and got[1][1]["name"] == "two\nlines"
    assert got[0][1] == {"id": "A1", "education": "S1", "name": "Ani"}
    lines = tmp_path / "mac.jsonl"
    lines.write_bytes(end.join([b'{"id": "A1"}', b"", b'{"id": "A2", "education": "S5"}', b"{oops"]) + end)
    got = list(read_records(lines))
    assert [w for w, _ in got] == ["$[0] (line 1)", "$[1] (line 3)", "$[2] (line 4)"]
    assert got[1][1] == {"id": "A2", "education": "S5"} and got[2][1].problems[0].line == 4


def test_a_last_line_of_one_character_after_a_lone_cr_is_a_line(tmp_path):
    """The file ends without a line end, its last line one character long ("id\r1"): the CR before it
    ends the header all the same."""
    path = tmp_path / "short.csv"
    path.write_bytes(b"id\r1")
    assert [(w, r["id"]) for w, r in read_records(path)] == [("$[0] (line 2)", "1")]


@pytest.mark.parametrize("written", ["PERPINDAHAN", "Perpindahan", " perpindahan "])
def test_a_requested_route_is_read_in_any_capitals_as_other_coded_values_are(default_engine, written, tmp_path):
    """docs/input-format.md: coded values are read in any capitals and spacing. A request's route was
    the one that was not ("PERPINDAHAN" was I005), in a Python dict and in a JSON line alike."""
    record = {"id": "A1", "employment_status": "PNS", "request": {"route": written, "level": "Ahli Muda"}}
    want = default_engine.evaluate({**record, "request": {"route": "perpindahan", "level": "ahli_muda"}}, as_of=AS_OF)
    got = default_engine.evaluate(record, as_of=AS_OF)
    assert [(d.route, d.level) for d in got.decisions] == [("perpindahan", "ahli_muda")]
    assert got.outcomes == want.outcomes
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (line,) = default_engine.evaluate_many(read_records(path), as_of=AS_OF)
    assert line.outcomes == want.outcomes
    with pytest.raises(fr.InputError, match="perpindahan"):  # a route that is none is still refused, with the guess
        default_engine.evaluate({**record, "request": {"route": "perpindahn"}}, as_of=AS_OF)


@pytest.mark.parametrize("suffix", [".xlsx", ".XLSX", ".xls", ".ods"])
def test_a_workbook_of_candidates_is_told_to_be_saved_as_csv(tmp_path, suffix):
    """Staff keep candidates in a spreadsheet and give the workbook itself: the error said only that
    the format could not be told, and offered .json first."""
    path = tmp_path / f"kandidat{suffix}"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(fr.InvalidArgument, match='CSV UTF-8') as caught:
        read_records(path)
    assert "simpan" in str(caught.value) and str(path) in str(caught.value)
    from click.testing import CliRunner

    from formasi_rules.cli import main
    r = CliRunner().invoke(main, ["evaluate", str(path), "--as-of", "2025-10-09"])
    assert r.exit_code == 2 and "CSV UTF-8" in r.output and "Traceback" not in r.output


def test_a_cr_inside_a_json_line_is_white_space_not_a_line_end(tmp_path):
    """JSON allows a CR as white space between tokens: a JSON Lines file with LF ends keeps such a
    record whole (splitting at every lone CR made it two error records and moved every line after)."""
    path = tmp_path / "cr.jsonl"
    path.write_bytes(b'{"id": "a",\r "education": "S1"}\n{"id": "b"}\n')
    got = list(read_records(path))
    assert [w for w, _ in got] == ["$[0] (line 1)", "$[1] (line 2)"]
    assert got[0][1] == {"id": "a", "education": "S1"}


def test_old_mac_line_ends_are_read_as_they_come_not_whole(tmp_path):
    """A CR-only file is read a buffer at a time: its first records come before the rest is read (a
    stream on stdin answers as it goes; a large file is never held whole)."""
    import io

    from formasi_rules.inputs._read import _raw_lines

    class Counting(io.RawIOBase):
        def __init__(self, data):
            self.data, self.at = data, 0

        def readable(self):
            return True

        def readinto(self, buffer):
            n = min(len(buffer), len(self.data) - self.at, 4096)
            buffer[:n] = self.data[self.at:self.at + n]
            self.at += n
            return n

    data = b"id;name\r" + b"".join(b"A%d;x\r" % i for i in range(200_000))
    raw = Counting(data)
    lines = _raw_lines(io.BufferedReader(raw))
    assert [next(lines) for _ in range(3)] == [b"id;name\r", b"A0;x\r", b"A1;x\r"]
    assert raw.at < len(data) // 10
    assert sum(1 for _ in lines) == 199_998 and raw.at == len(data)


@pytest.mark.parametrize("ident", [12.5, float("nan"), b"ab", dt.date(2020, 1, 1), Decimal("7.5"), True])
def test_an_error_names_no_candidate_for_an_id_the_reader_refuses(ident):
    """Only what the reader takes as an id (text, a whole number) names the error's candidate."""
    with fr.Engine(POLICY, backend="reference") as engine:
        (item,) = engine.evaluate_many([{"id": ident}], as_of=AS_OF)
        (numbered,) = engine.evaluate_many([{"id": 1980, "birth_date": "x"}], as_of=AS_OF)
    assert isinstance(item, fr.RecordError) and item.candidate is None and item.problems[0].path == "$[0].id"
    assert numbered.candidate == "1980"


def test_a_cr_in_a_quoted_cell_of_a_crlf_file_ends_no_line(tmp_path):
    """A CRLF file with a CR alone inside a quoted cell keeps its lines: the CR ends no line."""
    path = tmp_path / "crlf.csv"
    path.write_bytes(b'id,name\r\nA1,"x\ry"\r\nA2,z\r\n')
    got = list(read_records(path))
    assert [w for w, _ in got] == ["$[0] (line 2)", "$[1] (line 3)"] and got[0][1]["name"] == "x\ry"


def test_nan_for_a_date_is_told_to_be_none():
    """pandas writes a blank cell of a date column as NaN: the error said only "got NaN"."""
    with pytest.raises(fr.InputError) as caught:
        structure_candidate({"id": "A1", "birth_date": float("nan")})
    (problem,) = caught.value.problems
    assert problem.path == "$.birth_date" and "None" in problem.hint and "NaN" in problem.hint


@pytest.mark.parametrize("written", ["Birth Date", "BIRTH_DATE", " birth_date", "birth-date", "Birth  Date"])
def test_a_csv_header_names_a_field_in_any_capitals_and_spacing(written, tmp_path):
    """A header typed as people type one ('Birth Date', 'BIRTH_DATE', ' birth_date') was refused as an
    unknown column in every record (I003): a name that names one field whatever its capitals, spaces
    and hyphens is that field, once for the file; one that names none stays as written, to be refused."""
    path = tmp_path / "c.csv"
    path.write_text(f"ID,{written},Position.Level,Birth Dat\nA1,1980-10-09,ahli_muda,x\n", encoding="utf-8")
    ((_, record),) = read_records(path)
    assert record == {"id": "A1", "birth_date": "1980-10-09", "position": {"level": "ahli_muda"}, "Birth Dat": "x"}
    (p,) = problems_of(record, "$[0]")
    assert (p.code, p.path) == ("I003", "$[0].Birth Dat") and "'birth_date'" in p.hint


def test_two_columns_naming_one_field_are_refused_naming_both(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,birth_date,Birth Date\nA1,1980-10-09,1980-10-09\n", encoding="utf-8")
    with pytest.raises(fr.InputError) as info:
        list(read_records(path))
    (p,) = info.value.problems
    assert (p.code, p.file, p.line) == ("I018", str(path), 1)
    assert "'birth_date' and 'Birth Date' both name the field 'birth_date'" in p.en and "keep one" in p.hint
    assert "'birth_date' dan 'Birth Date'" in p.id


@pytest.mark.parametrize("text, header_line", [
    ("DAFTAR CALON PENGANTAR KERJA;;;\r\n;;;\r\nid;birth_date;education;rank\r\nA1;1980-01-01;S1;III/b\r\n", 3),
    ("DAFTAR CALON\nid;birth_date\nA1;1980-01-01\n", 2),  # no separator on the title: ',' was told from it
    ("Daftar calon,,\nID,Birth Date,Education\nA1,1980-01-01,S1\n", 2),
    # a subtitle (a region, a date) under the title: its row was taken for a record, and each row after
    # refused for having more cells than the header's one column
    ("DAFTAR CALON PENGANTAR KERJA\nKabupaten Musi Banyuasin\nid,name,rank\nA1,Ani,III/a\n", 3),
    ("DAFTAR CALON;;\n;;\nKab. Lahat;;\nper 1 Oktober 2025;;\nid;name;rank\nA1;Ani;III/a\n", 5),
    # titles over groups of columns (merged cells): every row was 'a value in a column with no name'
    ("Identitas;;Pendidikan;\nid;name;education;rank\nA1;Ani;S1;III/a\n", 2),
])
def test_a_title_above_the_header_is_said_for_the_file(tmp_path, text, header_line):
    """A sheet's title row above its header (merged over the columns, exported as 'TITLE;;;') made
    every row's error 'a cell holds a value in a column with no name' or 'unknown field TITLE', and
    the header itself a record: the file is refused once, naming the title and the header's line."""
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(fr.InputError) as info:
        list(read_records(path))
    (p,) = info.value.problems
    assert (p.code, p.file, p.line) == ("I018", str(path), 1) and f"which is line {header_line}" in p.en
    assert "delete the line(s) above the header" in p.hint and " / " in p.hint


@pytest.mark.parametrize("above", ["\n", "   \n", ",,,\n", "\t\n\n"])
def test_blank_lines_above_the_header_do_not_choose_the_separator(tmp_path, above):
    """The separator was told from the first line, blank or of separators only: a header under it
    written with ';' was one column, and every row was refused."""
    path = tmp_path / "c.csv"
    path.write_text(above + "id;rank;education\na;III/a;S1\n", encoding="utf-8")
    ((where, record),) = read_records(path)
    lines = above.count("\n")
    assert where == f"$[0] (line {lines + 2})" and record == {"id": "a", "rank": "III/a", "education": "S1"}


@pytest.mark.parametrize("second", ["id;name;region", "ID ; Name;Region", "\ufeffid;name;region"])
def test_a_header_written_again_below_is_refused_there_and_the_rest_read(tmp_path, second):
    """Two exports joined (cat a.csv b.csv): the second header was read as a candidate whose id is "id"."""
    path = _write(tmp_path / "both.csv", f"id;name;region\nA1;Budi;Kota Palembang\n{second}\nA2;Sari;Kota Lahat\n")
    got = list(read_records(path))
    assert [r.get("id") if isinstance(r, dict) else None for _, r in got] == ["A1", None, "A2"]
    (problem,) = got[1][1].problems
    assert (problem.code, problem.line, got[1][0]) == ("I018", 3, "$[1] (line 3)") and "repeats the header" in problem.en


def test_a_file_of_one_column_no_field_has_is_not_taken_for_a_title(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("nip\n199001012015031001\n", encoding="utf-8")
    ((_, record),) = read_records(path)
    assert record == {"nip": "199001012015031001"}
    # rows of one cell are looked past for a header, then read in their places, every one of them
    path.write_text("nip\n" + "".join(f"19900101201503{i:04}\n" for i in range(12)) + "x,y\n", encoding="utf-8")
    read = list(read_records(path))
    assert [w for w, _ in read] == [f"$[{i}] (line {i + 2})" for i in range(13)]
    assert [r["nip"] for _, r in read[:12]] == [f"19900101201503{i:04}" for i in range(12)]
    assert isinstance(read[12][1], fr.InputError)  # more cells than the header's one column


def test_a_places_files_header_is_read_as_a_candidates_is(tmp_path):
    """'Region,Level,Open' was every row's F001 (unknown fields): the same rule as a candidate file's header."""
    path = tmp_path / "places.csv"
    path.write_text("Region,LEVEL, Open \nKota Palembang,ahli_pertama,2\n", encoding="utf-8")
    assert read_formation(path, POLICY.levels) == {"kota palembang": {"ahli_pertama": 2}}
    path.write_text("region,Region,level,open\nKota Palembang,Kota Palembang,ahli_pertama,2\n", encoding="utf-8")
    with pytest.raises(fr.InputError, match="'region' and 'Region' both name"):
        read_formation(path, POLICY.levels)


def test_every_bad_row_of_a_places_file_is_named_by_its_line_with_a_fix(tmp_path):
    """Places are the allocation's input: a bad row is never skipped, and the file is refused with
    every bad row at once. Each was named '$[2] (line 4).level', with no line of its own to go to,
    and most with no word on how to correct it; the summary was English only."""
    path = tmp_path / "places.csv"
    path.write_text("region,level,open\nKota A,ahli_pertama,1\nKota A,ahli_prtama,2\nKota B,ahli_muda,x\n"
                    "Kota C,ahli_muda\nKota D,ahli_muda,1\nKota D,ahli_muda,2\nKota E,ahli_muda,1,\n"
                    "Kota F,jenjang_x,1\n", encoding="utf-8")
    with pytest.raises(fr.InputError) as info:
        read_formation(path, POLICY.levels)
    found = [(p.code, p.file, p.line, p.path) for p in info.value.problems]
    assert found == [("F003", str(path), 3, "$[1].level"), ("F004", str(path), 4, "$[2].open"),
                     ("I013", str(path), 5, None), ("F005", str(path), 7, "$[5]"), ("I013", str(path), 8, None),
                     ("F003", str(path), 9, "$[7].level")]
    assert all(p.hint for p in info.value.problems)
    assert all(" / " in p.hint for p in info.value.problems if p.code.startswith("F"))  # in both languages
    assert str(info.value.problems[0]).startswith(f"{path}:3 $[1].level: F003")
    assert "nothing was evaluated" in str(info.value) and "tidak ada yang dievaluasi" in str(info.value)


def _places_problem(path, rows: str):
    """The one problem of a places file holding ``rows``."""
    path.write_text(rows, encoding="utf-8")
    with pytest.raises(fr.InputError) as info:
        read_formation(path, POLICY.levels)
    (p,) = info.value.problems
    return p


@pytest.mark.parametrize("name, rows, example", [
    ("places.csv", "region,level\nKota A,ahli_pertama\n", "Kota Palembang,ahli_pertama,2"),
    ("places.csv", "region;level\nKota A;ahli_pertama\n", "Kota Palembang;ahli_pertama;2"),
    ("places.csv", "sep=;\nregion;level;open;note\nKota A;ahli_pertama;1;x\n", "Kota Palembang;ahli_pertama;2"),
    ("places.csv", "region\tlevel\nKota A\tahli_pertama\n", "Kota Palembang\tahli_pertama\t2"),
    ("places.json", '[{"region": "Kota A", "level": "ahli_pertama"}]',
     '{"region": "Kota Palembang", "level": "ahli_pertama", "open": 2}'),
    ("places.jsonl", '{"region": "Kota A", "level": "ahli_pertama"}\n',
     '{"region": "Kota Palembang", "level": "ahli_pertama", "open": 2}'),
    ("places.yaml", "- {region: Kota A, level: ahli_pertama}\n",
     "{region: Kota Palembang, level: ahli_pertama, open: 2}")])
def test_a_places_rows_example_is_written_as_its_file_is(tmp_path, name, rows, example):
    """F001's example row was 'Kota Palembang,LEVEL,2' whatever the file: commas for a ';' CSV, a CSV
    row for a JSON file. The example is now the file's own: its separator, or a JSON (YAML) row."""
    p = _places_problem(tmp_path / name, rows)
    english, _, indonesian = p.hint.partition(" / ")
    assert p.code == "F001" and english.endswith(f"for example: {example}") and indonesian.endswith(example), p.hint
    # only a CSV row has cells: a JSON or YAML row is not told of an empty one
    if " missing" in p.en:
        assert ("(an empty cell is missing)" in p.en) == ("(sel kosong)" in p.id) == name.endswith(".csv"), p
    if name.endswith(".csv"):
        separator = {",": ("a comma", "koma"), ";": ("a semicolon", "titik koma"), "\t": ("a tab", "tab")}[example[14]]
        assert f"separated by {separator[0]}," in english and f"dipisah {separator[1]}," in indonesian


def test_a_places_row_of_a_request_has_a_json_example():
    with pytest.raises(fr.InputError) as info:
        fr.inputs.formation_from_rows([("$.formation[0]", {"region": "Kota A", "level": "ahli_pertama"})],
                                      POLICY.levels)
    (p,) = info.value.problems
    assert p.code == "F001" and p.path == "$.formation[0]"
    assert p.hint.endswith('misalnya: {"region": "Kota Palembang", "level": "ahli_pertama", "open": 2}'), p.hint


def test_a_rows_cell_too_many_is_said_in_indonesian_with_the_separator_in_indonesian(tmp_path):
    """I013's Indonesian half named the separator in English ('pisahkan setiap sel dengan a semicolon')."""
    path = tmp_path / "c.csv"
    path.write_text("id;employment_status\nA1;PNS;x\n", encoding="utf-8")
    ((_, error),) = read_records(path)
    english, _, indonesian = error.problems[0].hint.partition(" / ")
    assert "with a semicolon" in english and "pisahkan setiap sel dengan titik koma," in indonesian


@pytest.mark.parametrize("name, rows, code", [
    ("places.csv", "region,level\nKota A,ahli_pertama\n", "F001"),
    ("places.json", '[{"region": 5, "level": "ahli_pertama", "open": 1}]', "F002"),
    ("places.csv", "region,level,open\nKota A,jenjang_x,1\n", "F003"),
    ("places.csv", "region,level,open\nKota A,ahli_pertama,dua\n", "F004"),
    ("places.csv", "region,level,open\nKota A,ahli_pertama,1\nKota A,ahli_pertama,2\n", "F005")])
def test_a_places_files_fix_is_said_in_both_languages(tmp_path, name, rows, code):
    """The fixes of F001, F002, F003 (a level with no close spelling), F004 and F005 were in English only."""
    p = _places_problem(tmp_path / name, rows)
    english, _, indonesian = p.hint.partition(" / ")
    assert p.code == code and indonesian, p
    assert "tulis" in indonesian or "baris berisi" in indonesian, p.hint


def test_a_row_that_gives_only_its_id_is_refused_and_the_others_read(tmp_path):
    """A sheet's total row (TOTAL;;;;) or a row not filled in would be decided as a candidate of whom
    nothing is known: I027 names it, in both languages, and the rows around it are read."""
    header = ["id", "employment_status", "birth_date", "rank"]
    rows = [["A1", "PNS", "1980-01-01", "III/a"], ["TOTAL", "", "", ""], ["A2", "PNS", "1981-02-02", "III/b"]]
    path = tmp_path / "c.csv"
    path.write_text("\n".join(";".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    read = list(read_records(path))
    assert [r["id"] for _, r in read if isinstance(r, dict)] == ["A1", "A2"]
    [(where, error)] = [(w, r) for w, r in read if isinstance(r, fr.InputError)]
    [problem] = error.problems
    assert problem.code == "I027" and error.record_id == "TOTAL" and "TOTAL" in problem.en
    assert "baris jumlah" in problem.id and " / " in problem.hint
    # a file of the id column alone is a list of ids, not of rows left unfinished
    alone = tmp_path / "ids.csv"
    alone.write_text("id\nA1\nA2\n", encoding="utf-8")
    assert [r for _, r in read_records(alone)] == [{"id": "A1"}, {"id": "A2"}]


@pytest.mark.parametrize("suffix", ["json", "yaml"])
def test_records_wrapped_in_an_object_are_refused_with_the_list_to_give(tmp_path, suffix):
    """{"candidates": [...]} (as an API answers) was read as one record with no id and an unknown
    field: the file is refused once, naming the key; a record lacking its id is still that record's error."""
    records = [{"id": "A1", "employment_status": "PNS"}, {"id": "A2", "employment_status": "PNS"}]
    path = tmp_path / f"c.{suffix}"
    path.write_text(json.dumps({"candidates": records, "total": 2}), encoding="utf-8")  # (JSON is YAML too)
    with pytest.raises(fr.InputError) as info:
        list(read_records(path))
    (problem,) = info.value.problems
    assert problem.code == "I011" and problem.file == str(path)
    assert "2 record(s) under the key 'candidates'" in problem.en and "di bawah kunci 'candidates'" in problem.id
    assert "data['candidates']" in problem.hint.rpartition(" / ")[2]
    one = tmp_path / f"one.{suffix}"
    one.write_text(json.dumps({"name": "x", "positions": [{"type": "jf", "since": "2020-01-01"}]}), encoding="utf-8")
    assert [r for _, r in read_records(one)] == [{"name": "x", "positions": [{"type": "jf", "since": "2020-01-01"}]}]
