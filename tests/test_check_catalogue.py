"""The mutation catalogue of ``formasi check``: seeded defects, one realistic mistake of a policy
officer each, and correct edits (dated changes, reorders, rewordings) that must give no defect.

Each defect names the finding code(s) it must produce and the rule the first of them must name
(the cause, not a bystander). Every finding of a defect that carries test cases is checked: its
cases were evaluated on every backend when the checker made them.
"""

from __future__ import annotations

import pytest

from conftest import edit
from formasi_rules.testing import cases_yaml, load_cases, run_case
from formasi_rules.testing import check as check_all

J = "jf_umum"
PK = "pk"
THRESHOLDS = f"{J}/tables/thresholds.yaml"
CREDIT = f"{J}/tables/credit_points.yaml"
PERPINDAHAN = f"{J}/rules/perpindahan.yaml"
PROMOSI = f"{J}/rules/promosi.yaml"
COMMON = f"{J}/rules/common.yaml"
POLICY = f"{J}/policy.yaml"
PROPS = f"{PK}/rules/properties.yaml"


def append(rel: str, text: str):
    return ("append", rel, text)


def sub(rel: str, old: str, new: str):
    return ("sub", rel, old, new)


def apply(root, edits) -> None:
    for e in edits:
        path = root / e[1]
        if e[0] == "append":
            path.write_text(path.read_text() + e[2])
        else:
            edit(path, e[2], e[3])


RULE = """
  - id: {id}
    title: {{id: {title}, en: {title}}}
    routes: [{route}]{levels}
    require:
{require}
    citation: {{source: jf_policy_choice}}
"""


def rule(id_, route, require, levels=None, title="Aturan tambahan"):
    lv = f"\n    levels: [{levels}]" if levels else ""
    body = "\n".join("      " + line for line in require.strip().splitlines())
    return RULE.format(id=id_, title=title, route=route, levels=lv, require=body)


PROPERTY = """
  - id: {id}
    title: {{id: {title}, en: {title}}}
    route: {route}
    level: {level}
    when:
      {when}
    never: eligible
    citation: {{source: bkn_faq_perpindahan, article: Syarat usia}}
"""

