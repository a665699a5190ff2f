"""Writing results: JSON (a list, streamed), JSON Lines, and a readable table."""

from __future__ import annotations

import json
from typing import IO

from ..engine import RecordError, Result

FORMATS = ("json", "jsonl", "table")


class Writer:
    def __init__(self, out: IO[str], fmt: str):
        self.out, self.fmt, self.count = out, fmt, 0
        if fmt == "json":
            out.write("[")
        elif fmt == "table":
            out.write(f"{'candidate':<14} {'route':<21} {'level':<13} {'outcome':<13} why\n")

    def write(self, item: Result | RecordError) -> None:
        if self.fmt == "table":
            self._table(item)
        else:
            text = (json.dumps(item.to_dict(), ensure_ascii=False, indent=2) if self.fmt == "json"
                    else item.to_json())
            if self.fmt == "json":
                self.out.write(("," if self.count else "") + "\n" + text)
            else:
                self.out.write(text + "\n")
        self.count += 1

    def write_text(self, text: str) -> None:
        """A record already rendered as JSON (JSON Lines output)."""
        self.out.write(text + "\n")
        self.count += 1

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write("\n]\n" if self.count else "]\n")
        self.out.flush()

    def _table(self, item: Result | RecordError) -> None:
        if isinstance(item, RecordError):
            first = item.problems[0] if item.problems else None
            self.out.write(f"{item.candidate or item.where:<14} {'(rejected)':<21} {'':<13} {'error':<13} "
                           f"{first.path or ''} {first.en if first else ''}\n")
            return
        if not item.decisions:
            self.out.write(f"{item.candidate:<14} {'—':<21} {'—':<13} {'—':<13} "
                           "its request is outside --route/--level\n")
        for d in item.decisions:
            failed = [r.rule for r in d.reasons if r.passed is False]
            why = ", ".join(failed) if failed else ("missing: " + ", ".join(d.missing) if d.missing else "")
            if d.allocation:
                a = d.allocation
                why = {"allocated": f"place given (rank {a['rank']} of {a['competitors']})",
                       "not_allocated": f"no place: rank {a['rank']} of {a['competitors']} for {a['places']}",
                       "allocated_elsewhere": "place given at another level"}[a["status"]]
            self.out.write(f"{item.candidate:<14} {d.route:<21} {d.level:<13} {d.outcome:<13} {why}\n")
