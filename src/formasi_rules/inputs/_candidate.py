"""The candidate record (the input contract): its classes, and what a value of each field may be.

The hooks here (``_date``, ``_decimal``, a vocabulary's ``_coded_hook`` ...) say what a value of a
field may be and raise BadValue with the words a user reads (``expected a date like 1985-04-30,
got "30/04/85"``); :mod:`._convert` (cattrs, every problem with its path) and :mod:`._decode`
(msgspec, one pass) structure records with them, and :mod:`._structure` chooses between the two.
"""

from __future__ import annotations

import datetime as dt
import typing
import json
import math
import re
import unicodedata
from decimal import Decimal
from collections.abc import Callable, Collection, Mapping
from typing import Any

import attrs

from .._dates import date_alone, date_hint, iso_date
from .._errors import Problem, suggest
from ..policy._vocabulary import fold
from ..policy._yaml import GROUPED


class _Coded(str):
    """A coded value of the record; which values exist is the policy's vocabulary ``VOCAB``."""

    VOCAB = ""
    WHAT = ""


def _coded(name: str, vocab: str, what: str) -> type[_Coded]:
    return type(name, (_Coded,), {"VOCAB": vocab, "WHAT": what})


EmploymentStatus = _coded("EmploymentStatus", "employment_status", "employment status")
Education = _coded("Education", "education", "education")
Rank = _coded("Rank", "rank", "rank")
PositionType = _coded("PositionType", "position_type", "position type")
Level = _coded("Level", "level", "level")
Rating = _coded("Rating", "rating", "rating")
TestStatus = _coded("TestStatus", "test_status", "competency test status")
Route = _coded("Route", "route", "route")
CODED = (EmploymentStatus, Education, Rank, PositionType, Level, Rating, TestStatus, Route)


@attrs.frozen
class Position:
    """A position held (jabatan): the current one (``position``) or an entry of ``positions``."""

    type: PositionType | None = None
    name: str | None = None
    level: Level | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    top_rank: bool | None = None  # the person held the highest rank of this position (pangkat puncak)


@attrs.frozen
class RankHeld:
    """An entry of ``ranks`` (riwayat golongan): a rank and the date it was held from (TMT)."""

    rank: Rank
    since: dt.date


@attrs.frozen
class PerformanceRating:
    """The predikat kinerja of one year."""

    year: int
    rating: Rating


@attrs.frozen
class CompetencyTest:
    status: TestStatus | None = None
    level: Level | None = None
    date: dt.date | None = None


@attrs.frozen
class Request:
    route: Route | None = None
    level: Level | None = None


@attrs.frozen
class Candidate:
    """A candidate officer: the record ``formasi evaluate`` reads (see docs/input-format.md).

    ``position`` is the position held now, ``positions`` the history of positions (riwayat
    jabatan), ``rank``/``rank_since`` the rank held now and ``ranks`` the history of ranks;
    either form, or both, may be given. ``extra`` holds the fields the policy adds to the
    record (``fields:`` with an ``input:`` of its own).
    """

    id: str
    name: str | None = None
    employment_status: EmploymentStatus | None = None
    birth_date: dt.date | None = None
    education: Education | None = None
    rank: Rank | None = None
    rank_since: dt.date | None = None
    position: Position | None = None
    positions: tuple[Position, ...] | None = None
    ranks: tuple[RankHeld, ...] | None = None
    region: str | None = None
    agency: str | None = None
    performance: tuple[PerformanceRating, ...] | None = None
    competency_test: CompetencyTest | None = None
    credit_points: Decimal | None = None
    experience_years: Decimal | None = None
    request: Request | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)


# the record's own number fields (Decimal), as Candidate declares them
NUMBER_FIELDS = tuple(name for name, hint in typing.get_type_hints(Candidate).items() if hint == Decimal | None)


class BadValue(ValueError):
    """A value that does not fit its field; ``str()`` is the user-facing text, ``hint`` a suggestion."""

    def __init__(self, en: str, id_: str, hint: str | None = None):
        super().__init__(en)
        self.id = id_
        self.hint = hint


