"""Allocating contested places: policy-defined priority, deterministic, everyone told why."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import formasi_rules as fr
from conftest import AS_OF

GOOD = [{"year": 2023, "rating": "baik"}, {"year": 2024, "rating": "baik"}]


def transfer(cid, experience=3, rating="baik", level="ahli_pertama", rank="III/a", region="Kota A"):
    return {"id": cid, "employment_status": "PNS", "birth_date": "1980-01-01", "education": "S1", "rank": rank,
            "region": region, "experience_years": experience,
            "performance": [{"year": 2023, "rating": rating}, {"year": 2024, "rating": rating}],
            "competency_test": {"status": "passed", "level": level},
            "request": {"route": "perpindahan", "level": level}}


def new_pns(cid, region="Kota A"):
    return {"id": cid, "employment_status": "PNS", "education": "S1", "rank": "III/a", "region": region,
            "performance": GOOD, "request": {"route": "pengangkatan_pertama", "level": "ahli_pertama"}}


def run(engine, records, places):
    results = list(engine.evaluate_many(records, as_of=AS_OF, formation=places))
    return {r.candidate: r.decisions[0].allocation for r in engine.allocate(results, formation=places)}


def test_places_go_by_route_then_the_policy_order(engine):
    places = {"Kota A": {"ahli_pertama": 2}}
    records = [new_pns("n1"), transfer("t-less", experience=2), transfer("t-more", experience=9),
               transfer("t-best", rating="sangat_baik", experience=2)]
    got = run(engine, records, places)
    # perpindahan before pengangkatan_pertama; then the better rating, then more experience
    assert [got[c]["status"] for c in ("t-best", "t-more", "t-less", "n1")] == [
        "allocated", "allocated", "not_allocated", "not_allocated"]
    assert [got[c]["rank"] for c in ("t-best", "t-more", "t-less", "n1")] == [1, 2, 3, 4]
    left_out = got["n1"]
    assert left_out["places"] == 2 and left_out["competitors"] == 4
    assert "rank 4 of 4" in left_out["message"]["en"] and "peringkat 4 dari 4" in left_out["message"]["id"]
    assert left_out["citation"]["source"] == "formasi_policy_choice"


def test_a_candidate_gets_at_most_one_place_higher_levels_first(engine):
    # a JF officer eligible for promotion to Ahli Muda and for first appointment at Ahli Pertama
    officer = {"id": "both", "employment_status": "PNS", "education": "S1", "rank": "III/b", "region": "Kota A",
               "position": {"type": "jf", "name": "Pengantar Kerja", "level": "ahli_pertama", "since": "2018-01-01"},
               "credit_points": 100, "performance": GOOD, "competency_test": {"status": "passed", "level": "ahli_muda"}}
    places = {"Kota A": {"ahli_pertama": 5, "ahli_muda": 5}}
    results = engine.allocate(list(engine.evaluate_many([officer], as_of=AS_OF, formation=places)), formation=places)
    statuses = {(d.route, d.level): d.allocation["status"] for d in results[0].decisions if d.allocation}
    assert statuses == {("kenaikan_jenjang", "ahli_muda"): "allocated",
                        ("pengangkatan_pertama", "ahli_pertama"): "allocated_elsewhere"}


def test_the_same_place_by_two_routes_is_counted_once(engine):
    record = transfer("two")
    del record["request"]  # eligible by perpindahan and by pengangkatan_pertama at Ahli Pertama
    places = {"Kota A": {"ahli_pertama": 1}}
    results = engine.allocate(list(engine.evaluate_many([record, transfer("rival", experience=1)], as_of=AS_OF,
                                                        formation=places)), formation=places)
    notes = {(d.route, d.level): d.allocation for d in results[0].decisions if d.allocation}
    assert notes[("perpindahan", "ahli_pertama")]["status"] == "allocated"
    assert notes[("pengangkatan_pertama", "ahli_pertama")]["status"] == "allocated"
    assert notes[("pengangkatan_pertama", "ahli_pertama")]["via"] == "perpindahan"
    assert notes[("perpindahan", "ahli_pertama")]["competitors"] == 1  # the rival is not eligible (1 year)


def test_ineligible_and_undetermined_candidates_take_no_place(engine):
    places = {"Kota A": {"ahli_pertama": 1}}
    records = [transfer("old", experience=1), transfer("ok")]
    got = run(engine, records, places)
    assert got["old"] is None and got["ok"]["status"] == "allocated"


@given(st.permutations(range(6)))
def test_allocation_does_not_depend_on_input_order(default_engine, order):
    records = [transfer(f"c{i}", experience=i % 3, rating=["baik", "sangat_baik"][i % 2]) for i in range(6)]
    places = {"Kota A": {"ahli_pertama": 2}}
    base = run(default_engine, records, places)
    assert run(default_engine, [records[i] for i in order], places) == base


def test_places_from_a_computed_formation(engine):
    computed = engine.formation([{"region": "Kota A", "activity": "x", "level": "ahli_pertama", "volume": 150000,
                                  "norm_minutes": 1}], [{"region": "Kota A", "level": "ahli_pertama", "count": 1}],
                                as_of=AS_OF)
    assert computed.open_places() == {"Kota A": {"ahli_pertama": 1}}
    d = engine.evaluate(transfer("t"), as_of=AS_OF, formation=computed).decisions[0]
    assert d.outcome == "eligible"
    assert next(r for r in d.reasons if r.rule == "formation.available").actual == {"formation_open": 1}


def test_allocation_needs_places(engine):
    with pytest.raises(fr.InvalidArgument):
        engine.allocate([])


# --- one candidate, one record (docs/input-format.md, "Ids") ---------------------------------

def test_a_later_record_with_a_seen_id_is_an_error_naming_the_first(default_engine):
    from conftest import AS_OF
    records = [{"id": "a"}, {"id": "b"}, {"id": "a", "education": "S1"}]
    for jobs in (1, 2):
        items = list(default_engine.evaluate_many(records, as_of=AS_OF, jobs=jobs))
        assert [type(i).__name__ for i in items] == ["Result", "Result", "RecordError"]
        (problem,) = items[2].problems
        assert problem.code == "I031" and "$[0]" in problem.en and items[2].candidate == "a"
        lines = list(default_engine.evaluate_lines(records, as_of=AS_OF, jobs=jobs, layout="compact"))
        assert [error is not None for _, error in lines] == [False, False, True]
        assert '"I031"' in lines[2][0]


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("layout", ["compact", "full"])
def test_a_later_record_with_a_seen_id_names_its_line(default_engine, tmp_path, jobs, layout):
    """In a file, the error record of an id given twice is placed as its other errors would be: by its
    record and line."""
    from conftest import AS_OF
    from formasi_rules.inputs import read_records
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "a"}\n\n{"id": "b"}\n{"id": "a", "education": "S1"}\n')
    blocks = list(default_engine.evaluate_blocks(read_records(path, parse=jobs == 1), as_of=AS_OF, jobs=jobs,
                                                 layout=layout))
    errors = [error for block in blocks for _, error in block.errors]
    (error,) = errors
    assert error.where == "$[2] (line 4)" and error.candidate == "a"
    (problem,) = error.problems
    assert problem.code == "I031" and problem.path == "$[2].id" and "$[0]" in problem.en
    assert [w for block in blocks for w in block.wheres] == ["$[0] (line 1)", "$[1] (line 3)", "$[2] (line 4)"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_first_record_with_an_id_is_named_by_its_line_too(default_engine, tmp_path, jobs):
    """The record an id was first given to is named as the later one is: by its line, where the
    input tells it (a user finds line 3 of a file, not its third record, which blank lines move)."""
    from conftest import AS_OF
    from formasi_rules.inputs import read_records
    path = tmp_path / "c.jsonl"
    path.write_text('\n{"id": "b"}\n\n{"id": "a"}\n{"id": "a", "education": "S1"}\n')
    items = list(default_engine.evaluate_many(read_records(path, parse=jobs == 1), as_of=AS_OF, jobs=jobs))
    (problem,) = items[2].problems
    assert "the record at $[1] (line 4);" in problem.en and "$[1] (line 4)" in problem.id
    assert problem.hint.startswith("merge it into $[1] (line 4),")
    blocks = list(default_engine.evaluate_blocks(read_records(path, parse=jobs == 1), as_of=AS_OF, jobs=jobs))
    ((_, error),) = [e for block in blocks for e in block.errors]
    assert error.problems == items[2].problems
    # where no line is known (records from Python), the index alone
    items = list(default_engine.evaluate_many([{"id": "a"}, {"id": "a"}], as_of=AS_OF, jobs=jobs))
    assert "the record at $[0];" in items[1].problems[0].en


def test_allocate_refuses_the_same_candidate_twice(default_engine):
    import formasi_rules as fr
    from conftest import AS_OF
    one = default_engine.evaluate({"id": "a"}, as_of=AS_OF)
    with pytest.raises(fr.InvalidArgument, match="candidate 'a' twice"):
        default_engine.allocate([one, one], formation={"Kota Palembang": {"ahli_pertama": 2}})


def test_cli_allocate_gives_one_place_per_id(tmp_path):
    import json

    from click.testing import CliRunner

    from conftest import ROOT
    from formasi_rules.cli import main
    (tmp_path / "c.json").write_text(json.dumps([transfer("a"), transfer("a", experience=9), transfer("b")]))
    (tmp_path / "f.csv").write_text("region,level,open\nKota A,ahli_pertama,2\n")
    r = CliRunner().invoke(main, ["evaluate", str(tmp_path / "c.json"), "--as-of", "2025-10-09", "--allocate",
                                  "--formation", str(tmp_path / "f.csv"), "--policies", str(ROOT / "policies"),
                                  "--format", "jsonl", "-q"])
    assert r.exit_code == 1, r.output
    _, *items = [json.loads(line) for line in r.stdout.splitlines()]
    assert items[1]["error"]["problems"][0]["code"] == "I031"
    given = {i["candidate"]: i["allocation"] for i in (items[0], items[2])}
    assert {c: [a["status"] for a in alloc.values()] for c, alloc in given.items()} == \
        {"a": ["allocated"], "b": ["allocated"]}
    assert "$[1] (id a)" in r.stderr


@given(st.lists(st.text(max_size=6), max_size=3000))
def test_seen_ids_remember_every_first_index(ids):
    from formasi_rules.engine._dedup import SeenIds
    seen, oracle = SeenIds(size=3), {}  # tiny tables: growth and probing are exercised
    for i, ident in enumerate(ids):
        assert seen.add(ident, i) == oracle.get(ident)
        oracle.setdefault(ident, f"$[{i}]")


@given(st.lists(st.tuples(st.text(max_size=4), st.integers(0, 3), st.sampled_from(["line", "index", "none", "odd"]),
                          st.booleans()), max_size=2000))
def test_seen_ids_name_the_first_record_by_its_own_place(entries):
    """Places as inputs give them: lines that follow on, skip (a blank line, a record over several
    lines) or are not known; a file's own index restarting (a batch over several files); a place
    that names no index ("row 5"), where the record's index in the stream is said. Each first
    record is named exactly, and only the places that do not follow on are kept."""
    from formasi_rules.engine._dedup import SeenIds
    wheres, line, own = [], 0, 0
    for ident, gap, kind, restart in entries:
        line, own = (1, 0) if restart else (line + 1 + gap, own + 1)
        wheres.append({"line": f"$[{own}] (line {line})", "index": f"$[{own}]", "none": "", "odd": f"row {line}"}[kind])
    for block in (1, 7):  # record by record, and in blocks (as Blocks come)
        seen, oracle = SeenIds(size=3), {}
        for start in range(0, len(entries), block):
            seen.places(start, wheres[start:start + block])
            for i in range(start, min(start + block, len(entries))):
                ident, kind = entries[i][0], entries[i][2]
                assert seen.add(ident, i) == oracle.get(ident)
                oracle.setdefault(ident, wheres[i] if kind in ("line", "index") else f"$[{i}]")
        changes = sum(1 for _, gap, kind, restart in entries if gap or restart or kind != "line")
        assert len(seen._steps) <= 1 + 2 * changes


def test_seen_ids_claim_no_line_past_32_bits():
    from formasi_rules.engine._dedup import SeenIds
    seen, big = SeenIds(), 2 ** 32 + 5
    seen.places(0, (f"$[0] (line {big})", f"$[1] (line {big + 1})"))
    assert seen.add("a", 0) is None
    assert seen.add("a", 1) == "$[0]"
    late = SeenIds()
    for offset, ident in enumerate("aba"):
        late.places(2 ** 32 + offset, (f"$[{2 ** 32 + offset}] (line {10 + offset})",))
        found = late.add(ident, 2 ** 32 + offset)
    assert found is not None and "line" not in found and len(late._steps) == 0


def test_allocate_refuses_what_is_not_results_of_this_engine_on_one_date(default_engine, policy):
    import datetime as dt

    import formasi_rules as fr
    from conftest import AS_OF, ROOT
    places = {"Kota Palembang": {"ahli_pertama": 1}}
    for wrong in (42, None, {"id": "a"}):
        with pytest.raises(fr.InvalidArgument, match="results must be an iterable"):
            default_engine.allocate(wrong, formation=places)
    with pytest.raises(fr.InvalidArgument, match="item 0 of the results is str"):
        default_engine.allocate(["x"], formation=places)
    a = default_engine.evaluate({"id": "a"}, as_of=AS_OF)
    b = default_engine.evaluate({"id": "b"}, as_of=AS_OF - dt.timedelta(days=1))
    with pytest.raises(fr.InvalidArgument, match="different dates"):
        default_engine.allocate([a, b], formation=places)
    with fr.Engine(fr.load_policy(ROOT / "policies" / "instruktur"), backend="reference") as other:
        c = other.evaluate({"id": "c"}, as_of=AS_OF)
    with pytest.raises(fr.InvalidArgument, match="evaluated on policy instruktur"):
        default_engine.allocate([a, c], formation=places)


@pytest.mark.parametrize("records", [{"id": "a"}, "abc", 42, b"{}"])
def test_a_batch_is_an_iterable_of_records(default_engine, records):
    """A dict would be taken key by key, a text letter by letter: each a mistake to name."""
    import formasi_rules as fr
    from conftest import AS_OF
    with pytest.raises(fr.InvalidArgument, match="records must be an iterable"):
        list(default_engine.evaluate_many(records, as_of=AS_OF))
    with pytest.raises(fr.InvalidArgument, match="records must be an iterable"):
        list(default_engine.evaluate_lines(records, as_of=AS_OF))


def test_allocate_refuses_results_evaluated_with_other_places(engine):
    """Results evaluated with places of their own, allocated with the engine's (or none at all): the
    eligible would be told "no place" for places they were never given."""
    mine = {"Kota A": {"ahli_pertama": 2}}
    records = [transfer("a"), transfer("b")]
    with fr.Engine(engine.policy, backend=engine.backend.name if engine.backend.name == "reference" else None,
                   formation={"Kota A": {"ahli_muda": 1}}) as own:
        results = list(own.evaluate_many(records, as_of=AS_OF, formation=mine))
        assert [r.outcomes["perpindahan/ahli_pertama"] for r in results] == ["eligible", "eligible"]
        with pytest.raises(fr.InvalidArgument, match=r"candidate 'a'.*ahli_pertama 2 when evaluated, 0 here.*"
                                                     r"give allocate the formation="):
            own.allocate(results)
        given = own.allocate(results, formation=mine)  # the same places: each gets one
        assert [r.decisions[0].allocation["status"] for r in given] == ["allocated", "allocated"]
    unplaced = list(engine.evaluate_many(records, as_of=AS_OF))
    with pytest.raises(fr.InvalidArgument, match="none for Kota A when evaluated"):
        engine.allocate(unplaced, formation=mine)
    elsewhere = list(engine.evaluate_many([transfer("c", region="Kota B")], as_of=AS_OF, formation=mine))
    assert engine.allocate(elsewhere, formation=mine)[0].decisions[0].allocation is None  # Kota B: none either way


def test_an_allocation_is_read_only_and_its_copy_the_callers_own(engine):
    """Every allocation note holds the one citation of the policy's allocation: changed in place
    through one candidate's result, it would change every other's. It refuses; to_dict() is a copy."""
    places = {"Kota A": {"ahli_pertama": 1}}
    results = list(engine.evaluate_many([transfer("a"), transfer("b", experience=9)], as_of=AS_OF, formation=places))
    first, second = engine.allocate(results, formation=places)
    note = first.decisions[0].allocation
    with pytest.raises(fr.InvalidArgument):
        note["citation"]["article"] = "EDITED"
    with pytest.raises(fr.InvalidArgument):
        note["status"] = "allocated"
    mine = first.to_dict()["decisions"][0]["allocation"]
    mine["citation"]["article"] = "EDITED"
    assert b"EDITED" not in second.to_bytes() and b"EDITED" not in first.to_bytes()


def test_a_result_says_where_its_record_was_and_so_does_a_later_duplicate(default_engine, tmp_path):
    """evaluate_many (the JSON and table outputs) placed an id given twice by index alone ($[2]), where
    the JSON Lines output said its line: a Result of a batch now says where its record was."""
    from click.testing import CliRunner
    from conftest import AS_OF, ROOT
    from formasi_rules.cli import main
    from formasi_rules.inputs import read_records
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "a"}\n\n{"id": "b"}\n{"id": "a", "education": "S1"}\n')
    first, second, error = default_engine.evaluate_many(read_records(path), as_of=AS_OF)
    assert (first.where, second.where) == ("$[0] (line 1)", "$[1] (line 3)")
    assert isinstance(error, fr.RecordError) and error.where == "$[2] (line 4)"
    assert default_engine.evaluate({"id": "c"}, as_of=AS_OF).where == ""
    r = CliRunner().invoke(main, ["evaluate", str(path), "--as-of", str(AS_OF), "--format", "json",
                                  "--policies", str(ROOT / "policies")])
    assert "$[2] (line 4)" in r.stderr, r.stderr