# name -> (edits, codes that must be found, the rule the first of them names (or None), properties?)
DEFECTS = {
    # --- tables per level ----------------------------------------------------------------
    "kp thresholds swapped": ([sub(CREDIT, "{level: ahli_pertama, min_credit_points: 50}",
                                   "{level: ahli_pertama, min_credit_points: 120}")],
                              {"C020"}, "kenaikan_pangkat.credit_points", False),
    "kj threshold falls at ahli_madya": ([sub(CREDIT, "{level: ahli_madya, min_credit_points: 200}",
                                              "{level: ahli_madya, min_credit_points: 90}")],
                                         {"C020", "C023"}, "kenaikan_jenjang.credit_points", False),
    "kj below kp at the level promoted from": (
        [sub(CREDIT, "{level: ahli_muda, min_credit_points: 100}\n      - {level: ahli_madya, min_credit_points: 200}",
             "{level: ahli_muda, min_credit_points: 40}\n      - {level: ahli_madya, min_credit_points: 200}")],
        {"C023"}, "kenaikan_jenjang.credit_points", False),
    "kp above kj at ahli_muda": ([sub(CREDIT, "{level: ahli_muda, min_credit_points: 100}\n      - {level: ahli_madya, min_credit_points: 150}",
                                      "{level: ahli_muda, min_credit_points: 140}\n      - {level: ahli_madya, min_credit_points: 150}"),
                                  sub(CREDIT, "{level: ahli_madya, min_credit_points: 200}", "{level: ahli_madya, min_credit_points: 130}")],
                                 {"C023"}, "kenaikan_jenjang.credit_points", False),
    "kj unordered from a later date": (
        [sub(CREDIT, "{level: ahli_madya, min_credit_points: 200}",
             "{level: ahli_madya, min_credit_points: 200, valid_to: 2025-12-31}\n"
             "      - {level: ahli_madya, min_credit_points: 90, valid_from: 2026-01-01}")],
        {"C020"}, "kenaikan_jenjang.credit_points", False),
    "kp unordered from a later date": (
        [sub(CREDIT, "{level: ahli_madya, min_credit_points: 150}",
             "{level: ahli_madya, min_credit_points: 150, valid_to: 2026-06-30}\n"
             "      - {level: ahli_madya, min_credit_points: 80, valid_from: 2026-07-01}")],
        {"C020"}, "kenaikan_pangkat.credit_points", False),
    "education minimum falls at ahli_muda": ([sub(THRESHOLDS, "{level: ahli_muda, min_education: S1}",
                                                  "{level: ahli_muda, min_education: SMA}")],
                                             {"C020"}, "education.minimum", False),
    "level step to itself": ([sub(THRESHOLDS, "{level: ahli_madya, from_level: ahli_muda}",
                                  "{level: ahli_madya, from_level: ahli_madya}")],
                             {"C024"}, "kenaikan_jenjang.current_level", False),
    "level step skips a level": ([sub(THRESHOLDS, "{level: ahli_utama, from_level: ahli_madya}",
                                      "{level: ahli_utama, from_level: ahli_muda}")],
                                 {"C024"}, "kenaikan_jenjang.current_level", False),
    "level step to itself from a later date": (
        [sub(THRESHOLDS, "{level: ahli_muda, from_level: ahli_pertama}",
             "{level: ahli_muda, from_level: ahli_pertama, valid_to: 2026-03-31}\n"
             "      - {level: ahli_muda, from_level: ahli_muda, valid_from: 2026-04-01}")],
        {"C024"}, "kenaikan_jenjang.current_level", False),
    "rank ranges overlap": ([sub(THRESHOLDS, "{level: ahli_muda, min_rank: III/c,", "{level: ahli_muda, min_rank: III/b,")],
                            {"C021"}, "rank.in_range", False),
    "rank ranges leave a gap": ([sub(THRESHOLDS, "{level: ahli_madya, min_rank: IV/a,", "{level: ahli_madya, min_rank: IV/b,")],
                                {"C022"}, "rank.in_range", False),
    "rank ranges overlap from a later date": (
        [sub(THRESHOLDS, "{level: ahli_muda, min_rank: III/c, max_rank: III/d}",
             "{level: ahli_muda, min_rank: III/c, max_rank: III/d, valid_to: 2025-12-31}\n"
             "      - {level: ahli_muda, min_rank: III/b, max_rank: III/d, valid_from: 2026-01-01}")],
        {"C021"}, "rank.in_range", False),
    "a date gap in a table": ([sub(THRESHOLDS, "{level: ahli_madya, max_age: 55}",
                                   "{level: ahli_madya, max_age: 55, valid_to: 2024-12-31}")],
                              {"P070"}, "perpindahan.age", False),
    "a one-day gap between table rows": (
        [sub(THRESHOLDS, "{level: ahli_madya, max_age: 55}",
             "{level: ahli_madya, max_age: 55, valid_to: 2024-12-30}\n"
             "      - {level: ahli_madya, max_age: 56, valid_from: 2025-01-01}")],
        {"P070"}, "perpindahan.age", False),
    # --- scales --------------------------------------------------------------------------
    "rating scale tie": ([sub(POLICY, "butuh_perbaikan: {rank: 3,", "butuh_perbaikan: {rank: 4,")],
                         {"C025"}, None, False),
    # --- directions and monotonicity -----------------------------------------------------
    "age at_most turned into at_least": ([sub(PERPINDAHAN, "age: {at_most: {table: transfer_age_limit, column: max_age}}",
                                              "age: {at_least: {table: transfer_age_limit, column: max_age}}")],
                                         {"C015"}, "perpindahan.age", False),
    "age of one branch at Ahli Utama turned into at_least": (
        [sub(PERPINDAHAN, "age: {at_most: {table: transfer_age_limit_utama, column: from_jpt}}",
             "age: {at_least: {table: transfer_age_limit_utama, column: from_jpt}}")],
        {"C015"}, "perpindahan.age_utama", False),
    "experience at_most instead of at_least": (
        [sub(PERPINDAHAN, "- experience_years: {at_least: {table: transfer_requirements, column: min_experience_years}}",
             "- experience_years: {at_most: {table: transfer_requirements, column: min_experience_years}}")],
        {"C015"}, "perpindahan.experience", False),
    "credit points at_most instead of at_least": (
        [sub(PROMOSI, "credit_points: {at_least: {table: kp_credit_points, column: min_credit_points}}",
             "credit_points: {at_most: {table: kp_credit_points, column: min_credit_points}}")],
        {"C015"}, "kenaikan_pangkat.credit_points", False),
    "rating at_least turned into equals": ([sub(f"{J}/rules/pengangkatan_pertama.yaml", "performance_worst_1y: {at_least: baik}",
                                                "performance_worst_1y: {equals: baik}")],
                                           {"C041"}, "pengangkatan_pertama.performance", False),
    "rating at_least turned into below": ([sub(PROMOSI, "      performance_worst_1y: {at_least: baik}",
                                               "      performance_worst_1y: {below: baik}")],
                                          # against every other test of the rating (two since perpindahan
                                          # tests the last year too): the C015 that carries C041's cases
                                          {"C015"}, "kenaikan_jenjang.performance", False),
    "education as a list": ([sub(COMMON, "education: {at_least: {table: education_min, column: min_education}}",
                                 "education: {in: [S1, D4]}")], {"C041"}, "education.minimum", False),
    "competency test equals failed": ([sub(PERPINDAHAN, "competency_test_status: {equals: passed}",
                                           "competency_test_status: {equals: failed}")],
                                      {"C041"}, "perpindahan.competency_test", False),
    "a rule excluding the highest education": ([append(COMMON, rule("education.not_doctorate", "perpindahan",
                                                                      "not:\n  education: {at_least: S3}"))],
                                               {"C015"}, "education.not_doctorate", False),
    "experience at_least turned into equals": (
        [sub(PERPINDAHAN, "- experience_years: {at_least: {table: transfer_requirements, column: min_experience_years}}",
             "- experience_years: {equals: {table: transfer_requirements, column: min_experience_years}}")],
        {"C015"}, "perpindahan.experience", False),
    "age at_most turned into equals": ([sub(PERPINDAHAN, "age: {at_most: {table: transfer_age_limit, column: max_age}}",
                                            "age: {equals: {table: transfer_age_limit, column: max_age}}")],
                                       {"C015"}, "perpindahan.age", False),
    "a rating listed out of its order": ([sub(POLICY, "kurang: {rank: 2, aliases: [Kurang]}", "kurang: {rank: 6, aliases: [Kurang]}")],
                                         {"C025"}, None, False),
    # --- rules that contradict, mask or never pass ---------------------------------------
    "a rule that can never pass": ([sub(PERPINDAHAN, "      age: {at_most: {table: transfer_age_limit, column: max_age}}",
                                        "      age: {at_most: {table: transfer_age_limit, column: max_age}, above: 70}")],
                                   {"C010"}, "perpindahan.age", False),
    "two rules that contradict": ([append(PERPINDAHAN, rule("perpindahan.young_only", "perpindahan",
                                                              "experience_years: {below: 1}", "ahli_madya"))],
                                  {"C011"}, "perpindahan.young_only", False),
    "a seven-field rule that makes a level unreachable": (
        [append(PERPINDAHAN, rule("perpindahan.senior_track", "perpindahan", """
experience_years: {at_least: 1}
education: {at_least: S1}
rank: {at_least: III/a}
performance_worst_2y: {at_least: kurang}
years_in_rank: {at_least: 0}
credit_points_given: {at_least: 0}
age: {at_least: 56}""", "ahli_madya"))],
        {"C011"}, "perpindahan.senior_track", False),
    "a masked rule": ([append(PERPINDAHAN, rule("perpindahan.some_experience", "perpindahan",
                                                "experience_years: {at_least: 1}"))],
                      {"C012"}, "perpindahan.some_experience", False),
    "a duplicated rule": ([append(PERPINDAHAN, rule("perpindahan.performance_again", "perpindahan",
                                                    "performance_worst_2y: {at_least: baik}"))],
                          {"C012"}, "perpindahan.performance_again", False),
    "a stricter duplicate": ([append(PERPINDAHAN, rule("perpindahan.performance_strict", "perpindahan",
                                                       "performance_worst_2y: {at_least: sangat_baik}"))],
                             {"C012"}, "perpindahan.performance", False),
    "a 2-year rating rule that makes the 1-year one redundant": (
        [append(PROMOSI, rule("kenaikan_jenjang.performance_2y", "kenaikan_jenjang",
                              "performance_worst_2y: {at_least: baik}"))],
        {"C012"}, "kenaikan_jenjang.performance", False),
    "a rule two others imply together": ([append(PERPINDAHAN, rule("perpindahan.experienced_graduate", "perpindahan",
                                                                   "education: {at_least: S1}\nexperience_years: {at_least: 1}",
                                                                   "ahli_pertama, ahli_muda, ahli_madya, ahli_utama"))],
                                         {"C012"}, "perpindahan.experienced_graduate", False),
    "a rule that always passes": ([sub(COMMON, "formation_open: {at_least: 1}", "formation_open: {at_least: 0}")],
                                  {"C016"}, "formation.available", False),
    "a window that never opens": ([sub(f"{PK}/tables/position.yaml", "{opens: 2022-01-01, closes: 2023-12-31}",
                                       "{opens: 2020-01-01, closes: 2021-12-31}")],
                                  {"C010"}, "penyesuaian.window", False),
    "contradicting formation rules": ([append(f"{PK}/rules/formation.yaml", """
  - id: formation.no_pertama
    subject: formation
    title: {id: Tanpa Ahli Pertama, en: No Ahli Pertama}
    levels: [ahli_pertama]
    when:
      existing: {at_least: 0}
    then:
      need: {at_most: 0}
    citation: {source: formasi_policy_choice}
""")], {"C013"}, None, False),
    # --- dates of rules ------------------------------------------------------------------
    "valid_to before valid_from": ([sub(PERPINDAHAN, "    citation: {source: bkn_faq_perpindahan, article: Syarat usia}\n",
                                        "    citation: {source: bkn_faq_perpindahan, article: Syarat usia}\n"
                                        "    valid_from: 2024-01-01\n    valid_to: 2023-06-30\n")],
                                   {"P023"}, None, False),
    "a gap between two versions of a rule": (
        [sub(PERPINDAHAN, "    citation: {source: bkn_faq_perpindahan, article: Syarat predikat kinerja 2 tahun terakhir}\n",
             "    citation: {source: bkn_faq_perpindahan, article: Syarat predikat kinerja 2 tahun terakhir}\n"
             "    valid_to: 2024-06-30\n"),
         append(PERPINDAHAN, rule("perpindahan.performance", "perpindahan", "performance_worst_2y: {at_least: baik}",
                                  title="Predikat").replace("    citation:", "    valid_from: 2024-07-02\n    citation:"))],
        {"C030"}, "perpindahan.performance", False),
    "a last version that ends inside the policy's period": (
        [sub(PERPINDAHAN, "    citation: {source: bkn_faq_perpindahan, article: Syarat predikat kinerja 2 tahun terakhir}\n",
             "    citation: {source: bkn_faq_perpindahan, article: Syarat predikat kinerja 2 tahun terakhir}\n"
             "    valid_to: 2026-06-30\n")],
        {"C030"}, "perpindahan.performance", False),
    # --- citations -----------------------------------------------------------------------
    "a dropped citation": ([sub(PERPINDAHAN, "    citation: {source: bkn_faq_perpindahan, article: Syarat usia}\n", "")],
                           {"P013"}, "perpindahan.age", False),
    "a citation to an undefined source": ([sub(PERPINDAHAN, "{source: bkn_faq_perpindahan, article: Syarat usia}",
                                               "{source: bkn_faq, article: Syarat usia}")],
                                          {"P050"}, "perpindahan.age", False),
    # --- titles that state a number ------------------------------------------------------
    "experience cell no longer what the title says": (
        [sub(THRESHOLDS, "{min_experience_years: 2, min_experience_years_strategic: 1}",
             "{min_experience_years: 3, min_experience_years_strategic: 1}")],
        {"C026"}, "perpindahan.experience", False),
    "years in level no longer what the title says": ([sub(THRESHOLDS, "{min_years_in_level: 1}", "{min_years_in_level: 2}")],
                                                     {"C026"}, "kenaikan_jenjang.years_in_level", False),
    "Ahli Utama age no longer what the title says": ([sub(THRESHOLDS, "{from_jpt: 60, from_jf: 63}", "{from_jpt: 58, from_jf: 63}")],
                                                     {"C026"}, "perpindahan.age_utama", False),
    # --- declared properties -------------------------------------------------------------
    "transfer age limit 54 instead of 53": ([sub(THRESHOLDS, "{level: ahli_pertama, max_age: 53}",
                                                 "{level: ahli_pertama, max_age: 54}")],
                                            {"C040"}, "no_transfer_to_pertama_after_53", True),
    "transfer age limit 54 from a later date": (
        [sub(THRESHOLDS, "{level: ahli_pertama, max_age: 53}",
             "{level: ahli_pertama, max_age: 53, valid_to: 2026-06-30}\n"
             "      - {level: ahli_pertama, max_age: 54, valid_from: 2026-07-01}")],
        {"C040"}, "no_transfer_to_pertama_after_53", True),
    "a property false only at its boundary": (
        [append(PROPS, PROPERTY.format(id="no_transfer_to_madya_from_55", title="Tidak pindah ke Madya dari 55 tahun",
                                       route="perpindahan", level="ahli_madya", when="age: {at_least: 55}"))],
        {"C040"}, "no_transfer_to_madya_from_55", True),
    "a mistyped property": ([sub(PROPS, "      age: {above: 53}", "      age: {above: 50}")],
                            {"C040"}, "no_transfer_to_pertama_after_53", True),
}

