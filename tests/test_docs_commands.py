"""Every ``formasi`` command the README and docs/ show runs as shown (on the bundled files), so the
documentation cannot drift from the program: no unknown option, no missing file, no traceback."""

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "examples").glob("*/README.md"))]
PLACEHOLDER = re.compile(r"\b[A-Z][A-Z_]{2,}\b|\.\.\.|…|<[^>]+>|\[[^\]]*\]")
SKIP = ("formasi serve",)  # starts a server that runs until stopped (tests/test_service.py runs it)


def commands() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        block = False
        text = doc.read_text(encoding="utf-8")
        made = set(re.findall(r"> ?([\w./-]+)\s*$", text, flags=re.M))  # files a shown shell line writes
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith("```"):
                block = not block
                continue
            if not (block or line.startswith("    ")):
                continue
            for part in re.split(r"\s*&&\s*", stripped.removeprefix("$ ")):
                part = re.sub(r"^(\.venv|\.ci-venv)/bin/", "", part)
                if not part.startswith("formasi ") or PLACEHOLDER.search(part) or part.startswith(SKIP):
                    continue
                if re.match(r"formasi [\w-]+:", part):
                    continue  # a line of output that starts with the command's name
                if any(c in part for c in "|<>`;") or part.endswith("\\"):
                    continue  # pipes, redirections and continued lines are shown for reading, not run here
                if any(word in made for word in part.split()):
                    continue  # it reads a file another shown line makes by hand
                found.append((f"{doc.relative_to(ROOT)}", part.split("  #")[0].strip()))
    return list(dict.fromkeys(found))


COMMANDS = commands()


def test_the_docs_show_commands_to_run():
    assert len(COMMANDS) >= 15
    assert {doc for doc, _ in COMMANDS} >= {"README.md", "docs/policy-language.md"}


@pytest.mark.parametrize("doc, command", COMMANDS, ids=[f"{d}: {c[:60]}" for d, c in COMMANDS])
def test_a_documented_command_runs(doc, command, tmp_path):
    if "--format pdf" in command and shutil.which("chromium") is None:
        pytest.skip("a PDF is printed by chromium, which this machine lacks")
    args = shlex.split(command)[1:]
    for i, arg in enumerate(args):  # what a command writes goes to a scratch folder
        if i and args[i - 1] in ("-o", "--output"):
            args[i] = str(tmp_path / Path(arg).name)
    run = subprocess.run([sys.executable, "-c", "from formasi_rules.cli import main; main()", *args],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    out = run.stdout + run.stderr
    assert "Traceback" not in out and "internal error" not in out, out[-2000:]
    assert run.returncode in (0, 1), f"{doc}: `{command}` exited {run.returncode}:\n{out[-2000:]}"
