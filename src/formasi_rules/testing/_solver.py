"""An exact reasoner over a resolved plan: z3 over the encoded fact keys.

Every fact key a plan's checks read becomes one z3 integer: ordered values are ranks (only the
ranks the scale has), numbers are scaled integers of zero or more, dates day numbers (the
evaluation date inside the period; other dates not after it), booleans 0 or 1, and texts an
index into the constants the rules name (plus one value that is none of them). A check
*passes* when its condition is true with every key known; Kleene evaluation is monotone in
what is known, so a condition true on partial facts is true on every completion and the
classical reading decides pass/fail exactly.

The derivations say how some keys relate, and the solver knows it (read off the trees, never
off field names):

- ``over_years: N, take: min`` over the same history and attribute: the worst over more years
  is never better than over fewer (``max``/``count``: never less);
- ``years_between: [A, B]`` / ``months_between`` with both dates read: the completed span
  agrees with the day numbers (365·n ≤ B − A < 366·(n + 1), 28·m ≤ B − A < 32·(m + 1));
  a span is never negative.

A query z3 cannot settle in its time limit is answered ``unknown`` with z3's reason, never
taken as either answer.
"""

from __future__ import annotations

from typing import Any

import attrs
import z3

from ..engine._plan import And, Cmp, In, Neg, Or, Plan
from ..policy import Policy
from ..policy import _derivations as d

TIMEOUT_MS = 10_000
OTHER = "\0other"  # a text none of the rules name


@attrs.frozen
class Answer:
    status: str  # "sat" | "unsat" | "unknown"
    model: dict[str, Any] | None = None  # fact key -> encoded value (when sat)
    reason: str = ""


def _field_of(policy: Policy, key: str):
    return policy.fields[key.split("__")[0]]


def _level_of(key: str) -> str | None:
    return key.split("__")[1] if "__" in key else None


