"""Hostile and broken files, as real users and real tools make them: each flaw is one record's
error (the others evaluated, in order) or, when it spoils the whole file, an InputError or
PolicyError naming the file and line. Never a crash, a hang, or a silently dropped value."""

import time

import pytest

import formasi_rules as fr
from conftest import AS_OF
from formasi_rules.inputs import read_records

GOOD = '{"id": "g%d", "employment_status": "PNS", "birth_date": "1980-01-01"}'


def evaluated(engines, path):
    """(ids evaluated, {where: [problem codes]}) for every record of the file."""
    ok, bad = [], {}
    for item in engines["reference"].evaluate_many(read_records(path), as_of=AS_OF):
        if isinstance(item, fr.RecordError):
            bad[item.where] = [p.code for p in item.problems]
        else:
            ok.append(item.candidate)
    return ok, bad


def refused(path, code):
    with pytest.raises(fr.InputError) as info:
        list(read_records(path))
    (problem,) = info.value.problems
    assert problem.code == code and problem.file == str(path)
    return problem


BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10))


# --- YAML: aliases, nesting, dates ------------------------------------------------------------

def test_a_yaml_alias_bomb_in_candidates_is_refused_at_once_naming_the_line(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("- id: a\n  extra:\n" + "".join("    " + line + "\n" for line in BOMB.splitlines()))
    start = time.monotonic()
    problem = refused(path, "I011")
    assert time.monotonic() - start < 2
    assert "alias bomb" in problem.en and problem.line == 7


def test_a_yaml_alias_bomb_in_a_policy_is_a_policy_error_with_its_line(policy_copy):
    (policy_copy / "rules" / "bomb.yaml").write_text(BOMB)
    start = time.monotonic()
    with pytest.raises(fr.PolicyError) as info:
        fr.load_policy(policy_copy)
    assert time.monotonic() - start < 5
    (problem,) = info.value.problems
    assert problem.code == "P002" and "alias bomb" in problem.en
    assert problem.file.endswith("bomb.yaml") and problem.line == 5


@pytest.mark.parametrize("text, message", [
    ("- &a [1, *a]\n", "inside the node it names"),
    ("- " + "[" * 200 + "]" * 200 + "\n", "nested more than 64 levels"),
    ("x: &x [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"
     "y: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*x]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n", "through the alias"),
    ("- id: " + "9" * 5000 + "\n", "too long to be a value"),
])
def test_yaml_loops_depth_and_huge_numbers_are_refused_with_the_line(tmp_path, text, message):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    problem = refused(path, "I011")
    assert message in problem.en and problem.line


def test_an_anchor_defined_again_names_the_later_node_without_a_printed_warning(tmp_path, recwarn):
    """Each record of a YAML file may define its own &p and use *p (a block copied): the alias names the
    latest, as YAML says. ruamel printed its raw warning to the terminal; the file is read quietly."""
    path = tmp_path / "c.yaml"
    path.write_text("- {id: A, position: &p {type: jf, name: Pengantar Kerja, level: ahli_pertama, since: 2020-01-01},"
                    " positions: [*p]}\n"
                    "- {id: B, position: &p {type: jf, name: Pengantar Kerja, level: ahli_muda, since: 2021-01-01},"
                    " positions: [*p]}\n", encoding="utf-8")
    records = [r for _, r in read_records(path)]
    assert [r["positions"][0]["level"] for r in records] == ["ahli_pertama", "ahli_muda"]
    assert not [w for w in recwarn if "anchor" in str(w.message)]


def test_an_impossible_yaml_date_is_that_records_error(engines, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("- {id: a, birth_date: 1980-01-01}\n- {id: b, birth_date: 2025-02-30}\n- {id: c}\n")
    ok, bad = evaluated(engines, path)
    assert ok == ["a", "c"] and bad == {"$[1] (line 2)": ["I005"]}


def test_an_impossible_date_in_a_policy_names_its_line(policy_copy):
    path = policy_copy / "policy.yaml"
    path.write_text(path.read_text() + "\nbroken_date: 2025-02-30\n")
    with pytest.raises(fr.PolicyError) as info:
        fr.load_policy(policy_copy)
    (problem,) = info.value.problems
    assert problem.code == "P002" and "'2025-02-30' is not a date" in problem.en and problem.line


# --- JSON and JSON Lines: nesting, huge numbers, keys twice -----------------------------------

@pytest.mark.parametrize("bad_line, code", [
    ('{"id": "x", "deep": ' + "[" * 990 + "]" * 990 + "}", "I017"),
    ('{"id": "x", "credit_points": ' + "7" * 5000 + "}", "I016"),
    ('{"id": "x", "education": "S1", "education": "S3"}', "I015"),
])
def test_a_json_lines_record_that_is_hostile_is_its_own_error(engines, tmp_path, bad_line, code):
    path = tmp_path / "c.jsonl"
    path.write_text(f"{GOOD % 1}\n{bad_line}\n{GOOD % 3}\n")
    ok, bad = evaluated(engines, path)
    assert ok == ["g1", "g3"] and bad == {"$[1] (line 2)": [code]}


@pytest.mark.parametrize("bad_record, code, path", [
    ('{"id": "x", "credit_points": ' + "7" * 5000 + "}", "I016", "$[1].credit_points"),
    ('{"id": "x", "position": {"type": "jf", "type": "ja"}}', "I015", "$[1].position.type"),
    ('{"id": "x", "deep": ' + "[" * 100 + "]" * 100 + "}", "I017", None),
])
def test_a_json_list_record_that_is_hostile_is_its_own_error(tmp_path, bad_record, code, path):
    file = tmp_path / "c.json"
    file.write_text(f"[{GOOD % 1}, {bad_record}, {GOOD % 3}]")
    items = list(read_records(file))
    assert [w for w, r in items if isinstance(r, fr.InputError)] == ["$[1]"]
    (problem,) = items[1][1].problems
    assert problem.code == code and (path is None or problem.path == path)


def test_json_nested_past_the_parser_is_a_file_error_not_a_crash(tmp_path):
    path = tmp_path / "c.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    refused(path, "I017")


# --- bytes that are not UTF-8 ----------------------------------------------------------------

def test_invalid_utf8_in_json_lines_is_that_lines_error(engines, tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_bytes(f"{GOOD % 1}\n".encode() + b'{"id": "x", "name": "Sl\xe4met"}\n' + f"{GOOD % 3}\n".encode())
    ok, bad = evaluated(engines, path)
    assert ok == ["g1", "g3"] and bad == {"$[1] (line 2)": ["I012"]}


def test_invalid_utf8_in_csv_is_that_rows_error(engines, tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b"id,name\ng1,A\nx,Sl\xe4met\ng3,C\n")
    ok, bad = evaluated(engines, path)
    assert ok == ["g1", "g3"] and bad == {"$[1] (line 3)": ["I012"]}


@pytest.mark.parametrize("suffix", ["json", "yaml"])
def test_invalid_utf8_in_a_whole_document_names_line_and_column(tmp_path, suffix):
    path = tmp_path / f"c.{suffix}"
    path.write_bytes(b'[{"id": "a"},\n {"id": "Sl\xe4met"}]\n')
    problem = refused(path, "I012")
    assert (problem.line, problem.column) == (2, 12)


# --- CSV as spreadsheets write it ------------------------------------------------------------

def test_a_csv_cell_over_the_field_limit_is_that_rows_error(engines, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(f"id,name\ng1,A\nx,{'n' * 200_000}\ng3,C\n")
    ok, bad = evaluated(engines, path)
    assert ok == ["g1", "g3"] and bad == {"$[1] (line 3)": ["I013"]}


def test_an_unterminated_csv_quote_is_reported_not_swallowed(engines, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text('id,name,education\ng1,A,S1\nx,"B,S1\ng3,C,S1\ng4,D,S1\n')
    ok, bad = evaluated(engines, path)
    assert ok == ["g1"] and list(bad) == ["$[1] (line 3)"]
    (problem,) = [p for item in read_records(path) if isinstance(item[1], fr.InputError) for p in item[1].problems]
    assert "opened and never closed" in problem.hint


def test_a_short_csv_row_is_reported(engines, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,name,education\ng1,A,S1\nx,B\ng3,C,S1\n")
    ok, bad = evaluated(engines, path)
    assert ok == ["g1", "g3"] and bad == {"$[1] (line 3)": ["I013"]}


@pytest.mark.parametrize("header", ["id,education,education", "id,position,position.level"])
def test_a_csv_header_with_a_column_twice_is_a_file_error(tmp_path, header):
    path = tmp_path / "c.csv"
    path.write_text(f"{header}\ng1,S1,S2\n")
    problem = refused(path, "I018")
    assert problem.line == 1


def test_an_excel_byte_order_mark_is_skipped(engines, tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b"\xef\xbb\xbfid,name\ng1,A\n")
    assert evaluated(engines, path) == (["g1"], {})


# --- values the engine cannot hold, from Python -------------------------------------------

BASE = {"id": "a", "employment_status": "PNS", "birth_date": "1980-01-01"}


def _recursive():
    record = dict(BASE)
    record["self"] = record
    return record


@pytest.mark.parametrize("record, code, path", [
    # more decimals than the policy's field keeps (credit points keep 3: a PAK's 99.995 is exact)
    ({**BASE, "credit_points": 99.9995}, "I008", "$[0].credit_points"),
    ({**BASE, "experience_years": 1.999}, "I008", "$[0].experience_years"),
    ({**BASE, "credit_points": 1e17}, "I008", "$[0].credit_points"),
    ({**BASE, "experience_years": 10**30}, "I008", "$[0].experience_years"),
    ({**BASE, "credit_points": __import__("decimal").Decimal("Infinity")}, "I008", "$[0].credit_points"),
    (_recursive(), "I017", "$[0]"),
])
def test_a_value_the_engine_cannot_hold_is_that_records_error(engine, record, code, path):
    first, second = engine.evaluate_many([record, {**BASE, "id": "b"}], as_of=AS_OF)  # (a: the first's, refused or not)
    assert isinstance(first, fr.RecordError) and isinstance(second, fr.Result)
    assert [(p.code, p.path) for p in first.problems] == [(code, path)]


def test_a_17_mb_string_is_that_records_error_on_durable_rules(engines, policy_copy):
    if "durable" not in engines:
        pytest.skip("durable_rules does not import here")
    # the shipped rules test no free text; a rule that does sends the string to the engine
    (policy_copy / "rules" / "text.yaml").write_text("""
rules:
  - id: text.name
    title: {id: Nama jabatan diisi, en: A position name other than X}
    routes: [perpindahan]
    require: {position_name: {not_equals: X}}
    citation: {source: formasi_policy_choice}
""")
    with fr.Engine(fr.load_policy(policy_copy), backend="durable") as engine:
        record = {**BASE, "position": {"type": "jf", "name": "y" * (17 << 20)}}
        # the limit is in bytes: 4.2 million characters of 4 bytes each are 16.8 MB of UTF-8
        wide = {**BASE, "id": "w", "position": {"type": "jf", "name": "\U0001F600" * (4_200_000)}}
        first, second, third = engine.evaluate_many([record, {**BASE, "id": "b"}, wide], as_of=AS_OF)
    assert isinstance(second, fr.Result)
    assert [p.code for p in first.problems] == ["I022"]
    assert [p.code for p in third.problems] == ["I022"]


# --- fuzz: every reader, over bytes and over near-valid records --------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from decimal import Decimal  # noqa: E402

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
JUNK = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=80).map(str.encode),
    st.sampled_from([b'{"id": 1e999}', b'{"id": "a", "id": "b"}', b"[" * 3000, b'"\xff\xfe"', b"\x00",
                     b'{"id": "x", "credit_points": 99.995}', b'{"id": "x", "birth_date": "2025-02-30"}',
                     b"&a [*a]", b'id,id\n', b'"unterminated', b"- *nope", b"\xef\xbb\xbf{}"]))


def _read_all(path, engines):
    start = time.monotonic()
    try:
        items = list(engines["reference"].evaluate_many(read_records(path), as_of=AS_OF))
    except fr.FormasiError:  # a whole-file flaw: reported as ours, never a crash
        items = None
    assert time.monotonic() - start < 10
    return items


@FUZZ
@given(data=JUNK, suffix=st.sampled_from(["json", "jsonl", "yaml", "csv"]))
def test_any_bytes_give_our_errors_only(engines, tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"c.{suffix}"
    path.write_bytes(data)
    _read_all(path, engines)


@FUZZ
@given(junk=st.lists(JUNK.filter(lambda b: b"\n" not in b and b"\r" not in b and b.strip()), min_size=1,
                     max_size=4), goods=st.integers(1, 4))
def test_junk_lines_between_good_records_lose_no_good_record(engines, tmp_path_factory, junk, goods):
    path = tmp_path_factory.mktemp("fuzz") / "c.jsonl"
    lines = [(GOOD % i).encode() for i in range(goods)]
    mixed = [line for pair in zip(lines, junk + [b""] * len(lines)) for line in pair if line]
    path.write_bytes(b"\n".join(mixed) + b"\n")
    items = _read_all(path, engines)
    expected = [f"g{i}" for i in range(goods)]
    assert [i.candidate for i in items if isinstance(i, fr.Result) and i.candidate in expected] == expected


def test_a_semicolon_separated_csv_from_excel_is_read(engines, tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b"\xef\xbb\xbfid;name;education\r\ng1;A;S1\r\ng2;B, Jr.;S2\r\n")
    assert evaluated(engines, path) == (["g1", "g2"], {})


def test_a_policy_file_that_never_ends_is_refused_not_read_for_ever(policy_copy):
    (policy_copy / "rules" / "zero.yaml").symlink_to("/dev/zero")
    start = time.monotonic()
    with pytest.raises(fr.PolicyError, match="larger than 64 MiB"):
        fr.load_policy(policy_copy)
    assert time.monotonic() - start < 10


def test_load_yaml_bytes_gives_what_was_parsed(tmp_path):
    from formasi_rules.policy._yaml import load_yaml_bytes
    path = tmp_path / "a.yaml"
    path.write_bytes(b"a: 1\n")
    assert load_yaml_bytes(path, "a.yaml") == ({"a": 1}, b"a: 1\n")


def test_open_places_beyond_any_formation_are_refused_at_once(engine):
    with pytest.raises(fr.InputError, match="F004: open must be a whole number from 0 to 1,000,000"):
        list(engine.evaluate_many([BASE], as_of=AS_OF, formation={"Kota A": {"ahli_pertama": 10**30}}))


@pytest.mark.parametrize("text, expected, flawed", [
    ('{"a": 1, "a": 2}', {"a": 2}, True),
    ('{"a": "x:", "a": 2}', {"a": 2}, True),  # a ':' inside the dropped value
    ('{"a": "\\u0022:", "b": {"c": 1, "c": 2}}', {"a": '":', "b": {"c": 2}}, True),
    ('{"a" : 1, "a" : "x\\" : y"}', {"a": 'x" : y'}, True),
    ('{"a": 123456789012345678901}', {"a": 123456789012345678901}, False),  # not read as a float
    ('{"a": 18446744073709551615, "b": "1e+30"}', {"a": 18446744073709551615, "b": "1e+30"}, False),
    ('{"a": 1.5e3, "b": "k: v"}', {"a": 1500.0, "b": "k: v"}, False),
])
def test_json_parsing_is_exact_on_the_fast_path_and_off_it(text, expected, flawed):
    from formasi_rules.inputs._read import _flaws, _loads
    value = _loads(text)
    assert value == expected and type(value["a"]) is type(expected["a"])
    assert bool(_flaws(value, text)) is flawed


def test_a_per_level_value_the_engine_cannot_hold_is_named(engines, policy):
    """A per-level derived value past 64 bits is the record's I021, naming that field and its input."""
    from formasi_rules.engine._derive import Derived
    from formasi_rules.engine._encode import encode_fact
    name = next(n for n, f in policy.fields.items() if f.per_level)
    derived = Derived({}, {name: {level: 10 ** 40 for level in policy.levels}}, {})
    plan = engines["reference"]._current.plan(AS_OF)
    with pytest.raises(fr.InputError) as caught:
        encode_fact(derived, policy, plan.keys)
    (problem,) = caught.value.problems
    field = policy.fields[name]
    assert problem.code == "I021" and name in problem.en
    assert problem.path == "$." + (field.inputs[0] if field.inputs else name)
    assert "terlalu besar" in problem.id and "too large" not in problem.id, problem.id


def test_a_derivation_giving_more_decimals_than_its_field_keeps_is_said_as_the_policys_error(policy_copy):
    """The record gives no credit_points; the policy derives 20.83 for a field it keeps to 1 decimal.
    The record's error says so, instead of asking the record for a field it does not have."""
    from conftest import edit

    edit(policy_copy.parent / "jf_umum" / "fields" / "derived.yaml", "    type: number\n    decimals: 3\n    derive:",
         "    type: number\n    decimals: 1\n    derive:")
    engine = fr.Engine(fr.load_policy(policy_copy), backend="reference")
    record = {"id": "ak", "employment_status": "PNS", "birth_date": "1990-01-01", "education": "S1",
              "region": "Kota Lahat", "ranks": [{"rank": "III/a", "since": "2023-11-01"}],
              "positions": [{"type": "jf", "name": "Pengantar Kerja", "level": "ahli_pertama", "since": "2023-11-01"}],
              "performance": [{"year": 2023, "rating": "baik"}, {"year": 2024, "rating": "sangat_baik"}]}
    error, = engine.evaluate_many([record], as_of=AS_OF)
    problem, = error.problems
    with pytest.raises(fr.InputError) as one:  # one by one too (both derive without the steps at first)
        engine.evaluate(record, as_of=AS_OF)
    assert [(p.id, p.en, p.hint) for p in one.value.problems] == [(problem.id, problem.en, problem.hint)]
    assert problem.code == "I021" and "the policy derives for credit_points" in problem.en
    assert "policy's error" in problem.en and "tell policy staff" in problem.hint
    # said in Bahasa Indonesia too: the reason, and the fix (they were English inside the Indonesian)
    assert "lebih dari 1 desimal" in problem.id and "decimal" not in problem.id, problem.id
    assert "beri tahu staf kebijakan" in problem.hint


@given(st.decimals(allow_nan=True, allow_infinity=True)
       | st.builds(Decimal, st.from_regex(r"-?[0-9]{1,20}(\.[0-9]{1,20})?([eE][+-]?[0-9]{1,3})?", fullmatch=True)))
def test_the_decimals_of_a_number_are_read_from_its_text_as_from_its_tuple(value):
    """The number of decimals a record's number keeps (I008) is read from its text where that is
    plain digits: the same exponent as the Decimal's tuple, whatever the Decimal."""
    from formasi_rules.inputs._candidate import _exponent
    exponent = value.as_tuple().exponent
    assert _exponent(value) == (exponent if isinstance(exponent, int) else 0)
