"""Hypothesis strategies derived from a policy: candidates and workloads near every threshold.

``candidates(policy, as_of)`` reads the plan in force on ``as_of``: for every number a rule
compares with (an age limit, a credit-point threshold, years of experience) it generates values
just below, at and just above it; for every ordered or enumerated field, every value. Fields are
sometimes left out, so undetermined decisions are generated too.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from ..engine._encode import decode
from ..engine._plan import And, Cmp, Neg, Or, build_plan, periods
from ..policy import Policy
from ..policy import _derivations as d

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
            if policy.fields[name].kind == "number":
                found.setdefault(name, set()).add(Decimal(str(decode(policy.fields[name], cond.value))))

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

    The fact values come from solving the rules (see _solver) and are turned back into record
    fields: an age into a birth date, a worst rating into a rating history. Solved once per policy
    version and date (a property test that builds its strategy in every example asks again and
    again); each call gets its own copies.
    """
    key = (policy.digest, as_of)
    found = _SEEDS.get(key)
    if found is None:
        if len(_SEEDS) >= 32:
            _SEEDS.clear()
        found = _SEEDS[key] = _solved(policy, as_of)
    return copy.deepcopy(found)


_SEEDS: dict[tuple[str, dt.date], list[dict]] = {}


def _solved(policy: Policy, as_of: dt.date) -> list[dict]:
    from ._solver import Space

    plan = _plan(policy, as_of)
    space = Space(policy, plan)
    day = space.add_key("as_of")
    out = []
    bounds_done: set = set()
    for keys in plan.targets.values():
        rules = [space.passes(plan.checks[k]) for k in keys]
        found = space.solve(day == as_of.toordinal(), *rules)
        if found.status != "sat":
            continue
        out.append(record_from(policy, found.model, as_of))
        # and an eligible candidate at every threshold its rules compare a number with, where one exists
        for key, value in _numeric_tests(policy, [plan.checks[k].condition for k in keys]):
            if (key, value) in bounds_done:
                continue
            bounds_done.add((key, value))
            at = space.solve(day == as_of.toordinal(), space.add_key(key) == value, *rules)
            if at.status == "sat":
                out.append(record_from(policy, at.model, as_of))
    return [dict(s) for s in {repr(sorted(s.items())): s for s in out}.values()]


def _numeric_tests(policy: Policy, conds) -> list[tuple[str, int]]:
    out = []

    def visit(c):
        if isinstance(c, (And, Or)):
            for x in c.items:
                visit(x)
        elif isinstance(c, Neg):
            visit(c.item)
        elif isinstance(c, Cmp) and policy.fields[c.key.split("__")[0]].kind == "number" \
                and isinstance(c.value, int) and not c.key.startswith("formation_open"):
            out.append((c.key, c.value))

    for cond in conds:
        visit(cond)
    return out


def record_from(policy: Policy, values: dict, as_of: dt.date) -> dict:
    """A candidate record whose derived facts are ``values`` (fact key -> encoded value), as far as
    the derivations can be turned around (see _place)."""
    return _record(policy, {k: ("Lain" if v == "\0other" else v) for k, v in values.items()
                            if "'" not in k and k != "as_of" and not k.startswith("formation_open")}, as_of)


def _record(policy: Policy, values: dict, as_of: dt.date) -> dict:
    rec: dict = {"id": "cx", "region": REGION}
    ratings: dict[int, str] = {}
    histories: dict[str, list] = {}  # a history some fixed fact is derived from -> the entries it asks for

    def order(item):  # a window of more years first, so that a shorter one writes its later years over it
        node = policy.fields[item[0].split("__")[0]].derive
        return (-node.years if isinstance(node, d.OverYears) else 0, item[0])

    for key, encoded in sorted(values.items(), key=order):
        field = policy.fields[key.split("__")[0]]
        if field.kind == "ordered":
            names = policy.scales[field.scale]
            value = min((n for n, r in names.items() if r == encoded), default=None)
            if value is None:
                continue
        else:
            value = decode(field, encoded)
        _place(policy, field, value, as_of, rec, ratings, histories)
    if ratings:
        rec["performance"] = [{"year": y, "rating": r} for y, r in sorted(ratings.items())]
    if "positions" in histories:
        rec["positions"] = _whole(rec.get("position"), histories["positions"], as_of)
    return _born_first(rec)


