"""Formation needs from workload, pinned to the fact sheet's ABK examples (section 4, examples 7-12)."""

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import AS_OF, BACKENDS, ROOT, edit

import formasi_rules as fr

X = "Kota Contoh"


def row(activity="lokal", level="ahli_pertama", volume=1, period="year", norm=None, region=X):
    out = {"region": region, "activity": activity, "level": level, "volume": volume, "period": period}
    if norm is not None:
        out["norm_minutes"] = norm
    return out


def need(engine, rows, existing=None, as_of=AS_OF):
    return engine.formation(rows, existing, as_of=as_of)


def test_example_10_two_activities_give_0_288(engine):
    # 12 documents a year x 900 min + 20 files a month x 45 min x 12 = 21,600 min; / 75,000 = 0.288
    result = need(engine, [row("dokumen", volume=12, norm=900), row("berkas", volume=20, period="month", norm=45)])
    r = result.row(X, "ahli_pertama")
    assert r.workload_minutes == Decimal(21600)
    assert r.need_exact == Decimal("0.288")
    assert result.to_dict()["rows"][0]["need_exact"] == 0.288
    # half-up rounding gives 0, and the minimum-staffing rule (run in the engine) raises it to 1
    assert r.need == 1
    assert [a.rule for a in r.adjustments] == ["formation.minimum_staffing"]
    assert r.adjustments[0].before == 0 and r.adjustments[0].after == 1


def test_example_7_quotient_is_0_724_not_the_printed_0_75(engine):
    r = need(engine, [row("x", level="ahli_muda", volume=54300, norm=1)]).row(X, "ahli_muda")
    assert r.need_exact == Decimal("0.724") and r.need == 1  # half up; no minimum rule at ahli_muda


@pytest.mark.parametrize("period, volume, minutes", [
    ("year", 75000, 75000), ("month", 6250, 75000), ("week", 1500, 75000), ("day", 300, 75000)])
def test_period_conversion_matches_the_working_time_breakdown(engine, period, volume, minutes):
    r = need(engine, [row(volume=volume, period=period, norm=1)]).row(X, "ahli_pertama")
    assert r.workload_minutes == minutes and r.need_exact == 1


def test_catalogue_norms_and_local_activities(engine):
    result = need(engine, [row("registrasi_pencari_kerja", volume=100), row("layanan_khusus", volume=2, norm=30)])
    parts = {c.activity: c for c in result.row(X, "ahli_pertama").contributions}
    assert parts["registrasi_pencari_kerja"].norm_from == "catalogue"
    assert parts["registrasi_pencari_kerja"].minutes == 100 * 20
    assert parts["layanan_khusus"].norm_from == "row" and parts["layanan_khusus"].name is None
    assert "local activity" in result.to_dict()["rows"][0]["contributions"][0]["note"]


def test_example_12_efficiency_bands_are_configurable(engine, policy_copy):
    # 150,000 minutes with 2 officers at 75,000 min: EJ 1.00 -> band B in variant 1, A in variant 2
    rows, staff = [row("x", level="ahli_muda", volume=150000, norm=1)], [{"region": X, "level": "ahli_muda", "count": 2}]
    r = need(engine, rows, staff).row(X, "ahli_muda")
    assert r.ej == 1 and r.band == "B" and r.gap == 0
    edit(policy_copy / "tables" / "formation.yaml", "ej_bands: ej_bands_variant_1", "ej_bands: ej_bands_variant_2")
    with fr.Engine(fr.load_policy(policy_copy), backend="reference") as other:
        assert need(other, rows, staff).row(X, "ahli_muda").band == "A"


def test_no_officer_means_no_efficiency(engine):
    r = need(engine, [row(volume=75000, norm=1)]).row(X, "ahli_pertama")
    assert r.ej is None and r.band is None and r.existing == 0 and r.gap == 1


@pytest.mark.parametrize("rounding, exact, expected", [
    ("half_up", "1.5", 2), ("half_up", "1.49", 1), ("ceil", "1.01", 2), ("floor", "1.99", 1)])
def test_rounding_is_a_policy_choice(policy_copy, rounding, exact, expected):
    edit(policy_copy / "tables" / "formation.yaml", "rounding: half_up", f"rounding: {rounding}")
    with fr.Engine(fr.load_policy(policy_copy), backend="reference") as engine:
        minutes = Decimal(exact) * 75000
        r = need(engine, [row(level="ahli_muda", volume=minutes, norm=1)]).row(X, "ahli_muda")
        assert r.need == expected


