"""Writes the synthetic example data for South Sumatra (Sumatera Selatan).

SYNTHETIC: every person, number and place count here is made up to exercise each
route and outcome of the Pengantar Kerja policy. Only the 17 region names are real.
Run from the repository root:  python examples/sumsel/generate.py
"""

import csv
import json
from pathlib import Path

HERE = Path(__file__).parent
REGIONS = [
    "Kabupaten Ogan Komering Ulu", "Kabupaten Ogan Komering Ilir", "Kabupaten Muara Enim",
    "Kabupaten Lahat", "Kabupaten Musi Rawas", "Kabupaten Musi Banyuasin", "Kabupaten Banyuasin",
    "Kabupaten OKU Selatan", "Kabupaten OKU Timur", "Kabupaten Ogan Ilir", "Kabupaten Empat Lawang",
    "Kabupaten Penukal Abab Lematang Ilir", "Kabupaten Musi Rawas Utara", "Kota Palembang",
    "Kota Lubuklinggau", "Kota Pagar Alam", "Kota Prabumulih",
]
GOOD = [{"year": 2023, "rating": "baik"}, {"year": 2024, "rating": "baik"}]


def transfer(age_birth, level="ahli_pertama", rank="III/b", **extra):
    return {"employment_status": "PNS", "birth_date": age_birth, "education": "S1", "rank": rank,
            "rank_since": "2019-04-01", "position": {"type": "ja", "name": "Penata Layanan Operasional",
                                                     "since": "2016-01-01"},
            "performance": GOOD, "competency_test": {"status": "passed", "level": level,
                                                     "date": "2025-06-12"},
            "experience_years": 3, "request": {"route": "perpindahan", "level": level}, **extra}


def officer(level, rank, since, credit=None, ratings=GOOD, **extra):
    rec = {"employment_status": "PNS", "birth_date": "1988-02-14", "education": "S1", "rank": rank,
           "rank_since": "2021-04-01", "position": {"type": "jf", "name": "Pengantar Kerja",
                                                    "level": level, "since": since},
           "performance": ratings, "experience_years": 6, **extra}
    if credit is not None:
        rec["credit_points"] = credit
    return rec


def new_pns(**extra):
    return {"employment_status": "PNS", "birth_date": "1998-07-21", "education": "S1", "rank": "III/a",
            "rank_since": "2024-03-01", "position": {"type": "none"},
            "performance": [{"year": 2024, "rating": "baik"}],
            "request": {"route": "pengangkatan_pertama", "level": "ahli_pertama"}, **extra}


PP, PIND, KJ, KP = "pengangkatan_pertama", "perpindahan", "kenaikan_jenjang", "kenaikan_pangkat"

