"""The compact layout: a catalogue once, a short record per candidate, and nothing lost."""

import datetime as dt
import json
import pickle
import sys

import attrs
import jsonschema
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

import formasi_rules as fr
from conftest import AS_OF, ROOT
from formasi_rules.cli import main
from test_schemas import schema

sys.path.insert(0, str(ROOT / "benchmarks"))
from evaluate import candidates  # noqa: E402  the benchmark's synthetic generator

EXAMPLES = ROOT / "examples" / "sumsel"
POLICIES = str(ROOT / "policies")


def test_expand_gives_back_exactly_the_full_result(engine):
    catalogue = json.loads(json.dumps(engine.catalogue(AS_OF)))  # as a reader of the file has it
    records = json.loads((EXAMPLES / "candidates.json").read_text()) + list(candidates(400))
    compared = 0
    for result in engine.evaluate_many(records, as_of=AS_OF, formation=EXAMPLES / "formation.csv"):
        compact = json.loads(result.to_json("compact"))
        assert fr.expand(catalogue, compact) == json.loads(result.to_json())
        compared += 1
    assert compared == len(records)


def test_compact_is_much_smaller_and_names_what_failed(default_engine):
    result = default_engine.evaluate(next(iter(candidates(1))), as_of=AS_OF)
    assert len(result.to_json()) > 20 * len(result.to_json("compact"))
    compact = result.to_dict("compact")
    assert compact["decisions"] == {f"{d.route}/{d.level}": d.outcome for d in result.decisions}
    for decision in result.decisions:
        assert set(decision.failed) <= set(compact["failed"])
        assert len(decision.failed) == sum(r.passed is False for r in decision.reasons) > 0
    assert not set(compact["actual"]) & set(compact["derived"])  # each value shown once


def test_an_unknown_layout_is_refused(default_engine):
    result = default_engine.evaluate(next(iter(candidates(1))), as_of=AS_OF)
    with pytest.raises(fr.InvalidArgument, match="full, compact"):
        result.to_json("short")
    with pytest.raises(fr.InvalidArgument, match="full, compact"):
        next(default_engine.evaluate_lines([], as_of=AS_OF, layout="short"))


def test_expand_refuses_a_record_of_another_run(default_engine):
    catalogue = default_engine.catalogue(AS_OF)
    compact = default_engine.evaluate(next(iter(candidates(1))), as_of=AS_OF).to_dict("compact")
    with pytest.raises(fr.InvalidArgument, match="catalogue"):
        fr.expand({"not": "a catalogue"}, compact)
    del catalogue["catalogue"]["decisions"][0]
    with pytest.raises(fr.InvalidArgument, match="another run"):
        fr.expand(catalogue, compact)
    edited = {**compact, "failed": []}  # every failed check turned into a pass
    with pytest.raises(fr.InvalidArgument, match="contradicts its checks"):
        fr.expand(default_engine.catalogue(AS_OF), edited)
    error = {"error": {"where": "$[0]", "candidate": None, "problems": []}}
    assert fr.expand(default_engine.catalogue(AS_OF), error) == error


def test_a_pickled_result_carries_its_reasons_not_the_engine(default_engine):
    result = default_engine.evaluate(next(iter(candidates(1))), as_of=AS_OF)
    data = pickle.dumps(result)
    assert b"Explainer" not in data and b"Policy" not in data
    back = pickle.loads(data)
    assert back == result and back.to_json() == result.to_json()


