"""The compact layout: a catalogue of the checks once per run, then a short record per candidate.

A full result repeats, in every decision, each rule's title, message, requirement and
citations: about 110 KB of JSON per candidate for the shipped policy. In the compact
layout the run's first item is the *catalogue* (date, policy version, backend, and per
check its rule, level, title, requirement and citations; per decision the checks it
reads), and each candidate's record gives only what belongs to that candidate: each
decision's outcome, the checks that failed or could not be tested (every other check
its decisions read passed), and the values the checks read beyond those ``derived``
already shows. Nothing is lost: :func:`expand` rebuilds the full result
from the two, equal to what the full layout gives (tested for every shipped example).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from .._errors import InvalidArgument
from .._json import copied
from .._text import Text
from ..policy import Policy
from ._words import message, requirement_text
from ._plan import Plan
from ._frozen import frozen
from ._result import Decision, Given, Reason, Result
from ._result import outcome as outcome_of

VERSION = 1


def catalogue(policy: Policy, plan: Plan, as_of: dt.date, backend: str) -> dict[str, Any]:
    """What every compact record of a run on ``as_of`` refers to."""
    checks = {}
    for key, check in plan.checks.items():
        # copies: the plan's values are shared by every reason of the check (and read-only)
        entry = {"rule": check.rule.id, "level": check.level, "title": check.rule.title.to_dict(),
                 "fields": list(check.fields), "required": copied(check.required), "requirement": check.text.need,
                 "citation": copied(check.text.citation), "values_from": copied(check.text.values_from)}
        if check.rule.note:
            entry["note"] = check.rule.note
        if check.rule.layer:
            entry["layer"] = check.rule.layer
        checks[key] = entry
    read = dict.fromkeys(f for c in plan.checks.values() for f in c.fields)
    return {"catalogue": {
        "layout": "compact", "version": VERSION, "as_of": as_of.isoformat(), "policy": policy.identity(),
        "layers": list(policy.layers), "precedence": list(policy.precedence),
        "backend": backend,
        "fields": {f: {"per_level": policy.fields[f].per_level, "inputs": list(policy.fields[f].inputs)} for f in read},
        "checks": checks,
        "decisions": [{"route": r, "level": lv, "checks": list(keys)} for (r, lv), keys in plan.targets.items()],
    }}


def expand(catalogue: Mapping[str, Any], record: Mapping[str, Any]) -> dict[str, Any]:
    """The full result (as ``Result.to_dict()`` gives it) from a compact record and its run's
    catalogue. An error record is the same in both layouts and comes back as it is."""
    return expander(catalogue)(record)


def expander(catalogue: Mapping[str, Any], copy: bool = True) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """:func:`expand` with ``catalogue`` read once, for each record of its run. Without ``copy`` the
    dicts given hold the catalogue's (read-only) requirements and citations, for a writer that
    writes each at once (``formasi expand``), rather than a copy for the caller to change."""
    if not isinstance(catalogue, Mapping):
        raise InvalidArgument(f"expand() takes the catalogue and a record, both mappings (parsed JSON), got "
                              f"{type(catalogue).__name__} / katalog harus objek JSON")
    cat = catalogue.get("catalogue", catalogue)
    if not isinstance(cat, Mapping) or cat.get("layout") != "compact" or "checks" not in cat:
        raise InvalidArgument("expand() needs the catalogue: the first item of a compact run / perlu katalog: "
                              "butir pertama keluaran --layout compact")
    if cat.get("version") != VERSION:
        raise InvalidArgument(f"this catalogue is of compact layout version {cat.get('version')}; "
                              f"this formasi_rules reads version {VERSION} / katalog ini versi {cat.get('version')}, "
                              f"formasi_rules ini membaca versi {VERSION}")
    # a check's requirement, citation and rows are shared by its reasons (read-only): made so once
    checks: dict[str, Any] = {}

    def check(key: str) -> Mapping[str, Any]:
        found = checks.get(key)
        if found is None:
            given = cat["checks"][key]
            found = checks[key] = {**given, **{k: frozen(given[k]) for k in ("required", "citation",
                                                                                  "values_from")}}
        return found

    def expand_one(record: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(record, Mapping):
            raise InvalidArgument(f"expand() takes the catalogue and a record, both mappings (parsed JSON); the "
                                  f"record is a {type(record).__name__} / rekaman harus objek JSON")
        if "error" in record:
            return dict(record)
        if "catalogue" in record:
            raise InvalidArgument("a second catalogue among the records: the output of two runs joined? expand "
                                  "each run's output on its own / katalog kedua di antara rekaman: keluaran dua run "
                                  "digabung?")
        made_on = record.get("actual", {}).get("as_of") if isinstance(record.get("actual"), Mapping) else None
        if made_on is not None and made_on != cat.get("as_of"):
            raise InvalidArgument(f"record {record.get('candidate')!r} was decided on {made_on}, its catalogue's run "
                                  f"on {cat.get('as_of')}: the record is from another run / rekaman diputuskan "
                                  f"{made_on}, katalognya {cat.get('as_of')}: rekaman dari run lain")
        wrong = _misshapen(record)
        try:
            if wrong:
                raise ValueError(wrong)
            result = _expand(cat, check, record)
        except InvalidArgument:
            raise  # said already (an outcome its checks contradict)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a part of another run, or edited
            what = f"no {exc}" if isinstance(exc, KeyError) else wrong or "a part not as a compact run writes it"
            raise InvalidArgument(f"record {record.get('candidate')!r} does not fit this catalogue ({what}); was it "
                                  "made in another run, or edited? / rekaman tidak cocok dengan katalog ini: dari "
                                  "run lain, atau diubah?") from None
        return result.to_dict() if copy else result._data()
    return expand_one


# the parts of a compact record and what each is, as a compact run writes them
_PARTS = (("failed", list), ("undetermined", list), ("derived", Mapping), ("actual", Mapping), ("decisions", Mapping),
          ("allocation", Mapping))


def _misshapen(record: Mapping[str, Any]) -> str | None:
    """What part of a compact record is not as a compact run writes it (a script's edit), or None.
    A part missing is left for the KeyError to name."""
    for name, kind in _PARTS:
        if name in record and not isinstance(record[name], kind):
            return f"{name} is a {type(record[name]).__name__}"
    for name in ("failed", "undetermined"):
        if not all(isinstance(key, str) for key in record.get(name, ())):
            return f"{name} holds what is not a check's name"
    if not all(isinstance(t, str) and t.count("/") == 1 for t in record.get("decisions", {})):
        return "a decision not named route/level"
    return None


def _expand(cat: Mapping[str, Any], check: Callable[[str], Mapping[str, Any]], record: Mapping[str, Any]) -> Result:
    targets = {f"{d['route']}/{d['level']}": d["checks"] for d in cat["decisions"]}
    states = {**dict.fromkeys(record["failed"], False), **dict.fromkeys(record["undetermined"], None)}
    derived, actual = record["derived"], record["actual"]

    def value(field: str, level: str | None) -> Any:
        found = actual[field] if field in actual else derived.get(field)
        return found.get(level) if level and cat["fields"][field]["per_level"] and found is not None else found

    allocation = record.get("allocation", {})
    decisions = []
    for target, outcome in record["decisions"].items():
        route, level = target.split("/")
        keys = targets[target]
        reasons = tuple(_reason(check(k), cat["fields"], states.get(k, True), value) for k in keys)
        missing = tuple(dict.fromkeys(m for r in reasons if r.passed is None for m in r.missing))
        seen = {r.passed for r in reasons}
        if outcome != outcome_of(False in seen, None in seen):
            raise InvalidArgument(f"record {record['candidate']!r}: the outcome {outcome!r} of {target} "
                                  "contradicts its checks; was it made in another run, or edited? / hasil "
                                  f"{target} bertentangan dengan pemeriksaannya")
        decisions.append(Decision(route, level, outcome, tuple(k for k in keys if states.get(k) is False),
                                  missing, allocation.get(target), explain=Given(reasons)))
    return Result(record["candidate"], dt.date.fromisoformat(cat["as_of"]), cat["policy"], cat["backend"],
                  derived, dict(record["decisions"]), decide=Given(tuple(decisions)),
                  order=tuple(cat.get("precedence", ())))


def _reason(check: Mapping[str, Any], fields: Mapping[str, Any], passed: bool | None, value) -> Reason:
    read = {f: value(f, check["level"]) for f in check["fields"]}
    missing = () if passed is not None else tuple(dict.fromkeys(
        i for f, v in read.items() if v is None for i in fields[f]["inputs"]))
    title = Text(**check["title"])
    return Reason(check["rule"], title, passed, read, check["required"],
                  message(title, passed, read, requirement_text(check["required"])), check["citation"],
                  tuple(check["values_from"]), missing, check.get("note"), check.get("layer", ""))
