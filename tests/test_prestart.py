"""Workers started before the calling process loads its policy (``_parallel.prestart``, what
``formasi evaluate --jobs N`` does first) and sent it once it is read (``brief``): the next batch
takes them, made for its engine or made again for it; they evaluate by the calling process's own
policy, whatever its folder holds by then; those no batch takes are ended."""

import os
import sys

import pytest

import formasi_rules as fr
from conftest import AS_OF, ROOT
from formasi_rules._errors import EngineError
from formasi_rules.engine._engine import _factory
from formasi_rules.engine import _parallel
from formasi_rules.inputs import JsonLine

sys.path.insert(0, str(ROOT / "benchmarks"))
from evaluate import candidates  # noqa: E402


def _lines(n):
    import json
    return [(f"$[{i}]", JsonLine(json.dumps(r), "t.jsonl", i + 1)) for i, r in enumerate(candidates(n))]


def _blocks(engine, records, jobs):
    return b"".join(b.text for b in engine.evaluate_blocks(records, as_of=AS_OF, layout="compact", jobs=jobs))


def _ended(process) -> bool:
    """Ended, joined and closed (a closed process object says so by refusing to be asked)."""
    try:
        process.is_alive()
    except ValueError:
        return True
    return False


@pytest.fixture(autouse=True)
def _none_left():
    yield
    _parallel.discard_prestarted()


def _pooled(monkeypatch):
    """The worker processes of each batch, and the engines asked of them (make's calls), as they go."""
    pools, makes = [], []
    real_end, real_make = _parallel._Workers.end, _parallel._Worker.make

    def seen(self, force):
        pools.append([w.process for w in self.all])
        return real_end(self, force)

    def make(self, *args):
        makes.append(args[2])  # the backend
        return real_make(self, *args)
    monkeypatch.setattr(_parallel._Workers, "end", seen)
    monkeypatch.setattr(_parallel._Worker, "make", make)
    return pools, makes


@pytest.mark.parametrize("briefed, makes_seen", [
    ("reference", ["reference"]),  # made once, when briefed: the batch found it made for it
    ("durable", ["durable", "reference"]),  # made for another backend: made again for the batch's
])
def test_a_batch_takes_the_workers_started_and_made_beside_this_process(policy_copy, monkeypatch, briefed,
                                                                        makes_seen):
    pools, makes = _pooled(monkeypatch)
    _parallel.prestart(1)
    (started,) = _parallel._PRESTARTED
    policy = fr.load_policy(policy_copy)
    _parallel.brief(_factory(True), policy, briefed)
    records = _lines(2000)
    with fr.Engine(policy, backend="reference") as engine:
        one = _blocks(engine, records, 1)
        assert _blocks(engine, records, 2) == one
    assert pools == [[started.process]] and not _parallel._PRESTARTED
    assert makes == makes_seen


class _Said:
    """The calling process's end of a worker's pipe: what the worker said, to be heard in turn."""

    def __init__(self, *said):
        self.said = list(said)

    def poll(self):
        return bool(self.said)

    def recv(self):
        return self.said.pop(0)


def test_only_the_engine_asked_for_last_counts(tmp_path):
    # a worker briefed for one engine and then asked for the batch's: what it says of the first
    # (made, or could not be made) is not said of the second
    pool = _parallel._Workers(0, (), str(tmp_path))
    worker = _parallel._Worker.__new__(_parallel._Worker)
    worker.making, worker.up = (5, None), False
    worker.conn = _Said(("failed", (4, EngineError("not the batch's"))), ("up", 4))
    pool._hear(worker)
    assert not worker.up
    worker.conn = _Said(("up", 5))
    pool._hear(worker)
    assert worker.up
    worker.making, worker.up = (6, None), False
    worker.conn = _Said(("failed", (6, EngineError("cannot be made"))))
    with pytest.raises(EngineError, match="cannot be made"):
        pool._hear(worker)


def test_workers_evaluate_by_the_batchs_policy_whatever_its_folder_holds_by_then(policy_copy):
    policy = fr.load_policy(policy_copy)
    _parallel.prestart(1)
    (policy_copy / "policy.yaml").write_text("rules: [unclosed\n", encoding="utf-8")  # saved after it was read
    with fr.Engine(policy, backend="reference") as engine:
        records = _lines(600)
        assert _blocks(engine, records, 2) == _blocks(engine, records, 1)


class _Pipe:
    """A worker's end of its pipe, in this process: ``orders`` come in turn, and what the worker
    says is kept."""

    def __init__(self, *orders):
        self.orders, self.said = list(orders), []

    def recv(self):
        return self.orders.pop(0)

    def send(self, message):
        self.said.append(message)


class _Engine:
    closed = 0

    def __init__(self, policy, backend, formation):
        self.backend = backend

    def close(self):
        _Engine.closed += 1


def test_a_worker_says_which_engine_it_made_and_closes_the_one_it_had(policy_copy, monkeypatch):
    monkeypatch.setattr(_parallel.signal, "signal", lambda *a: None)  # (not this process's Ctrl-C)
    monkeypatch.setattr(_parallel.gc, "freeze", lambda: None)  # (nor this process's collector)
    monkeypatch.setattr(_parallel.gc, "unfreeze", lambda: None)

    def broken(policy, backend, formation):
        raise ValueError("no such engine")
    policy = fr.load_policy(policy_copy)
    _Engine.closed = 0
    pipe = _Pipe(("make", 7, _Engine, policy, "durable", None), ("make", 8, broken, policy, "durable", None),
                 ("make", 9, _Engine, policy, "reference", None), None)
    _parallel._serve(pipe)
    assert pipe.said[0] == ("up", 7)
    kind, (number, error) = pipe.said[1]
    assert (kind, number) == ("failed", 8) and isinstance(error, EngineError) and "no such engine" in str(error)
    assert pipe.said[2] == ("up", 9) and len(pipe.said) == 3
    assert _Engine.closed == 2  # the first when the second was asked for, the last at the end


