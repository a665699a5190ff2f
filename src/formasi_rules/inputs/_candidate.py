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
from collections.abc import Mapping
from typing import Any

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn

from .._errors import InputError, Problem, suggest


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


def _coded_hook(vocabularies: Mapping[str, Any]):
    def hook(value: Any, type_: type[_Coded]) -> _Coded:
        vocab = vocabularies.get(type_.VOCAB)
        if vocab is None:  # no vocabulary to check against (a record read without a policy)
            return _str(value, str)
        found = vocab.read(value)
        if found is not None:
            return found  # the vocabulary's own spelling, a plain str
        listed = ", ".join(vocab.values)
        raise BadValue(
            f"{type_.WHAT} must be one of {listed}; got {_show(value)}",
            f"{type_.WHAT} tidak dikenal {_show(value)}; pilihan: {listed}",
            suggest(value, vocab.spellings()) if isinstance(value, str) else None)
    return hook


def _bool(value: Any, _type: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().casefold() in _WORDS:  # a CSV cell
        return _WORDS[value.strip().casefold()]
    raise BadValue(f"expected true or false, got {_show(value)}", f"harus true atau false, bukan {_show(value)}")


_WORDS = {"true": True, "false": False, "ya": True, "tidak": False, "yes": True, "no": False}


def _object_hook(structure, cls):
    fields = ", ".join(a.name for a in attrs.fields(cls) if a.name != "extra")

    def hook(value: Any, type_: Any):
        if not isinstance(value, dict):
            raise BadValue(f"expected an object with the fields {fields}; got {_show(value)}",
                           f"harus objek dengan field {fields}; bukan {_show(value)}")
        return structure(value, type_)

    return hook


def _converter(detailed: bool, vocabularies: Mapping[str, Any]) -> cattrs.Converter:
    """The same hooks either way; ``detailed`` collects every problem of a record with its path
    (and costs about twice the time), so it is run only on a record the fast one refused."""
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed)
    conv.register_structure_hook(dt.date, _date)
    conv.register_structure_hook(Decimal, _decimal)
    conv.register_structure_hook(int, _int)
    conv.register_structure_hook(str, _str)
    conv.register_structure_hook(bool, _bool)
    coded = _coded_hook(vocabularies)
    for kind in CODED:
        conv.register_structure_hook(kind, coded)  # more specific than the str hook
    for cls in (Position, RankHeld, PerformanceRating, CompetencyTest, Request, Candidate):
        conv.register_structure_hook(cls, _object_hook(make_dict_structure_fn(
            cls, conv, _cattrs_forbid_extra_keys=True, _cattrs_detailed_validation=detailed,
            **({"extra": cattrs.override(omit=True)} if cls is Candidate else {})), cls))
    for cls, example in ((PerformanceRating, "[{year: 2024, rating: ...}]"),
                         (Position, "[{type: ..., name: ..., level: ..., since: 2020-01-02}]"),
                         (RankHeld, "[{rank: ..., since: 2020-04-01}]")):
        _list_hook(conv, cls, example)
    return conv


def _list_hook(conv: cattrs.Converter, cls: type, example: str) -> None:
    inner = conv.get_structure_hook(tuple[cls, ...])

    def hook(value: Any, type_: Any):
        if not isinstance(value, list):
            raise BadValue(f"expected a list like {example}, got {_show(value)}",
                           f"harus daftar seperti {example}, bukan {_show(value)}")
        return inner(value, type_)

    conv.register_structure_hook_func(lambda t, c=cls: t == tuple[c, ...], hook)


class _Refused(Exception):
    """The fast path declines a record; the cattrs path then structures it or says what is wrong."""


