"""Which side of a check fires: the pass rule, with failure inferred, gives the same results.

DurableBackend counts each check's passes and fails over a plan's first facts and then lets the
rarer side fire (compile_plan's ``flip``). These tests force every check that can be flipped, on
random conditions and facts and on the shipped policy, and compare with the reference backend.
"""

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

import formasi_rules as fr
from conftest import AS_OF, ROOT
from formasi_rules.engine._backend import ReferenceBackend
from formasi_rules.engine._durable import DurableBackend, _Ruleset, load_engine
from formasi_rules.engine._rulesets import ALPHA_BUDGET, compile_plan
from formasi_rules.engine._encode import encode_fact
from formasi_rules.engine._plan import Check, Cmp, Plan
from formasi_rules.inputs import structure_candidate
from formasi_rules.policy._model import Period
from formasi_rules.testing._strategies import candidates
from test_differential import KEYS, conditions, facts
from test_durable import _count

pytest.importorskip("durable_rules_engine", reason="durable_rules does not import on this Python")
sys.path.insert(0, str(ROOT / "benchmarks"))
from evaluate import candidates as bench_candidates  # noqa: E402


def _flipped(plan: Plan, fallback: bool = False) -> DurableBackend:
    """Every check that can be flipped flipped; with ``fallback``, every other check that can fire its
    pass rule does, its fail rule in a fallback ruleset."""
    backend = DurableBackend("flip", adapt_after=0)
    backend.prepare(plan)
    old = backend._rulesets[id(plan)]
    every = frozenset(plan.checks)
    backend._rulesets[id(plan)] = [_Ruleset(load_engine(), s, "flip")
                                   for s in compile_plan(plan, flip=every, fallback=every if fallback else frozenset())]
    for ruleset in old:
        ruleset.close()
    return backend


@given(st.lists(conditions, min_size=1, max_size=6), st.lists(facts, min_size=1, max_size=4), st.booleans())
def test_every_check_flipped_agrees_with_three_valued_logic(conds, fact_list, fallback):
    checks = {f"c{i}": Check(f"c{i}", None, None, c, {}, (), frozenset(KEYS), ()) for i, c in enumerate(conds)}
    plan = Plan(Period(), checks, {}, frozenset(KEYS))
    durable, reference = _flipped(plan, fallback), ReferenceBackend()
    try:
        for fact in fact_list:
            assert durable.run(plan, fact) == reference.run(plan, fact), fact
    finally:
        durable.close()


def _facts(engine, records):
    compiled = engine._current
    plan = compiled.plans[compiled.index(AS_OF)]
    out = []
    for raw in records:
        try:
            c = structure_candidate(raw, policy=engine.policy)
            derived = compiled.deriver.derive(c, AS_OF, engine.places)
        except Exception:  # noqa: BLE001 - a record the engine rejects has no fact
            continue
        out.append(encode_fact(derived, engine.policy, plan.keys))
    return plan, out


def test_the_shipped_plan_flipped_agrees_and_stays_within_budget(engines):
    plan, fact_list = _facts(engines["durable"], bench_candidates(400))
    for spec in compile_plan(plan, flip=frozenset(plan.checks)):
        tests = 0
        for name, rule in spec.definition.items():
            if name != "prime":
                (cond,) = rule["all"]
                first, test = cond["m"]["$and"]
                assert first == {"kind": "candidate"}  # the state fact can never match (H3)
                tests += _count(test)
        assert tests + 2 <= ALPHA_BUDGET
    assert any(spec.inferred_fail for spec in compile_plan(plan, flip=frozenset(plan.checks)))
    durable, reference = _flipped(plan), ReferenceBackend()
    try:
        for fact in fact_list:
            assert durable.run(plan, fact) == reference.run(plan, fact), fact
    finally:
        durable.close()


def test_the_backend_adapts_once_and_gives_the_same_results(engines):
    """With a rule per check (regions=False: a policy whose groups the regions do not cover)."""
    plan, fact_list = _facts(engines["durable"], bench_candidates(300))
    durable, reference = DurableBackend("adapt", adapt_after=50, regions=False), ReferenceBackend()
    durable.prepare(plan)
    before = durable._rulesets[id(plan)]
    try:
        for fact in fact_list:
            assert durable.run(plan, fact) == reference.run(plan, fact), fact
        after = durable._rulesets[id(plan)]
        # no more rulesets every fact is asserted into (a fallback ruleset takes only facts lacking its keys)
        assert after is not before and sum(not r.only_missing for r in after) <= len(before)
        assert any(r.inferred_fail for r in after)  # on this data some checks pass less than they fail
        assert not durable._tally  # counted once, then no more
    finally:
        durable.close()


