"""A finding of ``formasi check``: what is wrong (or worth knowing), where, and a case that shows it.

Checks run once per period of the policy's timeline; a finding the same in several periods is
said once, naming every period it holds in (``merge``).
"""

from __future__ import annotations

import attrs

from .._errors import Problem
from .._text import Text
from ..policy import Policy
from ..policy._model import Period

SEVERITIES = ("defect", "undecided", "info")


@attrs.frozen
class Finding:
    code: str
    id: str
    en: str
    rules: tuple[str, ...] = ()
    file: str | None = None
    line: int | None = None
    citations: tuple[dict, ...] = ()
    cases: tuple[dict, ...] = ()  # test cases that show it, in the YAML case format (verified on the engine)
    severity: str = "defect"  # "undecided": the reasoner could not settle it (with why); "info": not a mistake
    periods: tuple[str, ...] = ()  # the periods it holds in ("2023-01-12 – 2023-12-31"); () for the whole policy
    topic: tuple = attrs.field(default=(), eq=False, repr=False)  # what makes two findings one (else the message)
    fix: Text | None = None  # how to fix it, in both languages, where the check can say
    # the corrections it suggests, as a test of a rule given another operator (_amend): its test case
    # is a candidate they admit, so that the case passes once the fix is made
    amend: tuple = attrs.field(default=(), eq=False, repr=False)

    @classmethod
    def from_problem(cls, p: Problem) -> Finding:
        return cls(p.code, p.id, p.en, (p.rule,) if p.rule else (), p.file, p.line,
                   fix=Text.of(p.hint) if p.hint else None)

    def fixed(self) -> Finding:
        """The finding with how to fix it: its own words where its check gave them, else its code's (FIXES)."""
        return self if self.fix is not None or self.code not in FIXES else attrs.evolve(self, fix=FIXES[self.code])


