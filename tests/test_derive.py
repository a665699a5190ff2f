"""Derived facts, computed as the policy's fields say, pinned to the fact sheet's worked examples."""

import datetime as dt
from decimal import Decimal

import pytest

import formasi_rules as fr
from formasi_rules.engine._derive import Deriver
from conftest import ROOT
from formasi_rules.inputs import structure_candidate

AS_OF = dt.date(2025, 10, 9)


@pytest.fixture(scope="module")
def deriver(policy):
    return Deriver(policy)


def derived(deriver, as_of=AS_OF, formation=None, **fields):
    record = structure_candidate({"id": "x", **fields}, policy=deriver.policy)
    return deriver.derive(record, as_of, formation)


def jf(level, since, name="Pengantar Kerja", **more):
    return {"type": "jf", "name": name, "level": level, "since": since, **more}


def test_example_1_sangat_baik_full_year_is_18_75(deriver):
    d = derived(deriver, position=jf("ahli_pertama", "2024-01-01"), performance=[{"year": 2024, "rating": "sangat_baik"}])
    assert d.values["credit_points_in_level"] == Decimal("18.75")
    years = d.explain["credit_points_in_level"]["steps"][0]["years"]
    assert [(y["year"], y["months"], y["amount"]) for y in years] == [(2024, 12, 18.75)]
    assert {s["table"] for s in years[0]["read"]} == {"ak_multiplier", "ak_coefficient"}  # cells it read, cited


def test_example_2_two_months_baik_is_2_08(deriver):
    d = derived(deriver, position=jf("ahli_pertama", "2024-11-01"), performance=[{"year": 2024, "rating": "baik"}])
    assert d.values["credit_points_in_level"] == Decimal("2.08")


def test_example_4_madya_baik_is_37_5(deriver):
    d = derived(deriver, position=jf("ahli_madya", "2024-01-01"), performance=[{"year": 2024, "rating": "baik"}])
    assert d.values["credit_points_in_level"] == Decimal("37.5")


@pytest.mark.parametrize("rating, years, total", [("baik", 4, Decimal("50")), ("sangat_baik", 3, Decimal("56.25"))])
def test_example_6_years_to_reach_rank_promotion(deriver, rating, years, total):
    perf = [{"year": 2029 - years + i, "rating": rating} for i in range(years)]
    d = derived(deriver, as_of=dt.date(2029, 3, 1), position=jf("ahli_pertama", f"{2029 - years}-01-01"),
                performance=perf)
    assert d.values["credit_points_in_level"] == total


def test_example_3_transfer_with_ak_dasar_and_three_years_converted(deriver):
    """PerBKN 3/2023's worked example: from the top rank of an administrative post at III/d into
    Ahli Muda; 3 years of Baik converted (25 x 3 = 75) plus AK Dasar III/d 100."""
    d = derived(deriver,
                positions=[{"type": "ja", "name": "Analis", "since": "2015-01-02", "top_rank": True},
                           jf("ahli_muda", "2025-01-01")],
                ranks=[{"rank": "III/d", "since": "2018-04-01"}],
                performance=[{"year": y, "rating": "baik"} for y in range(2018, 2025)])
    assert d.values["entry_route"] == "perpindahan"
    assert d.values["conversion_from"] == dt.date(2022, 1, 1)  # the last 36 months only (top rank)
    assert d.values["credit_points_converted"] == Decimal("75")
    assert d.values["ak_dasar"] == Decimal("100")
    assert d.values["credit_points"] == Decimal("175")


def test_a_transfer_whose_ak_dasar_is_unknown_has_unknown_credit_points(deriver):
    d = derived(deriver,
                positions=[{"type": "ja", "name": "Analis", "since": "2015-01-02", "top_rank": False},
                           jf("ahli_pertama", "2024-01-01")],
                ranks=[{"rank": "III/b", "since": "2022-04-01"}],
                performance=[{"year": y, "rating": "baik"} for y in range(2018, 2025)])
    assert d.values["credit_points_converted"] == Decimal("21.88")  # 9 months of 2022 (9.38) + 2023 (12.5)
    assert "ak_dasar" not in d.values and "credit_points" not in d.values  # never a confident partial figure


