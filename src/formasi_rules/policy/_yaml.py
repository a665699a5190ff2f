"""Reading YAML while keeping the line and column of every key and value, within bounds.

ruamel.yaml's round-trip loader records positions on the mappings and
sequences it builds; :func:`where` reads them back (1-based) so that every
policy error can point at the exact spot in the file.

Every YAML the library reads (policies, test cases, candidate files) goes through
:func:`yaml_loader`, which bounds what a small file can make: aliases are counted, and
the size and depth the document would have with every alias written out are counted as
it is composed (a 700-byte "billion laughs" file would otherwise make a structure that
every later walk copies or visits exponentially often), nesting is limited, an alias
inside the node it names (a loop) is refused, and an impossible date such as
2025-02-30 is an error at its line instead of a ValueError from the depths of the
loader. Each is a YAML error with the position, reported like a syntax error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer, ComposerError
from ruamel.yaml.constructor import ConstructorError, DuplicateKeyError, RoundTripConstructor, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, SequenceNode

from .._errors import PolicyError, Problem

MAX_DEPTH = 64  # nesting, aliases written out; candidate and policy files need about 6
MAX_ALIASES = 10_000  # alias uses per document
MAX_EXPANDED = 100_000  # values aliases may add per document, beyond ten times those written
MAX_BYTES = 64 * 1024 * 1024  # a YAML file read whole


class _BoundedComposer(Composer):
    """A composer that keeps count of what aliases add (see the module docstring)."""

    def compose_document(self) -> Any:
        self._sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values, height), aliased nodes only
        self._open: set[str] = set()  # anchors of the nodes being composed
        self._aliases = self._written = self._added = self._depth = 0
        # an anchor defined again names the later node from there on, as YAML says: a block copied with its
        # own &p and *p (one per record) reads as written, with no warning printed to the terminal
        self.warn_double_anchors = False
        return super().compose_document()

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            if event.anchor in self._open:
                raise ComposerError(None, None, f"the alias *{event.anchor} is inside the node it names (a loop)",
                                    event.start_mark)
            node = super().compose_node(parent, index)
            values, height = self._measure(node)
            self._aliases += 1
            self._added += values
            if self._aliases > MAX_ALIASES:
                raise ComposerError(None, None, f"more than {MAX_ALIASES} aliases in one document",
                                    event.start_mark)
            if self._added > MAX_EXPANDED and self._added > 10 * self._written:
                raise ComposerError(None, None, f"aliases expand this document to more than {self._added:,} "
                                    f"values from {self._written:,} written (an alias bomb?)", event.start_mark)
            if self._depth + height > MAX_DEPTH:
                raise ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep (through the alias "
                                    f"*{event.anchor})", event.start_mark)
            return node
        self._written += 1
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open.discard(anchor)

    def _measure(self, node: Any) -> tuple[int, int]:
        """(values, height) of a node with its aliases written out; without recursion, and
        each node measured once."""
        if not isinstance(node, (SequenceNode, MappingNode)):
            return 1, 0
        stack = [(node, False)]
        while stack:
            current, ready = stack.pop()
            if id(current) in self._sizes:
                continue
            children = _children(current)
            if not ready:
                stack.append((current, True))
                stack.extend((c, False) for c in children
                             if isinstance(c, (SequenceNode, MappingNode)) and id(c) not in self._sizes)
                continue
            values, height = 1, 0
            for c in children:
                v, h = self._sizes.get(id(c), (1, 0))
                values, height = values + v, max(height, h + 1)
            self._sizes[id(current)] = (values, height)
        return self._sizes[id(node)]


def _children(node: Any) -> list:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value)


class _Refused(ConstructorError):
    """A value the policy reader refuses, said in both languages (``said_id``: the Indonesian)."""

    def __init__(self, said_id: str, said_en: str, mark: Any):
        super().__init__(None, None, said_en, mark)
        self.said_id = said_id


def _strict_timestamp(base):
    def construct(self, node: Any, values: Any = None) -> Any:
        try:
            return base.construct_yaml_timestamp(self, node, values)
        except ValueError as exc:  # 2025-02-30: the pattern matches, the calendar does not
            raise _Refused(f"{node.value!r} bukan tanggal yang ada di kalender; tulis tanggal yang benar seperti "
                           "2025-02-28, atau beri tanda kutip agar tetap teks",
                           f"{node.value!r} is not a date ({exc}); write a real date such as 2025-02-28, or quote "
                           "it to keep it as text", node.start_mark) from None
    return construct


_PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # a date as a JSON record writes it


def _text_if_not_a_date(base):
    def construct(self, node: Any, values: Any = None) -> Any:
        if not _PLAIN_DATE.fullmatch(str(node.value)):  # with a time, or 1980-5-1: as in JSON, no date
            return str(node.value)
        try:
            return base.construct_yaml_timestamp(self, node, values)
        except ValueError:  # kept as written: the record's validation says it is no date, at its path
            return str(node.value)
    return construct


def _bounded_int(base):
    def construct(self, node: Any) -> Any:
        try:
            return base.construct_yaml_int(self, node)
        except ValueError as exc:  # more digits than Python converts (4,300)
            raise _Refused(f"angka {len(str(node.value))} karakter terlalu panjang untuk sebuah nilai",
                           f"a number of {len(str(node.value))} characters is too long to be a value ({exc})",
                           node.start_mark) from None
    return construct


_PLAIN_INT = re.compile(r"-?(0|[1-9][0-9]*)")  # an integer as JSON writes it


def _text_if_not_plain(base):
    construct_int = _bounded_int(base)

    def construct(self, node: Any) -> Any:
        if not _PLAIN_INT.fullmatch(str(node.value)):  # 0123, 0x1F, 0o17, 1_000, +5: kept as written, so
            return str(node.value)  # an id keeps its zeros and a number field says it is no number
        return construct_int(self, node)
    return construct


class _SafeConstructor(SafeConstructor):
    """For data (candidate files): a date the calendar lacks, or one not written as JSON records
    write dates (with a time: ``1980-05-01 10:00:00``), stays text, for its record to report, and
    so does an integer not written as JSON writes one (``0123`` is an id's text, not 123).
    ``item_lines``: the line each item of a document that is a list begins on (a record's place)."""

    construct_yaml_timestamp = _text_if_not_a_date(SafeConstructor)
    construct_yaml_int = _text_if_not_plain(SafeConstructor)
    item_lines: tuple[int, ...] = ()

    def construct_document(self, node: Any) -> Any:
        self.item_lines = tuple(item.start_mark.line + 1 for item in node.value) \
            if isinstance(node, SequenceNode) else ()
        return super().construct_document(node)


# "2.400", "1.250.000": how Indonesian spreadsheets write thousands, or a number with three decimals
GROUPED = re.compile(r"[1-9]\d{0,2}(\.\d{3})+")


_THOUSANDS = re.compile(r"[1-9][0-9]{1,2}\.000")  # "75.000": zero decimals written out, or a thousands dot?


def _finite_float(base):
    def construct(self, node: Any) -> Any:
        value = base.construct_yaml_float(self, node)
        if value != value or value in (float("inf"), float("-inf")):  # .inf, .nan, 1e400
            raise _Refused(f"{node.value!r} bukan bilangan terhingga; angka kebijakan harus terhingga (tulis batas "
                           "yang diberikan peraturan)", f"{node.value!r} is not a finite number; a policy's numbers "
                           "are finite (write the bound the regulation gives)", node.start_mark)
        if _THOUSANDS.fullmatch(node.value):  # 75.000 as Indonesian writes 75,000: read as 75, a thousand times less
            whole = node.value.replace(".", "")
            raise _Refused(f"{node.value} terbaca sebagai {value:g}: tulis {whole} bila titik itu pemisah ribuan, "
                           f"{value:g} bila bukan (angka kebijakan memakai '.' hanya untuk desimal)",
                           f"{node.value} reads as {value:g}: write {whole} if a thousands separator is meant, "
                           f"{value:g} if not (a policy's numbers use '.' for decimals only)", node.start_mark)
        return value
    return construct


class _RoundTripConstructor(RoundTripConstructor):
    """For policies and test cases: a date the calendar lacks, and a number that is not finite
    (``.inf``, ``.nan``, ``1e400``), are errors at their line."""

    construct_yaml_timestamp = _strict_timestamp(RoundTripConstructor)
    construct_yaml_int = _bounded_int(RoundTripConstructor)
    construct_yaml_float = _finite_float(RoundTripConstructor)


for _cls in (_SafeConstructor, _RoundTripConstructor):
    _cls.add_constructor("tag:yaml.org,2002:timestamp", _cls.construct_yaml_timestamp)
    _cls.add_constructor("tag:yaml.org,2002:int", _cls.construct_yaml_int)
_RoundTripConstructor.add_constructor("tag:yaml.org,2002:float", _RoundTripConstructor.construct_yaml_float)


class _GroupedAsText(_SafeConstructor):
    """For data whose numbers count things (workload volumes): a number written with three-digit
    groups after points stays text, for its row to report as thousands or decimals, not 2.4."""

    def construct_yaml_float(self, node: Any) -> Any:
        if GROUPED.fullmatch(str(node.value).strip()):
            return str(node.value)
        return super().construct_yaml_float(node)


# (made after its base has its own constructors: a subclass copies them when it adds one)
_GroupedAsText.add_constructor("tag:yaml.org,2002:float", _GroupedAsText.construct_yaml_float)


def yaml_loader(typ: str = "rt", grouped_as_text: bool = False) -> YAML:
    """A YAML loader with the bounds above: "rt" keeps positions (policies, test cases), "safe"
    gives plain values (candidate files); ``grouped_as_text`` (with "safe") keeps a number written
    2.400 as text (workload files, whose numbers count things)."""
    yaml = YAML(typ=typ, pure=True)
    yaml.Composer = _BoundedComposer
    yaml.Constructor = (_RoundTripConstructor if typ == "rt" else
                        _GroupedAsText if grouped_as_text else _SafeConstructor)
    return yaml


def read_bytes(path: Path, display: str, code: str, error=PolicyError) -> bytes:
    """A file's bytes, at most MAX_BYTES (a symlink to /dev/zero is not read for ever), or
    ``error`` naming the file."""
    try:
        f = open(path, "rb")
    except OSError as exc:
        raise error([Problem(code, f"berkas tidak dapat dibuka: {exc.strerror}",
                             f"cannot open the file: {exc.strerror}", file=display)]) from None
    try:
        with f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise error([Problem(code, f"berkas tidak dapat dibaca: {exc.strerror}",
                             f"cannot read the file: {exc.strerror}", file=display)]) from None
    if len(data) > MAX_BYTES:
        raise error([Problem(code, f"berkas lebih dari {MAX_BYTES >> 20} MiB",
                             f"the file is larger than {MAX_BYTES >> 20} MiB", file=display)])
    return data


def read_text(path: Path, display: str, code: str, error=PolicyError, utf8_code: str | None = None) -> str:
    """A file's text without the byte-order mark Excel and Notepad put first, or ``error`` naming the
    file (and the line of invalid UTF-8, as ``utf8_code``)."""
    return text_of(read_bytes(path, display, code, error), display, utf8_code or code, error)


def text_of(data: bytes, display: str, code: str, error=PolicyError) -> str:
    """A file's bytes as text, without the byte-order mark Excel and Notepad put first, or ``error``
    naming the line of invalid UTF-8 (as ``code``)."""
    text = _decode(data, display, code, error)
    return text[1:] if text.startswith("\ufeff") else text


def _decode(data: bytes, display: str, code: str, error=PolicyError) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error([not_utf8(display, data, exc, code)]) from None


def not_utf8(display: str, data: bytes, exc: UnicodeDecodeError, code: str, line_offset: int = 0) -> Problem:
    """Invalid UTF-8 at its line and column."""
    before = data[:exc.start]
    line = before.count(b"\n") + 1 + line_offset
    column = exc.start - (before.rfind(b"\n") + 1) + 1
    return Problem(code, "berkas bukan teks UTF-8; simpan sebagai UTF-8", f"the file is not UTF-8 text (byte "
                   f"0x{data[exc.start]:02x}); save it as UTF-8", file=display, line=line, column=column)


def load_yaml(path: Path, display: str) -> Any:
    """Parse one YAML file; a syntax error becomes a PolicyError with its position."""
    return load_yaml_bytes(path, display)[0]


def load_yaml_bytes(path: Path, display: str) -> tuple[Any, bytes]:
    """Like :func:`load_yaml`, with the bytes that were parsed: a digest of a policy must be of
    these, not of the file read again (it may have been replaced in between)."""
    data = read_bytes(path, display, "P001")
    return _parse(data, display), data


_DUPLICATE = re.compile(r'found duplicate key "(.*?)" with value', re.DOTALL)


def _parse(data: bytes, display: str) -> Any:
    yaml = yaml_loader("rt")
    text = _decode(data, display, "P001")
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "syntax error"
        hint = None if isinstance(exc, (ComposerError, ConstructorError)) else _GENERAL_HINT
        said_id = exc.said_id if isinstance(exc, _Refused) else reason
        plain = None if isinstance(exc, (ComposerError, ConstructorError)) else _plain_syntax(reason)
        if plain is not None:  # the parser's words ('expected <block end>') said as staff read them
            reason, said_id, hint, at_start = plain
            if at_start and exc.context_mark is not None:  # the line where the key began, not the next
                mark = exc.context_mark
            if "<block end>" in (exc.problem or "") and exc.problem_mark is not None:
                hint = _out_of_item(text, exc.problem_mark.line, exc.problem_mark.column) or hint
        twice = _DUPLICATE.match(reason) if isinstance(exc, DuplicateKeyError) else None
        if twice:  # said by its key, not by both values written out (a whole rule or table, it may be)
            reason = f"the key {twice.group(1)!r} is given twice in one mapping; this is the second"
            said_id = f"kunci {twice.group(1)!r} muncul dua kali dalam satu pemetaan; ini yang kedua"
            hint = ("keep one of them: which one counts would not be said / pertahankan satu saja: tidak akan "
                    "terlihat mana yang berlaku")
        raise PolicyError([Problem(
            "P002", f"YAML tidak sah: {said_id}", f"invalid YAML: {reason}", file=display,
            line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None, hint=hint,
        )]) from None
    except RecursionError:
        raise PolicyError([Problem("P002", "YAML bersarang terlalu dalam", "the YAML is nested too deeply",
                                   file=display)]) from None
    except Exception as exc:  # ruamel raises a few unmarked errors (duplicate keys, bad tags)
        raise PolicyError([Problem("P002", f"YAML tidak sah: {exc}", f"invalid YAML: {exc}",
                                   file=display)]) from None


_GENERAL_HINT = ("check the indentation (spaces, the same for keys of one mapping) and that every 'key: value' has "
                 "a space after the colon / periksa indentasi (spasi, sama untuk kunci satu pemetaan) dan bahwa "
                 "setiap 'kunci: nilai' memakai spasi setelah titik dua")

# What the YAML parser says for the mistakes staff make, in words for them: (any of its words, English,
# Indonesian, how to fix it in both, whether the line where the parser started reading is the one to name).
_SYNTAX = (
    (("'\\t'", "tab character"), "a tab character: YAML is indented with spaces only",
     "ada karakter tab: YAML hanya memakai spasi untuk indentasi",
     "replace the tab with spaces (set the editor to insert spaces) / ganti tab dengan spasi "
     "(atur editor agar menyisipkan spasi)", False),
    (("expected <block end>",), "this line is indented differently from the lines above it",
     "indentasi baris ini berbeda dari baris-baris di atasnya",
     "start it in the same column as the other keys of its mapping (or list items '- ' of its list) / "
     "mulailah pada kolom yang sama dengan kunci lain di pemetaannya (atau butir '- ' di daftarnya)", False),
    (("did not find expected key",), "this line is indented differently from the lines above it",
     "indentasi baris ini berbeda dari baris-baris di atasnya",
     "start it in the same column as the other keys of its mapping / "
     "mulailah pada kolom yang sama dengan kunci lain di pemetaannya", False),
    (("did not find expected '-'",), "this line is indented differently from the list items above it",
     "indentasi baris ini berbeda dari butir daftar di atasnya",
     "start every item of one list ('- ') in the same column / mulailah setiap butir daftar ('- ') pada kolom yang sama",
     False),
    (("could not find expected ':'",), "a line that is not 'key: value': a space after the colon is missing, or "
     "the line continues a text without being indented",
     "baris ini bukan 'kunci: nilai': spasi setelah titik dua tidak ada, atau baris melanjutkan teks tanpa indentasi",
     "write 'key: value' with a space after the colon / tulis 'kunci: nilai' dengan spasi setelah titik dua", True),
    (("mapping values are not allowed",), "a ': ' where no key can start: a text that holds ': ' must be quoted, or "
     "the line is indented wrongly",
     "ada ': ' di tempat yang tidak boleh ada kunci: teks yang memuat ': ' harus diberi tanda kutip, atau "
     "indentasi baris salah",
     "put the text in quotes (\"Catatan: ...\") or check the indentation / beri tanda kutip pada teks "
     "(\"Catatan: ...\") atau periksa indentasi", False),
    (("expected ',' or ']'",), "a list in [ ] is not closed, or an item in it holds ':' or ','",
     "daftar dalam [ ] belum ditutup, atau butirnya memuat ':' atau ','",
     "close it with ] on the same line, or put the item in quotes / tutup dengan ] pada baris yang sama, "
     "atau beri tanda kutip pada butir itu", True),
    (("expected ',' or '}'",), "a mapping in { } is not closed, or a value in it holds ':', ',' or a quote",
     "pemetaan dalam { } belum ditutup, atau nilainya memuat ':', ',' atau tanda kutip",
     "close it with } (as many as were opened), or put the value in quotes / tutup dengan } (sebanyak yang "
     "dibuka), atau beri tanda kutip pada nilai itu", True),
    (("unexpected end of stream",), "a quote (\" or ') is opened and never closed, or the file ends too early",
     "tanda kutip (\" atau ') dibuka dan tidak ditutup, atau berkas berakhir terlalu cepat",
     "close the quote on the line where it opens / tutup tanda kutip pada baris tempat ia dibuka", True),
)


_KEY_AT = re.compile(r"([^\s#:'\"-][^:#]*?):(?:\s|$)")


def _out_of_item(text: str, line: int, column: int) -> str | None:
    """The hint for a key written at the column of the ``- `` of the list item above it (a rule's
    ``citation:`` at the column of ``- id:``): a key there belongs neither to the item nor to the
    mapping that holds the list, which YAML cannot read. 0-based ``line`` and ``column``."""
    lines = text.splitlines()
    if line >= len(lines):
        return None
    key = _KEY_AT.match(lines[line], column)
    if key is None or lines[line][:column].strip():
        return None
    for number, above, indent in _written_above(lines, line):
        if indent > column:
            continue
        if indent < column or not above.startswith("- ", indent):
            return None
        inner = indent + 1 + len(above[indent + 1:]) - len(above[indent + 1:].lstrip(" "))
        if not _KEY_AT.match(above, inner):  # an item that is a value (- ROUTE), not a mapping: it has no keys
            return _out_of_list(lines, key.group(1).strip(), line, column, number)
        return misindented(key.group(1).strip(), line + 1,
                           (f"at the column of the '- ' of the list item at line {number + 1}",
                            f"sejajar dengan '- ' butir daftar di baris {number + 1}"),
                           ("that item above it", "butir di atasnya"),
                           ((f"indent it by {inner - column} more spaces, to the column of the item's keys (a key of "
                             "the mapping holding the list is further left, at that mapping's column)"),
                            (f"terlalu ke kiri: tambahkan {inner - column} spasi di depannya, sejajar dengan kunci "
                             "butir itu (kunci pemetaan yang memuat daftar itu ditulis lebih ke kiri)")))
    return None


def _out_of_list(lines: list[str], key: str, line: int, column: int, item: int) -> str | None:
    """The hint for a key written at the column of the ``- `` of a list of values (``- ROUTE``
    under ``routes:``): it belongs beside the key that holds the list, further left."""
    for number, above, indent in _written_above(lines, item):
        if indent >= column:
            continue
        at = indent + 2 if above.startswith("- ", indent) else indent  # (the list is under an item's key)
        owner = _KEY_AT.match(above, at)
        if owner is None or at >= column:
            return None
        name = owner.group(1).strip()
        return misindented(key, line + 1, (f"at the column of the '- ' of the list item at line {item + 1}",
                                           f"sejajar dengan '- ' butir daftar di baris {item + 1}"), None,
                           (f"that item is a value, with no keys: move it left by {column - at} spaces, to the column "
                            f"of {name!r} (line {number + 1}), whose list it ends",
                            f"butir itu sebuah nilai, tanpa kunci: geser ke kiri {column - at} spasi, ke kolom "
                            f"{name!r} (baris {number + 1}), yang daftarnya berakhir di sini"))
    return None


def _written_above(lines: list[str], line: int):
    """(number, text, indentation) of each line above ``line`` (0-based) that holds more than a
    comment, nearest first."""
    for number in range(line - 1, -1, -1):
        above = lines[number]
        if above.strip() and not above.lstrip().startswith("#"):
            yield number, above, len(above) - len(above.lstrip(" "))


def _plain_syntax(reason: str) -> tuple[str, str, str, bool] | None:
    for words, en, id_, hint, at_start in _SYNTAX:
        if any(w in reason for w in words):
            return en, id_, hint, at_start
    return None


def misindented(key: Any, line: int | None, inside: tuple[str, str], meant: tuple[str, str] | None,
                fix: tuple[str, str]) -> str:
    """The hint for a key written at the wrong indentation, in both languages: where it went
    (``inside``: "of 'title'", "beside 'rules'"), where it was meant to be, and how to move it. One
    text for a key indented too far (into the mapping above it) and one indented too little (out of
    the mapping above it), so staff read the two mistakes alike."""
    at, di = (f" (line {line})", f" (baris {line})") if line else ("", "")
    en = f"{key!r}{at} is indented as a key {inside[0]}" + (f", not of {meant[0]}" if meant else "")
    id_ = f"{key!r}{di} berindentasi sebagai kunci {inside[1]}" + (f", bukan kunci {meant[1]}" if meant else "")
    return f"{en}: {fix[0]} / {id_}: {fix[1]}"


def where(container: Any, key: Any = None) -> tuple[int | None, int | None]:
    """1-based (line, column) of ``container[key]`` (or of the container itself)."""
    lc = getattr(container, "lc", None)
    if lc is None:
        return None, None
    try:
        if key is None:
            line, col = lc.line, lc.col
        elif isinstance(container, CommentedMap):
            line, col = lc.key(key)
        elif isinstance(container, CommentedSeq):
            line, col = lc.item(key)
        else:
            return None, None
    except (KeyError, IndexError, TypeError):
        return None, None
    return line + 1, col + 1


def decimal_comma(container: Any, key: Any) -> str | None:
    """The number ``{at_least: 2,5}`` was meant to say (``"2.5"``), where ``key`` of a flow mapping
    is a whole number with no value that follows a number: YAML reads the comma as the end of the
    pair, so the digits after it become a key of their own (``{at_least: 2, 5: null}``)."""
    if not isinstance(container, CommentedMap) or not container.fa.flow_style():
        return None
    if not isinstance(key, int) or isinstance(key, bool) or key < 0 or container.get(key) is not None:
        return None
    keys = list(container)
    at = keys.index(key)
    before = container[keys[at - 1]] if at > 0 else None
    if not isinstance(before, int) or isinstance(before, bool):
        return None
    width = getattr(key, "_width", None)  # "05" is read as 5: its digits as written
    return f"{before}.{str(int(key)).zfill(width or 0)}"