@pytest.mark.parametrize("layout", ["compact", "full"])
@pytest.mark.parametrize("narrow", [{}, {"route": "kenaikan_jenjang"}, {"level": "ahli_muda"}])
def test_blocks_are_the_text_of_each_result(engine, narrow, layout):
    """Blocks are written straight from the firings, without Results or Decisions: the bytes
    must be what each Result gives, for every outcome, unknowns and bad records included."""
    records = json.loads((EXAMPLES / "candidates.json").read_text()) + list(candidates(300))
    records += [{"id": "bad", "birth_date": "1990-02-30"}, {"id": "nodata"}, {  # due by two routes at once
        "id": "kj-kp", "employment_status": "PNS", "education": "S1", "rank": "III/a", "region": "Kota Lahat",
        "credit_points": 100, "position": {"type": "jf", "name": "Pengantar Kerja", "level": "ahli_pertama",
                                           "since": "2018-01-01"},
        "performance": [{"year": 2024, "rating": "baik"}], "competency_test": {"status": "passed",
                                                                              "level": "ahli_muda"}}]
    for formation in (None, {"Kota Lahat": {"ahli_muda": 1}}, EXAMPLES / "formation.csv"):
        pairs = [(f"$[{i}]", r) for i, r in enumerate(records)]
        blocks = b"".join(block.text for block in engine.evaluate_blocks(
            pairs, as_of=AS_OF, formation=formation, layout=layout, **narrow))
        made = list(engine.evaluate_many(pairs, as_of=AS_OF, formation=formation, **narrow))
        results = [r.to_bytes(layout) for r in made]
        assert results == [orjson.dumps(r.to_dict(layout)) for r in made]  # the shape, not only the pieces
        assert blocks == b"".join(r + b"\n" for r in results)
        lines = [t for t, _ in engine.evaluate_lines(pairs, as_of=AS_OF, formation=formation, layout=layout,
                                                     **narrow)]
        assert lines == [r.decode() for r in results]
        outcomes = [json.loads(t) for t in lines]
        if layout == "compact":
            assert any(o.get("undetermined") for o in outcomes) and any(o.get("failed") == [] for o in outcomes)
        else:
            assert any(d["missing"] for o in outcomes for d in o.get("decisions", ()))
            assert any(o.get("precedence") for o in outcomes) or narrow or formation is None


@pytest.mark.parametrize("layout", ["compact", "full"])
def test_workers_write_the_same_bytes_duplicates_and_filters_included(default_engine, layout):
    """A worker's chunk goes the same way as this process's: the same bytes with a level filter, and
    a duplicate id inside a chunk a worker evaluates is named by its place in the whole input."""
    records = list(candidates(1200))
    for first, later in ((5, 6), (300, 301), (610, 640), (1000, 1180)):  # within and across chunks
        records[later] = {**records[later], "id": records[first]["id"]}
    pairs = [(f"$[{i}]", r) for i, r in enumerate(records)]
    one, two = (b"".join(b.text for b in default_engine.evaluate_blocks(
        pairs, as_of=AS_OF, layout=layout, level="ahli_muda", jobs=jobs)) for jobs in (1, 2))
    assert one == two
    assert one.count(b'"I031"') == 4 and b"$[1180]" in one and b"$[301]" in one


def test_jobs_give_the_same_compact_text(default_engine):
    records = [(f"$[{i}]", r) for i, r in enumerate(candidates(300))]
    one = [t for t, _ in default_engine.evaluate_lines(records, as_of=AS_OF, layout="compact")]
    two = [t for t, _ in default_engine.evaluate_lines(records, as_of=AS_OF, layout="compact", jobs=2)]
    assert one == two


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_cli_compact_then_expand_is_the_full_output_byte_for_byte(tmp_path, fmt):
    bad = tmp_path / "c.json"
    bad.write_text(json.dumps(json.loads((EXAMPLES / "candidates.json").read_text())
                              + [{"id": "late", "birth_date": "2030-01-01"}]))
    common = ["evaluate", str(bad), "--as-of", "2025-10-09", "--format", fmt, "--policies", POLICIES,
              "--workload", str(EXAMPLES / "workload.csv"), "--existing", str(EXAMPLES / "officers.csv"),
              "--allocate"]
    outs = {}
    for layout in ("full", "compact"):
        outs[layout] = tmp_path / f"{layout}.{fmt}"
        r = CliRunner().invoke(main, [*common, "--layout", layout, "-o", str(outs[layout])])
        assert r.exit_code == 1, r.stderr  # the late record is rejected, the rest written
    expanded = tmp_path / f"expanded.{fmt}"
    r = CliRunner().invoke(main, ["expand", str(outs["compact"]), "-o", str(expanded)])
    assert r.exit_code == 1, r.stderr  # the late record's error item, passed through, is said again
    assert "1 of them rejected by the run" in r.stderr
    assert expanded.read_text() == outs["full"].read_text()
    text = outs["compact"].read_text()
    whole = (json.loads(text) if fmt == "json" else
             {"catalogue": json.loads(text.splitlines()[0])["catalogue"],
              "results": [json.loads(line) for line in text.splitlines()[1:]]})
    jsonschema.validate(whole, schema("result-compact"))
    assert any("allocation" in r for r in whole["results"])


