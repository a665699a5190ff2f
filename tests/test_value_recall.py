"""A backend asked straight from a candidate's derived values (``Backend.recall``, built on
``_memo.ValueRecall`` and ``_encode_code.FactCode``): where it answers, it answers what running the
fact gives, and where it cannot be sure it does not answer, so the fact is built and run as before.

Each test checks that the values were answered from (not the vacuous agreement of a recall that
always declines)."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import formasi_rules as fr
from conftest import AS_OF, BACKENDS, ROOT
from formasi_rules import InputError
from formasi_rules.engine import _memo
from formasi_rules.engine._derive import Derived
from formasi_rules.engine._stages import _fact, _prepared, evaluate_one
from formasi_rules.inputs import structure_candidate
from test_generated_code import PLACES, SHIPPED, officers, records

import sys

sys.path.insert(0, str(ROOT / "benchmarks"))
from evaluate import candidates  # noqa: E402  the benchmark's synthetic generator

ENGINES = {(name, backend): fr.Engine(policy, backend=backend) for name, policy in SHIPPED.items()
           for backend in BACKENDS}


def _both(engine: fr.Engine, derived: Derived):
    """What recall gives (None: declined) and what running the built fact gives."""
    compiled = engine._current
    index = compiled.index(AS_OF)
    plan, backend = compiled.plans[index], compiled.backend
    recalled = backend.recall(plan, compiled.codes[index], derived)
    return recalled, backend.run(plan, _fact(compiled, index, derived))


def _derived(engine: fr.Engine, record: dict, places=None) -> Derived:
    compiled = engine._current
    index = compiled.index(AS_OF)
    candidate = structure_candidate(record, policy=compiled.policy)
    return _prepared(compiled, index, candidate, AS_OF, places, None, None, False)[1]


def _same(recalled, ran) -> None:
    assert (recalled.passed_bits, recalled.failed_bits, recalled.missing) == \
        (ran.passed_bits, ran.failed_bits, ran.missing)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_recall_answers_what_running_the_fact_gives(name, backend):
    """The benchmark's candidates, past durable_rules' first facts (counted before it adapts its
    rules): most are answered from their values, each as the fact's run answers it."""
    engine = ENGINES[(name, backend)]
    answered = 0
    for i, record in enumerate(candidates(1500, seed=11)):
        try:
            derived = _derived(engine, record, PLACES if i % 2 else None)
        except InputError:
            continue
        recalled, ran = _both(engine, derived)
        if recalled is not None:
            _same(recalled, ran)
            answered += 1
        # the code reads the generated deriver's slots (a lean derivation keeps no dict of values); a
        # Derived made by hand from the same values, with no slots, is answered alike (the fact's run has
        # taught the memo since: one declined at first may be answered now)
        by_hand = Derived(dict(derived.values), derived.per_level, None)
        compiled = engine._current
        index = compiled.index(AS_OF)
        again = compiled.backend.recall(compiled.plans[index], compiled.codes[index], by_hand)
        assert again is not None or recalled is None
        if again is not None:
            _same(again, ran)
    assert answered > 700


@pytest.fixture(scope="module")
def warmed():
    """ENGINES past durable_rules' first facts (counted before it adapts its rules), memos warm."""
    for engine in ENGINES.values():
        for record in candidates(600, seed=2):
            engine.evaluate(record, as_of=AS_OF)
    return ENGINES


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(SHIPPED))
@settings(max_examples=200)
@given(rec=st.one_of(records(), officers()), places=st.sampled_from([None, PLACES]))
def test_recall_of_generated_records_is_the_runs(warmed, name, backend, rec, places):
    """Records of every shape (missing keys, derived credit points, per-level places): a record
    asked twice is answered the second time (its run taught the memo), as its fact's run answers it."""
    engine = warmed[(name, backend)]
    try:
        derived = _derived(engine, rec, places)
    except InputError:
        return
    first, ran = _both(engine, derived)
    if first is not None:
        _same(first, ran)
    recalled, ran = _both(engine, derived)
    assert recalled is not None
    _same(recalled, ran)


