"""What changed between two loaded policies, semantically: rules, table cells and rows, fields,
vocabularies, sources, routes and the periods the policy is cut into.

Rules are matched by id, tables and fields by name, table rows by key and then by period; a
condition or derivation that changed is shown in words, old and new.
"""

from __future__ import annotations

import attrs

from ..book._collect import periods
from ..book._words import Writer, condition, derivation
from ..policy import Policy
from ._change import ADDED, CHANGED, REMOVED, Change, cite, paired, period_text
from ._tables import table_changes


def _words(policy: Policy, render, node) -> dict[str, str] | None:
    if node is None:
        return None
    w = Writer(policy)
    return {"id": render(node, w, 0), "en": render(node, w, 1)}


def policy_changes(old: Policy, new: Policy) -> list[Change]:
    """Every semantic difference from ``old`` to ``new``, rules first, then tables, fields,
    vocabularies, sources, routes and periods."""
    return [*_rules(old, new), *table_changes(old, new), *_fields(old, new), *_vocabularies(old, new),
            *_sources(old, new), *_routes(old, new), *_settings(old, new), *_properties(old, new),
            *_periods(old, new)]


def _rules(old: Policy, new: Policy) -> list[Change]:
    """Rules matched by id, then the dated versions of one id by period (equal periods first, then
    in order), as table rows are: a second version of a rule is a rule of its own."""
    out = []
    for rid in dict.fromkeys([*(r.id for r in old.rules), *(r.id for r in new.rules)]):
        left, right = [r for r in old.rules if r.id == rid], [r for r in new.rules if r.id == rid]
        dated = len(left) > 1 or len(right) > 1
        pairs = paired(left, right)

        def name(rule) -> str:
            return f"{rid} ({period_text(rule.period)})" if dated else rid

        for rule in right:
            out.append(Change("rule", ADDED, name(rule), new=_words(new, condition, rule.condition),
                              new_citation=cite(new, rule.citation)))
        for rule in left:
            out.append(Change("rule", REMOVED, name(rule), old=_words(old, condition, rule.condition),
                              old_citation=cite(old, rule.citation)))
        for rule, other in pairs:
            out += _rule_changes(old, new, rule, other, name(other))
    return out


def _rule_changes(old: Policy, new: Policy, rule, other, rid: str) -> list[Change]:
    out = []
    cites = {"old_citation": cite(old, rule.citation), "new_citation": cite(new, other.citation)}
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


def _properties(old: Policy, new: Policy) -> list[Change]:
    """The invariants ``formasi check`` holds the policy to, by id."""
    a, b = {p.id: p for p in old.properties}, {p.id: p for p in new.properties}

    def said(policy: Policy, prop) -> dict[str, str]:
        when = _words(policy, condition, prop.rule.condition)
        verb = ("never", "tidak pernah") if prop.never else ("always", "selalu")
        target = f"{prop.route}/{prop.level} {prop.outcome}"
        return {"id": f"{when['id']}: {verb[1]} {target}", "en": f"{when['en']}: {verb[0]} {target}"}

    out = []
    for pid in dict.fromkeys([*a, *b]):
        p, q = a.get(pid), b.get(pid)
        if p is None or q is None:
            out.append(Change("property", ADDED if p is None else REMOVED, pid,
                              old=said(old, p) if p else None, new=said(new, q) if q else None))
        elif (p.never, p.outcome, p.rule.condition, p.rule.routes, p.rule.levels) != \
                (q.never, q.outcome, q.rule.condition, q.rule.routes, q.rule.levels):
            out.append(Change("property", CHANGED, pid, "statement", said(old, p), said(new, q)))
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
        for part in ("type", "default", "per_level", "decimals"):
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


def _settings(old: Policy, new: Policy) -> list[Change]:
    """What policy.yaml says beyond routes and levels: the position records are matched against,
    which route goes first, who gets a place first, which tables the formation reads."""
    out = []
    a, b = old.position, new.position
    for part in ("name", "type", "aliases"):
        va, vb = getattr(a, part, None), getattr(b, part, None)
        if va != vb:
            out.append(Change("policy", CHANGED, "position", part, list(va) if isinstance(va, tuple) else va,
                              list(vb) if isinstance(vb, tuple) else vb))
    if old.precedence != new.precedence:
        out.append(Change("policy", CHANGED, "precedence", "order", list(old.precedence), list(new.precedence)))
    a, b = old.allocation, new.allocation
    for part in ("routes", "order_by", "note"):
        va, vb = getattr(a, part, None), getattr(b, part, None)
        if va != vb:
            show = (lambda v: [f"{f} {'descending' if d else 'ascending'}" for f, d in v] if part == "order_by"
                    else list(v) if isinstance(v, tuple) else v)
            out.append(Change("policy", CHANGED, "allocation", part, show(va) if va is not None else None,
                              show(vb) if vb is not None else None))
    if a is not None and b is not None and cite(old, a.citation) != cite(new, b.citation):
        out.append(Change("policy", CHANGED, "allocation", "citation", old_citation=cite(old, a.citation),
                          new_citation=cite(new, b.citation)))
    if old.formation != new.formation:
        out.append(Change("policy", CHANGED, "formation", "tables",
                          attrs.asdict(old.formation) if old.formation else None,
                          attrs.asdict(new.formation) if new.formation else None))
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