def test_older_working_time_is_a_dated_alternative(policy_copy):
    edit(policy_copy / "tables" / "formation.yaml", "      - effective_minutes_per_year: 75000\n        valid_from: 2020-01-01",
         "      - effective_minutes_per_year: 75000\n        valid_from: 2026-01-01")
    edit(policy_copy / "tables" / "formation.yaml", "        valid_to: 2019-12-31", "        valid_to: 2025-12-31")
    with fr.Engine(fr.load_policy(policy_copy), backend="reference") as engine:
        old = need(engine, [row(level="ahli_muda", volume=72000, norm=1)], as_of=dt.date(2025, 6, 1))
        new = need(engine, [row(level="ahli_muda", volume=72000, norm=1)], as_of=dt.date(2026, 6, 1))
        assert old.row(X, "ahli_muda").need_exact == 1 and old.parameters["effective_minutes_per_year"]["value"] == 72000
        assert new.row(X, "ahli_muda").need_exact == Decimal("0.96")


def with_rule(policy_copy, rule_id: str, when: str, then: str, levels: str = "") -> Path:
    """The policy copy's formation rules with one more (``when`` and ``then`` as YAML flow mappings)."""
    path = policy_copy / "rules" / "formation.yaml"
    path.write_text(path.read_text() + f"""
  - id: {rule_id}
    subject: formation
    title: {{id: Aturan uji, en: A rule under test}}{levels and f"{chr(10)}    levels: {levels}"}
    when: {when}
    then: {then}
    citation: {{source: formasi_policy_choice}}
""")
    return path


def test_a_cap_rule_bounds_the_need(policy_copy, engine):
    with_rule(policy_copy, "formation.cap_madya", "{need: {above: 2}}", "{need: {at_most: 2}}", "[ahli_madya]")
    for backend in BACKENDS:
        with fr.Engine(fr.load_policy(policy_copy), backend=backend) as capped:
            r = need(capped, [row(level="ahli_madya", volume=5 * 75000, norm=1)]).row(X, "ahli_madya")
            assert r.need == 2 and r.adjustments[0].rule == "formation.cap_madya" and r.adjustments[0].before == 5


def test_a_formation_rule_may_test_the_level(policy_copy):
    """level: {at_least: ahli_madya} in a formation rule was refused with "expected one of: " and
    nothing listed: the engine's level field had no values to check a literal against."""
    path = with_rule(policy_copy, "formation.floor_senior", "{level: {at_least: ahli_madya}, workload_minutes: {above: 0}}",
                     "{need: {at_least: 1}}")
    for backend in BACKENDS:
        with fr.Engine(fr.load_policy(policy_copy), backend=backend) as floored:
            rows = [row(level=lv, volume=10, norm=1) for lv in ("ahli_muda", "ahli_madya", "ahli_utama")]
            result = need(floored, rows)
            assert [result.row(X, lv).need for lv in ("ahli_muda", "ahli_madya", "ahli_utama")] == [0, 1, 1]
    edit(path, "level: {at_least: ahli_madya}", "level: {at_least: ahli_mdya}")
    with pytest.raises(fr.PolicyError) as info:
        fr.load_policy(policy_copy)
    (p,) = info.value.problems
    assert p.code == "P068" and "ahli_madya" in p.en and "'ahli_madya'" in p.hint


def test_bad_rows_are_reported_with_their_place_and_the_rest_computed(engine):
    rows = [row("registrasi_pencari_kerja", volume=10), row("registrasi_pencari_krja", volume=5),
            row(volume=-3, norm=10), row(volume="banyak", norm=10), row("bursa_kerja", level="ahli_pertama"),
            row(level="ahli_prtama", norm=10), row(period="quarter", norm=10), {"region": X, "activty": "x"}]
    result = need(engine, rows)
    by_path = {p.path: p for p in result.problems}
    assert "'registrasi_pencari_kerja'" in by_path["$[1].activity"].hint
    assert by_path["$[2].volume"].code == "W001" and by_path["$[3].volume"].code == "W001"
    assert "not done at ahli_pertama" in by_path["$[4].level"].en
    assert "'ahli_pertama'" in by_path["$[5].level"].hint
    assert "$[6].period" in by_path and "$[7].activty" in by_path
    assert result.row(X, "ahli_pertama").workload_minutes == 200  # the one good row


def test_existing_from_officer_records_and_region_typos(engine):
    officers = [{"id": "a", "region": "Kota  CONTOH", "position": {"type": "jf", "name": "Pengantar Kerja",
                                                                     "level": "ahli_pertama"}},
                {"id": "b", "region": "Kota Contoh", "position": {"type": "ja", "name": "Analis"}},
                {"region": "Kota Contih", "level": "ahli_pertama", "count": 2}]
    result = need(engine, [row(volume=10, norm=1)], officers)
    assert result.row(X, "ahli_pertama").existing == 1
    assert any("Kota Contih" in w and repr(X) in w for w in result.warnings)  # suggested as written


