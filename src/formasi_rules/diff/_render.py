"""A policy diff as text (for a terminal or an e-mail), JSON (for other systems) and one
self-contained HTML page (for a minister's briefing)."""

from __future__ import annotations

import json
from typing import Any

import attrs
import jinja2
from markupsafe import Markup

from ..book._words import plain
from ..policy import Policy
from ._change import Change, jsonable
from ._impact import Impact

FORMATS = ("text", "json", "html")
MARK = {"added": "+", "removed": "-", "changed": "~"}


@attrs.frozen
class PolicyDiff:
    """Two policies, what changed between them, and (when data was given) the impact."""

    old: Policy
    new: Policy
    changes: tuple[Change, ...]
    impact: Impact | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"old": self.old.identity(), "new": self.new.identity(),
                               "changes": [c.to_dict() for c in self.changes]}
        if self.impact is not None:
            out["impact"] = self.impact.to_dict()
        return out


def show(value: Any) -> str:
    """A changed value on one line: words in Indonesian / English, a cell's value, a list."""
    if isinstance(value, dict) and set(value) == {"id", "en"}:
        return f"{value['id']}  /  {value['en']}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {plain(jsonable(v))}" for k, v in value.items())
    return plain(value)


def cite(c: dict[str, Any] | None) -> str:
    if not c:
        return "—"
    text = c["title"] + (f", {c['article']}" if c.get("article") else "")
    return text + (f" [{c['confidence']}]" if c.get("confidence") else "")


def to_text(d: PolicyDiff) -> str:
    lines = [f"formasi diff: {_name(d.old)} → {_name(d.new)}", "",
             f"Perubahan kebijakan / Policy changes: {len(d.changes)}"]
    if not d.changes:
        lines.append("  tidak ada / none")
    for c in d.changes:
        what = f" ({c.what})" if c.what and c.what != "value" else ""
        head = f"  {MARK[c.action]} {c.kind} {c.name}{what}"
        if c.action == "changed" and c.old is not None and c.new is not None and c.kind == "cell":
            lines.append(f"{head}: {show(c.old)} → {show(c.new)}")
        else:
            lines.append(head)
            if c.old is not None:
                lines.append(f"      lama / old: {show(c.old)}")
            if c.new is not None:
                lines.append(f"      baru / new: {show(c.new)}")
        if c.old_citation or c.new_citation:
            if c.old_citation == c.new_citation:
                lines.append(f"      dasar / citation: {cite(c.new_citation)}")
            else:
                lines.append(f"      dasar lama / old citation: {cite(c.old_citation)}")
                lines.append(f"      dasar baru / new citation: {cite(c.new_citation)}")
    if d.impact is not None:
        lines += ["", *_impact_text(d.impact)]
    return "\n".join(lines) + "\n"


def _name(p: Policy) -> str:
    return f"{p.name} {p.version} ({p.root}, {p.digest[:19]})"


def _impact_text(im: Impact) -> list[str]:
    people = len({f.candidate for f in im.flips})
    lines = [f"Dampak / Impact on {im.candidates} candidate(s) as of {im.as_of}: "
             f"{len(im.flips)} keputusan berubah / decision(s) change, for {people} candidate(s)",
             f"  menjadi memenuhi syarat / become eligible: {im.gains}; "
             f"tidak lagi memenuhi syarat / no longer eligible: {im.losses}"]
    for row in im.counts():
        lines.append(f"  {row['route']}/{row['level']}: {row['old']} → {row['new']}: {row['count']}  "
                     f"({', '.join(row['candidates'])})")
    for f in im.flips:
        lines.append(f"  {f.candidate} {f.route}/{f.level}: {f.old} → {f.new}")
        for s in f.rules:
            lines.append(f"      {s.rule}: {s.old} → {s.new}")
            if s.old_message:
                lines.append(f"        lama / old: {s.old_message['en']}")
            if s.new_message:
                lines.append(f"        baru / new: {s.new_message['en']}")
        if f.still:
            lines.append("      tetap / unchanged: " + ", ".join(f"{r} {state}" for r, state in f.still))
    if im.masked:
        lines.append(f"  Aturan berubah tanpa mengubah keputusan / a rule's verdict moved but the decision "
                     f"did not ({len(im.masked)}):")
    for f in im.masked:
        moved = ", ".join(f"{s.rule} {s.old} → {s.new}" for s in f.rules)
        still = ", ".join(f"{r} {state}" for r, state in f.still)
        lines.append(f"  {f.candidate} {f.route}/{f.level}: {f.new}; {moved}" + (f"; still: {still}" if still else ""))
    for r in im.rejected:
        lines.append(f"  ditolak / rejected: {r}")
    if im.need:
        total = (sum(n.old_need or 0 for n in im.need), sum(n.new_need or 0 for n in im.need))
        changed = [n for n in im.need if n.changed]
        lines += ["", f"Kebutuhan / Need per region and level: total {total[0]} → {total[1]}; "
                      f"{len(changed)} of {len(im.need)} row(s) change (* marks them)"]
        width = max(len(n.region) for n in im.need)
        lines.append(f"    {'region':<{width}}  {'level':<14} {'need':>11} {'existing':>9} {'gap':>11}")
        for n in im.need:
            row = n.to_dict()
            lines.append(f"  {'*' if n.changed else ' '} {n.region:<{width}}  {n.level:<14} "
                         f"{_arrow(row['old_need'], row['new_need']):>11} {n.existing:>9} "
                         f"{_arrow(row['old_gap'], row['new_gap']):>11}")
    return lines


def _arrow(a: Any, b: Any) -> str:
    a, b = plain(a), plain(b)
    return a if a == b else f"{a} → {b}"


def to_json(d: PolicyDiff) -> str:
    return json.dumps(d.to_dict(), indent=2, ensure_ascii=False) + "\n"


def to_html(d: PolicyDiff, *, book: str | None = None) -> str:
    """The diff as one page; with ``book`` (the address of the new policy's ``formasi book``),
    every rule id links to its page there."""
    from ..book import url

    def rule(rule_id: str) -> Markup:
        code = Markup("<code>{}</code>").format(rule_id)
        if not book:
            return code
        return Markup('<a href="{}">{}</a>').format(book.rstrip("/") + "/" + url("rule", rule_id), code)

    env = jinja2.Environment(loader=jinja2.PackageLoader("formasi_rules.diff", "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    return env.get_template("diff.html").render(d=d, show=show, cite=cite, mark=MARK, arrow=_arrow, rule=rule,
                                                im=d.impact, people=len({f.candidate for f in d.impact.flips})
                                                if d.impact else 0)
