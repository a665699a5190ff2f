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

_STATUS = {True: ("terpenuhi", "met"), False: ("tidak terpenuhi", "not met"),
           None: ("belum dapat diperiksa", "cannot be checked yet")}
_OP_TEXT = {"equals": "=", "not_equals": "≠", "in": "∈", "not_in": "∉", "at_least": "≥",
            "at_most": "≤", "above": ">", "below": "<"}


@attrs.frozen
class CheckText:
    """The parts of a reason that are the same for every candidate, built once per plan."""

    need: str  # the requirement as text: "age ≤ 53"
    citation: dict[str, Any]
    values_from: tuple[dict[str, Any], ...]


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
    return CheckText(_render(check.required), check.rule.citation.to_dict(policy), tuple(values_from))


def message(title: Text, passed: bool | None, actual: dict[str, Any], need: str) -> Text:
    """The sentence of a reason: "<title>: met (actual: age = 45; required: age ≤ 53)"."""
    state_id, state_en = _STATUS[passed]
    got = "; ".join(f"{k} = {_txt(v)}" for k, v in actual.items())
    return Text(f"{title.id}: {state_id} (nilai: {got}; syarat: {need})",
                f"{title.en}: {state_en} (actual: {got}; required: {need})")


def _txt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _render(required: Any) -> str:
    if "all" in required:
        return " dan/and ".join(_render(r) for r in required["all"])
    if "any" in required:
        return "(" + " atau/or ".join(_render(r) for r in required["any"]) + ")"
    if "not" in required:
        return f"bukan/not ({_render(required['not'])})"
    (field, test), = required.items()
    (op, value), = test.items()
    return f"{field} {_OP_TEXT[op]} {_txt(value)}"