def test_credit_points_start_from_zero_after_a_promotion_to_a_level(deriver):
    d = derived(deriver,
                positions=[jf("ahli_pertama", "2018-01-01"), jf("ahli_muda", "2023-01-01")],
                ranks=[{"rank": "III/c", "since": "2022-10-01"}],
                performance=[{"year": y, "rating": "baik"} for y in range(2018, 2025)])
    assert d.values["entry_route"] == "kenaikan_jenjang"
    assert d.values["credit_points_at_entry"] == 0
    assert d.values["credit_points"] == Decimal("50")  # 2023 and 2024 at 25 a year; nothing carried over


def test_given_credit_points_win_and_gaps_make_them_unknown(deriver):
    d = derived(deriver, credit_points=7, position=jf("ahli_pertama", "2020-01-01"))
    assert d.values["credit_points"] == 7
    gap = derived(deriver, positions=[jf("ahli_pertama", "2023-01-01")], ranks=[{"rank": "III/a", "since": "2023-01-01"}],
                  performance=[{"year": 2024, "rating": "baik"}])
    assert "credit_points" not in gap.values  # 2023 has no rating


def test_a_current_position_alone_does_not_say_how_the_level_was_entered(deriver):
    d = derived(deriver, position=jf("ahli_pertama", "2023-01-01"), rank="III/a", rank_since="2023-01-01",
                performance=[{"year": y, "rating": "baik"} for y in range(2023, 2025)])
    assert "entry_route" not in d.values and "credit_points" not in d.values
    assert d.values["credit_points_in_level"] == Decimal("25")


def test_credit_points_are_derived_only_for_a_level_entered_since_the_integration(deriver):
    """Years before the integration were the conventional system's (the PAK integrasi states them):
    at 2023 coefficients they gave 100 points for 2017-2024 and a promotion the PAK may not allow."""
    history = {"positions": [jf("ahli_pertama", "2017-01-01")], "ranks": [{"rank": "III/a", "since": "2017-01-01"}],
               "performance": [{"year": y, "rating": "baik"} for y in range(2017, 2025)]}
    assert "credit_points" not in derived(deriver, **history).values
    since = derived(deriver, positions=[jf("ahli_pertama", "2023-01-01")],
                    ranks=[{"rank": "III/a", "since": "2023-01-01"}], performance=history["performance"])
    assert since.values["credit_points"] == Decimal("25")


@pytest.mark.parametrize("birth, as_of, age", [
    ("1972-10-09", "2025-10-09", 53), ("1972-10-10", "2025-10-09", 52), ("1972-02-29", "2025-02-28", 52),
    ("1972-02-29", "2025-03-01", 53)])
def test_age_in_completed_years(deriver, birth, as_of, age):
    assert derived(deriver, as_of=dt.date.fromisoformat(as_of), birth_date=birth).values["age"] == age


def test_worst_rating_needs_every_year_of_the_window_and_reads_aliases(deriver):
    d = derived(deriver, performance=[{"year": 2024, "rating": "Sangat Baik"}, {"year": 2023, "rating": "Cukup"}])
    assert d.values["performance_worst_1y"] == "sangat_baik"
    assert d.values["performance_worst_2y"] == "butuh_perbaikan"  # "Cukup" is the older name
    assert "performance_worst_3y" not in d.values


def test_held_jpt_needs_the_history(deriver):
    assert derived(deriver, positions=[{"type": "jpt", "since": "2015-01-01"}, jf("ahli_madya", "2020-01-01")]
                   ).values["held_jpt"] is True
    assert derived(deriver, positions=[{"type": "ja", "since": "2015-01-01"}]).values["held_jpt"] is False
    assert "held_jpt" not in derived(deriver, position={"type": "ja", "since": "2015-01-01"}).values


def test_years_in_level_joins_moves_at_the_same_level(deriver):
    d = derived(deriver, positions=[jf("ahli_pertama", "2019-02-01"), jf("ahli_pertama", "2022-06-01", until=None)])
    assert d.values["level_since"] == dt.date(2019, 2, 1) and d.values["years_in_level"] == 6


