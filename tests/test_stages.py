"""A batch evaluated in chunks, stage by stage (engine/_stages.py), gives what one record at a time
gives: the same results and error records in the same order, across chunk boundaries, and an error
that ends the batch ends it after every record before it was given out."""

import sys

import orjson
import pytest

import formasi_rules as fr
from conftest import AS_OF, BACKENDS, ROOT
from formasi_rules.engine import _stages
from formasi_rules.inputs import JsonLine, structure_candidate

sys.path.insert(0, str(ROOT / "benchmarks"))
from evaluate import candidates  # noqa: E402  the benchmark's synthetic generator


def _mixed(n: int, policy) -> list:
    """Good records with bad ones among them, of every stage's kind of error."""
    records = [dict(r) for r in candidates(n)]
    targets = set(fr.Engine(policy, backend="reference").plan(AS_OF).targets)
    route, level = next((r, lv) for r in policy.routes for lv in policy.levels if (r, lv) not in targets)
    for i in range(0, n, 7):
        records[i]["rank_since"] = "2030-01-01"  # after the evaluation date: derivation's error (I020)
    for i in range(3, n, 11):
        records[i]["education"] = "S9"  # unknown value: reading's error
    for i in range(5, n, 13):
        records[i]["request"] = {"route": route, "level": level}  # no such decision: the targets' error (I030)
    records[40]["id"] = records[2]["id"]  # a later record with an id given before (I031)
    return records


def _one_by_one(engine, records, layout=None):
    """What each record gives alone: its Result (or text), or its error record."""
    out = []
    for i, record in enumerate(records):
        where = f"$[{i}]"
        try:
            result = engine.evaluate(record, as_of=AS_OF)
            out.append(result.to_bytes(layout) if layout else result.to_dict())
        except fr.InputError as exc:
            out.append(("error", where, tuple(p.code for p in exc.problems)))
    return out


def _batch(items, layout=None):
    return [("error", item.where, tuple(p.code for p in item.problems)) if isinstance(item, fr.RecordError)
            else (item.to_bytes(layout) if layout else item.to_dict()) for item in items]


@pytest.mark.parametrize("backend", BACKENDS)
def test_chunks_give_what_records_give_one_by_one(policy, backend):
    records = _mixed(150, policy)  # more than two chunks, the last one short
    with fr.Engine(policy, backend=backend) as engine:
        alone = _one_by_one(engine, records)
        alone[40] = ("error", "$[40]", ("I031",))  # only a batch knows an id came before
        assert _batch(engine.evaluate_many(records, as_of=AS_OF)) == alone
        for chunk in (1, 2, 63, 64, 65, 1000):
            got = _batch(engine._batch(records, AS_OF, None, None, None, 1, None, chunk=chunk))
            assert got == alone, chunk
        kinds = {item[2] for item in alone if isinstance(item, tuple)}
        assert {("I020",), ("I030",), ("I031",)} <= kinds and any(k[0].startswith("I0") for k in kinds)


@pytest.mark.parametrize("layout", ["compact", "full"])
def test_chunked_text_is_the_text_of_each_result(default_engine, layout):
    records = _mixed(70, default_engine.policy)
    lines = [JsonLine(orjson.dumps(r).decode(), "x.jsonl", i + 1) for i, r in enumerate(records)]
    pairs = [(f"$[{i}] (line {i + 1})", line) for i, line in enumerate(lines)]
    text = b"".join(block.text for block in default_engine.evaluate_blocks(pairs, as_of=AS_OF, layout=layout))
    one = b"".join(item.to_bytes(layout) + b"\n" if not isinstance(item, fr.RecordError)
                   else item.to_bytes(layout) + b"\n"
                   for item in default_engine._batch(pairs, AS_OF, None, None, None, 1, layout, blocks=False, chunk=1))
    assert text == one and text.count(b"\n") == len(records)


def test_an_iterable_that_fails_gives_out_the_records_before(default_engine):
    records = [dict(r) for r in candidates(10)]

    def source():
        yield from records[:5]
        raise OSError("the disk went away")

    got = []
    with pytest.raises(OSError, match="disk went away"):
        for item in default_engine.evaluate_many(source(), as_of=AS_OF):
            got.append(item)
    assert [r.candidate for r in got] == [r["id"] for r in records[:5]]


