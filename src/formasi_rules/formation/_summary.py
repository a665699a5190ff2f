"""The formation result seen per region, as a report shows it (ringkasan per wilayah).

Regions come sorted by shortfall, largest first: the ones to act on head the list. A region's
shortfall is the sum of its shortfalls per level, so a surplus at one level never hides a
shortfall at another; a surplus is reported apart.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from ._result import FormationResult, NeedRow


@attrs.frozen
class Cell:
    need: int
    existing: int

    @property
    def gap(self) -> int:
        return self.need - self.existing


@attrs.frozen
class RegionSummary:
    region: str
    cells: dict[str, Cell]  # level -> need and existing; a level without a row is absent
    rows: tuple[NeedRow, ...]

    @property
    def need(self) -> int:
        return sum(c.need for c in self.cells.values())

    @property
    def existing(self) -> int:
        return sum(c.existing for c in self.cells.values())

    @property
    def shortfall(self) -> int:  # kekurangan: officers to add, summed over levels
        return sum(max(c.gap, 0) for c in self.cells.values())

    @property
    def surplus(self) -> int:  # kelebihan
        return sum(max(-c.gap, 0) for c in self.cells.values())

    @property
    def workload_minutes(self) -> Decimal:
        return sum((r.workload_minutes for r in self.rows), Decimal(0))


@attrs.frozen
class Summary:
    levels: tuple[str, ...]  # the levels that have a row somewhere, in the policy's order
    regions: tuple[RegionSummary, ...]  # by shortfall, then need, largest first; then by name
    totals: dict[str, Cell]  # per level, for all regions (the province)

    @property
    def need(self) -> int:
        return sum(r.need for r in self.regions)

    @property
    def existing(self) -> int:
        return sum(r.existing for r in self.regions)

    @property
    def shortfall(self) -> int:
        return sum(r.shortfall for r in self.regions)

    @property
    def surplus(self) -> int:
        return sum(r.surplus for r in self.regions)

    @property
    def without_officers(self) -> tuple[RegionSummary, ...]:
        """Regions with no officer in post at any level (wilayah tanpa pejabat)."""
        return tuple(r for r in self.regions if r.existing == 0)


def summarise(result: FormationResult, levels: tuple[str, ...] | None = None) -> Summary:
    """``levels`` in the policy's order (``policy.levels``); by default, as the rows first name them."""
    order = list(levels or ())
    for row in result.rows:
        if row.level not in order:
            order.append(row.level)
    present = tuple(lv for lv in order if any(r.level == lv for r in result.rows))
    grouped: dict[str, list[NeedRow]] = {}
    for row in result.rows:
        grouped.setdefault(row.region, []).append(row)
    regions = [RegionSummary(name, {r.level: Cell(r.need, r.existing) for r in rows}, tuple(rows))
               for name, rows in grouped.items()]
    regions.sort(key=lambda r: (-r.shortfall, -r.need, r.region.casefold()))
    totals = {lv: Cell(sum(r.cells[lv].need for r in regions if lv in r.cells),
                       sum(r.cells[lv].existing for r in regions if lv in r.cells)) for lv in present}
    return Summary(present, tuple(regions), totals)
