"""Appointment decisions, pinned to the fact sheet's worked examples 13 to 16, on both backends."""

import datetime as dt
import json

import pytest

import formasi_rules as fr
from conftest import AS_OF

PLACES = {"Kota Palembang": {"ahli_pertama": 1, "ahli_muda": 1, "ahli_madya": 1, "ahli_utama": 1}}
GOOD = [{"year": 2023, "rating": "baik"}, {"year": 2024, "rating": "baik"}]


def transfer(level="ahli_pertama", **changes):
    rec = {"id": "t", "employment_status": "PNS", "birth_date": "1972-05-01", "education": "S1",
           "rank": {"ahli_pertama": "III/a", "ahli_muda": "III/c", "ahli_madya": "IV/a"}[level],
           "position": {"type": "ja", "name": "Analis", "since": "2015-01-01"}, "region": "Kota Palembang",
           "performance": GOOD, "competency_test": {"status": "passed", "level": level},
           "experience_years": 2}
    rec.update(changes)
    return rec


def decide(engine, record, route, level, formation=PLACES, as_of=AS_OF):
    return engine.evaluate(record, as_of=as_of, formation=formation).decision(route, level)


def failed(decision):
    return [r.rule for r in decision.reasons if r.passed is False]


def test_example_13_age_53_eligible_54_not(engine):
    assert decide(engine, transfer(birth_date="1972-10-09"), "perpindahan", "ahli_pertama").outcome == "eligible"
    old = decide(engine, transfer(birth_date="1971-10-09"), "perpindahan", "ahli_pertama")
    assert old.outcome == "not_eligible" and failed(old) == ["perpindahan.age"]
    reason = next(r for r in old.reasons if r.rule == "perpindahan.age")
    assert reason.actual == {"age": 54} and reason.required == {"age": {"at_most": 53}}
    assert reason.citation["source"] == "bkn_faq_perpindahan"
    assert "54" in reason.message.en and "54" in reason.message.id


def test_example_13_butuh_perbaikan_in_one_of_two_years(engine):
    perf = [{"year": 2023, "rating": "butuh_perbaikan"}, {"year": 2024, "rating": "baik"}]
    d = decide(engine, transfer(performance=perf), "perpindahan", "ahli_pertama")
    assert failed(d) == ["perpindahan.performance"]


@pytest.mark.parametrize("birth, outcome", [("1970-10-09", "eligible"), ("1969-10-09", "not_eligible")])
def test_example_14_madya_age_55(engine, birth, outcome):
    assert decide(engine, transfer("ahli_madya", birth_date=birth), "perpindahan", "ahli_madya").outcome == outcome


def test_example_15_no_place_at_muda_denies_promotion_but_not_rank(engine):
    officer = {"id": "o", "employment_status": "PNS", "education": "S1", "rank": "III/a",
               "position": {"type": "jf", "name": "Pengantar Kerja", "level": "ahli_pertama", "since": "2018-01-01"},
               "region": "Kota Palembang", "credit_points": 100, "performance": GOOD,
               "competency_test": {"status": "passed", "level": "ahli_muda"}}
    no_muda = {"Kota Palembang": {"ahli_pertama": 1}}
    kj = decide(engine, officer, "kenaikan_jenjang", "ahli_muda", formation=no_muda)
    assert kj.outcome == "not_eligible" and failed(kj) == ["formation.available"]
    assert decide(engine, officer, "kenaikan_pangkat", "ahli_pertama", formation=no_muda).outcome == "eligible"
    assert decide(engine, officer, "kenaikan_jenjang", "ahli_muda").outcome == "eligible"


def test_example_16_d3_is_not_enough(engine):
    pns = {"id": "n", "employment_status": "PNS", "education": "D3", "rank": "III/a", "region": "Kota Palembang",
           "performance": GOOD}
    d = decide(engine, pns, "pengangkatan_pertama", "ahli_pertama")
    assert failed(d) == ["education.minimum"]
    assert decide(engine, {**pns, "education": "D4"}, "pengangkatan_pertama", "ahli_pertama").outcome == "eligible"


