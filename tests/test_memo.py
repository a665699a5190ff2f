"""The durable_rules backend's memo (``engine/_memo.py``): a fact answered from what the engine
fired for the same values of the keys its rules read gives what asserting it gives.

Each test runs the same facts through a backend that remembers and one that asks the engine every
time (and the reference interpreter), and checks that the memo did answer, so that agreement is
not the vacuous agreement of a memo never asked.
"""

import sys

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from formasi_rules import InputError, InvalidArgument
from formasi_rules.engine import _memo
from formasi_rules.engine._backend import ReferenceBackend
from formasi_rules.engine._durable import MAX_VALUE_BYTES, DurableBackend, load_engine
from formasi_rules.engine._memo import Memo, _properties
from formasi_rules.engine._plan import Check, Cmp, In, Plan
from formasi_rules.policy._model import Period
from test_differential import KEYS, conditions

pytest.importorskip("durable_rules_engine", reason="durable_rules does not import on this Python")
sys.path.insert(0, str(ROOT / "benchmarks"))
from evaluate import candidates as bench_candidates  # noqa: E402

# few values a key, so that facts repeat their parts' values and the memo answers most of them
small_facts = st.fixed_dictionaries({}, optional={"a": st.integers(-1, 1), "b": st.integers(-1, 1),
                                                  "c": st.sampled_from(["x", "é", 'q"'])})


def _plan(conds) -> Plan:
    checks = {f"c{i}": Check(f"c{i}", None, None, c, {}, (), frozenset(KEYS), ()) for i, c in enumerate(conds)}
    return Plan(Period(), checks, {}, frozenset(KEYS))


class _Asserts:
    """Counts the facts asserted into the engine while it is on."""

    def __init__(self, monkeypatch):
        self.n = 0
        engine = load_engine()
        assert_fact = engine.assert_fact

        def counted(handle, payload):
            self.n += 1
            return assert_fact(handle, payload)
        monkeypatch.setattr(engine, "assert_fact", counted)

    def __call__(self, work):
        before = self.n
        out = work()
        return out, self.n - before


@pytest.fixture(scope="module")
def asserts():
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield _Asserts(monkeypatch)


@settings(max_examples=60)
@given(st.lists(conditions, min_size=1, max_size=6), st.lists(small_facts, min_size=2, max_size=30),
       st.booleans())
def test_remembered_answers_are_the_engines(asserts, conds, fact_list, many):
    plan = _plan(conds)
    remembers, asks, reference = DurableBackend("memo"), DurableBackend("memo", remember=False), ReferenceBackend()
    for backend in (remembers, asks):
        backend.prepare(plan)
    try:
        if many:  # a chunk at a time, as a batch runs
            (got, learned), (every, asked) = (asserts(lambda b=b: b.run_many(plan, fact_list)) for b in (remembers, asks))
        else:
            (got, learned), (every, asked) = (asserts(lambda b=b: [b.run(plan, f) for f in fact_list])
                                              for b in (remembers, asks))
        assert got == every == [reference.run(plan, f) for f in fact_list]
        rulesets = len(remembers._rulesets[id(plan)])
        distinct = len({tuple(sorted(f.items())) for f in fact_list})
        assert learned <= distinct * rulesets  # a repeated fact at least was answered by the memo
        assert asked == len(fact_list) * rulesets or rulesets > 1  # (a fallback ruleset takes some facts only)
    finally:
        remembers.close()
        asks.close()


def test_the_shipped_plan_remembered_and_asked_agree(engines, asserts):
    """2,000 candidates of the shipped policy, across the rebuild after the first facts (ADAPT_AFTER):
    the same Firings with the memo as without, and the memo answered nearly every fact."""
    from test_durable_adapt import _facts
    plan, fact_list = _facts(engines["durable"], bench_candidates(2000))
    remembers, asks = DurableBackend("shipped", adapt_after=100), DurableBackend("shipped", remember=False)
    for backend in (remembers, asks):
        backend.prepare(plan)
    try:
        learned = 0
        for start in range(0, len(fact_list), 32):
            chunk = fact_list[start:start + 32]
            got, n = asserts(lambda: remembers.run_many(plan, chunk))
            learned += n
            assert got == asks.run_many(plan, chunk)
        got, n = asserts(lambda: [remembers.run(plan, f) for f in fact_list[:300]])
        assert got == [asks.run(plan, f) for f in fact_list[:300]]
        (ruleset,) = remembers._rulesets[id(plan)]
        assert ruleset.memo.on and learned + n < 0.25 * len(fact_list)
    finally:
        remembers.close()
        asks.close()


