"""Rendering a FormationResult: table, CSV, and a self-contained HTML report with a chart."""

from __future__ import annotations

import csv
import html
import io

from ..formation import FormationResult
from ..formation._result import num

FORMATS = ("json", "table", "csv", "html")
COLUMNS = ("region", "level", "workload_minutes", "need_exact", "need", "existing", "gap", "ej", "band")


def _cells(result: FormationResult):
    for row in result.rows:
        d = row.to_dict()
        yield [d[c] if d[c] is not None else "" for c in COLUMNS]


def table(result: FormationResult) -> str:
    out = [f"{'region':<38} {'level':<13} {'workload min':>13} {'need exact':>11} {'need':>5} "
           f"{'existing':>8} {'gap':>5} {'EJ':>7} band"]
    for region, level, minutes, exact, need, have, gap, ej, band in _cells(result):
        out.append(f"{region:<38} {level:<13} {minutes:>13} {exact:>11} {need:>5} {have:>8} {gap:>5} "
                   f"{ej!s:>7} {band}")
    total = result.to_dict()["totals"]["all"]
    out.append(f"{'total':<38} {'':<13} {total['workload_minutes']:>13} {total['need_exact']:>11} "
               f"{total['need']:>5} {total['existing']:>8} {total['gap']:>5}")
    for row in result.rows:
        for adj in row.adjustments:
            out.append(f"note: {row.region} {row.level}: {adj.message['en']} [{adj.rule}]")
    return "\n".join(out) + "\n"


def to_csv(result: FormationResult) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    writer.writerows(_cells(result))
    return buf.getvalue()


def to_html(result: FormationResult) -> str:
    """One HTML file, no external resources: a chart of need vs existing, then the full table."""
    e = html.escape
    rows = result.rows
    top = max([r.need for r in rows] + [r.existing for r in rows] + [1])
    bar_h, gap, left, width = 14, 6, 330, 420
    svg = []
    y = 20
    for r in rows:
        label = f"{r.region} — {r.level.replace('_', ' ')}"
        svg.append(f'<text x="{left - 8}" y="{y + bar_h}" text-anchor="end">{e(label)}</text>')
        for i, (value, cls) in enumerate(((r.need, "need"), (r.existing, "have"))):
            w = width * value / top
            svg.append(f'<rect class="{cls}" x="{left}" y="{y + i * (bar_h // 2 + 1)}" width="{w:.1f}" '
                       f'height="{bar_h // 2}"><title>{e(label)}: {cls} {value}</title></rect>')
        svg.append(f'<text x="{left + width * max(r.need, r.existing) / top + 6}" y="{y + bar_h}">'
                   f'{r.need} / {r.existing}</text>')
        y += bar_h + gap
    total = result.to_dict()["totals"]["all"]
    params = result.parameters
    trs = "\n".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in cells) + "</tr>" for cells in _cells(result))
    notes = "".join(f"<li>{e(r.region)} {e(r.level)}: {e(a.message['en'])} <code>{e(a.rule)}</code></li>"
                    for r in rows for a in r.adjustments)
    problems = "".join(f"<li>{e(str(p))}</li>" for p in result.problems)
    return f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<title>Kebutuhan formasi {e(result.policy["name"])} — {e(result.as_of.isoformat())}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 2px 6px; text-align: right; }}
td:first-child, td:nth-child(2), th {{ text-align: left; }}
rect.need {{ fill: #1f6feb; }} rect.have {{ fill: #9aa4ad; }} svg text {{ font-size: 11px; }}
.legend span {{ display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; }}
</style></head><body>
<h1>Kebutuhan formasi / Formation need — {e(result.policy["name"])}</h1>
<p>As of {e(result.as_of.isoformat())} · policy {e(result.policy['name'])} {e(result.policy['version'])}
 · effective working time {params['effective_minutes_per_year']['value']} minutes/year
 · rounding {e(params['rounding']['value'])} · efficiency bands {e(params['ej_bands']['value'])}</p>
<p>Total: need {total['need']} (exact {total['need_exact']}), existing {total['existing']}, gap {total['gap']}.</p>
<p class="legend"><span style="background:#1f6feb"></span>need (kebutuhan)
<span style="background:#9aa4ad"></span>existing (pejabat yang ada)</p>
<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" height="{y + 10}">{''.join(svg)}</svg>
<h2>Per region and level</h2>
<table><tr>{''.join(f'<th>{c}</th>' for c in COLUMNS)}</tr>
{trs}
</table>
{f'<h2>Formation rules applied</h2><ul>{notes}</ul>' if notes else ''}
{f'<h2>Rows not computed</h2><ul>{problems}</ul>' if problems else ''}
<p><small>Synthetic example data where so marked. Workload norms and parameters with their citations are in the JSON output
(<code>formasi formation --format json</code>).</small></p>
</body></html>
"""


__all__ = ["FORMATS", "num", "table", "to_csv", "to_html"]
