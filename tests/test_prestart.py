"""Workers started before the calling process loads its policy (``_parallel.prestart``, what
``formasi evaluate --jobs N`` does first): the next batch on their folder takes them; they decide
by the batch's policy digest all the same; those no batch takes are ended."""

import os
import sys

import pytest

import formasi_rules as fr
from conftest import AS_OF, ROOT
from formasi_rules._errors import EngineError
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


def test_a_batch_takes_the_workers_started_for_its_folder(policy_copy):
    _parallel.prestart(policy_copy, 1)
    (started,) = _parallel._PRESTARTED
    policy = fr.load_policy(policy_copy)
    records = _lines(2000)
    with fr.Engine(policy, backend="reference") as engine:
        one = _blocks(engine, records, 1)
        pool_processes = []
        real = _parallel._Workers.end

        def seen(self, force):
            pool_processes.extend(w.process for w in self.all)
            return real(self, force)
        try:
            _parallel._Workers.end = seen
            assert _blocks(engine, records, 2) == one
        finally:
            _parallel._Workers.end = real
    assert pool_processes == [started.process] and not _parallel._PRESTARTED


def test_workers_started_for_another_folder_are_ended_and_others_started(policy_copy, tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    _parallel.prestart(other, 1)
    (stray,) = _parallel._PRESTARTED
    with fr.Engine(fr.load_policy(policy_copy), backend="reference") as engine:
        records = _lines(600)
        assert _blocks(engine, records, 2) == _blocks(engine, records, 1)
    assert not _parallel._PRESTARTED and _ended(stray.process)


class _Pipe:
    """A worker's end of its pipe, in this process: ``orders`` come in turn (each a callable run
    when it is read, then what it gives), and what the worker says is kept."""

    def __init__(self, *orders):
        self.orders, self.said = list(orders), []

    def recv(self):
        return self.orders.pop(0)()

    def send(self, message):
        self.said.append(message)


class _Engine:
    def __init__(self, policy, backend, formation):
        self.digest = policy.digest

    def close(self):
        pass


def _edited(folder, mark):
    path = folder / "policy.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("version:", f"# {mark}\nversion:", 1), encoding="utf-8")


def test_a_worker_decides_by_the_batchs_policy_read_again_if_the_folder_changed_since(policy_copy, monkeypatch):
    # a prestarted worker reads the folder before the batch loads its policy: an edit saved in
    # between is read again, and the batch's digest decides; a folder holding yet another version is refused
    monkeypatch.setattr(_parallel.signal, "signal", lambda *a: None)  # (not this process's Ctrl-C)
    made = []

    def factory(policy, backend, formation):
        made.append(_Engine(policy, backend, formation))
        return made[-1]

    def edit_then(digest):
        def orders():
            _edited(policy_copy, "edited")
            return factory, digest(), "reference", None
        return orders

    before = fr.load_policy(policy_copy).digest
    pipe = _Pipe(edit_then(lambda: fr.load_policy(policy_copy).digest), lambda: None)
    _parallel._serve(pipe, str(policy_copy))  # it read the folder before the edit, the batch after
    assert [kind for kind, _ in pipe.said] == ["up"] and made[-1].digest != before
    assert made[-1].digest == fr.load_policy(policy_copy).digest
    pipe = _Pipe(edit_then(lambda: before), lambda: None)  # the batch's version is in the folder no more
    _parallel._serve(pipe, str(policy_copy))
    ((kind, error),) = pipe.said
    assert kind == "failed" and isinstance(error, EngineError) and "changed after the batch started" in str(error)


def test_a_worker_not_needed_after_all_ends_without_a_word(policy_copy, monkeypatch):
    monkeypatch.setattr(_parallel.signal, "signal", lambda *a: None)
    pipe = _Pipe(lambda: None)
    _parallel._serve(pipe, str(policy_copy))
    assert pipe.said == []


def test_workers_no_batch_took_are_ended(policy_copy):
    _parallel.prestart(policy_copy, 2)
    started = [w.process for w in _parallel._PRESTARTED]
    _parallel.discard_prestarted()
    assert not _parallel._PRESTARTED and all(_ended(p) for p in started)


def test_the_command_line_starts_its_workers_first_and_writes_what_one_process_writes(tmp_path, monkeypatch):
    from click.testing import CliRunner
    from formasi_rules.cli import main
    source = tmp_path / "c.jsonl"
    source.write_text("".join(line.text + "\n" for _, line in _lines(800)), encoding="utf-8")
    started = []
    real = _parallel.prestart
    monkeypatch.setattr("formasi_rules.cli._evaluate.prestart",
                        lambda root, count: (started.append((os.path.realpath(root), count)), real(root, count)))
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.jsonl"
        result = CliRunner().invoke(main, ["evaluate", str(source), "--as-of", AS_OF.isoformat(), "--format", "jsonl",
                                           "--jobs", jobs, "-q", "-o", str(out), "--policies", str(ROOT / "policies")])
        assert result.exit_code == 0, result.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert started == [(os.path.realpath(ROOT / "policies" / "pengantar_kerja"), 1)] and not _parallel._PRESTARTED


def test_a_worker_that_cannot_be_started_first_is_left_to_the_batch(policy_copy, monkeypatch):
    # prestarting is a head start, never a new way to fail: the batch starts its own and says why not
    def refused(self, root):
        raise OSError(11, "Resource temporarily unavailable")
    monkeypatch.setattr(_parallel._Worker, "__init__", refused)
    _parallel.prestart(policy_copy, 2)
    assert not _parallel._PRESTARTED


def test_a_worker_the_machine_cannot_start_is_said_in_one_line(monkeypatch, tmp_path):
    from click.testing import CliRunner
    from formasi_rules.cli import main

    def refused(self, root):
        raise OSError(11, "Resource temporarily unavailable")
    monkeypatch.setattr(_parallel._Worker, "__init__", refused)
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(main, ["evaluate", str(ROOT / "examples" / "sumsel" / "candidates.json"), "--as-of",
                                  AS_OF.isoformat(), "--format", "jsonl", "--jobs", "2", "--policies",
                                  str(ROOT / "policies"), "-o", str(out)])
    assert r.exit_code not in (0, 3) and "cannot start a worker process (Resource temporarily unavailable)" in r.stderr
    assert "--jobs 1" in r.stderr and "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()  # nothing half written
