"""Allocating open places when more candidates are eligible than there are places.

The order comes from the policy's ``allocation:`` section: first the route (promotion before
transfer before first appointment, as the policy lists them), then each ``order_by`` field in
turn (a missing value comes last), then the candidate id, so the result never depends on input
order. A candidate receives at most one place; levels are filled from the highest down. Every
eligible candidate is told the outcome: allocated, not allocated (with rank and the places), or
allocated elsewhere.
"""

from __future__ import annotations

from typing import Any

import attrs

from .._errors import InvalidArgument
from ..inputs import Formation, region_key
from ..policy import Policy
from ..policy._fields import OPEN_PLACES
from ._encode import encode
from ._frozen import frozen
from ._result import ELIGIBLE, Decision, RecordError, Result


def consumes_place(decision: Decision) -> bool:
    """A decision that needed an open formation place (its reasons read the open places)."""
    return any(OPEN_PLACES in r.actual for r in decision.reasons)


def _other_places(res: Result, places: Formation) -> str | None:
    """How the open places ``res`` was evaluated with differ from ``places`` for its region (the
    values its checks read), or None where they agree or no check read them."""
    seen = res.actual.get(OPEN_PLACES, _UNREAD)
    region = res.values.get("region")
    if seen is _UNREAD or not region:
        return None
    if seen is not None and all(v is None for v in seen.values()):
        seen = None  # no formation given, or its region not in it
    here = places.get(region_key(region))
    if seen is None:
        return None if here is None else f"none for {region} when evaluated, {_said(here)} here"
    if here is None:
        return f"{_said(seen)} in {region} when evaluated, none here"
    differ = {lv: (v, here.get(lv, 0)) for lv, v in seen.items() if v != here.get(lv, 0)}
    if not differ:
        return None
    return f"in {region}, " + "; ".join(f"{lv} {then} when evaluated, {now} here" for lv, (then, now) in differ.items())


def _said(places: Any) -> str:
    return ", ".join(f"{lv} {n}" for lv, n in places.items()) or "0"


_UNREAD = object()