def test_jsonl_is_compact_by_default_and_table_has_one_layout(tmp_path):
    r = CliRunner().invoke(main, ["evaluate", str(EXAMPLES / "candidates.json"), "--as-of", "2025-10-09",
                                  "--format", "jsonl", "--policies", POLICIES])
    assert r.exit_code == 0 and "catalogue" in json.loads(r.stdout.splitlines()[0])
    r = CliRunner().invoke(main, ["evaluate", str(EXAMPLES / "candidates.json"), "--as-of", "2025-10-09",
                                  "--format", "table", "--layout", "compact", "--policies", POLICIES])
    assert r.exit_code == 2 and "one layout" in r.stderr and "internal error" not in r.stderr


def test_expand_says_what_is_wrong_with_its_input(tmp_path):
    plain = tmp_path / "plain.jsonl"
    plain.write_text('{"candidate": "a"}\n')
    r = CliRunner().invoke(main, ["expand", str(plain)])
    assert r.exit_code == 2 and "not the output of a compact run" in r.stderr
    broken = tmp_path / "broken.jsonl"
    catalogue = fr.Engine(fr.load_policy(ROOT / "policies" / "pengantar_kerja"), backend="reference").catalogue(AS_OF)
    broken.write_text(json.dumps(catalogue) + "\n{oops\n")
    r = CliRunner().invoke(main, ["expand", str(broken)])
    assert r.exit_code == 1 and "broken.jsonl:2 $[0]: I011: not valid JSON" in r.stderr
    assert json.loads(r.stdout)["error"]["where"] == "$[0] (line 2)"


def test_expand_refuses_a_record_of_a_run_on_another_day_naming_its_line(tmp_path):
    """A 2025 catalogue put before a 2024 record expanded without a word: the result said 2025-10-09
    and its reasons read ages of 2024. Two runs' outputs joined failed with "no 'failed'"."""
    engine = fr.Engine(fr.load_policy(ROOT / "policies" / "pengantar_kerja"), backend="reference")
    record = next(iter(candidates(1)))
    earlier = engine.evaluate(record, as_of=AS_OF - dt.timedelta(days=365)).to_dict("compact")
    with pytest.raises(fr.InvalidArgument, match="decided on .* its catalogue's run on"):
        fr.expand(engine.catalogue(AS_OF), earlier)
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(json.dumps(engine.catalogue(AS_OF)) + "\n" + json.dumps(earlier) + "\n")
    r = CliRunner().invoke(main, ["expand", str(mixed)])
    assert r.exit_code == 1 and "mixed.jsonl:2 $[0]: I032: record" in r.stderr and "another run" in r.stderr
    joined = tmp_path / "joined.jsonl"
    joined.write_text(json.dumps(engine.catalogue(AS_OF)) + "\n" + json.dumps(engine.catalogue(AS_OF)) + "\n")
    r = CliRunner().invoke(main, ["expand", str(joined)])
    assert r.exit_code == 2 and "(line 2): a second catalogue" in r.stderr  # two runs joined: the whole file
    # the compact JSON object is refused before any of it is written: no half a JSON list on standard output
    whole = tmp_path / "joined.json"
    one = engine.evaluate(record, as_of=AS_OF).to_dict("compact")
    whole.write_text(json.dumps({**engine.catalogue(AS_OF), "results": [one, engine.catalogue(AS_OF)]}))
    r = CliRunner().invoke(main, ["expand", str(whole)])
    assert r.exit_code == 2 and "$.results[1]: a second catalogue" in r.stderr and r.stdout == "", r.stdout[:200]


@settings(max_examples=60)
@given(data=st.data())
def test_the_record_from_pieces_is_the_generic_records(default_engine, data):
    """The compact record joined from pieces rendered once (failed and undetermined checks by bit
    mask, each decision's outcome) is byte for byte what the generic writer gives, for any outcome
    of every check and any set of targets."""
    from formasi_rules.engine._backend import Firings
    from formasi_rules.engine._derive import Derived
    compiled = default_engine._current
    index = compiled.index(AS_OF)
    plan, explainer = compiled.plans[index], compiled.explainers[index]
    targets = data.draw(st.sampled_from([list(plan.targets)] + [
        [t for t in plan.targets if t[0] == route] for route in {r for r, _ in plan.targets}] + [
        [t for t in plan.targets if t[1] == level] for level in {lv for _, lv in plan.targets}]))
    states = data.draw(st.lists(st.sampled_from([True, False, None]), min_size=len(plan.order),
                                max_size=len(plan.order)))
    passed = sum(1 << i for i, s in enumerate(states) if s is True)
    failed = sum(1 << i for i, s in enumerate(states) if s is False)
    firings = Firings(passed, failed, frozenset(), plan)
    derived = Derived({"as_of": AS_OF, "age": 40}, {}, {})
    shown = {"age": 40, "explain": {}}
    fast = explainer.compact("x\"y", shown, derived, firings, targets)
    bundle = explainer._bundle(targets)
    explainer.__dict__["_last"] = (list(targets), attrs.evolve(bundle, pieces=None))  # the generic writer
    try:
        assert explainer.compact("x\"y", shown, derived, firings, targets) == fast
    finally:
        explainer.__dict__.pop("_last")


