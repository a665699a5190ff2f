"""Fields: what a rule may test, declared by the policy (``fields:``), and the few the engine
itself provides.

A declared field either reads the candidate record (``input: birth_date``) or is derived from
other fields (``derive: {years_between: [birth_date, as_of]}``, see _derivations). Its
``type`` is ``number``, ``integer``, ``date``, ``text``, ``boolean`` or the name of a
vocabulary; that fixes which comparisons make sense and how values reach the rules engine:
ordered vocabularies compare by rank, numbers are scaled to integers, dates become day numbers.

The record itself (what a candidate file may hold) is the generic civil-servant record of
:mod:`formasi_rules.inputs`; ``RECORD`` below says which vocabulary each of its coded slots
takes its values from, so the policy decides which values exist.
"""

from __future__ import annotations

from typing import Any

import attrs

from .._text import Text

BASIC_TYPES = ("number", "integer", "date", "text", "boolean")


@attrs.frozen
class Field:
    name: str
    kind: str  # "enum", "ordered", "number", "date", "text", "boolean"
    title: Text
    inputs: tuple[str, ...]  # the record paths its value comes from (named when it is missing)
    values: tuple[str, ...] = ()  # enum and ordered fields: the vocabulary's values
    scale: str | None = None  # enum and ordered fields: the vocabulary's name
    decimals: int = 0  # numbers: how many decimals are kept (values are scaled for the engine)
    per_level: bool = False  # the value depends on the level being evaluated
    subject: str = "candidate"  # what a rule testing it is about: "candidate" or "formation"
    input: str | None = None  # the record path it reads, for an input field
    derive: Any = None  # the derivation (an _derivations node), for a derived field
    type: str = ""  # as declared: a basic type or a vocabulary name
    default: Any = None  # an input field's value when the record does not give it (a flag's false)
    citation: Any = None
    note: str | None = None
    where: Any = attrs.field(default=None, eq=False)
    layer: str = ""

    @property
    def ordered(self) -> bool:
        return self.kind in ("ordered", "number", "date")


def _system(name, kind, id_, en, inputs=None, **kw) -> Field:
    return Field(name, kind, Text(id_, en), tuple(inputs or (name,)), type=kw.pop("type", kind), **kw)


# The field the engine gives the open places of the candidate's region in, per level
OPEN_PLACES = "formation_open"

# Fields every policy has, provided by the engine: the evaluation date, the open places of
# the formation data, and the quantities of the workload analysis (formation rules).
SYSTEM_FIELDS: dict[str, Field] = {f.name: f for f in (
    _system("as_of", "date", "tanggal penilaian", "evaluation date"),
    _system(OPEN_PLACES, "number", "formasi (kebutuhan) yang tersedia pada jenjang ini",
            "open formation places at this level", ["formation"], per_level=True, type="integer"),
    _system("workload_minutes", "number", "beban kerja (menit per tahun)", "workload (minutes per year)",
            ["workload"], decimals=2, subject="formation"),
    _system("need_exact", "number", "kebutuhan sebelum pembulatan", "need before rounding (4 decimals)",
            ["workload"], decimals=4, subject="formation"),
    _system("need", "number", "kebutuhan setelah pembulatan", "need after rounding", ["workload"],
            subject="formation", type="integer"),
    _system("existing", "number", "pejabat yang ada", "officers in post", ["existing"], subject="formation",
            type="integer"),
    _system("level", "ordered", "jenjang", "level", ["level"], scale="level", subject="formation", type="level"),
)}
SUBJECTS = ("candidate", "formation")

# The coded slots of the candidate record and the type of each: a vocabulary the policy
# declares, or a basic type. ``input:`` paths of fields are checked against this.
RECORD: dict[str, str] = {
    "employment_status": "employment_status", "birth_date": "date", "education": "education",
    "rank": "rank", "rank_since": "date", "region": "text", "agency": "text", "name": "text",
    "position.type": "position_type", "position.name": "text", "position.level": "level",
    "position.since": "date",
    "competency_test.status": "test_status", "competency_test.level": "level",
    "competency_test.date": "date",
    "credit_points": "number", "experience_years": "number",
}
# Histories in the record: for each, the attribute that places an entry in time and the type
# of every attribute (riwayat jabatan, riwayat pangkat, predikat kinerja per tahun).
HISTORIES: dict[str, tuple[str, dict[str, str]]] = {
    "positions": ("since", {"since": "date", "until": "date", "type": "position_type", "name": "text",
                            "level": "level", "top_rank": "boolean"}),
    "ranks": ("since", {"since": "date", "rank": "rank"}),
    "performance": ("year", {"year": "integer", "rating": "rating"}),
}
# The vocabularies the record's coded slots need (the base policy declares them).
RECORD_VOCABULARIES = tuple(dict.fromkeys(
    t for t in (*RECORD.values(), *(a for _, attrs_ in HISTORIES.values() for a in attrs_.values()))
    if t not in BASIC_TYPES))

# Column types a table may declare besides a vocabulary name (``rank``, ``list of rank``,
# ``optional rank``).
COLUMN_TYPES = ("number", "optional number", "boolean", "date", "text", "list of text")


def column_type_ok(type_name: str, vocabularies: Any) -> bool:
    if type_name in COLUMN_TYPES:
        return True
    base = type_name.removeprefix("list of ").removeprefix("optional ")
    return base in vocabularies


def kind_of(type_name: str, vocabularies: Any) -> str:
    if type_name in ("number", "integer"):
        return "number"
    if type_name in BASIC_TYPES:
        return type_name
    return "ordered" if vocabularies[type_name].ordered else "enum"
