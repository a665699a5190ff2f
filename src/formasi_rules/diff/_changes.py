"""What changed between two loaded policies, semantically: rules, table cells and rows, fields,
vocabularies, sources, routes and the periods the policy is cut into.

Rules are matched by id, tables and fields by name, table rows by key and then by period; a
condition or derivation that changed is shown in words, old and new.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs

from ..book._collect import periods
from ..book._words import Writer, condition, derivation
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


def _cite(policy: Policy, citation: Citation | None) -> dict[str, Any] | None:
    return citation.to_dict(policy) if citation else None


def _words(policy: Policy, render, node) -> dict[str, str] | None:
    if node is None:
        return None
    w = Writer(policy)
    return {"id": render(node, w, 0), "en": render(node, w, 1)}


def policy_changes(old: Policy, new: Policy) -> list[Change]:
    """Every semantic difference from ``old`` to ``new``, rules first, then tables, fields,
    vocabularies, sources, routes and periods."""
    return [*_rules(old, new), *_tables(old, new), *_fields(old, new), *_vocabularies(old, new),
            *_sources(old, new), *_routes(old, new), *_periods(old, new)]


def _rules(old: Policy, new: Policy) -> list[Change]:
    a, b = {r.id: r for r in old.rules}, {r.id: r for r in new.rules}
    out = []
    for rid, rule in b.items():
        if rid not in a:
            out.append(Change("rule", ADDED, rid, new=_words(new, condition, rule.condition),
                              new_citation=_cite(new, rule.citation)))
    for rid, rule in a.items():
        if rid not in b:
            out.append(Change("rule", REMOVED, rid, old=_words(old, condition, rule.condition),
                              old_citation=_cite(old, rule.citation)))
            continue
        other = b[rid]
        cites = {"old_citation": _cite(old, rule.citation), "new_citation": _cite(new, other.citation)}
        if rule.condition != other.condition:
            out.append(Change("rule", CHANGED, rid, "condition", _words(old, condition, rule.condition),
                              _words(new, condition, other.condition), **cites))
        if rule.then != other.then:
            out.append(Change("rule", CHANGED, rid, "then", _words(old, condition, rule.then),
                              _words(new, condition, other.then), **cites))
        for part in ("routes", "levels", "subject", "note", "layer"):
            if getattr(rule, part) != getattr(other, part):
                out.append(Change("rule", CHANGED, rid, part, getattr(rule, part), getattr(other, part)))
        if rule.title != other.title:
            out.append(Change("rule", CHANGED, rid, "title", rule.title.to_dict(), other.title.to_dict()))
        if rule.period != other.period:
            out.append(Change("rule", CHANGED, rid, "period", period_text(rule.period), period_text(other.period)))
        if cites["old_citation"] != cites["new_citation"]:
            out.append(Change("rule", CHANGED, rid, "citation", **cites))
    return out


def _tables(old: Policy, new: Policy) -> list[Change]:
    out = []
    for name, table in new.tables.items():
        if name not in old.tables:
            out.append(Change("table", ADDED, name, new=f"{len(table.rows)} row(s)",
                              new_citation=_cite(new, table.citation)))
    for name, table in old.tables.items():
        if name not in new.tables:
            out.append(Change("table", REMOVED, name, old=f"{len(table.rows)} row(s)",
                              old_citation=_cite(old, table.citation)))
            continue
        other = new.tables[name]
        for part in ("key", "columns"):
            if getattr(table, part) != getattr(other, part):
                out.append(Change("table", CHANGED, name, part, getattr(table, part), getattr(other, part)))
        if _cite(old, table.citation) != _cite(new, other.citation):
            out.append(Change("table", CHANGED, name, "citation", old_citation=_cite(old, table.citation),
                              new_citation=_cite(new, other.citation)))
        out += _rows(old, new, table, other)
    return out


def _rows(old: Policy, new: Policy, table, other) -> list[Change]:
    """Rows matched by key, then by period (equal periods first, then in order)."""
    out = []
    keys = list(dict.fromkeys([r.key for r in table.rows] + [r.key for r in other.rows]))
    for key in keys:
        left = [r for r in table.rows if r.key == key]
        right = [r for r in other.rows if r.key == key]
        pairs = []
        for row in list(left):
            match = next((r for r in right if r.period == row.period), None)
            if match is not None:
                pairs.append((row, match))
                left.remove(row)
                right.remove(match)
        pairs += list(zip(left, right))
        base = f"{table.name}[{key}]" if key is not None else table.name
        for row in left[min(len(left), len(right)):]:
            out.append(Change("row", REMOVED, f"{base} {period_text(row.period)}", old=dict(row.values),
                              old_citation=_cite(old, row.citation or table.citation)))
        for row in right[min(len(left), len(right)):]:
            out.append(Change("row", ADDED, f"{base} {period_text(row.period)}", new=dict(row.values),
                              new_citation=_cite(new, row.citation or other.citation)))
        dated = len(pairs) > 1 or any(r.period != Period() for pair in pairs for r in pair)
        for a, b in pairs:
            cites = {"old_citation": _cite(old, a.citation or table.citation),
                     "new_citation": _cite(new, b.citation or other.citation)}
            where = f" ({period_text(b.period)})" if dated else ""
            if a.period != b.period:
                out.append(Change("row", CHANGED, base, "period", period_text(a.period), period_text(b.period), **cites))
            for column in dict.fromkeys([*a.values, *b.values]):
                va, vb = a.values.get(column), b.values.get(column)
                if va != vb:
                    out.append(Change("cell", CHANGED, f"{base}.{column}{where}", "value", va, vb, **cites))
            if cites["old_citation"] != cites["new_citation"]:
                out.append(Change("row", CHANGED, base + where, "citation", **cites))
    return out


def _fields(old: Policy, new: Policy) -> list[Change]:
    out = []

    def how(policy, f):
        if f.derive is not None:
            return _words(policy, derivation, f.derive)
        return {"id": f"rekaman: {f.input}", "en": f"record: {f.input}"} if f.input else None

    for name, f in new.fields.items():
        if name not in old.fields:
            out.append(Change("field", ADDED, name, new=how(new, f)))
    for name, f in old.fields.items():
        if name not in new.fields:
            out.append(Change("field", REMOVED, name, old=how(old, f)))
            continue
        g = new.fields[name]
        if (f.derive, f.input) != (g.derive, g.input):
            out.append(Change("field", CHANGED, name, "derivation", how(old, f), how(new, g)))
        for part in ("type", "default", "per_level"):
            if getattr(f, part) != getattr(g, part):
                out.append(Change("field", CHANGED, name, part, getattr(f, part), getattr(g, part)))
    return out


def _vocabularies(old: Policy, new: Policy) -> list[Change]:
    out = []
    for name in dict.fromkeys([*old.vocabularies, *new.vocabularies]):
        a, b = old.vocabularies.get(name), new.vocabularies.get(name)
        if a is None or b is None:
            out.append(Change("vocabulary", ADDED if a is None else REMOVED, name,
                              old=list(a.values) if a else None, new=list(b.values) if b else None))
            continue
        added = [v for v in b.values if v not in a.values]
        removed = [v for v in a.values if v not in b.values]
        if added or removed:
            out.append(Change("vocabulary", CHANGED, name, "values", removed or None, added or None))
        ranks = {v: (a.ranks[v], b.ranks[v]) for v in a.values if v in b.values and a.ranks.get(v) != b.ranks.get(v)}
        if ranks and a.ordered and b.ordered:
            out.append(Change("vocabulary", CHANGED, name, "order", {v: r[0] for v, r in ranks.items()},
                              {v: r[1] for v, r in ranks.items()}))
        if a.ordered != b.ordered:
            out.append(Change("vocabulary", CHANGED, name, "ordered", a.ordered, b.ordered))
        if a.aliases != b.aliases:
            gone = {k: v for k, v in a.aliases.items() if b.aliases.get(k) != v}
            came = {k: v for k, v in b.aliases.items() if a.aliases.get(k) != v}
            out.append(Change("vocabulary", CHANGED, name, "aliases", gone or None, came or None))
    return out


def _sources(old: Policy, new: Policy) -> list[Change]:
    out = []
    for key in dict.fromkeys([*old.sources, *new.sources]):
        a, b = old.sources.get(key), new.sources.get(key)
        if a != b:
            action = ADDED if a is None else REMOVED if b is None else CHANGED
            out.append(Change("source", action, key, old=attrs.asdict(a) if a else None,
                              new=attrs.asdict(b) if b else None))
    return out


def _routes(old: Policy, new: Policy) -> list[Change]:
    out = []
    if old.levels != new.levels:
        out.append(Change("policy", CHANGED, "levels", "levels", list(old.levels), list(new.levels)))
    for name in dict.fromkeys([*old.routes, *new.routes]):
        a, b = old.routes.get(name), new.routes.get(name)
        if a is None or b is None:
            out.append(Change("route", ADDED if a is None else REMOVED, name,
                              old=list(a.levels) if a else None, new=list(b.levels) if b else None))
        elif a.levels != b.levels:
            out.append(Change("route", CHANGED, name, "levels", list(a.levels), list(b.levels)))
    return out


def _periods(old: Policy, new: Policy) -> list[Change]:
    a, b = [period_text(p) for p in periods(old)], [period_text(p) for p in periods(new)]
    out = []
    if old.coverage != new.coverage:
        out.append(Change("policy", CHANGED, "coverage", "period", period_text(old.coverage),
                          period_text(new.coverage)))
    if a != b:
        out.append(Change("period", CHANGED, "periods", "cuts", a, b))
    return out