def test_records_asking_each_for_their_own_target_reuse_the_pieces(policy, monkeypatch):
    """Candidates that each ask for a route and level make the targets change from one record to
    the next: what depends on the targets is made once per set of targets, not once per record
    (made per record, a run of the examples fell to ~700 records/s)."""
    from formasi_rules.engine import _explain
    made = []
    real = _explain._Pieces.__init__
    monkeypatch.setattr(_explain._Pieces, "__init__", lambda self, *a: made.append(a[1]) or real(self, *a))
    asks = [{"route": "perpindahan", "level": "ahli_muda"}, {"route": "penyesuaian"}, {}]
    records = [{**r, "id": f"r{i}", **({"request": asks[i % 3]} if asks[i % 3] else {})}
               for i, r in enumerate(candidates(90))]
    with fr.Engine(policy, backend="reference") as engine:
        blocks = list(engine.evaluate_blocks(records, as_of=AS_OF, layout="compact"))
    assert sum(b.count for b in blocks) == 90
    assert len(made) == len(set(made)) <= 3


def test_the_lists_of_check_names_kept_are_bounded(default_engine, monkeypatch):
    """The pieces keep each list of check names they render, by its mask, up to MAX_LISTS: past
    that the lists are made afresh, and every record is the same text either way."""
    from formasi_rules.engine import _explain
    records = list(candidates(300))
    before = [b.text for b in default_engine.evaluate_blocks(records, as_of=AS_OF, layout="compact")]
    monkeypatch.setattr(_explain._Pieces, "MAX_LISTS", 3)
    compiled = default_engine._current
    for explainer in compiled.explainers:
        explainer._bundles.clear()
        explainer.__dict__.pop("_last", None)
    after = [b.text for b in default_engine.evaluate_blocks(records, as_of=AS_OF, layout="compact")]
    assert after == before
    kept = [bundle.pieces._lists for e in compiled.explainers for bundle in e._bundles.values() if bundle.pieces]
    assert kept and all(0 < len(lists) <= 3 for lists in kept)


@pytest.mark.parametrize("edit", [
    {"decisions": [1]}, {"decisions": {"pengangkatan_pertama": "eligible"}},
    {"decisions": {"a/b/c": "eligible"}}, {"derived": []}, {"failed": [[1]]}, {"failed": 5},
    {"allocation": [1]}, {"actual": []},
])
def test_expand_refuses_a_record_not_as_a_compact_run_writes_it(default_engine, tmp_path, edit):
    """A compact record edited by hand or by a script (decisions as a list, a target without its
    level) ended 'formasi expand' as an internal error (exit 3, AttributeError, ValueError): it is
    refused naming its line, in both languages, as a record of another run is."""
    compact = default_engine.evaluate(next(iter(candidates(1))), as_of=AS_OF).to_dict("compact")
    with pytest.raises(fr.InvalidArgument, match="does not fit this catalogue"):
        fr.expand(default_engine.catalogue(AS_OF), {**compact, **edit})
    path = tmp_path / "edited.jsonl"
    path.write_text(json.dumps(default_engine.catalogue(AS_OF)) + "\n" + json.dumps({**compact, **edit}) + "\n")
    r = CliRunner().invoke(main, ["expand", str(path)])
    assert r.exit_code == 1 and "edited.jsonl:2 $[0]: I032: record" in r.stderr and "internal error" not in r.stderr
    assert "tidak cocok dengan katalog" in r.stderr


