"""Fault injection on the real command, in its own process: a worker killed mid-run, SIGTERM
to the main process, a full disk, a closed pipe, a folder that cannot be written.

Each asserts what a user is promised: the run ends promptly with a clear message and a
documented exit status, the output is valid up to what was done (and says how much), and
no process is left behind.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT

POLICIES = str(ROOT / "policies")
EXAMPLE = ROOT / "examples" / "sumsel" / "candidates.json"
CLI = [sys.executable, "-c", "from formasi_rules.cli import main; main()"]
TIMEOUT = 60  # a hang fails the test instead of the suite

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Path:
    """Enough records that a --jobs 2 run lasts several seconds."""
    base = json.loads(EXAMPLE.read_text())
    path = tmp_path_factory.mktemp("faults") / "many.jsonl"
    with path.open("w") as f:
        for i in range(120_000):
            f.write(json.dumps({**base[i % len(base)], "id": f"x{i}"}) + "\n")
    return path


def start(*args, as_of="2025-10-09", **kwargs) -> subprocess.Popen:
    return subprocess.Popen([*CLI, *args, "--as-of", as_of, "--policies", POLICIES, "-q"],
                            stdout=kwargs.pop("stdout", subprocess.DEVNULL), stderr=subprocess.PIPE,
                            start_new_session=True, **kwargs)


def children(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids += [int(k) for k in (task / "children").read_text().split()]
    return kids


def workers(pid: int) -> list[int]:
    """The worker processes (not multiprocessing's resource tracker), once they are up."""
    for _ in range(200):
        found = [k for k in children(pid) if b"resource_tracker" not in Path(f"/proc/{k}/cmdline").read_bytes()]
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("no worker started")


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    try:
        _, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError("the run hung") from None
    return proc.returncode, err.decode()


def assert_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        alive = [p for p in pids if _alive(p)]
        if not alive:
            return
        time.sleep(0.1)
    for p in alive:
        os.kill(p, signal.SIGKILL)
    raise AssertionError(f"processes left behind: {alive}")


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def written(path: Path) -> int:
    """Bytes written so far: to the file, or to the temporary file beside it that becomes it."""
    sizes = [p.stat().st_size for p in path.parent.iterdir() if p == path or p.name.startswith(f".{path.name}.")]
    return max(sizes, default=0)


def wait_for_output(path: Path, size: int = 1) -> None:
    for _ in range(600):
        if path.exists() and path.stat().st_size >= size or any(
                p.name.startswith(f".{path.name}.") and p.stat().st_size >= size for p in path.parent.iterdir()):
            return
        time.sleep(0.02)
    raise AssertionError("no output appeared")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_worker_ends_the_run_with_a_clear_error_and_valid_output(many, tmp_path, sig):
    out = tmp_path / "out.jsonl"
    proc = start("evaluate", str(many), "--format", "jsonl", "--jobs", "2", "-o", str(out))
    worker = workers(proc.pid)
    wait_for_output(out, 200_000)  # mid-run: the worker has done chunks
    everyone = children(proc.pid)
    os.kill(worker[0], sig)
    code, err = finish(proc)
    assert "Traceback" not in err
    lines = out.read_text().splitlines()
    if code == 0:  # the worker had no chunk left when it died (a busy machine lets the run get ahead):
        done = 120_000  # nothing was lost, and the output is whole
        assert len(lines) == done + 1, err
    else:
        assert code == 2, err
        assert "worker process ended unexpectedly" in err and signal.Signals(sig).name in err
        done = int(err.split("stopped after ")[1].split()[0])
        assert 0 < done < 120_000 and len(lines) == done + 1  # the catalogue, then every record done
    ids = [json.loads(line)["candidate"] for line in lines[1:]]
    assert ids == [f"x{i}" for i in range(done)]  # valid, in order, nothing after the gap
    assert_gone([proc.pid, *everyone])


def test_a_starved_worker_has_its_chunks_taken_back_and_the_output_is_whole(many, tmp_path):
    """A worker that gets no processor time (stopped here, as a busy machine starves it) must
    not hold the run back by more than the chunk it has started: the calling process takes the
    others back. When the worker runs again it finds them taken and skips them; the output has
    every record once, in order."""
    out = tmp_path / "out.jsonl"
    proc = start("evaluate", str(many), "--format", "jsonl", "--jobs", "2", "-o", str(out))
    worker = workers(proc.pid)[0]
    wait_for_output(out, 10_000_000)  # well into the run: the worker is up and has chunks queued
    os.kill(worker, signal.SIGSTOP)
    try:
        before = written(out)
        time.sleep(3)  # the calling process works on, the stopped worker's chunks included
        during = written(out) - before
    finally:
        os.kill(worker, signal.SIGCONT)
    code, err = finish(proc)
    assert code == 0, err
    lines = out.read_text().splitlines()
    assert [json.loads(line)["candidate"] for line in lines[1:]] == [f"x{i}" for i in range(120_000)]
    # waiting for the stopped worker, the output would stop within the chunks handed out ahead of its
    # own (8 at most); taking them back, it grows by far more than that while the worker is stopped
    per_chunk = out.stat().st_size / 120_000 * 250
    assert during > 16 * per_chunk, (during, per_chunk)


def test_sigterm_to_the_main_process_leaves_valid_json_holding_what_it_says(many, tmp_path):
    out = tmp_path / "out.json"
    proc = start("evaluate", str(many), "--format", "json", "--layout", "compact", "--jobs", "2",
                 "-o", str(out))
    workers(proc.pid)
    wait_for_output(out, 100_000)
    everyone = children(proc.pid)
    proc.send_signal(signal.SIGTERM)
    code, err = finish(proc)
    assert code == 128 + signal.SIGTERM, err
    results = json.loads(out.read_text())["results"]
    assert f"interrupted after {len(results)} record(s)" in err
    assert [r["candidate"] for r in results] == [f"x{i}" for i in range(len(results))]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert_gone([proc.pid, *everyone])


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_ctrl_c_count_is_what_the_file_holds(many, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    proc = start("evaluate", str(many), "--format", fmt, "-o", str(out))
    wait_for_output(out, 50_000)
    proc.send_signal(signal.SIGINT)
    code, err = finish(proc)
    assert code == 130, err
    text = out.read_text()
    held = len(json.loads(text)) if fmt == "json" else len(text.splitlines()) - 1
    assert f"interrupted after {held} record(s)" in err


def test_a_full_disk_is_a_clear_message_not_a_bug(tmp_path):
    code, err = finish(start("evaluate", str(EXAMPLE), "-o", "/dev/full"))
    assert code == 2, err
    assert "cannot write /dev/full" in err and "No space left" in err and "internal error" not in err


@pytest.mark.parametrize("where", ["missing/x.json", "readonly/x.json"])
def test_an_unwritable_output_folder_is_a_clear_message(tmp_path, where):
    (tmp_path / "readonly").mkdir(mode=0o555)
    if os.geteuid() == 0 and where.startswith("readonly"):
        pytest.skip("root writes into read-only folders")
    code, err = finish(start("evaluate", str(EXAMPLE), "-o", str(tmp_path / where)))
    assert code == 2, err
    assert f"cannot write {tmp_path / where}" in err and "internal error" not in err


def test_a_failed_run_leaves_the_previous_output_as_it_was(tmp_path):
    out = tmp_path / "o.json"
    out.write_text('"earlier"')
    code, err = finish(start("evaluate", str(tmp_path / "absent.json"), "-o", str(out)))
    assert code == 2 and "cannot open the file" in err
    code, err = finish(start("evaluate", str(EXAMPLE), "-o", str(out), as_of="1990-01-01"))
    assert code == 2 and "outside" in err
    assert out.read_text() == '"earlier"'
    assert [p.name for p in tmp_path.iterdir()] == ["o.json"]  # no temporary file left either


def test_output_replaces_the_file_only_when_complete_and_keeps_its_mode(tmp_path):
    out = tmp_path / "o.json"
    out.write_text("old")
    out.chmod(0o640)
    code, err = finish(start("evaluate", str(EXAMPLE), "-o", str(out)))
    assert code == 0, err
    assert len(json.loads(out.read_text())) == 34 and (out.stat().st_mode & 0o777) == 0o640


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_closed_pipe_is_a_quiet_normal_end(many, jobs):
    proc = start("evaluate", str(many), "--format", "jsonl", "--jobs", jobs, stdout=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # as `| head -1` does
    assert json.loads(first)["catalogue"]
    code, err = finish(proc)
    assert code == 0, err
    assert err == "" or "Traceback" not in err and "Broken pipe" not in err


def test_a_pipe_given_as_the_output_whose_reader_goes_is_a_quiet_end_too(many, tmp_path):
    # -o >(head -c 100), or a named pipe: the output's reader went away, as with | head -1
    import threading
    fifo = tmp_path / "out.pipe"
    os.mkfifo(fifo)

    def read_a_little():
        with open(fifo, "rb") as f:
            f.read(100)
    reader = threading.Thread(target=read_a_little)
    reader.start()
    code, err = finish(start("evaluate", str(many), "--format", "jsonl", "-o", str(fifo)))
    reader.join()
    assert code == 0, err
    assert "internal error" not in err and "Traceback" not in err


def test_a_broken_pipe_that_is_not_standard_outputs_is_an_internal_error_not_a_quiet_end(tmp_path):
    # (a worker's pipe, a socket): only a reader gone from standard output ends the run quietly
    code = ("import formasi_rules.cli._evaluate as e\n"
            "def broken(*a, **k):\n    raise BrokenPipeError(32, 'Broken pipe')\n"
            "e.Engine.evaluate_blocks = broken\n"
            "from formasi_rules.cli import main\nmain()\n")
    proc = subprocess.Popen([sys.executable, "-c", code, "evaluate", str(EXAMPLE), "--format", "jsonl", "--as-of",
                             "2025-10-09", "--policies", POLICIES, "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 3 and b"internal error" in err and b"BrokenPipeError" in err, err


def test_a_full_spool_folder_is_a_clear_error(default_engine, monkeypatch):
    import errno

    import formasi_rules as fr
    from conftest import AS_OF
    from formasi_rules.engine import _parallel

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_parallel.pickle, "dump", full)  # what a filling TMPDIR does to the writes
    # enough records that a worker is up before this process (which works alone until one is) is
    # through them, however busy the machine: 3,000 were done here before the workers started
    records = ({"id": f"a{i}"} for i in range(300_000))
    with pytest.raises(fr.FormasiError, match="set TMPDIR to a folder with room"):
        list(default_engine.evaluate_blocks(records, as_of=AS_OF, jobs=2))


def test_workers_end_when_the_main_process_is_killed(many, tmp_path):
    proc = start("evaluate", str(many), "--format", "jsonl", "--jobs", "3", "-o", str(tmp_path / "o.jsonl"))
    workers(proc.pid)
    wait_for_output(tmp_path / "o.jsonl", 100_000)
    everyone = children(proc.pid)
    assert len(everyone) >= 2
    proc.kill()  # SIGKILL: no handler, no cleanup in the main process
    proc.communicate(timeout=TIMEOUT)
    assert_gone(everyone)


def _odd_engine():
    import formasi_rules as fr

    class OddEngine(fr.Engine):
        def _part(self, *args, **kwargs):
            raise _OddFormasi("boom", "worker")
    return OddEngine


def _make_odd(*args, **kwargs):  # the factory a worker calls: an Engine whose every chunk fails oddly
    return _odd_engine()(*args, **kwargs)


def _formasi_odd():  # an error that pickles in the worker but cannot be rebuilt in the calling process
    from formasi_rules import FormasiError

    class OddFormasi(FormasiError):
        def __init__(self, what, where):
            super().__init__(f"{what} at {where}")
    return OddFormasi


_OddFormasi = _formasi_odd()
_OddFormasi.__qualname__ = _OddFormasi.__name__ = "_OddFormasi"  # picklable by reference from this module


def test_a_worker_error_that_cannot_be_read_back_is_a_clear_engine_error(policy):
    import datetime as dt

    from formasi_rules import EngineError
    from formasi_rules.engine._parallel import evaluate_parallel

    records = [(f"$[{i}]", {"id": f"a{i}", "rank": "III/a"}) for i in range(3000)]

    def here(items):  # the calling process is slow, so the workers get chunks
        time.sleep(0.3)
        return [None] * len(items)

    with pytest.raises(EngineError, match="cannot be read back"):
        for _ in evaluate_parallel(policy, "reference", iter(records), here, dt.date(2025, 10, 9), None, None,
                                   None, 2, None, factory=_make_odd):
            pass
