"""A Result's outcomes are settled when it is made; its derived values, check states and values
read are computed the first time one is read (``Result.deferred``). Read, compared, copied,
evolved or pickled, it is the Result the constructor makes of the same values."""

import pickle

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import formasi_rules as fr
from conftest import AS_OF, BACKENDS
from formasi_rules.engine._result import DEFERRED, outcome

OFFICER = {"id": "o-1", "employment_status": "PNS", "education": "S1", "rank": "III/a",
           "position": {"type": "jf", "name": "Pengantar Kerja", "level": "ahli_pertama", "since": "2018-01-01"},
           "region": "Kota Palembang", "credit_points": 100,
           "performance": [{"year": 2023, "rating": "baik"}, {"year": 2024, "rating": "baik"}],
           "competency_test": {"status": "passed", "level": "ahli_muda"}}


def _unread(result):
    """The deferred fields whose slot is still empty."""
    left = set()
    for name in DEFERRED:
        try:
            object.__getattribute__(result, name)
        except AttributeError:
            left.add(name)
    return left


def _eager(result):
    """The same result made by the constructor, every field given."""
    return fr.Result(*(getattr(result, a.name) for a in attrs.fields(fr.Result) if a.init and a.alias != "decide"),
                     decide=lambda r: result.decisions)


def test_outcomes_are_read_without_computing_the_rest(engine):
    result = engine.evaluate(OFFICER, as_of=AS_OF)
    assert result.outcomes["kenaikan_jenjang/ahli_muda"] in ("eligible", "not_eligible", "undetermined")
    assert _unread(result) == set(DEFERRED)
    assert result.checks  # one read computes the states, the values read and the values ...
    assert _unread(result) == {"derived"}  # ... not the values shown, whose steps need a derivation again
    assert result.derived["explain"]
    assert _unread(result) == set()


def test_a_deferred_result_is_the_eager_one(engine):
    lazy = engine.evaluate(OFFICER, as_of=AS_OF)
    eager = _eager(engine.evaluate(OFFICER, as_of=AS_OF))
    other = engine.evaluate(OFFICER, as_of=AS_OF)
    assert other == eager and eager == other  # compared before any field was read
    assert lazy.to_dict() == eager.to_dict() and lazy.to_bytes("compact") == eager.to_bytes("compact")
    assert repr(engine.evaluate(OFFICER, as_of=AS_OF)) == repr(eager)
    assert lazy.values["region"] == "Kota Palembang" and lazy.derived["explain"] == eager.derived["explain"]


def test_the_values_of_a_lean_derivation_are_those_of_the_full_one(engine):
    """A Result's chain keeps the derived values in the deriver's slots, not a dict (GeneratedDeriver,
    ``shown`` False); ``values`` and ``derived`` made from it later hold what the full derivation gives:
    ``values`` each value with its type, ``derived`` the values shown in the order they were computed."""
    from formasi_rules.engine._stages import _shown
    from formasi_rules.inputs import structure_candidate
    for record in (OFFICER, {**OFFICER, "credit_points": None, "birth_date": "1985-04-30", "id": "o-2"},
                   {"id": "o-3", "region": "x"}):
        result = engine.evaluate(record, as_of=AS_OF)
        compiled = engine._current
        full = compiled.deriver.derive(structure_candidate(record, policy=compiled.policy), AS_OF, engine.places)
        assert {k: (type(v), v) for k, v in result.values.items()} == \
            {**{k: (type(v), v) for k, v in full.values.items()}, "region": (type(record["region"]), record["region"])}
        assert list(result.derived.items()) == list(_shown(compiled.echo, full).items())


def test_decisions_first_then_fields(engine):
    """Reading the decisions first computes what they need (the values read), not the deferred
    fields (the check states, the values shown): those come when read, and agree with them."""
    result = engine.evaluate(OFFICER, as_of=AS_OF)
    reasons = result.decision("kenaikan_jenjang", "ahli_muda").reasons
    assert _unread(result) == set(DEFERRED)
    eager = _eager(engine.evaluate(OFFICER, as_of=AS_OF))
    assert reasons == eager.decision("kenaikan_jenjang", "ahli_muda").reasons
    assert {r.passed for r in reasons} <= {True, False, None} and len(reasons) > 3
    assert result.to_dict() == eager.to_dict() and _unread(result) == {"checks", "actual", "values"}
    assert result.checks == eager.checks and _unread(result) == set()
    for decision in result.decisions:  # each reason's state is its check's
        for reason in decision.reasons:
            states = {result.checks[k] for k in result.checks if k == reason.rule or k.startswith(reason.rule + "@")}
            assert reason.passed in states


def test_pickled_and_evolved_results_carry_every_field(engine):
    result = engine.evaluate(OFFICER, as_of=AS_OF)
    back = pickle.loads(pickle.dumps(result))
    assert back == result and back.values == result.values and back.to_dict() == result.to_dict()
    moved = attrs.evolve(engine.evaluate(OFFICER, as_of=AS_OF), allocations={"x/y": {"rank": 1}})
    assert moved.checks == result.checks and moved.allocations == {"x/y": {"rank": 1}}
    assert moved.decisions[0].route == result.decisions[0].route


