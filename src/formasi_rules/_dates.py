"""A date as every input of this library writes it: ``YYYY-MM-DD``; and as the Python API takes it.

Python's ``date.fromisoformat`` also reads ``20251009`` and week dates (``2025-W41-4``) since 3.11;
a record refuses those, so the date options, the service's parameters, policies and test cases
refuse them too (one reading of a date everywhere).
"""

from __future__ import annotations

import calendar
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


# month names as dates are written in Indonesian and English, in full and shortened (Agt, Ags and Nop
# are Indonesian shortenings too): said in a hint, never read as a date
_MONTHS = {name: number for number, names in enumerate((
    "januari jan january", "februari pebruari feb peb february", "maret mar march", "april apr",
    "mei may", "juni jun june", "juli jul july", "agustus agu agt ags aug august",
    "september sep sept", "oktober okt october oct", "november nopember nov nop", "desember des december dec",
), start=1) for name in names.split()}
_NAMED_MONTH = re.compile(r"\s*(\d{1,2})[\s./-]*([^\W\d_]+)\.?[\s./,-]*(\d{4})\s*")


def month_named(text: str) -> tuple[int, int, int] | None:
    """The year, month and day of a date written day, month's name, year (``9 Oktober 2025``,
    ``09-Okt-2025``, ``9 October 2025``), or None; the day may not exist (31 Februari)."""
    found = _NAMED_MONTH.fullmatch(text)
    month = _MONTHS.get(found.group(2).casefold()) if found else None
    return (int(found.group(3)), month, int(found.group(1))) if month else None


# how a spreadsheet or a person writes a date otherwise: day first (as set to Indonesian), with slashes
_DAY_FIRST = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*")
_YEAR_FIRST = re.compile(r"\s*(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})\s*")  # (with '-': a month or day of one digit)
_WRITTEN_RIGHT = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*")  # YYYY-MM-DD, a day that does not exist (1990-02-30)
# a date with its time, as a spreadsheet's date-time cell, a database or an API writes it:
# 2025-10-09 00:00:00, 2025-10-09T00:00:00Z, 2025-10-09T07:00:00.000+07:00
_WITH_TIME = re.compile(r"\s*(\d{4}-\d{2}-\d{2})[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?\s*",
                        re.IGNORECASE)
_NO_DASHES = re.compile(r"\s*((?:19|20)\d{2})(\d{2})(\d{2})\s*")  # 20251009, as SIMPEG may write a date


def date_alone(day: str, how: str = "") -> str:
    """The hint for a date given with its time of day: the date alone (``how``, said in English
    after it, says how to take it)."""
    return (f"give the date alone: {day} if that is the day meant{how} / "
            f"berikan tanggalnya saja: {day} bila itu tanggal yang dimaksud")


def _meant(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def date_hint(text: str) -> str | None:
    """How to write a date given day first or with slashes (09/10/2025, 1980/10/9) or with its
    month's name (9 Oktober 2025): as year-month-day, the date it would be shown for the user to
    check; None for any other text. For an error's hint only: such a date is never read. A date
    with its time (2025-10-09 00:00:00, 2025-10-09T00:00:00Z) is told to give the date alone, and
    one without its dashes (20251009) to write them."""
    if (timed := _WITH_TIME.fullmatch(text)) and _meant(*map(int, timed.group(1).split("-"))):
        return date_alone(timed.group(1))
    if _WRITTEN_RIGHT.fullmatch(text):
        return _no_such_day(*map(int, text.strip().split("-")))
    if found := _DAY_FIRST.fullmatch(text) or _YEAR_FIRST.fullmatch(text) or _NO_DASHES.fullmatch(text):
        parts = [int(p) for p in found.groups()]
        meant = _meant(*(parts[::-1] if found.re is _DAY_FIRST else parts))
        if meant is None:
            return "write it as year-month-day (YYYY-MM-DD) / tulis sebagai tahun-bulan-tanggal"
        return (f"write it as year-month-day: {meant} if that is the day meant / "
                f"tulis sebagai tahun-bulan-tanggal: {meant} bila itu tanggal yang dimaksud")
    named = month_named(text)
    if named is None:
        return None
    meant = _meant(*named)
    if meant is None:  # 31 Februari
        return "write it as year-month-day (YYYY-MM-DD) / tulis sebagai tahun-bulan-tanggal (YYYY-MM-DD)"
    return (f"write it as year-month-day (YYYY-MM-DD): {meant} / "
            f"tulis sebagai tahun-bulan-tanggal (YYYY-MM-DD): {meant}")


def _no_such_day(year: int, month: int, day: int) -> str | None:
    """Why a date written YYYY-MM-DD is no day (2019-04-31, 2019-02-29, 1990-13-01, 1990-10-00), or
    None where it is one (then the text is wrong some other way)."""
    if _meant(year, month, day) is not None:
        return None
    if month == 0 or day == 0:
        return ("a month or day 00 is how a date not known is written: leave the field empty where the date is "
                "not known / bulan atau tanggal 00 adalah cara menulis tanggal yang tidak diketahui: kosongkan "
                "field-nya bila tanggalnya tidak diketahui")
    if month > 12:
        swapped = _meant(year, day, month)
        return (f"there is no month {month}" + (f": month and day swapped? {swapped}" if swapped else "")
                + f" / tidak ada bulan {month}" + (f": bulan dan tanggal tertukar? {swapped}" if swapped else ""))
    if month == 2 and day == 29:
        return (f"{year} is no leap year: its February has 28 days / {year} bukan tahun kabisat: "
                "Februari tahun itu 28 hari")
    last = calendar.monthrange(year, month)[1]
    return (f"{year}-{month:02d} has {last} days: there is no day {day} / bulan {year}-{month:02d} hanya "
            f"{last} hari: tidak ada tanggal {day}")


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
    try:  # (a date's text, as the command line and the service take it)
        hint = f": give datetime.date.fromisoformat({iso_date(value).isoformat()!r})" if isinstance(value, str) else ""
    except ValueError:
        hint = ""
    raise InvalidArgument(f"as_of must be a datetime.date, got {value!r}{hint} / as_of harus datetime.date, bukan "
                          f"{value!r}")
