"""Reading records from files: JSON (an object or a list), JSON Lines, YAML and CSV.

Readers stream: each yields ``(where, record)`` pairs, where ``where`` is the
record's ``$[i]`` path (and line, for JSON Lines and CSV) and ``record`` is a
raw dict, or an InputError when that one record could not even be parsed. One
bad record never stops the others. JSON Lines can also be read *unparsed*
(``parse=False``): each record is then a :class:`JsonLine`, parsed where it is
evaluated, so that worker processes, not the process reading, do the parsing.

What a real file can hold is each one record's error where it can be, naming the line:
invalid UTF-8 (in a JSON Lines or CSV record), a key given twice in one object, a number
of more than 40 digits, nesting more than 64 levels deep, a CSV row with fewer or more
cells than the header, a CSV cell over the csv module's 131,072 characters (often an
unterminated quote, which the hint says). A flaw that spoils the whole file (a header
with a column twice, invalid JSON or YAML in a single document, a YAML alias bomb) is an
InputError naming the file and line. An Excel "CSV UTF-8" byte-order mark is skipped, and a
header separated by ';' (Excel where the decimal separator is a comma) sets the separator, as does
a first line ``sep=;`` (Excel's directive), which is not the header.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import orjson
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .._errors import InputError, InvalidArgument, Problem, name_form
from .._text import Text
from ..policy._yaml import not_utf8, read_bytes, text_of, yaml_loader
from ._candidate import RECORD_COLUMNS, UnreadCell

FORMATS = ("json", "jsonl", "yaml", "csv")
MAX_DEPTH = 64  # a candidate record nests about 3 levels
MAX_DIGITS = 40  # far beyond any number a policy compares; Python refuses int() of 4,300


_WORKBOOKS = frozenset(("xlsx", "xlsm", "xls", "ods"))  # what a spreadsheet saves unless told CSV


def detect_format(path: str | os.PathLike) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    return {"yml": "yaml", "ndjson": "jsonl"}.get(suffix, suffix)


# --- JSON: the standard library's parser with hooks, so that nothing it accepts is lost unsaid --

_odd = threading.local()  # set by the hooks when a parse met something to report


class _Twice(dict):
    """An object that had a key more than once (the last value is kept, as JSON parsers do)."""

    twice: tuple[str, ...] = ()


class _Huge(str):
    """A number literal too long to be a value (kept as its text, to be reported)."""


def _pairs(pairs: list) -> dict:
    d = dict(pairs)
    if len(d) == len(pairs):
        return d
    _odd.seen = True
    seen, twice = set(), []
    for k, _ in pairs:
        if k in seen and k not in twice:
            twice.append(k)
        seen.add(k)
    marked = _Twice(d)
    marked.twice = tuple(twice)
    return marked


def _int(text: str) -> Any:
    if len(text.lstrip("-")) > MAX_DIGITS:
        _odd.seen = True
        return _Huge(text)
    return int(text)


def _float(text: str) -> Any:
    if len(text) > MAX_DIGITS + 10:
        _odd.seen = True
        return _Huge(text)
    return float(text)


class _Constant(str):
    """NaN, Infinity or -Infinity: not JSON, though Python's parser takes them."""


def _constant(text: str) -> Any:
    _odd.seen = True
    return _Constant(text)


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_int=_int, parse_float=_float,
                            parse_constant=_constant)
def _loads(text: str) -> Any:
    """The JSON value, with what the hooks mark (see _flaws).

    orjson parses first (four times faster than the standard library with hooks) and its value
    is taken when it cannot hide anything, which writing it back shows: orjson keeps the last of
    a key given twice, so the value written back has fewer ':' than the text (a ':' outside a
    string separates a key; inside one it is kept as it was, since without a \\u escape in the
    text orjson writes every string back as it read it, and the dropped value's only go); it
    reads an integer beyond 64 bits as a float of at least 1.8e19, which it writes back with
    'e+' (as every float from 1e16); it refuses NaN and numbers beyond a double. Anything else is parsed again with the standard library's hooks,
    which say exactly what is wrong."""
    _odd.seen = False
    if "\\u" not in text:
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # a number too long for orjson, NaN, or not JSON: the slow parser says which
        else:
            try:
                back = orjson.dumps(value)
            except TypeError:  # nested past what orjson writes (254 levels): the slow path
                back = b""
            if back and back.count(b":") == text.count(":") and b"e+" not in back:
                return value
    return _DECODER.decode(text)