def officer(ident, level="ahli_pertama", region=X, **position):
    return {"id": ident, "region": region,
            "position": {"type": "jf", "name": "Pengantar Kerja", "level": level, "since": "2020-01-01", **position}}


def test_an_officers_credit_points_in_a_yaml_file_are_a_number_not_thousands(engine, tmp_path):
    """A workload reader keeps a YAML number in three-digit groups as its text (a count's 2.400), so an
    officer's credit_points 9.375, as a PAK states them, refused the record and left the officer
    uncounted; a count row's 2.400 is refused as before."""
    path = tmp_path / "officers.yaml"
    path.write_text(json.dumps([{**officer("a"), "credit_points": 9.375}]).replace('"credit_points": 9.375',
                                                                                   "credit_points: 9.375"))
    result = need(engine, [row(volume=10, norm=1)], path)
    assert result.row(X, "ahli_pertama").existing == 1 and not result.problems
    path.write_text(f"- {{region: {X}, level: ahli_pertama, count: 2.400}}\n")
    assert any(p.path.endswith("count") for p in need(engine, [row(volume=10, norm=1)], path).problems)


def test_an_officer_whose_post_type_is_missing_or_other_is_said_so(engine):
    """With no position.type the officer was "close to 'Pengantar Kerja' but not it" (the name was
    right) and not counted. Missing, the type is taken from the name, with a warning; another type
    (a JA called so) is not counted, and the warning says the type is why."""
    officers = [officer("a", type=None), officer("b", type="ja"), officer("c")]
    result = need(engine, [row(volume=10, norm=1)], officers)
    assert result.row(X, "ahli_pertama").existing == 2 and not result.problems
    (untyped,) = [w for w in result.warnings if "(id a)" in w]
    (other,) = [w for w in result.warnings if "(id b)" in w]
    assert "has no type: counted as jf" in untyped and "close to" not in untyped
    assert "is of type ja, not jf: not counted" in other


def test_an_officer_whose_status_may_not_hold_the_position_is_not_counted(engine):
    """A PPPK, a CPNS or an honorer at the position's name were counted among the officers in post:
    the gap came out smaller and places closed. The policy's formation.holders_table says which
    statuses may hold it (PNS, for the shipped policy); a record without a status is counted."""
    officers = [dict(officer(i), employment_status=status)
                for i, status in (("p", "PNS"), ("k", "PPPK"), ("c", "CPNS"), ("h", "honorer"))] + [officer("n")]
    result = need(engine, [row(volume=10, norm=1)], officers)
    assert result.row(X, "ahli_pertama").existing == 2 and not result.problems
    (said,) = [w for w in result.warnings if "employment status" in w]
    assert said.startswith("3 officer record(s) not counted") and "held by PNS;" in said and "$[1] PPPK" in said


def test_a_holders_table_that_is_not_there_or_not_a_list_of_statuses_is_refused(policy_copy):
    edit(policy_copy / "policy.yaml", "holders_table: appointment_status", "holders_table: appointment_statuses")
    with pytest.raises(fr.PolicyError) as info:
        fr.load_policy(policy_copy)
    assert [p.code for p in info.value.problems] == ["P051"] and "'appointment_status'" in info.value.problems[0].hint
    edit(policy_copy / "policy.yaml", "holders_table: appointment_statuses", "holders_table: formation_limits")
    with pytest.raises(fr.PolicyError) as info:
        fr.load_policy(policy_copy)
    assert [p.code for p in info.value.problems] == ["P055"] and "statuses: list of employment_status" in \
        info.value.problems[0].en


def test_an_officer_at_a_level_the_position_lacks_is_reported_not_a_crash(engine):
    """A level of the vocabulary the position does not have (terampil) used to crash the
    computation; it is the record's W011, and the other officers count."""
    officers = [officer("a"), officer("t", level="terampil")]
    result = need(engine, [row(volume=10, norm=1)], officers)
    assert result.row(X, "ahli_pertama").existing == 1
    (problem,) = result.problems
    assert problem.code == "W011" and problem.path == "$[1].position.level" and "terampil" in problem.en


def test_officers_of_other_posts_are_said_and_a_name_against_its_level_warned(engine):
    acting = {"id": "plt", "region": X, "position": {"type": "jf", "name": "Pengantar Kerja Ahli Pertama (Plt)"}}
    other = {"id": "sdm", "region": X, "position": {"type": "jf", "name": "Analis SDM Aparatur", "level": "ahli_muda"}}
    clash = officer("clash", level="ahli_muda", name="Pengantar Kerja Ahli Pertama")
    result = need(engine, [row(volume=10, norm=1)], [acting, other, clash])
    assert result.row(X, "ahli_muda").existing == 1  # at the level given, and said
    assert any("$[0]" in w and "(Plt)" in w and "not counted" in w for w in result.warnings)
    assert any("1 officer record(s) not counted" in w and "Analis SDM" in w for w in result.warnings)
    assert any("$[2]" in w and "ahli_pertama" in w and "counted at ahli_muda" in w for w in result.warnings)


