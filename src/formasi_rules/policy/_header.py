"""Reading one layer's ``policy.yaml``: name, dates, vocabularies, levels, routes, sources and
the settings of formation, allocation and precedence.

Each part is read on its own and returned as data; the loader merges the parts of a chain of
``extends`` (base first) and checks what needs the whole policy.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from .._errors import said, suggest
from .._text import Text
from ._check import BOOLEAN_HINT, CITATION_DEEPER, TEXT_DEEPER, Reader, period_hint
from ._model import AllocationSettings, FormationSettings, Identity, Period, Route, Source
from ._vocabulary import Vocabulary, fold

ID_PATTERN = r"[a-z0-9][a-z0-9_.\-]*"
CONFIDENCE = ("P", "S", "C", "I")
HEADER_KEYS = ("policy", "version", "title", "valid_from")
HEADER_OPTIONAL = ("valid_to", "note", "extends", "abstract", "vocabularies", "levels", "routes", "sources",
                   "formation", "allocation", "position", "precedence")
POSITION_KEYS = ("name", "type", "aliases", "note")
HEADER_DEEPER = {"title": TEXT_DEEPER, "position": ("position", "jabatan", POSITION_KEYS),
                 "allocation": ("allocation", "alokasi", ("routes", "order_by", "citation", "note"))}


def read_header(r: Reader, doc: Any) -> dict | None:
    """The parts of one policy.yaml that are given, each parsed; None if it cannot be read."""
    if r.document(doc, "policy") is None or not r.keys(doc, HEADER_KEYS, HEADER_OPTIONAL, "policy.yaml", HEADER_DEEPER):
        return None
    out: dict[str, Any] = {"name": r.string(doc, "policy", "policy", ID_PATTERN)}
    version = doc["version"]
    if not isinstance(version, (str, int, float)) or isinstance(version, bool):
        r.problem("P014", "version harus berupa teks", "version must be text", doc, "version",
                  hint='write it in quotes: version: "2025.10" / tulis dalam tanda kutip: version: "2025.10"')
    elif isinstance(version, float):  # 2025.10 is the number 2025.1 to YAML: 2025.10 and 2025.1 would be one
        r.problem("P014", f"version {version} dibaca YAML sebagai angka; tulis dalam tanda kutip",
                  f"YAML reads this version as the number {version}, which loses what was written (2025.10 "
                  "and 2025.1 would be one version); write it in quotes", doc, "version",
                  hint='write it in quotes: version: "2025.10" / tulis dalam tanda kutip: version: "2025.10"')
    out["version"] = str(version)
    out["title"] = r.text(doc, "title", "title")
    out["coverage"] = Period(r.date(doc, "valid_from", "valid_from"),
                             r.date(doc, "valid_to", "valid_to") if "valid_to" in doc else None)
    start, end = out["coverage"].valid_from, out["coverage"].valid_to
    if start and end and end < start:
        r.problem("P023", "valid_to lebih awal dari valid_from", f"valid_to {end} is before valid_from {start}",
                  doc, "valid_to", hint=period_hint(start, end))
    if "extends" in doc:
        out["extends"] = r.string(doc, "extends", "extends")
    out["abstract"] = doc.get("abstract", False)
    if not isinstance(out["abstract"], bool):
        r.problem("P024", "abstract harus true atau false", "abstract must be true or false", doc, "abstract",
                  hint=BOOLEAN_HINT)
    if "vocabularies" in doc:
        out["vocabularies"] = read_vocabularies(r, doc)
    for key, reader in (("sources", _sources), ("position", _identity), ("formation", _formation),
                        ("allocation", _allocation)):
        if key in doc:
            out[key] = reader(r, doc)
    for key in ("levels", "routes", "precedence"):
        if key in doc:
            out[key] = doc[key]  # names checked once the vocabularies of every layer are known
    out["doc"] = doc
    return out


def read_vocabularies(r: Reader, doc: Any) -> dict[str, Vocabulary]:
    node = r.mapping(doc, "vocabularies", "vocabularies")
    out: dict[str, Vocabulary] = {}
    for name, spec in (node or {}).items():
        what = f"vocabulary {name!r}"
        if r.mapping(node, name, what) is None or not r.keys(spec, ("values",), ("title", "ordered", "better", "note"), what):
            continue
        title = r.text(spec, "title", "title") if "title" in spec else Text(str(name), str(name))
        ordered = spec.get("ordered", False)
        if not isinstance(ordered, bool):
            r.problem("P024", "ordered harus true atau false", "ordered must be true or false", spec, "ordered",
                      hint=BOOLEAN_HINT)
            # read on as meant: dropping the vocabulary would call every value of it unknown (for the
            # level vocabulary, every level, route and precedence of the policy), burying this problem
            ordered = str(ordered).strip().lower() in ("true", "yes", "ya", "on", "1")
        parts = _values(r, spec, what)
        if parts is None:
            continue
        better = r.choice(spec, "better", "better", ("higher", "lower")) if "better" in spec else None
        values, ranks, aliases, categories, titles, placed = parts
        out[str(name)] = Vocabulary(str(name), title, values, ordered, ranks, aliases, categories, titles,
                                    better=better, placed=placed, listed=isinstance(spec["values"], list))
    return out


class _Values:
    """What a vocabulary's ``values:`` gives, collected value by value."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self.ranks: dict[str, int] = {}
        self.aliases: dict[str, str] = {}
        self.categories: dict[str, str] = {}
        self.titles: dict[str, Text] = {}
        self.spellings: list[tuple[str, str]] = []  # (alias, value) as written, a repeated alias too
        self.placed: list[str] = []  # the values given a rank (Vocabulary.placed)


