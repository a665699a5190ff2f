"""The compact layout: a catalogue of the checks once per run, then a short record per candidate.

A full result repeats, in every decision, each rule's title, message, requirement and
citations: about 110 KB of JSON per candidate for the shipped policy. In the compact
layout the run's first item is the *catalogue* (date, policy version, backend, and per
check its rule, level, title, requirement and citations; per decision the checks it
reads), and each candidate's record gives only what belongs to that candidate: the
state of each check, the values the checks read, and each decision's outcome, failed
checks and missing inputs. Nothing is lost: :func:`expand` rebuilds the full result
from the two, equal to what the full layout gives (tested for every shipped example).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from .._errors import InvalidArgument
from .._text import Text
from ..policy import FIELDS, Policy
from ._explain import message
from ._plan import Plan
from ._result import Decision, Reason, Result

VERSION = 1


def catalogue(policy: Policy, plan: Plan, as_of: dt.date, backend: str) -> dict[str, Any]:
    """What every compact record of a run on ``as_of`` refers to."""
    checks = {}
    for key, check in plan.checks.items():
        entry = {"rule": check.rule.id, "level": check.level, "title": check.rule.title.to_dict(),
                 "fields": list(check.fields), "required": check.required, "requirement": check.text.need,
                 "citation": check.text.citation, "values_from": list(check.text.values_from)}
        if check.rule.note:
            entry["note"] = check.rule.note
        checks[key] = entry
    read = dict.fromkeys(f for c in plan.checks.values() for f in c.fields)
    return {"catalogue": {
        "layout": "compact", "version": VERSION, "as_of": as_of.isoformat(), "policy": policy.identity(),
        "backend": backend,
        "fields": {f: {"per_level": FIELDS[f].per_level, "inputs": list(FIELDS[f].inputs)} for f in read},
        "checks": checks,
        "decisions": [{"route": r, "level": lv, "checks": list(keys)} for (r, lv), keys in plan.targets.items()],
    }}


def expand(catalogue: Mapping[str, Any], record: Mapping[str, Any]) -> dict[str, Any]:
    """The full result (as ``Result.to_dict()`` gives it) from a compact record and its run's
    catalogue. An error record is the same in both layouts and comes back as it is."""
    cat = catalogue.get("catalogue", catalogue)
    if not isinstance(cat, Mapping) or cat.get("layout") != "compact" or "checks" not in cat:
        raise InvalidArgument("expand() needs the catalogue: the first item of a compact run")
    if cat.get("version") != VERSION:
        raise InvalidArgument(f"this catalogue is of compact layout version {cat.get('version')}; "
                              f"this formasi_rules reads version {VERSION}")
    if "error" in record:
        return dict(record)
    try:
        return _expand(cat, record)
    except (KeyError, TypeError) as exc:
        raise InvalidArgument(f"record {record.get('candidate')!r} does not fit this catalogue "
                              f"(no {exc}); was it made in another run?") from None


def _expand(cat: Mapping[str, Any], record: Mapping[str, Any]) -> dict[str, Any]:
    targets = {(d["route"], d["level"]): d["checks"] for d in cat["decisions"]}
    states, actual = record["checks"], record["actual"]
    reason = functools.partial(_reason, cat, states, actual)
    decisions = tuple(
        Decision(d["route"], d["level"], d["outcome"], tuple(d["failed"]), tuple(d["missing"]),
                 d.get("allocation"), explain=functools.partial(tuple, [reason(k) for k in
                                                                       targets[(d["route"], d["level"])]]))
        for d in record["decisions"])
    return Result(record["candidate"], dt.date.fromisoformat(cat["as_of"]), cat["policy"], cat["backend"],
                  record["derived"], decisions).to_dict()


def _reason(cat: Mapping[str, Any], states: Mapping[str, Any], actual: Mapping[str, Any], key: str) -> Reason:
    check, fields = cat["checks"][key], cat["fields"]
    level = check["level"]
    read = {f: actual[f][level] if level and fields[f]["per_level"] else actual[f] for f in check["fields"]}
    passed = states[key]
    missing = () if passed is not None else tuple(dict.fromkeys(
        i for f, v in read.items() if v is None for i in fields[f]["inputs"]))
    title = Text(**check["title"])
    return Reason(check["rule"], title, passed, read, check["required"],
                  message(title, passed, read, check["requirement"]), check["citation"],
                  tuple(check["values_from"]), missing, check.get("note"))
