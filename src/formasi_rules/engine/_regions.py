"""Checks that read the same fact keys, compiled into one rule per *region* of those keys' values.

A group of checks reading the same keys (the four levels' education minimum; the seven "holds this
position at the level below" checks) has, for each fact, one outcome per check: passed, failed or
unknown. Where a rule per check fires for every check that failed, a rule per region fires at most
once for the whole group: the keys' values are split into classes at the constants the checks
compare with (each constant, the integers between, those below and above, any other text, and
the key missing), the checks are evaluated three-valued (:func:`._plan.evaluate`, the reference
semantics) on one value of each combination of classes, and a decision tree over the keys tells
the combinations apart. Each leaf is a region: a conjunction of tests the engine evaluates, and
the outcome of every check of the group there. The region seen most often fires no rule: where no
rule of the group fired, its outcome holds.

What the engine can match at once is bounded exactly (:func:`bound`): every fact falls in one
class of each key, so the alpha nodes of the group's rules that one fact can match are counted
for every combination of classes, on the trie the rules' tests make (the engine shares a test
under the same parent, ``rete.c`` findAlpha).
"""

from __future__ import annotations

import collections
import itertools
import math
from typing import Any

import attrs

from ._plan import Cmp, Cond, In, evaluate

MAX_CELLS = 2048  # combinations of classes a group may have; past that its checks keep their own rules
_ABSENT = object()  # a key's "missing" class
_OTHER_TEXT = "\x00other"  # a text no rule compares with: the value of a text key's "other" class


@attrs.frozen
class _Class:
    """Values of one key that no check of the group tells apart: one of them (``value``), and
    what they are: integers from ``low`` to ``high`` (None: unbounded), one text, any text but the
    group's (``other``), or the key missing."""

    name: str  # the key's engine name
    value: Any
    low: Any = None
    high: Any = None
    kind: str = "range"  # range | text | other | missing

    def tests(self, texts: tuple[str, ...] = ()) -> tuple[dict, ...]:
        """The conjunction (in the engine's JSON) that holds for exactly these values."""
        name = self.name
        if self.kind == "missing":
            return ({"$nex": {name: 1}},)
        if self.kind == "text":
            return ({name: self.value},)
        if self.kind == "other":
            return tuple({"$neq": {name: t}} for t in texts) or ({"$ex": {name: 1}},)
        if self.low is not None and self.low == self.high:
            return ({name: self.low},)
        tests = (() if self.low is None else ({"$gte": {name: self.low}},)) + \
            (() if self.high is None else ({"$lte": {name: self.high}},))
        return tests or ({"$ex": {name: 1}},)


@attrs.frozen
class Region:
    # a conjunction, in the engine's JSON (keys under their engine names): read only, never changed, for a
    # Group may serve several compilations of its plan (Made), whose rulesets then hold the same dicts
    tests: tuple[dict, ...]
    passed: frozenset[str]  # the checks that pass here
    failed: frozenset[str]  # the checks that fail here (the others are unknown)


@attrs.frozen
class Group:
    """A group's rules: each region but the default one, and the default's outcome."""

    checks: tuple[str, ...]
    regions: tuple[Region, ...]
    default: tuple[frozenset[str], frozenset[str]]  # (passed, failed) where none of the rules fires
    bound: int  # the most alpha nodes of these rules one fact can match


def outcomes(conditions: dict[str, Cond], keys: tuple[str, ...]) -> dict[tuple, tuple] | None:
    """Every combination of classes of ``keys`` (a tuple of class indexes) -> the outcome of each
    check there (True, False or None, in the order of ``conditions``); None where the group is
    not one this module compiles (mixed types, too many combinations)."""
    classes = _classes_of(conditions, keys)
    return None if classes is None else _table(conditions, keys, classes)


