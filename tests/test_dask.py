"""formasi_rules.extra.dask on a real local cluster (two worker processes): the bytes of one
process, error records and duplicate ids across partitions included, and a worker that holds
another policy, or another formasi_rules, refused."""

import functools
import itertools
import json
import logging
import subprocess
import sys

import attrs
import pytest

pytest.importorskip("durable_rules_engine", reason="durable_rules does not import on this Python")
dask = pytest.importorskip("dask", reason="the dask extra is not installed")
dask_bag = pytest.importorskip("dask.bag", reason="the dask extra is not installed")
distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

import formasi_rules as fr  # noqa: E402
from conftest import AS_OF, POLICY_DIR, ROOT, edit  # noqa: E402
from formasi_rules.extra import dask as frd  # noqa: E402
from formasi_rules.extra import partitions  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from evaluate import candidates  # noqa: E402  the benchmark's synthetic generator

N = 20_000
BAD = {  # index -> how the record is spoilt: each must come out as an error record
    17: ("birth_date", "1990-02-30"),  # no such date
    4_321: ("nickname", "Budi"),  # a field the policy does not know
    9_999: ("experience_years", "lima"),  # text where a number goes
}
FIRST, AGAIN = 120, 15_678  # a duplicate id, in another partition (and, as JSON Lines, another file)


@functools.cache
def records() -> list[dict]:
    """The 20,000 records (built once: read, never changed)."""
    out = list(candidates(N))
    for index, (field, value) in BAD.items():
        out[index][field] = value
    out[AGAIN]["id"] = out[FIRST]["id"]
    return out


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def one_process():
    engine = fr.Engine(fr.load_policy(POLICY_DIR), backend="durable")
    yield engine
    engine.close()


def joined(blocks) -> bytes:
    return b"".join(block.text for block in blocks)


def errors(text: bytes) -> dict[int, dict]:
    return {i: json.loads(line)["error"] for i, line in enumerate(text.splitlines()) if line.startswith(b'{"error"')}


def test_a_bag_of_records_gives_the_bytes_of_one_process(client, one_process):
    data = records()
    batch = frd.Batch.of(one_process.policy, as_of=AS_OF, backend="durable")
    got = joined(frd.evaluate_records(dask_bag.from_sequence(data, npartitions=8), batch))
    want = joined(one_process.evaluate_blocks(data, as_of=AS_OF, layout="compact"))
    assert got == want
    found = errors(got)
    assert set(found) == {*BAD, AGAIN}
    assert found[17]["where"] == "$[17]" and found[AGAIN]["problems"][0]["code"] == "I031"
    assert f"$[{FIRST}]" in found[AGAIN]["problems"][0]["en"]
    # each worker process loaded the policy once, for the batch's digest
    loaded = client.run(lambda: [digest for _, digest in partitions._POLICIES])
    assert sorted(loaded.values()) == [[batch.digest], [batch.digest]]