def _whole(now: dict | None, matches: list, as_of: dt.date) -> list[dict]:
    """A complete history of positions: the current post (from the date it is held since, else from
    ``as_of``), and before it one entry per ``matches`` (the attributes an ``exists`` asked for), a
    year apart, so that each begins before the current post and the date."""
    first = dt.date.fromisoformat((now or {}).get("since") or as_of.isoformat())
    earlier = [{**dict(match), "since": first.replace(year=first.year - i, day=min(first.day, 28)).isoformat()}
               for i, match in enumerate(matches, 1)]
    return earlier[::-1] + ([{**now, "since": first.isoformat()}] if now else [])


def _place(policy: Policy, field, value, as_of: dt.date, rec: dict, ratings: dict, histories: dict,
           depth: int = 0) -> None:
    """Write into the record what gives ``field`` the ``value``, where the field's derivation can be
    turned around: an input, completed years up to the date, a worst rating over years, the first
    of a ``first_known``, whether a history of positions holds an entry (the history is then
    written whole: see _whole). Other derived values are left to the random part of the strategy."""
    if depth > 4:
        return
    if field.input is not None:
        head, _, attr = field.input.partition(".")
        if attr:
            rec.setdefault(head, {})[attr] = value
        else:
            rec[head] = value
        return
    node = field.derive
    if isinstance(node, d.Span) and node.unit == "years" and isinstance(node.start, d.Ref) \
            and isinstance(node.end, d.Ref) and node.end.name == "as_of":
        start = policy.fields.get(node.start.name)
        if start is not None:
            try:
                day = as_of.replace(year=as_of.year - int(value), day=min(as_of.day, 28))
            except ValueError:
                return
            _place(policy, start, day.isoformat(), as_of, rec, ratings, histories, depth + 1)
    elif isinstance(node, d.OverYears) and node.history == "performance" and node.take in ("min", "max"):
        for i in range(node.years):
            ratings[as_of.year - 1 - i] = value
    elif isinstance(node, d.FirstKnown) and isinstance(node.items[0], d.Ref):
        first = policy.fields.get(node.items[0].name)
        if first is not None:
            _place(policy, first, value, as_of, rec, ratings, histories, depth + 1)
    elif isinstance(node, d.IsPosition) and isinstance(node.item, d.Ref) and policy.position is not None:
        name = policy.fields.get(node.item.name)
        if name is not None:
            _place(policy, name, policy.position.name if value else "Jabatan Lain", as_of, rec, ratings, histories,
                   depth + 1)
    elif isinstance(node, d.HistoryAt) and not node.previous and node.history == "positions" \
            and isinstance(node.on, d.Ref) and node.on.name == "as_of" and node.value == "since":
        rec.setdefault("position", {})["since"] = value
    elif isinstance(node, d.HistoryExists) and node.history == "positions":
        asked = histories.setdefault(node.history, [])
        if value:  # an entry begun before the current post that matches (each attribute's first value)
            asked.append(tuple((attr, values[0]) for attr, values in node.match))


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
        f = next((x for x in policy.fields.values() if x.input == field), None) or policy.fields.get(field)
        step = Decimal(1).scaleb(-f.decimals) if f is not None and f.decimals else Decimal(1)
        values = _near(limits.get(field, set()), step) + [Decimal(x) for x in extra]
        return st.sampled_from(sorted(set(values))).map(lambda d: int(d) if d == d.to_integral() else float(d))

    levels = st.sampled_from(policy.levels)
    year = as_of.year
    def vocab(name: str):
        return st.sampled_from(policy.vocabularies[name].values)

    rating_years = st.lists(vocab("rating"), min_size=1, max_size=3).map(
        lambda rs: [{"year": year - 1 - i, "rating": r} for i, r in enumerate(rs)])
    names = [policy.position.name] if policy.position else []
    position = st.fixed_dictionaries({"type": vocab("position_type")}, optional={
        "name": st.sampled_from(names + ["Jabatan Lain"]), "level": levels,
        "since": st.integers(1, 8).map(lambda y: as_of.replace(year=as_of.year - y, month=1, day=1).isoformat())})
    fields = {
        "employment_status": vocab("employment_status"),
        "birth_date": st.tuples(st.sampled_from(ages), st.sampled_from([-1, 0, 1])).map(birth),
        "education": vocab("education"),
        "rank": vocab("rank"),
        "rank_since": st.integers(0, 6).map(lambda y: as_of.replace(year=as_of.year - y, day=1).isoformat()),
        "position": position,
        "performance": rating_years,
        "competency_test": st.fixed_dictionaries({"status": vocab("test_status"), "level": levels}),
        "credit_points": numbers("credit_points"),
        "experience_years": numbers("experience_years", (5,)),
    }
    changes = st.fixed_dictionaries({}, optional=fields)
    found = seeds(policy, as_of)
    anything = st.fixed_dictionaries({"id": st.just("cx"), "region": st.just(REGION)}, optional=fields)
    if not found:
        return anything.map(_born_first)
    # the seeds themselves, each with one field changed, with several changed, and anything at all
    exact = st.sampled_from(found)
    # (tuples and map, not flatmap: a flatmap costs Hypothesis far more per draw)
    one = st.one_of([st.tuples(exact, fields[key]).map(lambda t, key=key: {**t[0], key: t[1]})
                     for key in sorted(fields)])
    near = st.tuples(exact, changes).map(lambda t: {**t[0], **t[1]})
    return st.one_of(exact, one, near, anything).map(_born_first)