def test_an_engine_error_in_a_chunk_gives_out_the_records_before(policy, monkeypatch):
    """run_many fails for the chunk: one by one, every record before the failing one is given out."""
    records = [dict(r) for r in candidates(10)]
    failing = records[6]["id"]
    with fr.Engine(policy, backend="reference") as engine:
        backend = engine._current.backend
        real_run = backend.run

        def run_many(plan, facts):
            raise fr.EngineError("the rules engine failed")

        def run(plan, fact):
            if run.calls == 6:
                raise fr.EngineError(f"the rules engine failed at {failing}")
            run.calls += 1
            return real_run(plan, fact)
        run.calls = 0
        monkeypatch.setattr(backend, "run_many", run_many)
        monkeypatch.setattr(backend, "run", run)
        got = []
        with pytest.raises(fr.EngineError, match=failing):
            for item in engine.evaluate_many(records, as_of=AS_OF):
                got.append(item)
        assert [r.candidate for r in got] == [r["id"] for r in records[:6]]


def test_chunks_of_an_iterable(monkeypatch):
    assert [len(c) for c in _stages._chunks(range(130), 64)] == [64, 64, 2]
    assert list(_stages._chunks([], 64)) == []
    assert [c[0] for c in next(_stages._chunks("ab", 64))] == [0, 1]  # each item with its index


@pytest.mark.skipif("durable" not in BACKENDS, reason="durable_rules does not import here")
def test_durable_run_many_is_run_fact_by_fact(policy):
    """Each ruleset over the whole chunk: the same firings as each fact alone, an InputError in its
    place for a fact the engine cannot hold, and the others unharmed."""
    from formasi_rules.engine._durable import MAX_VALUE_BYTES, DurableBackend

    with fr.Engine(policy, backend="reference") as engine:
        compiled = engine._current
        index = compiled.index(AS_OF)
        plan = compiled.plans[index]
        facts = []
        for record in candidates(40):
            candidate = structure_candidate(record, "$", policy)
            try:
                derived = _stages._prepared(compiled, index, candidate, AS_OF, None, None, None)[1]
                facts.append(_stages._fact(compiled, index, derived))
            except fr.InputError:
                continue
        text_key = next(k for k, v in facts[0].items() if isinstance(v, str))
        facts.insert(3, {**facts[3], text_key: "x" * (MAX_VALUE_BYTES + 1)})
        durable = DurableBackend(adapt_after=0)
        try:
            durable.prepare(plan)
            many = durable.run_many(plan, facts)
            assert isinstance(many[3], fr.InputError) and many[3].problems[0].code == "I022"
            for i, fact in enumerate(facts):
                if i != 3:
                    assert many[i] == durable.run(plan, fact) == compiled.backend.run(plan, fact)
        finally:
            durable.close()


def test_a_bug_in_a_stage_gives_out_the_records_before(policy, monkeypatch):
    """Not only an EngineError: whatever stops the batch at a record (a bug in a derivation, an
    interrupt) stops it after every record before was given out, as one by one."""
    records = [dict(r) for r in candidates(20)]
    with fr.Engine(policy, backend="reference") as engine:
        assert _given_out_before_a_bug(engine, records, 10, monkeypatch) == [r["id"] for r in records[:10]]


def _given_out_before_a_bug(engine, records, at, monkeypatch):
    """The ids given out before ``evaluate_many`` raised the ZeroDivisionError a derivation raises
    at ``records[at]``."""
    deriver = engine._current.deriver
    real = deriver.derive

    def derive(candidate, as_of, places, shown=True):
        if candidate.id == records[at]["id"]:
            raise ZeroDivisionError("a bug")
        return real(candidate, as_of, places, shown)
    monkeypatch.setattr(deriver, "derive", derive)
    got = []
    with pytest.raises(ZeroDivisionError):
        for item in engine.evaluate_many(records, as_of=AS_OF):
            got.append(item.candidate)
    return got


def test_a_bug_in_reading_gives_out_the_records_before(policy, monkeypatch):
    """Each stage runs over the whole chunk before the next: a record that stops the reading (a
    bug, an interrupt) still stops the batch after every record before it was given out, and a
    derivation stopping at a record before it is raised instead (it came first)."""
    from formasi_rules.engine import _stages
    records = [dict(r) for r in candidates(20)]
    real = _stages._read

    def read(item, policy):
        if item[1]["id"] == records[12]["id"]:
            raise KeyboardInterrupt
        return real(item, policy)
    monkeypatch.setattr(_stages, "_read", read)
    with fr.Engine(policy, backend="reference") as engine:
        got = []
        with pytest.raises(KeyboardInterrupt):
            for item in engine.evaluate_many(records, as_of=AS_OF):
                got.append(item)
        assert [r.candidate for r in got] == [r["id"] for r in records[:12]]
        assert _given_out_before_a_bug(engine, records, 5, monkeypatch) == [r["id"] for r in records[:5]]
