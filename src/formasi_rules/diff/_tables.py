"""Table changes: tables added or removed, their key, columns and citation, and row by row
(matched by key, then by period) each cell old -> new with the citations of both versions."""

from __future__ import annotations

from ..policy import Period, Policy
from ._change import ADDED, CHANGED, REMOVED, Change, cite, paired, period_text


def table_changes(old: Policy, new: Policy) -> list[Change]:
    out = []
    for name, table in new.tables.items():
        if name not in old.tables:
            out.append(Change("table", ADDED, name, new=f"{len(table.rows)} row(s)",
                              new_citation=cite(new, table.citation)))
    for name, table in old.tables.items():
        if name not in new.tables:
            out.append(Change("table", REMOVED, name, old=f"{len(table.rows)} row(s)",
                              old_citation=cite(old, table.citation)))
            continue
        other = new.tables[name]
        for part in ("key", "columns", "note"):
            if getattr(table, part) != getattr(other, part):
                out.append(Change("table", CHANGED, name, part, getattr(table, part), getattr(other, part)))
        if cite(old, table.citation) != cite(new, other.citation):
            out.append(Change("table", CHANGED, name, "citation", old_citation=cite(old, table.citation),
                              new_citation=cite(new, other.citation)))
        out += _rows(old, new, table, other)
    return out


def _rows(old: Policy, new: Policy, table, other) -> list[Change]:
    """Rows matched by key, then by period (equal periods first, then in order)."""
    out = []
    keys = list(dict.fromkeys([r.key for r in table.rows] + [r.key for r in other.rows]))
    for key in keys:
        left = [r for r in table.rows if r.key == key]
        right = [r for r in other.rows if r.key == key]
        pairs = paired(left, right)
        base = f"{table.name}[{key}]" if key is not None else table.name
        for row in left:
            out.append(Change("row", REMOVED, f"{base} {period_text(row.period)}", old=dict(row.values),
                              old_citation=cite(old, row.citation or table.citation)))
        for row in right:
            out.append(Change("row", ADDED, f"{base} {period_text(row.period)}", new=dict(row.values),
                              new_citation=cite(new, row.citation or other.citation)))
        dated = len(pairs) > 1 or any(r.period != Period() for pair in pairs for r in pair)
        for a, b in pairs:
            cites = {"old_citation": cite(old, a.citation or table.citation),
                     "new_citation": cite(new, b.citation or other.citation)}
            where = f" ({period_text(b.period)})" if dated else ""
            if a.period != b.period:
                out.append(Change("row", CHANGED, base, "period", period_text(a.period), period_text(b.period), **cites))
            for column in dict.fromkeys([*a.values, *b.values]):
                va, vb = a.values.get(column), b.values.get(column)
                if va != vb:
                    out.append(Change("cell", CHANGED, f"{base}.{column}{where}", "value", va, vb, **cites))
            if a.note != b.note:
                out.append(Change("row", CHANGED, base + where, "note", a.note, b.note))
            if cites["old_citation"] != cites["new_citation"]:
                out.append(Change("row", CHANGED, base + where, "citation", **cites))
    return out