def test_the_position_is_recognised_as_the_national_system_writes_it(deriver):
    for name in ("Pengantar Kerja", "pengantar  kerja", "PENGANTAR KERJA AHLI MUDA", "JF Pengantar Kerja"):
        assert derived(deriver, position=jf("ahli_muda", "2020-01-01", name=name)).values["in_position"] is True
    assert derived(deriver, position=jf("ahli_muda", "2020-01-01", name="Pengantar")).values["in_position"] is False


def test_formation_by_region_name(deriver):
    places = {"kota palembang": {"ahli_pertama": 2}}
    d = derived(deriver, formation=places, region="Kota  PALEMBANG")
    assert d.per_level["formation_open"] == {"ahli_pertama": 2, "ahli_muda": 0, "ahli_madya": 0, "ahli_utama": 0}
    unknown = derived(deriver, formation=places, region="Kota Palembng")
    assert unknown.per_level == {} and "kota palembang" in unknown.explain["formation"]
    # said in both languages, each half with its own words of the suggestion
    en, id_ = unknown.explain["formation"].rsplit(" / ", 1)
    assert en == "region 'Kota Palembng' is not in the formation data (did you mean 'kota palembang'?)"
    assert id_ == "wilayah 'Kota Palembng' tidak ada dalam data formasi (maksud Anda 'kota palembang'?)"


def test_dates_after_the_evaluation_date_are_rejected(deriver):
    with pytest.raises(fr.InputError) as info:
        derived(deriver, birth_date="2030-01-01")
    assert info.value.problems[0].path == "$.birth_date"


def test_an_entry_with_its_level_in_its_name_alone_is_at_that_level(deriver):
    """A move between units written the national system's way with no level field ("PENGANTAR KERJA
    AHLI MUDA") was a new level: level_since restarted, and a promotion came out not eligible."""
    moved = [jf("ahli_muda", "2023-01-01"), {"type": "jf", "name": "PENGANTAR KERJA AHLI MUDA", "since": "2025-03-01"}]
    d = derived(deriver, positions=moved, ranks=[{"rank": "III/c", "since": "2023-01-01"}])
    assert d.values["level_since"] == dt.date(2023, 1, 1) and d.values["position_level"] == "ahli_muda"
    # a post of another type named so has no level from its name (formation does not count it either)
    other = derived(deriver, position={"type": "ja", "name": "Pengantar Kerja Ahli Muda", "since": "2023-01-01"})
    assert other.values.get("position_level") is None


def test_ratings_are_made_once_per_performance_tuple_and_never_kept_for_a_list():
    """The ratings by year are shared by records holding the same tuple of (frozen) ratings, as the
    one-pass reading gives equal records; a list given from Python, which may change, is read anew."""
    from formasi_rules.engine._derive import RecordView
    from formasi_rules.inputs import Candidate, PerformanceRating
    day = dt.date(2025, 10, 9)
    given = (PerformanceRating(2023, "baik"), PerformanceRating(2024, "kurang"))
    first = RecordView(Candidate("a", performance=given), day).ratings
    assert first == {2023: "baik", 2024: "kurang"}
    assert RecordView(Candidate("b", performance=given), day).ratings is first
    assert RecordView(Candidate("c", performance=(PerformanceRating(2024, "baik"),)), day).ratings == {2024: "baik"}
    changing = [PerformanceRating(2024, "baik")]
    assert RecordView(Candidate("d", performance=changing), day).ratings == {2024: "baik"}
    changing[0] = PerformanceRating(2024, "kurang")
    assert RecordView(Candidate("d", performance=changing), day).ratings == {2024: "kurang"}


