"""The formation report: one self-contained HTML file (no script, no external resource), fit to
print on A4 and to attach to a proposal. Rendered from ``templates/formation.html.j2``."""

from __future__ import annotations

import datetime as dt
from importlib.metadata import PackageNotFoundError, version

import jinja2

from ..formation import FormationResult
from ..formation._summary import summarise
from ._chart import chart
from ._format import date, level_name, number
from ._labels import labels

LANGS = ("id", "en")

_ENV = jinja2.Environment(loader=jinja2.PackageLoader("formasi_rules.report", "templates"),
                          autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True,
                          lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def _catalogue(policy, as_of: dt.date):
    """The activities in force and their norms, for the parameters section (needs the policy)."""
    if policy is None or policy.formation is None:
        return None
    from ..formation._compute import Parameters

    params = Parameters(policy, as_of)
    used = [lv for lv in policy.levels if any(r.values.get(lv) is not None for r in params.activities.values())]
    rows = [{"activity": key, "name": row.values.get("name"), "unit": row.values.get("unit"),
             "norms": [row.values.get(lv) for lv in used]} for key, row in params.activities.items()]
    return {"levels": used, "rows": rows}


def render(result: FormationResult, policy=None, *, lang: str = "id") -> str:
    """The report as HTML text. With ``policy`` (the one that computed ``result``) the levels are
    in its order, the title names it and the activity catalogue is shown."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}")
    summary = summarise(result, policy.levels if policy is not None else None)
    words = labels(lang)
    try:
        made_by = version("formasi-rules")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        made_by = "?"
    return _ENV.get_template("formation.html.j2").render(
        result=result, summary=summary, lang=lang, L=words, policy_title=(
            (policy.title.id if lang == "id" else policy.title.en) if policy is not None else None),
        chart=chart(summary, {k: v[0] for k, v in words.items()}),
        catalogue=_catalogue(policy, result.as_of), params=result.parameters, version=made_by,
        n=lambda v, places=0, sign=False: number(v, places, lang=lang, sign=sign),
        day=lambda d: date(d, lang=lang), level_name=level_name,
        band_names={b["band"]: b["name"] for b in result.parameters["ej_bands"].get("bands", [])},
        adjusted=[(r, a) for r in result.rows for a in r.adjustments])