def _values(r: Reader, spec: Any, what: str) -> tuple | None:
    """(values, ranks, aliases, categories, titles) from a list (in order) or a mapping of each
    value to its rank or to {rank, aliases, category, title}; None when they cannot be read."""
    got = _Values()
    listed = spec["values"]
    if isinstance(listed, list):
        for i, value in enumerate(listed):
            if not isinstance(value, str) or not value.strip():
                r.problem("P025", "nilai kosakata harus teks", f"a value of {what} must be text", listed, i,
                          hint=_AS_TEXT)
                continue
            got.values.append(str(value))
            got.ranks[str(value)] = i + 1
            got.placed.append(str(value))  # a list is an order
    elif isinstance(listed, dict):
        for value, item in listed.items():
            if not isinstance(value, str) or not value.strip():  # `1:`, `true:` would be "1", "True"
                r.problem("P025", "nilai kosakata harus teks", f"a value of {what} must be text", listed, value,
                          hint=_AS_TEXT)
                continue
            _value(r, listed, value, item, what, got)
    else:
        r.problem("P011", f"values {what} harus daftar atau pemetaan",
                  f"the values of {what} must be a list (in order) or a mapping of value to rank", spec, "values")
        return None
    if not got.values:
        r.problem("P027", f"{what} tidak punya nilai", f"{what} has no values", spec, "values",
                  hint="list its values under values:, lowest first: values: [a, b, c] / "
                       "tulis nilai-nilainya di bawah values:, dari yang terendah: values: [a, b, c]")
        return None
    # an alias is read in any capitals and spacing, as records are: one that is another value's
    # spelling, or given to two values, would read a record's word as one of them without a word
    named = {fold(v): v for v in got.values}
    clash = []
    for alias, value in got.spellings:
        other = named.setdefault(fold(alias), value)
        if other != value and alias not in clash:
            clash.append(alias)
    if clash:
        r.problem("P028", f"alias {clash} juga nilai lain atau alias nilai lain",
                  f"alias(es) {clash} of {what} also spell another value (in any capitals), so a record's "
                  "word would be read as one of them", spec, "values", hint="give each spelling to one value / berikan setiap ejaan kepada satu nilai")
    return tuple(got.values), got.ranks, got.aliases, got.categories, got.titles, frozenset(got.placed)