def test_a_history_is_made_once_for_the_records_that_give_it_and_answers_per_policy():
    """Records holding the same frozen position (the readers give equal records the same object)
    share its history and the entries found in it; a history given as a list from Python, which may
    change, is read anew; an answer kept for one policy is not another's."""
    from formasi_rules.engine._derive import RecordView, history_at
    from formasi_rules.inputs import Candidate, Position
    day = dt.date(2025, 10, 9)
    post = Position("jf", "Pengantar Kerja", "ahli_muda", dt.date(2020, 1, 1))
    first = RecordView(Candidate("a", position=post), day).positions
    assert RecordView(Candidate("b", position=post), day).positions is first
    assert RecordView(Candidate("c", position=Position("jf", None, "ahli_muda", dt.date(2021, 1, 1))),
                      day).positions is not first
    changing = [Position("jf", None, "ahli_muda", dt.date(2019, 1, 1))]
    assert RecordView(Candidate("d", positions=changing), day).positions.entries[0].since == dt.date(2019, 1, 1)
    changing[0] = Position("jf", None, "ahli_muda", dt.date(2018, 1, 1))
    assert RecordView(Candidate("d", positions=changing), day).positions.entries[0].since == dt.date(2018, 1, 1)
    one, other = (fr.load_policy(ROOT / "policies" / name) for name in ("pengantar_kerja", "instruktur"))
    assert history_at(first, day, "since", False, (), one) == dt.date(2020, 1, 1)
    assert history_at(first, day, "since", False, (), other) == dt.date(2020, 1, 1)
    assert history_at(first, dt.date(2019, 1, 1), "since", False, (), one) is None  # not yet held then
    named = RecordView(Candidate("h", position=Position("jf", "Pengantar Kerja Ahli Muda", None, dt.date(2020, 1, 1))),
                       day).positions  # a level its name gives: only the policy of that position reads it
    assert history_at(named, day, "level", False, (), one) == "ahli_muda"
    assert history_at(named, day, "level", False, (), other) is None
    assert history_at(named, day, "level", False, (), one) == "ahli_muda"
    # the rank held now is keyed by its values: two records with the same rank and date share it
    rank = RecordView(Candidate("e", rank="III/a", rank_since=dt.date(2020, 4, 1)), day).ranks
    assert RecordView(Candidate("f", rank="III/a", rank_since=dt.date(2020, 4, 1)), day).ranks is rank
    assert RecordView(Candidate("g", rank="III/b", rank_since=dt.date(2020, 4, 1)), day).ranks is not rank


def test_a_tuple_of_entries_that_may_change_is_read_anew():
    """A tuple given from Python whose entries are of another class than the record's frozen ones
    (a caller's own, which it changes between evaluations) is never shared: each record reads it."""
    from formasi_rules.engine._derive import RecordView

    class Rating:  # a caller's rating, changed in place
        def __init__(self, year, rating):
            self.year, self.rating = year, rating

    class Post:
        def __init__(self, since):
            self.type, self.name, self.level, self.since, self.until = "jf", None, "ahli_muda", since, None

    from formasi_rules.inputs import Candidate
    day = dt.date(2025, 10, 9)
    ratings = (Rating(2024, "baik"),)
    assert RecordView(Candidate("a", performance=ratings), day).ratings == {2024: "baik"}
    ratings[0].rating = "kurang"
    assert RecordView(Candidate("a", performance=ratings), day).ratings == {2024: "kurang"}
    posts = (Post(dt.date(2020, 1, 1)),)
    assert RecordView(Candidate("b", positions=posts), day).positions.entries[0].since == dt.date(2020, 1, 1)
    posts[0].since = dt.date(2021, 1, 1)
    assert RecordView(Candidate("b", positions=posts), day).positions.entries[0].since == dt.date(2021, 1, 1)


def test_a_shared_history_holds_no_policy():
    """history_at's answers are kept by the policy's digest: a version replaced (Engine.reload) is
    not held by the histories the records share."""
    import gc
    import weakref

    from formasi_rules.engine._derive import RecordView, history_at
    from formasi_rules.inputs import Candidate, Position
    day = dt.date(2025, 10, 9)
    policy = fr.load_policy(ROOT / "policies" / "pengantar_kerja")
    post = Position("jf", "Pengantar Kerja", "ahli_muda", dt.date(2017, 3, 4))
    history = RecordView(Candidate("a", position=post), day).positions
    assert history_at(history, day, "since", False, (), policy) == dt.date(2017, 3, 4)
    gone = weakref.ref(policy)
    del policy
    gc.collect()
    assert gone() is None
    assert RecordView(Candidate("b", position=post), day).positions is history  # still shared
