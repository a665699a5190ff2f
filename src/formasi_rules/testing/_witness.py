"""Concrete cases for findings: fact values the solver found turned into a candidate record, and
evaluated on every backend so that a finding's test case is known to show what it says.

``Confirmer`` holds one engine per backend for the policy (built on first use, closed at the end).
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

from .._errors import FormasiError
from ..engine import BackendWarning, Engine
from ..policy import Policy
from ._invariants import case
from ._strategies import REGION, record_from


def as_of_of(model: dict[str, Any], default: dt.date) -> dt.date:
    return dt.date.fromordinal(model["as_of"]) if isinstance(model.get("as_of"), int) else default


def formation_of(policy: Policy, model: dict[str, Any]) -> dict:
    return {REGION: {lv: max(int(model.get(f"formation_open__{lv}", 1)), 0) for lv in policy.levels}}


class Confirmer:
    def __init__(self, policy: Policy):
        self.policy = policy
        self._engines: dict[str, Engine] | None = None
        self._amended: dict[tuple, tuple[Any, Confirmer]] = {}  # (the amendment kept: its test's id is the key)

    @property
    def engines(self) -> dict[str, Engine]:
        if self._engines is None:
            self._engines = {}
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", BackendWarning)
                    first = Engine(self.policy)
                    self._engines[first.backend.name] = first
                    if first.backend.name != "reference":
                        self._engines["reference"] = Engine(self.policy, backend="reference")
            except FormasiError:  # a policy that cannot be applied on some date (P070): no cases
                self.close()
                self._engines = {}
        return self._engines

    def outcomes(self, record: dict, as_of: dt.date, formation: Any, target: tuple[str, str]) -> set[str] | None:
        """The outcome of ``target`` on every backend (a set: more than one means they disagree)."""
        out = set()
        if not self.engines:
            return None
        try:
            for engine in self.engines.values():
                out.add(engine.evaluate(record, as_of=as_of, formation=formation).decision(*target).outcome)
        except (FormasiError, KeyError):
            return None
        return out

    def show(self, model: dict[str, Any], period_start: dt.date, target: tuple[str, str], want: str,
             name: str, keys=None) -> tuple[dict | None, dict]:
        """A test case for the facts ``model`` expecting ``target`` to be ``want``, when every backend
        gives that outcome (else None), and the record. ``keys``: the fact keys that matter (the
        rest of the model is left out of the record); by default those the target's rules read."""
        if keys is None:
            keys = self._keys(target, model, period_start)
        model = {k: v for k, v in model.items() if k in keys or k == "as_of" or k.startswith("formation_open")}
        as_of = as_of_of(model, period_start)
        record = record_from(self.policy, model, as_of)
        formation = formation_of(self.policy, model)
        got = self.outcomes(record, as_of, formation, target)
        key = f"{target[0]}/{target[1]}"
        if got != {want}:
            return None, record
        return case(name, record, as_of, formation, {key: want}), record

    def holds(self, shown: dict) -> bool:
        """Whether a test case made here gives every outcome it expects on every backend."""
        as_of = dt.date.fromisoformat(shown["as_of"])
        record, formation = shown["input"]["candidate"], shown.get("formation")
        return all(self.outcomes(record, as_of, formation, tuple(key.split("/", 1))) == {want}
                   for key, want in shown["expected"].items())

    def amended(self, amendment) -> Confirmer:
        """A confirmer for the policy with ``amendment`` (_amend) made: the policy once fixed."""
        key = (amendment.rule, id(amendment.test), amendment.op)
        if key not in self._amended:
            self._amended[key] = (amendment, Confirmer(amendment.policy(self.policy)))
        return self._amended[key][1]

    def _keys(self, target, model, period_start) -> set[str]:
        if not self.engines:
            return set()
        plan = next(iter(self.engines.values())).plan(as_of_of(model, period_start))
        return {k for c in plan.targets.get(target, ()) for k in plan.checks[c].keys}

    def close(self) -> None:
        for e in (self._engines or {}).values():
            e.close()
        for _, c in self._amended.values():
            c.close()
