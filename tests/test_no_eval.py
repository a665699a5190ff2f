"""No text from a policy or a record can ever be run as code: nothing in the library names
``exec``, ``eval``, the builtin ``compile`` or ``__import__`` (called, passed, fetched from
``builtins`` or by ``getattr``), nor imports a module by a computed name, but for one place.

``engine/_source.py`` compiles code the library writes from a validated policy: once, after
:func:`verify` has held the source to generated names, allowed attributes and integer constants
(tests/test_generated_code.py plants hostile text in a policy and checks none of it reaches the code).
Any other use, or a second one there, fails this test.
"""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "formasi_rules"
FORBIDDEN = {"exec", "eval", "compile", "__import__"}


def _uses(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in FORBIDDEN:
            yield node.id, node.lineno
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (
                (node.value.id == "builtins" and node.attr in FORBIDDEN) or node.attr == "import_module"):
            yield node.attr, node.lineno  # re.compile or a z3 model's eval are not the builtins
        elif isinstance(node, ast.ImportFrom) and node.module in ("builtins", "importlib"):
            yield f"from {node.module} import", node.lineno
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr" and any(
                isinstance(a, ast.Constant) and a.value in FORBIDDEN for a in node.args):
            yield "getattr", node.lineno


ALLOWED = SRC / "engine" / "_source.py"  # the verified compile of generated code


def test_nothing_in_the_library_runs_text_as_code():
    found = [f"{path.relative_to(SRC.parent)}:{line} {name}"
             for path in sorted(SRC.rglob("*.py")) if path != ALLOWED
             for name, line in _uses(ast.parse(path.read_text()))]
    assert found == []


def test_the_one_place_that_compiles_code_verifies_it_first():
    tree = ast.parse(ALLOWED.read_text())
    uses = sorted(name for name, _ in _uses(tree))
    assert uses == ["compile", "exec"]  # one exec(compile(...)), nothing else
    build = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "build")
    line = {n.func.id: n.lineno for n in ast.walk(build) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert line["verify"] < line["exec"]


def test_the_guard_sees_every_way_it_forbids():
    code = ("x = eval(text)\nimportlib.import_module(n)\nrun = exec\nbuiltins.eval(t)\ngetattr(builtins, 'exec')\n"
            "from builtins import compile as c\nbuiltins.compile(s)\nre.compile(p)\n")
    assert sorted(name for name, _ in _uses(ast.parse(code))) == sorted([
        "eval", "import_module", "exec", "eval", "getattr", "from builtins import", "compile"])