def _born_first(record: dict) -> dict:
    """The record with its birth date before its other dates, as every record a reader accepts has it
    (I025): a seed meeting a rule with an age of 0 would else be born after its rank was held."""
    born = record.get("birth_date")
    dates = [record.get("rank_since"), (record.get("position") or {}).get("since"),
             *((p.get("since") for p in record.get("positions") or ()))]
    first = min((d for d in dates if d), default=None)
    if born is None or first is None or first >= born:
        return record
    day = dt.date.fromisoformat(first)
    return {**record, "birth_date": day.replace(year=day.year - 18, day=min(day.day, 28)).isoformat()}


def workloads(policy: Policy, as_of: dt.date, regions: tuple[str, ...] = ("R1", "R2")):
    """Workload rows: catalogue activities at the levels that do them, and local ones with a norm."""
    from ..formation import Parameters

    params = Parameters(policy, as_of)
    known = [(a, lv) for a, row in sorted(params.activities.items()) for lv in policy.levels
             if row.values.get(lv) is not None]
    catalogue = st.sampled_from(known).flatmap(lambda al: st.fixed_dictionaries({
        "region": st.sampled_from(regions), "activity": st.just(al[0]), "level": st.just(al[1]),
        "volume": st.integers(0, 5000), "period": st.sampled_from(periods_of(policy))}))
    local = st.fixed_dictionaries({
        "region": st.sampled_from(regions), "activity": st.just("lokal"), "level": st.sampled_from(policy.levels),
        "volume": st.integers(0, 5000), "period": st.sampled_from(periods_of(policy)),
        "norm_minutes": st.integers(1, 600)})
    return st.lists(st.one_of(catalogue, local), min_size=1, max_size=10)


def periods_of(policy: Policy) -> tuple[str, ...]:
    """The periods a workload volume may be counted in: the keys of the policy's periods table."""
    table = policy.tables[policy.formation.periods_table]
    return tuple(dict.fromkeys(r.key for r in table.rows))