def _flaws(value: Any, text: str = "", force: bool = False) -> list[Problem]:
    """What the hooks marked in a parsed record, and nesting too deep, with their paths. Walks
    the record only when a hook fired, or the text has enough brackets to nest that deep (or
    ``force``)."""
    if not force and not _odd.seen and text.count("{") + text.count("[") <= MAX_DEPTH:
        return []
    problems: list[Problem] = []
    stack = [("$", value, 1)]
    while stack:
        path, v, depth = stack.pop()
        if depth > MAX_DEPTH:
            problems.append(Problem("I017", f"data bersarang lebih dari {MAX_DEPTH} tingkat",
                                    f"the record is nested more than {MAX_DEPTH} levels deep", path=path))
            continue
        if isinstance(v, _Twice):
            for k in v.twice:
                problems.append(Problem("I015", f"kunci {k!r} muncul lebih dari sekali",
                                        f"the key {k!r} is given more than once in one object (which value "
                                        "was meant?)", path=f"{path}.{k}",
                                        hint="give each field once / tulis setiap field sekali saja"))
        if isinstance(v, dict):
            stack.extend((f"{path}.{k}", item, depth + 1) for k, item in v.items())
        elif isinstance(v, list):
            stack.extend((f"{path}[{i}]", item, depth + 1) for i, item in enumerate(v))
        elif isinstance(v, _Constant):
            problems.append(Problem("I011", f"{v} bukan JSON yang sah", f"{v} is not valid JSON (write a number, "
                                    "or leave the field out)", path=path))
        elif isinstance(v, _Huge):
            problems.append(Problem("I016", f"angka terlalu panjang ({len(v)} karakter)",
                                    f"a number of {len(v)} characters is too long to be a value "
                                    f"(at most {MAX_DIGITS} digits)", path=path))
    return sorted(problems, key=lambda p: p.path or "")


_WHERE_LINE = re.compile(r" \(line (\d+)\)\Z")  # how a record's place ends where it names its line


def path_of(where: str) -> str:
    """The path part of a record's place: "$[3] (line 5)" -> "$[3]" (a problem inside the record
    is at "$[3].birth_date"); a key with spaces stays whole ("$['Kota A']")."""
    return _WHERE_LINE.sub("", where)


def line_of(where: str) -> int | None:
    """The line part of a record's place: "$[3] (line 5)" -> 5; None where it names none."""
    found = _WHERE_LINE.search(where)
    return int(found.group(1)) if found else None


def _rebase(problems: list[Problem], where: str, **extra: Any) -> list[Problem]:
    base = path_of(where)
    return [attrs.evolve(p, path=base + (p.path or "$")[1:], **extra) for p in problems]


@attrs.frozen
class JsonLine:
    """One line of a JSON Lines file, not parsed yet."""

    text: str
    file: str | None  # None: not from a file (a request's stream)
    line: int

    def __reduce__(self):  # sent to worker processes by the thousand: pickle it as a plain tuple
        return JsonLine, (self.text, self.file, self.line)

    def parse(self) -> Any:
        """The record, or an InputError saying why the line cannot be one."""
        try:
            value = _loads(self.text)
        except json.JSONDecodeError as exc:
            return InputError([Problem("I011", f"JSON tidak sah: {exc.msg}", f"invalid JSON: {exc.msg}",
                                       file=self.file, line=self.line, column=exc.colno)])
        except RecursionError:
            return InputError([Problem("I017", "data bersarang terlalu dalam", "the record is nested too deeply "
                                       "to read", file=self.file, line=self.line)])
        flaws = _flaws(value, self.text)
        if flaws:
            return InputError([attrs.evolve(p, file=self.file, line=self.line) for p in flaws])
        return value


