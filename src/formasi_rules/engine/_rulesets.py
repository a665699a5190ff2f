"""A plan compiled into durable_rules rulesets: the rules each check becomes, packed within the
engine's limits (``_durable`` drives them).

How each check becomes rules (shared/engine/durable-rules.md gives the reasons):

- ``fail`` fires when the check's negation holds (negation pushed down to the tests);
  a test on a missing field matches nothing. Which fact keys are missing is a property
  of the encoded fact itself (the plan's keys it lacks), read from it in Python as the
  reference backend does: a ``$nex`` rule per key would cost an agenda action per
  absent key and an alpha test per key (a third ruleset for the shipped policy) to
  report the same set. A check *passes* when it did not fail and none of its keys is
  missing: without an ``or`` across different keys, a condition can only be true with
  every key present, and with every key present it is either true or false. Only a
  check with such an ``or`` (true with a key missing, as Kleene logic allows) gets a
  ``pass`` rule as well. Every fired rule is an agenda action the host must drain, so
  leaving out the ``pass`` rules that could be inferred halves the actions per
  candidate. Where a check's negation, too, can be true only with every key present,
  either side may fire and the other be inferred; once durable_rules has run a
  plan's first facts (``DurableBackend.ADAPT_AFTER``, where the memo answered few
  of the facts meanwhile) the backend rebuilds its rulesets once so that each such
  check fires the side it saw less often (same results, fewer actions), unless that
  would take more rulesets. A check whose negation can be true with a key
  missing (``not (a and b)``), failing far more often than it passes, can fire its pass
  rule too: its fail rule then lives in a fallback ruleset that only facts lacking one of
  its keys are asserted into (``compile_plan``'s ``fallback``, chosen where the actions
  saved outweigh the extra asserts).
- Every rule starts with the positive discriminator ``kind: candidate``, so the
  engine's own state fact ``{sid, id, $s}`` can never match one (H3). No ``any``, no
  ``$in``, no string ordering, only integers and plain strings (H6).
- Rules are packed into several rulesets so that no ruleset has more alpha tests than
  ``ALPHA_BUDGET``: a fact matching 65 tests at once raises error 303 and 513 tests
  under one node hang the compiler (H5). A single rule too large for a ruleset is a
  PolicyError naming it, raised when the engine is built, never a hang.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from .._errors import EngineError, PolicyError, Problem
from ._encode import KIND
from ._plan import And, Cmp, Cond, In, Or, Plan, keys_read, negate, positive
from ._regions import Group, Made, compile_group

# alpha tests per ruleset, counted on the expanded paths: a fact can match no more tests than a
# ruleset holds, and the engine fails only at 65 matched at once (MAX_STACK_SIZE 64; probed, and
# a ruleset filled to this budget with every test matching is tested)
ALPHA_BUDGET = 60
MAX_RULES_PER_RULESET = 4000  # MAX_ACTIONS is 4096
_NAME_DIGITS = len(str(MAX_RULES_PER_RULESET))  # rule names: side letter + this many digits
RULE_NAME = slice(2, 3 + _NAME_DIGITS)  # where an agenda message '{"f0012":{"m":{...}}}' names its rule
_OPS = {"ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


_PLAIN = re.compile(r"[a-z][a-z0-9_]*\Z")  # a fact key the engine reads as it is
_RESERVED = frozenset(("sid", "id", KIND))  # the engine's session and fact ids, and the backend's kind of fact


def engine_names(keys: frozenset[str]) -> dict[str, str] | None:
    """The property name the engine sees for each fact key, or None where every key is its own.

    The engine gives some names a meaning of their own (``sid`` and ``id`` identify the session and
    the fact, ``kind`` is the backend's discriminator, a ``.`` addresses a nested object, ``$`` an
    operator): a field named so would silently take that meaning. Such a key is renamed ``_N``,
    which no plain key can be (a plain key begins with a letter)."""
    odd = sorted(k for k in keys if not _PLAIN.match(k) or k in _RESERVED)
    if not odd:
        return None
    names = {k: k for k in keys}
    names.update({k: f"_{i}" for i, k in enumerate(odd)})
    return names


def to_durable(cond: Cond, names: dict[str, str] | None = None) -> dict:
    """A condition (negations already pushed down) in durable_rules' native JSON, each fact key
    under its engine name (``names``; None: as it is)."""
    if isinstance(cond, (Cmp, In)):
        key = cond.key if names is None else names[cond.key]
    if isinstance(cond, Cmp):
        return {key: cond.value} if cond.op == "eq" else {_OPS[cond.op]: {key: cond.value}}
    if isinstance(cond, In):
        if not cond.values:  # in []: false, not in []: true, either only with the key present (the
            # engine would read an empty $or or $and as matching every fact, the state fact included)
            present = {"$ex": {key: 1}}
            return present if cond.negated else {"$and": [present, {"$nex": {key: 1}}]}
        if cond.negated:
            parts = [{"$neq": {key: v}} for v in cond.values]
            return parts[0] if len(parts) == 1 else {"$and": parts}
        parts = [{key: v} for v in cond.values]
        return parts[0] if len(parts) == 1 else {"$or": parts}
    op = "$and" if isinstance(cond, And) else "$or"
    return {op: [to_durable(c, names) for c in cond.items]}


def alpha_cost(cond: Cond) -> tuple[int, int]:
    """(terms, tests) of the condition's disjunctive normal form: an upper bound on the
    alpha nodes durable_rules builds for it, since it expands ``$or`` into paths."""
    if isinstance(cond, Cmp):
        return 1, 1
    if isinstance(cond, In):
        n = len(cond.values)
        if n == 0:
            return 1, 1 if cond.negated else 2
        return (1, n) if cond.negated else (n, n)
    parts = [alpha_cost(c) for c in cond.items]
    if isinstance(cond, Or):
        return sum(t for t, _ in parts), sum(n for _, n in parts)
    terms = 1
    for t, _ in parts:
        terms *= t
    tests = sum(n * terms // t for t, n in parts)
    return terms, tests


@attrs.frozen
class RulesetSpec:
    definition: dict[str, Any]
    meaning: dict[str, tuple[str, str]]  # rule name -> ("pass"|"fail", check key)
    inferred: tuple[tuple[str, frozenset[str]], ...] = ()  # (check key, its fact keys): passed unless
    # it failed or one of its keys is missing
    inferred_fail: tuple[tuple[str, frozenset[str]], ...] = ()  # the same for checks that fire their
    # pass rule instead (see compile_plan's ``flip``): failed unless it passed or one of its keys is missing
    only_missing: frozenset[str] = frozenset()  # not empty: only a fact lacking one of these keys is
    # asserted into this ruleset (it decides the checks of ``fallback`` for such facts; see compile_plan)
    regions: dict[str, tuple[int, frozenset[str], frozenset[str]]] = attrs.field(factory=dict)  # region
    # rule name -> (its group, the checks passed there, those failed there; see _regions)
    defaults: tuple[tuple[int, frozenset[str], frozenset[str]], ...] = ()  # (group, passed, failed) where
    # no rule of the group fires


def true_only_when_complete(cond: Cond) -> bool:
    """Whether the condition (negations pushed down) can be true only with every key it reads
    present: so unless its only ``or`` nodes test one key each."""
    if isinstance(cond, (Cmp, In)):
        return True
    if isinstance(cond, Or) and len({k for item in cond.items for k in keys_read(item)}) > 1:
        return False
    return all(true_only_when_complete(c) for c in cond.items)


def fallback_able(cond: Cond) -> bool:
    """Whether a check may fire its pass rule with its fail rule in a fallback ruleset: its condition
    can be true only with every key present, its negation with one missing too (else ``flip`` serves)."""
    return true_only_when_complete(positive(cond)) and not true_only_when_complete(negate(cond))


class _Packer:
    """Rules packed into ruleset definitions that each stay within the engine's limits."""

    def __init__(self, budget: int, kind: str, names: dict[str, str] | None):
        self.budget, self.kind, self.names = budget, kind, names
        self.group_count = 0
        self.specs: list[RulesetSpec] = []
        self.only_missing = False  # the rulesets being packed now are fallback rulesets
        self._new()

    def _new(self) -> None:
        self.rules: dict[str, Any] = {}
        self.meaning: dict[str, tuple[str, str]] = {}
        self.inferred: list[tuple[str, frozenset[str]]] = []
        self.inferred_fail: list[tuple[str, frozenset[str]]] = []
        self.keys: set[str] = set()
        self.regions: dict[str, tuple[int, frozenset[str], frozenset[str]]] = {}
        self.defaults: list[tuple[int, frozenset[str], frozenset[str]]] = []
        self.used = 2  # the discriminator test and the priming rule's test

    def room(self, cost: int, check: Any) -> None:
        """Start a new ruleset unless this one holds ``cost`` more tests (and a check's rules)."""
        if cost + 2 > self.budget:
            raise PolicyError([Problem(
                "P080", f"aturan terlalu rumit untuk mesin aturan ({cost} uji)",
                f"the rule is too complex for the rules engine: it compiles to {cost} tests, and a "
                f"ruleset holds at most {self.budget - 2} for it; split it into several rules",
                file=check.rule.where.file, line=check.rule.where.line, rule=check.rule.id)])
        if self.used + cost > self.budget or 2 * len(self.rules) + 2 > MAX_RULES_PER_RULESET:
            self.flush()
        self.used += cost

    def add(self, what: tuple[str, str], cond: Cond) -> None:
        _add(self.rules, self.meaning, what, to_durable(cond, self.names), self.kind)

    def add_group(self, group: Group) -> None:
        """A group's region rules (within ``group.bound`` matched tests) and its default."""
        if self.used + group.bound > self.budget or len(self.rules) + len(group.regions) + 1 > MAX_RULES_PER_RULESET:
            self.flush()  # (the 1: the priming rule)
        self.used += group.bound
        index, self.group_count = self.group_count, self.group_count + 1
        for region in group.regions:
            name = _add(self.rules, self.meaning, ("region", ""), {"$and": list(region.tests)}, self.kind)
            self.regions[name] = (index, region.passed, region.failed)
        self.defaults.append((index, *group.default))

    def flush(self) -> None:
        if self.rules or self.defaults:
            self.specs.append(RulesetSpec(self.rules, self.meaning, tuple(self.inferred), tuple(self.inferred_fail),
                                          frozenset(self.keys) if self.only_missing else frozenset(),
                                          self.regions, tuple(self.defaults)))
        self._new()


