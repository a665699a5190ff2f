"""Derived facts, pinned to the fact sheet's worked examples."""

import datetime as dt
from decimal import Decimal

import pytest

from formasi_rules.engine._derive import completed_years, derive
from formasi_rules.inputs import structure_candidate


def derived(policy, as_of=dt.date(2025, 10, 9), formation=None, **fields):
    return derive(structure_candidate({"id": "x", **fields}), as_of, policy, formation)


def jf(level, since):
    return {"type": "jf", "name": "Pengantar Kerja", "level": level, "since": since}


def test_example_1_sangat_baik_full_year_is_18_75(policy):
    d = derived(policy, position=jf("ahli_pertama", "2024-01-01"),
                performance=[{"year": 2024, "rating": "sangat_baik"}])
    assert d.values["credit_points"] == Decimal("18.75")
    assert d.explain["credit_points"]["years"] == [
        {"year": 2024, "months": 12, "rating": "sangat_baik", "percent": 150, "coefficient": 12.5,
         "points": 18.75}]


def test_example_2_two_months_baik_is_2_08(policy):
    d = derived(policy, position=jf("ahli_pertama", "2024-11-01"), performance=[{"year": 2024, "rating": "baik"}])
    assert d.values["credit_points"] == Decimal("2.08")


def test_example_4_madya_baik_is_37_5(policy):
    d = derived(policy, position=jf("ahli_madya", "2024-01-01"), performance=[{"year": 2024, "rating": "baik"}])
    assert d.values["credit_points"] == Decimal("37.5")


@pytest.mark.parametrize("rating, years, total", [("baik", 4, Decimal("50")),
                                                    ("sangat_baik", 3, Decimal("56.25"))])
def test_example_6_years_to_reach_rank_promotion(policy, rating, years, total):
    perf = [{"year": 2029 - years + i, "rating": rating} for i in range(years)]
    d = derived(policy, as_of=dt.date(2029, 3, 1), position=jf("ahli_pertama", f"{2029 - years}-01-01"),
                performance=perf)
    assert d.values["credit_points"] == total


def test_given_credit_points_win_and_gaps_make_them_unknown(policy):
    d = derived(policy, credit_points=7, position=jf("ahli_pertama", "2020-01-01"))
    assert d.values["credit_points"] == 7 and d.explain["credit_points"] == {"source": "given"}
    gap = derived(policy, position=jf("ahli_pertama", "2023-01-01"), performance=[{"year": 2024, "rating": "baik"}])
    assert "credit_points" not in gap.values
    assert "2023" in gap.explain["credit_points"]["why"]


def test_years_before_the_coefficients_are_not_guessed(policy):
    d = derived(policy, position=jf("ahli_pertama", "2022-01-01"),
                performance=[{"year": y, "rating": "baik"} for y in (2022, 2023, 2024)])
    assert "credit_points" not in d.values
    assert "no coefficient" in d.explain["credit_points"]["why"]


@pytest.mark.parametrize("birth, as_of, age", [
    ("1972-10-09", "2025-10-09", 53), ("1972-10-10", "2025-10-09", 52), ("1972-02-29", "2025-02-28", 52),
    ("1972-02-29", "2025-03-01", 53)])
def test_age_in_completed_years(birth, as_of, age):
    assert completed_years(dt.date.fromisoformat(birth), dt.date.fromisoformat(as_of)) == age


def test_worst_rating_needs_every_year_of_the_window(policy):
    d = derived(policy, performance=[{"year": 2024, "rating": "sangat_baik"}, {"year": 2023, "rating": "kurang"}])
    assert d.values["performance_worst_1y"] == "sangat_baik"
    assert d.values["performance_worst_2y"] == "kurang"
    assert "performance_worst_3y" not in d.values


def test_formation_by_region_name(policy):
    places = {"kota palembang": {"ahli_pertama": 2}}
    d = derived(policy, formation=places, region="Kota  PALEMBANG")
    assert d.per_level["formation_open"] == {"ahli_pertama": 2, "ahli_muda": 0, "ahli_madya": 0, "ahli_utama": 0}
    unknown = derived(policy, formation=places, region="Kota Palembng")
    assert unknown.per_level == {} and "kota palembang" in unknown.explain["formation"]


def test_dates_after_the_evaluation_date_are_rejected(policy):
    import formasi_rules as fr

    with pytest.raises(fr.InputError) as info:
        derived(policy, birth_date="2030-01-01")
    assert info.value.problems[0].path == "$.birth_date"
