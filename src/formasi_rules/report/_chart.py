"""The chart of the report: small multiples, one panel per level, regions in the same order in
every panel (the summary's, by shortfall). In each panel a light bar is the need, a dark bar
inside it the officers in post, and the part of the need not covered is red: the shortfall.
Inline SVG, drawn here: no script, no external file."""

from __future__ import annotations

from html import escape

from ..formation._summary import Summary
from ._format import level_name

ROW, TOP, LABEL, GAP_X = 18, 44, 226, 16


def _ticks(top: int) -> list[int]:
    step = max(1, -(-top // 5))
    return list(range(0, top + 1, step))


def chart(summary: Summary, labels: dict[str, str], *, width: int = 840) -> str:
    levels = summary.levels
    if not levels or not summary.regions:
        return ""
    panel = (width - LABEL - GAP_X * (len(levels) - 1)) / len(levels)
    height = TOP + ROW * len(summary.regions) + 24
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="{escape(labels["chart"])}">']
    for i, region in enumerate(summary.regions):
        y = TOP + i * ROW
        if i % 2:
            out.append(f'<rect class="band" x="0" y="{y}" width="{width}" height="{ROW}"/>')
        out.append(f'<text class="region" x="{LABEL - 8}" y="{y + ROW / 2 + 4}" text-anchor="end">'
                   f'{escape(region.region)}</text>')
    for p, level in enumerate(levels):
        x0 = LABEL + p * (panel + GAP_X)
        usable = panel - 34  # room for the value label
        top = max([c.need for r in summary.regions for lv, c in r.cells.items() if lv == level]
                  + [c.existing for r in summary.regions for lv, c in r.cells.items() if lv == level] + [1])
        scale = usable / top
        out.append(f'<text class="panel" x="{x0}" y="16">{escape(level_name(level))}</text>')
        for t in _ticks(top):
            x = x0 + t * scale
            out.append(f'<line class="grid" x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" '
                       f'y2="{TOP + ROW * len(summary.regions)}"/>')
            out.append(f'<text class="tick" x="{x:.1f}" y="{TOP - 10}" text-anchor="middle">{t}</text>')
        for i, region in enumerate(summary.regions):
            cell = region.cells.get(level)
            if cell is None:
                continue
            y = TOP + i * ROW
            need_w, have_w = cell.need * scale, cell.existing * scale
            tip = (f'{region.region}, {level_name(level)}: {labels["need"]} {cell.need}, '
                   f'{labels["existing"]} {cell.existing}')
            out.append(f'<g><title>{escape(tip)}</title>')
            out.append(f'<rect class="need" x="{x0}" y="{y + 3}" width="{need_w:.1f}" height="{ROW - 6}"/>')
            if cell.need > cell.existing:
                out.append(f'<rect class="short" x="{x0 + have_w:.1f}" y="{y + 3}" '
                           f'width="{need_w - have_w:.1f}" height="{ROW - 6}"/>')
            if cell.existing:
                out.append(f'<rect class="have" x="{x0}" y="{y + 6}" width="{have_w:.1f}" height="{ROW - 12}"/>')
            value_x = x0 + max(need_w, have_w) + 4
            mark = " short-label" if cell.gap > 0 else (" surplus-label" if cell.gap < 0 else "")
            out.append(f'<text class="value{mark}" x="{value_x:.1f}" y="{y + ROW / 2 + 4}">'
                       f'{cell.need}/{cell.existing}</text></g>')
    out.append("</svg>")
    return "".join(out)
