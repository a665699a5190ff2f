"""Every hint a user reads says how to fix the problem in both languages, written "English /
Indonesian" (``Text.of`` splits it at the last " / "): an English-only hint leaves half the users
with no word on the fix. Checked on the source, so that a hint added tomorrow is checked too.

A hint is any ``hint=`` argument, and the argument in a hint's place of a call to a function or
class that takes one (``BadValue(en, id_, hint)``). Its value passes when every string it can be
has " / " in its literal parts: each arm of ``a if c else b`` and of ``a or b``, a part of a
concatenation, a name's every assignment (a parameter's value is checked where it is passed), or
a call to a function in ``BILINGUAL``, whose every ``return`` is checked the same way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

SRC = ROOT / "src" / "formasi_rules"

# functions that return a bilingual hint (or None): each one's returns are checked below
BILINGUAL = {
    "suggest", "date_hint", "comma_hint", "period_hint", "citation_shape", "misindented", "_indented_in",
    "_indented_out", "_chain_hint", "_bare_hint", "_example", "_one_or_list_hint", "_out_of_item",
    "_comma_hint", "_date_hint", "thousands_hint", "_out_of_list", "date_alone", "_no_such_day",
}
# where a hint stands among the positional arguments of a class with no ``def`` of its own
POSITION = {"Problem": 8}
# a parameter that holds a mapping of hints (``shapes.get(key)``), and the function that makes each
# such mapping, whose every returned mapping's values are checked
HINT_MAPPINGS = {"shapes": "_citation_shape", "commas": "decimal_comma_hints", "hints": "decimal_comma_hints"}
# hints unpacked from a table's rows (``reason, said_id, hint, at_start = ...``): the module, the
# table and the place of the hint in a row, whose every row is checked
HINT_TABLES = {"formasi_rules.policy._yaml": ("_SYNTAX", 3)}


class Module:
    def __init__(self, path: Path):
        self.path = path
        self.text = path.read_text(encoding="utf-8")
        self.tree = ast.parse(self.text)
        self.parent: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node
        self.name = ".".join(("formasi_rules", *path.relative_to(SRC).with_suffix("").parts))
        if self.name.endswith(".__init__"):
            self.name = self.name[: -len(".__init__")]

    def at(self, node: ast.AST) -> str:
        return f"{self.path.relative_to(ROOT)}:{node.lineno}"

    def scope(self, node: ast.AST) -> ast.AST:
        """The function ``node`` is in, or the module."""
        while node in self.parent:
            node = self.parent[node]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return node
        return self.tree


MODULES = {m.name: m for m in map(Module, sorted(SRC.rglob("*.py")))}


def _called(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _hint_positions() -> dict[str, dict[str, set[int]]]:
    """Each function's or class's name, and by the module it is defined in, where a hint (a text:
    not a type hint) stands among its positional arguments."""
    found: dict[str, dict[str, set[int]]] = {k: {"": {v}} for k, v in POSITION.items()}
    for module in MODULES.values():
        for node in ast.walk(module.tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            params = [*node.args.posonlyargs, *node.args.args]
            names = [a.arg for a in params]
            if "hint" not in names or "str" not in ast.unparse(params[names.index("hint")].annotation or ast.Name("")):
                continue
            index = names.index("hint") - (names[:1] in (["self"], ["cls"]))
            owner = module.parent.get(node)
            name = owner.name if node.name == "__init__" and isinstance(owner, ast.ClassDef) else node.name
            found.setdefault(name, {}).setdefault(module.name, set()).add(index)
    return found


POSITIONS = _hint_positions()


def _module_value(module: Module, name: str, seen: set) -> list[tuple[Module, ast.AST]] | None:
    """The values a module-level ``name`` is given, following ``from x import name``."""
    values = []
    for node in module.tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            values.append((module, node.value))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            values.append((module, node.value))
        elif isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == name for a in node.names):
            base = module.name.split(".")
            if node.level:
                base = base[: len(base) - node.level + (module.path.name == "__init__.py")]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            original = next(a.name for a in node.names if (a.asname or a.name) == name)
            if source in MODULES and (source, original) not in seen:
                seen.add((source, original))
                values += _module_value(MODULES[source], original, seen) or []
    return values or None


def unilingual(module: Module, node: ast.AST | None, seen: set | None = None) -> list[str]:
    """Where the hint ``node`` may be a text with no " / " (an empty list if it never is)."""
    seen = set() if seen is None else seen
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return []
    if isinstance(node, ast.Constant):
        return [] if isinstance(node.value, str) and " / " in node.value else [module.at(node)]
    if isinstance(node, ast.JoinedStr):
        literal = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        return [] if " / " in literal else [module.at(node)]
    if isinstance(node, ast.IfExp):
        return unilingual(module, node.body, seen) + unilingual(module, node.orelse, seen)
    if isinstance(node, ast.BoolOp):
        # `a or b` is either; `a and b` is b, or a falsy a that is no text (a condition)
        values = node.values if isinstance(node.op, ast.Or) else node.values[-1:]
        return [at for value in values for at in unilingual(module, value, seen)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = unilingual(module, node.left, seen), unilingual(module, node.right, seen)
        return [] if not left or not right else left + right
    if isinstance(node, ast.Call) and _called(node) in BILINGUAL:
        return []
    if isinstance(node, ast.Call) and _called(node) == "get" and isinstance(node.func, ast.Attribute):
        held = node.func.value.values[0] if isinstance(node.func.value, ast.BoolOp) else node.func.value
        if isinstance(held, ast.Name) and held.id in HINT_MAPPINGS:
            return []  # a mapping of hints, each made by HINT_MAPPINGS[name] (checked below)
    if isinstance(node, ast.Dict):
        return [at for value in node.values for at in unilingual(module, value, seen)]
    if isinstance(node, ast.Attribute) and node.attr == "hint":
        return []  # an error's hint, given (and checked) where it was made
    if isinstance(node, ast.Name):
        return _name(module, node, seen)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in HINT_MAPPINGS:
        return []  # a mapping of hints, each made by HINT_MAPPINGS[name] (checked below)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        # hints[key]: each value put into the mapping in the same function
        scope = module.scope(node)
        values = [a.value for a in ast.walk(scope) if isinstance(a, ast.Assign)
                  for t in a.targets if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name)
                  and t.value.id == node.value.id]
        if values:
            return [at for value in values for at in unilingual(module, value, seen)]
    return [f"{module.at(node)} (a hint made in a way this test cannot follow: {ast.unparse(node)[:60]})"]


def _name(module: Module, node: ast.Name, seen: set) -> list[str]:
    key = (module.name, node.id, id(module.scope(node)))
    if key in seen:
        return []
    seen.add(key)
    scope = module.scope(node)
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = scope.args
        if node.id in {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}:
            return []  # a parameter: its value is checked where the function is called
        values: list[ast.AST] = []
        for a in ast.walk(scope):
            if isinstance(a, ast.Assign):
                for t in a.targets:
                    if isinstance(t, ast.Name) and t.id == node.id:
                        values.append(a.value)
                    elif isinstance(t, ast.Tuple) and any(isinstance(e, ast.Name) and e.id == node.id for e in t.elts):
                        if module.name not in HINT_TABLES:  # (else one of the table's, checked below)
                            return [f"{module.at(a)} (a hint unpacked from {ast.unparse(a.value)[:60]}: "
                                    "cannot follow)"]
            elif isinstance(a, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and \
                    isinstance(a.target, ast.Name) and a.target.id == node.id and a.value is not None:
                values.append(a.value)
        if values:
            return [at for value in values for at in unilingual(module, value, seen)]
    found = _module_value(module, node.id, set())
    if found is None:
        return [f"{module.at(node)} (the hint {node.id} is given no value this test can find)"]
    return [at for where, value in found for at in unilingual(where, value, seen)]


def hints() -> list[tuple[Module, ast.AST]]:
    """Every hint given in src: ``hint=`` and a hint's place among positional arguments."""
    found = []
    for module in MODULES.values():
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            found += [(module, k.value) for k in node.keywords if k.arg == "hint"]
            defined = POSITIONS.get(_called(node), {})  # (by the one in the same module, where there is one)
            places = defined.get(module.name) or set().union(*defined.values())
            if not any(isinstance(a, ast.Starred) for a in node.args):
                found += [(module, node.args[i]) for i in sorted(places) if i < len(node.args)]
    return found


