"""Numbers and dates as Indonesian documents write them: 75.000 and 0,288; 9 Oktober 2025."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")
MINUS = "−"  # U+2212, the typographic minus


def number(value, places: int = 0, *, lang: str = "id", sign: bool = False) -> str:
    """``number(75000)`` is ``75.000``; ``number(Decimal("0.288"), 3)`` is ``0,288``; English
    style with ``lang="en"``. ``sign`` writes ``+3`` for a positive value. Digits past ``places``
    are cut off, not rounded: a value just under a threshold (an EJ of 0.99998 against a band's
    1.00) is never shown as the threshold beside a result decided below it."""
    if value is None:
        return "—"
    d = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), ROUND_DOWN)
    text = f"{abs(d):,.{places}f}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    if d < 0:
        return MINUS + text
    return ("+" + text) if sign and d > 0 else text


def date(day: dt.date, *, lang: str = "id") -> str:
    if lang == "id":
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return day.strftime("%-d %B %Y")


def level_name(level: str) -> str:
    """A level id as people write it: words split at underscores and capitalised."""
    return level.replace("_", " ").title()