def test_three_failures_are_all_reported(engine):
    d = decide(engine, transfer(birth_date="1960-01-01", experience_years=1, education="D3"),
               "perpindahan", "ahli_pertama")
    assert sorted(failed(d)) == ["education.minimum", "perpindahan.age", "perpindahan.experience"]
    assert all(r.passed is not None for r in d.reasons)


def test_missing_inputs_make_a_decision_undetermined_and_name_them(engine):
    rec = transfer()
    del rec["birth_date"]
    del rec["competency_test"]
    d = decide(engine, rec, "perpindahan", "ahli_pertama")
    assert d.outcome == "undetermined"
    assert d.missing == ("competency_test.status", "competency_test.level", "birth_date")


def test_without_formation_data_the_formation_rule_is_undetermined(engine):
    d = decide(engine, transfer(), "perpindahan", "ahli_pertama", formation=None)
    assert d.outcome == "undetermined" and d.missing == ("formation",)


def test_a_failure_outweighs_a_missing_input(engine):
    d = decide(engine, transfer(birth_date="1960-01-01"), "perpindahan", "ahli_pertama", formation=None)
    assert d.outcome == "not_eligible" and d.missing == ("formation",)


def test_pppk_and_cpns_are_not_admitted(engine):
    for status in ("PPPK", "CPNS", "non_ASN"):
        d = decide(engine, transfer(employment_status=status), "perpindahan", "ahli_pertama")
        assert failed(d) == ["status.asn"]


def test_adjustment_window_closes(engine):
    rec = transfer()
    early = {**rec, "performance": [{"year": 2021, "rating": "baik"}, {"year": 2022, "rating": "baik"}]}
    assert decide(engine, early, "penyesuaian", "ahli_pertama", as_of=dt.date(2023, 6, 1)).outcome == "eligible"
    late = decide(engine, rec, "penyesuaian", "ahli_pertama")
    assert failed(late) == ["penyesuaian.window"]


def test_request_narrows_the_decisions(engine):
    result = engine.evaluate(transfer(request={"route": "perpindahan"}), as_of=AS_OF, formation=PLACES)
    assert {(d.route, d.level) for d in result.decisions} == {
        ("perpindahan", lv) for lv in ("ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama")}
    with pytest.raises(fr.InputError):
        engine.evaluate(transfer(request={"route": "kenaikan_jenjang", "level": "ahli_pertama"}), as_of=AS_OF)


def test_every_declared_route_and_level_is_decided_without_a_request(engine, policy):
    result = engine.evaluate(transfer(), as_of=AS_OF, formation=PLACES)
    declared = {(r.name, lv) for r in policy.routes.values() for lv in r.levels}
    assert {(d.route, d.level) for d in result.decisions} == declared


def test_result_names_policy_version_and_digest(engine, policy):
    result = engine.evaluate(transfer(), as_of=AS_OF)
    assert result.policy == {"name": "pengantar_kerja", "version": policy.version, "digest": policy.digest}
    assert result.to_dict()["as_of"] == "2025-10-09"


def test_dates_outside_the_policy_are_refused(engine):
    with pytest.raises(fr.InvalidArgument, match="covers"):
        engine.evaluate(transfer(), as_of=dt.date(2020, 1, 1))
    with pytest.raises(fr.InvalidArgument):
        engine.evaluate(transfer(), as_of="2025-10-09")


def test_evaluate_many_reports_bad_records_and_goes_on(engine):
    records = [transfer(id="a"), {"id": "b", "birth_date": "30/04/85"}, "junk", transfer(id="d")]
    out = list(engine.evaluate_many(records, as_of=AS_OF))
    assert [type(o).__name__ for o in out] == ["Result", "RecordError", "RecordError", "Result"]
    assert out[1].candidate == "b" and out[1].problems[0].path == "$[1].birth_date"
    assert out[2].problems[0].path == "$[2]"


