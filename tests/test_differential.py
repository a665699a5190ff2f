"""The durable_rules backend against the reference interpreter, on generated input.

Two levels: random condition trees over random facts (the compiler and the engine's
three-valued behaviour), and random candidates near every threshold of the shipped
policy (whole decisions with every reason). Any difference is a bug in one of them.
"""

import datetime as dt

import pytest

from hypothesis import given
from hypothesis import strategies as st

import formasi_rules as fr
from conftest import AS_OF
from formasi_rules.engine._backend import ReferenceBackend
from formasi_rules.engine._durable import DurableBackend
from formasi_rules.engine._rulesets import ALPHA_BUDGET, alpha_cost
from formasi_rules.engine._plan import And, Check, Cmp, In, Neg, Or, Plan, negate, positive
from formasi_rules.policy._model import Period

pytest.importorskip("durable_rules_engine", reason="durable_rules does not import on this Python")

KEYS = ("a", "b", "c")
# text literals the engine must compare as the reference does: non-ASCII, U+2028/U+2029, control
# characters, quotes and backslashes (a ruleset and a fact must be serialised alike); a few fixed
# ones so that a rule literal and a fact value often coincide. Strings are only tested for
# (in)equality: the compiler never orders them.
_TEXT = ["Pengantár Kerja", "Pengantar Kerja", "a\u2028b", "a\u2029b", "x\x01y", "tab\there", 'q"u\\o',
         "emoji\U0001F600", "\x7f", "é", "e\u0301"]
texts = st.one_of(st.sampled_from(_TEXT), st.text(st.characters(codec="utf-8"), max_size=4))
values = st.integers(-2, 2)
# one type per field, as the encoder guarantees (durable_rules coerces '5' == 5, shared notes H6)
NUMBER_KEYS, TEXT_KEY = KEYS[:2], KEYS[2]
# lists may be empty: `in: []` is false and `not in: []` true, for a present key (the engine reads an
# empty $or as matching every fact)
tests = st.one_of(
    st.builds(Cmp, st.sampled_from(NUMBER_KEYS), st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"]), values),
    st.builds(Cmp, st.just(TEXT_KEY), st.sampled_from(["eq", "ne"]), texts),
    st.builds(In, st.sampled_from(NUMBER_KEYS), st.lists(values, max_size=3, unique=True).map(tuple),
              st.booleans()),
    st.builds(In, st.just(TEXT_KEY), st.lists(texts, max_size=3, unique=True).map(tuple),
              st.booleans()))
conditions = st.recursive(tests, lambda inner: st.one_of(
    st.builds(And, st.lists(inner, min_size=2, max_size=3).map(tuple)),
    st.builds(Or, st.lists(inner, min_size=2, max_size=3).map(tuple)),
    st.builds(Neg, inner)), max_leaves=6).filter(
    # what the compiler accepts (a larger condition is refused with P080, tested in test_durable)
    lambda c: alpha_cost(positive(c))[1] + alpha_cost(negate(c))[1] + len(KEYS) + 2 <= ALPHA_BUDGET)
facts = st.fixed_dictionaries({}, optional={**{k: values for k in NUMBER_KEYS}, TEXT_KEY: texts})


@given(st.lists(conditions, min_size=1, max_size=6), st.lists(facts, min_size=1, max_size=4))
def test_compiled_conditions_agree_with_three_valued_logic(conds, fact_list):
    checks = {f"c{i}": Check(f"c{i}", None, None, c, {}, (), frozenset(KEYS), ()) for i, c in enumerate(conds)}
    plan = Plan(Period(), checks, {}, frozenset(KEYS))
    durable, reference = DurableBackend("diff"), ReferenceBackend()
    durable.prepare(plan)
    try:
        for fact in fact_list:
            assert durable.run(plan, fact) == reference.run(plan, fact), fact
    finally:
        durable.close()


def _date_near(years_ago: int):
    return st.integers(-400, 400).map(lambda d: (AS_OF.replace(year=AS_OF.year - years_ago)
                                                 + dt.timedelta(days=d)).isoformat())


maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731
levels = st.sampled_from(["ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama"])
ratings = st.sampled_from(["sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"])
candidates = st.fixed_dictionaries({"id": st.just("h")}, optional={
    "employment_status": st.sampled_from(["PNS", "CPNS", "PPPK", "non_ASN"]),
    "birth_date": st.sampled_from([53, 54, 55, 56, 60, 61, 30]).flatmap(_date_near),
    "education": st.sampled_from(["SMA", "D3", "D4", "S1", "S2", "S3"]),
    "rank": st.sampled_from(["III/a", "III/b", "III/c", "III/d", "IV/a", "IV/c", "IV/d", "IV/e"]),
    "position": st.fixed_dictionaries({}, optional={
        "type": st.sampled_from(["jf", "ja", "jpt", "none"]),
        "name": st.sampled_from(["Pengantar Kerja", "Analis", "Pengantár Kerja", "Pengantar\u2028Kerja"]), "level": levels,
        "since": _date_near(3)}),
    "region": st.sampled_from(["Kota Palembang", "Kabupaten Lahat"]),
    "performance": st.lists(st.fixed_dictionaries({"year": st.integers(2021, 2025), "rating": ratings}),
                            max_size=4, unique_by=lambda p: p["year"]),
    "competency_test": st.fixed_dictionaries({}, optional={
        "status": st.sampled_from(["passed", "failed", "not_taken"]), "level": levels}),
    "credit_points": st.sampled_from([0, 49.99, 50, 99.99, 100, 150, 199.99, 200, 449.99, 450]),
    "experience_years": st.sampled_from([0, 1, 1.99, 2, 5]),
})
formations = maybe(st.fixed_dictionaries({"Kota Palembang": st.fixed_dictionaries(
    {lv: st.integers(0, 1) for lv in ("ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama")})}))


@given(candidates, formations, st.sampled_from([AS_OF, dt.date(2023, 6, 30), dt.date(2024, 1, 1)]))
def test_both_backends_give_identical_decisions_and_reasons(engines, record, formation, as_of):
    results = []
    for backend in ("durable", "reference"):
        try:
            out = engines[backend].evaluate(record, as_of=as_of, formation=formation).to_dict()
            out.pop("backend")
        except fr.InputError as exc:  # e.g. a start date after as_of: both must refuse alike
            out = [p.to_dict() for p in exc.problems]
        results.append(out)
    assert results[0] == results[1]
