"""A finding of ``formasi check``: what is wrong (or worth knowing), where, and a case that shows it.

Checks run once per period of the policy's timeline; a finding the same in several periods is
said once, naming every period it holds in (``merge``).
"""

from __future__ import annotations

import attrs

from .._errors import Problem
from .._text import Text
from ..policy import Policy
from ..policy._model import Period

SEVERITIES = ("defect", "undecided", "info")


@attrs.frozen
class Finding:
    code: str
    id: str
    en: str
    rules: tuple[str, ...] = ()
    file: str | None = None
    line: int | None = None
    citations: tuple[dict, ...] = ()
    cases: tuple[dict, ...] = ()  # test cases that show it, in the YAML case format (verified on the engine)
    severity: str = "defect"  # "undecided": the reasoner could not settle it (with why); "info": not a mistake
    periods: tuple[str, ...] = ()  # the periods it holds in ("2023-01-12 – 2023-12-31"); () for the whole policy
    topic: tuple = attrs.field(default=(), eq=False, repr=False)  # what makes two findings one (else the message)
    fix: Text | None = None  # how to fix it, in both languages, where the check can say

    @classmethod
    def from_problem(cls, p: Problem) -> Finding:
        return cls(p.code, p.id, p.en + (f" ({p.hint})" if p.hint else ""), (p.rule,) if p.rule else (),
                   p.file, p.line)


def period_text(period: Period) -> str:
    return f"{period.valid_from} – {period.valid_to or '…'}"


def for_rules(code: str, id_: str, en: str, rules: list, policy: Policy, **kw) -> Finding:
    """A finding about rules (the first one is the cause: its file and line are given)."""
    unique = list({r.id: r for r in rules}.values())
    first = unique[0].where if unique else None
    cites = tuple(r.citation.to_dict(policy) for r in unique)
    return Finding(code, id_, en, tuple(r.id for r in unique), first.file if first else None,
                   first.line if first else None, cites, **kw)


def merge(findings: list[Finding], all_periods: int) -> list[Finding]:
    """One finding per (code, rules, message); the periods it holds in are joined, and named in the
    message unless it holds in every period."""
    out: dict[tuple, Finding] = {}
    for f in findings:
        key = (f.code, f.rules, f.topic or f.en)
        if key in out:
            old = out[key]
            out[key] = attrs.evolve(old, periods=tuple(dict.fromkeys(old.periods + f.periods)),
                                    cases=old.cases or f.cases)
        else:
            out[key] = f
    done = []
    for f in out.values():
        if f.periods and len(f.periods) < all_periods:
            f = attrs.evolve(f, en=f"{f.en} [in {'; '.join(f.periods)}]", id=f"{f.id} [pada {'; '.join(f.periods)}]")
        elif f.periods and all_periods > 1:
            f = attrs.evolve(f, en=f"{f.en} [in every period]", id=f"{f.id} [pada setiap periode]")
        done.append(f)
    return done