def _value(r: Reader, listed: Any, value: str, item: Any, what: str, got: _Values) -> None:
    got.values.append(value)
    if isinstance(item, bool) or item is None:
        got.ranks[value] = len(got.values)
        return
    if isinstance(item, int):
        got.ranks[value] = item
        got.placed.append(value)
        return
    if not isinstance(item, dict):
        r.problem("P026", f"nilai {value!r}: beri peringkat atau {{rank, aliases, category, title}}",
                  f"value {value!r} of {what}: give its rank, or {{rank, aliases, category, title}}", listed, value,
                  hint=(f"for {item!r} as another spelling of it: {value}: {{aliases: [{item}]}} / bila {item!r} "
                        f"ejaan lain darinya: {value}: {{aliases: [{item}]}}") if isinstance(item, str) else
                  (f"write its rank, {value}: 3, or a mapping, {value}: {{rank: 3, aliases: [...]}} / tulis "
                   f"peringkatnya, {value}: 3, atau pemetaan, {value}: {{rank: 3, aliases: [...]}}"))
        return
    if not r.keys(item, (), ("rank", "aliases", "category", "title"), f"value {value!r} of {what}"):
        return
    rank = item.get("rank", len(got.values))
    if isinstance(rank, bool) or not isinstance(rank, int) or abs(rank) > 10**6:
        r.problem("P020", f"peringkat {value!r} harus bilangan bulat",
                  f"the rank of {value!r} must be a whole number (at most a million)", item, "rank",
                  hint="write the rank in digits, a whole number: rank: 3 / tulis peringkat dengan angka, bilangan "
                       "bulat: rank: 3")
        return
    got.ranks[value] = rank
    if "rank" in item:
        got.placed.append(value)
    for alias in item.get("aliases") or ():
        if not isinstance(alias, str) or not alias.strip():
            r.problem("P025", "alias harus teks", f"an alias of {value!r} must be text", item, "aliases",
                      hint=_AS_TEXT)
        else:
            got.aliases[str(alias)] = value
            got.spellings.append((str(alias), value))
    if "category" in item:
        got.categories[value] = str(item["category"])
    if "title" in item and (title := r.text(item, "title", "title")):
        got.titles[value] = title


_AS_TEXT = ("write it as text, in quotes where YAML would read a number, true/false or null ('1', 'true'), or "
            "take out an empty one / tulis sebagai teks, dalam tanda kutip bila YAML akan membacanya sebagai angka, "
            "true/false atau null ('1', 'true'), atau hapus yang kosong")


def read_levels(r: Reader, doc: Any, level_vocab: Vocabulary | None) -> tuple[str, ...] | None:
    if level_vocab is None:
        r.problem("P029", "kosakata 'level' tidak ada", "no 'level' vocabulary is declared (in this policy or "
                  "the one it extends)", doc, "levels",
                  hint="declare the levels in policy.yaml, lowest first: vocabularies: {level: {ordered: true, "
                       "values: [first, second]}}, or extend a policy that declares them / nyatakan jenjang di "
                       "policy.yaml, dari yang terendah: vocabularies: {level: {ordered: true, values: [pertama, "
                       "kedua]}}, atau extend kebijakan yang menyatakannya")
        return None
    return r.choices(doc, "levels", "levels", level_vocab.values, allow_all=False)


