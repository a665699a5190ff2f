"""Writing results: JSON (a list, streamed), JSON Lines, and a readable table.

The table (rich) is written candidate by candidate as results come: a one-line summary (what
the candidate is eligible for, else the closest decision and what it lacks), then its decisions
with the reasons in words, wrapped to the terminal's width (``COLUMNS``, or 100 when the output
is not a terminal), so long ids (18-digit NIPs) and long reasons never break the columns.

In the compact layout the run's catalogue comes first: as the first line of JSON Lines,
or as ``{"catalogue": ..., "results": [...]}`` in JSON.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
from typing import IO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..engine import RecordError, Result
from ..engine._result import dumps, written

FORMATS = ("json", "jsonl", "table")


class WriteFailed(OSError):
    """Writing the output failed (a full disk, a closed pipe): the OSError, marked as the output's."""


class ReaderGone(BrokenPipeError):
    """The output's reader went away (``| head -1``, or a pipe given to -o): the command's quiet end, not
    a failure; marked as the output's, as another broken pipe (a worker's) is a bug to report."""


def _writing(method):
    @functools.wraps(method)
    def wrapper(self, *args):
        try:
            return method(self, *args)
        except WriteFailed:
            raise
        except ReaderGone:
            raise
        except BrokenPipeError as exc:  # not a failure: the reader went away
            raise ReaderGone(exc.errno, exc.strerror) from exc
        except OSError as exc:
            raise WriteFailed(exc.errno, exc.strerror or str(exc)) from exc
    return wrapper


class Writer:
    @_writing
    def __init__(self, out: IO[str], fmt: str, layout: str = "full", catalogue: dict | None = None):
        self.out, self.fmt, self.layout, self.count = out, fmt, layout, 0
        self.size = 0  # characters of records written (about their bytes), for the size warning
        # the opening is written with the first record (or at the end): a batch that fails before
        # it has read one leaves no half-begun document on the terminal
        self._head = ""
        if layout == "compact" and fmt == "json":
            self._head = json.dumps(catalogue, ensure_ascii=False)[:-1] + ', "results": ['
        elif layout == "compact" and fmt == "jsonl":
            self._head = dumps(catalogue) + "\n"
        elif fmt == "json":
            self._head = "["
        elif fmt == "table":
            self.console = Console(file=out, width=_width(out), highlight=False, soft_wrap=False,
                                   color_system="auto" if _isatty(out) else None, emoji=False)

    @_writing
    def write(self, item: Result | RecordError | dict) -> None:
        """A result, an error record, or one already turned into a dict (as ``formasi expand`` has)."""
        self._begin()
        if self.fmt == "table":
            self._table(item)
        elif self.fmt == "json":
            data = item if isinstance(item, dict) else written(item, self.layout)
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
        self._begin()
        self.out.flush()  # what was written as text goes first
        buffer = getattr(self.out, "buffer", None)
        if buffer is not None:
            buffer.write(text)
        else:
            self.out.write(text.decode())

    def _begin(self) -> None:
        if self._head:
            self.out.write(self._head)
            self._head = ""

    @_writing
    def close(self) -> None:
        self._begin()
        if self.fmt == "json":
            end = "]}" if self.layout == "compact" else "]"
            self.out.write(f"\n{end}\n" if self.count else f"{end}\n")
        self.out.flush()

    def _table(self, item: Result | RecordError) -> None:
        console = self.console
        if isinstance(item, RecordError):
            first = item.problems[0] if item.problems else None
            console.print(f"{item.candidate or item.where} — rejected: "
                          + (f"{first.path or ''} {first.en}".strip() if first else "")
                          + (f" (and {len(item.problems) - 1} more)" if len(item.problems) > 1 else ""), markup=False)
            console.print()
            return
        if not item.decisions:
            console.print(f"{item.candidate} — its request is outside --route/--level", markup=False)
            console.print()
            return
        console.print(f"{item.candidate} — {summary(item)}", markup=False)
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
        table.add_column("route", no_wrap=True)
        table.add_column("level", no_wrap=True)
        table.add_column("outcome", no_wrap=True)
        table.add_column("why", overflow="fold")
        for d in item.decisions:  # Text: data never read as rich markup ("∈ [PNS]")
            table.add_row(Text(d.route), Text(d.level), Text(d.outcome), Text(_why(d)))
        console.print(table)
        console.print()


def summary(result: Result) -> str:
    """One line: the decisions the candidate is eligible for, else the closest and what it lacks."""
    eligible = [f"{d.route}/{d.level}" for d in result.decisions if d.outcome == "eligible"]
    if eligible:
        return "eligible for: " + ", ".join(eligible)
    closest = min(result.decisions, key=lambda d: (len(d.failed), len(d.missing)))
    lacks = []
    if closest.failed:
        lacks.append(f"fails {len(closest.failed)} condition(s): {', '.join(closest.failed)}")
    if closest.missing:
        lacks.append(f"missing {len(closest.missing)} input(s): {', '.join(closest.missing)}")
    return f"eligible for: none; closest: {closest.route}/{closest.level}, " + "; ".join(lacks)


def _why(d) -> str:
    if d.allocation:
        a = d.allocation
        return {"allocated": f"place given (rank {a['rank']} of {a['competitors']})",
                "not_allocated": f"no place: rank {a['rank']} of {a['competitors']} for {a['places']}",
                "allocated_elsewhere": "place given at another level"}[a["status"]]
    failed = [f"{r.rule}: {r.message.en}" for r in d.reasons if r.passed is False]
    if failed:
        return "\n".join(failed)
    return "missing: " + ", ".join(d.missing) if d.missing else ""


def _isatty(out) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def _width(out) -> int:
    columns = os.environ.get("COLUMNS", "")
    if columns.isascii() and columns.isdigit():
        return max(int(columns), 40)
    return shutil.get_terminal_size((100, 24)).columns if _isatty(out) else 100
