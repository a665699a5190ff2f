"""Query options of the evaluation endpoints, checked against the policy in service.

Route and level names come from the policy's own plan for ``as_of``, never from a fixed
list, so the service knows no regulation's vocabulary.
"""

from __future__ import annotations

import datetime as dt

import attrs
from starlette.requests import Request

from .. import Engine, InvalidArgument
from .._dates import date_hint, iso_date
from ..engine._engine import filter_names
from ._errors import bad_parameter, halves, not_found, unavailable
from ._policies import Registry, Slot

LAYOUTS = ("full", "compact")


@attrs.frozen
class Options:
    slot: Slot
    engine: Engine
    as_of: dt.date
    route: str | None
    level: str | None
    layout: str
    formation: str | None = None  # the path of a formation the service holds, by its name


def pick(registry: Registry, name: str | None) -> Slot:
    """The policy a request names (``?policy=``), or the only one."""
    if name is None:
        name = registry.default
        if name is None:
            raise bad_parameter("policy", f"required: this service holds {', '.join(registry.slots)}",
                                f"wajib: layanan ini memuat {', '.join(registry.slots)}")
    slot = registry.slots.get(name)
    if slot is None:
        raise not_found(f"policy {name!r} (loaded: {', '.join(registry.slots)})")
    if slot.engine is None:
        raise unavailable(name, [])
    return slot


def query(request: Request, known: tuple[str, ...] | None = None):
    """The request's query parameters, each given once (of ``?as_of=A&as_of=B`` any one taken
    would be a guess), and with ``known`` none other than those (a misspelt one would be ignored)."""
    q = request.query_params
    for name in q:
        if len(q.getlist(name)) > 1:
            raise bad_parameter(name, "given more than once; give it once", "diberikan lebih dari sekali; "
                                "berikan sekali saja")
    unknown = sorted(set(q) - set(known)) if known is not None else []
    if unknown:
        listed = ", ".join(known) or "none"
        raise bad_parameter(unknown[0], f"unknown parameter; known: {listed}",
                            f"parameter tidak dikenal; yang dikenal: {listed}")
    return q


def as_of(request: Request, *, required: bool = True) -> dt.date | None:
    value = query(request).get("as_of")
    if value is None:
        if required:
            raise bad_parameter("as_of", "required, a date like 2025-10-09", "wajib, tanggal seperti 2025-10-09")
        return None
    try:
        return iso_date(value)
    except ValueError:
        raise bad_parameter("as_of", f"expected a date like 2025-10-09, got {value!r}",
                            f"harus tanggal seperti 2025-10-09, bukan {value!r}", date_hint(value)) from None


def options(request: Request, registry: Registry, *, default_layout: str = "full") -> Options:
    q = query(request, ("as_of", "route", "level", "layout", "policy", "formation"))
    formation = q.get("formation")
    if formation is not None and formation not in registry.formations:
        held = ", ".join(registry.formations) or "none (start with --formations DIR)"
        raise bad_parameter("formation", f"no formation named {formation!r}; held: {held}",
                            f"tidak ada formasi bernama {formation!r}; yang ada: {held}")
    slot = pick(registry, q.get("policy"))
    engine = slot.engine
    day = as_of(request)
    try:
        targets = list(engine.plan(day).targets)
    except InvalidArgument as exc:
        raise bad_parameter("as_of", *halves(exc)) from None
    layout = q.get("layout", default_layout)
    if layout not in LAYOUTS:
        raise bad_parameter("layout", f"expected full or compact, got {layout!r}",
                            f"harus full atau compact, bukan {layout!r}")
    chosen = {}
    named = filter_names(engine.policy, q.get("route"), q.get("level"))  # "Ahli Pertama" as a record's request
    for index, name in ((0, "route"), (1, "level")):
        value = named[index]
        known = list(dict.fromkeys(t[index] for t in targets))
        if value is not None and value not in known:
            raise bad_parameter(name, f"{value!r} is not one of the policy's: {', '.join(known)}",
                                f"{value!r} bukan salah satu dari kebijakan: {', '.join(known)}")
        chosen[name] = value
    path = str(registry.formations[formation]) if formation is not None else None
    return Options(slot, engine, day, chosen["route"], chosen["level"], layout, path)
