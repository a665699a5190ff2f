"""Workload rows and existing officers, read and validated row by row.

A workload row: ``region, activity, level, volume`` with optional ``period`` (year by
default, month, week, day) and ``norm_minutes`` (overrides the catalogue; with it the
activity may be a local one not in the catalogue). Existing officers: rows of
``region, level, count``, or candidate records (those holding the policy's position are
counted at their level: the policy's ``position`` says how records name it). A bad row is
reported with its number; the others go on.

Either may be a file (CSV, JSON, YAML, or an .xlsx workbook: its ``beban_kerja`` and ``pejabat``
sheets), an iterable of row dicts, or :class:`Located` pairs already read with their places.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from .._errors import InputError, Problem, suggest
from ..engine._derive import RecordView
from ..inputs import path_of, read_records, region_key, structure_candidate
from ..inputs._read import PLAIN_NUMBER
from ..sheets._layout import OFFICERS_SHEET, WORKLOAD_SHEET, is_workbook
from ..sheets._read import SheetRow, read_sheet

WORKLOAD_FIELDS = ("region", "activity", "level", "volume", "period", "norm_minutes")


@attrs.frozen
class WorkloadRow:
    where: Any  # str, or a SheetRow: see place()
    region: str
    activity: str
    level: str
    volume: Decimal
    period: str
    norm_minutes: Decimal | None
    located: dict[str, Any] = attrs.field(factory=dict, eq=False)  # file and line, for a row of a text file


@attrs.frozen
class Located:
    """Records already read, as ``(where, record)`` pairs (``read_records(path, delimiter=";")``)."""

    pairs: Iterable[tuple[Any, Any]]


OTHER_WORKBOOKS = (".xls", ".ods", ".numbers")  # read only as .xlsx


def _records(source: str | os.PathLike | Iterable | Located, sheet: str) -> Iterable[tuple[Any, Any]]:
    if isinstance(source, Located):
        return source.pairs
    if is_workbook(source):
        return read_sheet(source, sheet)
    if isinstance(source, (str, os.PathLike)) and os.fspath(source).lower().endswith(OTHER_WORKBOOKS):
        raise InputError([Problem("I020", "simpan buku kerja sebagai .xlsx (Excel Workbook)",
                                  "save the workbook as .xlsx (Excel Workbook) to read it", file=os.fspath(source))])
    if isinstance(source, (str, os.PathLike)):
        return read_records(source)
    return ((f"$[{i}]", item) for i, item in enumerate(source))


def place(where: Any, field: str = "") -> str:
    """Where one field of a record is: ``$[3].volume`` (line-based files, Python rows) or the cell,
    ``abk.xlsx!beban_kerja:7:D`` (workbooks)."""
    if isinstance(where, SheetRow):
        return where.field(field) if field else str(where)
    path = path_of(str(where))
    return f"{path}.{field}" if field else path


def _file_line(source: Any, where: Any) -> dict[str, Any]:
    """The file and line of a row read from a text file ("$[4] (line 6)"), for its problems."""
    if isinstance(where, SheetRow) or not isinstance(source, (str, os.PathLike)):
        return {}
    found = re.search(r"\(line (\d+)\)", str(where))
    return {"file": os.fspath(source), "line": int(found.group(1)) if found else None}


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str) and not PLAIN_NUMBER.fullmatch(value.strip()):
        return None  # "1_000", other scripts' digits: Decimal would take them
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# "2.400" or "1.250.000" as Indonesian spreadsheets write thousands: read as 2.4 it would be a
# thousand times too small, without a word. A volume counts things, so it is refused, not guessed.
_GROUPED = re.compile(r"[1-9]\d{0,2}(\.\d{3})+")  # (0.250 cannot be thousands)
_MARKS = ("write the number without a thousands separator, with '.' as the decimal mark: 2400 for "
          "two thousand four hundred, 2.4 for two and four tenths")


def _grouped(value: Any) -> bool:
    return isinstance(value, str) and _GROUPED.fullmatch(value.strip()) is not None


def _comma_hint(value: Any) -> str | None:
    if isinstance(value, str) and re.fullmatch(r"\d+,\d+", value.strip()):
        return f"the decimal mark is '.': write {value.strip().replace(',', '.')}"
    return None


def _amount(raw: dict, key: str, bad: Any, above_zero: bool) -> Decimal | None:
    """The number a workload row gives in ``key`` (None when it gives none); one written with
    Indonesian thousands, or outside its range, is reported through ``bad``."""
    given = raw.get(key)
    if given in (None, ""):
        return None
    subject = "the volume" if key == "volume" else key
    if _grouped(given):
        bad(key, f"{key} {given!r} ambigu: pemisah ribuan atau desimal?",
            f"{subject} {given!r} is ambiguous: thousands written with dots, or a decimal?", _MARKS)
        return None
    number = _number(given)
    if number is None or number < 0 or (above_zero and number == 0):
        limit_id, limit_en = ("lebih dari 0", "above 0") if above_zero else ("0 atau lebih", "of 0 or more")
        bad(key, f"{key} harus angka {limit_id}, bukan {given!r}", f"{key} must be a number {limit_en}, got {given!r}",
            _comma_hint(given))
    return number


def read_workload(source: str | os.PathLike | Iterable, levels: tuple[str, ...], periods: tuple[str, ...]
                  ) -> tuple[list[WorkloadRow], list[Problem]]:
    rows: list[WorkloadRow] = []
    problems: list[Problem] = []
    for where, raw in _records(source, WORKLOAD_SHEET):
        if isinstance(raw, InputError):
            problems.extend(raw.problems)
            continue

        def bad(field: str, id_: str, en: str, hint: str | None = None, where: Any = where) -> None:
            problems.append(Problem("W001", id_, en, path=place(where, field), hint=hint,
                                    **_file_line(source, where)))

        if not isinstance(raw, dict):
            bad("", "baris beban kerja harus berupa objek", "a workload row must be an object with fields")
            continue
        before = len(problems)
        for key in raw:
            if key not in WORKLOAD_FIELDS:
                bad(key, f"field tidak dikenal {key!r}", f"unknown field {key!r}; expected: {', '.join(WORKLOAD_FIELDS)}",
                    suggest(key, WORKLOAD_FIELDS))
        for key in ("region", "activity", "level", "volume"):
            if raw.get(key) in (None, ""):
                bad(key, f"field wajib {key!r} kosong", f"the required field {key!r} is missing")
        level, period = raw.get("level"), raw.get("period") or "year"
        if isinstance(period, str) and period not in periods:  # "Year", " month": as coded values are read
            period = next((p for p in periods if p.casefold() == period.strip().casefold()), period)
        if level not in (None, "") and level not in levels:
            bad("level", f"jenjang tidak dikenal {level!r}", f"unknown level {level!r}; expected one of: {', '.join(levels)}",
                suggest(str(level), levels))
        if period not in periods:
            bad("period", f"periode tidak dikenal {period!r}", f"unknown period {period!r}; expected one of: "
                f"{', '.join(periods)}", suggest(str(period), periods))
        volume = _amount(raw, "volume", bad, above_zero=False)
        norm = _amount(raw, "norm_minutes", bad, above_zero=True)
        for key in ("region", "activity"):
            if raw.get(key) not in (None, "") and not isinstance(raw[key], str):
                bad(key, f"{key} harus berupa teks", f"{key} must be text, got {raw[key]!r}")
        if len(problems) == before:
            rows.append(WorkloadRow(where, " ".join(raw["region"].split()), raw["activity"].strip(), level,
                                    volume, period, norm, _file_line(source, where)))
    return rows, problems


COUNT_COLUMNS = frozenset(("region", "level", "count"))  # a row of counts of officers in post


def read_existing(source: str | os.PathLike | Iterable, policy: Any, as_of: dt.date | None = None
                  ) -> tuple[dict[str, dict[str, int]], dict[str, str], list[Problem], list[str]]:
    """Counts per region key and level, display names, problems, and warnings (officer records
    whose position name is close to the policy's but not it, and those not in post on ``as_of``:
    none of them counted).

    A row of counts (``region, level, count``) counts as given; a region and level given twice is
    a problem (W014), not a sum. An officer record counts where it holds the policy's position on
    ``as_of`` (its ``position``, or its ``positions`` history's entry then; None: its ``position``
    as given), at the level it gives or its position's name ends with; the same id twice is a
    problem (W014), as is a holder without a level (W015) or a region (W016)."""
    levels = policy.levels
    warnings: list[str] = []
    counts: dict[str, dict[str, int]] = {}
    names: dict[str, str] = {}
    problems: list[Problem] = []
    rows: dict[tuple[str, str], str] = {}  # (region key, level) -> the row that gave its count
    officers: dict[str, str] = {}  # officer id -> the record that counted it
    out_of_post: list[str] = []
    for where, raw in _records(source, OFFICERS_SHEET):
        if isinstance(raw, InputError):
            problems += raw.problems
            continue
        path, located = place(where), _file_line(source, where)
        if isinstance(raw, dict) and "id" not in raw and not COUNT_COLUMNS.isdisjoint(raw):
            missing, unknown = sorted(COUNT_COLUMNS.difference(raw)), sorted(set(raw) - COUNT_COLUMNS)
            if missing or unknown:  # a row of counts, not an officer's record (which has an id)
                problems.append(Problem(
                    "W017", "baris jumlah pejabat berisi region, level, count"
                    + (f"; tidak ada {', '.join(missing)}" if missing else "")
                    + (f"; kolom tidak dikenal {', '.join(map(repr, unknown))}" if unknown else ""),
                    "a row of counts has region, level and count" + (f"; {', '.join(missing)} missing" if missing else "")
                    + (f"; unknown column(s) {', '.join(map(repr, unknown))}" if unknown else ""), path=path,
                    hint=(unknown and missing and suggest(str(unknown[0]), sorted(COUNT_COLUMNS)))
                    or "name the columns region, level, count (or give officers' records, each with its id)",
                    **located))
                continue
            region, level, count = raw["region"], raw["level"], raw["count"]
            if isinstance(count, str) and count.strip().isdigit():
                count = int(count)
            if not isinstance(region, str) or not region.strip():
                problems.append(Problem("W010", "region harus berupa nama", "region must be a name",
                                        path=place(where, "region"), **located))
            elif level not in levels:
                problems.append(Problem("W011", f"jenjang tidak dikenal {level!r}", f"unknown level {level!r}",
                                        path=place(where, "level"), hint=suggest(str(level), levels), **located))
            elif isinstance(count, bool) or not isinstance(count, int) or count < 0:
                problems.append(Problem("W012", f"count harus bilangan bulat 0 atau lebih, bukan {count!r}",
                                        f"count must be a whole number of 0 or more, got {count!r}",
                                        path=place(where, "count"), **located))
            elif (first := rows.get((key := region_key(region), level))) is not None:
                problems.append(Problem("W014", f"{region} {level} sudah diberikan di {first}; baris ini tidak dihitung",
                                        f"{region} at {level} was already given at {first}; this row is not counted "
                                        "(give each region and level once, with its whole count)", path=path, **located))
            else:
                rows[key, level] = path
                names.setdefault(key, " ".join(region.split()))
                counts.setdefault(key, {}).setdefault(level, 0)
                counts[key][level] += count
            continue
        try:  # otherwise a candidate/officer record: count the ones holding the position
            officer = structure_candidate(raw, path, policy)
        except InputError as exc:
            problems += [p if p.file else attrs.evolve(p, **located) for p in exc.problems]
            continue
        # the post held on the date; else the position given, to say below that it was not held then
        pos = (RecordView(officer, as_of).current if as_of is not None else None) or officer.position
        if not (pos and pos.name):
            continue
        identity = policy.position
        if not ((identity is None or identity.type is None or pos.type == identity.type)
                and policy.names_position(pos.name)):
            if identity is not None and difflib.get_close_matches(
                    pos.name.casefold(), [n.casefold() for n in (identity.name, *identity.aliases)], n=1, cutoff=0.75):
                warnings.append(f"{path} (id {officer.id}): position {pos.name!r} is not counted: it is close to "
                                f"{identity.name!r} but is not it; correct the name or add it to the policy's "
                                f"position aliases / jabatan tidak dihitung")
            continue
        if as_of is not None and ((pos.until is not None and pos.until < as_of)  # (until: the last day)
                                  or (pos.since is not None and pos.since > as_of)):
            out_of_post.append(path)
            continue
        level = pos.level or policy.position_level(pos.name)
        if level is None:
            problems.append(Problem("W015", f"pejabat {officer.id} tanpa jenjang: tidak dihitung",
                                    f"officer {officer.id} holds {pos.name!r} at no level: not counted",
                                    path=f"{path}.position", hint=f"give position.level: one of {', '.join(levels)}", **located))
        elif not officer.region:
            problems.append(Problem("W016", f"pejabat {officer.id} tanpa wilayah: tidak dihitung",
                                    f"officer {officer.id} has no region: not counted",
                                    path=f"{path}.region", hint="give the region the officer works in", **located))
        elif (first := officers.get(officer.id)) is not None:
            problems.append(Problem("W014", f"pejabat {officer.id} sudah dihitung di {first}",
                                    f"officer {officer.id} was already counted at {first}; this record is not counted",
                                    path=path, **located))
        else:
            officers[officer.id] = path
            key = region_key(officer.region)
            names.setdefault(key, " ".join(officer.region.split()))
            counts.setdefault(key, {}).setdefault(str(level), 0)
            counts[key][str(level)] += 1
    if out_of_post:
        warnings.append(f"{len(out_of_post)} officer record(s) not counted: not in post on {as_of} (the post ended "
                        f"or begins later; first: {out_of_post[0]}) / pejabat tidak dihitung: tidak menjabat pada "
                        "tanggal itu")
    return counts, names, problems, warnings
