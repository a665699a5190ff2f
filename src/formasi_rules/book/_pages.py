"""The pages of the book, in order, and what each one is found by in the search index."""

from __future__ import annotations

from typing import Any

from ..policy import Period
from . import _collect as c
from ._links import url as url_path


def write_pages(site: Any) -> None:
    p = site.policy
    targets = c.targets(p)
    used_by = _fields_used_by(p)
    counts = {t: len(c.requirements(p, *t)[-1][1]) for t in targets}
    site.page("index.html", "index.html", p.title.id, targets=counts)
    for route, level in targets:
        name = f"{route}.{level}"
        route_title = p.routes[route].title
        level_title = _level_title(p, level)
        site.page(url_path("target", name), "target.html", f"{route_title.id} — {level_title.id}",
                  route=p.routes[route], level=level, level_title=level_title,
                  periods=c.requirements(p, route, level),
                  cases=[k for k in site.cases if f"{route}/{level}" in k.asserts])
        site.find("target", name, f"{route_title.id} · {level_title.id}", f"{route_title.en} {level_title.en}")
    for rule in p.rules:
        biting, checking = site.cases_for_rule(rule)
        site.page(url_path("rule", rule.id), "rule.html", rule.title.id, rule=rule,
                  tables=list(dict.fromkeys(r.table for r in c.table_refs(rule.condition) + c.table_refs(rule.then))),
                  fields=c.fields_read(rule.condition) + [f for f in c.fields_read(rule.then)
                                                          if f not in c.fields_read(rule.condition)],
                  cells=_per_level(p, rule), biting=biting, checking=checking)
        site.find("rule", rule.id, f"{rule.title.id}", f"{rule.id} {rule.title.en} {rule.note or ''}")
    for name, field in p.fields.items():
        site.page(url_path("field", name), "field.html", name, field=field, name=name,
                  rules=used_by["rules"].get(name, []), fields=used_by["fields"].get(name, []))
        site.find("field", name, f"{name} — {field.title.id}", f"{field.title.en} {field.note or ''}")
    for name, table in p.tables.items():
        site.page(url_path("table", name), "table.html", table.title.id, table=table,
                  rules=[r for r in p.rules if name in {t.table for t in c.table_refs(r.condition) + c.table_refs(r.then)}],
                  fields=used_by["tables"].get(name, []))
        site.find("table", name, f"{table.title.id}", f"{name} {table.title.en} {table.note or ''}")
    site.page("vocabularies.html", "vocabularies.html", "Kosakata / Vocabularies")
    for name, vocab in p.vocabularies.items():
        site.find("vocabulary", name, f"{vocab.title.id} ({name})", f"{vocab.title.en} {' '.join(vocab.values)}")
    site.page("sources.html", "sources.html", "Sumber hukum / Sources")
    for key, source in p.sources.items():
        site.find("source", key, source.title, source.note or "")
    site.page("cases.html", "cases.html", "Kasus uji / Test cases", cases=site.cases,
              rule_ids={r.id for r in p.rules})
    for case in site.cases:
        site.find("case", str(case.index), case.name, " ".join(case.asserts))


def _level_title(p, level: str):
    vocab = p.vocabularies.get("level")
    from .._text import Text
    return vocab.titles.get(level, Text(level, level)) if vocab else Text(level, level)


def _per_level(p, rule) -> tuple[list, list[tuple[str, list]]]:
    """The table cells the rule reads, and per level of the rule and period their values."""
    refs = list(dict.fromkeys(c.table_refs(rule.condition) + c.table_refs(rule.then)))
    if not refs:
        return [], []
    out = []
    levels = [lv for lv in p.levels if lv in rule.levels] or [None]
    for level in levels:
        rows = []
        for period in c.periods(p):
            day = c.day_of(period)
            if not rule.period.contains(day):
                continue
            cells = {r: (lambda row, r=r: None if row is None else row.values.get(r.column))(
                c.row_for(p, r, level, day)) for r in refs}
            if rows and rows[-1][1] == cells:  # the same values: one period, not two rows
                rows[-1] = (Period(rows[-1][0].valid_from, period.valid_to), cells)
            else:
                rows.append((period, cells))
        out.append((level, rows))
    return refs, [(level, rows) for level, rows in out if rows]


def _fields_used_by(p) -> dict[str, dict[str, list[str]]]:
    """Which rules and derived fields read each field, and which fields read each table."""
    from ..policy import _derivations as d
    rules: dict[str, list[str]] = {}
    for rule in p.rules:
        for f in c.fields_read(rule.condition) + c.fields_read(rule.then):
            rules.setdefault(f, [])
            if rule.id not in rules[f]:
                rules[f].append(rule.id)
    fields: dict[str, list[str]] = {}
    tables: dict[str, list[str]] = {}

    def walk(node, owner):
        if isinstance(node, d.Ref) and node.name in p.fields:
            fields.setdefault(node.name, []).append(owner)
        if isinstance(node, d.Lookup):
            tables.setdefault(node.table, []).append(owner)
        if isinstance(node, d.Cases):
            for cond, _ in node.branches:
                for f in c.fields_read(cond):
                    fields.setdefault(f, []).append(owner)
        if hasattr(node, "__attrs_attrs__"):
            for a in node.__attrs_attrs__:
                walk(getattr(node, a.name), owner)
        elif isinstance(node, tuple):
            for item in node:
                walk(item, owner)

    for name, field in p.fields.items():
        if field.derive is not None:
            walk(field.derive, name)
    dedup = lambda m: {k: list(dict.fromkeys(v)) for k, v in m.items()}  # noqa: E731
    return {"rules": rules, "fields": dedup(fields), "tables": dedup(tables)}