def _small() -> Plan:
    checks = {f"c{i}": Check(f"c{i}", None, None, c, {}, (), frozenset(KEYS), ())
              for i, c in enumerate([Cmp("a", "ge", 5), Cmp("c", "eq", "x")])}
    return Plan(Period(), checks, {}, frozenset(KEYS))


def _run_all(fact_list: list[dict]) -> tuple[DurableBackend, list, list]:
    """A backend adapting after 8 facts the engine ran, after running ``fact_list`` (each held to the
    reference backend), with its rulesets before and after."""
    plan = _small()
    durable, reference = DurableBackend("share", adapt_after=8), ReferenceBackend()
    durable.prepare(plan)
    before = durable._rulesets[id(plan)]
    for fact in fact_list:
        assert durable.run(plan, fact) == reference.run(plan, fact), fact
    return durable, before, durable._rulesets[id(plan)]


def test_the_backend_adapts_where_the_engine_runs_most_facts():
    durable, before, after = _run_all([{"a": i, "c": "x"} for i in range(12)])  # every value new
    try:
        assert after is not before and not durable._tally
    finally:
        durable.close()


def _one_in_four(n: int) -> list[dict]:
    """``n`` facts of which the engine runs one in four (a new value of ``a``); the memo answers the rest."""
    return [{"a": i if i % 4 == 0 else 0, "c": "x"} for i in range(n)]


@pytest.mark.parametrize("last", [0, 1], ids=["the memo answers the last", "the engine runs the last"])
def test_the_backend_keeps_its_rulesets_where_the_memo_answers_most_facts(last):
    """A rebuild would cost more than it saves. The facts the memo answered are counted as seen, and
    after COUNT_FOR times ADAPT_AFTER of them the plan is no longer counted."""
    seen = 8 * DurableBackend.COUNT_FOR
    fact_list = _one_in_four(seen - 1)
    durable, before, after = _run_all(fact_list)
    try:
        plan = _plan_of(durable)
        tally = durable._tally[id(plan)]  # still counted, one fact short
        assert after is before and tally.seen == seen - 1 and 0 < len(tally.facts) < 8
        fact = {"a": last, "c": "x"}  # (a = 1 is a value not seen: the engine runs it)
        assert durable.run(plan, fact) == ReferenceBackend().run(plan, fact)
        assert not durable._tally and durable._rulesets[id(plan)] is before
    finally:
        durable.close()


def test_a_batch_counts_only_the_facts_the_engine_ran():
    """As above, through run_many (a batch's chunks)."""
    plan = _small()
    durable, reference = DurableBackend("share", adapt_after=8), ReferenceBackend()
    durable.prepare(plan)
    before = durable._rulesets[id(plan)]
    fact_list = _one_in_four(8 * DurableBackend.COUNT_FOR)
    try:
        for start in range(0, len(fact_list), 32):
            chunk = fact_list[start:start + 32]
            assert durable.run_many(plan, chunk) == [reference.run(plan, f) for f in chunk]
        assert durable._rulesets[id(plan)] is before and not durable._tally
    finally:
        durable.close()


def test_the_count_goes_on_past_the_facts_the_memo_answered():
    """The facts the engine ran long ago make room, the oldest quarter at a time: after a stretch the
    memo answered, a run of new values, each of which the engine runs, has the rulesets adapted."""
    durable, before, after = _run_all([{"a": 0, "c": "x"}] * 40 + [{"a": i, "c": "x"} for i in range(1, 21)])
    try:
        assert after is not before
    finally:
        durable.close()


def test_evaluations_the_memo_answers_from_values_are_seen_not_counted(policy):
    """``Engine.evaluate`` asks the memo from the derived values while the facts are counted: the
    benchmark's candidates, whose values repeat, leave the rulesets as they are."""
    engine = fr.Engine(policy, backend="durable")
    try:
        compiled = engine._current
        backend, plan = compiled.backend, compiled.plans[compiled.index(AS_OF)]
        before = backend._rulesets[id(plan)]
        records = list(bench_candidates(600))
        results = [engine.evaluate(record, as_of=AS_OF) for record in records]
        tally = backend._tally[id(plan)]
        assert backend._rulesets[id(plan)] is before and tally.seen == 600 and len(tally.facts) < 256
        with fr.Engine(policy, backend="reference") as reference:
            assert [r.outcomes for r in results] == [reference.evaluate(record, as_of=AS_OF).outcomes
                                                     for record in records]
    finally:
        engine.close()


def _plan_of(backend: DurableBackend) -> Plan:
    (plan,) = backend._plans.values()
    return plan