def test_officers_naming_no_position_are_said_not_counted(engine):
    """An export without the position's name (or without a position) was dropped without a word:
    the gap came out larger, and so did the open places."""
    unnamed = {"id": "u", "region": X, "position": {"type": "jf", "level": "ahli_pertama", "since": "2020-01-01"}}
    bare = {"id": "b", "region": X}
    result = need(engine, [row(volume=10, norm=1)], [officer("a"), unnamed, bare])
    assert result.row(X, "ahli_pertama").existing == 1 and not result.problems
    (said,) = [w for w in result.warnings if "name no position" in w]
    assert said.startswith("2 officer record(s) not counted") and "position.name" in said and "$[1]" in said


def test_rows_of_counts_with_their_header_in_capitals_or_bahasa(engine, tmp_path):
    """A header 'Region;Level;Count' made every row an officer's record without an id; one in Bahasa
    Indonesia did too. Capitals are read; Bahasa names are W017 naming the columns; an empty count
    asks for the count, not for other column names."""
    caps, bahasa, empty = tmp_path / "caps.csv", tmp_path / "bahasa.csv", tmp_path / "empty.csv"
    caps.write_text(f"Region;Level;Count\n{X};ahli_pertama;2\n", encoding="utf-8")
    bahasa.write_text(f"wilayah,jenjang,jumlah\n{X},ahli_pertama,2\n", encoding="utf-8")
    empty.write_text(f"region,level,count\n{X},ahli_pertama,\n", encoding="utf-8")
    assert need(engine, [row(volume=10, norm=1)], str(caps)).row(X, "ahli_pertama").existing == 2
    (problem,) = need(engine, [row(volume=10, norm=1)], str(bahasa)).problems
    assert problem.code == "W017" and "name the columns region, level, count" in problem.hint
    (problem,) = need(engine, [row(volume=10, norm=1)], str(empty)).problems
    assert problem.code == "W017" and problem.hint.startswith("give count in this row")


@pytest.mark.parametrize("written", ["Ahli Pertama", "AHLI_PERTAMA", " ahli-pertama "])
def test_a_level_in_a_workload_or_counts_row_is_read_in_any_capitals_as_in_places(engine, written):
    """A workload or officers row's level written 'Ahli Pertama' (as a places file, a candidate
    record and the documentation's titles write it) was W001/W011, the row not computed."""
    result = need(engine, [row(level=written, volume=10, norm=1)], [{"region": X, "level": written, "count": 2}])
    assert not result.problems
    assert result.row(X, "ahli_pertama").workload_minutes == 10 and result.row(X, "ahli_pertama").existing == 2


@pytest.mark.parametrize("after", [5, "5"])  # a YAML data file's key; a test case's, made text
def test_a_decimal_comma_in_a_yaml_flow_mapping_of_workload_is_said(engine, after):
    """{..., volume: 12,5} in YAML is volume 12 and a key 5: W001 'unknown field 5' said nothing of
    the comma, as a candidate's I003 does."""
    given = {k: v for k, v in row(norm=1).items() if k != "volume"} | {"volume": 12, after: None}  # (volume, then 5)
    (problem,) = need(engine, [given]).problems
    assert problem.code == "W001" and problem.path == "$[0].5"
    assert problem.hint.startswith("a decimal comma? volume: 12,5") and "write 12.5" in problem.hint
    assert "tulis 12.5" in problem.hint


def test_one_region_written_two_ways_is_warned_about_and_others_are_not(engine):
    """'Kab. Banyuasin' and 'Kabupaten Banyuasin' were two regions without a word, each given its
    own need; regions whose names only share words (the OKU family) are not warned about."""
    names = ["Kabupaten Banyuasin", "Kab. Banyuasin", "Kabupaten Ogan Komering Ulu",
             "Kabupaten Ogan Komering Ulu Selatan", "Kabupaten Ogan Ilir", "Kabupaten Ogan Komering Ilir",
             "Kota Banjar", "Kota Banjarbaru", "Kabupaten Sumba Barat", "Kabupaten Sumbawa Barat",
             "Kabupaten Batang", "Kabupaten Batanghari"]
    result = need(engine, [row(region=name, volume=10, norm=1) for name in names])
    said = [w for w in result.warnings if "computed apart" in w]
    assert len(said) == 1 and "'Kab. Banyuasin'" in said[0] and "'Kabupaten Banyuasin'" in said[0]