def shown(value: Any) -> str:
    """A value as a message shows it: as JSON writes it; a value of a type JSON has no likeness of
    (a numpy.float32 from a data frame) with its type, so that ``3`` is not taken for the text "3"."""
    if not isinstance(value, _LIKE_JSON):
        kind = type(value)
        return f"{value!s} ({kind.__module__}.{kind.__qualname__})"
    if isinstance(value, Decimal):
        return str(value)  # a number, not the text json.dumps(default=str) would make it ("-1")
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


_LIKE_JSON = (str, int, float, bool, type(None), list, tuple, Mapping, dt.date, Decimal)


def plain_number(value: Any) -> Any:
    """A numpy number (a data frame's cell) as the Python number it is: ``np.int64(3)`` is 3, a
    ``np.float64`` a float (then read as any float), a ``np.bool_`` true or false. Other numpy
    values are left as they are, for the hooks to refuse with their type named: a float32 does
    not hold the decimals written (0.1 is 0.10000000149011612). numpy is not imported: the value
    says what it is."""
    kind = _numpy_kind(value)
    if kind not in ("b", "i", "u", "f") or getattr(value, "shape", None) != ():
        return value  # (an array is left whole, for its field to refuse)
    if kind == "f" and value.dtype.itemsize != 8:
        return value
    return value.item()


def _numpy_kind(value: Any) -> str | None:
    """A numpy value's dtype kind ("i", "f", "b" ...), None for any other value (numpy not imported)."""
    return getattr(getattr(value, "dtype", None), "kind", None) if type(value).__module__ == "numpy" else None


