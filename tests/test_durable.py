"""The durable_rules backend: generated rulesets, the engine's limits, isolation, threads."""

import json
import threading
import warnings

import pytest

import formasi_rules as fr
from conftest import AS_OF, edit
from formasi_rules.engine import _durable
from formasi_rules.engine._durable import DurableBackend, _Ruleset, load_engine
from formasi_rules.engine._rulesets import ALPHA_BUDGET, alpha_cost, compile_plan, to_durable
from formasi_rules.engine._plan import And, Check, Cmp, In, Or, Plan
from formasi_rules.policy._model import Period

pytest.importorskip("durable_rules_engine", reason="durable_rules does not import on this Python")


def flat_plan(n, rule=None):
    checks = {f"c{i}": Check(f"c{i}", rule, None, Cmp(f"k{i}", "ge", 0), {}, (f"k{i}",),
                             frozenset({f"k{i}"}), ()) for i in range(n)}
    return Plan(Period(), checks, {}, frozenset(f"k{i}" for i in range(n)))


def test_the_engine_limit_is_real_and_splitting_avoids_it():
    n = 70  # 70 tests (the fail rules) matched by one fact at once: past the engine's stack of 64
    plan = flat_plan(n)
    fact = {f"k{i}": -1 for i in range(n)}
    (single,) = compile_plan(plan, budget=10_000)
    with pytest.raises(Exception, match="303"):
        _Ruleset(load_engine(), single, "unsplit").fire(json.dumps({"sid": "1", "id": "c", "kind": "candidate", **fact}))
    specs = compile_plan(plan)
    assert len(specs) > 1
    backend = DurableBackend("split")
    backend.prepare(plan)
    firings = backend.run(plan, fact)
    backend.close()
    assert firings.failed == frozenset(plan.checks) and not firings.passed


