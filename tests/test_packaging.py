"""The built wheel works on its own: it ships every policy folder, and the commands find them
from any folder (here /), with no checkout beside them."""

import json
import os
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT

pytest.importorskip("hatchling", reason="building the wheel needs hatchling (the test extra)")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out),
                    str(ROOT)], check=True, capture_output=True, timeout=300)
    (path,) = out.glob("*.whl")
    unpacked = out / "site"
    with zipfile.ZipFile(path) as z:
        z.extractall(unpacked)
    return path, unpacked


def test_the_wheel_ships_every_policy_folder(wheel):
    path, _ = wheel
    names = set(zipfile.ZipFile(path).namelist())
    for folder in (ROOT / "policies").iterdir():
        if (folder / "policy.yaml").is_file():
            for file in folder.rglob("*.yaml"):
                assert f"formasi_rules/_policies/{file.relative_to(ROOT / 'policies')}" in names


def test_the_installed_commands_find_the_shipped_policies_from_any_folder(wheel, tmp_path):
    _, unpacked = wheel
    env = {**os.environ, "PYTHONPATH": str(unpacked)}  # the wheel's files before the checkout's
    cli = [sys.executable, "-c", "from formasi_rules.cli import main; main()"]
    where = subprocess.run([sys.executable, "-c", "import formasi_rules; print(formasi_rules.__file__)"], cwd="/",
                           env=env, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(unpacked))
    listed = subprocess.run([*cli, "policies"], cwd="/", env=env, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert "pengantar_kerja" in listed.stdout and str(unpacked) in listed.stdout
    done = subprocess.run([*cli, "evaluate", str(ROOT / "examples" / "sumsel" / "candidates.json"), "--as-of",
                           "2025-10-09", "--format", "jsonl", "-q", "--backend", "reference"],
                          cwd="/", env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 35 and json.loads(done.stdout.splitlines()[0])["catalogue"]
    missing = subprocess.run([*cli, "evaluate", "x.json", "--policy", "nope"], cwd="/", env=env,
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "looked in" in missing.stderr and str(unpacked) in missing.stderr