def read_records(path: str | os.PathLike, fmt: str | None = None, *, parse: bool = True,
                 delimiter: str | None = None, columns: Collection[str] | None = None,
                 grouped_as_text: bool = False) -> Iterator[tuple[str, Any]]:
    """Yield ``(where, raw_record_or_InputError)`` for every record in the file; with
    ``parse=False``, JSON Lines records come as :class:`JsonLine` (other formats are parsed).
    ``delimiter`` is the CSV separator; by default it is told from the header line. ``columns``
    are the names a CSV header's columns are read as (see :func:`name_columns`): by default a
    candidate record's own fields (``record_columns(policy)`` adds a policy's). With
    ``grouped_as_text`` a YAML number written in three-digit groups (``2.400``) comes as its text,
    as a CSV cell does, for a reader of counts to refuse as thousands or decimals (not 2.4)."""
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidArgument(f"read_records() takes a file's path, got {type(path).__name__} (records already "
                              "in Python go to Engine.evaluate_many as they are)")
    fmt = fmt or detect_format(path)
    if fmt in _WORKBOOKS:
        raise InvalidArgument(
            f"{path} is a spreadsheet workbook: candidates are read from CSV. In the spreadsheet, save the sheet "
            "of candidates as \"CSV UTF-8\" (File > Save As) and give that file / berkas ini buku kerja "
            "spreadsheet: simpan lembar data kandidat sebagai \"CSV UTF-8\" (File > Save As) lalu berikan berkas itu")
    if fmt not in FORMATS:
        raise InvalidArgument(f"cannot tell the format of {path}: use a .json, .jsonl, .yaml or .csv file, or say "
                              "which it is (--input-format on the command line, fmt= in Python) / format berkas "
                              "tidak dikenali")
    return _records(path, fmt, parse, delimiter,  # (said now, not when the first record is asked for)
                    RECORD_COLUMNS if columns is None else columns, grouped_as_text)


def _records(path: str | os.PathLike, fmt: str, parse: bool, delimiter: str | None,
             columns: Collection[str], grouped_as_text: bool = False) -> Iterator[tuple[str, Any]]:
    if fmt == "json":  # one document: read whole
        yield from _json(str(path))
        return
    if fmt == "yaml":
        yield from _yaml(str(path), grouped_as_text)
        return
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise InputError([Problem("I010", f"berkas tidak dapat dibuka: {exc.strerror}",
                                  f"cannot open the file: {exc.strerror}", file=str(path))]) from None
    with handle:
        if fmt == "jsonl":
            yield from _jsonl(handle, str(path), parse)
        else:
            yield from _csv(handle, str(path), delimiter, columns)


def _whole(name: str) -> str:
    data = read_bytes(Path(name), name, "I010", InputError)
    if _utf16_head(data[:_PEEK]):  # said as a CSV or JSON Lines file's is
        raise InputError([_utf16_problem(name)])
    text = text_of(data, name, "I012", InputError)
    if not text.strip():  # the parser would say "Expecting value" (JSON) or give null (YAML)
        raise InputError([Problem("I011", "berkas kosong: tidak ada rekaman", "the file is empty: it holds no "
                                  "record", file=name, hint="give a list of records, [] for none / "
                                  "berikan daftar rekaman, [] bila tidak ada")])
    return text


def _json(name: str):
    text = _whole(name)
    try:
        data, walk = loads_document(text)
    except json.JSONDecodeError as exc:
        raise InputError([Problem("I011", f"JSON tidak sah: {exc.msg}", f"invalid JSON: {exc.msg}",
                                  file=name, line=exc.lineno, column=exc.colno)]) from None
    except RecursionError:
        raise InputError([Problem("I017", "JSON bersarang terlalu dalam", "the JSON is nested too deeply to read",
                                  file=name)]) from None
    for where, item in _items(data, _item_lines(text) if isinstance(data, list) else (), name):
        found = flaws(item, path_of(where), file=name) if walk else []
        yield where, InputError(found) if found else item


_BETWEEN = re.compile(r"[\s,]*")  # what may separate the items of an array (the text is valid JSON)


def _item_lines(text: str) -> tuple[int, ...]:
    """The line each item of the JSON array ``text`` (parsed already) begins on, found by reading
    the items again with the standard library's scanner, which says where each ends; () where
    they are all on one line, which says nothing the index does not."""
    scan, lines, line, at = json.JSONDecoder().raw_decode, [], 1, 0
    try:
        end = _BETWEEN.match(text, text.index("[") + 1).end()
        while text[end] != "]":
            line += text.count("\n", at, end)
            lines.append(line)
            at = end
            end = _BETWEEN.match(text, scan(text, end)[1]).end()
    except (ValueError, IndexError, RecursionError):  # not an array as expected: no lines
        return ()
    return tuple(lines) if lines and lines[0] != lines[-1] else ()


