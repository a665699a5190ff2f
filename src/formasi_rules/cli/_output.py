"""Writing results: JSON (a list, streamed), JSON Lines, and a readable table.

In the compact layout the run's catalogue comes first: as the first line of JSON Lines,
or as ``{"catalogue": ..., "results": [...]}`` in JSON.
"""

from __future__ import annotations

import functools
import json
from typing import IO

from ..engine import RecordError, Result
from ..engine._result import dumps

FORMATS = ("json", "jsonl", "table")


class WriteFailed(OSError):
    """Writing the output failed (a full disk, a closed pipe): the OSError, marked as the output's."""


def _writing(method):
    @functools.wraps(method)
    def wrapper(self, *args):
        try:
            return method(self, *args)
        except WriteFailed:
            raise
        except BrokenPipeError:
            raise  # not a failure: the reader went away
        except OSError as exc:
            raise WriteFailed(exc.errno, exc.strerror or str(exc)) from exc
    return wrapper


class Writer:
    @_writing
    def __init__(self, out: IO[str], fmt: str, layout: str = "full", catalogue: dict | None = None):
        self.out, self.fmt, self.layout, self.count = out, fmt, layout, 0
        self.size = 0  # characters of records written (about their bytes), for the size warning
        if layout == "compact" and fmt == "json":
            out.write(json.dumps(catalogue, ensure_ascii=False)[:-1] + ', "results": [')
        elif layout == "compact" and fmt == "jsonl":
            out.write(dumps(catalogue) + "\n")
        elif fmt == "json":
            out.write("[")
        elif fmt == "table":
            out.write(f"{'candidate':<14} {'route':<21} {'level':<13} {'outcome':<13} why\n")

    @_writing
    def write(self, item: Result | RecordError | dict) -> None:
        """A result, an error record, or one already turned into a dict (as ``formasi expand`` has)."""
        if self.fmt == "table":
            self._table(item)
        elif self.fmt == "json":
            data = item if isinstance(item, dict) else item.to_dict(self.layout)
            text = ("," if self.count else "") + "\n" + json.dumps(data, ensure_ascii=False, indent=2)
            self.out.write(text)
            self.size += len(text)
        else:
            text = (dumps(item) if isinstance(item, dict) else item.to_json(self.layout)) + "\n"
            self.out.write(text)
            self.size += len(text)
        self.count += 1

    @_writing
    def write_block(self, text: bytes) -> None:
        """Records already rendered as JSON Lines (UTF-8, each line ending in a newline)."""
        self.out.flush()  # what was written as text goes first
        buffer = getattr(self.out, "buffer", None)
        if buffer is not None:
            buffer.write(text)
        else:
            self.out.write(text.decode())

    @_writing
    def close(self) -> None:
        if self.fmt == "json":
            end = "]}" if self.layout == "compact" else "]"
            self.out.write(f"\n{end}\n" if self.count else f"{end}\n")
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