def test_json_lines_files_give_the_bytes_of_one_process(client, one_process, tmp_path):
    """Two files, each cut into several partitions by Dask: record places and lines counted per
    file, a line that is not JSON, a blank line and a byte-order mark as `formasi evaluate` reads them."""
    lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in records()]
    lines.insert(5_000, "{not json\n")
    lines.insert(7_000, "\n")
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("".join(lines[:12_000]), encoding="utf-8")
    second.write_text("\ufeff" + "".join(lines[12_000:]), encoding="utf-8")
    bag = dask_bag.read_text([str(first), str(second)], include_path=True, blocksize=first.stat().st_size // 4)
    assert bag.npartitions >= 5
    batch = frd.Batch.of(one_process.policy, as_of=AS_OF, backend="durable")
    got = joined(frd.evaluate_jsonl(bag, batch))
    stream = itertools.chain(fr.read_records(first, parse=False), fr.read_records(second, parse=False))
    want = joined(one_process.evaluate_blocks(stream, as_of=AS_OF, layout="compact"))
    assert got == want
    found = errors(got)
    assert len(found) == len(BAD) + 2  # the bad records, the duplicate, the line that is not JSON
    assert any(e["where"] == "$[5000] (line 5001)" and e["problems"][0]["file"] == str(first) for e in found.values())
    assert any(e["problems"][0]["code"] == "I031" for e in found.values())


def flat(record: dict, ratings_as_text: bool = True) -> dict:
    """A record as a table's row: nested fields as dotted columns, the rating history as a CSV
    writes it (YEAR:RATING;...) or left a list."""
    row = {}
    for key, value in record.items():
        if isinstance(value, dict):
            row.update({f"{key}.{k}": v for k, v in value.items()})
        elif key == "performance" and ratings_as_text:
            row[key] = ";".join(f"{r['year']}:{r['rating']}" for r in value)
        else:
            row[key] = value
    return row


def test_a_data_frame_gives_the_bytes_of_one_process(client, one_process):
    """Rows as a CSV's (dotted columns), typed as pandas types them: dates as datetime64, a
    column of whole numbers with a gap as floats, missing cells as NaN/NaT/None."""
    pandas = pytest.importorskip("pandas")
    dask_frame = pytest.importorskip("dask.dataframe")
    data = [dict(r) for r in records()[:2_000]]
    data[17].update(birth_date="1990-02-20", rank="IX/z")  # a date pandas can hold; no such rank: an error record
    del data[50]["experience_years"]  # a gap: the column becomes float64
    data[60].pop("position")  # NaN/None in every position.* column
    data[1_500]["id"] = data[3]["id"]  # a duplicate in another partition
    frame = pandas.DataFrame([flat(r) for r in data])
    frame["birth_date"] = pandas.to_datetime(frame["birth_date"])
    assert frame["experience_years"].dtype.kind == "f"
    batch = frd.Batch.of(one_process.policy, as_of=AS_OF, backend="durable")
    got = joined(frd.evaluate_frame(dask_frame.from_pandas(frame, npartitions=5), batch))
    assert got == joined(one_process.evaluate_blocks(data, as_of=AS_OF, layout="compact"))
    found = errors(got)
    assert set(found) == {17, 1_500}
    assert found[17]["where"] == "$[17]" and found[17]["problems"][0]["path"] == "$[17].rank"
    assert found[1_500]["problems"][0]["code"] == "I031"
    assert b'"experience_years":5.0' not in got  # a whole number, not a float


def test_a_data_frame_cell_may_hold_a_list_as_json_does(client, one_process):
    """A history in an object column, as from Parquet; dask turns object columns into text unless
    told not to (docs/distributed.md says so)."""
    pandas = pytest.importorskip("pandas")
    dask_frame = pytest.importorskip("dask.dataframe")
    data = [dict(r) for r in records()[:200]]
    frame = pandas.DataFrame([flat(r, ratings_as_text=False) for r in data])
    batch = frd.Batch.of(one_process.policy, as_of=AS_OF, backend="durable")
    with dask.config.set({"dataframe.convert-string": False}):
        got = joined(frd.evaluate_frame(dask_frame.from_pandas(frame, npartitions=2), batch))
    assert got == joined(one_process.evaluate_blocks(data, as_of=AS_OF, layout="compact"))
    assert set(errors(got)) == {17}  # the bad date of records(), and nothing else


def test_a_data_frame_s_columns_are_named_as_a_csv_header_s(client, one_process):
    """'Birth Date' is birth_date, as in a CSV header; two columns naming one field are refused."""
    pandas = pytest.importorskip("pandas")
    dask_frame = pytest.importorskip("dask.dataframe")
    data = [dict(r) for r in records()[:100]]
    frame = pandas.DataFrame([flat(r) for r in data])
    typed = frame.rename(columns={"birth_date": "Birth Date", "employment_status": "EMPLOYMENT-STATUS",
                                  "position.type": "Position.Type"})
    batch = frd.Batch.of(one_process.policy, as_of=AS_OF, backend="durable")
    got = joined(frd.evaluate_frame(dask_frame.from_pandas(typed, npartitions=2), batch))
    assert got == joined(one_process.evaluate_blocks(data, as_of=AS_OF, layout="compact"))
    both = frame.assign(**{"Birth Date": frame["birth_date"]})
    with pytest.raises(fr.InputError, match="I018.*birth_date"):
        frd.evaluate_frame(dask_frame.from_pandas(both, npartitions=1), batch)
    # the names come with the batch: the policy's folder need not exist here, only on the workers
    elsewhere = frd.Batch.of(one_process.policy, as_of=AS_OF, backend="durable", folder="/cluster/share/nowhere")
    assert "strategic_need" in elsewhere.columns and "birth_date" in elsewhere.columns
    frd.evaluate_frame(dask_frame.from_pandas(typed, npartitions=1), elsewhere)  # nothing loaded: no P000


def test_a_data_frame_that_cannot_make_records_is_refused_plainly(client, one_process):
    pandas = pytest.importorskip("pandas")
    dask_frame = pytest.importorskip("dask.dataframe")
    batch = frd.Batch.of(one_process.policy, as_of=AS_OF, backend="durable")
    with pytest.raises(fr.InvalidArgument, match="from_pandas"):
        frd.evaluate_frame(pandas.DataFrame({"id": ["a"]}), batch)
    clash = pandas.DataFrame({"id": ["a"], "position": ["jf"], "position.level": ["ahli_muda"]})
    with pytest.raises(fr.InputError, match="I018.*position"):
        frd.evaluate_frame(dask_frame.from_pandas(clash, npartitions=1), batch)
    unnamed = pandas.DataFrame([["a", "PNS"]])
    with pytest.raises(fr.InvalidArgument, match="named by text"):
        frd.evaluate_frame(dask_frame.from_pandas(unnamed, npartitions=1), batch)


def test_the_full_layout_too(client, one_process):
    data = records()[:300] + [records()[FIRST]]
    batch = frd.Batch.of(one_process.policy, as_of=AS_OF, layout="full", backend="durable")
    got = joined(frd.evaluate_records(dask_bag.from_sequence(data, npartitions=3), batch))
    assert got == joined(one_process.evaluate_blocks(data, as_of=AS_OF, layout="full"))


def test_the_catalogue_line_is_the_one_formasi_evaluate_writes(client, one_process):
    batch = frd.Batch.of(one_process.policy, as_of=AS_OF, backend="durable")
    assert json.loads(frd.catalogue_line(batch)) == json.loads(json.dumps(one_process.catalogue(AS_OF)))


def test_a_worker_with_another_copy_of_the_policy_refuses_it(client, policy_copy):
    policy = fr.load_policy(policy_copy)
    batch = frd.Batch.of(policy, as_of=AS_OF, backend="durable")
    bag = dask_bag.from_sequence(list(candidates(40)), npartitions=2)
    edit(policy_copy / "policy.yaml", "\n", "\n# edited where the workers read it\n")
    with pytest.raises(fr.EngineError, match="changed after the batch started, or this machine holds another"):
        list(frd.evaluate_records(bag, batch))
    # the edited folder is a new digest: a batch of it is loaded afresh, not taken from the cache
    assert len(joined(frd.evaluate_records(bag, frd.Batch.of(fr.load_policy(policy_copy), as_of=AS_OF))
                      ).splitlines()) == 40
    with pytest.raises(fr.EngineError, match="formasi_rules .* and the client 0.0.0"):
        list(frd.evaluate_records(bag, attrs.evolve(batch, version="0.0.0")))


def test_a_policy_broken_on_the_workers_reaches_the_client_whole(client, policy_copy):
    batch = frd.Batch.of(fr.load_policy(policy_copy), as_of=AS_OF, backend="durable")
    (policy_copy / "policy.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(fr.PolicyError) as caught:
        list(frd.evaluate_records(dask_bag.from_sequence(list(candidates(4)), npartitions=2), batch))
    assert caught.value.problems and all(isinstance(p, fr.Problem) for p in caught.value.problems)
    assert "policy.yaml" in str(caught.value)


def test_mistakes_are_said_plainly(client, one_process):
    batch = frd.Batch.of(one_process.policy, as_of=AS_OF, backend="durable")
    with pytest.raises(fr.InvalidArgument, match="include_path=True"):
        list(frd.evaluate_jsonl(dask_bag.from_sequence(['{"id": "a"}\n']), batch))
    with pytest.raises(fr.InvalidArgument, match="dask bag"):
        frd.evaluate_records([{"id": "a"}], batch)
    with pytest.raises(fr.InvalidArgument, match="no route and level"):
        list(frd.evaluate_records(dask_bag.from_sequence([{"id": "a"}]), attrs.evolve(batch, route="nope")))
    with pytest.raises(fr.InvalidArgument, match="layout"):
        frd.Batch.of(one_process.policy, as_of=AS_OF, layout="short")
    with pytest.raises(fr.InvalidArgument, match="as_of"):
        frd.Batch.of(one_process.policy, as_of="2025-10-09")


def test_without_dask_the_import_names_the_extra_and_the_contract_still_imports():
    code = "import sys; sys.modules['dask'] = None; import formasi_rules.extra.{}"
    run = subprocess.run([sys.executable, "-c", code.format("dask")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "pip install 'formasi-rules[dask]'" in run.stderr
    run = subprocess.run([sys.executable, "-c", code.format("partitions")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr


def test_the_contract_by_hand_as_spark_would_use_it(one_process):
    """What docs/distributed.md sketches for Spark's mapPartitions, in this process: parts with
    their global places, one Block each, duplicates marked over them in order."""
    data = records()[:400] + [records()[FIRST]]
    batch = partitions.Batch.of(one_process.policy, as_of=AS_OF, backend="durable")
    placed = [(f"$[{i}]", r) for i, r in enumerate(data)]
    parts = [placed[i:i + 150] for i in range(0, len(placed), 150)]
    got = joined(partitions.mark_duplicates(partitions.evaluate_partition(batch, part) for part in parts))
    assert got == joined(one_process.evaluate_blocks(data, as_of=AS_OF, layout="compact"))
    assert errors(got)[400]["problems"][0]["code"] == "I031"


def test_errors_pickle_whole():  # as a worker's error reaches the client
    import pickle

    error = fr.PolicyError([fr.Problem("P001", "rusak", "broken", file="policy.yaml")], "the policy is broken")
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is fr.PolicyError and back.problems == error.problems and str(back) == str(error)
