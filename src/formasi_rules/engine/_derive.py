"""Derived facts: values the rules test that a candidate record does not state directly.

Computed once per candidate and evaluation date, shown in the result under
``derived`` and used by every rule:

- ``age``, ``years_in_rank``, ``years_in_position``: completed years on the date;
- ``performance_worst_Ny``: the lowest rating over the N completed years before the date
  (missing when a year of that window has no rating);
- ``credit_points``: as given, or derived from the rating history in the current position
  with the policy's coefficient and multiplier tables (months/12 x percent x coefficient
  per year, rounded half up per year);
- ``formation_open``: open places at each level in the candidate's region.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import attrs

from .._errors import InputError, Problem, suggest
from ..inputs import Candidate, Formation, region_key
from ..policy import Policy
from ..policy._model import as_decimal

WORST_WINDOWS = (1, 2, 3)


@attrs.frozen
class Derived:
    """The values of every field for one candidate on one date (absent = not known)."""

    values: dict[str, Any]  # field -> str | int | Decimal | date
    per_level: dict[str, dict[str, Any]]  # field -> level -> value
    explain: dict[str, Any]  # JSON-able account of how derived values were reached


def completed_years(start: dt.date, day: dt.date) -> int:
    years = day.year - start.year
    return years - 1 if (day.month, day.day) < (start.month, start.day) else years


def derive(candidate: Candidate, as_of: dt.date, policy: Policy,
           formation: Formation | None) -> Derived:
    c = candidate
    values: dict[str, Any] = {"as_of": as_of}
    explain: dict[str, Any] = {}
    problems = []
    for name, when in (("birth_date", c.birth_date), ("rank_since", c.rank_since),
                       ("position.since", c.position.since if c.position else None)):
        if when is not None and when > as_of:
            problems.append(Problem("I020", f"{name} {when} sesudah tanggal penilaian {as_of}",
                                    f"{name} {when} is after the evaluation date {as_of}",
                                    path=f"$.{name}"))
    if problems:
        raise InputError(problems)

    for name in ("employment_status", "education", "rank", "experience_years"):
        value = getattr(c, name)
        if value is not None:
            values[name] = str(value) if isinstance(value, str) else value
    if c.position:
        for attr in ("type", "name", "level"):
            value = getattr(c.position, attr)
            if value is not None:
                values[f"position_{attr}"] = str(value)
        if c.position.since:
            values["years_in_position"] = completed_years(c.position.since, as_of)
    if c.competency_test:
        if c.competency_test.status:
            values["competency_test_status"] = str(c.competency_test.status)
        if c.competency_test.level:
            values["competency_test_level"] = str(c.competency_test.level)
    if c.birth_date:
        values["age"] = completed_years(c.birth_date, as_of)
    if c.rank_since:
        values["years_in_rank"] = completed_years(c.rank_since, as_of)

    ratings = {p.year: str(p.rating) for p in c.performance or ()}
    rank_of = policy.scales["rating"]
    for n in WORST_WINDOWS:
        window = range(as_of.year - n, as_of.year)
        if ratings and all(y in ratings for y in window):
            values[f"performance_worst_{n}y"] = min((ratings[y] for y in window), key=rank_of.__getitem__)

    credit, credit_explain = _credit_points(c, as_of, policy, ratings)
    if credit is not None:
        values["credit_points"] = credit
    explain["credit_points"] = credit_explain

    per_level: dict[str, dict[str, Any]] = {}
    if formation is None:
        explain["formation"] = "no formation data given / data formasi tidak diberikan"
    elif not c.region:
        explain["formation"] = "the candidate has no region / wilayah kandidat tidak diisi"
    elif region_key(c.region) not in formation:
        hint = suggest(region_key(c.region), formation)
        explain["formation"] = f"region {c.region!r} is not in the formation data" + (f" ({hint})" if hint else "")
    else:
        places = formation[region_key(c.region)]
        per_level["formation_open"] = {lv: places.get(lv, 0) for lv in policy.levels}
    return Derived(values, per_level, explain)


def _credit_points(c: Candidate, as_of: dt.date, policy: Policy, ratings: dict[int, str]):
    if c.credit_points is not None:
        return c.credit_points, {"source": "given"}
    pos = c.position
    if not pos or pos.type != "jf" or not pos.level or not pos.since:
        return None, {"source": "unknown",
                      "why": "not given, and no JF position with level and start date to derive them from"}
    settings = policy.credit_points
    coefficients = policy.tables[settings.coefficient_table]
    multipliers = policy.tables[settings.multiplier_table]
    step = Decimal(1).scaleb(-settings.decimals)
    total = Decimal(0)
    years = []
    for year in range(pos.since.year, as_of.year):
        if year not in ratings:
            return None, {"source": "unknown", "why": f"not given, and year {year} has no rating"}
        months = 12 if year > pos.since.year else 13 - pos.since.month
        day = min(dt.date(year, 12, 31), as_of)
        coef_row = coefficients.row(str(pos.level), day)
        mult_row = multipliers.row(ratings[year], day)
        if coef_row is None or mult_row is None:
            return None, {"source": "unknown",
                          "why": f"not given, and no coefficient is in force for {year}: give credit_points"}
        coefficient = as_decimal(coef_row.values["coefficient"])
        percent = as_decimal(mult_row.values["percent"])
        points = (Decimal(months) / 12 * percent / 100 * coefficient).quantize(step, ROUND_HALF_UP)
        total += points
        years.append({"year": year, "months": months, "rating": ratings[year],
                      "percent": _num(percent), "coefficient": _num(coefficient), "points": _num(points)})
    return total, {"source": "derived", "level": str(pos.level), "years": years}


def _num(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral() else float(value)
