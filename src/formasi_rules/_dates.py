"""A date as every input of this library writes it: ``YYYY-MM-DD``; and as the Python API takes it.

Python's ``date.fromisoformat`` also reads ``20251009`` and week dates (``2025-W41-4``) since 3.11;
a record refuses those, so the date options, the service's parameters, policies and test cases
refuse them too (one reading of a date everywhere).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ._errors import InvalidArgument

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(text: str) -> dt.date:
    """The date ``text`` writes as year-month-day (spaces around it ignored); ValueError otherwise."""
    text = text.strip()
    if not _ISO.fullmatch(text):
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD")
    return dt.date.fromisoformat(text)


def as_date(value: Any) -> dt.date:
    """``as_of`` as a date, or InvalidArgument. A datetime (a date too, to Python) is refused, as the
    command line and the service refuse a time: its day depends on the time zone meant, and keeping
    its date would decide on a day the caller may not have meant."""
    if isinstance(value, dt.datetime):
        raise InvalidArgument(
            f"as_of must be a date, not a date and time ({value.isoformat()}); give a date: "
            "as_of=value.date() (in the time zone meant) / as_of harus tanggal, bukan tanggal dan waktu")
    if isinstance(value, dt.date):
        return value
    raise InvalidArgument(f"as_of must be a datetime.date, got {value!r}")
