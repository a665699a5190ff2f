"""Small helpers that read YAML nodes and record a Problem instead of raising.

The loader walks every file with one :class:`Reader`; each helper returns the
value or ``None`` and records what was wrong, so one load reports every
problem in every file at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from .._dates import date_hint, iso_date
from .._errors import Problem, suggest
from .._text import Text
from ._model import Where
from ._yaml import decimal_comma, misindented, where

_MISSING = object()

TEXT_KEYS = ("id", "en")
CITATION_KEYS = ("source", "article", "confidence", "note")
# What a key may hold, for :meth:`Reader.keys` to tell a key indented too little: its name as a reader
# says it (English, Indonesian) and the keys a mapping under it (or an item of a list under it) may have.
Deeper = Mapping[str, tuple[str, str, tuple[str, ...]]]
TEXT_DEEPER = ("title", "judul", TEXT_KEYS)
CITATION_DEEPER = ("citation", "rujukan", CITATION_KEYS)


class Reader:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.rule: str | None = None  # the rule being read, named in every problem

    def at(self, node: Any, key: Any = None) -> Where:
        line, col = where(node, key)
        return Where(self.file, line, col)

    def problem(self, code: str, id_: str, en: str, node: Any = None, key: Any = None,
                hint: str | None = None) -> None:
        line, col = where(node, key) if node is not None else (None, None)
        self.problems.append(Problem(code, id_, en, file=self.file, line=line, column=col,
                                     rule=self.rule, hint=hint))

    # --- shapes ---------------------------------------------------------------------------

    def mapping(self, node: Any, key: Any, what: str) -> dict | None:
        value = node[key] if key is not None else node
        if isinstance(value, dict):
            return value
        self.problem("P010", f"{what} harus berupa pemetaan 'kunci: nilai'",
                     f"{what} must be a mapping of 'key: value' pairs, got {_kind(value)}",
                     node, key)
        return None

    def document(self, doc: Any, top: str) -> dict | None:
        """A whole file, which is a mapping under ``top:`` (``rules:``, ``tables:``, ``fields:`` or the
        keys of policy.yaml); an empty file, or a list with no ``top:`` above it, is said as such."""
        if isinstance(doc, dict):
            return doc
        example = f"'{top}:'" if top != "policy" else "'policy: NAME', 'version:', 'title:', 'valid_from:'"
        if doc is None:
            drop_en, drop_id = (", or delete the file", ", atau hapus berkas ini") if top != "policy" else ("", "")
            self.problem("P010", "berkas kosong (atau hanya berisi komentar)",
                         "the file is empty (or holds only comments)",
                         hint=f"start it with {example} and what follows it{drop_en} / "
                              f"awali dengan {example} beserta isinya{drop_id}")
        elif isinstance(doc, list):
            self.problem("P010", f"berkas berisi daftar tanpa {example} di atasnya",
                         f"the file holds a list with no {example} above it",
                         hint=f"write {example} on the first line and indent the list under it / "
                              f"tulis {example} di baris pertama dan indentasikan daftar di bawahnya")
        else:
            self.problem("P010", f"berkas harus berupa pemetaan yang diawali {example}",
                         f"the file must be a mapping that starts with {example}, got {_kind(doc)}",
                         hint=f"start it with {example} / awali dengan {example}")
        return None

    def sequence(self, node: Any, key: Any, what: str) -> list | None:
        value = node[key]
        if isinstance(value, list):
            return value
        self.problem("P011", f"{what} harus berupa daftar (baris diawali '- ')",
                     f"{what} must be a list (lines starting with '- '), got {_kind(value)}",
                     node, key)
        return None

    def keys(self, node: dict, required: tuple[str, ...], optional: tuple[str, ...],
             what: str, deeper: Deeper | None = None, shapes: Mapping[str, str] | None = None) -> bool:
        """Whether ``node`` has every required key and no other than the optional ones. ``deeper``
        names, for a key of ``node``, the keys of the mapping (or list of mappings) under it: an
        unknown key that would be one of them is said to be indented too little. ``shapes`` gives,
        for a required key, the hint that shows how to write it when it is missing."""
        ok = True
        allowed = required + optional
        for key in node:
            if key not in allowed:
                ok = False
                self.problem("P012", f"kunci tidak dikenal {key!r} di {what}",
                             f"unknown key {key!r} in {what}; expected one of: {', '.join(allowed)}",
                             node, key, hint=comma_hint(node, key) or _indented_out(node, key, allowed, deeper)
                             or suggest(key, allowed))
        for key in required:
            if key not in node:
                ok = False
                self.problem("P013", f"kunci wajib {key!r} tidak ada di {what}",
                             f"required key {key!r} is missing in {what}", node,
                             hint=_indented_in(node, key) or (shapes or {}).get(key))
        return ok

    # --- scalars --------------------------------------------------------------------------

    def string(self, node: Any, key: Any, what: str, pattern: str | None = None) -> str | None:
        value = node[key]
        if not isinstance(value, str) or not value.strip():
            self.problem("P014", f"{what} harus berupa teks", f"{what} must be text, got {_kind(value)}",
                         node, key)
            return None
        if pattern and not re.fullmatch(pattern, value):
            self.problem("P015", f"{what} {value!r} tidak sesuai pola {pattern}",
                         f"{what} {value!r} does not match the pattern {pattern}", node, key,
                         hint="use lower-case letters, digits, '_', '.' and '-' / pakai huruf kecil, angka, '_', "
                              "'.' dan '-'")
            return None
        return str(value)

    def text(self, node: Any, key: Any, what: str) -> Text | None:
        """A message given as plain text (used for both languages) or as {id: ..., en: ...}."""
        value = node[key]
        if isinstance(value, str) and value.strip():
            return Text(str(value), str(value))
        if isinstance(value, dict):
            if self.keys(value, ("id", "en"), (), what):
                id_ = self.string(value, "id", f"{what}.id")
                en = self.string(value, "en", f"{what}.en")
                if id_ and en:
                    return Text(id_, en)
            return None
        self.problem("P016", f"{what} harus berupa teks atau {{id: ..., en: ...}}",
                     f"{what} must be text or {{id: ..., en: ...}}, got {_kind(value)}", node, key,
                     hint="write one text, or the two languages: {id: Usia paling tinggi, en: Maximum age} / "
                          "tulis satu teks, atau kedua bahasa: {id: ..., en: ...}")
        return None

    def date(self, node: Any, key: Any, what: str) -> dt.date | None:
        value = node[key]
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return iso_date(value)
            except ValueError:
                pass
        self.problem("P017", f"{what} harus tanggal seperti 2023-01-12, bukan {value!r}",
                     f"{what} must be a date like 2023-01-12, got {value!r}", node, key,
                     hint=(date_hint(value) if isinstance(value, str) else None)
                     or "write it as year-month-day, 2023-01-12, without quotes / tulis sebagai tahun-bulan-tanggal, "
                        "2023-01-12, tanpa tanda kutip")
        return None

    def choice(self, node: Any, key: Any, what: str, choices: tuple[str, ...]) -> str | None:
        value = node[key]
        if isinstance(value, str) and value in choices:
            return value
        self.problem("P019", f"{what} {value!r} tidak dikenal; pilihan: {', '.join(choices)}",
                     f"{what} {value!r} is not known; expected one of: {', '.join(choices)}",
                     node, key, hint=suggest(value, choices))
        return None

    def choices(self, node: Any, key: Any, what: str, choices: tuple[str, ...],
                allow_all: bool = True) -> tuple[str, ...] | None:
        """A list of choices, or the word ``all``."""
        value = node[key]
        if allow_all and value == "all":
            return choices
        if not isinstance(value, list) or not value:
            self.problem("P011", f"{what} harus berupa daftar atau 'all'",
                         f"{what} must be a non-empty list or 'all', got {_kind(value)}", node, key)
            return None
        picked = [self.choice(value, i, what, choices) for i in range(len(value))]
        if None in picked:
            return None
        for i, item in enumerate(picked):
            if item in picked[:i]:  # said, not merged: in an order (precedence) the later place would count
                self.problem("P011", f"{item!r} disebut dua kali dalam {what}", f"{what} lists {item!r} twice",
                             value, i, hint="list each once / sebut masing-masing sekali")
                return None
        return tuple(picked)


def period_hint(start: dt.date, end: dt.date) -> str:
    """The hint for a valid_to before its valid_from (P023), in both languages."""
    return (f"valid_from is the first day in force and valid_to the last (inclusive): swap them if they were "
            f"written the wrong way round (valid_from: {end}, valid_to: {start}), or correct the one that is wrong / "
            f"valid_from adalah hari pertama berlaku dan valid_to hari terakhir (termasuk): tukar keduanya bila "
            f"tertukar (valid_from: {end}, valid_to: {start}), atau perbaiki yang salah")


BOOLEAN_HINT = "write true or false, without quotes / tulis true atau false, tanpa tanda kutip"


def citation_shape(source: str, article: str | None) -> str:
    """The hint for a missing ``citation:``: a citation written out as the policy language has it
    (docs/policy-language.md), with a source of the policy itself and an article it is cited by."""
    article = article or "Pasal 1"
    if re.search(r"[:,#{}\[\]\"']|^[\s&*!|>%@`-]|\s$", article):
        article = '"' + article.replace("\\", "\\\\").replace('"', '\\"') + '"'
    example = f"citation: {{source: {source}, article: {article}}}"
    return (f"add it beside the other keys, for example '{example}': source is a key under 'sources:' of "
            "policy.yaml, article the pasal and ayat it comes from, and 'confidence: P' (P, S, C or I) may follow / "
            f"tambahkan di samping kunci lainnya, misalnya '{example}': source adalah kunci di bawah 'sources:' "
            "policy.yaml, article pasal dan ayat asalnya, dan boleh ditambah 'confidence: P' (P, S, C atau I)")


def _indented_in(node: dict, key: str) -> str | None:
    """Where a missing key was written one level too deep: indented like the lines of the mapping
    above it (``routes:`` under ``title:``), it became a key of that mapping. The other way round
    is :func:`_indented_out`."""
    for parent, value in node.items():
        if isinstance(value, dict) and key in value:
            line, _ = where(value, key)
            return misindented(key, line, (f"of {parent!r}", f"{parent!r}"), None,
                               (f"move it left, to the column of {parent!r}", f"geser ke kiri, ke kolom {parent!r}"))
    return None


def _indented_out(node: dict, key: Any, allowed: tuple[str, ...], deeper: Deeper | None) -> str | None:
    """Where an unknown key was written one level too little: at the column of the key above it
    (``citation:`` of a rule at the column of ``rules:``), it left the mapping above it (the rule,
    the last item of the list under ``rules:``) for the one that holds it. Said when the key is one
    that mapping may have and does not: the other way round is :func:`_indented_in`."""
    if not deeper or not isinstance(key, str):
        return None
    before = list(node)[:list(node).index(key)]
    above = next((k for k in reversed(before) if k in allowed), None)  # keys moved out with it are skipped
    if above not in deeper:
        return None
    name_en, name_id, known = deeper[above]
    value = node[above]
    if isinstance(value, list) and value and isinstance(value[-1], dict):
        inner = value[-1]
        ident = inner.get("id")
        meant = ((f"{name_en} {ident!r} above it", f"{name_id} {ident!r} di atasnya") if isinstance(ident, str) else
                 (f"the last {name_en} of {above!r} above it", f"{name_id} terakhir {above!r} di atasnya"))
    elif isinstance(value, dict):
        inner = value
        meant = (f"{above!r} above it", f"{above!r} di atasnya")
    else:
        return None
    if key not in known or key in inner or not inner:
        return None
    line, column = where(node, key)
    last = list(inner)[-1]
    if getattr(inner, "fa", None) is not None and inner.fa.flow_style():  # {source: ..}: no column to move to
        return misindented(key, line, (f"beside {above!r}", f"di samping {above!r}"), meant,
                           (f"write it inside the {{ }} above, after {last!r}: '{last}: ..., {key}: ...'",
                            f"tulis di dalam {{ }} di atasnya, setelah {last!r}: '{last}: ..., {key}: ...'"))
    _, inner_column = where(inner, last)
    by = (f" by {inner_column - column} more spaces", f" {inner_column - column}") \
        if column and inner_column and inner_column > column else ("", "")
    return misindented(key, line, (f"beside {above!r}", f"di samping {above!r}"), meant,
                       (f"indent it{by[0]}, to the column of {last!r}",
                        f"terlalu ke kiri: tambahkan{by[1]} spasi di depannya, ke kolom {last!r}"))


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if value is None:
        return "nothing (empty)"
    return f"{type(value).__name__} {value!r}"


# how a rule compares two fields, which it cannot do with {field: NAME} (P036, P061)
TWO_FIELDS = ("to compare two fields, derive one value from both in fields/ (derive: {subtract: [A, B]}) and test "
              "that field / untuk membandingkan dua field, turunkan satu nilai dari keduanya di fields/ (derive: "
              "{subtract: [A, B]}) lalu uji field itu")


def comma_hint(node: Any, key: Any) -> str | None:
    """The hint for a key that is the digits after a decimal comma (:func:`_yaml.decimal_comma`)."""
    meant = decimal_comma(node, key)
    if meant is None:
        return None
    return (f"this looks like a decimal comma: write {meant}, with a point / "
            f"tampaknya koma desimal: tulis {meant}, dengan titik")