@pytest.mark.parametrize("other", ["Kab Banyuasin", "kab. banyuasin.", "Kab.-Banyuasin"])
def test_a_region_written_with_other_punctuation_is_one_region(engine, other):
    """'Kab. Banyuasin' and 'Kab Banyuasin' were two regions, not warned about (their words are the
    same), each given the minimum staffing: a need of 2 where one region needs 1."""
    result = need(engine, [row(region="Kab. Banyuasin", volume=10, norm=1), row(region=other, volume=10, norm=1)])
    (one,) = [r for r in result.rows if r.level == "ahli_pertama"]
    assert one.need == 1 and one.workload_minutes == 20


def test_values_shown_never_cross_the_threshold_they_were_decided_at(engine):
    """Shown rounded, 37,499.997 minutes read as a need of 0.5 beside a need of 0 (half up), and an
    EJ just over 1 (band A) read 1. They are cut off, not rounded."""
    below = need(engine, [row(volume=1, norm=37499.997)]).row(X, "ahli_pertama")
    assert below.need_exact < Decimal("0.5") and below.to_dict()["need_exact"] < 0.5
    over = need(engine, [row(volume=1, norm=75001)], [officer("a")]).row(X, "ahli_pertama")
    assert over.to_dict()["ej"] > 1 and over.band == "A"


def test_a_volume_with_a_thousands_comma_gets_both_readings(engine):
    """'2,400' was answered 'write 2.400', which is then refused as ambiguous."""
    (problem,) = need(engine, [row(volume="2,400", norm=1)]).problems
    assert problem.hint.startswith("write 2400 if a thousands separator is meant, 2.4 if decimals /")


@pytest.mark.parametrize("given", ["2,400", "1,250", "1,000", "100,000", "2,40", "12,5", "0,400"])
@pytest.mark.parametrize("field", ["volume", "norm_minutes"])
def test_every_number_a_comma_hint_suggests_is_accepted_written_back(engine, given, field):
    """The hint for '2,400' offered '2.400 if decimals', which the reader then refused as thousands
    written with dots (W001): a hint must lead to a row that is read."""
    rows = [row(volume=given, norm=1) if field == "volume" else row(volume=1, norm=given)]
    (problem,) = need(engine, rows).problems
    assert problem.code == "W001" and problem.path == f"$[0].{field}"
    english = problem.hint.split(" / ")[0]
    suggested = re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", english)
    assert suggested, english
    for number in suggested:
        rows = [row(volume=number, norm=1) if field == "volume" else row(volume=1, norm=number)]
        assert not need(engine, rows).problems, (english, number)


def test_a_count_of_officers_too_large_is_the_rows_error(engine):
    """A count of 10**23 officers was blamed on the workload ('too large to compute') and the region
    dropped; it is the count's W012, and the region is computed with the rest."""
    result = need(engine, [row(volume=10, norm=1)], [{"region": X, "level": "ahli_pertama", "count": 10 ** 23}])
    (problem,) = result.problems
    assert problem.code == "W012" and problem.path == "$[0].count"
    assert result.row(X, "ahli_pertama").existing == 0


@pytest.mark.parametrize("count", ["2\u00b9", "3\u00b2", "\u0661"])
def test_a_count_with_a_superscript_or_other_digit_is_the_rows_error(engine, count):
    """"2¹" (a footnote mark) is a digit to str.isdigit but not to int(): it crashed the run."""
    result = need(engine, [row(volume=10, norm=1)], [{"region": X, "level": "ahli_pertama", "count": count}])
    (problem,) = result.problems
    assert problem.code == "W012" and problem.path == "$[0].count"


def test_formation_refuses_a_datetime_as_evaluate_does(engine):
    """Once a TypeError from deep inside; then its date kept silently; a time is refused, said plainly."""
    with pytest.raises(fr.InvalidArgument, match=r"not a date and time.*as_of=value\.date\(\)"):
        need(engine, [row(volume=10, norm=1)], as_of=dt.datetime(2025, 10, 9, 12))


def test_an_officer_with_a_suspect_date_or_id_is_counted_and_said(engine):
    """The checks of a candidate's dates and id (I024-I026) do not keep an officer in post from being
    counted: the gap would come out too large. Each is a warning."""
    placeholder = {**officer("o1"), "birth_date": "1900-01-01"}
    apostrophe = officer("'198501012010011001")
    result = need(engine, [row(volume=10, norm=1)], [placeholder, apostrophe])
    assert result.row(X, "ahli_pertama").existing == 2 and not result.problems
    assert any("I024" in w and "$[0].birth_date" in w for w in result.warnings)
    assert any("I026" in w for w in result.warnings)