def _fast_structurer(vocabularies: Mapping[str, Any]):
    """A record structured with the same hooks as the converters, without cattrs' dispatch.

    For a record the converters accept it builds the same Candidate; anything else (an unknown or
    missing field, a bad value, a shape it does not expect) raises, and the caller runs the
    cattrs path, which decides and words every problem with its path. Null and empty values are
    skipped as ``_drop_nulls`` drops them. Returns (candidate, the record's policy-added values).
    """
    coded = _coded_hook(vocabularies)

    def remembered(hook, kind: Any):
        # the hooks are pure functions of a text: what they gave is kept (bounded) and given again
        seen: dict[str, Any] = {}

        def read(value: Any) -> Any:
            if type(value) is str:
                found = seen.get(value)
                if found is not None:
                    return found
                if len(seen) >= 8192:
                    seen.clear()
                found = seen[value] = hook(value, kind)
                return found
            return hook(value, kind)
        return read

    def code(kind: type[_Coded]):
        return remembered(coded, kind)

    def scalar(hook):
        return lambda value: hook(value, None)

    date, text, decimal, whole, boolean = remembered(_date, None), scalar(_str), scalar(_decimal), scalar(_int), \
        scalar(_bool)

    def obj(cls: type, spec: dict[str, Any]):
        assert set(spec) == {a.name for a in attrs.fields(cls)} - {"extra"}
        required = tuple(a.name for a in attrs.fields(cls) if a.default is attrs.NOTHING)

        seen: dict[tuple, Any] = {}  # the objects are immutable: equal entries share one

        def structure(value: Any) -> Any:
            if not isinstance(value, dict):
                raise _Refused
            try:  # the type is in the key: True == 1 and 1.0 == 1, but they do not validate alike
                key = tuple((k, type(v), v) for k, v in value.items())
                found = seen.get(key)
            except TypeError:  # an unhashable value: a list or object where a scalar belongs
                key = found = None
            if found is not None:
                return found
            out = {}
            for k, v in value.items():
                if v is None or v == "":
                    continue
                out[k] = spec[k](v)  # KeyError: a field cattrs forbids
            for k in required:
                if k not in out:
                    raise _Refused
            made = cls(**out)
            if key is not None:
                if len(seen) >= 4096:
                    seen.clear()
                seen[key] = made
            return made
        return structure

    def many(structure):
        def each(value: Any) -> tuple:
            if not isinstance(value, list):
                raise _Refused
            return tuple(structure(v) for v in value)
        return each

    position = obj(Position, {"type": code(PositionType), "name": text, "level": code(Level), "since": date,
                              "until": date, "top_rank": boolean})
    rank_held = obj(RankHeld, {"rank": code(Rank), "since": date})
    rating = obj(PerformanceRating, {"year": whole, "rating": code(Rating)})
    test = obj(CompetencyTest, {"status": code(TestStatus), "level": code(Level), "date": date})
    request = obj(Request, {"route": code(Route), "level": code(Level)})
    spec = {"id": text, "name": text, "employment_status": code(EmploymentStatus), "birth_date": date,
            "education": code(Education), "rank": code(Rank), "rank_since": date, "position": position,
            "positions": many(position), "ranks": many(rank_held), "region": text, "agency": text,
            "performance": many(rating), "competency_test": test, "credit_points": decimal,
            "experience_years": decimal, "request": request}
    assert set(spec) == _RECORD_KEYS

    def candidate(raw: dict, extra_keys: Mapping[str, Any]) -> tuple[Candidate, dict[str, Any]]:
        out, extra = {}, {}
        for k, v in raw.items():
            if v is None or v == "":
                continue
            convert = spec.get(k)
            if convert is not None:
                out[k] = convert(v)
            elif k in extra_keys:
                extra[k] = _drop_nulls(v) if isinstance(v, (dict, list)) else v
            else:
                raise _Refused
        if "id" not in out:
            raise _Refused
        return Candidate(**out), extra
    return candidate


class _Contract:
    """What the record may hold under one policy: its vocabularies, the fields the policy adds,
    and the decimals each number keeps."""

    def __init__(self, policy: Any):
        vocabularies = dict(policy.vocabularies) if policy is not None else {}
        if policy is not None:
            vocabularies["route"] = _Routes(tuple(policy.routes))
        self.fast, self.detailed = _converter(False, vocabularies), _converter(True, vocabularies)
        self.direct = _fast_structurer(vocabularies)
        self.vocabularies = vocabularies
        self.extra: dict[str, Any] = {}
        self.decimals: dict[str, int] = {}
        for f in (policy.fields.values() if policy is not None else ()):
            if f.input is None:
                continue
            if f.input not in _RECORD_KEYS and "." not in f.input:
                self.extra[f.input] = f
            if f.kind == "number":
                self.decimals[f.input] = min(self.decimals.get(f.input, 99), f.decimals)


class _Routes:
    """The policy's routes, read like a vocabulary (``request.route``)."""

    def __init__(self, values: tuple[str, ...]):
        self.values = values

    def read(self, raw: Any) -> str | None:
        return raw if raw in self.values else None

    def spellings(self) -> tuple[str, ...]:
        return self.values


_RECORD_KEYS = frozenset(a.name for a in attrs.fields(Candidate)) - {"extra"}
_CONTRACTS: dict[Any, _Contract] = {}