@given(st.data())
def test_generated_candidates_agree_after_adapting(engines, policy, data):
    plan, fact_list = _facts(engines["durable"], [data.draw(candidates(policy, AS_OF)) for _ in range(5)])
    durable, reference = _flipped(plan), ReferenceBackend()
    try:
        for fact in fact_list:
            assert durable.run(plan, fact) == reference.run(plan, fact), fact
    finally:
        durable.close()


def test_the_shipped_plan_with_fallback_rulesets_agrees_and_stays_within_budget(engines):
    """Checks such as 'the test was passed at this level' (status and level) fail far more often than
    they pass, and their failure can show with one of the keys missing: they fire their pass rule,
    and a fallback ruleset, which only facts lacking one of their keys are asserted into, tells
    failed from unknown."""
    plan, fact_list = _facts(engines["durable"], bench_candidates(400))
    every = frozenset(plan.checks)
    specs = compile_plan(plan, flip=every, fallback=every)
    backing = [s for s in specs if s.only_missing]
    assert backing and specs[-len(backing):] == backing  # after the others
    for spec in specs:
        tests = sum(_count(rule["all"][0]["m"]["$and"][1]) for name, rule in spec.definition.items() if name != "prime")
        assert tests + 2 <= ALPHA_BUDGET
    for spec in backing:
        assert not spec.inferred and not spec.inferred_fail
        assert all(side == "fail" for side, _ in spec.meaning.values())
    lacking = [f for f in fact_list if not backing[0].only_missing.isdisjoint(plan.keys.difference(f))]
    assert lacking and len(lacking) < len(fact_list)  # both kinds of fact are met
    durable, reference = _flipped(plan, fallback=True), ReferenceBackend()
    try:
        for fact in fact_list:
            assert durable.run(plan, fact) == reference.run(plan, fact), fact
        assert durable.run_many(plan, fact_list) == [reference.run(plan, f) for f in fact_list]
    finally:
        durable.close()


def test_adapting_chooses_fallback_rulesets_where_they_save_actions(engines):
    plan, fact_list = _facts(engines["durable"], bench_candidates(400))
    durable, reference = DurableBackend("adapt", adapt_after=100, regions=False), ReferenceBackend()
    durable.prepare(plan)
    try:
        for fact in fact_list:
            assert durable.run(plan, fact) == reference.run(plan, fact), fact
        assert any(r.only_missing for r in durable._rulesets[id(plan)])
    finally:
        durable.close()


@given(st.data())
def test_generated_candidates_agree_with_fallback_rulesets(engines, policy, data):
    plan, fact_list = _facts(engines["durable"], [data.draw(candidates(policy, AS_OF)) for _ in range(5)])
    durable, reference = _flipped(plan, fallback=True), ReferenceBackend()
    try:
        for fact in fact_list:
            assert durable.run(plan, fact) == reference.run(plan, fact), fact
    finally:
        durable.close()


@given(st.lists(conditions, min_size=1, max_size=6), st.lists(facts, min_size=1, max_size=12))
def test_the_tally_counts_what_each_fact_showed(conds, fact_list):
    """The first facts' outcomes are kept as bit masks and counted once (``_Tally.counted``): each
    group's outcomes, each check's passes and fails, the facts per set of missing keys and the fails
    with a key missing are what counting each fact's named outcomes gives."""
    import collections

    from formasi_rules.engine._durable import _Tally
    from formasi_rules.engine._regions import Made
    from formasi_rules.engine._rulesets import groups

    checks = {f"c{i}": Check(f"c{i}", None, None, c, {}, (), frozenset(KEYS), ()) for i, c in enumerate(conds)}
    plan = Plan(Period(), checks, {}, frozenset(KEYS))
    found = [ReferenceBackend().run(plan, fact) for fact in fact_list]
    tally = _Tally(groups(plan), Made(), [(f.passed_bits, f.failed_bits, f.missing) for f in found])
    counts = tally.counted(plan)
    assert counts.seen == len(found)
    for keys, group in groups(plan).items():
        expected = collections.Counter(tuple(True if k in f.passed else False if k in f.failed else None for k in group)
                                       for f in found)
        assert counts.outcomes[keys] == expected and list(counts.outcomes[keys]) == list(expected)  # (first seen first)
    assert counts.passes == collections.Counter(k for f in found for k in f.passed)
    assert counts.fails == collections.Counter(k for f in found for k in f.failed)
    assert counts.gaps == collections.Counter(f.missing for f in found)
    assert counts.fails_lacking == collections.Counter(
        k for f in found for k in f.failed if not plan.checks[k].keys.isdisjoint(f.missing))


@pytest.mark.parametrize("share", [-0.1, 1.5])
def test_a_share_outside_0_to_1_is_refused(share):
    with pytest.raises(ValueError, match="adapt_share"):
        DurableBackend("share", adapt_share=share)
