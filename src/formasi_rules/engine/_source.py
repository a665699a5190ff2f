"""Python source written from a validated policy, checked, then compiled: the one module of the
library that turns text into code.

Nothing a policy or a record holds is ever written into the source. The writer emits only

- names it makes itself (``k12`` a value bound for the code, ``t7`` a temporary, ``f3`` a function),
- the few parameter names and builtins of :data:`NAMES`,
- attribute names its caller allows (the record's own classes, the library's helpers),
- integers, ``None``, ``True`` and ``False``,

and binds every other value (a field's name, a literal of a rule, a table, a date, a helper
function) to a generated name in the namespace the code runs in. Before compiling, the text is
parsed and every node, name, attribute and constant is held to that rule (:func:`verify`):
anything else is a bug of the writer (:class:`SourceRefused`), and nothing is run. The code runs
with no builtins but those :data:`BUILTINS` names.

``tests/test_generated_code.py`` plants hostile text in every string a policy can hold and
checks that none of it reaches the source.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import itertools
import re
import threading
from collections.abc import Iterator
from typing import Any

GENERATED = re.compile(r"[kft][0-9]+\Z")  # the names the writer makes
BUILTINS = frozenset(("range", "min", "max", "int", "type", "isinstance", "len"))
# the writer's fixed parameter and local names
PARAMS = frozenset(("F", "V", "c", "as_of", "values", "per_level", "shown", "tr", "cur", "read", "failed", "unknown",
                    "absent", "split"))
NAMES = BUILTINS | PARAMS
_NODES = frozenset((  # every kind of node the writer emits; anything else is refused
    ast.Module, ast.FunctionDef, ast.arguments, ast.arg, ast.Return, ast.Assign, ast.If, ast.While, ast.For,
    ast.Break, ast.Continue, ast.Pass, ast.Expr, ast.Try, ast.ExceptHandler, ast.Compare, ast.BoolOp, ast.BinOp,
    ast.UnaryOp, ast.Call, ast.Attribute, ast.Subscript, ast.Name, ast.Constant, ast.Tuple, ast.List, ast.Dict,
    ast.IfExp, ast.Load, ast.Store, ast.Is, ast.IsNot, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE,
    ast.In, ast.NotIn, ast.And, ast.Or, ast.Not, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.USub,
    ast.BitAnd, ast.BitOr, ast.LShift, ast.RShift,
))


_SHARED = (str, int, bool, type(None))
_PARSING = threading.Lock()


class SourceRefused(Exception):
    """The writer produced something outside the rule above (a bug of the library, not of a policy)."""


class Source:
    """Lines of Python being written, and the values their generated names are bound to.

    ``attributes`` are the attribute names the code may use (checked by :func:`verify`)."""

    def __init__(self, attributes: frozenset[str]):
        self.attributes = attributes
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {}
        self._bound: dict[Any, str] = {}
        self._count = itertools.count()
        self._depth = 0

    def bind(self, value: Any) -> str:
        """A generated name for ``value`` (a constant, a table, a helper) in the code's namespace.
        Equal texts and integers share a name; any other value is bound per object (Decimal("1")
        equals Decimal("1.0"), but they compute and print differently)."""
        key: Any = (type(value), value) if type(value) in _SHARED else ("id", id(value))
        name = self._bound.get(key)
        if name is None:
            name = self._bound[key] = f"k{next(self._count)}"
            self.namespace[name] = value
        return name

    def temp(self) -> str:
        return f"t{next(self._count)}"

    def function_name(self) -> str:
        return f"f{next(self._count)}"

    def __call__(self, line: str) -> None:
        self.lines.append("    " * self._depth + line)

    @property
    def depth(self) -> int:
        """The blocks the next line is written in."""
        return self._depth

    def since(self, start: int) -> list[str]:
        """The lines written after the first ``start``, without the current depth's indent (to
        :meth:`insert` elsewhere)."""
        cut = 4 * self._depth
        return [line[cut:] for line in self.lines[start:]]

    def insert(self, lines: list[str]) -> None:
        """Lines :meth:`since` gave, written again at the current depth."""
        pad = "    " * self._depth
        self.lines.extend(pad + line for line in lines)

    @contextlib.contextmanager
    def block(self, header: str) -> Iterator[None]:
        """``header:`` and the lines written inside the ``with`` indented under it."""
        self(header + ":")
        self._depth += 1
        start = len(self.lines)
        try:
            yield
        finally:
            if len(self.lines) == start:
                self("pass")
            self._depth -= 1

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def build(self, filename: str) -> dict[str, Any]:
        """Verify the source, compile it and run it (it only defines functions): its namespace."""
        text = self.text()
        namespace = dict(self.namespace)
        namespace["__builtins__"] = {name: getattr(builtins, name) for name in BUILTINS}
        with _PARSING:  # CPython 3.11 and 3.12 can fail parsing in two threads at once (gh-106905)
            tree = ast.parse(text, filename)
            verify(tree, self.attributes, frozenset(self.namespace))
            # the tree verified is the tree compiled (the text is not parsed again)
            exec(compile(tree, filename, "exec"), namespace)  # noqa: S102 - verified above: generated names only
        return namespace


def verify(tree: ast.AST, attributes: frozenset[str], bound: frozenset[str]) -> None:
    """Refuse any node, name, attribute or constant the writer does not make (module docstring)."""
    nodes = _nodes(tree)
    defined = {node.name for node in nodes if type(node) is ast.FunctionDef}
    named: set[str] = set()  # names found good (a name is looked at once, however often it is used)
    for node in nodes:
        kind = type(node)  # exactly: the parser makes no subclasses
        if kind not in _NODES:
            raise SourceRefused(f"generated code holds a {kind.__name__} (line {getattr(node, 'lineno', '?')})")
        if kind is ast.Name:
            name = node.id
            if name not in named:
                if not (name in NAMES or (GENERATED.match(name) and (
                        name[0] == "t" or name in bound or name in defined))):
                    raise SourceRefused(f"generated code names {name!r} (line {node.lineno})")
                named.add(name)
        elif kind is ast.Constant:
            if not (node.value is None or type(node.value) in (bool, int)):
                raise SourceRefused(f"generated code holds the constant {node.value!r} (line {node.lineno})")
        elif kind is ast.Attribute:
            if node.attr not in attributes:
                raise SourceRefused(f"generated code reads attribute {node.attr!r} (line {node.lineno})")
        elif kind is ast.FunctionDef:
            if not GENERATED.match(node.name) or node.decorator_list:
                raise SourceRefused(f"generated code defines {node.name!r} (line {node.lineno})")
        elif kind is ast.ExceptHandler:
            if node.name is not None:
                raise SourceRefused(f"generated code names an exception (line {node.lineno})")
        elif kind is ast.arg:
            if node.arg not in PARAMS:
                raise SourceRefused(f"generated code takes a parameter {node.arg!r} (line {node.lineno})")


def _nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of the tree (``ast.walk``'s, in another order, at a third of its cost)."""
    found, stack, node_type = [], [tree], ast.AST
    while stack:
        node = stack.pop()
        found.append(node)
        for field in node._fields:
            value = getattr(node, field, None)
            if type(value) is list:
                stack.extend(v for v in value if isinstance(v, node_type))
            elif isinstance(value, node_type):
                stack.append(value)
    return found