def test_a_filter_outside_the_request_leaves_no_decision_not_an_error(engine):
    result = engine.evaluate(transfer(request={"route": "perpindahan"}), as_of=AS_OF, route="kenaikan_pangkat")
    assert result.decisions == ()


def test_json_text_is_the_dict(engine):
    result = engine.evaluate(transfer(birth_date="1960-01-01"), as_of=AS_OF, formation=PLACES)
    import json

    assert json.loads(result.to_json()) == result.to_dict()
    allocated = engine.allocate([result], formation=PLACES)[0]
    assert json.loads(allocated.to_json()) == allocated.to_dict()


def test_reasons_are_shared_between_candidates_but_stay_correct(engine):
    a = engine.evaluate(transfer(id="a"), as_of=AS_OF, formation=PLACES).decision("perpindahan", "ahli_pertama")
    b = engine.evaluate(transfer(id="b", birth_date="1960-01-01"), as_of=AS_OF,
                        formation=PLACES).decision("perpindahan", "ahli_pertama")
    age_a = next(r for r in a.reasons if r.rule == "perpindahan.age")
    age_b = next(r for r in b.reasons if r.rule == "perpindahan.age")
    assert age_a.passed is True and age_b.passed is False and age_b.actual == {"age": 65}
    edu_a = next(r for r in a.reasons if r.rule == "education.minimum")
    edu_b = next(r for r in b.reasons if r.rule == "education.minimum")
    assert edu_a is edu_b  # the same check, status and values: one immutable reason


def test_a_decisions_failed_checks_and_missing_inputs_are_its_own_reasons(engine):
    """What a decision says failed and is missing is what its reasons say, in their order, for every
    decision of many candidates lacking different inputs (the explainer makes each once and gives it
    again: a candidate after another must not get the other's)."""
    import random
    rng, optional = random.Random(7), ["birth_date", "education", "rank", "position", "performance",
                                       "competency_test", "experience_years", "region", "credit_points"]
    for i in range(120):
        record = transfer(id=f"m{i}", credit_points=rng.choice([0, 60, 120, 250]))
        for key in rng.sample(optional, rng.randint(0, 4)):
            record.pop(key, None)
        result = engine.evaluate(record, as_of=AS_OF, formation=rng.choice([PLACES, None]))
        for d in result.decisions:
            assert [f.split("@")[0] for f in d.failed] == [r.rule for r in d.reasons if r.passed is False]
            assert d.missing == tuple(dict.fromkeys(i for r in d.reasons if r.passed is None for i in r.missing))


