"""No text from a policy or a record can ever be run as code: nothing in the library calls
``exec``, ``eval`` or the builtin ``compile``, nor imports a module by a computed name.

The plans are compiled into closures and tables built from the validated policy (issue 12
chose this over generating Python source), so this test guards the choice: a change that
starts generating code must come with its own hostile-text tests, and must change this one.
"""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "formasi_rules"
FORBIDDEN = {"exec", "eval", "compile", "__import__"}


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN:
                yield func.id, node.lineno
            elif isinstance(func, ast.Attribute) and func.attr == "import_module":
                yield "importlib.import_module", node.lineno


def test_nothing_in_the_library_runs_text_as_code():
    found = [f"{path.relative_to(SRC.parent)}:{line} {name}()"
             for path in sorted(SRC.rglob("*.py")) for name, line in _calls(ast.parse(path.read_text()))]
    assert found == []


def test_the_guard_sees_a_call_it_forbids():
    assert [name for name, _ in _calls(ast.parse("x = eval(text)\nimportlib.import_module(n)"))] == [
        "eval", "importlib.import_module"]