def read_routes(r: Reader, doc: Any, level_values: tuple[str, ...], known: dict[str, Route]) -> dict[str, Route]:
    """Routes of one layer. ``levels: all`` is every level of the position; a route already
    defined by a layer below must say ``replaces: true``."""
    node = r.mapping(doc, "routes", "routes")
    out: dict[str, Route] = {}
    for name, spec in (node or {}).items():
        what = f"route {name!r}"
        if not isinstance(name, str) or not re.fullmatch(ID_PATTERN, name):
            r.problem("P015", f"nama jalur {name!r} tidak sesuai pola", f"route name {name!r} does not match "
                      f"the pattern {ID_PATTERN}", node, name, hint="use lower-case letters, digits, '_', '.' and '-' / "
                      "pakai huruf kecil, angka, '_', '.' dan '-'")
            continue
        if r.mapping(node, name, what) is None or not r.keys(spec, ("title", "levels"), ("note", "replaces"), what):
            continue
        if (name in known) != bool(spec.get("replaces")):
            _replace_problem(r, node, name, "route", name in known)
            continue
        if not spec.get("replaces") and not near_miss(r, node, name, "route", known):
            continue
        title = r.text(spec, "title", "title")
        levels = r.choices(spec, "levels", "levels", level_values)
        if title and levels:
            out[str(name)] = Route(str(name), title, levels)
    return out


def near_miss(r: Reader, node: Any, name: str, kind: str, below: Any) -> bool:
    """False, with P072, where a new ``name`` is one or two letters from a name the policies below
    define: most likely that name misspelt, meant to replace it, which would otherwise stand
    beside it unused (a typo'd table) or open a route of its own."""
    close = [b for b in below if b != name and difflib.SequenceMatcher(None, name, b).ratio() >= 0.9
             and re.sub(r"\d+", "", b) != re.sub(r"\d+", "", name)]  # (variant_1 and variant_2 are meant)
    if not close:
        return True
    r.problem("P072", f"{kind} baru {name!r} hampir sama dengan {close[0]!r} di kebijakan dasar",
              f"the new {kind} {name!r} is nearly the name {close[0]!r} the policy it extends defines: a typo? As "
              f"written it would stand beside {close[0]!r}, not replace it", node, name,
              hint=f"to replace it, name it {close[0]!r} and say 'replaces: true'; for a new {kind}, choose a "
              f"name further from it / untuk menggantinya, namai {close[0]!r} dan tulis 'replaces: true'; untuk "
              "yang baru, pilih nama yang lebih berbeda")
    return False


def _replace_problem(r: Reader, node: Any, key: Any, kind: str, exists: bool, name: Any = None,
                     target: Any = None, known: Any = ()) -> None:
    """P046 (``name`` exists below, no ``replaces:``) or P047 (``replaces:`` names nothing below);
    ``key`` places it in ``node`` (a rule's index in its list), ``name`` says it (default: key),
    ``target`` is what ``replaces:`` names where it is not the item's own name."""
    name = key if name is None else name
    if exists:
        r.problem("P046", f"{kind} {name!r} sudah ada di kebijakan dasar; tulis 'replaces' untuk menggantinya",
                  f"{kind} {name!r} already exists in the policy this one extends; say 'replaces: {name}' "
                  f"(or 'replaces: true') to replace it, or choose another name", node, key)
    elif isinstance(target, str) and target != name:
        r.problem("P047", f"{kind} {name!r} mengganti {target!r}, yang tidak ada di kebijakan dasar",
                  f"{kind} {name!r} says it replaces {target!r}, which no policy below defines", node, key,
                  hint=suggest(target, known))
    else:
        r.problem("P047", f"{kind} {name!r} tidak ada untuk diganti",
                  f"{kind} {name!r} says it replaces something, but no policy below defines it", node, key,
                  hint=(suggest(name, known) or "remove replaces:, or give the name the base policy uses / "
                        "hapus replaces:, atau tulis nama seperti di kebijakan dasar"))


