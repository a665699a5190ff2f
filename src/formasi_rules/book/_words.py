"""Conditions and derivations in words, in Bahasa Indonesia and English.

Everything is rendered through a :class:`Writer`, which decides how a field name, a table
cell and a literal look: plain text (for the diff's text output) or HTML with links (the
book). Names come from the loaded policy; nothing here knows a position.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable

from markupsafe import Markup, escape

from ..policy import All, AnyOf, FieldValue, Literal, Not, Policy, TableRef, Test, ThisLevel
from ..policy import _derivations as d

OPS = {"equals": ("sama dengan", "equals"), "not_equals": ("tidak sama dengan", "is not"),
       "in": ("salah satu dari", "one of"), "not_in": ("bukan salah satu dari", "none of"),
       "at_least": ("paling rendah", "at least"), "at_most": ("paling tinggi", "at most"),
       "above": ("di atas", "above"), "below": ("di bawah", "below")}
ARITH = {"add": ("jumlah", "sum of"), "subtract": ("selisih", "difference of"),
         "multiply": ("hasil kali", "product of"), "divide": ("hasil bagi", "quotient of"),
         "min": ("terkecil dari", "least of"), "max": ("terbesar dari", "greatest of")}
TAKE = {"min": ("terendah", "lowest"), "max": ("tertinggi", "highest"), "sum": ("jumlah", "sum"),
        "count": ("banyaknya", "count")}
ROUND = {"half_up": ("dibulatkan", "rounded half up"), "floor": ("dibulatkan ke bawah", "rounded down"),
         "ceil": ("dibulatkan ke atas", "rounded up")}
LANGS = (0, 1)  # 0: Bahasa Indonesia, 1: English


def plain(value: Any) -> str:
    """A value as policy staff write it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "ya/yes" if value else "tidak/no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(plain(v) for v in value) + "]"
    return str(value)


class Writer:
    """How names and values appear. The plain writer gives text; ``html=True`` gives Markup with
    links (``link(kind, name)`` returns the href of a field's or table's page)."""

    def __init__(self, policy: Policy, *, html: bool = False, link: Callable[[str, str], str] | None = None):
        self.policy, self.html, self.link = policy, html, link

    def text(self, s: str) -> str:
        return escape(s) if self.html else s

    def join(self, parts) -> str:
        return Markup("").join(parts) if self.html else "".join(parts)

    def field(self, name: str) -> str:
        if self.html and self.link and name in self.policy.fields:
            return Markup('<a class="field" href="{}"><code>{}</code></a>').format(self.link("field", name), name)
        return Markup("<code>{}</code>").format(name) if self.html else name

    def cell(self, table: str, column: str, value: Any = None, resolved: bool = False) -> str:
        label = f"{table}.{column}"
        if self.html:
            ref = Markup('<a class="cell" href="{}">{}</a>').format(self.link("table", table), label) \
                if self.link else escape(label)
            return Markup("<strong>{}</strong> <span class=ref>({})</span>").format(plain(value), ref) \
                if resolved else ref
        return f"{plain(value)} ({label})" if resolved else label

    def value(self, value: Any, lang: int | None = None) -> str:
        shown = (("tidak", "no")[lang] if value is False else ("ya", "yes")[lang] if value is True else plain(value)) \
            if lang is not None else plain(value)
        return Markup("<strong>{}</strong>").format(shown) if self.html else shown


def condition(cond: Any, w: Writer, lang: int, *, cells: Callable[[TableRef], Any] | None = None) -> str:
    """A condition in one language. ``cells(ref)`` gives a table cell's value where the level and
    date are known (the value is then shown beside the cell it was read from)."""
    if isinstance(cond, (All, AnyOf)):
        glue = (" dan ", " and ") if isinstance(cond, All) else (" atau ", " or ")
        parts = [condition(c, w, lang, cells=cells) for c in cond.items]
        parts = [w.join([w.text("("), p, w.text(")")]) if isinstance(c, (All, AnyOf)) else p
                 for c, p in zip(cond.items, parts)]
        return w.join(_between(parts, w.text(glue[lang])))
    if isinstance(cond, Not):
        return w.join([w.text(("bukan (", "not (")[lang]), condition(cond.item, w, lang, cells=cells), w.text(")")])
    return _test(cond, w, lang, cells)


def _test(test: Test, w: Writer, lang: int, cells) -> str:
    value = test.value
    if isinstance(value, Literal):
        shown = w.value(value.value, lang)
    elif isinstance(value, ThisLevel):
        shown = w.text(("jenjang yang dituju", "the level applied for")[lang])
    elif isinstance(value, FieldValue):
        shown = w.field(value.name)
    else:
        got = cells(value) if cells else None
        shown = w.cell(value.table, value.column, got, resolved=cells is not None)
    return w.join([w.field(test.field), w.text(f" {OPS[test.op][lang]} "), shown])


def _between(parts: list, glue: str) -> list:
    out: list = []
    for i, p in enumerate(parts):
        if i:
            out.append(glue)
        out.append(p)
    return out


