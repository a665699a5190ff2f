"""The impact of a policy change on real data: which candidates' decisions change (and by which
rule), and how the formation need per region and level moves.

Both policies are evaluated on the reference backend: the question is what the regulation
says, and the reference interpreter is the plain reading of it.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections import Counter
from typing import Any, Iterable

import attrs

from .._dates import as_date
from ..engine import BackendWarning, Engine, RecordError, Result
from ..policy import Policy


@attrs.frozen
class RuleShift:
    """A rule whose verdict differs for one decision: passed → failed and so on (None: not
    checked in that version, or undetermined)."""

    rule: str
    old: str  # "met", "not met", "undetermined", "not checked"
    new: str
    old_message: dict[str, str] | None
    new_message: dict[str, str] | None

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class Flip:
    """One candidate's decision for one route and level, before and after."""

    candidate: str
    route: str
    level: str
    old: str
    new: str
    rules: tuple[RuleShift, ...]
    still: tuple[tuple[str, str], ...] = ()  # (rule, state) not met or undetermined in both versions

    def to_dict(self) -> dict[str, Any]:
        return {"candidate": self.candidate, "route": self.route, "level": self.level, "old": self.old,
                "new": self.new, "rules": [r.to_dict() for r in self.rules],
                "still": [{"rule": r, "state": s} for r, s in self.still]}


@attrs.frozen
class NeedShift:
    region: str
    level: str
    old_need: int | None  # None: the row is not in that version's result
    new_need: int | None
    existing: int

    @property
    def changed(self) -> bool:
        return self.old_need != self.new_need

    def to_dict(self) -> dict[str, Any]:
        gap = lambda need: None if need is None else need - self.existing  # noqa: E731
        return {"region": self.region, "level": self.level, "old_need": self.old_need, "new_need": self.new_need,
                "existing": self.existing, "old_gap": gap(self.old_need), "new_gap": gap(self.new_need)}


@attrs.frozen
class Impact:
    as_of: dt.date
    candidates: int  # how many were evaluated under both versions
    flips: tuple[Flip, ...]
    rejected: tuple[str, ...]  # records a version could not read ("where (by old|new|both): problem")
    need: tuple[NeedShift, ...] = ()
    # decisions whose outcome stayed but a rule's verdict moved (another rule still decides)
    masked: tuple[Flip, ...] = ()
    # what the formation computed from workload warns of, under either version (no officers given ...)
    warnings: tuple[str, ...] = ()

    @property
    def gains(self) -> int:
        """Decisions that become eligible."""
        return sum(f.new == "eligible" for f in self.flips)

    @property
    def losses(self) -> int:
        """Decisions that were eligible and are no longer."""
        return sum(f.old == "eligible" for f in self.flips)

    def counts(self) -> list[dict[str, Any]]:
        """How many decisions moved, per route, level and (old → new)."""
        tally = Counter((f.route, f.level, f.old, f.new) for f in self.flips)
        return [{"route": r, "level": lv, "old": o, "new": n, "count": c,
                 "candidates": [f.candidate for f in self.flips if (f.route, f.level, f.old, f.new) == (r, lv, o, n)]}
                for (r, lv, o, n), c in tally.items()]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"as_of": self.as_of.isoformat(), "candidates": self.candidates,
                               "decisions_changed": len(self.flips),
                               "candidates_changed": len({f.candidate for f in self.flips}),
                               "gains": self.gains, "losses": self.losses,
                               "counts": self.counts(), "flips": [f.to_dict() for f in self.flips],
                               "masked": [f.to_dict() for f in self.masked], "rejected": list(self.rejected)}
        if self.warnings:
            out["warnings"] = list(self.warnings)
        if self.need:
            out["need"] = [n.to_dict() for n in self.need]
            out["need_total"] = {"old": sum(n.old_need or 0 for n in self.need),
                                 "new": sum(n.new_need or 0 for n in self.need)}
        return out


def _engine(policy: Policy) -> Engine:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BackendWarning)
        return Engine(policy, backend="reference")


_STATE = {True: "met", False: "not met", None: "undetermined"}


def _shifts(old: Result, new: Result, route: str, level: str
            ) -> tuple[tuple[RuleShift, ...], tuple[tuple[str, str], ...]]:
    def verdicts(result: Result) -> dict[str, Any]:
        try:
            decision = result.decision(route, level)
        except KeyError:
            return {}
        return {r.rule: r for r in decision.reasons}

    a, b = verdicts(old), verdicts(new)
    out, still = [], []
    for rule in dict.fromkeys([*a, *b]):
        ra, rb = a.get(rule), b.get(rule)
        sa = _STATE[ra.passed] if ra else "not checked"
        sb = _STATE[rb.passed] if rb else "not checked"
        if sa != sb or (ra and rb and ra.required != rb.required and sa != "met"):
            out.append(RuleShift(rule, sa, sb, ra.message.to_dict() if ra else None,
                                 rb.message.to_dict() if rb else None))
        elif sb != "met":
            still.append((rule, sb))
    return tuple(out), tuple(still)


def impact(old: Policy, new: Policy, records: Iterable[Any] | None = None, *, as_of: dt.date,
           workload: Any = None, existing: Any = None) -> Impact:
    """Evaluate ``records`` (raw candidate dicts, or ``read_records`` pairs) under both policies on
    ``as_of``; with ``workload`` (and ``existing``), the open places of each version come from its
    own formation computation, and the need per region and level is compared too."""
    as_of = as_date(as_of)  # refused before anything is evaluated
    records = list(records or [])
    engines = _engine(old), _engine(new)
    try:
        places = [e.formation(workload, existing, as_of=as_of) if workload is not None else None for e in engines]
        runs = [list(e.evaluate_many(records, as_of=as_of, formation=p)) for e, p in zip(engines, places)]
    finally:
        for e in engines:
            e.close()
    flips, masked, rejected, evaluated = [], [], [], 0
    for a, b in zip(*runs):
        if isinstance(a, RecordError) or isinstance(b, RecordError):
            # a record one version reads and the other refuses is itself an impact: say which
            error = a if isinstance(a, RecordError) else b
            side = "both" if isinstance(a, RecordError) and isinstance(b, RecordError) else \
                "old" if isinstance(a, RecordError) else "new"
            rejected.append(f"{error.where} (by {side}): " + "; ".join(p.en for p in error.problems))
            continue
        evaluated += 1
        for name in dict.fromkeys([*a.outcomes, *b.outcomes]):
            oa, ob = a.outcomes.get(name, "not decided"), b.outcomes.get(name, "not decided")
            route, level = name.split("/", 1)
            if oa != ob:
                flips.append(Flip(a.candidate, route, level, oa, ob, *_shifts(a, b, route, level)))
            elif a.checks != b.checks:  # only then can a verdict have moved under the same outcome
                rules, still = _shifts(a, b, route, level)
                if rules:
                    masked.append(Flip(a.candidate, route, level, oa, ob, rules, still))
    need = _need(*places) if workload is not None else ()
    said = tuple(dict.fromkeys(str(w) for p in places if p is not None for w in p.warnings))
    return Impact(as_of, evaluated, tuple(flips), tuple(rejected), need, tuple(masked), said)


def _need(old, new) -> tuple[NeedShift, ...]:
    a = {(r.region, r.level): r for r in old.rows}
    b = {(r.region, r.level): r for r in new.rows}
    out = []
    for key in dict.fromkeys([*a, *b]):
        ra, rb = a.get(key), b.get(key)
        out.append(NeedShift(key[0], key[1], ra.need if ra else None, rb.need if rb else None,
                             (rb or ra).existing))
    return tuple(out)