def test_a_period_whose_factor_ended_is_the_rows_error_not_a_crash(policy_copy):
    """A volume_periods row given a valid_to before the date passed validate, and every monthly row
    then crashed the computation (KeyError)."""
    path = policy_copy / "tables" / "formation.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{period: month, per_year: 12}", "{period: month, per_year: 12, valid_to: 2024-12-31}"),
                    encoding="utf-8")
    engine = fr.Engine(fr.load_policy(policy_copy), backend="reference")
    result = need(engine, [row(volume=10, norm=1), row(activity="bulanan", volume=1, period="month", norm=1)])
    (problem,) = result.problems
    assert problem.path == "$[1].period" and "month" in problem.en
    assert result.row(X, "ahli_pertama").workload_minutes == 10


def test_officers_are_counted_once_in_post_on_the_date(engine):
    """An officer counts once, where the post is held on as_of (from the record's position or its
    history), at the level given or named; the rest is said, never silently dropped."""
    ended = officer("ended", until="2024-12-31")
    later = officer("later", since="2026-01-01")
    named = {"id": "named", "region": X, "position": {"type": "jf", "name": "Pengantar Kerja Ahli Muda"}}
    history = {"id": "history", "region": X, "positions": [
        {"type": "ja", "name": "Pengadministrasi", "since": "2010-01-01"},
        {"type": "jf", "name": "Pengantar Kerja", "level": "ahli_muda", "since": "2022-01-01"}]}
    no_region = officer("no_region", region=None)
    no_region.pop("region")
    no_level = {"id": "no_level", "region": X, "position": {"type": "jf", "name": "Pengantar Kerja"}}
    officers = [officer("a"), officer("a"), ended, later, named, history, no_region, no_level]
    result = need(engine, [row(volume=10, norm=1), row(level="ahli_muda", volume=10, norm=1)], officers)
    assert result.row(X, "ahli_pertama").existing == 1  # "a" once
    assert result.row(X, "ahli_muda").existing == 2  # the level in the name, the history's entry on the date
    by_code = {p.code: p for p in result.problems}
    assert set(by_code) == {"W014", "W015", "W016"}
    assert by_code["W014"].path == "$[1]" and "$[0]" in by_code["W014"].en
    assert by_code["W015"].path == "$[7].position" and by_code["W016"].path == "$[6].region"
    assert any("2 officer record(s) not counted" in w and "$[2]" in w for w in result.warnings)
    # before the history's jf entry began, that officer held no Pengantar Kerja post
    history["positions"][1]["since"] = "2025-11-01"
    early = need(engine, [row(level="ahli_muda", volume=10, norm=1)], [history])
    assert early.row(X, "ahli_muda").existing == 0


def test_rows_of_counts_are_not_summed_twice_nor_guessed(engine, tmp_path):
    rows = [{"region": X, "level": "ahli_muda", "count": 2}, {"region": "kota  contoh", "level": "ahli_muda", "count": 1}]
    result = need(engine, [row(level="ahli_muda", volume=10, norm=1)], rows)
    assert result.row(X, "ahli_muda").existing == 2
    assert [(p.code, p.path) for p in result.problems] == [("W014", "$[1]")]
    wrong = tmp_path / "officers.csv"
    wrong.write_text(f"region,level,jumlah\n{X},ahli_muda,2\n", encoding="utf-8")
    result = need(engine, [row(level="ahli_muda", volume=10, norm=1)], wrong)
    problem, = result.problems  # one problem for the one row, at its file and line
    assert problem.code == "W017" and problem.file == str(wrong) and problem.line == 2
    assert "count missing" in problem.en and "'jumlah'" in problem.en
    assert result.row(X, "ahli_muda").existing == 0



def test_a_region_and_level_or_an_officer_given_twice_in_a_file_names_the_first_by_its_line(engine, tmp_path):
    """W014 named the first row '$[0]' only, where every other problem of a file names its line."""
    counts, records = tmp_path / "counts.csv", tmp_path / "officers.jsonl"
    counts.write_text(f"region,level,count\n\n{X},ahli_muda,2\n{X},ahli_muda,1\n", encoding="utf-8")
    records.write_text("\n".join(json.dumps(officer(i)) for i in ("a", "b", "a")) + "\n", encoding="utf-8")
    for source, line in ((counts, 3), (records, 1)):
        (problem,) = need(engine, [row(level="ahli_muda", volume=10, norm=1)], str(source)).problems
        assert problem.code == "W014" and f"at $[0] (line {line})" in problem.en and f"$[0] (line {line})" in problem.id


