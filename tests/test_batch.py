"""Batch evaluation: streaming order, error records, --jobs equivalence, interruption, progress."""

import functools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest
from click.testing import CliRunner

import formasi_rules as fr
from conftest import AS_OF, BACKENDS, ROOT
from formasi_rules.cli import main

sys.path.insert(0, str(ROOT / "benchmarks"))
from evaluate import candidates  # noqa: E402  the benchmark's synthetic generator


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    path = tmp_path_factory.mktemp("batch") / "c.jsonl"
    with open(path, "w") as f:
        for i, rec in enumerate(candidates(600)):
            f.write(("{not json" if i == 7 else json.dumps(rec)) + "\n")
    return path


def test_jobs_give_the_same_items_in_the_same_order(default_engine, batch, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the workers' spool files go
    records = list(fr.read_records(batch))
    one = [t for t, _ in default_engine.evaluate_lines(records, as_of=AS_OF)]
    two = [t for t, _ in default_engine.evaluate_lines(records, as_of=AS_OF, jobs=2)]
    three = [t for t, _ in default_engine.evaluate_lines(fr.read_records(batch, parse=False), as_of=AS_OF, jobs=3)]
    assert one == two == three and len(one) == 600
    assert list(tmp_path.iterdir()) == []  # spool files removed
    blocks = list(default_engine.evaluate_blocks(records, as_of=AS_OF, jobs=2, layout="compact"))
    assert sum(b.count for b in blocks) == 600 and [i for b in blocks for i, _ in b.errors] == [7]
    assert b"".join(b.text for b in blocks).decode().splitlines() == [
        t for t, _ in default_engine.evaluate_lines(records, as_of=AS_OF, layout="compact")]
    objects = [r.to_json() for r in default_engine.evaluate_many(records, as_of=AS_OF, jobs=2)]
    assert objects == one
    assert json.loads(one[7])["error"]["where"] == "$[7] (line 8)"


def _failing_source(records, at):
    """The records, then the error an iterable raises at record ``at`` (a file that goes away)."""
    yield from records[:at]
    raise OSError("the disk went away")


@pytest.mark.parametrize("how,at", [("many", 150), ("many", 610), ("blocks", 150), ("lines", 140)])
def test_with_jobs_an_iterable_that_fails_gives_out_every_record_before(default_engine, tmp_path, monkeypatch,
                                                                       how, at):
    """A chunk read in part when the records' iterable raised was lost with workers (150 records:
    none given out): as with one process, each record before the error is given out, then the error."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    records = [dict(r) for r in candidates(at)]
    run = {"many": lambda src: (r.candidate for r in default_engine.evaluate_many(src, as_of=AS_OF, jobs=2)),
           "blocks": lambda src: (i for b in default_engine.evaluate_blocks(src, as_of=AS_OF, jobs=2,
                                                                            layout="compact") for i in b.ids),
           "lines": lambda src: (json.loads(t)["candidate"] for t, _ in default_engine.evaluate_lines(
               src, as_of=AS_OF, jobs=2, layout="full"))}[how]  # full: chunks of 25, the last one short
    got = []
    with pytest.raises(OSError, match="disk went away"):
        for item in run(_failing_source(records, at)):
            got.append(item)
    assert got == [r["id"] for r in records]
    assert list(tmp_path.iterdir()) == []  # the workers ended and their spool removed


def test_cli_jobs_and_streaming_order(batch, tmp_path):
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"o{jobs}.jsonl"
        r = CliRunner().invoke(main, ["evaluate", str(batch), "--as-of", "2025-10-09", "--format", "jsonl",
                                      "--jobs", jobs, "--policies", str(ROOT / "policies"), "-o", str(out)])
        assert r.exit_code == 1  # one record rejected
        assert "600 record(s): 599 evaluated, 1 rejected" in r.stderr
        assert "\r" not in r.stderr  # no progress line when not on a terminal
        outs.append(out.read_text())
    assert outs[0] == outs[1]
    catalogue, *lines = outs[0].splitlines()  # JSON Lines are compact by default: the catalogue first
    assert json.loads(catalogue)["catalogue"]["as_of"] == "2025-10-09"
    ids = [json.loads(line).get("candidate") for line in lines]
    assert ids[:3] == ["B0000000", "B0000001", "B0000002"] and ids[7] is None


def test_an_unwritable_spool_folder_is_a_clear_error(default_engine, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    with pytest.raises(fr.FormasiError, match="set TMPDIR to a writable folder"):
        list(default_engine.evaluate_blocks([{"id": "a"}], as_of=AS_OF, jobs=2))


def test_bad_jobs_value(default_engine):
    with pytest.raises(fr.InvalidArgument):
        list(default_engine.evaluate_many([], as_of=AS_OF, jobs=0))


@pytest.mark.parametrize("fmt,jobs", [("json", "1"), ("jsonl", "1"), ("jsonl", "2")])
def test_interrupt_leaves_a_valid_output_of_the_records_done(tmp_path, fmt, jobs):
    path = tmp_path / "many.jsonl"
    with open(path, "w") as f:
        for rec in candidates(20000):
            f.write(json.dumps(rec) + "\n")
    out = tmp_path / f"out.{fmt}"
    exe = os.path.join(os.path.dirname(sys.executable), "formasi")
    spool = tmp_path / "tmp"
    spool.mkdir()
    proc = subprocess.Popen([exe, "evaluate", str(path), "--as-of", "2025-10-09", "--format", fmt, "--jobs", jobs,
                             "--policies", str(ROOT / "policies"), "-o", str(out)],
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(spool)})
    deadline = time.time() + 60
    while time.time() < deadline and max([p.stat().st_size for p in tmp_path.iterdir()
                                          if p.name.startswith(out.name) or p.name.startswith(f".{out.name}.")]
                                         or [0]) < 200_000:  # the output is written beside out.* first
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "interrupted after" in err and "Traceback" not in err
    text = out.read_text()
    done = json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()[1:]]
    assert 0 < len(done) < 20000
    assert [d["candidate"] for d in done] == [f"B{i:07d}" for i in range(len(done))]
    assert list(spool.iterdir()) == []  # no spool files left behind


def test_standard_input_is_read_as_a_stream(tmp_path):
    exe = os.path.join(os.path.dirname(sys.executable), "formasi")
    lines = "".join(json.dumps(rec) + "\n" for rec in candidates(30))
    common = [exe, "evaluate", "-", "--as-of", "2025-10-09", "--format", "jsonl", "--policies", str(ROOT / "policies")]
    done = subprocess.run([*common, "--input-format", "jsonl", "--jobs", "2"], input=lines,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    catalogue, *records = done.stdout.splitlines()
    assert [json.loads(r)["candidate"] for r in records] == [f"B{i:07d}" for i in range(30)]
    refused = subprocess.run(common, input=lines, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "--input-format jsonl or csv" in refused.stderr


def test_a_worker_that_cannot_make_its_engine_is_an_error_not_a_hang(policy_copy, monkeypatch):
    engine = fr.Engine(fr.load_policy(policy_copy), backend=BACKENDS[0])
    # the workers' engines are made with an option this one was not (one Engine refuses)
    monkeypatch.setattr("formasi_rules.engine._engine._factory",
                        lambda remember: functools.partial(fr.Engine, remember="yes"))
    def records():  # read slowly (as a stream may be): this process alone must not finish before the
        # worker's refusal comes back, which takes it a second or two on a busy machine
        for i, r in enumerate(candidates(3000)):
            if i % 100 == 0:
                time.sleep(0.2)
            yield f"$[{i}]", r
    with pytest.raises(fr.InvalidArgument, match="remember must be True or False"):
        list(engine.evaluate_blocks(records(), as_of=AS_OF, jobs=2))
    engine.close()
