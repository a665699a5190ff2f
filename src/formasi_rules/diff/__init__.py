"""What changed between two versions of a policy, and what that change does to real data
(``formasi diff``): the question a ministry asks when a regulation changes — who gains, who
loses, how many places?

    >>> from formasi_rules.diff import diff                               # doctest: +SKIP
    >>> d = diff(load_policy("old/pengantar_kerja"), load_policy("new/pengantar_kerja"),
    ...          candidates=read_records("candidates.json"), as_of=date(2025, 10, 9))
    >>> [c.name for c in d.changes]
    ['TABLE[LEVEL].COLUMN']                       # e.g. an age limit's row for one level
    >>> [(f.candidate, f.old, f.new) for f in d.impact.flips]
    [('SUMSEL-14-2', 'not_eligible', 'eligible')]
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from ..policy import Policy
from ._change import Change
from ._changes import policy_changes
from ._impact import Flip, Impact, NeedShift, RuleShift, impact
from ._render import FORMATS, PolicyDiff, to_html, to_json, to_text


def diff(old: Policy, new: Policy, *, candidates: Iterable[Any] | None = None, as_of: dt.date | None = None,
         workload: Any = None, existing: Any = None) -> PolicyDiff:
    """The changes from ``old`` to ``new``; with candidates or a workload (and ``as_of``), their impact."""
    changes = tuple(policy_changes(old, new))
    if candidates is None and workload is None:
        return PolicyDiff(old, new, changes)
    if as_of is None:
        from .._errors import InvalidArgument
        raise InvalidArgument("the impact needs as_of: the date the decisions are made on")
    return PolicyDiff(old, new, changes, impact(old, new, candidates, as_of=as_of, workload=workload,
                                                existing=existing))


__all__ = ["FORMATS", "Change", "Flip", "Impact", "NeedShift", "PolicyDiff", "RuleShift", "diff", "impact",
           "policy_changes", "to_html", "to_json", "to_text"]
