"""Open formation places (formasi): rows of ``region, level, open``.

The appointment rules need to know whether a place is open at a level in the
candidate's region. The places come from a file (CSV, JSON or YAML rows), or from
a mapping ``{region: {level: open}}`` given in Python.
"""

from __future__ import annotations

import os
import re
from typing import Any
from collections.abc import Iterable, Mapping

from .._errors import InputError, InvalidArgument, Problem, said, suggest
from ._candidate import Names, plain_number
from ._read import csv_delimiter, detect_format, line_of, path_of, read_records, separator_name

Formation = dict[str, dict[str, int]]  # region (case-folded) -> level -> open places

MAX_OPEN = 1_000_000  # open places per region and level: far beyond any formation, and within what the
# engine encodes (10**30 made every candidate's record an error)


def region_key(name: str) -> str:
    """Regions are matched by name, ignoring case, spacing and the punctuation between words
    ("Kota Palembang" = "kota  palembang" = "Kota Palembang."; "Kab. Banyuasin" = "Kab Banyuasin"):
    told apart, one region's rows were computed as two, its need and minimum staffing counted twice."""
    words = re.findall(r"\w+", name)
    return " ".join(words).casefold() if words else " ".join(name.split()).casefold()


_COLUMNS = frozenset(("region", "level", "open"))


def formation_from_mapping(mapping: Mapping, levels: tuple[str, ...] | None = None) -> Formation:
    if not isinstance(mapping, Mapping):
        raise InvalidArgument("formation must be a mapping {region: {level: open_places}}")
    rows: list[tuple[str, Any]] = []
    for region, places in mapping.items():
        if not isinstance(places, Mapping):
            rows.append((f"$[{region!r}]", InputError([Problem(
                "F006", f"tempat terbuka {region!r} harus berupa {{jenjang: jumlah}}",
                f"the open places of {region!r} must be a mapping {{level: open_places}}, got {said(places):.60}",
                file="formation", path=f"$[{region!r}]",
                hint=f"for example {{{region!r}: {{level: 2}}}} / misalnya {{{region!r}: {{level: 2}}}}")])))
            continue
        rows += [(f"$[{region!r}][{level!r}]", {"region": region, "level": level, "open": count})
                 for level, count in places.items()]
    return _build(rows, "formation", levels)


def formation_from_rows(pairs: Iterable[tuple[str, Any]], levels: tuple[str, ...] | None = None) -> Formation:
    """Open places from ``(where, row)`` pairs of rows ``{region, level, open}`` (a request's list):
    each bad row's problems at its ``where`` (``$.formation[1].level``)."""
    return _build(pairs, "formation", levels)


def read_formation(path: str | os.PathLike, levels: tuple[str, ...] | None = None,
                   delimiter: str | None = None) -> Formation:
    """Read formation rows; raise InputError listing every bad row. With ``levels`` (a policy's),
    a level outside them is a bad row. ``delimiter``: a CSV file's separator, told from its header
    line by default."""
    fmt = detect_format(path)
    return _build(read_records(path, columns=_COLUMNS, delimiter=delimiter), str(path), levels,
                  lambda: (delimiter or csv_delimiter(path)) if fmt == "csv" else fmt)


def _example(levels: tuple[str, ...] | None, form: str) -> str:
    """A row as the places are written: ``form`` is a CSV file's separator, "yaml", or else JSON."""
    level = levels[0] if levels else "LEVEL"
    if len(form) > 1:  # "yaml", "json", "jsonl"
        example = (f"{{region: Kota Palembang, level: {level}, open: 2}}" if form == "yaml" else
                   f'{{"region": "Kota Palembang", "level": "{level}", "open": 2}}')
        return (f"a row has the keys region, level, open, for example: {example} / satu baris berisi kunci region, "
                f"level, open, misalnya: {example}")
    example = form.join(("Kota Palembang", level, "2"))
    separator = separator_name(form)
    return (f"a row is region, level, open, separated by {separator.en}, for example: {example} / satu baris berisi "
            f"region, level, open, dipisah {separator.id}, misalnya: {example}")