@pytest.fixture
def warm():
    """An engine whose memo has seen the benchmark's candidates (and answers from values)."""
    def make(backend):
        engine = fr.Engine(SHIPPED["pengantar_kerja"], backend=backend)
        for record in candidates(600):
            engine.evaluate(record, as_of=AS_OF)
        return engine
    return make


@pytest.mark.parametrize("backend", BACKENDS)
def test_true_or_false_for_a_number_is_not_answered_as_one_or_zero(warm, backend):
    """True equals 1 in Python: a number's remembered values must not answer a true/false given for
    it (the encoding refuses it; the error is the fact's encoder's)."""
    engine = warm(backend)
    base = _derived(engine, {"id": "x", "credit_points": 1, "employment_status": "PNS"})
    _both(engine, base)  # (its run teaches the memo)
    assert _both(engine, base)[0] is not None  # 1 is remembered now
    odd = Derived({**base.values, "credit_points": True}, base.per_level, base.explain)
    compiled = engine._current
    index = compiled.index(AS_OF)
    assert compiled.backend.recall(compiled.plans[index], compiled.codes[index], odd) is None


_UTC7 = dt.timezone(dt.timedelta(hours=7))
# the last day of penyesuaian's window, late in UTC: the same instant is the next day in UTC+7
_LATE = dt.datetime(2023, 12, 31, 20, tzinfo=dt.timezone.utc)


class _Shown(int):
    """An int whose text is not its number (as a subclass may be)."""

    def __str__(self) -> str:
        return "one hundred"


class _Named(str):
    """A text equal to another whose text (``str()``) is not (as a subclass may be)."""

    def __str__(self) -> str:
        return "PPPK"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("key, first, second", [
    ("credit_points", Decimal("0.1"), Fraction(1, 10)),  # equal, hashed alike; a Fraction is not encoded
    ("credit_points", 0.1, Decimal(0.1)),  # the float's exact value: equal, and too many decimals
    ("credit_points", 2 ** 55, 2.0 ** 55),  # equal, encoded to other integers (the float's text rounds)
    ("credit_points", Decimal(100), _Shown(100)),
    ("credit_points", 1, True),
    ("as_of", _LATE, _LATE.astimezone(_UTC7)),  # equal instants on other days
    ("as_of", AS_OF, dt.datetime(2025, 10, 9)),
    ("in_position", True, 1),  # true/false keyed on as given: 1 is encoded as the number it is
    ("in_position", False, 0.0),
    ("employment_status", "PNS", _Named("PNS")),  # text keyed on as given: a subclass is encoded by its text
])
def test_values_equal_in_python_but_encoded_otherwise_are_not_answered_alike(warm, backend, key, first, second):
    """A value keyed on as derived answers only for values that encode as it does: after the first is
    remembered, the second is answered as its own fact's run answers it, or left to the fact's
    encoder where that refuses it."""
    engine = warm(backend)
    base = _derived(engine, {"id": "x", "employment_status": "PNS", "credit_points": 100})
    learned = Derived({**base.values, key: first}, base.per_level, base.explain)
    for _ in range(2):  # run, then asked from values: kept by its values as derived
        try:
            _both(engine, learned)
        except InputError:
            pass
    other = Derived({**base.values, key: second}, base.per_level, base.explain)
    compiled = engine._current
    index = compiled.index(AS_OF)
    recalled = compiled.backend.recall(compiled.plans[index], compiled.codes[index], other)
    try:
        ran = compiled.backend.run(compiled.plans[index], _fact(compiled, index, other))
    except (InputError, ArithmeticError, ValueError, TypeError):
        assert recalled is None
        return
    if recalled is not None:
        _same(recalled, ran)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_per_level_value_the_plan_does_not_read_is_no_reason_to_build_the_fact(warm, backend):
    engine = warm(backend)
    base = _derived(engine, {"id": "x", "employment_status": "PNS", "region": "Region 1"}, PLACES)
    _both(engine, base)
    other = {**base.per_level, "no_such_field": {"ahli_muda": 3}}  # encode_fact reads nothing of it
    compiled = engine._current
    index = compiled.index(AS_OF)
    recalled = compiled.backend.recall(compiled.plans[index], compiled.codes[index],
                                       Derived(base.values, other, base.explain))
    assert recalled is not None
    _same(recalled, _both(engine, base)[1])