def test_a_results_dict_is_its_callers_own_and_shared_reasons_refuse_changes(engine):
    """Reasons are shared between results: changing one result's to_dict() (or the reason itself)
    must not change what another candidate's result says."""
    first = engine.evaluate(transfer(id="a"), as_of=AS_OF, formation=PLACES)
    before = engine.evaluate(transfer(id="b"), as_of=AS_OF, formation=PLACES)
    want, want_bytes = before.to_dict(), before.to_bytes()
    allocated = engine.allocate([first, before], formation=PLACES)
    mine = first.to_dict()
    for decision in mine["decisions"]:
        for reason in decision["reasons"]:
            reason["actual"].clear()
            reason["required"].clear()
            reason["citation"]["article"] = "edited"
            for row in reason.get("values_from", ()):
                row["citation"]["article"] = "edited"
        decision["missing"].append("edited")
    mine["derived"].clear()
    mine["policy"]["name"] = "edited"
    compact = first.to_dict("compact")
    compact["derived"].clear()
    compact["decisions"].clear()
    one = first.decision("perpindahan", "ahli_pertama")
    one.to_dict()["reasons"][0]["actual"]["employment_status"] = "edited"
    one.reasons[0].to_dict()["citation"]["article"] = "edited"
    for item in allocated:
        for alloc in item.to_dict()["decisions"]:
            if "allocation" in alloc:
                alloc["allocation"]["citation"]["article"] = "edited"
                alloc["allocation"]["message"]["en"] = "edited"
    other = engine.evaluate(transfer(id="b"), as_of=AS_OF, formation=PLACES)
    assert other.to_dict() == want == json.loads(other.to_bytes()) and other.to_bytes() == want_bytes
    assert before.to_dict() == want and first.to_dict("compact")["decisions"]
    assert engine.allocate([first, before], formation=PLACES)[1].to_dict() == allocated[1].to_dict()
    assert "edited" not in json.dumps(allocated[0].to_dict())
    reason = other.decision("perpindahan", "ahli_pertama").reasons[0]
    for change in (lambda: reason.actual.clear(), lambda: reason.citation.update(article="x"),
                   lambda: reason.required.pop(next(iter(reason.required))),
                   lambda: reason.values_from[0]["citation"].__setitem__("article", "x")):
        with pytest.raises(fr.InvalidArgument, match="shared"):
            change()
    assert other.to_bytes() == want_bytes and isinstance(reason.actual, dict)
    assert dict(reason.actual) == reason.actual and json.loads(json.dumps(reason.actual)) == reason.actual


def test_routes_falling_due_together_are_ordered_by_the_policys_precedence(engine):
    """Kenaikan jenjang and kenaikan pangkat due together: jenjang first (fact sheet 2e), as the
    policy's precedence says; the result names the order, and the compact form keeps it."""
    officer = {"id": "kj-kp", "employment_status": "PNS", "education": "S1", "rank": "III/a",
               "region": "Kota Lahat", "credit_points": 100,
               "position": {"type": "jf", "name": "Pengantar Kerja", "level": "ahli_pertama", "since": "2018-01-01"},
               "performance": [{"year": 2024, "rating": "baik"}],
               "competency_test": {"status": "passed", "level": "ahli_muda"}}
    result = engine.evaluate(officer, as_of=dt.date(2025, 10, 9), formation={"Kota Lahat": {"ahli_muda": 1}})
    assert result.precedence == ["kenaikan_jenjang/ahli_muda", "kenaikan_pangkat/ahli_pertama"]
    assert result.to_dict()["precedence"] == result.precedence
    assert json.loads(result.to_json())["precedence"] == result.precedence
    alone = engine.evaluate({**officer, "credit_points": 60}, as_of=dt.date(2025, 10, 9),
                            formation={"Kota Lahat": {"ahli_muda": 1}})
    assert alone.outcomes["kenaikan_pangkat/ahli_pertama"] == "eligible" and alone.precedence is None
    assert "precedence" not in alone.to_dict()


def test_a_filter_no_route_has_is_refused_with_the_pairs(default_engine):
    import formasi_rules as fr
    from conftest import AS_OF
    for call in (lambda: default_engine.evaluate({"id": "a"}, as_of=AS_OF, route="kenaikan_jenjang",
                                                 level="ahli_pertama"),
                 lambda: next(default_engine.evaluate_many([{"id": "a"}], as_of=AS_OF, route="kenaikan_jenjang",
                                                           level="ahli_pertama"))):
        with pytest.raises(fr.InvalidArgument, match="the pairs are: .*kenaikan_jenjang/ahli_muda"):
            call()


def test_a_misspelt_decision_lookup_suggests_the_closest(default_engine):
    import formasi_rules as fr
    from conftest import AS_OF
    result = default_engine.evaluate({"id": "a"}, as_of=AS_OF)
    with pytest.raises(fr.InvalidArgument, match="did you mean 'perpindahan/ahli_pertama'") as info:
        result.decision("perpindahan", "ahli_pertamaa")
    assert isinstance(info.value, KeyError)  # as before, for code that caught KeyError
