"""``formasi check``: static checks, then property checks with Hypothesis on a fixed seed.

Property checks search, among candidates derived from the policy, for one that breaks an
invariant (determinism, one outcome per route and level, monotonicity, agreement of the
backends, every property the policy declares) or a workload that breaks the formation
invariants. Hypothesis shrinks what it finds to the smallest example, which is reported as
YAML test cases to paste into the policy's tests folder.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from collections.abc import Callable

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample
from ruamel.yaml import YAML

from .._errors import FormasiError, InvalidArgument, PolicyError
from ..engine import BackendWarning, Engine
from ..policy import Policy, load_policy
from . import _invariants as inv
from ._static import Finding, static_findings
from ._strategies import candidates, places, workloads


def check(policy_dir, *, as_of: dt.date | None = None, max_examples: int = 300,
          properties: bool = True) -> list[Finding]:
    """Every finding for the policy in ``policy_dir`` (an empty list: nothing is wrong)."""
    try:
        policy = load_policy(policy_dir)
    except PolicyError as exc:
        return [Finding.from_problem(p) for p in exc.problems]
    if policy.abstract:  # a base: its files are valid; its rules are checked in the policies extending it
        return []
    cov = policy.coverage
    if as_of is not None and not cov.contains(as_of):  # the property checks need rules in force then
        raise InvalidArgument(f"--as-of {as_of} is outside policy {policy.name}, which covers {cov.valid_from} "
                              f"{'to ' + str(cov.valid_to) if cov.valid_to else 'onwards (no end date)'}; give a date in it, or leave --as-of out for its "
                              "start / tanggal di luar cakupan kebijakan")
    findings = static_findings(policy)
    if properties and not any(f.code.startswith("P") for f in findings):
        findings += property_findings(policy, as_of or policy.coverage.valid_from, max_examples)
    return findings


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


def property_findings(policy: Policy, as_of: dt.date, max_examples: int = 300) -> list[Finding]:
    cfg = _settings(max_examples)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BackendWarning)
        engine = Engine(policy)
        engines = {engine.backend.name: engine}
        if engine.backend.name != "reference":
            engines["reference"] = Engine(policy, backend="reference")
    formation = places(policy)
    people = candidates(policy, as_of)
    searches: list[tuple[str, object, Callable]] = [
        ("determinism", people, lambda r: inv.deterministic(engine, r, as_of, formation)),
        ("one outcome", people, lambda r: inv.one_outcome_each(engine, r, as_of, formation)),
        ("monotonicity", people, lambda r: inv.monotone(engine, r, as_of, formation)),
        ("order", st.lists(people, min_size=2, max_size=4),
         lambda rs: inv.order_independent(engine, rs, as_of, formation)),
    ]
    if len(engines) > 1:
        searches.append(("backends", people, lambda r: inv.backends_agree(engines, r, as_of, formation)))
    for prop in policy.properties:
        searches.append((prop.id, people, lambda r, p=prop: inv.declared(engine, p, r, as_of, formation)))
    if policy.formation is not None:
        rows = workloads(policy, as_of)
        searches.append(("need", st.tuples(rows, rows.map(lambda r: r[0])),
                         lambda pair: inv.need_monotone(engine, pair[0], pair[1], as_of)))
    out = []
    try:
        for _name, strategy, violates in searches:
            violation = _search(strategy, violates, cfg)
            if violation is not None:
                out.append(_as_finding(policy, violation))
    finally:
        for e in engines.values():
            e.close()
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