def test_expand_speaks_both_languages(default_engine, tmp_path):
    """Every refusal of expand is said in Bahasa Indonesia too (it was English only)."""
    record = next(iter(candidates(1)))
    earlier = default_engine.evaluate(record, as_of=AS_OF - dt.timedelta(days=365)).to_dict("compact")
    catalogue = default_engine.catalogue(AS_OF)
    for bad, said in ((earlier, "dari run lain"), (catalogue, "dua run"), ([1], "harus objek"),
                      ({**default_engine.evaluate(record, as_of=AS_OF).to_dict("compact"), "failed": []},
                       "bertentangan")):
        with pytest.raises(fr.InvalidArgument, match=said):
            fr.expand(catalogue, bad)
    with pytest.raises(fr.InvalidArgument, match="katalog"):
        fr.expand({"not": "a catalogue"}, earlier)
    with pytest.raises(fr.InvalidArgument, match="versi"):
        fr.expand({"catalogue": {**catalogue["catalogue"], "version": 99}}, earlier)


def test_expand_skips_a_byte_order_mark(tmp_path):
    """A compact output saved again by a Windows editor begins with a byte-order mark: it was 'not
    valid JSON (Unexpected UTF-8 BOM)', where every reader of this library skips it."""
    compact, full = tmp_path / "c.jsonl", tmp_path / "f.jsonl"
    for path, layout in ((compact, "compact"), (full, "full")):
        r = CliRunner().invoke(main, ["evaluate", str(EXAMPLES / "candidates.json"), "--as-of", "2025-10-09",
                                      "--format", "jsonl", "--layout", layout, "-q", "--policies", POLICIES,
                                      "--backend", "reference", "-o", str(path)])
        assert r.exit_code == 0, r.output
    marked = tmp_path / "marked.jsonl"
    marked.write_bytes(b"\xef\xbb\xbf" + compact.read_bytes())
    r = CliRunner().invoke(main, ["expand", str(marked)])
    assert r.exit_code == 0, r.stderr
    assert r.stdout == full.read_text(encoding="utf-8")
    r = CliRunner().invoke(main, ["expand", "-"], input=b"\xef\xbb\xbf" + compact.read_bytes())
    assert r.exit_code == 0 and r.stdout == full.read_text(encoding="utf-8"), r.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_expand_reports_each_bad_record_and_expands_the_rest(default_engine, tmp_path, fmt):
    """'formasi expand' stopped at the first record it could not expand (exit 2), the records after it
    never written: each is now said on standard error with its line and why, its place in the output an
    error item (as 'formasi evaluate' writes a rejected record), the rest expanded; exit status 1."""
    records = list(candidates(3))
    compact = [default_engine.evaluate(r, as_of=AS_OF).to_dict("compact") for r in records]
    full = [json.loads(default_engine.evaluate(r, as_of=AS_OF).to_json()) for r in records]
    catalogue = default_engine.catalogue(AS_OF)
    path = tmp_path / f"c.{fmt}"
    if fmt == "jsonl":
        path.write_text("\n".join([json.dumps(catalogue), json.dumps(compact[0]), '{"candidate": "x", "fai',
                                   json.dumps({**compact[1], "decisions": [1]}), json.dumps(compact[2])]) + "\n")
    else:
        path.write_text(json.dumps({**catalogue, "results": [compact[0], [1], {**compact[1], "decisions": [1]},
                                                             compact[2]]}))
    r = CliRunner().invoke(main, ["expand", str(path)])
    assert r.exit_code == 1 and "internal error" not in r.stderr and "Traceback" not in r.output
    out = [json.loads(line) for line in r.stdout.splitlines()] if fmt == "jsonl" else json.loads(r.stdout)
    assert out[0] == full[0] and out[3] == full[2]
    assert [sorted(item) for item in out[1:3]] == [["error"], ["error"]]
    if fmt == "jsonl":
        assert f"{path}:3 $[1]: I011: not valid JSON" in r.stderr
        assert f"{path}:4 $[2]: I032: record {compact[1]['candidate']!r} does not fit" in r.stderr
    else:
        assert f"{path} $.results[1]: I032:" in r.stderr and f"{path} $.results[2]: I032:" in r.stderr
    assert "4 record(s): 2 expanded, 2 rejected" in r.stderr and "evaluate its candidate again" in r.stderr
    hints = [problem["hint"] for item in out[1:3] for problem in item["error"]["problems"]]
    assert len(hints) == 2 and all("evaluasi lagi kandidatnya" in hint for hint in hints), hints  # both languages