def test_an_unknown_attribute_is_still_an_attribute_error(engine):
    result = engine.evaluate(OFFICER, as_of=AS_OF)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        result.nothing  # noqa: B018
    assert not hasattr(result, "nothing")


@settings(max_examples=80)
@given(data=st.data())
def test_outcomes_from_the_masks_are_those_of_the_checks(default_engine, data):
    """The outcome of every target from the bit masks is what outcome() gives of its checks' states."""
    from formasi_rules.engine._backend import Firings
    compiled = default_engine._current
    index = compiled.index(AS_OF)
    plan, explainer = compiled.plans[index], compiled.explainers[index]
    targets = data.draw(st.sampled_from([list(plan.targets)] + [
        [t for t in plan.targets if t[0] == route] for route in {r for r, _ in plan.targets}]))
    states = data.draw(st.lists(st.sampled_from([True, False, None]), min_size=len(plan.order),
                                max_size=len(plan.order)))
    firings = Firings(sum(1 << i for i, s in enumerate(states) if s is True),
                      sum(1 << i for i, s in enumerate(states) if s is False), frozenset(), plan)
    state = dict(zip(plan.order, states))
    expected = {f"{r}/{lv}": outcome(any(state[k] is False for k in plan.targets[(r, lv)]),
                                     any(state[k] is None for k in plan.targets[(r, lv)])) for r, lv in targets}
    assert explainer.outcomes(firings, targets) == expected
    checks = explainer.states(firings, targets)
    assert list(checks) == list(dict.fromkeys(k for t in targets for k in plan.targets[t]))
    assert all(checks[k] is state[k] for k in checks)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_decisions_are_those_of_their_reasons(engines, policy, backend, data):
    """Each decision, shared between candidates or not, is what its own reasons say: its outcome,
    its failed checks (in the rules' order) and the inputs its undetermined checks lack."""
    from formasi_rules.testing._strategies import candidates
    record, engine = data.draw(candidates(policy, AS_OF)), engines[backend]
    plan = engine._current.plan(AS_OF)
    try:
        result = engine.evaluate(record, as_of=AS_OF)
    except fr.InputError:
        return
    for d in result.decisions:
        reasons = d.reasons
        assert d.outcome == result.outcomes[f"{d.route}/{d.level}"] == outcome(
            any(r.passed is False for r in reasons), any(r.passed is None for r in reasons))
        keys = plan.targets[(d.route, d.level)]
        assert [r.rule for r in reasons] == [plan.checks[k].rule.id for k in keys]
        assert d.failed == tuple(k for k, r in zip(keys, reasons, strict=True) if r.passed is False)
        assert d.missing == tuple(dict.fromkeys(i for r in reasons if r.passed is None for i in r.missing))
        assert all(result.checks[k] is r.passed for k, r in zip(keys, reasons, strict=True))


def test_equal_decisions_are_shared_and_an_allocation_is_the_candidates_own(engine):
    engine.evaluate({**OFFICER, "id": "o-0"}, as_of=AS_OF).decisions  # noqa: B018 - a decision met once is not kept
    first = engine.evaluate(OFFICER, as_of=AS_OF).decisions  # met twice: kept, and shared from then on
    again = engine.evaluate({**OFFICER, "id": "o-2"}, as_of=AS_OF).decisions
    assert all(a is b for a, b in zip(first, again, strict=True))
    older = engine.evaluate({**OFFICER, "birth_date": "1960-01-01"}, as_of=AS_OF).decisions
    assert [a == b for a, b in zip(first, older)] == [a is b for a, b in zip(first, older)]
    assert any(a != b for a, b in zip(first, older))  # the age rule now fails for some
    given = attrs.evolve(engine.evaluate(OFFICER, as_of=AS_OF),
                         allocations={f"{first[0].route}/{first[0].level}": {"rank": 2}})
    assert given.decisions[0].allocation == {"rank": 2} and given.decisions[0] is not first[0]
    assert first[0].allocation is None and given.decisions[1] is first[1]


def test_a_decision_met_once_is_not_kept(policy):
    """Most decisions a batch makes are never met again: kept, each would stay in memory for the
    garbage collector to walk in every full collection. One is kept when it is met a second time."""
    engine = fr.Engine(policy, backend="reference")
    compiled = engine._current
    kept = compiled.explainers[compiled.index(AS_OF)]._kept.decisions
    once = engine.evaluate(OFFICER, as_of=AS_OF).decisions
    assert not kept
    twice = engine.evaluate({**OFFICER, "id": "o-2"}, as_of=AS_OF).decisions
    assert once == twice and not any(a is b for a, b in zip(once, twice))
    assert sorted(map(id, kept.values())) == sorted(map(id, twice))
    third = engine.evaluate({**OFFICER, "id": "o-3"}, as_of=AS_OF).decisions
    assert all(a is b for a, b in zip(twice, third, strict=True))