def test_example_data_totals(engine):
    here = ROOT / "examples" / "sumsel"
    result = engine.formation(here / "workload.csv", here / "officers.csv", as_of=AS_OF)
    assert not result.problems
    assert len({r.region for r in result.rows}) == 17
    totals = result.to_dict()["totals"]
    assert totals["all"]["existing"] == 28  # 12 regions have officers (9 kabupaten, 3 kota)
    assert sum(1 for n in totals["regions"] if n.startswith("Kota ")) == 4


volumes = st.integers(0, 20000)
workloads = st.lists(st.builds(row, st.sampled_from(["a", "b", "c"]), st.sampled_from(["ahli_pertama", "ahli_muda"]),
                               volumes, st.sampled_from(["year", "month", "week", "day"]), st.integers(1, 600),
                               st.sampled_from(["R1", "R2"])), min_size=1, max_size=8)


@given(workloads, st.data())
def test_need_does_not_depend_on_row_order(default_engine, rows, data):
    shuffled = data.draw(st.permutations(rows))

    def numbers(result):  # everything but provenance (which input row each share came from)
        out = result.to_dict()
        return [{k: v for k, v in r.items() if k != "contributions"} for r in out["rows"]], out["totals"]

    assert numbers(need(default_engine, rows)) == numbers(need(default_engine, shuffled))


@given(workloads, st.integers(0, 7), st.integers(1, 50000))
def test_adding_workload_never_lowers_the_need(default_engine, rows, index, extra):
    base = need(default_engine, rows)
    grown_rows = list(rows)
    target = dict(grown_rows[index % len(rows)])
    grown_rows.append({**target, "volume": extra})
    grown = need(default_engine, grown_rows)
    for r in base.rows:
        bigger = grown.row(r.region, r.level)
        assert bigger.need_exact >= r.need_exact and bigger.need >= r.need


def test_bad_rows_name_file_and_line_and_hints_keep_the_names_as_written(default_engine, tmp_path):
    """Issue 10, item 13: a CSV row's problem names its file and line; a region near a known one is
    suggested as it is written ("Kota Palembang", not "kota palembang")."""
    workload = tmp_path / "w.csv"
    workload.write_text("region,activity,level,volume\nKota Palembang,penempatan,ahli_pertama,10\n"
                        "Kota Palembang,penempatan,ahli_pertama,x\n")
    existing = tmp_path / "e.csv"
    existing.write_text("region,level,count\nKota Palembng,ahli_pertama,1\n")
    result = default_engine.formation(workload, existing, as_of=AS_OF)
    (problem,) = result.problems
    assert problem.file == str(workload) and problem.line == 3 and problem.path == "$[1].volume"
    (warning,) = result.warnings
    assert "'Kota Palembang'" in warning and "kota palembang" not in warning


@pytest.mark.parametrize("volume", ["1e30", "123456789012345678901"])
def test_a_workload_too_large_to_compute_is_reported_and_the_rest_computed(engine, volume):
    """A volume so large that the minutes pass Decimal's 28 digits or the engine's 64 bits: that
    region and level are reported (W013, naming the rows), not a crash, and the others computed."""
    rows = [{"region": "Kota Palembang", "activity": "penempatan", "level": "ahli_muda", "volume": volume,
             "period": "month"},
            {"region": "Kota Palembang", "activity": "penempatan", "level": "ahli_pertama", "volume": 10}]
    result = engine.formation(rows, [], as_of=AS_OF)
    (problem,) = result.problems
    assert problem.code == "W013" and "ahli_muda" in problem.en and problem.path == "$[0]" and problem.id
    assert [(r.region, r.level) for r in result.rows] == [("Kota Palembang", "ahli_pertama")]


def test_no_officers_in_post_is_said(engine):
    rows = [{"region": "Kota Palembang", "activity": "penempatan", "level": "ahli_pertama", "volume": 10}]
    (warning,) = engine.formation(rows, None, as_of=AS_OF).warnings
    assert "no officers in post" in warning and "tidak ada data pejabat" in warning
    assert not engine.formation(rows, [], as_of=AS_OF).warnings  # given, and empty: nothing to say


@pytest.mark.parametrize("volume, hint", [("2.400", "2400"), ("1.250.000", "2400"), ("1,5", "write 1.5")])
def test_a_volume_in_indonesian_number_marks_is_refused_not_read_a_thousand_times_small(engine, volume, hint):
    """'2.400' (thousands with a dot, as Indonesian spreadsheets write them) would be 2.4 minutes'
    worth of work; a decimal comma is not a number at all. Each is the row's error, with the fix."""
    rows = [row(volume=volume, norm=10), row(volume=10, norm=10)]
    result = need(engine, rows)
    (problem,) = result.problems
    assert problem.code == "W001" and problem.path == "$[0].volume" and hint in problem.hint
    assert result.row(X, "ahli_pertama").workload_minutes == 100  # the good row alone