def test_hints_are_found():
    assert len(hints()) > 100


def test_every_hint_is_bilingual():
    wrong = sorted({at for module, value in hints() for at in unilingual(module, value)})
    assert not wrong, "hints not written 'English / Indonesian':\n" + "\n".join(wrong)


@pytest.mark.parametrize("name", sorted(BILINGUAL))
def test_hint_makers_return_bilingual_text(name):
    defs = [(module, node) for module in MODULES.values() for node in ast.walk(module.tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name]
    assert defs, f"{name} is allowed as a maker of bilingual hints but is defined nowhere in src"
    wrong = sorted({at for module, func in defs for node in ast.walk(func)
                    if isinstance(node, ast.Return) and module.scope(node) is func
                    for at in unilingual(module, node.value)})
    assert not wrong, f"{name} returns a hint not written 'English / Indonesian':\n" + "\n".join(wrong)


@pytest.mark.parametrize("name", sorted(set(HINT_MAPPINGS.values())))
def test_hint_mappings_hold_bilingual_text(name):
    defs = [(module, node) for module in MODULES.values() for node in ast.walk(module.tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name]
    assert defs, f"{name} is said to make mappings of hints but is defined nowhere in src"
    returned = [(module, node.value) for module, func in defs for node in ast.walk(func)
                if isinstance(node, ast.Return) and module.scope(node) is func]
    # a mapping returned as written ({...}), or by the name its entries were put into (hints[key] = ...)
    assert any(isinstance(value, (ast.Dict, ast.Name)) for _, value in returned)
    made = [(module, value) for module, value in returned if not isinstance(value, ast.Name)]
    made += [(module, a.value) for module, func in defs for a in ast.walk(func) if isinstance(a, ast.Assign)
             for t in a.targets if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name)
             and any(isinstance(v, ast.Name) and v.id == t.value.id for _, v in returned)]
    wrong = sorted({at for module, value in made for at in unilingual(module, value)})
    assert not wrong, f"{name} makes a hint not written 'English / Indonesian':\n" + "\n".join(wrong)


@pytest.mark.parametrize("module_name", sorted(HINT_TABLES))
def test_hint_tables_hold_bilingual_text(module_name):
    module = MODULES[module_name]
    table, place = HINT_TABLES[module_name]
    rows = _module_value(module, table, set())
    assert rows and all(isinstance(value, ast.Tuple) for _, value in rows), f"{table} is no tuple in {module_name}"
    wrong = sorted({at for _, value in rows for row in value.elts for at in unilingual(module, row.elts[place])})
    assert not wrong, f"{table} holds a hint not written 'English / Indonesian':\n" + "\n".join(wrong)