def test_a_memo_that_misses_more_than_it_answers_stops_being_asked(monkeypatch):
    monkeypatch.setattr(_memo, "STRETCH", 20)
    plan = _plan([Cmp("a", "ge", 0), Cmp("c", "eq", "x")])
    backend, reference = DurableBackend("memo"), ReferenceBackend()
    backend.prepare(plan)
    try:
        facts = [{"a": i, "c": "x"} for i in range(45)]  # every value new
        assert [backend.run(plan, f) for f in facts] == [reference.run(plan, f) for f in facts]
        (ruleset,) = backend._rulesets[id(plan)]
        assert not ruleset.memo.on and all(not memo for _, memo in ruleset.memo.parts)
        assert backend.run(plan, {"a": 1, "c": "y"}) == reference.run(plan, {"a": 1, "c": "y"})
    finally:
        backend.close()


def test_a_memo_is_not_judged_on_the_stretch_it_learns_in(monkeypatch):
    """A memo starts empty (and again after durable_rules rebuilt its rules): its first stretch misses
    most facts though the values repeat, and it stays on; then they are answered."""
    monkeypatch.setattr(_memo, "STRETCH", 20)
    plan = _plan([Cmp("a", "ge", 0), Cmp("c", "eq", "x")])
    backend, reference = DurableBackend("memo", adapt_after=0), ReferenceBackend()
    backend.prepare(plan)
    try:
        # the first stretch all new (judged at its 20th miss: off, were it judged), then repeats
        facts = [{"a": i, "c": "x"} for i in range(20)] + [{"a": 100, "c": "x"}] + \
            [{"a": i % 20, "c": "x"} for i in range(60)]
        assert [backend.run(plan, f) for f in facts] == [reference.run(plan, f) for f in facts]
        (ruleset,) = backend._rulesets[id(plan)]
        assert ruleset.memo.on and ruleset.memo.recall({"a": 3, "c": "x"}) is not None
    finally:
        backend.close()


def test_a_memo_forgets_past_its_limit_and_stays_right(monkeypatch):
    monkeypatch.setattr(_memo, "LIMIT", 8)  # over the memo's parts: 21 pairs of values (a, b) do not fit
    plan = _plan([In("a", (0, 2, 4), False), Cmp("b", "lt", 1)])
    backend, reference = DurableBackend("memo"), ReferenceBackend()
    backend.prepare(plan)
    try:
        facts = [{"a": i % 7, "b": i % 3} for i in range(60)]
        assert [backend.run(plan, f) for f in facts] == [reference.run(plan, f) for f in facts]
        (ruleset,) = backend._rulesets[id(plan)]
        parts = ruleset.memo.parts
        assert ruleset.memo.on and sum(len(memo) for _, memo in parts) <= 8
    finally:
        backend.close()


def test_parts_are_the_rules_that_share_keys():
    """Rules reading a and b, b and c, d alone: two parts, {a, b, c} and {d}; the kind of fact tells
    no facts apart and is no key."""
    definition = {
        "r1": {"all": [{"m": {"$and": [{"kind": "candidate"}, {"$lte": {"a": 1}}, {"b": 2}]}}]},
        "r2": {"all": [{"m": {"$and": [{"kind": "candidate"}, {"$or": [{"$nex": {"c": 1}}, {"b": 3}]}]}}]},
        "r3": {"all": [{"m": {"$and": [{"kind": "candidate"}, {"d": "x"}]}}]},
        "prime": {"all": [{"m": {"kind": "prime"}}]},
        "r4": {"all": [{"m": {"kind": "candidate"}}]},  # no key either: the same part as the priming rule
    }
    memo = Memo(definition, str, frozenset(["kind"]))
    assert sorted(keys for keys, _ in memo.parts) == [(), ("a", "b", "c"), ("d",)]
    assert memo.part_of["r1"] == memo.part_of["r2"] != memo.part_of["r3"]
    assert memo.part_of["prime"] == memo.part_of["r4"]
    assert memo.on and memo.keys == {"a", "b", "c", "d"}


