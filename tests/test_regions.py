"""Checks reading the same keys compiled into one rule per region of their values (engine/_regions.py):
the same outcomes as the reference semantics for any conditions, facts and default region, at most
one agenda action per group, and a bound on what the engine matches at once that is real."""

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from formasi_rules.engine._backend import ReferenceBackend
from formasi_rules.engine._plan import Check, Cmp, In, Plan, evaluate
from formasi_rules.engine._regions import MAX_CELLS, Made, compile_group, outcomes
from formasi_rules.engine._rulesets import ALPHA_BUDGET, compile_plan, groups
from formasi_rules.policy._model import Period
from test_differential import KEYS, conditions, facts

pytest.importorskip("durable_rules_engine", reason="durable_rules does not import on this Python")
from formasi_rules.engine._durable import DurableBackend, _Ruleset, load_engine  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from evaluate import candidates as bench_candidates  # noqa: E402


def _plan(conds, rule=None) -> Plan:
    checks = {f"c{i}": Check(f"c{i}", rule, None, c, {}, (), frozenset(KEYS), ()) for i, c in enumerate(conds)}
    return Plan(Period(), checks, {}, frozenset(KEYS))


def _with_regions(plan: Plan, regions: dict) -> DurableBackend:
    backend = DurableBackend("regions", adapt_after=0)
    backend.prepare(plan)
    old = backend._rulesets[id(plan)]
    backend._rulesets[id(plan)] = [_Ruleset(load_engine(), s, "regions") for s in compile_plan(plan, regions=regions)]
    for ruleset in old:
        ruleset.close()
    return backend


@settings(max_examples=150)
@given(st.lists(conditions, min_size=1, max_size=5), st.lists(facts, min_size=1, max_size=4), st.data())
def test_regions_with_any_default_agree_with_three_valued_logic(conds, fact_list, data):
    """Whichever outcome the group's default is (the one firing no rule), the outcomes are the
    reference's; each fact fires at most one rule per group."""
    plan = _plan(conds)
    regions = {}
    for keys, checks in groups(plan).items():
        table = outcomes({k: plan.checks[k].condition for k in checks}, keys)
        regions[keys] = data.draw(st.sampled_from(sorted(set(table.values()), key=repr))) if table else None
    durable, reference = _with_regions(plan, regions), ReferenceBackend()
    try:
        for fact in fact_list:
            assert durable.run(plan, fact) == reference.run(plan, fact), fact
            fired = [name for r in durable._rulesets[id(plan)]
                     for name in r.fire('{"sid":"1","id":"c","kind":"candidate",' + _body(fact))]
            assert len(fired) <= len(groups(plan))
    finally:
        durable.close()


def _body(fact) -> str:
    import orjson
    text = orjson.dumps(fact).decode()
    return text[1:] if len(text) > 2 else "}"


def test_every_group_of_the_shipped_plan_is_one_ruleset_of_regions(engines):
    """The shipped plan's 49 checks fit one ruleset: one assert per candidate, and after its first
    facts each group's most common outcome fires no rule."""
    from test_durable_adapt import _facts
    plan, fact_list = _facts(engines["durable"], bench_candidates(400))
    durable, reference = DurableBackend("shipped", adapt_after=100), ReferenceBackend()
    durable.prepare(plan)
    try:
        before = durable._rulesets[id(plan)]
        for fact in fact_list:
            assert durable.run(plan, fact) == reference.run(plan, fact), fact
        after = durable._rulesets[id(plan)]
        assert after is not before and len(after) == 1
        covered = {k for _, passed, failed in after[0].regions.values() for k in passed | failed}
        assert covered <= set(plan.checks) and all(side == "region" for side, _ in after[0].meaning.values()
                                                   if side != "prime")
        actions = sum(len(after[0].fire('{"sid":"1","id":"c","kind":"candidate",' + _body(f))) for f in fact_list)
        assert actions / len(fact_list) < 8  # a rule per check fired ~15 a candidate on this data
    finally:
        durable.close()


def test_the_bound_is_what_the_engine_meets():
    """A group whose regions overlap in their first tests (gaps between points, each a range
    '>= a' and '<= b') matches many alpha nodes at once: the bound says how many, and the engine
    fails past 64 (error 303)."""
    plan = _plan([In("a", tuple(range(0, 700, 10)))])
    ((keys, checks),) = groups(plan).items()
    conds = {k: plan.checks[k].condition for k in checks}
    assert compile_group(conds, keys, (True,)).bound > 64  # the points fire nothing: every gap is a rule
    (spec,) = compile_plan(plan, budget=10_000, regions={keys: (True,)})
    ruleset = _Ruleset(load_engine(), spec, "overfull")
    try:
        with pytest.raises(Exception, match="303"):
            ruleset.fire('{"sid":"1","id":"c","kind":"candidate","a":705}')
    finally:
        ruleset.close()
    assert compile_group(conds, keys, (False,)).bound == 1  # the gaps fire nothing: one point matches at most


