"""Declared properties decided by solving (C040): for each period, "the property's ``when`` and
the target's rules" (or "``when`` and some rule failing", for a property that wants eligible) is
handed to the solver; a solution is turned into a candidate and evaluated on every backend, and
only an outcome both backends give is reported, with the test case to paste.

A solution that cannot be turned into a record showing it (a derivation the record builder cannot
invert) is said as C099 with the facts found, never dropped.
"""

from __future__ import annotations

import z3

from ..engine._plan import Plan, Unresolved, resolve_check
from ..policy import Policy
from ..policy._model import Property
from ._findings import Finding, for_rules, period_text
from ._solver import Space
from ._witness import Confirmer


def bad_outcome(prop: Property) -> str:
    """Which outcome breaks the property: 'eligible' or 'not eligible'."""
    if (prop.never and prop.outcome == "eligible") or (not prop.never and prop.outcome != "eligible"):
        return "eligible"
    return "not_eligible"


def solved_properties(policy: Policy, plan: Plan, confirm: Confirmer) -> tuple[list[Finding], set[str], dict]:
    """Findings, the properties that were decided (broken or shown to hold) in this plan, and those
    the solver breaks with facts no record built from them confirms (id -> an undecided finding,
    to report if the search does not find a counterexample either)."""
    out, decided, unconfirmed = [], set(), {}
    when = period_text(plan.period)
    for prop in policy.properties:
        target = (prop.route, prop.level)
        keys = plan.targets.get(target)
        if keys is None:
            continue
        try:
            cond = resolve_check(policy, prop.rule, prop.level, plan.period.valid_from)
        except Unresolved:
            continue
        space = Space(policy, plan, (cond.condition,))
        rules = [space.passes(plan.checks[k]) for k in keys]
        bad = bad_outcome(prop)
        goal = rules if bad == "eligible" else [z3.Not(z3.And(*rules))]
        answer = space.solve(space.term(cond.condition), *goal)
        if answer.status == "unsat":
            decided.add(prop.id)
            continue
        if answer.status == "unknown":
            out.append(for_rules("C099", f"sifat {prop.id} tidak dapat diputuskan ({answer.reason})",
                                 f"undecided: property {prop.id} (the solver gave up: {answer.reason})",
                                 [prop.rule], policy, severity="undecided", periods=(when,)))
            continue
        key = f"{prop.route}/{prop.level}"
        want = "not eligible" if bad == "eligible" else "eligible"
        shown, _record = confirm.show(answer.model, plan.period.valid_from, target, bad, f"property {prop.id}")
        if shown is None and bad == "not_eligible":
            shown, _record = confirm.show(answer.model, plan.period.valid_from, target, "undetermined",
                                          f"property {prop.id}")
        if shown is None:  # left to the search, which reports what it confirms; else undecided
            facts = ", ".join(f"{k} {v}" for k, v in sorted(answer.model.items()) if "'" not in k)
            unconfirmed[prop.id] = for_rules(
                "C099", f"sifat {prop.id} tidak dapat diputuskan",
                f"undecided: property {prop.id} is broken by the facts {facts}, but no candidate record built "
                "from them shows it on the engine, and the search found none", [prop.rule], policy,
                severity="undecided", periods=(when,))
            continue
        decided.add(prop.id)
        expected = {key: "not_eligible"} if bad == "eligible" else {key: "eligible"}
        got = shown["expected"][key]
        shown = {**shown, "expected": expected}
        out.append(for_rules(
            "C040", f"sifat '{prop.id}' dilanggar",
            f"property {prop.id} is broken: {prop.rule.title.en}: {key} is {got} for a candidate matching "
            f"'when' (expected {want})", [prop.rule], policy, cases=(shown,), periods=(when,)))
    return out, decided, unconfirmed