def _contract(policy: Any) -> _Contract:
    key = policy.digest if policy is not None else None
    found = _CONTRACTS.get(key)
    if found is None:
        if len(_CONTRACTS) > 16:  # reloads bring new versions; keep the recent ones
            _CONTRACTS.pop(next(iter(_CONTRACTS)))
        found = _CONTRACTS[key] = _Contract(policy)
    return found


def structure_candidate(raw: Any, path: str = "$", policy: Any = None) -> Candidate:
    """Validate one raw record (a dict from JSON, YAML or CSV) into a Candidate.

    With ``policy``, coded values (ranks, ratings, levels ...) must be values of its
    vocabularies (aliases such as ``Baik`` are read as the value they name), numbers keep at
    most the decimals its fields declare, and the fields it adds to the record are read.
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
    contract = _contract(policy)
    problems: list[Problem] = []
    try:
        candidate, extra_raw = contract.direct(raw, contract.extra)
    except Exception:  # noqa: BLE001 - the cattrs runs below decide, and say what it was with every path
        given = _drop_nulls(raw)
        extra_raw = {k: given.pop(k) for k in list(given) if k in contract.extra}
        try:
            candidate = contract.fast.structure(given, Candidate)
        except Exception:  # noqa: BLE001 - the detailed run below says what it was, with every path
            try:
                candidate = contract.detailed.structure(given, Candidate)
            except (ClassValidationError, IterableValidationError, ForbiddenExtraKeysError, BadValue) as exc:
                problems += _problems(exc, path, tuple(contract.extra))
                candidate = None
    extra = {}
    for key, value in extra_raw.items():
        try:
            extra[key] = _extra_value(contract.extra[key], value, contract.vocabularies)
        except BadValue as exc:
            problems.append(Problem("I005", f"nilai salah: {exc.id}", str(exc), path=f"{path}.{key}", hint=exc.hint))
    if candidate is not None:
        problems += _checks(candidate, contract, path)
    if problems:
        raise InputError(problems)
    return attrs.evolve(candidate, extra=extra) if extra else candidate


def _extra_value(field: Any, value: Any, vocabularies: Mapping[str, Any]) -> Any:
    hooks = {"boolean": _bool, "date": _date, "text": _str, "integer": _int, "number": _decimal}
    if field.type in hooks:
        return hooks[field.type](value, None)
    kind = _coded(field.type, field.type, field.type.replace("_", " "))
    return _coded_hook(vocabularies)(value, kind)


def _checks(c: Candidate, contract: _Contract, path: str) -> list[Problem]:
    """What cattrs cannot see: decimals beyond what the policy keeps, a year rated twice,
    history entries on the same date."""
    problems = []
    for key, keep in contract.decimals.items():
        value = getattr(c, key, None) if "." not in key else None
        if isinstance(value, Decimal):
            exponent = value.as_tuple().exponent
            if isinstance(exponent, int) and -exponent > keep:
                problems.append(Problem(
                    "I008", f"{key} {value} lebih dari {keep} desimal", f"{key} {value} has more than the "
                    f"{keep} decimal(s) the policy keeps for it", path=f"{path}.{key}",
                    hint=f"round it to {keep} decimal(s) as the PAK states it, or ask policy staff to allow more"))
            elif abs(value) >= Decimal(10) ** (18 - keep):
                problems.append(Problem("I008", f"{key} {value} terlalu besar", f"{key} {value} is too large",
                                        path=f"{path}.{key}"))
    years = [p.year for p in c.performance or ()]
    seen: set[int] = set()
    twice = sorted({y for y in years if y in seen or seen.add(y)}) if len(set(years)) != len(years) else None
    if twice:
        problems.append(Problem("I007", f"predikat kinerja tahun {twice} diberikan lebih dari sekali",
                                f"the performance rating of year(s) {twice} is given more than once",
                                path=f"{path}.performance", hint="give one rating per year"))
    if c.positions is None and c.ranks is None:
        return problems
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


def _drop_nulls(value: Any) -> Any:
    """JSON null and an empty CSV cell both mean "not given"."""
    if isinstance(value, dict):
        return {k: _drop_nulls(v) if isinstance(v, (dict, list)) else v
                for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, list):
        return [_drop_nulls(v) if isinstance(v, (dict, list)) else v for v in value]
    return value


def _problems(exc: BaseException, path: str, extra: tuple[str, ...] = ()):
    if isinstance(exc, ForbiddenExtraKeysError):
        fields = [a.name for a in attrs.fields(exc.cl) if a.name != "extra"]
        if exc.cl is Candidate:
            fields += extra
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
            yield from _problems(sub, path + step, extra)
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