# (what it shows, record, expected outcomes) — tests/test_examples.py holds the data to them
CASES = [
    ("perpindahan, age 53 on the date: eligible (fact sheet example 13)", transfer("1972-05-01"),
     {(PIND, "ahli_pertama"): "eligible"}),
    ("perpindahan, age 54: not eligible (example 13)", transfer("1971-03-15"),
     {(PIND, "ahli_pertama"): "not_eligible"}),
    ("perpindahan, 'butuh perbaikan' in 2024: not eligible (example 13)",
     transfer("1980-01-10", performance=[{"year": 2023, "rating": "baik"},
                                          {"year": 2024, "rating": "butuh_perbaikan"}]),
     {(PIND, "ahli_pertama"): "not_eligible"}),
    ("perpindahan to Ahli Madya at 55: eligible (example 14)",
     transfer("1970-08-01", "ahli_madya", "IV/a"), {(PIND, "ahli_madya"): "eligible"}),
    ("perpindahan to Ahli Madya at 56: not eligible (example 14)",
     transfer("1969-08-01", "ahli_madya", "IV/a"), {(PIND, "ahli_madya"): "not_eligible"}),
    ("pengangkatan pertama, S1, Baik: eligible", new_pns(), {(PP, "ahli_pertama"): "eligible"}),
    ("pengangkatan pertama with D3: not eligible (example 16)", new_pns(education="D3"),
     {(PP, "ahli_pertama"): "not_eligible"}),
    ("pengangkatan pertama as CPNS: not eligible", new_pns(employment_status="CPNS"),
     {(PP, "ahli_pertama"): "not_eligible"}),
    ("pengangkatan pertama as PPPK: not eligible while PPPK is not admitted",
     new_pns(employment_status="PPPK"), {(PP, "ahli_pertama"): "not_eligible"}),
    ("kenaikan jenjang to Ahli Muda with AK 100, no place at Ahli Muda in the region: denied; "
     "kenaikan pangkat III/a to III/b still allowed (example 15)",
     officer("ahli_pertama", "III/a", "2017-01-01", credit=100,
             competency_test={"status": "passed", "level": "ahli_muda", "date": "2025-05-20"}),
     {(KJ, "ahli_muda"): "not_eligible", (KP, "ahli_pertama"): "eligible"}),
    ("kenaikan jenjang to Ahli Muda with a place open: eligible",
     officer("ahli_pertama", "III/b", "2016-01-01", credit=112.5,
             competency_test={"status": "passed", "level": "ahli_muda", "date": "2025-05-20"}),
     {(KJ, "ahli_muda"): "eligible"}),
    ("kenaikan pangkat with credit points derived from the histories: first appointment in 2023 after "
     "6 months as CPNS (2022 Baik 6.25) + 2023 Sangat Baik 18.75 + 2024 Baik 12.5 = 37.5 < 50: not eligible yet",
     officer("ahli_pertama", "III/a", "2023-01-01", rank_since="2022-07-01",
             ratings=[{"year": 2022, "rating": "baik"}, {"year": 2023, "rating": "sangat_baik"},
                      {"year": 2024, "rating": "baik"}],
             positions=[{"type": "jf", "name": "Pengantar Kerja", "level": "ahli_pertama", "since": "2023-01-01"}],
             ranks=[{"rank": "III/a", "since": "2022-07-01"}]),
     {(KP, "ahli_pertama"): "not_eligible"}),
    ("kenaikan pangkat at the top rank of the level (III/d at Ahli Muda): not eligible",
     officer("ahli_muda", "III/d", "2018-01-01", credit=140), {(KP, "ahli_muda"): "not_eligible"}),
    ("perpindahan without a birth date and a competency test: undetermined",
     {**transfer("1980-01-01"), "birth_date": None, "competency_test": None},
     {(PIND, "ahli_pertama"): "undetermined"}),
    ("perpindahan, only 1 year of experience: not eligible", transfer("1985-06-30", experience_years=1),
     {(PIND, "ahli_pertama"): "not_eligible"}),
    ("no request: every route and level is decided",
     {"employment_status": "PNS", "birth_date": "1984-11-02", "education": "S2", "rank": "III/c",
      "rank_since": "2020-10-01", "position": {"type": "ja", "name": "Analis Pasar Kerja", "since": "2015-01-01"},
      "performance": GOOD, "competency_test": {"status": "passed", "level": "ahli_muda", "date": "2025-02-01"},
      "experience_years": 4},
     {(PIND, "ahli_muda"): "eligible", (PP, "ahli_muda"): "eligible", (PIND, "ahli_pertama"): "not_eligible"}),
    ("perpindahan to Ahli Utama from a JPT post at 59, a place open: eligible",
     transfer("1966-01-20", "ahli_utama", "IV/d", position={"type": "jpt", "name": "Kepala Dinas",
                                                            "since": "2019-01-01"}),
     {(PIND, "ahli_utama"): "eligible"}),
]

NAMES = ["Andi", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gita", "Hendra", "Indah", "Joko",
         "Kartika", "Lestari", "Made", "Nur", "Oktavia", "Putri", "Rizky"]
SECOND = 5  # the second candidate of region k is case (k + SECOND) % 17