# how to fix a finding, by its code, where its check gives no words of its own (the test cases a
# finding carries show the candidate it is about)
FIXES = {code: Text(id_, en) for code, en, id_ in (
    ("C010", "check the rule's tests against its citation: a value or an operator is wrong (at_least where at_most "
             "is meant, say), or its valid_from / valid_to leave no day in force",
     "periksa uji aturan terhadap rujukannya: ada nilai atau operator yang salah (at_least padahal maksudnya "
     "at_most, misalnya), atau valid_from / valid_to-nya tidak menyisakan satu hari pun"),
    ("C011", "check each rule named against its citation: together they refuse every candidate for this route and "
             "level, so one of them has a wrong value, operator or level",
     "periksa setiap aturan yang disebut terhadap rujukannya: bersama-sama semuanya menolak setiap kandidat "
     "untuk jalur dan jenjang ini, jadi salah satunya memuat nilai, operator atau jenjang yang salah"),
    ("C012", "as written the rule never changes a decision: remove it if it repeats another, else correct it, or "
             "the table it reads, against its citation (a threshold or range of another rule can be what hides it)",
     "seperti tertulis, aturan ini tidak pernah mengubah keputusan: hapus bila mengulang aturan lain, atau "
     "perbaiki aturan itu, atau tabel yang dibacanya, sesuai rujukannya (ambang atau rentang aturan lain bisa "
     "menjadi penyebabnya)"),
    ("C013", "correct the need one of the two formation rules asks against its citation, or narrow their when: so "
             "that they do not apply together",
     "perbaiki kebutuhan yang diminta salah satu aturan formasi sesuai rujukannya, atau persempit when:-nya agar "
     "keduanya tidak berlaku bersamaan"),
    ("C015", "check the operator against the citation: this test bounds the field the other way from the rest of "
             "the policy (at_least where the others use at_most, or the reverse)",
     "periksa operatornya terhadap rujukan: uji ini membatasi field ke arah yang berlawanan dengan bagian lain "
     "kebijakan (at_least padahal yang lain at_most, atau sebaliknya)"),
    ("C016", "check its value against the citation (a minimum of 0, or a list holding every value, lets everyone "
             "pass), or remove the rule",
     "periksa nilainya terhadap rujukan (batas bawah 0, atau daftar yang memuat semua nilai, meloloskan semua "
     "orang), atau hapus aturannya"),
    ("C020", "correct the higher level's cell or the lower level's against the table's citation: a higher level "
             "does not ask less",
     "perbaiki sel jenjang yang lebih tinggi atau yang lebih rendah sesuai rujukan tabel: jenjang yang lebih "
     "tinggi tidak meminta lebih sedikit"),
    ("C023", "correct the threshold against the table's citation: a promotion to the next level asks at least what "
             "a promotion within the level below asks",
     "perbaiki ambangnya sesuai rujukan tabel: kenaikan ke jenjang berikutnya meminta sekurang-kurangnya "
     "sebanyak kenaikan di dalam jenjang di bawahnya"),
    ("C024", "correct the level the promotion comes from (the table's row, or the order of the level vocabulary) "
             "against the citation",
     "perbaiki jenjang asal kenaikan (baris tabel, atau urutan kosakata jenjang) sesuai rujukannya"),
    ("C025", "give the two values different ranks where a table tells them apart, and list the vocabulary's "
             "values lowest first, so that their order, their ranks and the table agree",
     "beri kedua nilai peringkat yang berbeda bila tabel membedakannya, dan tulis nilai-nilai kosakata dari yang "
     "terendah, agar urutan, peringkat dan tabelnya sejalan"),
    ("C026", "make the rule's title and its table agree: correct the number in the title, or the table's cell, "
             "against the citation",
     "samakan judul aturan dengan tabelnya: perbaiki angka di judul, atau sel tabel, sesuai rujukannya"),
    ("C030", "if the rule stays in force, make each version begin the day after the one before ends (move a "
             "valid_from or valid_to, or add the version that is missing); if it ends on purpose, say so in its note",
     "jika aturan tetap berlaku, mulai setiap versi sehari sesudah versi sebelumnya berakhir (geser valid_from "
     "atau valid_to, atau tambahkan versi yang belum ada); jika memang berakhir, tulis alasannya di note"),
    ("C040", "the test case shows a candidate the property and the rules disagree on: correct the rule against "
             "its citation, or the property if the regulation allows it",
     "kasus uji menunjukkan kandidat yang membuat sifat dan aturan tidak sejalan: perbaiki aturan sesuai "
     "rujukannya, atau sifatnya jika peraturan memang membolehkan"),
    ("C041", "check the rule's operator (at_least / at_most) and its table against the citation: the test cases "
             "show a better value losing eligibility",
     "periksa operator aturan (at_least / at_most) dan tabelnya terhadap rujukan: kasus uji menunjukkan nilai "
     "yang meningkat justru membuat kandidat tidak lagi memenuhi syarat"),
    ("C099", "the reasoner could not settle it: write a test case for the rule (formasi test), or write the rule "
             "more simply",
     "penalar tidak dapat memutuskannya: tulis kasus uji untuk aturan ini (formasi test), atau sederhanakan "
     "aturannya"),
)}


def period_text(period: Period) -> str:
    return f"{period.valid_from} – {period.valid_to or '…'}"


def for_rules(code: str, id_: str, en: str, rules: list, policy: Policy, **kw) -> Finding:
    """A finding about rules (the first one is the cause: its file and line are given)."""
    unique = list({r.id: r for r in rules}.values())
    first = unique[0].where if unique else None
    cites = tuple(r.citation.to_dict(policy) for r in unique)
    return Finding(code, id_, en, tuple(r.id for r in unique), first.file if first else None,
                   first.line if first else None, cites, **kw)


def merge(findings: list[Finding], all_periods: int) -> list[Finding]:
    """One finding per (code, rules, message); the periods it holds in are joined, and named in the
    message unless it holds in every period."""
    out: dict[tuple, Finding] = {}
    for f in findings:
        key = (f.code, f.rules, f.topic or f.en)
        if key in out:
            old = out[key]
            out[key] = attrs.evolve(old, periods=tuple(dict.fromkeys(old.periods + f.periods)),
                                    cases=old.cases or f.cases)
        else:
            out[key] = f
    done = []
    for f in out.values():
        if f.periods and len(f.periods) < all_periods:
            f = attrs.evolve(f, en=f"{f.en} [in {'; '.join(f.periods)}]", id=f"{f.id} [pada {'; '.join(f.periods)}]")
        elif f.periods and all_periods > 1:
            f = attrs.evolve(f, en=f"{f.en} [in every period]", id=f"{f.id} [pada setiap periode]")
        done.append(f)
    return done