# correct edits: none of them may give a defect finding
CORRECT = {
    "a threshold raised from 2026-01-01": [
        sub(CREDIT, "{level: ahli_pertama, min_credit_points: 50}",
            "{level: ahli_pertama, min_credit_points: 50, valid_to: 2025-12-31}\n"
            "      - {level: ahli_pertama, min_credit_points: 60, valid_from: 2026-01-01}")],
    "a requirement relaxed from 2023-07-01": [
        sub(THRESHOLDS, "{min_experience_years: 2, min_experience_years_strategic: 1}",
            "{min_experience_years: 2, min_experience_years_strategic: 1, valid_to: 2023-06-30}\n"
            "      - {min_experience_years: 2, min_experience_years_strategic: 0.5, valid_from: 2023-07-01}")],
    "an age limit raised from a later date": [
        sub(THRESHOLDS, "{level: ahli_madya, max_age: 55}",
            "{level: ahli_madya, max_age: 55, valid_to: 2026-12-31}\n"
            "      - {level: ahli_madya, max_age: 56, valid_from: 2027-01-01}")],
    "a rule in two chained versions": [
        sub(PERPINDAHAN, "    citation: {source: bkn_faq_perpindahan, article: Syarat predikat kinerja 2 tahun terakhir}\n",
            "    citation: {source: bkn_faq_perpindahan, article: Syarat predikat kinerja 2 tahun terakhir}\n"
            "    valid_to: 2024-06-30\n"),
        append(PERPINDAHAN, rule("perpindahan.performance", "perpindahan", "performance_worst_2y: {at_least: baik}",
                                 title="Predikat kinerja paling rendah Baik 2 tahun terakhir")
               .replace("    citation:", "    valid_from: 2024-07-01\n    citation:"))],
    "rules reordered": [
        sub(PERPINDAHAN, "  - id: perpindahan.performance\n", "  - id: perpindahan.performance_tmp\n"),
        sub(PERPINDAHAN, "  - id: perpindahan.competency_test\n", "  - id: perpindahan.performance\n"),
        sub(PERPINDAHAN, "  - id: perpindahan.performance_tmp\n", "  - id: perpindahan.competency_test\n"),
        sub(PERPINDAHAN, "      performance_worst_2y: {at_least: baik}\n", "      TMP\n"),
        sub(PERPINDAHAN, "      competency_test_status: {equals: passed}\n      competency_test_level: {equals: {this: level}}\n",
            "      performance_worst_2y: {at_least: baik}\n"),
        sub(PERPINDAHAN, "      TMP\n",
            "      competency_test_status: {equals: passed}\n      competency_test_level: {equals: {this: level}}\n")],
    "table rows reordered": [
        sub(THRESHOLDS, "      - {level: ahli_pertama, min_education: S1}     # D4 ranks with S1 in the education vocabulary\n"
                        "      - {level: ahli_muda, min_education: S1}\n",
            "      - {level: ahli_muda, min_education: S1}\n      - {level: ahli_pertama, min_education: S1}\n")],
    "a title reworded": [
        sub(PERPINDAHAN, "title: {id: Usia paling tinggi sesuai jenjang, en: Age at most the limit of the level}",
            "title: {id: Batas usia tertinggi menurut jenjang, en: The age limit of the level is not exceeded}")],
    "a note and an article reworded": [
        sub(PERPINDAHAN, "article: Syarat uji kompetensi}", "article: Syarat uji kompetensi pada jenjang tujuan}")],
    "a property that holds added": [
        append(PROPS, PROPERTY.format(id="no_transfer_to_muda_after_53", title="Tidak pindah ke Muda setelah 53 tahun",
                                      route="perpindahan", level="ahli_muda", when="age: {above: 53}"))],
    "kenaikan jenjang threshold raised from a later date": [
        sub(CREDIT, "{level: ahli_madya, min_credit_points: 200}",
            "{level: ahli_madya, min_credit_points: 200, valid_to: 2026-12-31}\n"
            "      - {level: ahli_madya, min_credit_points: 220, valid_from: 2027-01-01}")],
}