@pytest.mark.parametrize("rule", [
    {"any": [{"m": {"a": 1}}]},  # a shape the memo does not know
    {"all": [{"m": {"$lte": {"a": {"$m": "b"}}}}]},  # a test against another property
    {"all": [{"m": {"a": 1}}], "pri": 1},
    {"all": ["m"]},
    {"all": [{"m": {"a": 1}}, {"n": {"b": 1}}]},  # two facts joined
])
def test_a_rule_of_an_unknown_shape_turns_the_memo_off(rule):
    assert _properties(rule) is None
    assert not Memo({"r1": rule}, str, frozenset()).on


def test_a_value_no_rule_reads_is_still_checked_for_the_engines_limit():
    """A fact key of the plan that no rule reads (here b: the plan's keys are a, b and c, its one
    check reads a) is never written for the engine when the memo answers: its size is checked as
    writing the fact would check it."""
    plan = _plan([Cmp("a", "ge", 0)])
    backend = DurableBackend("memo", adapt_after=0)
    backend.prepare(plan)
    try:
        assert backend._ready(plan)[1].unread == {"b", "c"}
        backend.run(plan, {"a": 1, "b": "y"})  # the memo learns a = 1
        huge = {"a": 1, "b": "y" * MAX_VALUE_BYTES}
        with pytest.raises(InputError, match="16 MiB"):
            backend.run(plan, huge)
        fine, refused = backend.run_many(plan, [{"a": 1, "b": "z"}, huge])
        assert isinstance(refused, InputError) and not isinstance(fine, InputError)
    finally:
        backend.close()


@pytest.mark.parametrize("backend", ["durable", "reference"])
def test_an_engine_told_not_to_remember_decides_every_candidate_afresh_and_alike(policy, backend):
    """Engine(remember=False) (an audit: durable_rules asserts every fact) gives the results of an
    engine that remembers, one process and two, and its backend's memos are never asked."""
    import datetime as dt

    import formasi_rules as fr
    from formasi_rules.inputs import JsonLine
    as_of = dt.date(2025, 10, 9)
    lines = [orjson.dumps(c).decode() for c in bench_candidates(600)]
    records = [(f"$[{i}]", JsonLine(t, "memo", i + 1)) for i, t in enumerate(lines)]
    remembers, afresh = fr.Engine(policy, backend=backend), fr.Engine(policy, backend=backend, remember=False)
    try:
        def text(engine, jobs=1):
            return b"".join(b.text for b in engine.evaluate_blocks(records, as_of=as_of, layout="compact", jobs=jobs))
        assert text(afresh) == text(remembers) == text(afresh, jobs=2)
        assert [afresh.evaluate(orjson.loads(t), as_of=as_of).outcomes for t in lines[:50]] == \
            [remembers.evaluate(orjson.loads(t), as_of=as_of).outcomes for t in lines[:50]]
        for engine, on in ((afresh, False), (remembers, True)):
            backend_of = engine._current.backend
            if backend == "durable":
                assert all(r.memo.on is on for rs in backend_of._rulesets.values() for r in rs)
            else:
                assert all((a.parts is not None) is on for _, a in backend_of._answers.values())
    finally:
        remembers.close()
        afresh.close()
    with pytest.raises(fr.InvalidArgument, match="remember must be True or False"):
        fr.Engine(policy, backend=backend, remember="no")


def test_a_distributed_batch_told_not_to_remember_gives_the_same_bytes(policy):
    import datetime as dt

    from formasi_rules.extra.partitions import Batch, _engine, evaluate_partition
    records = [(f"$[{i}]", c) for i, c in enumerate(bench_candidates(300))]
    blocks = {}
    for remember in (True, False):
        batch = Batch.of(policy, as_of=dt.date(2025, 10, 9), backend="durable", remember=remember)
        blocks[remember] = evaluate_partition(batch, records).text
        assert all(r.memo.on is remember for rs in _engine(batch)._current.backend._rulesets.values() for r in rs)
    assert blocks[True] == blocks[False]
    with pytest.raises(InvalidArgument, match="remember must be True or False"):
        Batch.of(policy, as_of=dt.date(2025, 10, 9), remember=1)
