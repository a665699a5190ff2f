"""A date as every input of this library writes it: ``YYYY-MM-DD``.

Python's ``date.fromisoformat`` also reads ``20251009`` and week dates (``2025-W41-4``) since 3.11;
a record refuses those, so the date options, the service's parameters, policies and test cases
refuse them too (one reading of a date everywhere).
"""

from __future__ import annotations

import datetime as dt
import re

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(text: str) -> dt.date:
    """The date ``text`` writes as year-month-day (spaces around it ignored); ValueError otherwise."""
    text = text.strip()
    if not _ISO.fullmatch(text):
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD")
    return dt.date.fromisoformat(text)
