"""The JSON Schemas of policy files, candidate records, results and formation output.

The files are the generic schemas: they name no position's routes or levels (a node that holds
one is a string marked ``"x-vocabulary": "route"`` or ``"level"``). :func:`schema` with a policy
specialises any of them to it: every marked node lists the policy's routes or levels, and the
candidate schema also the values (and aliases) of its vocabularies and the fields it adds.
"""

from __future__ import annotations

import copy
import json
from importlib.resources import files
from typing import Any

NAMES = ("policy", "candidate", "result", "result-compact", "formation", "test-case")
_SLOTS = {  # where the record holds coded values: path -> vocabulary
    ("employment_status",): "employment_status", ("education",): "education", ("rank",): "rank",
    ("position", "type"): "position_type", ("position", "level"): "level",
    ("positions", "type"): "position_type", ("positions", "level"): "level",
    ("ranks", "rank"): "rank", ("performance", "rating"): "rating",
    ("competency_test", "status"): "test_status", ("competency_test", "level"): "level",
    ("request", "route"): "route", ("request", "level"): "level",
}
_BASIC = {"number": {"type": "number"}, "integer": {"type": "integer"}, "text": {"type": "string"},
          "boolean": {"type": "boolean"}, "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}}


def schema(name: str, policy: Any = None) -> dict[str, Any]:
    """The JSON Schema ``name`` (one of NAMES); the candidate schema specialised to ``policy``."""
    if name not in NAMES:
        raise ValueError(f"no schema {name!r}; there are: {', '.join(NAMES)}")
    out = json.loads(files(__name__).joinpath(f"{name}.schema.json").read_text(encoding="utf-8"))
    if policy is None:
        return out
    _vocabulary(out, {"route": list(policy.routes), "level": list(policy.levels)})
    if name == "candidate":
        return _candidate(out, policy)
    out["title"] = f"{out.get('title', name)} ({policy.name} {policy.version})"
    return out


def _vocabulary(node: Any, values: dict[str, list[str]]) -> None:
    """Every node marked ``x-vocabulary`` made an enum of the policy's values."""
    if isinstance(node, dict):
        vocab = node.get("x-vocabulary")
        if vocab in values:
            node.pop("type", None)
            node["enum"] = values[vocab]
        for value in node.values():
            _vocabulary(value, values)
    elif isinstance(node, list):
        for value in node:
            _vocabulary(value, values)


def _candidate(base: dict[str, Any], policy: Any) -> dict[str, Any]:
    out = copy.deepcopy(base)
    vocabularies = {**{n: (*v.values, *v.aliases) for n, v in policy.vocabularies.items()},
                    "route": tuple(policy.routes)}
    for path, vocab in _SLOTS.items():
        if vocab in vocabularies:
            _slot(out["properties"], path)["enum"] = list(vocabularies[vocab])
    for f in policy.fields.values():
        if f.input is not None and "." not in f.input and f.input not in out["properties"]:
            spec = _BASIC.get(f.type) or {"enum": list(vocabularies.get(f.type, ()))}
            out["properties"][f.input] = {"oneOf": [{**spec, "description": f.title.en}, {"type": "null"}]}
    out["title"] = f"{out['title']} ({policy.name} {policy.version})"
    return out


def _slot(props: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node = props[path[0]]
    for key in path[1:]:
        inner = node["oneOf"][0]
        node = (inner["items"] if inner.get("type") == "array" else inner)["properties"][key]
    if "oneOf" in node:
        node = node["oneOf"][0]
    node.pop("type", None)
    return node