def allocate(policy: Policy, results: list[Any], places: Formation) -> list[Any]:
    settings = policy.allocation
    if settings is None:
        raise InvalidArgument(f"policy {policy.name} has no 'allocation:' section in policy.yaml")
    first: dict[str, int] = {}
    dates: set = set()
    for i, res in enumerate(results):  # one place per person: the same id twice would get two
        if not isinstance(res, (Result, RecordError)):
            raise InvalidArgument(f"item {i} of the results is {type(res).__name__}, not a Result or RecordError: "
                                  "give allocate what evaluate / evaluate_many returned")
        if isinstance(res, Result) and res.policy.get("digest") != policy.digest:
            raise InvalidArgument(f"item {i} (candidate {res.candidate!r}) was evaluated on policy "
                                  f"{res.policy.get('name')} {res.policy.get('version')}, not on this engine's "
                                  f"{policy.name} {policy.version} (digest {policy.digest[:15]}...): evaluate "
                                  "the records again with this engine")
        if isinstance(res, Result):
            differ = _other_places(res, places)
            if differ is not None:  # the eligible would be told "no place" for places they were not given
                raise InvalidArgument(
                    f"item {i} (candidate {res.candidate!r}) was evaluated with other open places than the ones "
                    f"allocate was given ({differ}): give allocate the formation= the results were evaluated "
                    "with (evaluate_many(..., formation=f), then allocate(results, formation=f)) / formasi saat "
                    "penilaian berbeda dengan formasi yang dibagikan")
            dates.add(res.as_of)
            if res.candidate in first:
                raise InvalidArgument(
                    f"the results hold candidate {res.candidate!r} twice (items {first[res.candidate]} and {i}); "
                    "allocation gives each candidate at most one place. Evaluate the records with "
                    "evaluate_many, which makes a later record with the same id an error record (I031)")
            first[res.candidate] = i
    if len(dates) > 1:
        raise InvalidArgument(f"the results were evaluated on different dates ({', '.join(map(str, sorted(dates)))}): "
                              "places are allocated among candidates decided on one date")
    route_rank = {r: i for i, r in enumerate(settings.routes)}
    level_rank = {lv: i for i, lv in enumerate(policy.levels)}
    # (region, level) -> candidate index -> that candidate's eligible decisions needing a place there
    pools: dict[tuple[str, str], dict[int, list[int]]] = {}
    for i, res in enumerate(results):
        region = res.values.get("region") if isinstance(res, Result) else None
        if not region:
            continue
        for j, d in enumerate(res.decisions):
            if d.outcome == ELIGIBLE and consumes_place(d):
                pools.setdefault((region_key(region), d.level), {}).setdefault(i, []).append(j)

    def key(i: int, j: int) -> tuple:
        res = results[i]
        out: list[Any] = [route_rank.get(res.decisions[j].route, len(route_rank))]
        for field, descending in settings.order_by:
            value = res.values.get(field)
            if value is None:
                out.append((1, 0))  # missing values come last, whatever the direction
            else:
                number = encode(policy.fields[field], value, policy)
                out.append((0, -number if descending else number))
        out.append(res.candidate)
        return tuple(out)

    citation = frozen(settings.citation.to_dict(policy))  # one for every note: read-only, as a reason's values
    order_text = ", ".join(["route"] + [f"{f} ({'desc' if d else 'asc'})" for f, d in settings.order_by]
                           + ["candidate id"])
    given: dict[int, tuple[str, str]] = {}
    notes: dict[tuple[int, int], dict[str, Any]] = {}
    # a candidate competes once per pool, by their best route into it
    best = {pool: {i: min(js, key=lambda j, i=i: route_rank.get(results[i].decisions[j].route, len(route_rank)))
                   for i, js in members.items()} for pool, members in pools.items()}
    for (region, level) in sorted(pools, key=lambda p: (-level_rank[p[1]], p[0])):
        entrants = sorted(best[(region, level)].items(), key=lambda item: key(*item))
        open_places = places.get(region, {}).get(level, 0)
        taken = 0
        for rank, (i, j) in enumerate(entrants, 1):
            common = {"rank": rank, "competitors": len(entrants), "places": open_places,
                      "priority": order_text, "citation": citation}
            if i in given:
                other = given[i]
                notes[(i, j)] = {"status": "allocated_elsewhere", **common, "message": {
                    "id": f"Sudah mendapat formasi {other[1]} di wilayah yang sama",
                    "en": f"Already given a place at {other[1]}: a candidate receives one place"}}
            elif taken < open_places:
                taken += 1
                given[i] = (region, level)
                notes[(i, j)] = {"status": "allocated", **common, "message": {
                    "id": f"Mendapat formasi: peringkat {rank} dari {len(entrants)} untuk {open_places} formasi",
                    "en": f"Given a place: rank {rank} of {len(entrants)} for {open_places} place(s)"}}
            else:
                notes[(i, j)] = {"status": "not_allocated", **common, "message": {
                    "id": f"Tidak mendapat formasi: peringkat {rank} dari {len(entrants)}, hanya {open_places} "
                          f"formasi dan semuanya diberikan kepada kandidat dengan prioritas lebih tinggi",
                    "en": f"No place: rank {rank} of {len(entrants)}, and the {open_places} place(s) went to "
                          f"candidates with higher priority ({order_text})"}}
    for pool, members in pools.items():  # the same place reached by another route: the same outcome
        for i, js in members.items():
            first = best[pool][i]
            for j in js:
                if j != first:
                    notes[(i, j)] = {**notes[(i, first)], "via": results[i].decisions[first].route}
    out = []
    for i, res in enumerate(results):
        if not isinstance(res, Result) or not any(k[0] == i for k in notes):
            out.append(res)
            continue
        allocations = {f"{d.route}/{d.level}": frozen(notes[(i, j)])
                       for j, d in enumerate(res.decisions) if (i, j) in notes}
        out.append(attrs.evolve(res, allocations=allocations))  # its decisions are built again, with them
    return out
