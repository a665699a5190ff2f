"""Hypothesis strategies derived from a policy: candidates and workloads near every threshold.

``candidates(policy, as_of)`` reads the plan in force on ``as_of``: for every number a rule
compares with (an age limit, a credit-point threshold, years of experience) it generates values
just below, at and just above it; for every ordered or enumerated field, every value. Fields are
sometimes left out, so undetermined decisions are generated too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from .. import _vocab
from ..engine._encode import decode
from ..engine._plan import And, Cmp, Neg, Or, build_plan, periods
from ..policy import FIELDS, Policy

REGION = "Wilayah Uji"  # the region generated candidates live in (see places())


def _plan(policy: Policy, as_of: dt.date):
    period = next(p for p in periods(policy) if p.contains(as_of))
    return build_plan(policy, period.valid_from, period)


def thresholds(policy: Policy, as_of: dt.date) -> dict[str, set[Decimal]]:
    """Every number a rule in force on ``as_of`` compares a numeric field with, per field."""
    plan = _plan(policy, as_of)
    found: dict[str, set[Decimal]] = {}

    def visit(cond):
        if isinstance(cond, (And, Or)):
            for c in cond.items:
                visit(c)
        elif isinstance(cond, Neg):
            visit(cond.item)
        elif isinstance(cond, Cmp):
            name = cond.key.split("__")[0]
            if FIELDS[name].kind == "number":
                found.setdefault(name, set()).add(Decimal(str(decode(FIELDS[name], cond.value))))

    for check in plan.checks.values():
        visit(check.condition)
    return found


def _near(values: set[Decimal], step: Decimal, floor: Decimal = Decimal(0)) -> list[Decimal]:
    out = {floor}
    for v in values:
        out |= {v - step, v, v + step}
    return sorted(x for x in out if x >= floor)


def places(policy: Policy, open_: int = 1) -> dict[str, dict[str, int]]:
    """Open places for the generated region (formation is not what these properties vary)."""
    return {REGION: {lv: open_ for lv in policy.levels}}


def seeds(policy: Policy, as_of: dt.date) -> list[dict]:
    """For each route and level, a candidate record that meets every rule (where one exists).

    The fact values come from solving the rules (see _static.witness) and are turned back
    into record fields: an age into a birth date, a worst rating into a rating history.
    """
    from ._static import samples, witness

    plan = _plan(policy, as_of)
    pts = samples(plan, policy)
    out = []
    for keys in plan.targets.values():
        found = witness([plan.checks[k] for k in keys], pts)
        if isinstance(found, dict):
            out.append(_record(policy, found, as_of))
    return [dict(s) for s in {repr(sorted(s.items())): s for s in out}.values()]


def _record(policy: Policy, values: dict, as_of: dt.date) -> dict:
    rec: dict = {"id": "cx", "region": REGION}
    ratings: dict[int, str] = {}
    for key, encoded in sorted(values.items()):
        name = key.split("__")[0]
        field = FIELDS[name]
        if field.kind == "ordered":
            names = policy.scales[field.scale]
            value = min((n for n, r in names.items() if r == encoded), default=None)
            if value is None:
                continue
        elif field.kind == "number":
            value = decode(field, encoded)
        else:
            value = encoded
        if name in ("employment_status", "education", "rank", "experience_years", "credit_points"):
            rec[name] = value
        elif name.startswith("position_"):
            rec.setdefault("position", {})[name[9:]] = value
        elif name.startswith("competency_test_"):
            rec.setdefault("competency_test", {})[name[16:]] = value
        elif name == "age":
            rec["birth_date"] = as_of.replace(year=as_of.year - int(value), day=min(as_of.day, 28)).isoformat()
        elif name.startswith("performance_worst_"):
            for i in range(int(name[18])):
                ratings[as_of.year - 1 - i] = value
        elif name in ("years_in_rank", "years_in_position"):
            since = as_of.replace(year=as_of.year - int(value), day=1).isoformat()
            if name == "years_in_rank":
                rec["rank_since"] = since
            else:
                rec.setdefault("position", {})["since"] = since
    if ratings:
        rec["performance"] = [{"year": y, "rating": r} for y, r in sorted(ratings.items())]
    return rec


def candidates(policy: Policy, as_of: dt.date):
    """Candidate records (dicts, as a caller would pass them) near every threshold of the policy:
    records that meet every rule of some route and level with a few fields changed, and records
    with fields drawn at random (each field sometimes left out)."""
    limits = thresholds(policy, as_of)
    ages = sorted({int(a) for a in _near(limits.get("age", set()), Decimal(1), Decimal(18))} | {25, 40})

    def birth(age_and_shift):
        age, shift = age_and_shift  # shift -1/0/+1 day around the birthday that gives `age`
        try:
            day = as_of.replace(year=as_of.year - age)
        except ValueError:  # 29 February
            day = as_of.replace(year=as_of.year - age, day=28)
        return (day + dt.timedelta(days=shift)).isoformat()

    def numbers(field: str, extra: tuple = ()):
        step = Decimal(1).scaleb(-FIELDS[field].decimals) if FIELDS[field].decimals else Decimal(1)
        values = _near(limits.get(field, set()), step) + [Decimal(x) for x in extra]
        return st.sampled_from(sorted(set(values))).map(lambda d: int(d) if d == d.to_integral() else float(d))

    levels = st.sampled_from(policy.levels)
    year = as_of.year
    rating_years = st.lists(st.sampled_from(_vocab.RATING), min_size=1, max_size=3).map(
        lambda rs: [{"year": year - 1 - i, "rating": r} for i, r in enumerate(rs)])
    position = st.fixed_dictionaries({"type": st.sampled_from(_vocab.POSITION_TYPE)}, optional={
        "name": st.sampled_from(["Pengantar Kerja", "Analis"]), "level": levels,
        "since": st.integers(1, 8).map(lambda y: as_of.replace(year=as_of.year - y, month=1, day=1).isoformat())})
    fields = {
        "employment_status": st.sampled_from(_vocab.EMPLOYMENT_STATUS),
        "birth_date": st.tuples(st.sampled_from(ages), st.sampled_from([-1, 0, 1])).map(birth),
        "education": st.sampled_from(_vocab.EDUCATION),
        "rank": st.sampled_from(_vocab.RANK),
        "position": position,
        "performance": rating_years,
        "competency_test": st.fixed_dictionaries({"status": st.sampled_from(_vocab.TEST_STATUS), "level": levels}),
        "credit_points": numbers("credit_points"),
        "experience_years": numbers("experience_years", (5,)),
    }
    changes = st.fixed_dictionaries({}, optional=fields)
    near = st.sampled_from(seeds(policy, as_of)).flatmap(lambda seed: changes.map(lambda c: {**seed, **c}))
    anything = st.fixed_dictionaries({"id": st.just("cx"), "region": st.just(REGION)}, optional=fields)
    return st.one_of(near, anything)


def workloads(policy: Policy, as_of: dt.date, regions: tuple[str, ...] = ("R1", "R2")):
    """Workload rows: catalogue activities at the levels that do them, and local ones with a norm."""
    from ..formation import Parameters

    params = Parameters(policy, as_of)
    known = [(a, lv) for a, row in sorted(params.activities.items()) for lv in policy.levels
             if row.values.get(lv) is not None]
    catalogue = st.sampled_from(known).flatmap(lambda al: st.fixed_dictionaries({
        "region": st.sampled_from(regions), "activity": st.just(al[0]), "level": st.just(al[1]),
        "volume": st.integers(0, 5000), "period": st.sampled_from(_vocab.PERIODS)}))
    local = st.fixed_dictionaries({
        "region": st.sampled_from(regions), "activity": st.just("lokal"), "level": st.sampled_from(policy.levels),
        "volume": st.integers(0, 5000), "period": st.sampled_from(_vocab.PERIODS),
        "norm_minutes": st.integers(1, 600)})
    return st.lists(st.one_of(catalogue, local), min_size=1, max_size=10)