def test_a_ruleset_filled_to_the_budget_runs_with_every_test_matching():
    n = ALPHA_BUDGET - 2  # fail tests; the discriminator and the priming rule take the other two
    plan = flat_plan(n // 2)  # each check: one fail test and one $nex test
    (spec,) = compile_plan(plan)
    fact = {"kind": "candidate", **{f"k{i}": -1 for i in range(n // 2)}}
    matched = _Ruleset(load_engine(), spec, "full").fire(json.dumps({"sid": "1", "id": "c", **fact}))  # as asserted
    assert len(matched) == n // 2
    plan = flat_plan(n)  # n fail tests alone, all matching: what the budget allows at most
    fact = {"kind": "candidate", **{f"k{i}": -1 for i in range(n)}}
    (spec,) = compile_plan(plan, budget=10_000)
    assert len(_Ruleset(load_engine(), spec, "all").fire(json.dumps({"sid": "1", "id": "c", **fact}))) == n


def test_a_pass_rule_only_where_kleene_allows_true_with_a_key_missing():
    conds = {"one_key_or": Or((Cmp("a", "lt", 0), Cmp("a", "gt", 5))),   # true needs a
             "and": And((Cmp("a", "ge", 0), In("b", (1, 2)))),            # true needs a and b
             "two_key_or": Or((Cmp("a", "ge", 0), Cmp("b", "ge", 0)))}    # true with b alone
    checks = {k: Check(k, None, None, c, {}, (), frozenset({"a", "b"}), ()) for k, c in conds.items()}
    plan = Plan(Period(), checks, {}, frozenset({"a", "b"}))
    (spec,) = compile_plan(plan)
    assert sorted(what for what in spec.meaning.values() if what[0] == "pass") == [("pass", "two_key_or")]
    assert {k for k, _ in spec.inferred} == {"one_key_or", "and"}
    backend = DurableBackend("infer")
    backend.prepare(plan)
    try:
        only_b = backend.run(plan, {"b": 1})
        assert only_b.passed == {"two_key_or"} and only_b.missing == {"a"} and not only_b.failed
        both = backend.run(plan, {"a": 3, "b": 1})
        assert both.passed == {"and", "two_key_or"} and both.failed == {"one_key_or"}
    finally:
        backend.close()


def test_each_ruleset_stays_within_budget(engines):
    for plan in engines["durable"].plans:
        for spec in compile_plan(plan):
            tests = 0
            for name, rule in spec.definition.items():
                if name == "prime":
                    continue
                (cond,) = rule["all"]
                first, test = cond["m"]["$and"]
                assert first == {"kind": "candidate"}  # the state fact {sid,id,$s} can never match (H3)
                tests += _count(test)
            assert tests + 2 <= ALPHA_BUDGET


def _count(test):
    if "$and" in test or "$or" in test:
        return sum(_count(t) for t in next(iter(test.values())))
    return 1


def test_a_rule_too_large_for_the_engine_is_a_policy_error(policy):
    rule = policy.rules[0]
    check = Check("big", rule, None, In("k", tuple(range(60))), {}, ("k",), frozenset({"k"}), ())
    with pytest.raises(fr.PolicyError) as info:
        compile_plan(Plan(Period(), {"big": check}, {}, frozenset({"k"})))
    (p,) = info.value.problems
    assert p.code == "P080" and p.rule == rule.id and p.file


def test_alpha_cost_counts_the_expanded_paths():
    assert alpha_cost(Cmp("a", "eq", 1)) == (1, 1)
    assert alpha_cost(In("a", (1, 2, 3))) == (3, 3)
    assert alpha_cost(In("a", (1, 2, 3), negated=True)) == (1, 3)
    both = And((Or((Cmp("a", "eq", 1), Cmp("b", "eq", 1))), Or((Cmp("c", "eq", 1), Cmp("d", "eq", 1)))))
    assert alpha_cost(both) == (4, 8)


def test_native_format_has_no_in_operator_and_no_any():
    assert to_durable(In("s", ("PNS", "PPPK"))) == {"$or": [{"s": "PNS"}, {"s": "PPPK"}]}
    assert to_durable(In("s", ("PNS",), negated=True)) == {"$neq": {"s": "PNS"}}
    assert to_durable(Cmp("age", "le", 53)) == {"$lte": {"age": 53}}
    text = json.dumps([spec.definition for spec in compile_plan(flat_plan(3))])
    assert '"any"' not in text and "$in" not in text


def test_two_versions_of_a_policy_live_side_by_side(policy, policy_copy):
    edit(policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml", "{level: ahli_pertama, max_age: 53}",
         "{level: ahli_pertama, max_age: 50}")
    older = fr.Engine(policy, backend="durable")
    stricter = fr.Engine(fr.load_policy(policy_copy), backend="durable")
    again = fr.Engine(policy, backend="durable")  # the same policy loaded twice works
    rec = {"id": "x", "birth_date": "1973-01-01"}
    ages = [e.evaluate(rec, as_of=AS_OF).decision("perpindahan", "ahli_pertama") for e in (older, stricter, again)]
    verdicts = [next(r.passed for r in d.reasons if r.rule == "perpindahan.age") for d in ages]
    assert verdicts == [True, False, True]
    for e in (older, stricter, again):
        e.close()


def test_closed_engine_refuses_work_and_close_is_idempotent(policy):
    engine = fr.Engine(policy, backend="durable")
    engine.close()
    engine.close()
    with pytest.raises(fr.InvalidArgument, match="closed"):
        engine.evaluate({"id": "x"}, as_of=AS_OF)


def test_threads_sharing_one_engine_get_the_sequential_results(engines):
    engine = engines["durable"]
    records = [{"id": str(i), "birth_date": f"{1960 + i % 30}-06-15", "education": ["D3", "S1", "S2"][i % 3],
                "rank": ["III/a", "III/c", "IV/a"][i % 3], "experience_years": i % 4,
                "employment_status": "PNS"} for i in range(60)]
    expected = [engine.evaluate(r, as_of=AS_OF).to_dict() for r in records]
    results = [None] * len(records)
    errors = []

    def work(offset):
        try:
            for i in range(offset, len(records), 4):
                results[i] = engine.evaluate(records[i], as_of=AS_OF).to_dict()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == expected


def test_unavailable_durable_rules_is_announced_never_silent(policy, monkeypatch):
    def unavailable():
        raise fr.BackendUnavailable("durable_rules cannot be imported here")

    monkeypatch.setattr(_durable, "load_engine", unavailable)
    with pytest.warns(fr.BackendWarning, match="reference"):
        engine = fr.Engine(policy)
    assert engine.backend.name == "reference"
    with pytest.raises(fr.BackendUnavailable):
        fr.Engine(policy, backend="durable")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fr.Engine(policy, backend="reference").backend.name == "reference"


def test_default_backend_is_durable_rules(policy):
    engine = fr.Engine(policy)
    assert engine.backend.name == "durable_rules"
    engine.close()


@pytest.mark.parametrize("key", ["kind", "id", "sid", "a.b", "$s", "Upper", "x-y", "_0"])
def test_a_fact_key_the_engine_reads_its_own_way_is_renamed(key):
    """sid and id name the engine's session and fact, kind the backend's discriminator, a '.' a
    nested object: a field of such a name once silently took that meaning (nothing fired, every
    check passed). The backend renames it, in its rules and in every fact, and decides as the
    reference backend does: asked, and answered from its memo (each fact a second time), which
    reads the fact under the field's own name."""
    from formasi_rules.engine._backend import ReferenceBackend
    checks = {"c": Check("c", None, None, Cmp(key, "ge", 30), {}, (key,), frozenset({key}), ()),
              "d": Check("d", None, None, Cmp("plain", "eq", 1), {}, ("plain",), frozenset({"plain"}), ())}
    plan = Plan(Period(), checks, {}, frozenset({key, "plain"}))
    backend = DurableBackend("names")
    backend.prepare(plan)
    try:
        for fact in ({key: 29, "plain": 1}, {key: 30, "plain": 0}, {"plain": 1}, {key: 31}) * 2:
            got, want = backend.run(plan, fact), ReferenceBackend().run(plan, fact)
            assert (got.passed, got.failed, got.missing) == (want.passed, want.failed, want.missing), fact
    finally:
        backend.close()