def _build(records, name: str, levels: tuple[str, ...] | None, form=lambda: "json") -> Formation:
    """The open places of ``records``; InputError listing every bad row, each with its file, line
    and field: places are the allocation's input, so a bad row is never skipped, and all are said at once.
    ``form()`` is how the rows are written, for an example row: a CSV file's separator, "yaml" or "json"."""
    named = Names(levels) if levels is not None else None  # a row's level in any capitals and spacing
    out: Formation = {}
    problems: list[Problem] = []
    for at, row in records:
        if isinstance(row, InputError):
            problems += row.problems
            continue
        where = path_of(at)  # a file's row is named by its line: places.csv:4 $[2].level
        name_line = {"file": name, "line": line_of(at)}
        if not isinstance(row, Mapping) or set(row) != _COLUMNS:
            missing = sorted(_COLUMNS.difference(row)) if isinstance(row, Mapping) else []
            unknown = sorted(map(str, set(row) - _COLUMNS)) if isinstance(row, Mapping) else []
            shape = form()  # a CSV file's separator, else "json" or "yaml": only a CSV row has cells
            cells = len(shape) == 1
            told = (f"; {', '.join(missing)} missing" + (" (an empty cell is missing)" if cells else "")
                    if missing else "") + (f"; unknown field(s) {', '.join(map(repr, unknown))}" if unknown else "")
            kata = (f"; tidak ada {', '.join(missing)}" + (" (sel kosong)" if cells else "") if missing else "") + \
                (f"; field tidak dikenal {', '.join(map(repr, unknown))}" if unknown else "")
            problems.append(Problem("F001", "baris formasi harus berisi region, level, open" + kata,
                                    "a formation row must have exactly the fields region, level, open" + told,
                                    path=where, hint=(suggest(unknown[0], sorted(_COLUMNS)) if unknown and missing
                                                      else None) or _example(levels, shape), **name_line))
            continue
        region, given, count = row["region"], row["level"], plain_number(row["open"])  # (np.int64 from pandas)
        level = (given if isinstance(given, str) else None) if named is None else named.read(given)
        if isinstance(count, str) and count.strip().isascii() and count.strip().isdigit():
            count = int(count)
        if not isinstance(region, str) or not region.strip():
            problems.append(Problem("F002", "region harus berupa nama", f"region must be a name, got {said(region)}",
                                    path=f"{where}.region", hint="give the region's name as the candidates' "
                                    "records write it (Kota Palembang) / tulis nama wilayah seperti pada rekaman "
                                    "kandidat (Kota Palembang)", **name_line))
        elif level is None:
            known = f"; expected one of: {', '.join(levels)}" if levels else ""
            problems.append(Problem("F003", f"jenjang tidak dikenal {said(given)}", f"unknown level {said(given)}{known}",
                                    path=f"{where}.level", hint=suggest(str(given), levels or ())
                                    or (f"write one of {', '.join(levels)} / tulis salah satu dari {', '.join(levels)}"
                                        if levels else "write the level's name / tulis nama jenjangnya"),
                                    **name_line))
        elif isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_OPEN:
            problems.append(Problem("F004", f"open harus bilangan bulat 0 sampai {MAX_OPEN:,}, bukan {said(count)}",
                                    f"open must be a whole number from 0 to {MAX_OPEN:,}, got {said(count)}",
                                    path=f"{where}.open", hint="write the number of open places in digits, 0 where "
                                    "none is open (2, not 2.0 or dua) / tulis jumlah tempat terbuka dengan angka, 0 bila "
                                    "tidak ada (2, bukan 2.0 atau dua)", **name_line))
        else:
            places = out.setdefault(region_key(region), {})
            if level in places:
                problems.append(Problem("F005", f"{region} {level} muncul dua kali",
                                        f"{region} {level} is given twice", path=where, hint="give each region "
                                        "and level once, with all its open places (not a sum of rows) / tulis setiap "
                                        "wilayah dan jenjang sekali, dengan seluruh tempat terbukanya", **name_line))
            places[level] = count
    if problems:
        raise InputError(problems, f"{len(problems)} problem(s) in the open places ({name}): nothing was "
                         "evaluated, since a bad row would give or withhold places; correct every row listed and "
                         f"run again / {len(problems)} masalah pada data formasi: tidak ada yang dievaluasi; "
                         "perbaiki setiap baris yang disebut lalu jalankan lagi")
    return out
