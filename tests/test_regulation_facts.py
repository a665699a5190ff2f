"""Facts of the fact sheet (shared/domain/regulations.md) decided on their boundaries.

Most boundary cases are staff cases in policies/pengantar_kerja/tests/boundaries.yaml; the ones
here need a changed copy of the policy (a table value the shipped policy does not reach)."""

import datetime as dt

import pytest

import formasi_rules as fr
from conftest import BACKENDS, edit

PEDOMAN = "pengangkatan.pedoman_ditetapkan"


@pytest.mark.parametrize("backend", BACKENDS)
def test_appointment_is_allowed_on_the_day_the_guideline_is_set(policy_copy, backend):
    """PermenPANRB 21/2025 Pasal 11 ayat (3) (fact sheet 1.9, P): no appointment *before* the
    guideline is set. On the day it is set an appointment may be made; the day before it may not."""
    edit(policy_copy / "tables" / "position.yaml", "- set_on: 2023-12-31", "- set_on: 2025-11-03")
    record = {"id": "p", "employment_status": "PNS", "education": "S1", "rank": "III/a", "region": "R",
              "performance": [{"year": 2024, "rating": "baik"}]}
    with fr.Engine(fr.load_policy(policy_copy), backend=backend) as engine:
        def failed(day):
            result = engine.evaluate(record, as_of=day, formation={"R": {"ahli_pertama": 1}})
            return result.decision("pengangkatan_pertama", "ahli_pertama")

        assert PEDOMAN in failed(dt.date(2025, 11, 2)).failed
        on_the_day = failed(dt.date(2025, 11, 3))
        assert PEDOMAN not in on_the_day.failed and on_the_day.outcome == "eligible"


