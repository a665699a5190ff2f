"""The reference backend's compiled conditions against the three-valued interpreter they replace.

``_plan.evaluate`` is the written-down semantics; the reference backend runs each condition as a
closure built once (``compile_condition``). They must give the same answer for every condition
and fact, unknowns included; this holds on Pythons where durable_rules does not import too.
"""

from hypothesis import given
from hypothesis import strategies as st

from formasi_rules.engine._backend import ReferenceBackend
from formasi_rules.engine._plan import And, Check, Cmp, In, Neg, Or, Plan, compile_condition, evaluate
from formasi_rules.policy._model import Period

values = st.one_of(st.integers(-2, 2), st.sampled_from(["a", "b", "é"]))
tests = st.one_of(
    st.builds(Cmp, st.sampled_from("xy"), st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"]),
              st.integers(-2, 2)),
    st.builds(Cmp, st.just("t"), st.sampled_from(["eq", "ne"]), st.sampled_from(["a", "b", "é"])),
    st.builds(In, st.sampled_from("xyt"), st.lists(values, max_size=3).map(tuple), st.booleans()))
conditions = st.recursive(tests, lambda inner: st.one_of(
    st.builds(And, st.lists(inner, min_size=1, max_size=3).map(tuple)),
    st.builds(Or, st.lists(inner, min_size=1, max_size=3).map(tuple)),
    st.builds(Neg, inner)), max_leaves=8)
facts = st.fixed_dictionaries({}, optional={"x": st.integers(-3, 3), "y": st.integers(-3, 3),
                                            "t": st.sampled_from(["a", "b", "c", "é"])})


@given(conditions, facts)
def test_compiled_condition_is_the_interpreter(cond, fact):
    assert compile_condition(cond)(fact) is evaluate(cond, fact)


@given(st.lists(conditions, min_size=1, max_size=5), facts)
def test_reference_backend_reports_each_check_as_the_interpreter_does(conds, fact):
    checks = {f"c{i}": Check(f"c{i}", None, None, c, {}, (), frozenset("xyt"), ()) for i, c in enumerate(conds)}
    plan = Plan(Period(), checks, {}, frozenset("xyt"))
    firings = ReferenceBackend().run(plan, fact)  # unprepared: compiled on first use
    assert firings.passed == {k for k, c in checks.items() if evaluate(c.condition, fact) is True}
    assert firings.failed == {k for k, c in checks.items() if evaluate(c.condition, fact) is False}
    assert firings.missing == frozenset("xyt") - fact.keys()


def test_a_plan_is_compiled_once_and_a_new_plan_is_never_taken_for_an_old_one():
    backend = ReferenceBackend()
    x_is_1 = Plan(Period(), {"c": Check("c", None, None, Cmp("x", "eq", 1), {}, (), frozenset("x"), ())}, {},
                  frozenset("x"))
    backend.prepare(x_is_1)
    compiled = backend._compiled(x_is_1)
    assert backend._compiled(x_is_1) is compiled  # prepared once, then reused
    assert backend.run(x_is_1, {"x": 1}).passed == {"c"}
    for value in range(300):  # plans made and dropped: ids come back, and the cache is bounded
        other = Plan(Period(), {"c": Check("c", None, None, Cmp("x", "eq", value), {}, (), frozenset("x"), ())},
                     {}, frozenset("x"))
        assert backend.run(other, {"x": value}).passed == {"c"}
        assert backend.run(other, {"x": value + 1}).failed == {"c"}
    assert len(backend._answers) <= 257


@given(st.lists(conditions, min_size=1, max_size=5), st.lists(facts, min_size=2, max_size=40))
def test_remembered_parts_give_what_each_fact_gives_alone(conds, fact_list):
    """One backend over many facts (values repeat: most of each fact's parts are answered from what
    an earlier fact's values gave) reports what the interpreter says of each, as one that evaluates
    every check for every fact does."""
    checks = {f"c{i}": Check(f"c{i}", None, None, c, {}, (), frozenset("xyt"), ()) for i, c in enumerate(conds)}
    plan = Plan(Period(), checks, {}, frozenset("xyt"))
    remembers, every = ReferenceBackend(), ReferenceBackend(remember=False)
    for fact in fact_list:
        got = remembers.run(plan, fact)
        assert got == every.run(plan, fact)
        assert got.passed == {k for k, c in checks.items() if evaluate(c.condition, fact) is True}
        assert got.failed == {k for k, c in checks.items() if evaluate(c.condition, fact) is False}
