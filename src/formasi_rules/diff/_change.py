"""One difference between two policies, and how its values are written out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs

from ..policy import Citation, Period, Policy

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@attrs.frozen
class Change:
    """One difference. ``kind`` is rule, cell, row, table, field, vocabulary, source, route,
    period or policy; ``name`` what it is (a rule id, ``table[key].column``); ``what`` the part
    that changed (condition, levels, value ...), empty for an addition or removal."""

    kind: str
    action: str
    name: str
    what: str = ""
    old: Any = None
    new: Any = None
    old_citation: dict[str, Any] | None = None
    new_citation: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"kind": self.kind, "action": self.action, "name": self.name}
        if self.what:
            out["what"] = self.what
        for key in ("old", "new", "old_citation", "new_citation"):
            value = getattr(self, key)
            if value is not None:
                out[key] = jsonable(value)
        return out


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else float(value)
    return value


def period_text(p: Period) -> str:
    if p.valid_from is None and p.valid_to is None:
        return "always"
    return f"{p.valid_from or '…'} – {p.valid_to or '…'}"


def cite(policy: Policy, citation: Citation | None) -> dict[str, Any] | None:
    return citation.to_dict(policy) if citation else None


def paired(left: list[Any], right: list[Any]) -> list[tuple[Any, Any]]:
    """Versions of one thing (a rule's, a table row's) matched by period: equal periods first,
    then the rest in order. Removes the matched ones from ``left`` and ``right``, whose
    leftovers (beyond the pairs' count) are then removed and added."""
    pairs = []
    for item in list(left):
        match = next((r for r in right if r.period == item.period), None)
        if match is not None:
            pairs.append((item, match))
            left.remove(item)
            right.remove(match)
    rest = list(zip(left, right))
    del left[:len(rest)], right[:len(rest)]
    return pairs + rest