def loads_document(text: str) -> tuple[Any, bool]:
    """A whole JSON document parsed at once (a .json file, a request body): its value, and whether
    any part of it may be flawed (a key given twice, a number too long, NaN, nesting too deep), in
    which case :func:`flaws` says what and where, part by part. Raises json.JSONDecodeError."""
    value = _loads(text)
    return value, _odd.seen or text.count("{") + text.count("[") > MAX_DEPTH


def flaws(part: Any, where: str = "$", **extra: Any) -> list[Problem]:
    """The flaws of one part of a document :func:`loads_document` read, at ``where`` (its path)."""
    return _rebase(_flaws(part, force=True), where, **extra)


def keys_twice(part: Any) -> tuple[str, ...]:
    """The keys an object of a document :func:`loads_document` read gives more than once (itself only)."""
    return getattr(part, "twice", ())


def _yaml(name: str, grouped_as_text: bool = False):
    text = _whole(name)
    loader = yaml_loader("safe", grouped_as_text)
    try:
        data = loader.load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) if isinstance(exc, MarkedYAMLError) else None
        reason = (exc.problem if isinstance(exc, MarkedYAMLError) else None) or str(exc)
        raise InputError([Problem("I011", f"YAML tidak sah: {reason}", f"invalid YAML: {reason}", file=name,
                                  line=mark.line + 1 if mark else None,
                                  column=mark.column + 1 if mark else None)]) from None
    except RecursionError:
        raise InputError([Problem("I017", "YAML bersarang terlalu dalam", "the YAML is nested too deeply to read",
                                  file=name)]) from None
    yield from _items(data, loader.constructor.item_lines, name)  # nesting and aliases are bounded by the loader


def _items(data: Any, lines: tuple[int, ...] = (), name: str = ""):
    """Each record of a whole document with its place: ``$[i]``, and ``(line n)`` where the
    document's reader told the line each item of a list begins on (YAML, JSON). A document that is
    one object holding the list of records under a key (``{"candidates": [...]}``, as an API
    answers) is refused whole (I011): read as one record, it was one error naming every key."""
    if isinstance(data, dict) and RECORD_COLUMNS.isdisjoint(data):  # (a record lacking its id is said so)
        for key, value in data.items():
            if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
                raise InputError([Problem(
                    "I011", f"berkas berisi satu objek dengan {len(value)} rekaman di bawah kunci {key!r}, "
                    "bukan daftar rekaman", f"the file is one object holding {len(value)} record(s) under the "
                    f"key {key!r}, not a list of records", file=name or None,
                    hint=f"give the list itself as the file: [{{...}}, {{...}}] (in a script: data[{key!r}]) / "
                    f"berikan daftarnya saja sebagai isi berkas: [{{...}}, {{...}}] (dalam skrip: data[{key!r}])")])
    if isinstance(data, list):
        for i, item in enumerate(data):
            yield (f"$[{i}] (line {lines[i]})" if len(lines) == len(data) else f"$[{i}]"), item
    else:
        yield "$", data


# what to do with a UTF-16 file: the readers of workload and officers, which take a workbook too, add
# that (formation/_inputs.py); candidate records are read from no workbook
UTF16_HINT = ('save it as UTF-8 (from a spreadsheet: "CSV UTF-8") / '
              'simpan sebagai UTF-8 (dari lembar kerja: "CSV UTF-8")')


_PEEK = 65536  # bytes looked at to tell a file's line ends


def _raw_lines(handle) -> Iterator[bytes]:
    """The file's lines as bytes, each with its end: LF or CRLF; or, in a file whose line ends are
    mostly a CR alone (old Mac line ends, as Excel for Mac's "CSV (Macintosh)" writes them, with an LF
    at most inside a quoted cell), CR, LF or CRLF. Elsewhere a CR stays inside its line, as JSON's
    white space may hold one. Read as it comes either way: a stream's first records are answered
    before it ends, and a file is never held whole."""
    head = handle.peek(_PEEK)[:_PEEK] if hasattr(handle, "peek") else b""
    lone = head.count(b"\r") - head.count(b"\r\n")  # CRs that end no CRLF
    if lone <= head.count(b"\n"):  # fewer than the LF and CRLF ends: a CR is inside a line
        yield from handle
        return
    text = io.TextIOWrapper(handle, encoding="latin-1", newline="")  # latin-1: each byte as it is
    try:
        for line in text:  # (newline="": split at CR, LF and CRLF, each end kept as written)
            yield line.encode("latin-1")
    finally:
        text.detach()  # the caller's handle stays its own to close