def test_asked_from_values_where_values_do_not_repeat_it_stops_being_asked(monkeypatch):
    """Every candidate with credit points of its own (the reference backend, which has no memo that
    turns off): after a stretch declining more than half, the values are not looked at again."""
    monkeypatch.setattr(_memo, "STRETCH", 64)
    engine = fr.Engine(SHIPPED["pengantar_kerja"], backend="reference")
    afresh = fr.Engine(SHIPPED["pengantar_kerja"], backend="reference", remember=False)
    records = list(candidates(300, seed=4))
    for i, record in enumerate(records):
        record["credit_points"] = round(50 + i / 100, 2)
    assert [engine.evaluate(r, as_of=AS_OF).outcomes for r in records] == \
        [afresh.evaluate(r, as_of=AS_OF).outcomes for r in records]
    compiled = engine._current
    recall = compiled.backend._compiled(compiled.plans[compiled.index(AS_OF)]).from_values
    assert not recall.on and not any(recall.seen)


@pytest.mark.parametrize("backend", BACKENDS)
def test_equal_numbers_of_other_exponents_answer_alike(warm, backend):
    engine = warm(backend)
    base = _derived(engine, {"id": "x", "credit_points": 100, "employment_status": "PNS"})
    _both(engine, base)
    for same in (Decimal("100.0"), Decimal("1E+2"), 100):
        other = Derived({**base.values, "credit_points": same}, base.per_level, base.explain)
        recalled, ran = _both(engine, other)
        assert recalled is not None
        _same(recalled, ran)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_value_the_engine_cannot_hold_is_worded_by_the_facts_encoder(warm, backend):
    """Even with the memo warm, a value with more decimals than its field keeps is not answered from
    its values: evaluate raises the fact encoder's I021."""
    engine = warm(backend)
    too_fine = Derived({"as_of": AS_OF, "credit_points": Decimal("1.2345")}, {}, {})
    compiled = engine._current
    index = compiled.index(AS_OF)
    assert compiled.backend.recall(compiled.plans[index], compiled.codes[index], too_fine) is None
    c = structure_candidate({"id": "x", "credit_points": 1.25}, policy=compiled.policy)
    compiled.deriver, real = type("D", (), {"derive": lambda *a: too_fine})(), compiled.deriver
    try:
        with pytest.raises(InputError) as caught:
            evaluate_one(compiled, c, AS_OF, None, None, None)
    finally:
        compiled.deriver = real
    (problem,) = caught.value.problems
    assert problem.code == "I021" and "credit_points" in problem.path


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_per_level_value_the_code_does_not_read_is_left_to_the_fact(warm, backend):
    engine = warm(backend)
    base = _derived(engine, {"id": "x", "employment_status": "PNS", "region": "Region 1"}, PLACES)
    _both(engine, base)
    assert _both(engine, base)[0] is not None
    compiled = engine._current
    index = compiled.index(AS_OF)
    odd = {**base.per_level, "employment_status": {"ahli_muda": "PNS"}}  # no per-level field of the policy
    assert compiled.backend.recall(compiled.plans[index], compiled.codes[index],
                                       Derived(base.values, odd, base.explain)) is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_engine_told_not_to_remember_is_never_answered_from_values(backend):
    engine = fr.Engine(SHIPPED["pengantar_kerja"], backend=backend, remember=False)
    records = list(candidates(400))
    for record in records:
        engine.evaluate(record, as_of=AS_OF)
    for record in records[:50]:
        assert _both(engine, _derived(engine, record))[0] is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_values_remembered_stay_bounded(monkeypatch, backend):
    """Each part asked by values as derived forgets all it holds past its share, as the backend's
    memo does, and still answers right."""
    monkeypatch.setattr(_memo, "LIMIT", 1400)  # 100 sets of values a part, for the shipped plan's 14 parts
    engine = fr.Engine(SHIPPED["pengantar_kerja"], backend=backend)
    compiled = engine._current
    index = compiled.index(AS_OF)
    plan = compiled.plans[index]
    answered, given = 0, []
    for record in candidates(1500, seed=3):
        try:
            derived = _derived(engine, record)
        except InputError:
            continue
        given.append(derived.values)
        recalled, ran = _both(engine, derived)
        if recalled is not None:
            _same(recalled, ran)
            answered += 1
    assert answered > 200
    store = compiled.backend
    parts = (store._rulesets[id(plan)][0].memo.parts if backend == "durable" else store._compiled(plan).parts)
    recall = store._recalls[id(plan)][2] if backend == "durable" else store._compiled(plan).from_values
    share = 1400 // len(parts)
    assert recall.seen and max(len(seen) for seen in recall.seen) <= share
    # and the limit was reached: a part met more sets of values than its share
    assert max(len({tuple(v.get(k) for k in keys) for v in given}) for keys, _ in parts) > share


