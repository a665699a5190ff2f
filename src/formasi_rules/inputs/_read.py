"""Reading records from files: JSON (an object or a list), JSON Lines, YAML and CSV.

Readers stream: each yields ``(where, record)`` pairs, where ``where`` is the
record's ``$[i]`` path (and line, for JSON Lines and CSV) and ``record`` is a
raw dict, or an InputError when that one record could not even be parsed. One
bad record never stops the others. JSON Lines can also be read *unparsed*
(``parse=False``): each record is then a :class:`JsonLine`, parsed where it is
evaluated, so that worker processes, not the process reading, do the parsing.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import orjson
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .._errors import InputError, InvalidArgument, Problem

FORMATS = ("json", "jsonl", "yaml", "csv")


def detect_format(path: str | os.PathLike) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    return {"yml": "yaml", "ndjson": "jsonl"}.get(suffix, suffix)


@attrs.frozen
class JsonLine:
    """One line of a JSON Lines file, not parsed yet."""

    text: str
    file: str
    line: int

    def __reduce__(self):  # sent to worker processes by the thousand: pickle it as a plain tuple
        return JsonLine, (self.text, self.file, self.line)

    def parse(self) -> Any:
        """The record, or an InputError saying why the line is not JSON."""
        try:
            return orjson.loads(self.text)
        except orjson.JSONDecodeError as exc:
            return InputError([Problem("I011", f"JSON tidak sah: {exc.msg}", f"invalid JSON: {exc.msg}",
                                       file=self.file, line=self.line, column=exc.colno)])


def read_records(path: str | os.PathLike, fmt: str | None = None, *,
                 parse: bool = True, delimiter: str | None = None) -> Iterator[tuple[str, Any]]:
    """Yield ``(where, raw_record_or_InputError)`` for every record in the file; with
    ``parse=False``, JSON Lines records come as :class:`JsonLine` (other formats are parsed).
    ``delimiter`` is the CSV separator; by default it is told from the header line."""
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise InvalidArgument(f"cannot tell the format of {path}: use a .json, .jsonl, .yaml or .csv file")
    try:
        handle = open(path, encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError([Problem("I010", f"berkas tidak dapat dibuka: {exc.strerror}",
                                  f"cannot open the file: {exc.strerror}", file=str(path))]) from None
    with handle:
        if fmt == "jsonl":
            yield from _jsonl(handle, str(path), parse)
        elif fmt == "csv":
            yield from _csv(handle, str(path), delimiter)
        else:
            yield from {"json": _json, "yaml": _yaml}[fmt](handle, str(path))


def _json(handle, name: str):
    try:
        data = json.load(handle)
    except json.JSONDecodeError as exc:
        raise InputError([Problem("I011", f"JSON tidak sah: {exc.msg}", f"invalid JSON: {exc.msg}",
                                  file=name, line=exc.lineno, column=exc.colno)]) from None
    except UnicodeDecodeError:
        raise InputError([Problem("I012", "berkas bukan teks UTF-8", "the file is not UTF-8 text",
                                  file=name)]) from None
    yield from _items(data)


def _yaml(handle, name: str):
    try:
        data = YAML(typ="safe").load(handle)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError([Problem("I011", f"YAML tidak sah: {exc}", f"invalid YAML: {exc}", file=name,
                                  line=mark.line + 1 if mark else None)]) from None
    yield from _items(data)


def _items(data: Any):
    if isinstance(data, list):
        for i, item in enumerate(data):
            yield f"$[{i}]", item
    else:
        yield "$", data


def _jsonl(handle, name: str, parse: bool):
    index = 0
    for lineno, line in enumerate(handle, 1):
        if not line.strip():
            continue
        where = f"$[{index}] (line {lineno})"
        index += 1
        record = JsonLine(line, name, lineno)
        yield where, record.parse() if parse else record


# CSV is flat: nested fields are columns with dotted names (position.level), and the rating
# history is one cell "YEAR:RATING;YEAR:RATING" (for example "2023:Baik;2024:Sangat Baik").
NUMERIC = {"credit_points", "experience_years"}


CSV_DELIMITERS = ",;\t"


def _csv_reader(handle, delimiter: str | None) -> csv.DictReader:
    """A reader for CSV as spreadsheets write it: a UTF-8 byte-order mark is dropped, and the
    separator (``,`` ``;`` or tab, as Excel writes in locales with a decimal comma) is told from
    the header line unless given. CRLF line ends are read by the csv module itself."""
    first = handle.readline().removeprefix("\ufeff")
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(first, delimiters=CSV_DELIMITERS).delimiter
        except csv.Error:  # one column, or no header: nothing to tell
            delimiter = ","
    return csv.DictReader(itertools.chain([first], handle), delimiter=delimiter)


def _csv(handle, name: str, delimiter: str | None = None):
    reader = _csv_reader(handle, delimiter)
    for index, row in enumerate(reader):
        where = f"$[{index}] (line {reader.line_num})"
        if None in row:
            yield where, InputError([Problem("I013", "baris memiliki sel lebih banyak dari judul kolom",
                                             "the row has more cells than the header has columns",
                                             file=name, line=reader.line_num)])
            continue
        record: dict[str, Any] = {}
        problems = []
        for key, cell in row.items():
            cell = (cell or "").strip()
            if cell == "":
                continue
            value: Any = cell
            if key in NUMERIC:
                value = _number(cell)
            elif key == "performance":
                value, bad = _ratings(cell)
                if bad:
                    problems.append(Problem("I014", f"predikat kinerja tidak terbaca: {bad!r}",
                                            f"cannot read the rating history cell part {bad!r}; "
                                            "write it as YEAR:RATING;YEAR:RATING, one rating a year",
                                            path=f"{where.split()[0]}.performance"))
            target = record
            *parents, leaf = key.split(".")
            for parent in parents:
                target = target.setdefault(parent, {})
            target[leaf] = value
        yield where, InputError(problems) if problems else record


def _number(cell: str) -> Any:
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
        if not sep or not year.strip().isdigit():
            return None, part
        out.append({"year": int(year), "rating": rating.strip()})
    return out, None