@attrs.define
class Made:
    """What compiling one plan's groups made, for its next compilation (``DurableBackend`` compiles a
    plan again with the defaults it observed, and may try two ways): each group's classes and table of
    outcomes by its keys, and each :class:`Group` by its keys and default. The compilations sharing
    one give the same conditions and engine names for the same keys: they are one plan's."""

    cells: dict[tuple[str, ...], tuple[dict[str, list[_Class]] | None, dict[tuple, tuple] | None]] = \
        attrs.Factory(dict)
    groups: dict[tuple[tuple[str, ...], tuple | None], Group | None] = attrs.Factory(dict)
    plan: Any = None  # the plan they are of (compile_plan says so at its first use): a Made serves one

    def of(self, plan: Any) -> Made:
        """This Made, for ``plan``; ValueError where it was made for another (its groups are not theirs)."""
        if self.plan is None:
            self.plan = plan
        elif self.plan is not plan:
            raise ValueError("a Made serves the compilations of one plan")
        return self


def compile_group(conditions: dict[str, Cond], keys: tuple[str, ...], default: tuple | None,
                  names: dict[str, str] | None = None, made: Made | None = None) -> Group | None:
    """The group's rules, with ``default`` (an outcome tuple as :func:`outcomes` gives) firing no
    rule; None where the group is not one this module compiles, or ``default`` never occurs.
    ``made``: what compiling this plan's groups made before, reused and added to."""
    if made is not None and (keys, default) in made.groups:
        return made.groups[(keys, default)]
    cells = None if made is None else made.cells.get(keys)
    if cells is None:
        classes = _classes_of(conditions, keys, names)
        cells = (classes, None if classes is None else _table(conditions, keys, classes))
        if made is not None:
            made.cells[keys] = cells
    group = _compiled(conditions, keys, default, *cells)
    if made is not None:
        made.groups[(keys, default)] = group
    return group


def _compiled(conditions: dict[str, Cond], keys: tuple[str, ...], default: tuple | None,
              classes: dict[str, list[_Class]] | None, table: dict[tuple, tuple] | None) -> Group | None:
    """The group of these classes and outcomes (None: not one this module compiles)."""
    if classes is None or table is None:
        return None
    if default is None:  # the outcome of most combinations of values
        default = collections.Counter(table.values()).most_common(1)[0][0]
    elif default not in table.values():
        return None
    checks = tuple(conditions)
    regions = tuple(Region(path, *_sides(checks, outcome))
                    for path, outcome in _leaves(_tree(keys, classes, table, ()), ()) if outcome != default)
    return Group(checks, regions, _sides(checks, default), bound(regions, keys, classes))


def _classes_of(conditions: dict[str, Cond], keys: tuple[str, ...],
                names: dict[str, str] | None = None) -> dict[str, list[_Class]] | None:
    """Each key's classes, or None where a key's are not to be had or the combinations are too many."""
    classes = {k: _classes(k, conditions.values(), names) for k in keys}
    if any(c is None for c in classes.values()) or math.prod(len(c) for c in classes.values()) > MAX_CELLS:
        return None
    return classes


def _table(conditions: dict[str, Cond], keys: tuple[str, ...], classes: dict[str, list[_Class]]) -> dict[tuple, tuple]:
    """The outcome of each check at one value of every combination of classes (plan keys, as the
    conditions read them; a class's tests may name the key otherwise)."""
    out = {}
    for cell in itertools.product(*(range(len(classes[k])) for k in keys)):
        fact = {k: classes[k][i].value for k, i in zip(keys, cell) if classes[k][i].value is not _ABSENT}
        out[cell] = tuple(evaluate(c, fact) for c in conditions.values())
    return out


def _sides(checks: tuple[str, ...], outcome: tuple) -> tuple[frozenset[str], frozenset[str]]:
    return (frozenset(k for k, o in zip(checks, outcome) if o is True),
            frozenset(k for k, o in zip(checks, outcome) if o is False))


def _constants(key: str, conds: Any) -> set:
    found: set = set()

    def visit(c: Cond) -> None:
        if isinstance(c, Cmp):
            if c.key == key:
                found.add(c.value)
        elif isinstance(c, In):
            if c.key == key:
                found.update(c.values)
        else:
            for item in (c.items if hasattr(c, "items") else (c.item,)):
                visit(item)
    for cond in conds:
        visit(cond)
    return found