def main():
    candidates, notes = [], {}
    for i, region in enumerate(REGIONS):
        for j, case in enumerate((i, (i + SECOND) % len(CASES))):
            what, rec, expect = CASES[case]
            cid = f"SUMSEL-{i + 1:02d}-{j + 1}"
            candidates.append({"id": cid, "name": f"{NAMES[i]} {'AB'[j]}. (synthetic)", "region": region,
                               "agency": f"Dinas Tenaga Kerja {region.split(' ', 1)[1]}",
                               **{k: v for k, v in rec.items() if v is not None}})
            notes[cid] = {"case": what, "expect": {f"{r}/{lv}": o for (r, lv), o in expect.items()}}
    (HERE / "candidates.json").write_text(json.dumps(candidates, indent=2, ensure_ascii=False) + "\n")
    (HERE / "cases.json").write_text(json.dumps(notes, indent=2, ensure_ascii=False) + "\n")

    # synthetic places; a region hosting example 15 has no Ahli Muda place, one hosting the
    # Ahli Utama transfer has one Ahli Utama place
    hosts = {case: {i for i in range(len(REGIONS)) if case in (i, (i + SECOND) % len(CASES))}
             for case in range(len(CASES))}
    with open(HERE / "formation.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["region", "level", "open"])
        for i, region in enumerate(REGIONS):
            w.writerow([region, "ahli_pertama", 0 if i == 4 else 1 + i % 3])
            w.writerow([region, "ahli_muda", 0 if i in hosts[9] else 1])
            w.writerow([region, "ahli_madya", 1])
            w.writerow([region, "ahli_utama", 1 if i in hosts[16] else 0])


# Relative size of each region's job-placement service (synthetic; Palembang the largest).
SIZE = [1.0, 1.2, 1.0, 0.8, 0.7, 1.1, 1.0, 0.5, 0.9, 0.8, 0.4, 0.5, 0.4, 4.0, 0.6, 0.3, 0.6]
# activity, level, period, base volume (at size 1.0)
WORKLOAD = [
    ("registrasi_pencari_kerja", "ahli_pertama", "year", 2400),
    ("verifikasi_lowongan", "ahli_pertama", "year", 600),
    ("verifikasi_lowongan", "ahli_muda", "year", 150),
    ("penempatan", "ahli_pertama", "month", 45),
    ("penempatan", "ahli_muda", "month", 8),
    ("bimbingan_jabatan", "ahli_pertama", "week", 6),
    ("bimbingan_jabatan", "ahli_muda", "week", 2),
    ("bimbingan_jabatan", "ahli_madya", "month", 2),
    ("bursa_kerja", "ahli_muda", "year", 2),
    ("bursa_kerja", "ahli_madya", "year", 1),
    ("analisis_pasar_kerja", "ahli_madya", "year", 2),
    ("pengendalian_tka", "ahli_muda", "year", 60),
    ("pengendalian_tka", "ahli_madya", "year", 20),
    ("pembinaan_bkk", "ahli_madya", "year", 8),
]
# 9 kabupaten and 3 kota already have the position (fact sheet section 7); counts are synthetic.
OFFICERS = {0: (2, 1, 0), 1: (2, 1, 0), 2: (1, 0, 0), 3: (1, 0, 0), 5: (2, 1, 0), 6: (1, 1, 0),
            8: (1, 0, 0), 9: (1, 0, 0), 11: (1, 0, 0), 13: (6, 2, 1), 14: (1, 0, 0), 16: (1, 1, 0)}


def workload():
    with open(HERE / "workload.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["region", "activity", "level", "volume", "period", "norm_minutes"])
        for i, region in enumerate(REGIONS):
            for activity, level, period, base in WORKLOAD:
                volume = round(base * SIZE[i])
                if volume:
                    w.writerow([region, activity, level, volume, period, ""])
        # a local activity not in the catalogue, with its own norm time
        w.writerow(["Kota Palembang", "layanan_disabilitas", "ahli_muda", 40, "year", 240])
    with open(HERE / "officers.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["region", "level", "count"])
        for i, counts in OFFICERS.items():
            for level, count in zip(("ahli_pertama", "ahli_muda", "ahli_madya"), counts, strict=True):
                if count:
                    w.writerow([REGIONS[i], level, count])


if __name__ == "__main__":
    main()
    workload()
