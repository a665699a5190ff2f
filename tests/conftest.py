import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import formasi_rules as fr

ROOT = Path(__file__).resolve().parent.parent
POLICY_DIR = ROOT / "policies" / "pengantar_kerja"
AS_OF = dt.date(2025, 10, 9)

try:  # durable_rules does not import on Python 3.13+; there only the reference backend runs
    import durable_rules_engine  # noqa: F401

    BACKENDS = ["durable", "reference"]
except ImportError:
    BACKENDS = ["reference"]
HAVE_DURABLE = "durable" in BACKENDS

# CI runs a fixed, derandomised profile so a failure reproduces exactly; locally "dev" explores more.
settings.register_profile("ci", derandomize=True, max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def policy():
    return fr.load_policy(POLICY_DIR)


@pytest.fixture(scope="session")
def engines(policy):
    """Both backends over the shipped policy, built once (the durable one is the default)."""
    built = {name: fr.Engine(policy, backend=name) for name in BACKENDS}
    yield built
    for engine in built.values():
        engine.close()


@pytest.fixture(params=BACKENDS)
def engine(request, engines):
    return engines[request.param]


@pytest.fixture(scope="session")
def default_engine(engines):
    """The default backend: durable_rules where it imports."""
    return engines[BACKENDS[0]]


@pytest.fixture
def policy_copy(tmp_path):
    """A writable copy of the shipped policy (with the base policy it extends, beside it as
    ``jf_umum``), to break on purpose."""
    for folder in POLICY_DIR.parent.iterdir():
        if folder.is_dir():
            shutil.copytree(folder, tmp_path / folder.name, ignore=shutil.ignore_patterns("tests"))
    target = tmp_path / "pk"
    (tmp_path / POLICY_DIR.name).rename(target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")