# The citation of each rule, table and cited row of the shipped Pengantar Kerja policy (with the
# jf_umum rules it extends), and the confidence mark of each source, as the fact sheet gives them. A
# staff test case cannot see a citation, so a changed source, article or confidence would pass every
# case: change this pin in the same commit as the policy, with the fact sheet entry that says why.
CITED_RULES = {
    "status.asn": ("pp_11_2017", "Pasal 75 (berstatus PNS)"),
    "education.minimum": ("bkn_faq_perpindahan", "Syarat pendidikan"),
    "rank.in_range": ("permenpanrb_1_2023", "Lampiran (jenjang dan pangkat)"),
    "formation.available": ("pp_11_2017", "Pengangkatan dalam JF untuk mengisi lowongan kebutuhan "
                                          "(PP 11/2017 jo 17/2020; PermenPANRB 1/2023)"),
    "pengangkatan_pertama.performance": ("kemenperin_faq", "Syarat pengangkatan pertama (predikat kinerja)"),
    "penyesuaian.window": ("pp_11_2017", "Pasal 77 ayat (3)"),
    "penyesuaian.not_in_position": ("pp_11_2017", "Pasal 77 ayat (3) (penyesuaian dilakukan satu kali)"),
    "perpindahan.performance": ("bkn_faq_perpindahan", "Syarat predikat kinerja 2 tahun terakhir"),
    "perpindahan.competency_test": ("bkn_faq_perpindahan", "Syarat uji kompetensi"),
    "perpindahan.experience": ("bkn_faq_perpindahan", "Syarat pengalaman"),
    "perpindahan.age": ("bkn_faq_perpindahan", "Syarat usia"),
    "perpindahan.age_utama": ("bkn_faq_perpindahan", "Syarat usia (Ahli Utama paling tinggi 60 tahun bagi yang pernah "
                                                     "menduduki JPT; 63 tahun antar JF Ahli Utama)"),
    "kenaikan_jenjang.current_level": ("permenpanrb_1_2023", "Promosi (kenaikan jenjang)"),
    "kenaikan_jenjang.years_in_level": ("perbkn_3_2023_contoh", "Contoh kenaikan jenjang (paling singkat 1 tahun)"),
    "kenaikan_jenjang.credit_points": ("perbkn_3_2023", "AK kumulatif kenaikan jenjang"),
    "kenaikan_jenjang.competency_test": ("perbkn_3_2023", "Syarat kenaikan jenjang (uji kompetensi)"),
    "kenaikan_jenjang.performance": ("perbkn_3_2023", "Syarat kenaikan jenjang (predikat kinerja)"),
    "kenaikan_pangkat.current_level": ("permenpanrb_1_2023", "Kenaikan pangkat dalam jenjang"),
    "kenaikan_pangkat.credit_points": ("bkn_slides_ak", "AK kumulatif kenaikan pangkat"),
    "kenaikan_pangkat.credit_points_second_rank": ("tabel_integrasi_ak", "IV/b 150-300, IV/c 300-450"),
    "kenaikan_pangkat.room_in_level": ("permenpanrb_1_2023", "Lampiran (jenjang dan pangkat)"),
    "formation.minimum_staffing": ("formasi_policy_choice", "minimum staffing"),
    "pengangkatan.pedoman_ditetapkan": ("permenpanrb_21_2025", "Pasal 11 ayat (3)"),
}
CITED_TABLES = {
    "abk_choices": ("formasi_policy_choice", None),
    "adjustment_window": ("pp_11_2017", "Pasal 77 ayat (3) (paling lama 2 tahun sejak penetapan JF)"),
    "ak_coefficient": ("bkn_slides_ak", "Koefisien per tahun (PermenPANRB 1/2023 Lampiran)"),
    "ak_conversion": ("perbkn_3_2023_contoh", "25 x 3 = 75 ... dikalikan 3 karena merupakan pangkat puncak"),
    "ak_dasar": ("perbkn_3_2023", "Lampiran II angka 2"),
    "ak_integration": ("tabel_integrasi_ak", "AK integrasi = AK konvensional - nilai dasar"),
    "ak_multiplier": ("permenpanrb_1_2023", "Pasal 37 ayat (1)"),   # 3b: another copy cites Pasal 36
    "antar_kerja_activities": ("formasi_policy_choice", "norma waktu ilustratif"),
    "appointment_status": ("permenpanrb_1_2022", "Pasal 1 (Pengantar Kerja adalah PNS)"),
    "education_min": ("bkn_faq_perpindahan", "Syarat pendidikan: S1/D4 untuk keahlian, SLTA untuk keterampilan"),
    "ej_bands_variant_1": ("abk_public_code", "A > 1,00; B 0,90-1,00; C 0,70-0,89; D 0,50-0,69; E < 0,50"),
    "ej_bands_variant_2": ("abk_public_code", "A >= 0,91; B >= 0,76; C >= 0,61; D >= 0,51; E otherwise"),
    "formation_limits": ("formasi_policy_choice", None),
    "kj_credit_points": ("bkn_slides_ak", "AK kumulatif kenaikan jenjang"),
    "kj_requirements": ("perbkn_3_2023_contoh", "paling singkat 1 tahun dalam jenjang (contoh kenaikan jenjang)"),
    "kp_credit_points": ("bkn_slides_ak", "AK kumulatif kenaikan pangkat"),
    "kp_second_rank": ("tabel_integrasi_ak", "IV/a 0-150; IV/b 150-300; IV/c 300-450"),
    "level_steps": ("permenpanrb_1_2023", "Jenjang JF keterampilan dan keahlian"),
    "pedoman_kebutuhan": ("permenaker_10_2023", "Penetapan Permenaker 10/2023", "I"),
    "rank_range": ("permenpanrb_1_2023", "Lampiran (jenjang dan pangkat JF)"),
    "transfer_age_limit": ("bkn_faq_perpindahan", "Syarat usia perpindahan ke JF"),
    "transfer_age_limit_utama": ("bkn_faq_perpindahan", "Syarat usia (Ahli Utama)"),
    "transfer_requirements": ("bkn_faq_perpindahan", "Syarat pengalaman di bidang tugas jabatan"),
    "volume_periods": ("permenpanrb_1_2020", "WKE per bulan 6.250 menit, per minggu 1.500, per hari 300"),
}
KETERAMPILAN_CODE_ONLY = ("bkn_slides_ak", None, "C")   # fact sheet 1.6, 3a, 3c: public code only
CITED_ROWS = {
    **{("ak_coefficient", level, None): KETERAMPILAN_CODE_ONLY for level in ("pemula", "terampil", "mahir", "penyelia")},
    **{("kp_credit_points", level, None): KETERAMPILAN_CODE_ONLY for level in ("pemula", "terampil", "mahir", "penyelia")},
    **{("kj_credit_points", level, None): KETERAMPILAN_CODE_ONLY for level in ("terampil", "mahir", "penyelia")},
    **{("rank_range", level, None): ("permenpanrb_1_2023", None, "C") for level in ("pemula", "terampil", "mahir", "penyelia")},
    ("ak_dasar", "III/d", None): ("perbkn_3_2023_contoh", "AK Dasar golongan ruang III/d sejumlah 100"),
    ("effective_working_time", None, None): ("perka_bkn_19_2011", "1.200 jam per tahun (240 hari x 5 jam)"),
    ("effective_working_time", None, "2020-01-01"): ("permenpanrb_1_2020", "1.250 jam kerja efektif per tahun"),
    ("volume_periods", "week", None): ("perka_bkn_19_2011", "240 hari x 5 jam; 25 jam per minggu"),
    ("volume_periods", "day", None): ("perka_bkn_19_2011", "240 hari x 5 jam; 25 jam per minggu"),
}
SOURCE_CONFIDENCE = {
    "permenpanrb_1_2023": "S", "perbkn_3_2023": "S", "perbkn_3_2023_contoh": "P", "pp_11_2017": "S",
    "bkn_faq_perpindahan": "P", "kemenperin_faq": "S", "bkn_slides_ak": "S", "bkn_slide_integrasi": "P",
    "tabel_integrasi_ak": "S", "permenpanrb_6_2022": "S", "jf_policy_choice": "I", "permenpanrb_1_2022": "P",
    "permenpanrb_21_2025": "P", "pp_49_2018": "S", "permenpanrb_1_2020": "S", "perka_bkn_19_2011": "S",
    "permenaker_10_2023": "P", "abk_public_code": "C", "formasi_policy_choice": "I",
}