def test_a_batch_gives_the_bytes_it_gives_without_remembering(policy):
    """A batch builds each chunk's facts and runs them together, while the memo also answers
    Engine.evaluate from values: the bytes of every layout are those of an engine deciding every
    record afresh, and the values are answered from after the batch."""
    records = list(candidates(700, seed=5))
    for backend in BACKENDS:
        batch = fr.Engine(policy, backend=backend)
        afresh = fr.Engine(policy, backend=backend, remember=False)
        for layout in ("compact", "full"):
            got, want = (b"".join(b.text for b in e.evaluate_blocks(records, as_of=AS_OF, layout=layout))
                         for e in (batch, afresh))
            assert got == want
        assert _both(batch, _derived(batch, records[0]))[0] is not None


def test_today_matters_only_through_the_values(policy):
    """A later evaluation date changes the derived values (ages, years in a level): answered from
    its own values, never from another date's."""
    engine = fr.Engine(policy, backend=BACKENDS[0])
    later = dt.date(2027, 3, 1)
    records = list(candidates(500, seed=8))
    got = [engine.evaluate(r, as_of=d).outcomes for d in (AS_OF, later) for r in records]
    fresh = fr.Engine(policy, backend=BACKENDS[0], remember=False)
    assert got == [fresh.evaluate(r, as_of=d).outcomes for d in (AS_OF, later) for r in records]


def test_the_code_reads_the_values_a_derived_holds_however_it_was_made():
    """A lean Derived's slots, the same values given in place of them (attrs.evolve), and the
    Derived copied or pickled: the code reading slots takes the values each holds."""
    import copy
    import pickle

    import attrs
    engine = ENGINES[("pengantar_kerja", BACKENDS[0])]
    compiled = engine._current
    slots = compiled.codes[compiled.index(AS_OF)].slots
    assert slots is not None  # the shipped policy's code reads the slots
    base = _derived(engine, {"id": "x", "employment_status": "PNS", "rank": "III/a", "credit_points": 100})
    at = slots["credit_points"]
    assert base.given(slots)[at] == 100
    other = attrs.evolve(base, values={**base.values, "credit_points": Decimal(7)})
    assert other.given(slots)[at] == Decimal(7) and base.given(slots)[at] == 100
    for again in (pickle.loads(pickle.dumps(base)), copy.deepcopy(base)):
        assert again.values == base.values and again.given(slots)[at] == 100