def compile_plan(plan: Plan, budget: int = ALPHA_BUDGET, flip: frozenset[str] = frozenset(),
                 fallback: frozenset[str] = frozenset(), regions: dict[tuple[str, ...], tuple | None] | None = None,
                 made: Made | None = None) -> list[RulesetSpec]:
    """Split a plan into ruleset definitions that each stay within the engine's limits.

    A check in ``flip`` whose condition and negation can both be true only with every key present
    fires its pass rule instead of its fail rule, and its failure is inferred: the same results,
    fewer agenda actions where passing is the rarer side (DurableBackend chooses from what it sees).

    A check in ``fallback`` whose condition can be true only with every key present, but whose
    negation can be true with one missing (``not (a and b)`` is true when ``a`` is false and ``b``
    unknown), fires its pass rule too, and its failure is inferred where none of its keys is
    missing. Its fail rule goes to a ruleset of its own after the others, one for each set of keys
    such checks read (``only_missing``): only a fact that lacks one of those keys is asserted into
    it, to tell failed from unknown.

    The checks of a group in ``regions`` (the checks reading the keys it names, :func:`groups`)
    become one rule per region of those keys' values (``_regions``), the outcome given for the
    group (None: the one of most combinations of values) firing none; a group the regions do not
    cover keeps a rule per check as above. ``made``: what compiling the same plan made before
    (``_regions.Made``), reused: the groups' tables are worked out once a plan.
    """
    names = engine_names(plan.keys)
    made = made.of(plan) if made is not None else None
    packer = _Packer(budget, plan.kind, names)
    as_regions: set[str] = set()
    for keys, checks in groups(plan).items():
        if regions is None or keys not in regions:
            continue
        conditions = {k: plan.checks[k].condition for k in checks}
        group = compile_group(conditions, keys, regions[keys], names, made)
        if group is not None and group.bound + 2 > budget and regions[keys] is not None:
            group = compile_group(conditions, keys, None, names, made)  # the default of most combinations of values
        if group is not None and group.bound + 2 <= budget:
            packer.add_group(group)
            as_regions.update(checks)
    backed: list[tuple[str, Cond, Any]] = []
    for key, check in plan.checks.items():
        if key in as_regions:
            continue
        pos, neg = positive(check.condition), negate(check.condition)
        infer = true_only_when_complete(pos)
        flipped = key in flip and infer and true_only_when_complete(neg)
        if key in fallback and fallback_able(check.condition):
            backed.append((key, neg, check))
            flipped = True
        cost = alpha_cost(pos)[1] if flipped else alpha_cost(neg)[1] + (0 if infer else alpha_cost(pos)[1])
        packer.room(cost, check)
        if flipped:
            packer.inferred_fail.append((key, frozenset(keys_read(neg))))
            packer.add(("pass", key), pos)
            continue
        if infer:
            packer.inferred.append((key, frozenset(keys_read(pos))))
        else:
            packer.add(("pass", key), pos)
        packer.add(("fail", key), neg)
    packer.flush()
    packer.only_missing = True
    group = None
    for key, neg, check in sorted(backed, key=lambda b: sorted(keys_read(b[1]))):  # a ruleset per set of keys
        if group != keys_read(neg):
            packer.flush()
            group = keys_read(neg)
        packer.room(alpha_cost(neg)[1], check)
        packer.add(("fail", key), neg)
        packer.keys.update(group)
    packer.flush()
    for spec in packer.specs:  # every session is primed through this rule (see module docstring)
        spec.definition["prime"] = {"all": [{"m": {KIND: "prime"}}]}
    return packer.specs


def groups(plan: Plan) -> dict[tuple[str, ...], tuple[str, ...]]:
    """The plan's checks grouped by the fact keys they read (sorted), each group in plan order."""
    found: dict[tuple[str, ...], list[str]] = {}
    for key, check in plan.checks.items():
        found.setdefault(tuple(sorted(check.keys)), []).append(key)
    return {keys: tuple(checks) for keys, checks in found.items()}


def _add(rules: dict, meaning: dict, what: tuple[str, str], test: dict, kind: str) -> str:
    # the name says the side (p/f) and has a fixed width, so the host reads a fired rule's check
    # from a fixed slice of the agenda message (see _Ruleset.fire_into)
    if len(rules) >= 10 ** _NAME_DIGITS:
        raise EngineError(f"a ruleset of more than {10 ** _NAME_DIGITS} rules cannot be named")
    name = f"{what[0][0]}{len(rules):0{_NAME_DIGITS}d}"
    rules[name] = {"all": [{"m": {"$and": [{KIND: kind}, test]}}]}
    meaning[name] = what
    return name