def _classes(key: str, conds: Any, names: dict[str, str] | None = None) -> list[_Class] | None:
    """The classes of ``key``'s values (the last is "missing"); None for a key compared with values
    of more than one type (the encoder gives each key one: another policy's doing)."""
    name = key if names is None else names[key]
    values = _constants(key, conds)
    kinds = {type(v) for v in values}
    missing = _Class(name, _ABSENT, kind="missing")
    if not values:
        return [_Class(name, 0, kind="other"), missing]
    if kinds == {int}:
        points = sorted(values)
        out = [_Class(name, points[0] - 1, None, points[0] - 1)]
        for i, p in enumerate(points):
            out.append(_Class(name, p, p, p))
            if i + 1 < len(points) and points[i + 1] - p >= 2:
                out.append(_Class(name, p + 1, p + 1, points[i + 1] - 1))
        return out + [_Class(name, points[-1] + 1, points[-1] + 1, None), missing]
    if kinds == {str} and _OTHER_TEXT not in values:
        return [*(_Class(name, p, kind="text") for p in sorted(values)), _Class(name, _OTHER_TEXT, kind="other"),
                missing]
    return None


def _tree(keys: tuple[str, ...], classes: dict[str, list[_Class]], table: dict[tuple, tuple],
          cell: tuple) -> Any:
    """("leaf", outcome) or ("split", ((tests, subtree), ...)); a key no outcome below depends on
    is left out."""
    if len(cell) == len(keys):
        return ("leaf", table[cell])
    own = classes[keys[len(cell)]]
    children = [_tree(keys, classes, table, cell + (i,)) for i in range(len(own))]
    if all(child == children[0] for child in children):
        return children[0]
    return ("split", tuple(_branches(own, children)))


def _branches(classes: list[_Class], children: list[Any]) -> list[tuple[tuple[dict, ...], Any]]:
    """Neighbouring integer ranges with the same subtree become one range; any other class is a
    branch of its own."""
    texts = tuple(c.value for c in classes if c.kind == "text")
    out = []
    i = 0
    while i < len(classes):
        j = i
        while classes[i].kind == "range" and j + 1 < len(classes) and classes[j + 1].kind == "range" \
                and children[j + 1] == children[i]:
            j += 1
        merged = attrs.evolve(classes[i], high=classes[j].high) if j > i else classes[i]
        out.append((merged.tests(texts), children[i]))
        i = j + 1
    return out


def _leaves(tree: Any, path: tuple[dict, ...]) -> Any:
    if tree[0] == "leaf":
        yield path, tree[1]
        return
    for tests, child in tree[1]:
        yield from _leaves(child, path + tests)


def bound(regions: tuple[Region, ...], keys: tuple[str, ...], classes: dict[str, list[_Class]]) -> int:
    """The most alpha nodes of the group's rules one fact can match: the rules' tests as the trie
    the engine builds of them (a test shared under the same parent), walked for one value of every
    combination of classes (every fact is in one)."""
    trie: dict = {}
    for region in regions:
        node = trie
        for test in region.tests:
            node = node.setdefault(_frozen(test), {})
    best = 0
    for cell in itertools.product(*(classes[k] for k in keys)):
        fact = {c.name: c.value for c in cell if c.value is not _ABSENT}
        best = max(best, _matched(trie, fact))
    return best


def _matched(node: dict, fact: dict[str, Any]) -> int:
    return sum(1 + _matched(child, fact) for test, child in node.items() if _holds(test, fact))


def _frozen(test: dict) -> tuple:
    (op, body), = test.items()
    if isinstance(body, dict):
        (name, value), = body.items()
        return (op, name, value)
    return ("$eq", op, body)


def _holds(test: tuple, fact: dict[str, Any]) -> bool:
    op, name, value = test
    if op == "$nex":
        return name not in fact
    if name not in fact:
        return False
    if op == "$ex":
        return True
    got = fact[name]
    if type(got) is not type(value):
        return op == "$neq"
    return {"$eq": got == value, "$neq": got != value, "$lt": got < value, "$lte": got <= value,
            "$gt": got > value, "$gte": got >= value}[op]