def defects(findings):
    return [f for f in findings if f.severity != "info"]


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_a_seeded_defect_is_found(policy_copy, name, default_engine):
    edits, codes, cause, props = DEFECTS[name]
    apply(policy_copy.parent, edits)
    found = defects(check_all(policy_copy, properties=props, max_examples=60))
    got = {f.code for f in found}
    assert codes <= got, f"{name}: expected {codes}, got {[(f.code, f.rules, f.en) for f in found]}"
    assert "C099" not in got
    if cause is not None:
        first = next(f for f in found if f.code == sorted(codes)[0])
        assert first.rules and first.rules[0] == cause, (first.rules, first.en)
        assert first.file and (first.line or first.code.startswith("P"))
        if first.code in ("C011", "C041", "C040"):  # a solution exists: it comes as a verified case
            assert first.cases, first.en
        if first.code in ("C010", "C011", "C015") and first.cases:
            # a case expecting eligible someone the rule refuses passes on the policy without the
            # mistake (the shipped one): it is someone only the mistake refuses, not anyone it does
            path = policy_copy.parent / "finding.yaml"
            path.write_text(cases_yaml(first.cases))
            for case in load_cases(path):
                assert run_case(default_engine, case).passed, (name, case.name, run_case(default_engine, case).failures)


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_a_correct_edit_gives_no_defect(policy_copy, name):
    apply(policy_copy.parent, CORRECT[name])
    found = defects(check_all(policy_copy, properties=True, max_examples=60))
    assert found == [], [(f.code, f.rules, f.en) for f in found]


def test_the_catalogue_is_large_enough():
    assert len(DEFECTS) >= 40 and len(CORRECT) >= 8
