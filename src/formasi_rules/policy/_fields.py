"""The fields a rule may test, and what each one is.

A rule names a field (``education``, ``age``, ``formation_open`` ...). Each field
has a kind that fixes which comparisons make sense and how its values reach the
rules engine: ordered fields (education, rank, rating, level) compare by their
rank in the policy's scale, numbers are scaled to integers, dates become day
numbers. ``inputs`` names the candidate fields a missing value is reported as.
"""

from __future__ import annotations

import attrs

from .. import _vocab
from .._text import Text


@attrs.frozen
class Field:
    name: str
    kind: str  # "enum", "ordered", "number", "date", "text"
    title: Text
    inputs: tuple[str, ...]
    values: tuple[str, ...] = ()  # for enum fields
    scale: str | None = None  # for ordered fields: "education", "rank", "rating" or "level"
    decimals: int = 0  # for numbers: how many decimals the engine keeps (values are scaled)
    per_level: bool = False  # the value depends on the level being evaluated
    subject: str = "candidate"  # what a rule testing it is about: "candidate" or "formation"

    @property
    def ordered(self) -> bool:
        return self.kind in ("ordered", "number", "date")


def _f(name, kind, id_, en, inputs=None, **kw):
    return Field(name, kind, Text(id_, en), tuple(inputs or (name,)), **kw)


FIELDS: dict[str, Field] = {f.name: f for f in (
    _f("employment_status", "enum", "status kepegawaian", "employment status",
       values=_vocab.EMPLOYMENT_STATUS),
    _f("education", "ordered", "pendidikan", "education", scale="education"),
    _f("rank", "ordered", "pangkat/golongan", "rank", scale="rank"),
    _f("position_type", "enum", "jenis jabatan", "position type", ["position.type"],
       values=_vocab.POSITION_TYPE),
    _f("position_name", "text", "nama jabatan", "position name", ["position.name"]),
    _f("position_level", "ordered", "jenjang jabatan saat ini", "current position level",
       ["position.level"], scale="level"),
    _f("competency_test_status", "enum", "status uji kompetensi", "competency test status",
       ["competency_test.status"], values=_vocab.TEST_STATUS),
    _f("competency_test_level", "ordered", "jenjang uji kompetensi", "competency test level",
       ["competency_test.level"], scale="level"),
    _f("experience_years", "number", "pengalaman di bidang antar kerja (tahun)",
       "experience in antar kerja (years)", decimals=2),
    _f("credit_points", "number", "angka kredit kumulatif", "cumulative credit points",
       decimals=2),
    _f("age", "number", "usia (tahun penuh)", "age (completed years)", ["birth_date"]),
    _f("years_in_rank", "number", "masa kerja dalam pangkat (tahun penuh)",
       "years in rank (completed)", ["rank_since"]),
    _f("years_in_position", "number", "masa dalam jabatan (tahun penuh)",
       "years in position (completed)", ["position.since"]),
    _f("performance_worst_1y", "ordered", "predikat kinerja terendah 1 tahun terakhir",
       "lowest performance rating, last 1 year", ["performance"], scale="rating"),
    _f("performance_worst_2y", "ordered", "predikat kinerja terendah 2 tahun terakhir",
       "lowest performance rating, last 2 years", ["performance"], scale="rating"),
    _f("performance_worst_3y", "ordered", "predikat kinerja terendah 3 tahun terakhir",
       "lowest performance rating, last 3 years", ["performance"], scale="rating"),
    _f("as_of", "date", "tanggal penilaian", "evaluation date", ["as_of"]),
    _f("formation_open", "number", "formasi (kebutuhan) yang tersedia pada jenjang ini",
       "open formation places at this level", ["formation"], per_level=True),
    # formation rules test one region and level at a time (subject: formation)
    _f("workload_minutes", "number", "beban kerja (menit per tahun)", "workload (minutes per year)",
       ["workload"], decimals=2, subject="formation"),
    _f("need_exact", "number", "kebutuhan sebelum pembulatan", "need before rounding (4 decimals)",
       ["workload"], decimals=4, subject="formation"),
    _f("need", "number", "kebutuhan setelah pembulatan", "need after rounding", ["workload"],
       subject="formation"),
    _f("existing", "number", "pejabat yang ada", "officers in post", ["existing"], subject="formation"),
    _f("level", "ordered", "jenjang", "level", ["level"], scale="level", subject="formation"),
)}
SUBJECTS = ("candidate", "formation")

# Column types a table may declare, and the field kinds a column of that type can feed.
COLUMN_TYPES = {
    "number": "number",
    "optional number": "number",  # a cell that may be left out (an activity not done at a level)
    "boolean": "boolean",
    "date": "date",
    "text": "text",
    "education": "ordered",
    "rank": "ordered",
    "rating": "ordered",
    "level": "ordered",
    "employment_status": "enum",
    "list of employment_status": "enum-list",
    "list of position_type": "enum-list",
}
