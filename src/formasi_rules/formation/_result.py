"""What a formation computation returns (``FormationResult.to_dict()`` is the JSON shape)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_DOWN, Decimal
from typing import Any

import attrs

from .._errors import Problem
from .._json import copied


def num(value: Decimal | None, places: int = 6) -> int | float | None:
    """A Decimal as a JSON number, exact up to ``places`` decimals, the rest cut off: shown rounded,
    a value just under a threshold the computation rounds or bands at (0.49999996 of an officer, to
    be rounded half up) would read as the threshold itself (0.5) beside a result that is not."""
    if value is None:
        return None
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN).normalize()
    return int(q) if q == q.to_integral() else float(q)


@attrs.frozen
class Contribution:
    """One workload row's share: volume per year x norm minutes."""

    activity: str
    name: str | None
    volume: Decimal
    period: str
    per_year: Decimal
    norm_minutes: Decimal
    norm_from: str  # "catalogue" or "row"
    minutes: Decimal
    where: str

    def to_dict(self) -> dict[str, Any]:
        out = {"activity": self.activity, "volume": num(self.volume), "period": self.period,
               "per_year": num(self.per_year), "norm_minutes": num(self.norm_minutes),
               "norm_from": self.norm_from, "minutes": num(self.minutes), "row": self.where}
        if self.name:
            out["name"] = self.name
        if self.norm_from == "row" and self.name is None:
            out["note"] = "local activity, not in the catalogue; norm minutes from the row"
        return out


@attrs.frozen
class Adjustment:
    """A formation rule that changed the rounded need."""

    rule: str
    before: int
    after: int
    message: dict[str, str]
    citation: dict[str, Any]
    values_from: tuple[dict[str, Any], ...] = ()  # table rows the bound was read from

    def to_dict(self) -> dict[str, Any]:
        # a fresh copy: a row's citation is shared by the rows citing it, a citation by the rule's reasons
        return copied(attrs.asdict(self, recurse=False))


@attrs.frozen
class NeedRow:
    """Need versus existing officers for one region and level (kebutuhan formasi)."""

    region: str
    level: str
    workload_minutes: Decimal
    need_exact: Decimal
    need: int
    existing: int
    ej: Decimal | None
    band: str | None
    contributions: tuple[Contribution, ...]
    adjustments: tuple[Adjustment, ...] = ()

    @property
    def gap(self) -> int:
        return self.need - self.existing

    def to_dict(self) -> dict[str, Any]:
        return {"region": self.region, "level": self.level,
                "workload_minutes": num(self.workload_minutes), "need_exact": num(self.need_exact),
                "need": self.need, "existing": self.existing, "gap": self.gap,
                "ej": num(self.ej), "band": self.band,
                "contributions": [c.to_dict() for c in self.contributions],
                "adjustments": [a.to_dict() for a in self.adjustments]}


def _totals(rows) -> dict[str, Any]:
    need_exact = sum((r.need_exact for r in rows), Decimal(0))
    return {"workload_minutes": num(sum((r.workload_minutes for r in rows), Decimal(0))),
            "need_exact": num(need_exact), "need": sum(r.need for r in rows),
            "existing": sum(r.existing for r in rows), "gap": sum(r.gap for r in rows)}


_ROW = re.compile(r"\$\[\d+\]|[^!]+![^:]+:\d+")  # a row's place at the start of a problem's path


@attrs.frozen
class FormationResult:
    """Need per region and level, with totals, the parameters used and every problem met."""

    as_of: dt.date
    policy: dict[str, str]
    backend: str
    parameters: dict[str, Any]
    rows: tuple[NeedRow, ...]
    problems: tuple[Problem, ...]  # rejected rows; the rest was computed
    warnings: tuple[str, ...]

    def row(self, region: str, level: str) -> NeedRow:
        from ..inputs import region_key

        for r in self.rows:
            if region_key(r.region) == region_key(region) and r.level == level:
                return r
        raise KeyError((region, level))

    @property
    def rejected_rows(self) -> int:
        """How many input rows the problems reject (a row with two problems is one row): by file and
        row, ``$[3]`` of ``$[3].volume``, ``book!sheet:7`` of ``book!sheet:7:D``."""
        return len({(p.file, _ROW.match(p.path).group(0) if p.path and _ROW.match(p.path) else (p.path, p.line))
                    for p in self.problems})

    def open_places(self) -> dict[str, dict[str, int]]:
        """Places open for appointment: the shortfall (need - existing), never negative."""
        out: dict[str, dict[str, int]] = {}
        for r in self.rows:
            out.setdefault(r.region, {})[r.level] = max(r.gap, 0)
        return out

    def to_dict(self) -> dict[str, Any]:
        regions: dict[str, list[NeedRow]] = {}
        for r in self.rows:
            regions.setdefault(r.region, []).append(r)
        # a fresh copy: its dicts and lists are the caller's own
        return {"as_of": self.as_of.isoformat(), "policy": dict(self.policy), "backend": self.backend,
                "parameters": copied(self.parameters), "rows": [r.to_dict() for r in self.rows],
                "totals": {"regions": {name: _totals(rows) for name, rows in regions.items()},
                           "all": _totals(self.rows)},
                "problems": [p.to_dict() for p in self.problems], "warnings": list(self.warnings)}