def test_an_untested_check_has_one_reason_whatever_else_is_absent(policy):
    """A check not tested names the fields it lacks; other absent inputs do not make it another reason."""
    engine = fr.Engine(policy, backend="reference")
    no_birth = engine.evaluate(OFFICER, as_of=AS_OF)  # no birth_date: the age checks are not tested
    also_no_test = engine.evaluate({k: v for k, v in OFFICER.items() if k != "competency_test"}, as_of=AS_OF)
    ages = [[r for d in result.decisions for r in d.reasons if r.rule.endswith(".age")]
            for result in (no_birth, also_no_test)]
    assert ages[0] and all(r.passed is None and r.missing == ("birth_date",) for r in ages[0])
    assert all(a is b for a, b in zip(*ages, strict=True))


def test_reasons_stay_right_when_the_kept_ones_are_let_go(policy, monkeypatch):
    """The reasons and decisions kept are bounded: past the bound they are let go, and every
    result after is still the one a fresh engine gives."""
    import copy
    records = [OFFICER, {**OFFICER, "id": "o-2", "birth_date": "1960-01-01"},
               {**OFFICER, "id": "o-3", "education": "D3", "credit_points": 20},
               {k: v for k, v in OFFICER.items() if k != "performance"}, {**OFFICER, "id": "o-5", "rank": "IV/a"}]
    expected = [fr.Engine(policy, backend="reference").evaluate(r, as_of=AS_OF).to_dict() for r in records]
    from formasi_rules.engine._explain import _Kept
    monkeypatch.setattr(_Kept, "MAX_CACHED", 7)
    engine = fr.Engine(policy, backend="reference")
    kept = engine._current.explainers[engine._current.index(AS_OF)]._kept
    for _ in range(3):
        for record, want in zip(copy.deepcopy(records), expected, strict=True):
            assert engine.evaluate(record, as_of=AS_OF).to_dict() == want
            assert kept.count <= 7 + 1  # let go once past the bound
            assert len(kept.decisions) <= 7 and len(kept.seen) <= 7


def test_a_narrowed_request_looks_up_only_the_reasons_it_reads(policy):
    engine = fr.Engine(policy, backend="reference")
    compiled = engine._current
    explainer = compiled.explainers[compiled.index(AS_OF)]
    result = engine.evaluate(OFFICER, as_of=AS_OF, route="kenaikan_pangkat", level="ahli_pertama")
    (decision,) = result.decisions
    read = explainer.plan.targets["kenaikan_pangkat", "ahli_pertama"]
    assert [r.rule for r in decision.reasons] == [explainer.plan.checks[k].rule.id for k in read]
    made = {r.rule for kept in explainer._kept.reasons.values() for r in kept.values()}
    assert made == {explainer.plan.checks[k].rule.id for k in read}


def test_a_closed_engine_lets_its_reasons_go_without_the_garbage_collector(policy):
    import gc
    import weakref
    engine = fr.Engine(policy, backend="reference")
    engine.evaluate(OFFICER, as_of=AS_OF).decisions  # noqa: B018
    kept = weakref.ref(engine._current.explainers[engine._current.index(AS_OF)]._kept)
    gc.collect()
    gc.disable()
    try:
        engine.close()
        del engine
        assert kept() is None  # freed by reference counting: no cycle holds it
    finally:
        gc.enable()


def test_two_threads_reading_at_once_compute_the_fields_once(default_engine, monkeypatch):
    import threading
    import time
    compiled = default_engine._current
    explainer = compiled.explainers[compiled.index(AS_OF)]
    calls, real = [], type(explainer).states

    def slow(self, *args):
        calls.append(threading.get_ident())
        time.sleep(0.05)  # the other thread arrives while this one computes
        return real(self, *args)
    monkeypatch.setattr(type(explainer), "states", slow)
    result, seen = default_engine.evaluate(OFFICER, as_of=AS_OF), {}
    threads = [threading.Thread(target=lambda i=i: seen.__setitem__(i, result.checks)) for i in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(calls) == 1 and seen[0] is seen[1] is result.checks


def test_a_result_keeps_the_explanation_not_the_engine(default_engine):
    """Unread, a Result holds what computes its fields, not the compiled engine version (a reload
    or close frees it); read, it forgets that too, and holds what a Result made at once holds."""
    import gc

    from formasi_rules.engine._compiled import Compiled
    from formasi_rules.engine._derive import Derived
    result = default_engine.evaluate(OFFICER, as_of=AS_OF)
    later = object.__getattribute__(result, "_later")
    assert not any(isinstance(x, Compiled) for x in gc.get_referents(later))
    result.actual  # noqa: B018
    assert object.__getattribute__(result, "_later") is later  # the values shown are not made yet
    result.derived  # noqa: B018
    assert object.__getattribute__(result, "_later") is None
    assert not any(isinstance(x, (Compiled, Derived)) for x in gc.get_referents(later))
    assert attrs.asdict(result, recurse=False)["_later"] is None  # as a Result made at once has it