class Space:
    """The fact keys of one plan as z3 variables, with their domains and derived relations."""

    def __init__(self, policy: Policy, plan: Plan, extra_conditions: tuple = ()):
        self.policy, self.plan = policy, plan
        self.texts: dict[str, list[str]] = {}
        conds = [c.condition for c in plan.checks.values()] + list(extra_conditions)
        keys: set[str] = set(plan.keys)
        for cond in conds:
            _collect(cond, keys, self.texts)
        # a context of its own: the same questions give the same models whatever was solved before,
        # so strategies built from them (seeds) are the same from one call to the next
        self.ctx = z3.Context()
        self.vars: dict[str, z3.ArithRef] = {k: z3.Int(k, self.ctx) for k in sorted(keys)}
        self.base: list = []
        for key, var in self.vars.items():
            self.base += self._domain(key, var)
        self.related: dict[str, set[str]] = {k: {k} for k in self.vars}
        self.relations = self._relations()
        self.base += self.relations
        self.solver = z3.Solver(ctx=self.ctx)
        self.solver.set("timeout", TIMEOUT_MS)
        self.solver.add(*self.base)

    def add_key(self, key: str) -> z3.ArithRef:
        if key not in self.vars:
            self.vars[key] = z3.Int(key, self.ctx)
            self.related[key] = {key}
            dom = self._domain(key, self.vars[key])
            self.base += dom
            self.solver.add(*dom)
        return self.vars[key]

    # --- domains and relations ---------------------------------------------------------------

    def _domain(self, key: str, var) -> list:
        field = _field_of(self.policy, key)
        if key in self.texts or field.kind in ("enum", "text"):
            names = self._names(key)
            return [var >= 0, var < len(names)]
        if field.kind == "ordered":
            ranks = sorted(set(self.policy.scales[field.scale].values()))
            return [z3.Or(*[var == r for r in ranks])]
        if field.kind == "boolean":
            return [z3.Or(var == 0, var == 1)]
        if field.kind == "date":
            if key == "as_of":
                p = self.plan.period
                out = [var >= p.valid_from.toordinal()] if p.valid_from else []
                return out + ([var <= p.valid_to.toordinal()] if p.valid_to else [])
            return [var <= self.add_key("as_of")] if "as_of" != key else []
        if field.kind == "number":
            return [var >= 0]
        return []

    def _names(self, key: str) -> list[str]:
        field = _field_of(self.policy, key)
        names = list(field.values) if field.kind == "enum" and field.values else []
        for v in self.texts.get(key, []):
            if v not in names:
                names.append(v)
        if field.kind != "enum" or not field.values:
            names.append(OTHER)
        return names

    def _relations(self) -> list:
        out = []
        by_name: dict[tuple[str, str | None], str] = {(k.split("__")[0], _level_of(k)): k for k in self.vars}
        over: dict[tuple, list[tuple[int, str]]] = {}
        for (name, level), key in list(by_name.items()):
            node = self.policy.fields[name].derive
            if isinstance(node, d.OverYears):
                over.setdefault((node.history, node.value, node.take, level), []).append((node.years, key))
            elif isinstance(node, d.Span):
                var = self.vars[key]
                out.append(var >= 0)
                if isinstance(node.start, d.Ref) and isinstance(node.end, d.Ref):
                    a = by_name.get((node.start.name, None))
                    b = by_name.get((node.end.name, None))
                    if a and b:
                        diff = self.vars[b] - self.vars[a]
                        lo, hi = (365, 366) if node.unit == "years" else (28, 32)
                        out += [diff >= lo * var, diff < hi * (var + 1)]
                        self._relate(key, a, b)
        for (_h, _v, take, _lv), items in over.items():
            items.sort()
            for (_n1, k1), (_n2, k2) in zip(items, items[1:], strict=False):
                if take == "min":
                    out.append(self.vars[k2] <= self.vars[k1])
                elif take in ("max", "count"):
                    out.append(self.vars[k2] >= self.vars[k1])
                else:
                    continue
                self._relate(k1, k2)
        return out

    def _relate(self, *keys: str) -> None:
        group = set().union(*(self.related[k] for k in keys))
        for k in group:
            self.related[k] = group

    def group(self, keys) -> set[str]:
        """The keys and every key a relation ties them to."""
        return set().union(*(self.related.get(k, {k}) for k in keys)) if keys else set()

    # --- terms -------------------------------------------------------------------------------

    def term(self, cond, rename: dict[str, str] | None = None):
        if isinstance(cond, Cmp):
            var = self._var(cond.key, rename)
            value = self._value(cond.key, cond.value)
            return {"eq": var == value, "ne": var != value, "ge": var >= value, "le": var <= value,
                    "gt": var > value, "lt": var < value}[cond.op]
        if isinstance(cond, In):
            var = self._var(cond.key, rename)
            hit = z3.Or(*[var == self._value(cond.key, v) for v in cond.values]) if cond.values else z3.BoolVal(False, self.ctx)
            return z3.Not(hit) if cond.negated else hit
        if isinstance(cond, Neg):
            return z3.Not(self.term(cond.item, rename))
        parts = [self.term(c, rename) for c in cond.items]
        if isinstance(cond, And):
            return z3.And(*parts) if parts else z3.BoolVal(True, self.ctx)
        return z3.Or(*parts) if parts else z3.BoolVal(False, self.ctx)

    def _var(self, key: str, rename: dict[str, str] | None):
        if rename and key in rename:
            return self.vars[rename[key]]
        return self.add_key(key)

    def _value(self, key: str, value: Any):
        if key in self.texts or isinstance(value, str):
            names = self._names(key)
            return names.index(value) if value in names else len(names) + 1  # a constant no value takes
        return int(value)

    def copy_key(self, key: str, suffix: str = "'") -> str:
        """A second variable with the domain and relations of ``key`` (for 'the same candidate,
        one field changed'); the relations hold for the changed value too."""
        twin = key + suffix
        if twin not in self.vars:
            self.vars[twin] = z3.Int(twin, self.ctx)
            self.related[twin] = {twin}
            if key in self.texts:
                self.texts[twin] = self.texts[key]
            dom = self._domain(key, self.vars[twin])
            var = self.add_key(key)
            dom += [z3.substitute(r, (var, self.vars[twin])) for r in self.relations
                    if any(v.eq(var) for v in _vars_in(r))]
            self.base += dom
            self.solver.add(*dom)
        return twin

    # --- queries -----------------------------------------------------------------------------

    def solve(self, *terms) -> Answer:
        self.solver.push()
        try:
            self.solver.add(*terms)
            result = self.solver.check()
            if result == z3.sat:
                return Answer("sat", self._model(self.solver.model()))
            if result == z3.unsat:
                return Answer("unsat")
            return Answer("unknown", reason=self.solver.reason_unknown() or "the solver gave up")
        finally:
            self.solver.pop()

    def nearest(self, terms: list, near: list[tuple[str, Any]]) -> Answer:
        """:meth:`solve` with each fact key of ``near`` as close to its value as ``terms`` allow (z3's
        optimiser, the sum of the distances least): a case on the edge of a bound reads as about that
        bound. Whatever the optimiser cannot settle is solved without the preference."""
        near = [(self.add_key(key), self._value(key, value)) for key, value in near]
        opt = z3.Optimize(ctx=self.ctx)
        opt.set("timeout", TIMEOUT_MS)
        opt.add(*self.base, *terms)
        distances = []
        for i, (var, target) in enumerate(near):
            gap = z3.Int(f"\0gap{i}", self.ctx)
            opt.add(gap >= var - target, gap >= target - var)
            distances.append(gap)
        if distances:
            opt.minimize(z3.Sum(*distances))
        if opt.check() == z3.sat:
            return Answer("sat", self._model(opt.model()))
        return self.solve(*terms)

    def _model(self, model) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, var in self.vars.items():
            value = model.eval(var, model_completion=False)
            if not z3.is_int_value(value):
                continue
            number = value.as_long()
            if key in self.texts or _field_of(self.policy, key.rstrip("'")).kind in ("enum", "text"):
                names = self._names(key.rstrip("'"))
                out[key] = names[number] if 0 <= number < len(names) else OTHER
            else:
                out[key] = number
        return out

    def passes(self, check) -> Any:
        return self.term(check.condition)


def _vars_in(expr) -> list:
    if z3.is_const(expr) and expr.decl().kind() == z3.Z3_OP_UNINTERPRETED:
        return [expr]
    return [v for c in expr.children() for v in _vars_in(c)]


def _collect(cond, keys: set[str], texts: dict[str, list[str]]) -> None:
    if isinstance(cond, (And, Or)):
        for c in cond.items:
            _collect(c, keys, texts)
    elif isinstance(cond, Neg):
        _collect(cond.item, keys, texts)
    elif isinstance(cond, Cmp):
        keys.add(cond.key)
        if isinstance(cond.value, str):
            texts.setdefault(cond.key, [])
            if cond.value not in texts[cond.key]:
                texts[cond.key].append(cond.value)
    elif isinstance(cond, In):
        keys.add(cond.key)
        for v in cond.values:
            if isinstance(v, str):
                texts.setdefault(cond.key, [])
                if v not in texts[cond.key]:
                    texts[cond.key].append(v)


__all__ = ["OTHER", "Answer", "Space"]