def _utf16_head(head: bytes) -> bool:
    """Whether a file beginning so is UTF-16: its byte-order mark, or every other byte 0."""
    return head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head


def _utf16_problem(name: str) -> Problem:
    return Problem("I012", "berkas ini UTF-16 (\"Unicode Text\" dari Excel), bukan UTF-8",
                   "the file is UTF-16 (Excel's \"Unicode Text\"), not UTF-8", file=name, line=1, hint=UTF16_HINT)


def _lines(handle, name: str, bad: dict[int, Problem]) -> Iterator[str]:
    """The file's lines as text; a line that is not UTF-8 is noted in ``bad`` (by its number)
    and given with the bad bytes replaced, so the records around it are still read."""
    for number, raw in enumerate(_raw_lines(handle), 1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):  # Excel's "CSV UTF-8" byte-order mark
            raw = raw[3:]
        elif number == 1 and _utf16_head(raw):
            raise InputError([_utf16_problem(name)])
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad[number] = not_utf8(name, raw, exc, "I012", line_offset=number - 1)
            yield raw.decode("utf-8", errors="replace")


def _jsonl(handle, name: str, parse: bool):
    index = 0
    bad: dict[int, Problem] = {}
    for lineno, line in enumerate(_lines(handle, name, bad), 1):
        if line[:1] == "\ufeff":  # a byte-order mark past the first line: files joined (cat a.jsonl b.jsonl)
            line = line[1:]
        if not line.strip():
            continue
        where = f"$[{index}] (line {lineno})"
        index += 1
        if lineno in bad:
            yield where, InputError([bad.pop(lineno)])
            continue
        record = JsonLine(line, name, lineno)
        yield where, record.parse() if parse else record


# CSV is flat: nested fields are columns with dotted names (position.level), and the rating
# history is one cell "YEAR:RATING;YEAR:RATING" (for example "2023:Baik;2024:Sangat Baik").
NUMERIC = {"credit_points", "experience_years"}


CSV_DELIMITERS = ",;\t"
_SEPARATORS = {",": Text("koma", "a comma"), ";": Text("titik koma", "a semicolon"), "\t": Text("tab", "a tab")}


# Excel's directive on a file's first line, "sep=;", names the separator (Excel writes it, and reads a
# file so marked whatever the computer's list separator is); it is not the header
_SEP_LINE = re.compile(r"sep=(.)\r?\n?", re.IGNORECASE | re.DOTALL)


def sep_directive(first: str) -> str | None:
    """The separator a first line ``sep=X`` (X one character) names, or None for any other line."""
    found = _SEP_LINE.fullmatch(first)
    return found.group(1) if found and found.group(1) not in "\r\n\"" else None


def separator_name(delimiter: str) -> Text:
    """A CSV separator in words: "a semicolon" / "titik koma"."""
    return _SEPARATORS.get(delimiter) or Text(f"'{delimiter}'", f"'{delimiter}'")


