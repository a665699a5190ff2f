"""The correction a finding suggests, as one test of a rule given another operator, so that the
test case a finding carries tells the wrong rule from the right one.

A case for a rule that refuses someone (C010, C011, C015) expects them eligible: it fails until the
rule is fixed. Any candidate the rule refuses will do for that, but only one the *corrected* rule
admits passes once the fix is made; another (someone the rule refuses for a reason the fix keeps)
keeps failing and misleads. An :class:`Amendment` is that correction:

- a test read in the wrong direction (C015) reversed: ``at_least`` ↔ ``at_most``, ``above`` ↔
  ``below``; a minimum (a ``min_…`` column) compared with ``equals`` read ``at_least``, a maximum
  ``at_most``. A candidate the rule refuses and the reversed rule admits sits strictly on the
  other side of the bound, so whichever of the two operators of that direction was meant admits
  them too;
- for a rule that never passes or contradicts another (C010, C011), the finding names no test:
  each test bounding a field against the way the field's vocabulary (``better:``) or at least two
  other tests and properties of the policy bound it, reversed, is tried in turn.
"""

from __future__ import annotations

import attrs

from ..engine._plan import Check, resolve_check
from ..policy import All, AnyOf, Not, Policy, Rule, Test, tests_of

MIRROR = {"at_least": "at_most", "at_most": "at_least", "above": "below", "below": "above"}


@attrs.frozen
class Amendment:
    """Rule ``rule`` with ``test`` (found by identity in the version that holds it, else by its
    field, operator and value) given the operator ``op``."""

    rule: str
    test: Test
    op: str

    @property
    def text(self) -> str:
        """The correction in a case's name: ``age at_most``."""
        return f"{self.test.field} {self.op}"

    def condition(self, cond):
        """``cond`` with the test given its new operator (unchanged when it holds no such test)."""
        exact = any(t is self.test for t in tests_of(cond))

        def swap(node):
            if isinstance(node, Test):
                hit = node is self.test if exact else node == self.test
                return attrs.evolve(node, op=self.op) if hit else node
            if isinstance(node, (All, AnyOf)):
                return attrs.evolve(node, items=tuple(swap(c) for c in node.items))
            if isinstance(node, Not):
                return attrs.evolve(node, item=swap(node.item))
            return node
        return swap(cond)

    def check(self, policy: Policy, check: Check, level: str, day) -> Check | None:
        """``check`` (of a plan, at ``level`` on ``day``) corrected; None when it is not this rule's."""
        if check.rule.id != self.rule:
            return None
        fixed = self.condition(check.rule.condition)
        if fixed == check.rule.condition:
            return None
        return resolve_check(policy, attrs.evolve(check.rule, condition=fixed), check.level or level, day)

    def policy(self, policy: Policy) -> Policy:
        """``policy`` with every version of the rule corrected."""
        rules = tuple(attrs.evolve(r, condition=self.condition(r.condition)) if r.id == self.rule else r
                      for r in policy.rules)
        return attrs.evolve(policy, rules=rules)


def reversed_test(rule: Rule, test: Test) -> Amendment | None:
    """The test read the other way (``at_least`` ↔ ``at_most``, ``above`` ↔ ``below``)."""
    return Amendment(rule.id, test, MIRROR[test.op]) if test.op in MIRROR else None


def against_the_grain(policy: Policy, rule: Rule) -> list[Amendment]:
    """The tests of ``rule`` that bound a field the way its vocabulary's ``better:``, or at least two
    other tests and properties of the policy (all one way), say is worse, each reversed."""
    from ._regulation import LOWER, UPPER, _votes
    from ._regulation import tests_of as signed_tests  # (test, negated) pairs
    _, votes = _votes(policy)
    out = []
    for test, neg in signed_tests(rule.condition):
        if test.op not in LOWER + UPPER:
            continue
        field = policy.fields.get(test.field)
        if field is None:
            continue
        lower = (test.op in LOWER) != neg  # this test bounds the field from below
        vocab = policy.vocabularies.get(field.scale) if field.kind == "ordered" else None
        if vocab is not None and vocab.better in ("higher", "lower"):
            wanted = vocab.better == "higher"
        else:
            others = [x[0] for x in votes.get(test.field, []) if x[1] is None or x[1].id != rule.id]
            if len(others) < 2 or len(set(others)) != 1:
                continue
            wanted = others[0]  # the others bound it from below
        if lower != wanted:
            out.append(reversed_test(rule, test))
    return [a for a in out if a is not None]


__all__ = ["Amendment", "against_the_grain", "reversed_test"]