def _sources(r: Reader, doc: Any) -> dict[str, Source]:
    node = r.mapping(doc, "sources", "sources")
    out = {}
    for key, spec in (node or {}).items():
        if r.mapping(node, key, f"source {key!r}") is None:
            continue
        if not r.keys(spec, ("title",), ("url", "confidence", "note", "articles", "replaces"), f"source {key!r}"):
            continue
        conf = r.choice(spec, "confidence", "confidence", CONFIDENCE) if "confidence" in spec else None
        articles = spec.get("articles")
        if articles is not None and (not isinstance(articles, list) or not all(isinstance(a, str) for a in articles)):
            r.problem("P011", "articles harus daftar pasal", "articles must be a list of the source's articles, "
                      "such as [Pasal 1, Pasal 11]", spec, "articles")
            articles = None
        url = spec.get("url")
        if url is not None and not (isinstance(url, str) and re.fullmatch(r"https?://\S+", url.strip())):
            # the book links to it: a javascript: or data: address would run in the reader's browser
            r.problem("P011", f"url sumber {key!r} harus alamat http(s)", f"the url of source {key!r} must be an "
                      f"http:// or https:// address, got {said(url)}", spec, "url",
                      hint="copy the address from the browser's address bar, or leave url out / "
                           "salin alamat dari bilah alamat peramban, atau hapus url")
            url = None
        note = spec.get("note")
        if note is not None and not isinstance(note, str):
            r.problem("P014", f"catatan sumber {key!r} harus berupa teks", f"the note of source {key!r} must be text, "
                      f"got {said(note)}", spec, "note", hint="write the note as one text (use > for several lines) / "
                      "tulis catatan sebagai satu teks (pakai > untuk beberapa baris)")
            note = None
        out[str(key)] = Source(str(key), r.string(spec, "title", "title") or "", url.strip() if url else None, conf,
                               note, tuple(map(str, articles)) if articles is not None else None)
    return out


def _identity(r: Reader, doc: Any) -> Identity | None:
    node = r.mapping(doc, "position", "position")
    if node is None or not r.keys(node, POSITION_KEYS[:1], POSITION_KEYS[1:], "position"):
        return None
    name = r.string(node, "name", "position name")
    aliases = node.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        r.problem("P011", "aliases harus daftar teks", "position aliases must be a list of names", node, "aliases")
        return None
    kind = r.string(node, "type", "position type") if "type" in node else None
    return None if name is None else Identity(name, kind, tuple(map(str, aliases)))


def _formation(r: Reader, doc: Any) -> FormationSettings | None:
    names = ("working_time_table", "choices_table", "periods_table", "activities_table")
    node = r.mapping(doc, "formation", "formation")
    if node is None or not r.keys(node, names, ("holders_table", "note"), "formation"):
        return None
    values = [r.string(node, n, n) for n in names]
    holders = r.string(node, "holders_table", "holders_table") if "holders_table" in node else None
    if None in values or ("holders_table" in node and holders is None):
        return None
    return FormationSettings(*values, holders_table=holders)


def _allocation(r: Reader, doc: Any) -> dict | None:
    """Read now, built once fields and routes are known (see build_allocation)."""
    node = r.mapping(doc, "allocation", "allocation")
    if node is None or not r.keys(node, ("routes", "order_by", "citation"), ("note",), "allocation",
                                      {"citation": CITATION_DEEPER}):
        return None
    return node


def build_allocation(r: Reader, node: Any, routes: tuple[str, ...], fields: dict, citation: Any
                     ) -> AllocationSettings | None:
    picked = r.choices(node, "routes", "allocation routes", routes, allow_all=False)
    order = r.sequence(node, "order_by", "order_by")
    orderable = tuple(n for n, f in fields.items() if f.subject == "candidate" and f.ordered)
    keys = []
    for i, item in enumerate(order or []):
        if r.mapping(order, i, "order_by entry") is None or not r.keys(item, ("field", "order"), (), "order_by entry"):
            continue
        field = r.choice(item, "field", "field", orderable)
        direction = r.choice(item, "order", "order", ("ascending", "descending"))
        if field and direction:
            keys.append((field, direction == "descending"))
    if picked is None or order is None or citation is None:
        return None
    return AllocationSettings(picked, tuple(keys), citation, node.get("note"))