def _delimiter(first: str) -> str:
    """The separator the header line uses: ',' ';' (Excel where the decimal separator is a comma)
    or tab; ',' when the line cannot tell (one column)."""
    try:
        return csv.Sniffer().sniff(first, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        return ";" if ";" in first and "," not in first else ","


def _header(lines: Iterator[str]) -> tuple[str, int, str]:
    """A CSV file's header line, the lines before it (Excel's "sep=;", blank lines, lines of
    separators only), and the separator that line names or else the header uses."""
    first, skipped = next(lines, ""), 0
    said = sep_directive(first)
    if said is not None:
        first, skipped = next(lines, ""), 1
    while first and not first.strip(" \r\n|" + CSV_DELIMITERS):  # the separator is told from the header
        first, skipped = next(lines, ""), skipped + 1
    return first, skipped, said or _delimiter(first)


def csv_delimiter(path: str | os.PathLike) -> str:
    """The separator :func:`read_records` reads the CSV file at ``path`` with (no ``delimiter`` given);
    ',' where the file cannot be read again (a pipe, read already)."""
    if not os.path.isfile(path):
        return ","
    try:
        with open(path, "rb") as handle:
            return _header(_lines(handle, str(path), {}))[2]
    except (OSError, InputError):
        return ","


def _csv(handle, name: str, delimiter: str | None = None, columns: Collection[str] = RECORD_COLUMNS):
    bad: dict[int, Problem] = {}
    lines = _lines(handle, name, bad)
    first, skipped, found = _header(lines)  # skipped: the lines before the header's reader
    delimiter = delimiter or found
    separator = separator_name(delimiter)
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
    header: list[str] | None = None
    blank: list[int] = []  # the columns with no name
    title: tuple[int, str] | None = None  # a first line of one name no field has, and its line: a title?
    held: list[tuple[list[str], int, int, list[Problem]]] = []  # rows of one cell under it: subtitles?
    index = 0
    last = skipped  # the line the previous row ended on

    def record(row: list[str], first: int, last: int, spoilt: list[Problem]):
        nonlocal index
        where = f"$[{index}] (line {first})"
        index += 1
        if spoilt:
            return where, InputError(spoilt)
        if len(row) != len(header):
            more = len(row) > len(header)
            multiline = last > first
            return where, InputError([Problem(
                "I013", f"baris memiliki {len(row)} sel, judul {len(header)} kolom",
                f"the row has {len(row)} cells and the header {len(header)} columns ("
                + ("more" if more else "fewer") + " cells than columns)", file=name, line=first,
                hint=(f"it runs over lines {first}-{last}: a quote (\") opened and never closed? / baris "
                      f"{first}-{last} menyatu: ada tanda kutip (\") yang tidak ditutup?" if multiline
                      else f"separate every cell with {separator.en}, empty cells included"
                      + (f", and put a cell holding {separator.en} in quotes"
                         + (' ("YEAR:RATING;YEAR:RATING")' if "performance" in header else "") if more else "")
                      + f" / pisahkan setiap sel dengan {separator.id}, termasuk sel kosong"
                      + (", dan beri tanda kutip pada sel yang memuatnya" if more else "")))])
        if blank:
            filled = [i for i in blank if i < len(row) and row[i].strip()]
            if filled:
                return where, InputError([Problem(
                    "I013", f"sel berisi di kolom tanpa judul (kolom {filled[0] + 1})",
                    f"a cell holds a value in a column with no name (column {filled[0] + 1})", file=name,
                    line=first, hint="name the column in the header, or empty the cell / beri judul kolomnya, atau "
                    "kosongkan selnya")],
                    record_id=row[header.index("id")].strip() or None if "id" in header else None)
        return where, flat_record({h: cell for h, cell in zip(header, row) if h} if blank else dict(zip(header, row)),
                                  where)

    while True:
        try:
            row = next(reader)
        except StopIteration:
            if header is None and not bad:  # (a line that is no UTF-8 is said as such)
                raise InputError([Problem(
                    "I011", "berkas kosong: tidak ada baris judul kolom", "the file is empty: it holds no header "
                    "row", file=name, hint="give the header row and a row per record, the header alone for none / "
                    "berikan baris judul kolom dan satu baris per rekaman, judulnya saja bila tidak ada")]) from None
            break
        except csv.Error as exc:  # a cell over the field size limit, most often from an unterminated quote
            line, last = last + 1, reader.line_num + skipped
            if header is None:
                raise InputError([Problem("I011", f"judul kolom tidak terbaca: {exc}",
                                          f"cannot read the header row: {exc}", file=name, line=line)]) from None
            yield from (record(*h) for h in held)  # (in their order; the title is still looked at below)
            held = []
            where = f"$[{index}] (line {line})"
            index += 1
            yield where, InputError([Problem(
                "I013", f"baris CSV tidak terbaca: {exc}", f"the CSV row cannot be read: {exc}", file=name,
                line=line, hint="a quote (\") that is opened and never closed takes in the lines after it / "
                "tanda kutip (\") yang dibuka dan tidak ditutup ikut memakan baris-baris sesudahnya")])
            continue
        first, last = last + 1, reader.line_num + skipped
        spoilt = [bad.pop(n) for n in range(first, last + 1) if n in bad]
        if header is None:
            if spoilt:
                raise InputError(spoilt)
            if not any(name.strip() for name in row):  # a blank line, or one of spaces or separators only
                continue
            # (once, for the file: each row is then read by the names as they are)
            header = name_columns([h.strip() for h in row], columns, file=name, line=first)
            written = [name_form(h) for h in row]  # to know the header written again below it
            # a column with no name (a spreadsheet's trailing separators: "rank;;") holds nothing to read
            blank = [i for i, h in enumerate(header) if not h]
            names = [h for h in header if h]
            if names and not any(h in columns for h in names):  # a title, or titles over groups of columns?
                title = first, ", ".join(repr(h) for h in names)
            continue
        if not any(cell.strip() for cell in row):  # a blank line, or one of separators only (";;;", as Excel
            continue  # writes a formatted empty row; a sheet's empty rows are skipped alike)
        if _repeats(row, written):
            where = f"$[{index}] (line {first})"  # (files joined, each with its header: no candidate's record)
            index += 1
            yield where, InputError([Problem(
                "I018", f"baris {first} mengulang judul kolom: dua berkas digabung?", f"line {first} repeats the "
                "header: two files joined, each with its header?", file=name, line=first,
                hint="delete the repeated header line / hapus baris judul kolom yang berulang")])
            continue
        if title is not None:
            fields = _fields_in(row, columns)
            if len(held) < MAX_SUBTITLES and len(fields) < 2 and sum(1 for cell in row if cell.strip()) == 1:
                held.append((row, first, last, spoilt))  # a subtitle under the title? the next row says
                continue
            _title_above(title, fields, first, name)
            yield from (record(*h) for h in held)  # no title: the rows held were records
            title, held = None, []
        yield record(row, first, last, spoilt)
    yield from (record(*h) for h in held)  # (a file of one column: the rows held were records)


def _repeats(row: list[str], written: list[str]) -> bool:
    """Whether a row is the header written again (its names' forms ``written``): files joined, the
    second under Excel's byte-order mark perhaps."""
    if len(row) != len(written):
        return False
    first = name_form(row[0].lstrip("\ufeff"))
    return first == written[0] and [first, *(name_form(c) for c in row[1:])] == written


MAX_SUBTITLES = 8  # rows of one cell under a title line looked past for the header (a subtitle, a date ...)


def _fields_in(row: list[str], columns: Collection[str]) -> list[str]:
    """The cells of a row that name fields (a row of one cell split at any separator: a title with
    none had the separator told from it, not from the header)."""
    cells = [cell.strip() for cell in row if cell.strip()]
    if len(cells) == 1:
        cells = [cell.strip() for cell in re.split(f"[{CSV_DELIMITERS}]", cells[0]) if cell.strip()]
    forms = {name_form(column) for column in columns}
    return [cell for cell in cells if name_form(cell) in forms]


def _title_above(title: tuple[int, str], fields: list[str], line: int, name: str) -> None:
    """InputError (I018) where the first line holds names no field has (one, ``DAFTAR CALON;;;``: a
    sheet's title, merged over its columns; several, ``Identitas;;Pendidikan;``: titles over groups of
    columns) and the first row of several cells under it (past rows of
    one cell: a subtitle, a region, a date) names fields (``fields``, :func:`_fields_in`): the header
    is that row, below a title, and every row would be refused for columns with no name or none known."""
    if len(fields) < 2:
        return
    raise InputError([Problem(
        "I018", f"baris {title[0]} hanya berisi {title[1]}, bukan nama kolom: judul tabel di atas baris judul "
        f"kolom (baris {line})?", f"line {title[0]} holds only {title[1]}, not the names of the columns: a title "
        f"above the header, which is line {line} ({', '.join(fields[:3])}, ...)?", file=name, line=title[0],
        hint="delete the line(s) above the header, so that the header is the file's first line / hapus baris di atas "
        "judul kolom, sehingga judul kolom menjadi baris pertama berkas")])


def name_columns(header: Sequence[str], known: Collection[str], **place: Any) -> list[str]:
    """The field each column of a header names: its name as written where that is a field of
    ``known`` or names none, else the one field it names written in other capitals, with spaces or
    hyphens for underscores (``Birth Date`` is birth_date: a spreadsheet's header as people type
    it). A name that names no field stays as written, for the record's reader to refuse with a
    suggestion. An empty name stays empty. InputError (I018) for two columns that name one field
    (``birth_date`` and ``Birth Date``: which holds the value?), naming both as written, and as
    :func:`check_columns` says."""
    keyed: dict[str, list[str]] = {}
    for k in known:
        keyed.setdefault(name_form(k), []).append(k)
    named = [h if not h or h in known or len(keyed.get(name_form(h), ())) != 1 else keyed[name_form(h)][0]
             for h in header]
    written: dict[str, list[str]] = {}
    for given, name in zip(header, named):
        if name:
            written.setdefault(name, []).append(given)
    alike = [(name, list(dict.fromkeys(given))) for name, given in written.items() if len(set(given)) > 1]
    if alike:
        raise InputError([Problem(
            "I018", f"kolom {' dan '.join(map(repr, given))} sama-sama berarti field {name!r}",
            f"the columns {' and '.join(map(repr, given))} both name the field {name!r} (which one holds the "
            "value?)", hint=f"keep one of the columns {', '.join(map(repr, given))}, or rename the other / "
            f"pertahankan salah satu kolom {', '.join(map(repr, given))}, atau ganti nama yang lain",
            **place) for name, given in alike])
    check_columns([h for h in named if h], **place)
    return named


def check_columns(header: list[str], **place: Any) -> None:
    """InputError (I018) for a row of column names that cannot make records: a name twice, or a
    name that is also a group (``position`` and ``position.level``)."""
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        raise InputError([Problem("I018", f"kolom {twice} muncul lebih dari sekali di judul",
                                  f"the header has the column(s) {twice} more than once (which one "
                                  "holds the value?)", **place)])
    clash = sorted({h for h in header for other in header if other.startswith(h + ".")})
    if clash:  # "position" and "position.level": one cell cannot be both text and a group
        raise InputError([Problem("I018", f"kolom {clash} juga dipakai sebagai kelompok",
                                  f"the column(s) {clash} are also used as a group of columns "
                                  f"({clash[0]}.…); keep one of them", **place)])


def flat_record(row: Mapping[str, Any], where: str) -> dict[str, Any] | InputError:
    """The record of one flat row (a CSV row, a data frame's row): dotted column names make
    nested fields, a cell of None or only spaces is not given; a text cell is read as a
    spreadsheet writes it (numbers, the rating history ``YEAR:RATING;...``), any other value is
    taken as it is."""
    record: dict[str, Any] = {}
    for key, cell in row.items():
        if cell is None:
            continue
        value: Any = cell
        if isinstance(cell, str):
            cell = value = cell.strip()
            if cell == "":
                continue
            if key in NUMERIC:
                value = _number(cell)
            elif key == "performance":
                value, bad = _ratings(cell)
                if bad:  # said (I014) with the record's other problems, when it is structured
                    value = UnreadCell(cell, bad)
        _place(record, key, value)
    return id_alone(record, len(row), where) or record


def id_alone(record: Mapping[str, Any], columns: int, where: str) -> InputError | None:
    """I027 for a row of a file of several columns that fills in its id alone: a sheet's total
    (``TOTAL;;;;``), a title or a row not filled in, which would be decided as a candidate of whom
    nothing is known; else None."""
    if columns < 2 or len(record) != 1 or "id" not in record:
        return None
    ident = record["id"]
    return InputError([Problem(
        "I027", f"baris hanya berisi id ({ident}), tanpa field lain: baris jumlah, judul, atau belum diisi?",
        f"the row gives its id ({ident}) and nothing else: a total, a title or a row not filled in?",
        path=path_of(where), hint="fill in the candidate's fields, or delete the row / isi field kandidatnya, "
        "atau hapus barisnya")], record_id=str(ident))


def _place(record: dict[str, Any], key: str, value: Any) -> None:
    if "." not in key:  # most columns
        record[key] = value
        return
    target = record
    *parents, leaf = key.split(".")
    for parent in parents:
        target = target.setdefault(parent, {})
    target[leaf] = value


# a number as a spreadsheet writes it, in ASCII digits: Python's int() and float() also take "1_5"
# (15) and other scripts' digits ("١٢", 12), which no export means as a number
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def _number(cell: str) -> Any:
    if len(cell) > MAX_DIGITS + 10 or not PLAIN_NUMBER.fullmatch(cell):
        return cell  # left as text: validation names it as "expected a number" (1,250 and 1.250.000 with a hint)
    try:
        return int(cell)
    except ValueError:
        try:
            return float(cell)
        except ValueError:
            return cell  # left as text: validation names it as "expected a number"


def _ratings(cell: str):
    out = []
    for part in filter(None, (p.strip() for p in cell.split(";"))):
        year, sep, rating = part.partition(":")
        if not sep or not (year.strip().isascii() and year.strip().isdigit()) or len(year.strip()) > 4:
            return None, part
        out.append({"year": int(year), "rating": rating.strip()})
    return out, None
