"""The candidate record (the input contract) and its strict, path-reporting validation.

Records are structured with cattrs; a bad value raises an error whose text is the
one a user reads (``expected a date like 1985-04-30, got "30/04/85"``), and
:func:`structure_candidate` turns cattrs' error tree into Problems tagged with
``$[3].birth_date``-style paths. Every problem in a record is reported at once.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from decimal import Decimal
from typing import Any

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn

from .. import _vocab
from .._errors import InputError, Problem, suggest


class _Enum(str):
    VALUES: tuple[str, ...] = ()
    WHAT = ""


def _enum(name: str, values: tuple[str, ...], what: str) -> type[_Enum]:
    return type(name, (_Enum,), {"VALUES": values, "WHAT": what})


EmploymentStatus = _enum("EmploymentStatus", _vocab.EMPLOYMENT_STATUS, "employment status")
Education = _enum("Education", _vocab.EDUCATION, "education")
Rank = _enum("Rank", _vocab.RANK, "rank")
PositionType = _enum("PositionType", _vocab.POSITION_TYPE, "position type")
Level = _enum("Level", _vocab.LEVELS, "level")
Rating = _enum("Rating", _vocab.RATING, "rating")
TestStatus = _enum("TestStatus", _vocab.TEST_STATUS, "competency test status")
Route = _enum("Route", _vocab.ROUTES, "route")


@attrs.frozen
class Position:
    type: PositionType | None = None
    name: str | None = None
    level: Level | None = None
    since: dt.date | None = None


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
    """A candidate officer: the record ``formasi evaluate`` reads (see docs/input-format.md)."""

    id: str
    name: str | None = None
    employment_status: EmploymentStatus | None = None
    birth_date: dt.date | None = None
    education: Education | None = None
    rank: Rank | None = None
    rank_since: dt.date | None = None
    position: Position | None = None
    region: str | None = None
    agency: str | None = None
    performance: tuple[PerformanceRating, ...] | None = None
    competency_test: CompetencyTest | None = None
    credit_points: Decimal | None = None
    experience_years: Decimal | None = None
    request: Request | None = None


class BadValue(ValueError):
    """A value that does not fit its field; ``str()`` is the user-facing text, ``hint`` a suggestion."""

    def __init__(self, en: str, id_: str, hint: str | None = None):
        super().__init__(en)
        self.id = id_
        self.hint = hint


def _show(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date(value: Any, _type: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise BadValue(f"expected a date like 1985-04-30, got {_show(value)}",
                   f"harus tanggal seperti 1985-04-30, bukan {_show(value)}")


def _decimal(value: Any, _type: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise BadValue(f"expected a number, got {_show(value)}", f"harus angka, bukan {_show(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise BadValue(f"expected a finite number, got {value}", f"harus angka terhingga, bukan {value}")
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if number < 0:
        raise BadValue(f"expected a number of zero or more, got {_show(value)}",
                       f"harus angka nol atau lebih, bukan {_show(value)}")
    return number


def _int(value: Any, _type: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadValue(f"expected a whole number, got {_show(value)}",
                       f"harus bilangan bulat, bukan {_show(value)}")
    return value


def _str(value: Any, _type: Any) -> str:
    if not isinstance(value, str):
        raise BadValue(f"expected text, got {_show(value)}", f"harus teks, bukan {_show(value)}")
    return value


def _enum_hook(value: Any, type_: type[_Enum]) -> _Enum:
    if isinstance(value, str) and value in type_.VALUES:
        return type_(value)
    raise BadValue(
        f"{type_.WHAT} must be one of {', '.join(type_.VALUES)}; got {_show(value)}",
        f"{type_.WHAT} tidak dikenal {_show(value)}; pilihan: {', '.join(type_.VALUES)}",
        suggest(value, type_.VALUES) if isinstance(value, str) else None)


def _object_hook(structure, cls):
    fields = ", ".join(a.name for a in attrs.fields(cls))

    def hook(value: Any, type_: Any):
        if not isinstance(value, dict):
            raise BadValue(f"expected an object with the fields {fields}; got {_show(value)}",
                           f"harus objek dengan field {fields}; bukan {_show(value)}")
        return structure(value, type_)

    return hook


def _converter(detailed: bool) -> cattrs.Converter:
    """The same hooks either way; ``detailed`` collects every problem of a record with its path
    (and costs about twice the time), so it is run only on a record the fast one refused."""
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed)
    conv.register_structure_hook(dt.date, _date)
    conv.register_structure_hook(Decimal, _decimal)
    conv.register_structure_hook(int, _int)
    conv.register_structure_hook(str, _str)
    for enum in (EmploymentStatus, Education, Rank, PositionType, Level, Rating, TestStatus, Route):
        conv.register_structure_hook(enum, _enum_hook)  # more specific than the str hook
    for cls in (Position, PerformanceRating, CompetencyTest, Request, Candidate):
        conv.register_structure_hook(cls, _object_hook(make_dict_structure_fn(
            cls, conv, _cattrs_forbid_extra_keys=True, _cattrs_detailed_validation=detailed), cls))
    ratings = conv.get_structure_hook(tuple[PerformanceRating, ...])

    def _ratings(value: Any, type_: Any):
        if not isinstance(value, list):
            raise BadValue(f"expected a list like [{{year: 2024, rating: baik}}], got {_show(value)}",
                           f"harus daftar seperti [{{year: 2024, rating: baik}}], bukan {_show(value)}")
        return ratings(value, type_)

    conv.register_structure_hook_func(lambda t: t == tuple[PerformanceRating, ...], _ratings)
    return conv


FAST, DETAILED = _converter(detailed=False), _converter(detailed=True)


def structure_candidate(raw: Any, path: str = "$") -> Candidate:
    """Validate one raw record (a dict from JSON, YAML or CSV) into a Candidate.

    Raises InputError listing every problem in the record, each with its path.
    """
    if not isinstance(raw, dict):
        raise InputError([Problem("I001", f"rekaman harus berupa objek, bukan {_show(raw)[:40]}",
                                  f"a record must be an object with fields, got {_show(raw)[:40]}",
                                  path=path)])
    if "id" not in raw or raw.get("id") in (None, ""):
        raise InputError([Problem("I002", "field wajib 'id' tidak ada", "the required field 'id' is missing",
                                  path=path, hint="give every record a unique id (for example the NIP)")])
    if isinstance(raw["id"], int) and not isinstance(raw["id"], bool):
        raw = {**raw, "id": str(raw["id"])}  # a numeric NIP is an id all the same
    given = _drop_nulls(raw)
    try:
        candidate = FAST.structure(given, Candidate)
    except Exception:  # noqa: BLE001 - the detailed run below says what it was, with every path
        try:
            candidate = DETAILED.structure(given, Candidate)
        except (ClassValidationError, IterableValidationError, ForbiddenExtraKeysError, BadValue) as exc:
            raise InputError(list(_problems(exc, path))) from None
    years = [p.year for p in candidate.performance or ()]
    twice = sorted({y for y in years if years.count(y) > 1})
    if twice:
        raise InputError([Problem("I007", f"predikat kinerja tahun {twice} diberikan lebih dari sekali",
                                  f"the performance rating of year(s) {twice} is given more than once",
                                  path=f"{path}.performance", hint="give one rating per year")])
    return candidate


def _drop_nulls(value: Any) -> Any:
    """JSON null and an empty CSV cell both mean "not given"."""
    if isinstance(value, dict):
        return {k: _drop_nulls(v) if isinstance(v, (dict, list)) else v
                for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, list):
        return [_drop_nulls(v) if isinstance(v, (dict, list)) else v for v in value]
    return value


def _problems(exc: BaseException, path: str):
    if isinstance(exc, ForbiddenExtraKeysError):
        fields = [a.name for a in attrs.fields(exc.cl)]
        for key in sorted(exc.extra_fields):
            yield Problem("I003", f"field tidak dikenal {key!r}",
                          f"unknown field {key!r}; expected one of: {', '.join(fields)}",
                          path=f"{path}.{key}", hint=suggest(key, fields))
        return
    if isinstance(exc, (ClassValidationError, IterableValidationError)):
        for sub in exc.exceptions:
            step = ""
            for note in getattr(sub, "__notes__", []):
                name = getattr(note, "name", None)
                index = getattr(note, "index", None)
                if name is not None:
                    step = f".{name}"
                elif index is not None:
                    step = f"[{index}]"
            yield from _problems(sub, path + step)
        return
    if isinstance(exc, KeyError):
        yield Problem("I004", f"field wajib {exc.args[0]!r} tidak ada",
                      f"the required field {exc.args[0]!r} is missing", path=path)
        return
    if isinstance(exc, BadValue):
        yield Problem("I005", f"nilai salah: {exc.id}", str(exc), path=path, hint=exc.hint)
        return
    # anything else cattrs raised is still the record's fault, never a crash
    yield Problem("I006", f"nilai tidak dapat dibaca ({exc})", f"the value cannot be read ({exc})", path=path)
