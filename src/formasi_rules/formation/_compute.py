"""need = Σ(volume per year × norm minutes) / effective minutes per year, per region and level.

All arithmetic is in Decimal, so 21,600 / 75,000 is exactly 0.288. Every parameter
comes from the policy's tables in force on the date, and is reported with its citation.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .._errors import InvalidArgument, Problem, suggest
from ..inputs import region_key
from ..policy import Policy, Table
from ..policy._derivations import ROUNDING_MODES
from ..policy._model import as_decimal
from ._inputs import WorkloadRow, place
from ._result import Contribution, NeedRow



class Parameters:
    """The ABK parameters in force on one date, each with where it came from."""

    def __init__(self, policy: Policy, as_of: dt.date):
        settings = policy.formation
        if settings is None:
            raise InvalidArgument(f"policy {policy.name} has no 'formation:' section in policy.yaml")
        self.policy = policy

        def row(table: Table, key=None):
            found = table.row(key, as_of)
            if found is None:
                raise InvalidArgument(f"table {table.name!r} has no row for {key or 'the table'} in force on "
                                      f"{as_of} / tabel tidak punya baris yang berlaku")
            return found

        tables = policy.tables
        wt = row(tables[settings.working_time_table])
        choices = row(tables[settings.choices_table])
        self.wke = as_decimal(wt.values["effective_minutes_per_year"])
        self.rounding = choices.values["rounding"]  # a rounding the loader knows, and a band table
        band_table = tables[choices.values["ej_bands"]]  # it found (policy/_typecheck.py, P049)
        self.bands = sorted(((r.key, as_decimal(r.values["lower"]), r.values["inclusive"], r.values["name"])
                             for r in band_table.rows if r.period.contains(as_of)),
                            key=lambda b: b[1], reverse=True)
        periods = tables[settings.periods_table]
        self.per_year = {r.key: as_decimal(r.values["per_year"]) for r in periods.rows if r.period.contains(as_of)}
        catalogue = tables[settings.activities_table]
        self.activities = {r.key: r for r in catalogue.rows if r.period.contains(as_of)}
        cite = lambda t, r: (r.citation or t.citation).to_dict(policy) if (r.citation or t.citation) else None  # noqa: E731
        self.shown = {
            "effective_minutes_per_year": {"value": int(self.wke), "table": settings.working_time_table,
                                           "citation": cite(tables[settings.working_time_table], wt),
                                           **({"note": wt.note} if wt.note else {})},
            "rounding": {"value": self.rounding, "table": settings.choices_table,
                         "citation": cite(tables[settings.choices_table], choices)},
            "ej_bands": {"value": band_table.name, "citation": band_table.citation.to_dict(policy)
                         if band_table.citation else None,
                         "bands": [{"band": k, "name": n, "lower": float(lo), "inclusive": inc}
                                   for k, lo, inc, n in self.bands]},
            "periods": {"value": {k: int(v) for k, v in self.per_year.items()}, "table": settings.periods_table,
                        "citation": tables[settings.periods_table].citation.to_dict(policy)
                        if tables[settings.periods_table].citation else None},
            "activities": {"table": settings.activities_table,
                           "citation": catalogue.citation.to_dict(policy) if catalogue.citation else None,
                           **({"note": catalogue.note} if catalogue.note else {})},
        }

    def band(self, ej: Decimal) -> str | None:
        for key, lower, inclusive, _name in self.bands:
            if ej > lower or (inclusive and ej == lower):
                return key
        return None

    def round(self, need: Decimal) -> int:
        return int(need.to_integral_value(rounding=ROUNDING_MODES[self.rounding]))


def contributions(params: Parameters, rows: list[WorkloadRow]) -> tuple[list[tuple[WorkloadRow, Contribution]], list[Problem]]:
    out, problems = [], []
    for row in rows:
        entry = params.activities.get(row.activity)
        if row.norm_minutes is not None:
            norm, source = row.norm_minutes, "row"
        elif entry is None:
            problems.append(Problem(
                "W002", f"kegiatan tidak dikenal {row.activity!r}",
                f"unknown activity {row.activity!r}: it is not in the catalogue; give norm_minutes for a local "
                f"activity", path=place(row.where, "activity"), hint=suggest(row.activity, params.activities),
                **row.located))
            continue
        elif entry.values.get(row.level) is None:
            done_at = [lv for lv in params.policy.levels if entry.values.get(lv) is not None]
            problems.append(Problem(
                "W003", f"kegiatan {row.activity!r} tidak dilakukan pada jenjang {row.level}",
                f"activity {row.activity!r} is not done at {row.level} per the catalogue (it is at: "
                f"{', '.join(done_at) or 'no level'}); give norm_minutes to override", path=place(row.where, "level"),
                **row.located))
            continue
        else:
            norm, source = as_decimal(entry.values[row.level]), "catalogue"
        per_year = params.per_year[row.period]
        out.append((row, Contribution(row.activity, entry.values["name"] if entry else None, row.volume,
                                      row.period, per_year, norm, source, row.volume * per_year * norm, str(row.where))))
    return out, problems


def need_rows(params: Parameters, parts: list[tuple[WorkloadRow, Contribution]],
              existing: dict[str, dict[str, int]], names: dict[str, str]) -> list[NeedRow]:
    groups: dict[tuple[str, str], list[Contribution]] = {}
    for row, part in parts:
        key = region_key(row.region)
        names.setdefault(key, row.region)
        groups.setdefault((key, row.level), []).append(part)
    for key, levels in existing.items():
        for level in levels:
            groups.setdefault((key, level), [])
    level_order = {lv: i for i, lv in enumerate(params.policy.levels)}
    out = []
    for (key, level) in sorted(groups, key=lambda k: (k[0], level_order[k[1]])):
        parts_here = tuple(sorted(groups[(key, level)], key=lambda c: (c.activity, c.where)))
        minutes = sum((c.minutes for c in parts_here), Decimal(0))
        need_exact = minutes / params.wke
        have = existing.get(key, {}).get(level, 0)
        ej = minutes / (have * params.wke) if have else None
        out.append(NeedRow(names[key], level, minutes, need_exact, params.round(need_exact), have, ej,
                           params.band(ej) if ej is not None else None, parts_here))
    return out
