"""One formation computation from start to end (what ``Engine.formation`` runs)."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Iterable
from typing import Any

from .._errors import Problem, suggest
from ..inputs import region_key
from ..policy import Policy
from ..sheets._layout import OFFICERS_SHEET, is_workbook
from ..sheets._read import sheet_names
from ._compute import Parameters, contributions, need_rows
from ._existing import read_existing
from ._inputs import place, read_workload
from ._result import FormationResult
from ._rules import TooLarge, apply_rules


def run_formation(policy: Policy, backend, plan, bounds, workload: str | os.PathLike | Iterable,
                  existing: str | os.PathLike | Iterable | None, as_of: dt.date) -> FormationResult:
    params = Parameters(policy, as_of)
    if existing is None and is_workbook(workload) and OFFICERS_SHEET in sheet_names(workload):
        existing = workload  # a filled-in template holds the officers in post on its own sheet
    periods = tuple(params.per_year)  # the periods with a factor in force on the date (a row may end before it)
    rows, problems = read_workload(workload, policy.levels, periods)
    if existing is not None:
        counts, names, more, warnings = read_existing(existing, policy, as_of)
    else:  # said, so that a workbook without its officers' sheet does not read as none in post anywhere
        counts, names, more = {}, {}, []
        where = f"the workbook has no {OFFICERS_SHEET!r} sheet" if is_workbook(workload) else \
            "no existing officers: --existing, or existing= in Python"
        warnings = [f"no officers in post were given ({where}): existing is 0 everywhere, and the gap is the "
                    "whole need / tidak ada data pejabat: jumlah yang ada dianggap 0"]
    warnings += _repeated(rows)
    warnings += _one_region_two_ways([r.region for r in rows] + list(names.values()))
    parts, found = contributions(params, rows)
    problems = sorted(problems + found, key=_in_input_order) + more  # the workload's, row by row; then the officers'
    need = []
    for row in need_rows(params, parts, counts, names):
        try:
            need.append(apply_rules(row, plan, bounds, backend, policy))
        except TooLarge:
            problems.append(_too_large(row))
    worked = {region_key(r.region): r.region for r, _ in parts}  # key -> the name as written
    for key in sorted(set(counts) - set(worked)):
        close = difflib.get_close_matches(key, list(worked), n=1, cutoff=0.6)
        hint = suggest(worked[close[0]], list(worked.values())) if close else None  # the name as written
        warnings.append(f"region {names[key]!r} has officers but no workload rows"
                        + (f" ({hint})" if hint else "") + " / wilayah tanpa data beban kerja")
    return FormationResult(as_of, policy.identity(), backend.name, params.shown, tuple(need),
                           tuple(problems), tuple(warnings))


def _in_input_order(problem: Problem) -> tuple:
    """A workload problem's place in its input: its line, else its row in the path (``$[12]``,
    ``book!sheet:12:D``), numbers compared as numbers."""
    parts = re.split(r"(\d+)", problem.path or "")
    return problem.line or 0, [int(x) if x.isdigit() else x for x in parts]


def _one_region_two_ways(written: list[str]) -> list[str]:
    """A warning per two names that may be one region written two ways: word for word the same, or
    a word short for the other's ("Kab. Banyuasin", "Kabupaten Banyuasin"). Each is computed as a
    region of its own, so a need would be counted twice (and a minimum staffing given twice)."""
    names = {region_key(name): name for name in reversed(written)}  # key -> the name as first written
    said = []
    keys = sorted(names)
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            wa, wb = a.split(), b.split()  # (a key is its words; two keys are two lists of them)
            if len(wa) == len(wb) and all(x == y or _short_for(x, y) or _short_for(y, x) for x, y in zip(wa, wb)):
                said.append(f"regions {names[a]!r} and {names[b]!r} are computed apart: if they are one region, "
                            f"write it one way / {names[a]!r} dan {names[b]!r} dihitung sebagai dua wilayah")
    return said


def _short_for(short: str, word: str) -> bool:
    """Whether ``short`` abbreviates ``word`` (kab, kot for kabupaten, kota): a word of three or
    four letters beginning it. Longer words that begin another are names of their own (Banjar,
    Banjarbaru; Sumba, Sumbawa)."""
    return 3 <= len(short) <= 4 < len(word) and word.startswith(short)


def _repeated(rows) -> list[str]:
    """A warning per activity a region gives twice at one level: both rows are counted (an activity
    done by two units is two rows), but a row pasted twice would double its workload unseen."""
    first: dict[tuple, Any] = {}
    said = []
    for row in rows:
        key = (region_key(row.region), row.activity, row.level)
        if key in first:
            said.append(f"{_at(row)}: {row.activity} at {row.level} in {row.region} is also given at "
                        f"{_at(first[key])}; both rows are counted (merge them if one is a copy) / kegiatan "
                        "yang sama diberikan dua kali, keduanya dihitung")
        else:
            first[key] = row
    return said


def _at(row) -> str:
    """A workload row's place: its file and line where it has them, and its record."""
    file, line = row.located.get("file"), row.located.get("line")
    return f"{file}:{line} {place(row.where)}" if file and line else place(row.where)


def _too_large(row) -> Problem:
    rows = ", ".join(c.where for c in row.contributions[:5]) + (" ..." if len(row.contributions) > 5 else "")
    return Problem("W013", f"beban kerja {row.region} {row.level} terlalu besar untuk dihitung ({row.workload_minutes} "
                   "menit)", f"the workload of {row.region} at {row.level} is too large to compute "
                   f"({row.workload_minutes} minutes a year); it is left out", path=rows or None,
                   hint="check the volumes and their unit (a volume per year, month, week or day) / periksa volume dan "
                   "satuannya (volume per tahun, bulan, minggu atau hari)")
