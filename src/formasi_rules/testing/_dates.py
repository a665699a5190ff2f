"""C030: a rule that stops being in force inside the policy's period: a gap between two of its
versions (the exact days), or a last version that ends before the policy does."""

from __future__ import annotations

import datetime as dt

from ..policy import Policy
from ._findings import Finding

ONE_DAY = dt.timedelta(days=1)


def lapses(policy: Policy) -> list[Finding]:
    out = []
    end = policy.coverage.valid_to
    by_id: dict[str, list] = {}
    for rule in policy.rules:
        by_id.setdefault(rule.id, []).append(rule)
    for rid, versions in by_id.items():
        versions.sort(key=lambda r: r.period.valid_from or dt.date.min)
        for older, newer in zip(versions, versions[1:], strict=False):
            if older.period.valid_to and newer.period.valid_from and \
                    (newer.period.valid_from - older.period.valid_to).days > 1:
                first, last = older.period.valid_to + ONE_DAY, newer.period.valid_from - ONE_DAY
                days = str(first) if first == last else f"{first} to {last}"
                out.append(Finding("C030", f"aturan {rid} tidak berlaku pada {days}",
                                   f"rule {rid} has no version in force on {days} (a gap between its versions)",
                                   (rid,), newer.where.file, newer.where.line,
                                   (newer.citation.to_dict(policy),)))
        last = versions[-1]
        stop = last.period.valid_to
        if stop and (end is None or stop < end) and (policy.coverage.valid_from is None
                                                      or stop >= policy.coverage.valid_from):
            out.append(Finding("C030", f"aturan {rid} berhenti berlaku setelah {stop}",
                               f"rule {rid} stops being in force after {stop}, inside the policy's period, with no "
                               f"later version (from {stop + ONE_DAY} no rule {rid} applies)", (rid,),
                               last.where.file, last.where.line, (last.citation.to_dict(policy),)))
    return out
