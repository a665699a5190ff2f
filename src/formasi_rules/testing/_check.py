"""``formasi check``: static checks on every period (see _static), then property checks on
every period: declared properties solved and confirmed on both backends (_properties), then
searched with Hypothesis on a fixed seed.

Property checks search, among candidates derived from the policy, for one that breaks an
invariant (determinism, one outcome per route and level, monotonicity, agreement of the
backends, every property the policy declares) or a workload that breaks the formation
invariants. Hypothesis shrinks what it finds to the smallest example, which is reported as
YAML test cases to paste into the policy's tests folder.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import attrs
from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample
from ruamel.yaml import YAML

from .._dates import as_date
from .._errors import FormasiError, InvalidArgument, PolicyError
from ..engine._plan import build_plan, periods
from ..policy import Policy, load_policy
from . import _invariants as inv
from ._findings import Finding, merge, period_text
from ._properties import solved_properties
from ._static import static_findings
from ._strategies import candidates, places, workloads
from ._witness import Confirmer


def check(policy_dir, *, as_of: dt.date | None = None, max_examples: int = 300,
          properties: bool = True) -> list[Finding]:
    """Every finding for the policy in ``policy_dir`` (an empty list: nothing is wrong)."""
    as_of = as_date(as_of) if as_of is not None else None
    try:
        policy = load_policy(policy_dir)
    except PolicyError as exc:
        return [Finding.from_problem(p).fixed() for p in exc.problems]
    if policy.abstract:  # a base: its files are valid; its rules are checked in the policies extending it
        return []
    cov = policy.coverage
    if as_of is not None and not cov.contains(as_of):  # the property checks need rules in force then
        raise InvalidArgument(f"--as-of {as_of} is outside policy {policy.name}, which covers {cov.valid_from} "
                              f"{'to ' + str(cov.valid_to) if cov.valid_to else 'onwards (no end date)'}; give a "
                              "date in it, or leave --as-of out for every period / tanggal di luar cakupan kebijakan")
    confirm = Confirmer(policy)
    try:
        findings = static_findings(policy, confirm)
        if properties and not any(f.code.startswith("P") for f in findings):
            days = [as_of] if as_of else [p.valid_from for p in periods(policy)]
            found: list[Finding] = []
            each = max(50, max_examples // len(days))  # the budget is shared by the periods
            for i, day in enumerate(days):
                found += property_findings(policy, day, each, confirm, static=findings, engine_checks=i == 0)
            findings += merge(found, len(days))
    finally:
        confirm.close()
    return [f.fixed() for f in findings]


def _settings(max_examples: int) -> settings:
    return settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                    phases=[Phase.generate, Phase.shrink],
                    suppress_health_check=list(HealthCheck))


def _search(strategy, violates: Callable, cfg: settings):
    """The smallest example for which ``violates`` returns a Violation, with it, or None."""
    def predicate(example) -> bool:
        try:
            return violates(example) is not None
        except FormasiError:
            return False  # generated input the engine rightly refuses (e.g. a date after as_of)

    try:
        example = find(strategy, predicate, settings=cfg)
    except NoSuchExample:
        return None
    return violates(example)  # the violation of the shrunk example itself


def property_findings(policy: Policy, as_of: dt.date, max_examples: int = 300,
                      confirm: Confirmer | None = None, static: list[Finding] = (),
                      engine_checks: bool = True) -> list[Finding]:
    """Property checks on the plan in force on ``as_of``: declared properties solved (then
    confirmed on both backends), and the invariants searched for with Hypothesis. The checks of
    the engine rather than the rules (determinism, order) run only with ``engine_checks``."""
    own = confirm is None
    confirm = confirm or Confirmer(policy)
    try:
        return _property_findings(policy, as_of, max_examples, confirm, static, engine_checks)
    finally:
        if own:
            confirm.close()


def _property_findings(policy: Policy, as_of: dt.date, max_examples: int, confirm: Confirmer,
                       static: list[Finding], engine_checks: bool) -> list[Finding]:
    cfg = _settings(max_examples)
    period = next(p for p in periods(policy) if p.contains(as_of))
    plan = build_plan(policy, period.valid_from, period)
    solved, decided, unconfirmed = solved_properties(policy, plan, confirm)
    when = period_text(period)
    already = {r for f in static if f.topic[:1] == ("C041",) for r in f.rules}
    engines = confirm.engines
    engine = next(iter(engines.values()))
    formation = places(policy)
    people = candidates(policy, as_of)
    searches: list[tuple[str, object, Callable]] = [
        ("one outcome", people, lambda r: inv.one_outcome_each(engine, r, as_of, formation)),
        ("monotonicity", people, lambda r: inv.monotone(engine, r, as_of, formation)),
    ]
    if engine_checks:
        searches += [
            ("determinism", people, lambda r: inv.deterministic(engine, r, as_of, formation)),
            ("order", st.lists(people, min_size=2, max_size=4),
             lambda rs: inv.order_independent(engine, rs, as_of, formation))]
    if len(engines) > 1:
        searches.append(("backends", people, lambda r: inv.backends_agree(engines, r, as_of, formation)))
    for prop in policy.properties:
        if prop.id in decided:
            continue
        searches.append((prop.id, people, lambda r, p=prop: inv.declared(engine, p, r, as_of, formation)))
    if policy.formation is not None and engine_checks:
        rows = workloads(policy, as_of)
        searches.append(("need", st.tuples(rows, rows.map(lambda r: r[0])),
                         lambda pair: inv.need_monotone(engine, pair[0], pair[1], as_of)))
    out = list(solved)
    for name, strategy, violates in searches:
        violation = _search(strategy, violates, cfg)
        if violation is None and name in unconfirmed:
            out.append(unconfirmed[name])  # the solver says broken, nothing confirms it: undecided
        if violation is None or (name == "monotonicity" and set(violation.rules) & already):
            continue  # (a rule found non-monotone by the reasoner is said once, there)
        out.append(attrs.evolve(_as_finding(policy, violation), periods=(when,)))
    return out


def _as_finding(policy: Policy, v: inv.Violation) -> Finding:
    by_id = {r.id: r for r in policy.rules}
    by_id.update({p.id: p.rule for p in policy.properties})
    rules = [by_id[r] for r in v.rules if r in by_id]
    first = rules[0].where if rules else None
    return Finding("C040" if v.invariant.startswith("property") else "C041",
                   f"sifat '{v.invariant}' dilanggar: {v.message}", f"{v.invariant} is broken: {v.message}",
                   tuple(v.rules), first.file if first else None, first.line if first else None,
                   tuple(r.citation.to_dict(policy) for r in rules), v.cases)


def cases_yaml(cases) -> str:
    yaml = YAML()
    yaml.representer.ignore_aliases = lambda *_: True  # policy staff read every case in full
    yaml.default_flow_style = None
    yaml.width = 110
    buf = io.StringIO()
    yaml.dump([dict(c) for c in cases], buf)
    return buf.getvalue()