def test_a_default_that_does_not_fit_gives_way_and_a_rule_too_large_alone_fits_as_regions(policy):
    """A rule of 70 values is too large for a rule per check (P080 before regions); as regions it
    fits with the default of most value combinations, even where the default asked for would not."""
    from formasi_rules import PolicyError
    plan = _plan([In("a", tuple(range(0, 700, 10)))], rule=policy.rules[0])
    ((keys, _),) = groups(plan).items()
    with pytest.raises(PolicyError):
        compile_plan(plan)
    (spec,) = compile_plan(plan, regions={keys: (True,)})
    # the default of most combinations (a value between the points: failed) fires nothing; each point
    # passes, with a rule of its own, and a fact without the key is unknown
    assert {(p, f) for _, p, f in spec.regions.values()} == {(frozenset({"c0"}), frozenset()), (frozenset(), frozenset())}
    assert spec.defaults == ((0, frozenset(), frozenset({"c0"})),)
    durable, reference = _with_regions(plan, {keys: (True,)}), ReferenceBackend()
    try:
        for value in (0, 5, 690, 695, 700, -1):
            assert durable.run(plan, {"a": value}) == reference.run(plan, {"a": value})
    finally:
        durable.close()


def test_the_bound_of_each_shipped_group_is_exact_enough_to_run(engines):
    """Every region rule of the shipped plan asserted with the fact that matches most of its
    group's tests: no error, and at most one rule of the group fires."""
    from test_durable_adapt import _facts
    plan, _ = _facts(engines["durable"], bench_candidates(10))
    for keys, checks in groups(plan).items():
        group = compile_group({k: plan.checks[k].condition for k in checks}, keys, None)
        assert group is not None and group.bound + 2 <= ALPHA_BUDGET


def test_a_group_too_large_or_of_mixed_values_keeps_a_rule_per_check():
    mixed = _plan([Cmp("a", "eq", 1), Cmp("a", "eq", "x")])
    ((keys, checks),) = groups(mixed).items()
    assert outcomes({k: mixed.checks[k].condition for k in checks}, keys) is None
    wide = _plan([In("a", tuple(range(0, 90, 2))), In("b", tuple(range(0, 90, 2)))])
    ((keys, checks),) = groups(wide).items()
    assert outcomes({k: wide.checks[k].condition for k in checks}, keys) is None  # past MAX_CELLS
    assert MAX_CELLS < 93 * 93
    for plan in (mixed, wide):
        specs = compile_plan(plan, regions=dict.fromkeys(groups(plan)))
        assert not any(s.regions for s in specs) and any(s.meaning for s in specs)
        durable, reference = DurableBackend("per-check"), ReferenceBackend()
        durable.prepare(plan)
        try:
            for fact in ({"a": 1}, {"a": "x", "b": 4}, {"b": 3}, {}):
                assert durable.run(plan, fact) == reference.run(plan, fact)
        finally:
            durable.close()


def test_outcomes_are_the_reference_semantics_in_every_cell():
    cond = In("a", (3, 5))
    table = outcomes({"c": cond}, ("a",))
    assert sorted(table.values(), key=repr) == sorted([(False,), (True,), (False,), (True,), (False,), (None,)],
                                                      key=repr)
    assert all(o[0] is evaluate(cond, {"a": v}) for o, v in zip(table.values(), (2, 3, 4, 5, 6)))


@settings(max_examples=60)
@given(st.lists(conditions, min_size=1, max_size=5), st.data())
def test_a_plan_compiled_again_from_what_was_made_gives_the_same_rulesets(conds, data):
    """``Made`` keeps each group's table for the plan's next compilation (DurableBackend's rebuild
    with the defaults it observed): what it gives is what compiling afresh gives, for any defaults,
    and a group's table is not worked out again."""
    plan = _plan(conds)
    made = Made()
    first = compile_plan(plan, regions=dict.fromkeys(groups(plan)), made=made)
    assert [s.definition for s in first] == [s.definition for s in compile_plan(plan, regions=dict.fromkeys(groups(plan)))]
    regions = {}
    for keys, checks in groups(plan).items():
        table = outcomes({k: plan.checks[k].condition for k in checks}, keys)
        regions[keys] = data.draw(st.sampled_from(sorted(set(table.values()), key=repr))) if table else None
    tables = dict(made.cells)
    again = compile_plan(plan, flip=frozenset(plan.checks), regions=regions, made=made)
    assert made.cells == tables and all(made.cells[k] is tables[k] for k in tables)
    fresh = compile_plan(plan, flip=frozenset(plan.checks), regions=regions)
    assert [(s.definition, s.meaning, s.regions, s.defaults) for s in again] == \
        [(s.definition, s.meaning, s.regions, s.defaults) for s in fresh]


def test_a_made_serves_one_plan():
    """What compiling one plan's groups made is that plan's: another plan given it is refused, not
    compiled with the first one's groups."""
    made = Made()
    first, second = _plan([Cmp("a", "lt", 3)]), _plan([Cmp("a", "lt", 5)])
    compile_plan(first, regions=dict.fromkeys(groups(first)), made=made)
    compile_plan(first, regions=dict.fromkeys(groups(first)), made=made)
    with pytest.raises(ValueError):
        compile_plan(second, regions=dict.fromkeys(groups(second)), made=made)
