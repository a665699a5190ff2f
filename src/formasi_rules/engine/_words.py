"""What a check says, in Bahasa Indonesia and English: its requirement as text ("age ≤ 53"),
its citation and the table rows it read (the parts of a reason that are the same for every
candidate, built once per plan), and the sentence of a reason ("<title>: met (actual: ...;
required: ...)").
"""

from __future__ import annotations

from typing import Any

import attrs

from .._text import Text
from ..policy import Policy
from ._frozen import frozen

_STATUS = {True: ("terpenuhi", "met"), False: ("tidak terpenuhi", "not met"),
           None: ("belum dapat diperiksa", "cannot be checked yet")}
_OP_TEXT = {"equals": "=", "not_equals": "≠", "in": "∈", "not_in": "∉", "at_least": "≥",
            "at_most": "≤", "above": ">", "below": "<"}


@attrs.frozen
class CheckText:
    """The parts of a reason that are the same for every candidate, built once per plan."""

    need: str  # the requirement as text: "age ≤ 53", its joining words in both languages ("dan/and")
    citation: dict[str, Any]
    values_from: tuple[dict[str, Any], ...]
    need_text: Text  # the same in each language, for a reason's message ("dan" in id, "and" in en)


def describe(policy: Policy, check: Any) -> CheckText:
    """The candidate-independent text of a check (a ``_plan.Check``)."""
    values_from = []
    for table, row in check.rows:
        citation = row.citation or policy.tables[table].citation
        entry: dict[str, Any] = {"table": table}
        if row.key:
            entry["key"] = row.key
        if row.layer:
            entry["layer"] = row.layer
        entry["citation"] = citation.to_dict(policy) if citation else None
        if row.note:
            entry["note"] = row.note
        values_from.append(entry)
    # shared by every reason of the check: read-only (see _frozen)
    return CheckText(_render(check.required, _BOTH), frozen(check.rule.citation.to_dict(policy)),
                     frozen(tuple(values_from)), requirement_text(check.required))


def requirement_text(required: Any) -> Text:
    """A requirement (a check's ``required``) as text in each language: "age ≤ 53 dan …" / "… and …"."""
    return Text(_render(required, _ID), _render(required, _EN))


def message(title: Text, passed: bool | None, actual: dict[str, Any], need: Text) -> Text:
    """The sentence of a reason: "<title>: met (actual: age = 45; required: age ≤ 53)"."""
    state_id, state_en = _STATUS[passed]
    got = "; ".join(f"{k} = {_txt(v)}" for k, v in actual.items())
    return Text(f"{title.id}: {state_id} (nilai: {got}; syarat: {need.id})",
                f"{title.en}: {state_en} (actual: {got}; required: {need.en})")


def _txt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):  # as the JSON beside the message writes it
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


_ID, _EN, _BOTH = ("dan", "atau", "bukan"), ("and", "or", "not"), ("dan/and", "atau/or", "bukan/not")


def _render(required: Any, words: tuple[str, str, str]) -> str:
    and_, or_, not_ = words
    if "all" in required:
        return f" {and_} ".join(_render(r, words) for r in required["all"])
    if "any" in required:
        return "(" + f" {or_} ".join(_render(r, words) for r in required["any"]) + ")"
    if "not" in required:
        return f"{not_} ({_render(required['not'], words)})"
    (field, test), = required.items()
    (op, value), = test.items()
    return f"{field} {_OP_TEXT[op]} {_txt(value)}"