def test_workers_are_briefed_for_the_backend_the_engine_chooses_without_a_second_warning(policy_copy, monkeypatch):
    import warnings

    from formasi_rules._errors import BackendUnavailable
    from formasi_rules.engine import _durable, _engine
    said = []
    monkeypatch.setattr(_engine, "brief", lambda factory, policy, backend: said.append(backend))

    def missing():
        raise BackendUnavailable("no durable_rules here")
    policy = fr.load_policy(policy_copy)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _engine.brief_workers(policy, None)
        monkeypatch.setattr(_durable, "load_engine", missing)
        _engine.brief_workers(policy, None)
        _engine.brief_workers(policy, "durable")
    assert said == ["durable", "reference", "durable"] and not caught


def test_a_worker_not_needed_after_all_ends_without_a_word(monkeypatch):
    monkeypatch.setattr(_parallel.signal, "signal", lambda *a: None)
    pipe = _Pipe(None)
    _parallel._serve(pipe)
    assert pipe.said == []


def test_workers_no_batch_took_are_ended():
    _parallel.prestart(2)
    started = [w.process for w in _parallel._PRESTARTED]
    _parallel.discard_prestarted()
    assert not _parallel._PRESTARTED and all(_ended(p) for p in started)


def test_the_command_line_starts_its_workers_first_and_writes_what_one_process_writes(tmp_path, monkeypatch):
    from click.testing import CliRunner
    from formasi_rules.cli import main
    source = tmp_path / "c.jsonl"
    source.write_text("".join(line.text + "\n" for _, line in _lines(800)), encoding="utf-8")
    started, briefed = [], []
    real, real_brief = _parallel.prestart, _parallel.brief
    monkeypatch.setattr("formasi_rules.cli._evaluate.prestart",
                        lambda count: (started.append((count, len(briefed))), real(count)))
    monkeypatch.setattr("formasi_rules.engine._engine.brief", lambda factory, policy, backend: (
        briefed.append((os.path.realpath(policy.root), backend)), real_brief(factory, policy, backend)))
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.jsonl"
        result = CliRunner().invoke(main, ["evaluate", str(source), "--as-of", AS_OF.isoformat(), "--format", "jsonl",
                                           "--jobs", jobs, "-q", "-o", str(out), "--policies", str(ROOT / "policies")])
        assert result.exit_code == 0, result.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert started == [(1, 0)] and not _parallel._PRESTARTED  # started before the policy was read
    assert briefed == [(os.path.realpath(ROOT / "policies" / "pengantar_kerja"), "durable")]


def test_with_open_places_the_workers_are_made_for_the_batch_and_write_what_one_process_writes(tmp_path,
                                                                                               monkeypatch):
    from click.testing import CliRunner
    from formasi_rules.cli import main
    source = tmp_path / "c.jsonl"
    source.write_text("".join(line.text + "\n" for _, line in _lines(800)), encoding="utf-8")
    places = tmp_path / "places.csv"
    places.write_text("region,level,open\n" + "".join(f"{r},{lv},1\n" for r in ("Palembang", "Lahat")
                                                     for lv in ("ahli_pertama", "ahli_muda", "ahli_madya")),
                      encoding="utf-8")
    briefed = []
    monkeypatch.setattr("formasi_rules.cli._evaluate.brief_workers", lambda *a, **k: briefed.append(a))
    outs = []
    for jobs, given in (("1", ["--formation", str(places)]), ("2", ["--formation", str(places)]), ("1", [])):
        out = tmp_path / f"out{len(outs)}.jsonl"
        result = CliRunner().invoke(main, ["evaluate", str(source), "--as-of", AS_OF.isoformat(), "--format", "jsonl",
                                           "--jobs", jobs, "-q", "-o", str(out), *given,
                                           "--policies", str(ROOT / "policies")])
        assert result.exit_code == 0, result.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and outs[0] != outs[2]  # the workers decided by the open places too
    assert briefed == []  # (an engine without the places would be made for nothing)


def test_a_worker_that_cannot_be_started_first_is_left_to_the_batch(monkeypatch):
    # prestarting is a head start, never a new way to fail: the batch starts its own and says why not
    def refused(self):
        raise OSError(11, "Resource temporarily unavailable")
    monkeypatch.setattr(_parallel._Worker, "__init__", refused)
    _parallel.prestart(2)
    assert not _parallel._PRESTARTED


def test_a_worker_the_machine_cannot_start_is_said_in_one_line(monkeypatch, tmp_path):
    from click.testing import CliRunner
    from formasi_rules.cli import main

    def refused(self):
        raise OSError(11, "Resource temporarily unavailable")
    monkeypatch.setattr(_parallel._Worker, "__init__", refused)
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(main, ["evaluate", str(ROOT / "examples" / "sumsel" / "candidates.json"), "--as-of",
                                  AS_OF.isoformat(), "--format", "jsonl", "--jobs", "2", "--policies",
                                  str(ROOT / "policies"), "-o", str(out)])
    assert r.exit_code not in (0, 3) and "cannot start a worker process (Resource temporarily unavailable)" in r.stderr
    assert "--jobs 1" in r.stderr and "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()  # nothing half written
