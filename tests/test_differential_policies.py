"""durable_rules and the reference backend agree on every shipped position policy, for candidates
drawn from each policy's own strategies (thresholds, vocabularies, seeds at every route and level)
and with histories of positions and ranks. Any difference is a bug in one of the backends."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import formasi_rules as fr
from conftest import BACKENDS, ROOT
from formasi_rules.testing import candidates, places

POLICIES = [p for p in sorted((ROOT / "policies").iterdir())
            if (p / "policy.yaml").is_file() and not fr.load_policy(p).abstract]


@pytest.fixture(scope="module", params=POLICIES, ids=lambda p: p.name)
def pair(request):
    policy = fr.load_policy(request.param)
    built = {name: fr.Engine(policy, backend=name) for name in BACKENDS}
    yield policy, built
    for engine in built.values():
        engine.close()


def histories(policy, as_of: dt.date):
    """A record's positions and ranks histories, from the policy's vocabularies."""
    levels = st.sampled_from(policy.levels)
    types = st.sampled_from(policy.vocabularies["position_type"].values)
    names = st.sampled_from([policy.position.name, "Jabatan Lain"])
    ranks = st.sampled_from(policy.vocabularies["rank"].values)
    start = st.integers(1, 12).map(lambda y: as_of.replace(year=as_of.year - y, day=1))
    position = st.fixed_dictionaries({"since": start.map(dt.date.isoformat), "type": types},
                                     optional={"name": names, "level": levels, "top_rank": st.booleans()})
    rank = st.fixed_dictionaries({"rank": ranks, "since": start.map(dt.date.isoformat)})
    return st.fixed_dictionaries({}, optional={
        "positions": st.lists(position, max_size=3, unique_by=lambda p: p["since"]),
        "ranks": st.lists(rank, max_size=3, unique_by=lambda r: r["since"])})


@pytest.mark.skipif(len(BACKENDS) < 2, reason="durable_rules does not import on this Python")
@settings(max_examples=120)
@given(data=st.data())
def test_backends_agree_on_each_shipped_policy(pair, data):
    policy, engines = pair
    as_of = data.draw(st.sampled_from([policy.coverage.valid_from + dt.timedelta(days=d) for d in (0, 400, 1000)]))
    record = {**data.draw(candidates(policy, as_of)), **data.draw(histories(policy, as_of))}
    formation = places(policy, data.draw(st.integers(0, 1)))
    results = []
    for name in ("durable", "reference"):
        try:
            out = engines[name].evaluate(record, as_of=as_of, formation=formation).to_dict()
            out.pop("backend")
        except fr.InputError as exc:  # a start date after as_of, say: both must refuse alike
            out = [p.to_dict() for p in exc.problems]
        results.append(out)
    assert results[0] == results[1]