def derivation(node: Any, w: Writer, lang: int) -> str:
    """A derivation node in one language: "tahun penuh dari birth_date sampai as_of"."""
    t = w.text
    r = lambda n: derivation(n, w, lang)  # noqa: E731
    if isinstance(node, d.Ref):
        return w.field(node.name)
    if isinstance(node, d.Const):
        return w.value(node.value, lang)
    if isinstance(node, d.Span):
        unit = {"years": ("tahun penuh", "completed years"), "months": ("bulan penuh", "completed months")}[node.unit]
        return w.join([t(f"{unit[lang]} {('dari', 'from')[lang]} "), r(node.start),
                       t(f" {('sampai', 'to')[lang]} "), r(node.end)])
    if isinstance(node, d.Arith):
        return w.join([t(ARITH[node.op][lang] + " ("), *_between([r(i) for i in node.items], t(", ")), t(")")])
    if isinstance(node, d.Round):
        return w.join([r(node.item), t(f", {ROUND[node.mode][lang]} {node.decimals} "
                                       f"{('desimal', 'decimals')[lang]}")])
    if isinstance(node, d.Lookup):
        cell = w.cell(node.table, node.column)
        if node.key is None:
            return w.join([t(("nilai ", "the value ")[lang]), cell])
        return w.join([t(("nilai ", "the value ")[lang]), cell, t((" pada baris ", " in the row of ")[lang]),
                       r(node.key)])
    if isinstance(node, d.HistoryAt):
        step = (("entri sebelum ", "the entry before ")[lang] if node.previous else "")
        same = (f" ({('entri berurutan yang sama', 'consecutive entries equal in')[lang]} "
                f"{', '.join(node.same)} {('digabung', 'joined')[lang]})") if node.same else ""
        return w.join([t(f"{node.value} {('dari', 'of')[lang]} {step}"),
                       t(f"{('riwayat', 'the history')[lang]} {node.history} {('yang berlaku pada', 'in force on')[lang]} "),
                       r(node.on), t(same)])
    if isinstance(node, d.HistoryExists):
        match = ", ".join(f"{k} = {plain(v[0] if len(v) == 1 else list(v))}" for k, v in node.match)
        what = f" {('dengan', 'with')[lang]} {match}" if match else ""
        return w.join([t(f"{('ada entri riwayat', 'an entry of the history')[lang]} {node.history}{what} "
                         f"{('yang dimulai sebelum', 'started before')[lang]} "), r(node.before)])
    if isinstance(node, d.HistoryYear):
        return w.join([t(f"{node.value} {('riwayat', 'of the history')[lang]} {node.history} "
                         f"{('pada tahun', 'for the year')[lang]} "), r(node.year)])
    if isinstance(node, d.OverYears):
        return t(f"{TAKE[node.take][lang]} {node.value} {('riwayat', 'of the history')[lang]} {node.history} "
                 f"{('dalam', 'over the last')[lang]} {node.years} {('tahun terakhir', 'years')[lang]}")
    if isinstance(node, d.SumMonths):
        return w.join([t(("jumlah per tahun kalender dari ", "the sum per calendar year from ")[lang]), r(node.start),
                       t((" sampai ", " to ")[lang]), r(node.end), t(": "), r(node.amount),
                       t((" (months = bulan dalam tahun itu)", " (months = the months of that year)")[lang])])
    if isinstance(node, d.Cases):
        parts = [w.join([t(("bila ", "when ")[lang]), condition(c, w, lang), t(": "), r(v)])
                 for c, v in node.branches]
        tail = r(node.otherwise) if node.otherwise is not None else t(("tidak diketahui", "unknown")[lang])
        return w.join([*_between(parts, t("; ")), t(("; selain itu: ", "; otherwise: ")[lang]), tail])
    if isinstance(node, d.FirstKnown):
        return w.join(_between([r(i) for i in node.items], t((", atau bila tidak diketahui ", ", or where unknown ")[lang])))
    if isinstance(node, d.StartOfYear):
        return w.join([t(("awal tahun dari ", "the start of the year of ")[lang]), r(node.item)])
    if isinstance(node, d.AddMonths):
        return w.join([r(node.date), t(" + "), r(node.months), t((" bulan", " months")[lang])])
    if isinstance(node, d.IsPosition):
        return w.join([r(node.item), t((" menyebut jabatan kebijakan ini", " names this policy's position")[lang])])
    return t(repr(node))


def field_words(policy: Policy, name: str, w: Writer, lang: int) -> str:
    """``age = completed years from birth_date to as_of``; an input field names its record path."""
    f = policy.fields[name]
    if f.derive is not None:
        return w.join([w.field(name), w.text(" = "), derivation(f.derive, w, lang)])
    if f.input:
        return w.join([w.field(name), w.text((" dibaca dari rekaman: ", " read from the record: ")[lang]),
                       w.text(f.input)])
    return w.join([w.field(name), w.text((" disediakan oleh mesin", " provided by the engine")[lang])])