def _date(value: Any, _type: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return _midnight(value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return iso_date(value)
        except ValueError:
            pass
    raise BadValue(f"expected a date like 1985-04-30, got {shown(value)}",
                   f"harus tanggal seperti 1985-04-30, bukan {shown(value)}", _date_hint(value))


def _midnight(value: dt.datetime) -> dt.date:
    """The date of a datetime at midnight (a spreadsheet's date cell, a pandas Timestamp of a date
    column); a time of day is refused, as ``as_of`` refuses a datetime: its day depends on the time
    zone meant, and keeping its date would state a day the data may not mean. pandas' missing date
    (NaT) is a datetime to Python too."""
    if value != value:  # NaT: not equal to itself, as NaN
        raise BadValue("expected a date like 1985-04-30, got NaT (pandas' missing date)",
                       "harus tanggal seperti 1985-04-30, bukan NaT (tanggal kosong pandas)",
                       "give None (or leave the field out) where the date is not known: "
                       "frame.astype(object).where(frame.notna(), None) / beri None (atau hapus field-nya) bila "
                       "tanggal tidak diketahui: frame.astype(object).where(frame.notna(), None)")
    if value.time() == dt.time() and not getattr(value, "nanosecond", 0):
        return dt.date(value.year, value.month, value.day)
    day = f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    raise BadValue(f"expected a date like 1985-04-30, got a date and time {value.isoformat()}",
                   f"harus tanggal seperti 1985-04-30, bukan tanggal dan waktu {value.isoformat()}",
                   date_alone(day, " (value.date() in the time zone meant)"))


# how a spreadsheet may write what a record gives otherwise: a decimal comma (said in the hint, never read)
_DECIMAL_COMMA = re.compile(r"\s*\d+,\d+\s*")
_SHEET_EPOCH = dt.date(1899, 12, 30)  # day 0 of a spreadsheet's date numbers (Excel, LibreOffice)


def _date_hint(value: Any) -> str | None:
    """How to write a date given as a spreadsheet shows it (as text: see ``_dates.date_hint``; as
    the sheet's day number; as a data frame's blank cell): the year-month-day it would be, for the
    user to check. The value itself is never read as that date."""
    if isinstance(value, str) and (written := date_hint(value)):  # 09/10/2025, 9 Oktober 2025
        return written
    if isinstance(value, float) and value != value:  # pandas' blank cell in a column of dates or numbers
        return ("a blank cell from a data frame is NaN: give None (or leave the field out) where the date is not "
                "known: frame.astype(object).where(frame.notna(), None) / beri None bila tanggal tidak diketahui")
    digits = value.strip() if isinstance(value, str) else ""
    number = int(digits) if digits.isascii() and digits.isdigit() and len(value) < 9 else value
    if type(number) is int and 3653 <= number <= 73050:  # a spreadsheet's day number, 1910 to 2099
        meant = (_SHEET_EPOCH + dt.timedelta(days=number)).isoformat()
        return (f"a spreadsheet's day number? it would be {meant}: format the column as text "
                f"YYYY-MM-DD / nomor hari dari lembar kerja? itu {meant}: format kolom sebagai teks YYYY-MM-DD")
    return None


def decimal_comma_hints(raw: Mapping, numbers: Collection[str], path: str) -> dict[str, str]:
    """The hint for each key of ``raw`` (by its path) that a decimal comma made of a number: in a YAML
    flow mapping ``{experience_years: 2,5}`` is ``experience_years: 2`` and a key ``5`` with no value
    (its digits are text where a test case's keys were made text); ``numbers`` are the number fields."""
    hints: dict[str, str] = {}
    previous: tuple[Any, Any] = (None, None)
    for key, value in raw.items():
        field, whole = previous
        digits = str(key) if type(key) is int or isinstance(key, str) else ""
        if field in numbers and type(whole) is int and value is None and digits.isascii() and digits.isdigit():
            meant = f"{whole}.{digits}"
            hints[f"{path}.{key}"] = (
                f"a decimal comma? {field}: {whole},{digits} in {{...}} is read as {field} {whole} and a field "
                f"{digits}: write {meant}, with a point / koma desimal? {field}: {whole},{digits} dibaca sebagai "
                f"{whole} dan field {digits}: tulis {meant}, dengan titik")
        previous = (key, value)
    return hints


_THOUSANDS_COMMA = re.compile(r"[1-9][0-9]{0,2},[0-9]{3}")  # as a thousands separator writes one thousand


def thousands_hint(text: str, whole: bool = False) -> str | None:
    """For a number written like ``1,250`` (a thousand and more, or 1.25?), both readings; for one
    written like ``1.250.000`` (dots as Indonesian spreadsheets group thousands: no decimal reading)
    the one; else None. The decimal reading is written without its trailing zeros (1.25, 2.4): "2.400"
    is what the workload reader refuses as thousands written with dots, and a field keeps few
    decimals. (A record's ``9.375`` is a number with three decimals, as a PAK states credit points:
    only a count, a workload's volume, refuses it as thousands.) ``whole``: for a whole number, which
    has no decimal reading: ``1.250`` and ``1,250`` are one thousand two hundred and fifty."""
    given = text.strip().lstrip("+")
    comma, dots = _THOUSANDS_COMMA.fullmatch(given), given.isascii() and GROUPED.fullmatch(given)
    number = given.replace(",", "").replace(".", "")
    if comma and not whole:
        point = f"{Decimal(given.replace(',', '.')).normalize():f}"
        return (f"write {number} if a thousands separator is meant, {point} if decimals / tulis {number} bila itu "
                f"pemisah ribuan, {point} bila desimal")
    if comma or (dots and (whole or given.count(".") > 1)):  # (one dot is a decimal point, but in a whole number)
        return f"write {number} if a thousands separator is meant / tulis {number} bila itu pemisah ribuan"
    return None


def _decimal(value: Any, _type: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        hint = thousands_hint(value) if isinstance(value, str) else None
        if hint is None and isinstance(value, str) and _DECIMAL_COMMA.fullmatch(value):
            point = value.strip().replace(",", ".")
            hint = f"write the decimals after a point: {point} / tulis desimal dengan titik: {point}"
        if _numpy_kind(value) == "f":
            hint = (f"a {type(value).__name__} does not hold the decimals written: give the column as float64 "
                    "(astype(float)) or as text / ubah kolom menjadi float64 atau teks")
        raise BadValue(f"expected a number, got {shown(value)}", f"harus angka, bukan {shown(value)}", hint)
    if isinstance(value, float) and not math.isfinite(value) or isinstance(value, Decimal) and value.is_nan():
        raise BadValue(f"expected a finite number, got {value}", f"harus angka terhingga, bukan {value}")
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if number < 0:
        raise BadValue(f"expected a number of zero or more, got {shown(value)}",
                       f"harus angka nol atau lebih, bukan {shown(value)}")
    return number


def _int(value: Any, _type: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadValue(f"expected a whole number, got {shown(value)}",
                       f"harus bilangan bulat, bukan {shown(value)}",
                       thousands_hint(value, whole=True) if isinstance(value, str) else None)
    return value


def _str(value: Any, _type: Any) -> str:
    if not isinstance(value, str):
        raise BadValue(f"expected text, got {shown(value)}", f"harus teks, bukan {shown(value)}")
    return value


def _coded_hook(vocabularies: Mapping[str, Any]):
    def hook(value: Any, type_: type[_Coded]) -> _Coded:
        vocab = vocabularies.get(type_.VOCAB)
        if vocab is None:  # no vocabulary to check against (a record read without a policy)
            return _str(value, str)
        found = vocab.read(value)
        if found is not None:
            return found  # the vocabulary's own spelling, a plain str
        listed = ", ".join(vocab.values)
        hint = suggest(value, vocab.spellings()) if isinstance(value, str) else None
        parts = vocab.joined(value) if isinstance(value, str) else {}
        if len(set(parts.values())) > 1 and None not in parts.values():  # a name and the code of another
            said = ", ".join(f"{p!r} is {v}" for p, v in parts.items())
            hint = (f"{said}: give the one meant / {', '.join(f'{p!r} = {v}' for p, v in parts.items())}: "
                    "tulis yang dimaksud")
        raise BadValue(
            f"{type_.WHAT} must be one of {listed}; got {shown(value)}",
            f"{type_.WHAT} tidak dikenal {shown(value)}; pilihan: {listed}", hint)
    return hook


def _bool(value: Any, _type: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().casefold() in _WORDS:  # a CSV cell
        return _WORDS[value.strip().casefold()]
    raise BadValue(f"expected true or false, got {shown(value)}", f"harus true atau false, bukan {shown(value)}")


_WORDS = {"true": True, "false": False, "ya": True, "tidak": False, "yes": True, "no": False}



class UnreadCell(str):
    """A flat row's rating history cell that cannot be read (``bad``: the part that cannot), kept in
    the record as its text so that structuring it says so (I014, :meth:`problem`) beside the record's
    other problems, rather than the reader refusing the row for it alone."""

    __slots__ = ("bad",)

    def __new__(cls, text: str, bad: str) -> UnreadCell:
        self = super().__new__(cls, text)
        self.bad = bad
        return self

    def __reduce__(self):  # (records go to worker processes pickled)
        return UnreadCell, (str(self), self.bad)

    def problem(self, path: str) -> Problem:
        return Problem("I014", f"predikat kinerja tidak terbaca: {self.bad!r}",
                       f"cannot read the rating history cell part {self.bad!r}; write it as YEAR:RATING;YEAR:RATING, "
                       "one rating a year", path=path)


class Names:
    """Names a policy gives (its routes, for ``request.route``; its levels, for a places file's rows),
    read like a vocabulary: in any capitals and spacing, as every coded value of a record is."""

    def __init__(self, values: tuple[str, ...]):
        self.values = values
        self.exact = {v: v for v in values}  # as Vocabulary.exact: routes have no other spellings
        self._folded = {fold(v): v for v in values}

    def read(self, raw: Any) -> str | None:
        if not isinstance(raw, str):
            return None
        return self.exact.get(raw) or self._folded.get(fold(raw))

    def spellings(self) -> tuple[str, ...]:
        return self.values

    def joined(self, raw: Any) -> dict[str, str | None]:
        return {}  # (as Vocabulary.joined: a name is read whole)


RECORD_KEYS = frozenset(a.name for a in attrs.fields(Candidate)) - {"extra"}


def _parts(cls: type) -> dict[str, type]:
    """The fields of ``cls`` that hold one object (not a list of them), and its class."""
    return {name: part for name, hint in typing.get_type_hints(cls).items()
            for part in typing.get_args(hint) if isinstance(part, type) and attrs.has(part)}


# the names a flat record's columns may have (a CSV header's): the record's own fields, and those of a
# part it holds one of as part.field (position.level); a policy adds its own (see record_columns)
RECORD_COLUMNS = RECORD_KEYS | frozenset(f"{name}.{a.name}" for name, part in _parts(Candidate).items()
                                         for a in attrs.fields(part))


# a plain number as a CSV cell (or a sheet's text cell) writes one: digits, at most one point
_CELL_NUMBER = re.compile(r"\s*([+-]?[0-9]{1,30})(\.[0-9]{1,30})?\s*", re.ASCII)


def extra_value(field: Any, value: Any, vocabularies: Mapping[str, Any]) -> Any:
    hooks = {"boolean": _bool, "date": _date, "text": _str, "integer": _int, "number": _decimal}
    if field.type in ("integer", "number") and isinstance(value, str) and (found := _CELL_NUMBER.fullmatch(value)):
        # a CSV cell is text: "40" is 40, as the record's own numbers are read from CSV ("4.0" stays
        # refused for a whole number; "1,250" is refused with both readings, "1.250.000" with the one)
        whole, fraction = found.groups()
        if fraction is None:
            value = int(whole)
        elif field.type == "number":  # (trailing zeros are no decimals kept; an integer's cell with a
            value = Decimal(whole + fraction.rstrip("0"))  # fraction stays text, for _int to word it)
    elif field.type == "number" and type(value) is float and value.is_integer():
        value = int(value)  # 40.0 from JSON, YAML or a data frame: no decimals, for a field that keeps none
    if field.type in hooks:
        return hooks[field.type](value, None)
    kind = _coded(field.type, field.type, field.type.replace("_", " "))
    return _coded_hook(vocabularies)(value, kind)


FIRST_YEAR, LAST_YEAR = 1900, 9999  # a rating's year: a calendar year (as a CSV cell's four digits)
# a date on or before it is how spreadsheets and personnel systems write a date not known
EMPTY_DATE = dt.date(FIRST_YEAR, 1, 1)
_AFTER_EMPTY = EMPTY_DATE + dt.timedelta(days=1)
# dates and ids that look wrong, a post's name naming another level than it gives (record_problems): a
# candidate's record is refused for them; an officer in post is counted all the same, with a warning
SUSPECT = frozenset(("I024", "I025", "I026", "I033"))


def record_problems(c: Candidate, decimals: Mapping[str, int], path: str, *, read: bool = False,
                    named_level: Callable[[str | None, str | None], str | None] | None = None) -> list[Problem]:
    """What cattrs cannot see: decimals beyond what the policy keeps, a year rated twice,
    history entries on the same date; with ``named_level`` (a post's name and type -> the level the
    name ends with: ``Policy.level_in_post_name``), a post whose name names another level than it
    gives. ``read``: the numbers' decimals and the rating years were checked as the record was read
    (the one-pass lane, which declines a record failing them), so they are not looked at again."""
    problems = []
    if named_level is not None:
        post = c.position
        if post is not None and post.level is not None and post.name is not None:
            _level_named(post, "position", named_level, path, problems)
        for i, post in enumerate(c.positions or ()):
            if post.level is not None and post.name is not None:
                _level_named(post, f"positions[{i}]", named_level, path, problems)
    ident = c.id
    if ident[:1] == "'" or (("e" in ident or "E" in ident) and _SCIENTIFIC.fullmatch(ident)):
        problems.append(_spreadsheet_id(ident, path))
    elif not ident.isprintable() and _CONTROL.search(ident):
        problems.append(Problem(
            "I005", "id memuat baris baru atau karakter kendali", f"the id {ident!r} holds a line break or a "
            "control character, which no id has (a cell copied with its line break, or a corrupted export?)",
            path=f"{path}.id", hint="write the id alone on one line / tulis id saja dalam satu baris"))
    if not read:
        problems += _number_problems(c, decimals, path) + _year_problems(c, path)
    elif c.extra:  # (the lane checks the record's own numbers as it reads them, not those a policy adds)
        problems += _number_problems(c, decimals, path, added=True)
    if c.position is not None and c.position.until is not None:
        problems += _ends_before(c.position, f"{path}.position")
    if _dates_look_wrong(c):
        problems += _impossible_dates(_dates(c), c.birth_date, path)
    if c.positions is None and c.ranks is None:
        return problems
    for name, history, now in (("positions", c.positions, c.position), ("ranks", c.ranks, c.rank)):
        if history == () and now is not None:  # an empty history says "none ever": not so of one held now
            problems.append(Problem(
                "I009", f"{name} kosong padahal rekaman menyebut yang dipegang sekarang",
                f"{name} is empty, yet the record gives the {'position' if name == 'positions' else 'rank'} held "
                f"now: a history holds the current entry too, and an empty one says there never was one",
                path=f"{path}.{name}", hint=f"leave {name} out where the history is not known, or give its entries / "
                f"hapus {name} bila riwayatnya tidak diketahui, atau isi entri-entrinya"))
    for i, entry in enumerate(c.positions or ()):
        if entry.until is not None:
            problems += _ends_before(entry, f"{path}.positions[{i}]")
    for name, entries in (("positions", c.positions), ("ranks", c.ranks)):
        starts = [e.since for e in entries or ()]
        if name == "positions" and any(s is None for s in starts):
            problems.append(Problem("I009", "setiap riwayat jabatan perlu 'since'",
                                    "every entry of positions needs its start date 'since'", path=f"{path}.{name}"))
            continue
        if len(set(starts)) != len(starts):
            problems.append(Problem("I009", f"dua entri {name} mulai pada tanggal yang sama",
                                    f"two entries of {name} start on the same date", path=f"{path}.{name}"))
    return problems


def _number_problems(c: Candidate, decimals: Mapping[str, int], path: str, added: bool = False) -> list[Problem]:
    """I008: a number of the record (``added``: of the fields the policy adds, alone) with more
    decimals than the policy keeps for it, or too large."""
    problems = []
    for key, keep in decimals.items():
        if key in c.extra:
            value = c.extra[key]
        elif added or "." in key:
            continue
        else:
            value = getattr(c, key, None)
        if value is not None and isinstance(value, Decimal):
            if -_exponent(value) > keep:
                problems.append(Problem(
                    "I008", f"{key} {value} lebih dari {keep} desimal", f"{key} {value} has more than the "
                    f"{keep} decimal(s) the policy keeps for it", path=f"{path}.{key}",
                    hint=f"round it to {keep} decimal(s) as the PAK states it, or ask policy staff to allow more / "
                         f"bulatkan menjadi {keep} desimal seperti tertulis di PAK, atau minta staf kebijakan "
                         "mengizinkan lebih banyak desimal"))
            elif not value.is_finite() or (value != 0 and value.adjusted() >= too_large(keep)):
                # |value| >= 10**too_large(keep), told from its exponent: abs() of 1E+1000000 overflows the context
                problems.append(Problem("I008", f"{key} {value} terlalu besar", f"{key} {value} is too large",
                                        path=f"{path}.{key}"))
    return problems


def too_large(keep: int) -> int:
    """The least power of ten a number kept with ``keep`` decimals may not reach: the engine holds
    it scaled to a whole number of 18 digits at most."""
    return 18 - keep


def _year_problems(c: Candidate, path: str) -> list[Problem]:
    """I005: a rating's year that is no calendar year; I007: a year rated twice."""
    years = [p.year for p in c.performance] if c.performance else ()
    if years_apart(years):
        return []
    problems = []
    if min(years) < FIRST_YEAR or max(years) > LAST_YEAR:
        problems += [Problem("I005", f"nilai salah: harus tahun seperti 2024, bukan {y}",
                             f"expected a year like 2024, got {y}", path=f"{path}.performance[{i}].year")
                     for i, y in enumerate(years) if not FIRST_YEAR <= y <= LAST_YEAR]
    if len(set(years)) != len(years):
        once: set[int] = set()
        twice = sorted({y for y in years if y in once or once.add(y)})
        problems.append(Problem("I007", f"predikat kinerja tahun {twice} diberikan lebih dari sekali",
                                f"the performance rating of year(s) {twice} is given more than once",
                                path=f"{path}.performance",
                                hint="give one rating per year / berikan satu predikat untuk setiap tahun"))
    return problems


def years_apart(years: Collection[int]) -> bool:
    """Every rating's year a calendar year, none given twice (what :func:`_year_problems` asks)."""
    return not years or (min(years) >= FIRST_YEAR and max(years) <= LAST_YEAR and len(set(years)) == len(years))


def _exponent(value: Decimal) -> int:
    """The exponent of a Decimal (``as_tuple().exponent``, 0 for one not finite), read from its
    text where that is plain digits (six times quicker than building the tuple)."""
    text = str(value)
    if text.isdigit():  # a whole number, the common case
        return 0
    if "E" not in text and "e" not in text and "N" not in text and "n" not in text and "I" not in text:
        point = text.find(".")
        return 0 if point < 0 else point + 1 - len(text)
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


# a number written in groups of digits, as a NIP is printed: 19900101 201503 1 001
_DIGIT_GROUPS = re.compile(r"[0-9]+(?: +[0-9]+)+", re.ASCII)


def id_text(ident: str) -> str:
    """An id as it names a person: without the spaces around it ("A1 " is A1, as a CSV cell is
    read), and a number written in groups of digits (a NIP as printed, ``19900101 201503 1 001``)
    without the spaces between them, so that it is the one person ``199001012015031001`` names:
    two records of one person, written two ways, were two candidates (two places allocated). A
    text beyond ASCII is read in its compatibility form (NFKC) first: full-width digits
    (``１９９０``, as an East Asian input method types them) and a non-breaking or ideographic
    space are the digits and the space they show."""
    if not ident.isascii():
        ident = unicodedata.normalize("NFKC", ident)
    ident = ident.strip()
    return ident.replace(" ", "") if " " in ident and _DIGIT_GROUPS.fullmatch(ident) else ident


# what no id holds: C0 and C1 control characters (a line break, a tab, an escape), line and paragraph separators
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

# a number as a spreadsheet shortens it: 1.98501E+17 (not a code such as 2019E001)
_SCIENTIFIC = re.compile(r"[0-9]\.[0-9]+[eE]\+?[0-9]+|[0-9]+[eE]\+[0-9]+")


def _level_named(post: Any, where: str, named_level: Callable[[str | None, str | None], str | None], path: str,
                 problems: list[Problem]) -> None:
    """I033 into ``problems`` where a post's name ends with one level's title (the position's name, then
    the title, as the national system writes it) and the post gives another level: the record was read
    at the level given, without a word."""
    named = named_level(post.name, post.type)
    if named is not None and named != post.level:
        problems.append(Problem(
            "I033", f"{where}.name {post.name!r} menyebut jenjang {named}, tetapi {where}.level {post.level}",
            f"{where}.name {post.name!r} names the level {named}, but {where}.level is {post.level}: which is it?",
            path=f"{path}.{where}.level",
            hint="correct the one that is wrong, the level in the name or the level given / perbaiki yang salah: "
                 "jenjang pada nama jabatan atau jenjang yang diisi"))


def _spreadsheet_id(ident: str, path: str) -> Problem:
    """I026: an id a spreadsheet changed: a long number (an 18-digit NIP) shortened to scientific
    notation, its digits lost; or the apostrophe that tells a spreadsheet to keep digits as text."""
    if ident[:1] == "'":
        return Problem("I026", f"id {ident} diawali tanda petik dari spreadsheet", f"the id {ident} begins with the "
                       "apostrophe a spreadsheet uses to keep digits as text", path=f"{path}.id",
                       hint=f"write it without the apostrophe: {ident[1:]} / tulis tanpa tanda petik: {ident[1:]}")
    return Problem("I026", f"id {ident} adalah angka yang dipendekkan spreadsheet; digit NIP hilang",
                   f"the id {ident} is a number a spreadsheet shortened to scientific notation: the NIP's digits "
                   "are lost", path=f"{path}.id",
                   hint="format the id column as text in the spreadsheet and export it again / format kolom id "
                        "sebagai teks di spreadsheet, lalu ekspor ulang")


def _dates(c: Candidate) -> list[tuple[str, dt.date]]:
    """Every date of the record, with its place after ``$``."""
    dated = [(name, d) for name, d in (("birth_date", c.birth_date), ("rank_since", c.rank_since)) if d is not None]
    for where, post in (("position", c.position), *((f"positions[{i}]", p) for i, p in enumerate(c.positions or ()))):
        if post is not None:
            dated += [(f"{where}.{name}", d) for name, d in (("since", post.since), ("until", post.until)) if d is not None]
    dated += [(f"ranks[{i}].since", r.since) for i, r in enumerate(c.ranks or ())]
    if c.competency_test is not None and c.competency_test.date is not None:
        dated.append(("competency_test.date", c.competency_test.date))
    return dated


def _dates_look_wrong(c: Candidate) -> bool:
    """Whether :func:`_impossible_dates` finds anything: a date before the floor, the birth date where
    it is later than the spreadsheets' empty date (else the day after that), or the birth date itself
    on or before that date. Each date compared once, written out (a list of them and ``min`` cost
    three times as much, for every record)."""
    born, post, test, since = c.birth_date, c.position, c.competency_test, c.rank_since
    floor = born if born is not None and born > EMPTY_DATE else _AFTER_EMPTY
    return ((born is not None and born < floor) or (since is not None and since < floor)
            or (post is not None and ((post.since is not None and post.since < floor)
                                      or (post.until is not None and post.until < floor)))
            or (test is not None and test.date is not None and test.date < floor)
            or (c.positions is not None and any(p.since is not None and p.since < floor for p in c.positions))
            or (c.ranks is not None and any(r.since is not None and r.since < floor for r in c.ranks)))


def _impossible_dates(dated: list[tuple[str, dt.date]], born: dt.date | None, path: str) -> list[Problem]:
    """A date written as a spreadsheet writes one not known (1900-01-01 or before: I024), and one
    before the candidate was born (I025): each would be read as a fact (an age of 125 years, years
    in rank from before birth) and decide without a word."""
    problems = []
    for name, when in dated:
        if when <= EMPTY_DATE:
            problems.append(Problem(
                "I024", f"{name} {when} adalah tanggal kosong dari spreadsheet atau SIMPEG, bukan tanggal sebenarnya",
                f"{name} {when} is how a spreadsheet or personnel system writes a date not known, not a real date",
                path=f"{path}.{name}", hint="leave the field empty (or out) where the date is not known / kosongkan "
                "field itu (atau hapus) bila tanggalnya tidak diketahui"))
        elif born is not None and when < born and name != "birth_date":
            problems.append(Problem(
                "I025", f"{name} {when} sebelum tanggal lahir {born}", f"{name} {when} is before the birth date {born}",
                path=f"{path}.{name}", hint="one of the two dates is wrong: check both against the personnel file / "
                "salah satu dari kedua tanggal itu keliru: periksa keduanya dengan berkas kepegawaian"))
    return problems


def _ends_before(post: Position, path: str) -> list[Problem]:
    if post.since is None or post.until >= post.since:
        return []
    return [Problem("I009", f"jabatan berakhir ({post.until}) sebelum mulai ({post.since})",
                    f"the post ends ({post.until}) before it begins ({post.since})", path=f"{path}.until",
                    hint="until is the post's last day, on or after since / until adalah hari terakhir jabatan, "
                         "pada atau sesudah since")]


def drop_nulls(value: Any) -> Any:
    """JSON null and an empty CSV cell both mean "not given". Any mapping from Python becomes a
    dict and a tuple a list, as JSON would give them."""
    if isinstance(value, Mapping):
        return {k: drop_nulls(v) if isinstance(v, _NESTED) else v
                for k, v in value.items() if v is not None and not (isinstance(v, str) and v == "")}
    if isinstance(value, (list, tuple)):
        return [drop_nulls(v) if isinstance(v, _NESTED) else v for v in value]
    return value


_NESTED = (Mapping, list, tuple)
