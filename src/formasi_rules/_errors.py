"""Exceptions raised by formasi_rules.

Every error the library raises on purpose derives from :class:`FormasiError`
and from the matching built-in, so callers may catch by category::

    FormasiError
    ├── PolicyError(ValueError)          a rule file is wrong; .problems lists every finding
    ├── InputError(ValueError)           candidate or formation data is wrong; .problems
    ├── InvalidArgument(TypeError)       the Python API was called wrongly
    ├── BackendUnavailable(ImportError)  durable_rules cannot be imported here
    ├── EngineError(RuntimeError)        the rules engine misbehaved (a bug: please report)
    └── WorkerError(RuntimeError)        a worker process of a batch died (killed, out of memory)

A :class:`Problem` is one finding: where it is (file, line and column, or a
``$.path`` into input data), which rule, what was expected (in Bahasa Indonesia
and English) and, where we can guess, how to fix it.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

__all__ = [
    "BackendUnavailable",
    "EngineError",
    "FormasiError",
    "InputError",
    "InvalidArgument",
    "PolicyError",
    "Problem",
    "WorkerError",
    "suggest",
]


@attrs.frozen
class Problem:
    """One finding in a policy file or an input record."""

    code: str
    id: str  # the message in Bahasa Indonesia
    en: str  # the same message in English
    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    path: str | None = None  # "$[3].birth_date" for input data
    rule: str | None = None
    hint: str | None = None

    @property
    def where(self) -> str:
        parts = []
        if self.file:
            loc = self.file
            if self.line:
                loc += f":{self.line}"
                if self.column:
                    loc += f":{self.column}"
            parts.append(loc)
        if self.path:
            parts.append(self.path)
        return " ".join(parts)

    def __str__(self) -> str:
        head = self.where
        if self.rule:
            head = f"{head} [rule {self.rule}]" if head else f"[rule {self.rule}]"
        text = f"{self.code}: {self.en}"
        if self.id != self.en:
            text += f" / {self.id}"
        if self.hint:
            text += f" ({self.hint})"
        return f"{head}: {text}" if head else text

    def to_dict(self) -> dict:
        return {k: v for k, v in attrs.asdict(self).items() if v is not None}


class FormasiError(Exception):
    """Base class of every error raised on purpose by formasi_rules."""


class _ProblemsError(FormasiError):
    def __init__(self, problems: Iterable[Problem], summary: str | None = None):
        self.problems = list(problems)
        lines = [str(p) for p in self.problems]
        head = summary or f"{len(self.problems)} problem(s)"
        self._summary = summary
        super().__init__("\n".join([head, *("  " + line for line in lines)]))

    def __reduce__(self):
        # rebuilt from its problems when sent between processes (a Dask worker's error reaches the
        # client so), not from its message, which would be read as a list of problems
        return type(self), (self.problems, self._summary)


class PolicyError(_ProblemsError, ValueError):
    """A policy (its YAML files) is invalid. ``.problems`` lists every finding.

    Fix the files named in each problem and load again.
    """


class InputError(_ProblemsError, ValueError):
    """Input data (candidates, formation rows) is invalid. ``.problems`` lists every finding;
    ``.record_id`` is the id of the record they are in, where it could be read."""

    def __init__(self, problems: Iterable[Problem], summary: str | None = None, record_id: str | None = None):
        super().__init__(problems, summary)
        self.record_id = record_id

    def __reduce__(self):
        return type(self), (self.problems, self._summary, self.record_id)


class InvalidArgument(FormasiError, TypeError):
    """A function of the Python API was called with an argument it cannot take."""


class BackendUnavailable(FormasiError, ImportError):
    """The durable_rules backend cannot be used on this Python.

    Install ``durable-rules`` on Python 3.11 or 3.12, or choose the reference
    backend explicitly: ``Engine(policy, backend="reference")``.
    """


class EngineError(FormasiError, RuntimeError):
    """The rules engine did something it must never do. This is a bug: please report it."""


class WorkerError(FormasiError, RuntimeError):
    """A worker process of a ``jobs`` > 1 batch ended unexpectedly (killed by a signal, or for
    memory). The batch stops; everything handed out before it is complete and in order.

    Run the rest again, with fewer jobs if memory was short.
    """


def said(value: Any) -> str:
    """A value as a message names it: text in quotes, a date as written (2024-03-01), true or false,
    a number as written; not Python's repr (``datetime.date(2024, 3, 1)``, ``Decimal('1.0')``)."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, (dt.date, Decimal)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(said(v) for v in value) + "]"
    return str(value)


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """A "did you mean ...?" hint for a misspelt key or value, or None."""
    choices = [str(c) for c in choices]
    by_form: dict[str, str] = {}
    for c in choices:  # "EDUCATION", "Education " or "birth date" for "education", "birth_date"
        by_form.setdefault(name_form(c), c)
    same = by_form.get(name_form(str(word)))
    if same is not None and same != word:
        return f"did you mean {same!r}? / maksud Anda {same!r}?"
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6) or \
        [by_form[c] for c in difflib.get_close_matches(name_form(str(word)), list(by_form), n=1, cutoff=0.6)]
    return f"did you mean {close[0]!r}? / maksud Anda {close[0]!r}?" if close else None


def name_form(text: str) -> str:
    """A name as it is meant, whatever its capitals and spacing ("Birth Date", "BIRTH-DATE" and
    " birth_date" are birth_date): how a hint finds the name meant, and a CSV header's column its field."""
    return "_".join(text.lower().replace("-", " ").split())
