"""Hot reload: a new policy version goes into service atomically; work in flight finishes on the
version it started with; a policy that fails validation is refused and the old one stays."""

import sys
import threading
import time

import pytest

import formasi_rules as fr
from conftest import AS_OF, BACKENDS, edit

# 51 on the date: eligible for a transfer to Ahli Pertama while the limit is 53, not when it is 50
RECORD = {"id": "r", "employment_status": "PNS", "birth_date": "1974-01-01", "education": "S1", "rank": "III/a",
          "region": "Kota A", "experience_years": 2,
          "performance": [{"year": 2023, "rating": "baik"}, {"year": 2024, "rating": "baik"}],
          "competency_test": {"status": "passed", "level": "ahli_pertama"},
          "request": {"route": "perpindahan", "level": "ahli_pertama"}}
PLACES = {"Kota A": {"ahli_pertama": 1}}


def stricter(policy_copy):
    edit(policy_copy.parent / "jf_umum" / "tables" / "thresholds.yaml", "{level: ahli_pertama, max_age: 53}",
         "{level: ahli_pertama, max_age: 50}")
    return fr.load_policy(policy_copy)


@pytest.fixture(params=BACKENDS)
def engine(request, policy):
    with fr.Engine(policy, backend=request.param, formation=PLACES) as engine:
        yield engine


def outcome(result):
    return result.decisions[0].outcome


def test_reload_swaps_the_version_and_results_name_it(engine, policy, policy_copy):
    assert outcome(engine.evaluate(RECORD, as_of=AS_OF)) == "eligible"
    new = engine.reload(stricter(policy_copy))
    result = engine.evaluate(RECORD, as_of=AS_OF)
    assert outcome(result) == "not_eligible"
    assert result.policy["digest"] == new.digest != policy.digest
    assert engine.policy is new


def test_reload_from_the_folder_picks_up_an_edit(policy_copy):
    with fr.Engine(fr.load_policy(policy_copy), backend=BACKENDS[0], formation=PLACES) as engine:
        assert outcome(engine.evaluate(RECORD, as_of=AS_OF)) == "eligible"
        stricter(policy_copy)
        engine.reload()
        assert outcome(engine.evaluate(RECORD, as_of=AS_OF)) == "not_eligible"


def test_a_broken_policy_is_refused_and_the_old_one_stays(engine, policy, policy_copy):
    edit(policy_copy.parent / "jf_umum" / "rules" / "perpindahan.yaml", "      age: {at_most:", "      ages: {at_most:")
    with pytest.raises(fr.PolicyError):
        engine.reload(policy_copy)
    result = engine.evaluate(RECORD, as_of=AS_OF)
    assert result.policy["digest"] == policy.digest and outcome(result) == "eligible"


def test_a_batch_finishes_on_the_version_it_started_with(engine, policy, policy_copy):
    batch = engine.evaluate_many([dict(RECORD, id=str(i)) for i in range(5)], as_of=AS_OF)
    first = next(batch)
    engine.reload(stricter(policy_copy))
    rest = list(batch)
    assert {r.policy["digest"] for r in [first, *rest]} == {policy.digest}
    assert all(outcome(r) == "eligible" for r in [first, *rest])
    assert outcome(engine.evaluate(RECORD, as_of=AS_OF)) == "not_eligible"


def test_reload_under_concurrent_evaluation(engine, policy, policy_copy):
    versions = {policy.digest: "eligible"}
    strict = stricter(policy_copy)
    versions[strict.digest] = "not_eligible"
    seen, errors, stop = [], [], threading.Event()

    def work():
        try:
            while not stop.is_set():
                r = engine.evaluate(RECORD, as_of=AS_OF)
                seen.append((r.policy["digest"], outcome(r)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for i in range(10):  # each version put in service five times while three threads evaluate
        engine.reload(strict if i % 2 == 0 else policy)
    stop.set()
    for t in threads:
        t.join()
    assert not errors
    assert seen and all(versions[digest] == got for digest, got in seen)  # each result right for its version
    assert {d for d, _ in seen} <= set(versions)


def test_retired_versions_are_closed_once_unused(policy, policy_copy):
    engine = fr.Engine(policy, backend=BACKENDS[0], formation=PLACES)
    first = engine._current
    batch = engine.evaluate_many([RECORD, RECORD], as_of=AS_OF)
    next(batch)
    engine.reload(stricter(policy_copy))
    assert not first.closed  # a batch still uses it
    list(batch)
    assert first.closed
    engine.close()
    assert engine._current.closed
    with pytest.raises(fr.InvalidArgument):
        engine.reload(policy)


@pytest.fixture(params=[True, False], ids=["gil", "free-threaded"])
def pinning(request, monkeypatch):
    """Pinning as it is with the GIL (no lock), and as a free-threaded Python does it (the lock)."""
    from formasi_rules.engine import _compiled
    monkeypatch.setattr(_compiled, "_GIL", request.param)
    return request.param


def test_a_retired_version_refuses_new_pins_and_closes_with_its_last(policy, pinning):
    engine = fr.Engine(policy, backend=BACKENDS[0])
    version = engine._current
    assert version.acquire() and version.acquire()
    version.retire()
    assert not version.acquire() and not version.closed  # two evaluations still use it
    version.release()
    assert not version.closed
    version.release()
    assert version.closed
    engine.close()


def test_a_version_retired_as_it_is_pinned_is_refused(policy):
    """The version is retired just as an evaluation pins it, before it is counted: it closes (nothing
    counted uses it), and the evaluation, counted first and looking after, is refused. Were it to look
    first and be counted after, it would hold a closed version."""
    engine = fr.Engine(policy, backend=BACKENDS[0])
    version = engine._current

    class RetiredFirst(list):
        def append(self, item):
            version.retire()
            super().append(item)

    version._users = RetiredFirst()
    assert not version.acquire()
    assert version.closed and not version._users
    engine.close()


def test_a_pinned_version_is_never_closed_under_it(policy, pinning):
    """Threads pin and let go of a version while it is retired (a thread switch after every few
    steps): none ever holds it closed, each pin after the retirement is refused, and the version
    closes once the last lets go."""
    engine = fr.Engine(policy, backend=BACKENDS[0])
    version = engine._current
    started, faults, refused = threading.Barrier(5), [], []

    def pin() -> None:  # until refused (or, were it never, for 10 s)
        started.wait()
        deadline, i = time.monotonic() + 10, 0
        while i % 1000 or time.monotonic() < deadline:
            if not version.acquire():
                refused.append(i)
                return
            if version.closed:
                faults.append(i)
            version.release()
            i += 1
        faults.append("never refused")

    threads = [threading.Thread(target=pin) for _ in range(4)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for t in threads:
            t.start()
        started.wait()
        time.sleep(0.005)  # (let the threads run first)
        version.retire()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert not faults and len(refused) == 4 and version.closed
    engine.close()