def test_a_yaml_volume_written_in_thousands_groups_is_refused_as_in_csv(engine, tmp_path):
    """In YAML, 'volume: 2.400' is a float: read as 2.4 it was a thousand times too small, without a
    word, where the same cell in a CSV is refused as ambiguous. It is now refused alike; 2.5 and
    0.250 are read."""
    workload = tmp_path / "w.yaml"
    workload.write_text("".join(f"- {{region: {X}, activity: lokal, level: ahli_pertama, volume: {v}, norm_minutes: 40}}\n"
                                for v in ("2.400", "2.5", "0.250")), encoding="utf-8")
    result = engine.formation(workload, [], as_of=AS_OF)
    (problem,) = result.problems
    assert problem.code == "W001" and problem.path == "$[0].volume" and problem.line == 1
    assert "'2.400' is ambiguous" in problem.en and "2400" in problem.hint
    # the good rows alone: 2.5 + 0.25 a year of the activity's norm
    assert result.row(X, "ahli_pertama").workload_minutes == 110


def test_a_volume_below_one_with_three_decimals_is_read(engine):
    """0.250 cannot be thousands written with a dot: it is a quarter."""
    assert not need(engine, [row(volume="0.250", norm=40)]).problems
    assert need(engine, [row(volume="0.250", norm=40)]).row(X, "ahli_pertama").workload_minutes == 10


def test_an_activity_problem_names_the_file_and_line(default_engine, tmp_path):
    workload = tmp_path / "w.csv"
    workload.write_text("region,activity,level,volume\nKota Palembang,penempatan,ahli_pertama,10\n"
                        "Kota Palembang,penempatn,ahli_pertama,10\n", encoding="utf-8")
    (problem,) = default_engine.formation(workload, [], as_of=AS_OF).problems
    assert problem.code == "W002" and problem.file == str(workload) and problem.line == 3


@pytest.mark.parametrize("volume", ["1_000", "١٢"])
def test_a_volume_python_would_read_but_no_export_means_is_refused(engine, volume):
    (problem,) = need(engine, [row(volume=volume, norm=10)]).problems
    assert problem.code == "W001" and problem.path == "$[0].volume"


def test_a_period_in_other_capitals_is_read_and_a_repeated_activity_is_said(engine):
    result = need(engine, [row(volume=10, norm=1, period="Month"), row(volume=10, norm=1, period=" month")])
    assert not result.problems
    assert result.row(X, "ahli_pertama").workload_minutes == 2 * 10 * 12  # both counted, each monthly
    repeated, = [w for w in result.warnings if "also given" in w]
    assert repeated.startswith("$[1]:") and "at $[0]" in repeated


def test_rejected_rows_are_counted_as_rows_and_values_said_as_written(engine):
    """A row with two problems is one rejected row (the CLI's summary, the service's
    Formasi-Rejected); a value is said as written, not as Python's repr."""
    import datetime as dt_

    rows = [row(volume=-5, period="decade", norm=1), row(volume=dt_.date(2024, 3, 1), norm=1), row(volume=True, norm=1),
            row(volume=3, norm=1)]
    result = need(engine, rows)
    assert len(result.problems) == 4 and result.rejected_rows == 3
    text = " ".join(p.en for p in result.problems)
    assert "got 2024-03-01" in text and "got true" in text and "datetime" not in text


def test_rejected_workload_rows_are_listed_in_input_order(engine):
    """Problems found reading a row and those found computing with it (an activity the catalogue
    does not have) come out by row, not by the stage that found them."""
    rows = [row(volume=1, norm=1), row(activity="nope", volume=1), row(volume=-1, norm=1), row(activity="nope", volume=2)]
    result = need(engine, rows)
    assert [p.path.split(".")[0] for p in result.problems] == ["$[1]", "$[2]", "$[3]"]


def test_a_workload_csvs_header_is_read_in_any_capitals_and_spacing(engine, tmp_path):
    """'Region;Activity;Level;Volume;Period;Norm Minutes' was refused column by column in every row
    (W001 unknown field): read as a candidate file's header is."""
    path = tmp_path / "abk.csv"
    path.write_text(f"Region;Activity;LEVEL;Volume;Period;Norm Minutes\n{X};lokal;ahli_pertama;12;year;900\n",
                    encoding="utf-8")
    result = need(engine, str(path))
    assert not result.problems and result.row(X, "ahli_pertama").workload_minutes == Decimal(10800)