def _cited(citation):
    return (citation.source, citation.article) + ((citation.confidence,) if citation.confidence else ())


def test_every_citation_is_the_one_the_fact_sheet_gives(policy):
    """Found by the mutation campaign (docs/checking.md): a citation's source, article or confidence
    swapped for another valid one loads, and no staff case sees it."""
    assert {r.id: _cited(r.citation) for r in policy.rules} == CITED_RULES
    assert {name: _cited(t.citation) for name, t in policy.tables.items() if t.citation} == CITED_TABLES
    rows = {(name, row.key, row.period.valid_from and row.period.valid_from.isoformat()): _cited(row.citation)
            for name, t in policy.tables.items() for row in t.rows if row.citation}
    assert rows == CITED_ROWS
    assert {key: s.confidence for key, s in policy.sources.items()} == SOURCE_CONFIDENCE


def test_the_policy_starts_on_the_day_permenpanrb_1_2023_was_promulgated(default_engine):
    """Fact sheet 1.15 (P/S): PermenPANRB 1/2023 was promulgated on 12 January 2023, the policy's
    first day. A case cannot expect a refusal, so the day before is tested here."""
    record = {"id": "p", "employment_status": "PNS", "education": "S1", "rank": "III/a", "region": "R",
              "performance": [{"year": 2022, "rating": "baik"}]}
    assert default_engine.policy.coverage.valid_from == dt.date(2023, 1, 12)
    with pytest.raises(fr.FormasiError):
        default_engine.evaluate(record, as_of=dt.date(2023, 1, 11), formation={"R": {"ahli_pertama": 1}})
    default_engine.evaluate(record, as_of=dt.date(2023, 1, 12), formation={"R": {"ahli_pertama": 1}})
