"""formasi_rules.testing as another system's test suite would use it, with its own settings."""

import datetime as dt

from hypothesis import given, settings

import formasi_rules as fr
from formasi_rules import testing
from conftest import POLICY_DIR

POLICY = fr.load_policy(POLICY_DIR)
AS_OF = dt.date(2025, 10, 9)
ENGINE = fr.Engine(POLICY, backend="reference")
PLACES = testing.places(POLICY)


def test_thresholds_come_from_the_rules():
    limits = testing.thresholds(POLICY, AS_OF)
    assert {53, 55, 60} <= {int(v) for v in limits["age"]}
    assert {50, 100, 150, 200, 450} <= {int(v) for v in limits["credit_points"]}


def test_seeds_reach_eligibility_on_most_routes():
    from formasi_rules.testing._strategies import seeds

    reached = {f"{d.route}/{d.level}" for s in seeds(POLICY, AS_OF)
               for d in ENGINE.evaluate(s, as_of=AS_OF, formation=PLACES).decisions if d.outcome == "eligible"}
    assert len(reached) >= 12 and "perpindahan/ahli_pertama" in reached


def test_a_record_built_from_facts_holds_the_history_a_fact_is_derived_from():
    from formasi_rules.testing._strategies import record_from

    for held in (True, False):
        record = record_from(POLICY, {"held_jpt": int(held), "position_type": "ja", "age": 58}, AS_OF)
        derived = ENGINE.evaluate(record, as_of=AS_OF).derived
        assert (derived["held_jpt"], derived["age"]) == (held, 58), record


@settings(max_examples=60, deadline=None)
@given(testing.candidates(POLICY, AS_OF))
def test_invariants_hold_for_generated_candidates(record):
    try:
        ENGINE.evaluate(record, as_of=AS_OF)
    except fr.InputError:
        return  # e.g. a position start after the date: refused, as it should be
    for invariant in (testing.deterministic, testing.one_outcome_each, testing.monotone):
        assert invariant(ENGINE, record, AS_OF, PLACES) is None
    for prop in POLICY.properties:
        assert testing.declared(ENGINE, prop, record, AS_OF, PLACES) is None


@settings(max_examples=30, deadline=None)
@given(testing.workloads(POLICY, AS_OF))
def test_generated_workloads_compute(rows):
    result = ENGINE.formation(rows, as_of=AS_OF)
    assert not result.problems and result.rows
