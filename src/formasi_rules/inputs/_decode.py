"""One pass that parses and validates a JSON line (msgspec typed decoding), for the records that
need nothing more; every other line takes the detailed way, which decides and words each problem.

The detailed path (``JsonLine.parse``, then cattrs in :func:`structure_candidate`) costs about 40 µs
for a typical record (benchmarks/read.py; 19 µs with the hand-written structurer the lane replaced):
the text is parsed into dicts, written back to look for a key given twice, then walked field by field.
msgspec decodes the text straight into typed structs in about 1.4 µs, checking each JSON type on
the way. :meth:`Lane.read` adds what msgspec cannot know (the policy's vocabularies, empty text as
"not given", the decimals each number keeps, the record's own consistency) and builds the same
:class:`Candidate`.

The lane never decides that a record is wrong: whenever it meets anything outside the plain case
(a type msgspec refuses, an unknown field or value, a key given twice, a number too large
to be sure of, a check that fails) it answers None, and the caller parses the line and structures
it as before. So every error keeps its ``$.path`` and its words, and a record the lane accepts is
one the detailed path accepts as the same Candidate (``tests/test_decode.py`` holds the two to
that on generated records, malformed ones included).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Union

import attrs
import msgspec
from msgspec import UNSET, UnsetType

from .._json import leaves
from ._candidate import (
    NUMBER_FIELDS, BadValue, Candidate, CompetencyTest, PerformanceRating, Position, RankHeld, Request, drop_nulls,
    extra_value, id_text, record_problems, too_large, years_apart,
)
from ._read import MAX_DEPTH, MAX_DIGITS

LARGE = 1e15  # a number this large or larger takes the detailed path (msgspec reads some such as floats)
MAX_BRACKETS = MAX_DEPTH  # more brackets than this may nest past the reader's depth limit: the detailed path says
# a number literal longer than the reader allows (I016) is a run of this many number characters at least
_LONG_NUMBER = re.compile(r"[0-9.eE+\-]{%d,}" % (MAX_DIGITS + 1))
_HUGE = 10 ** MAX_DIGITS  # the smallest integer of more digits than that
MAX_SPELLINGS = 4096  # per vocabulary: the other spellings the lane remembers (memory stays flat) ...
MAX_SPELLING_LENGTH = 64  # ... each at most this long (a value padded with spaces is read, not kept)
_LARGE_DECIMAL = Decimal(10) ** 15  # LARGE, exactly
_WHOLES = 1024  # the Decimals of the whole numbers below this, made once (years, credit points: a Decimal is immutable)
_WHOLE = tuple(Decimal(i) for i in range(_WHOLES))


def _opt(kind: Any) -> Any:
    # absent is UNSET and null is None, so writing a struct back keeps every key the text gave
    return Union[kind, None, UnsetType]


# frozen: equal parts of records (the same position, the same ratings) are made into Candidate
# parts once, by their hash
_Config = dict(forbid_unknown_fields=True, omit_defaults=True, frozen=True)


class _Position(msgspec.Struct, **_Config):
    type: _opt(str) = UNSET
    name: _opt(str) = UNSET
    level: _opt(str) = UNSET
    since: _opt(dt.date) = UNSET
    until: _opt(dt.date) = UNSET
    top_rank: _opt(bool) = UNSET


class _RankHeld(msgspec.Struct, **_Config):
    rank: str
    since: dt.date


class _Rating(msgspec.Struct, **_Config):
    year: int
    rating: str


class _Test(msgspec.Struct, **_Config):
    status: _opt(str) = UNSET
    level: _opt(str) = UNSET
    date: _opt(dt.date) = UNSET


class _Request(msgspec.Struct, **_Config):
    route: _opt(str) = UNSET
    level: _opt(str) = UNSET


_NUMBER = Union[int, float]
_JSON_NUMBER = (int, float, type(None))
_LISTS = ("positions", "ranks", "performance")  # the record's fields that hold lists
_LIST = (list, tuple, type(None))
_JSON_NUMBERS, _LISTS_AS_GIVEN = frozenset(_JSON_NUMBER), frozenset(_LIST)  # the types as JSON gives them
# each looked at by name in Lane.structure (a third number or list would fail here, not go unlooked at)
_NUMBER_1, _NUMBER_2 = NUMBER_FIELDS
_LIST_1, _LIST_2, _LIST_3 = _LISTS
_RECORD = (  # the record's own fields (inputs/_candidate.Candidate), typed as JSON gives them
    ("id", Union[str, int]), ("name", str), ("employment_status", str), ("birth_date", dt.date),
    ("education", str), ("rank", str), ("rank_since", dt.date), ("position", _Position),
    ("positions", tuple[_Position, ...]), ("ranks", tuple[_RankHeld, ...]), ("region", str), ("agency", str),
    ("performance", tuple[_Rating, ...]), ("competency_test", _Test), ("credit_points", _NUMBER),
    ("experience_years", _NUMBER), ("request", _Request),
)
assert {name for name, _ in _RECORD} == {a.name for a in attrs.fields(Candidate)} - {"extra"}


class Lane:
    """The one-pass reading of one policy's records: ``vocabularies`` (name -> Vocabulary), the
    fields the policy adds to the record (``extra``: record key -> Field), the decimals each
    number keeps (``decimals``) and the level a post's name ends with (``named_level``, see
    record_problems), as :class:`._structure.Contract` holds them."""

    def __init__(self, vocabularies: Mapping[str, Any], extra: Mapping[str, Any], decimals: Mapping[str, int],
                 named_level: Any = None):
        self.vocabularies, self.decimals, self.named_level = vocabularies, decimals, named_level
        fields = [(name, _opt(kind), UNSET) for name, kind in _RECORD]
        fields += [(key, _opt(Any), UNSET) for key in extra]
        self._struct = msgspec.defstruct("Record", fields, forbid_unknown_fields=True, omit_defaults=True)
        self._decoder = msgspec.json.Decoder(self._struct)
        self._encoder = msgspec.json.Encoder()
        self._added = tuple(extra.items())
        # per number of the record: the decimals the policy keeps of it, and the power of ten it may not
        # reach (record_problems' I008), checked as it is read
        self._keep = {key: (keep, too_large(keep)) for key, keep in decimals.items() if key in NUMBER_FIELDS}
        self._parts = _remembered(self._part)
        vocab = vocabularies

        def coded(name: str):
            found = vocab.get(name)
            if found is None:
                return lambda value: value
            exact, read = dict(found.exact), found.read  # exact: also the other spellings read so far
            limit = len(exact) + MAX_SPELLINGS

            def code(value: str) -> str:
                hit = exact.get(value)
                if hit is None:
                    hit = read(value)
                    if hit is None:
                        raise _Decline
                    if len(exact) < limit and len(value) <= MAX_SPELLING_LENGTH:
                        exact[value] = hit
                return hit
            return code
        self._code = {name: coded(name) for name in
                      ("employment_status", "education", "rank", "position_type", "level", "rating", "test_status",
                       "route")}

    def read(self, text: str) -> Candidate | None:
        """The Candidate of one JSON line, or None: the line must take the detailed path."""
        if text.count("{") + text.count("[") > MAX_BRACKETS:
            return None
        try:
            record = self._decoder.decode(text)
            back = self._encoder.encode(record)
        except Exception:  # noqa: BLE001 - not JSON, not this shape, a lone surrogate: the detailed path says which
            return None
        # a key given twice: msgspec keeps the last, as orjson does, and writing the struct back (absent
        # fields are UNSET, nulls None) keeps every other key the text gave, so it has fewer ':'. A ':'
        # inside a string is written back as it was read, but an escaped one (\u003a) comes back
        # plain: those are counted in too (as are "\\u003a", a backslash and text, which make the
        # counts differ and the line take the detailed path: safe, and rare)
        colons = text.count(":")
        if "\\u" in text:
            colons += text.count("\\u003a") + text.count("\\u003A")
        if back.count(b":") != colons:
            return None
        # a number literal longer than the reader takes (I016): msgspec reads it. An integer that
        # long is one of 10**40 or more; a float's length only the text tells (a search costs 4 µs,
        # so it is made only for a record with a fraction in it)
        numbers = self._numbers(record)
        if numbers and (numbers == 2 or _LONG_NUMBER.search(text)):
            return None
        return self._candidate(record)

    def _numbers(self, record: Any) -> int:
        """What the record's numbers need: 0 nothing, 1 a look at the text (a float is there, whose
        literal only the text shows), 2 the detailed path (an integer of more than 40 digits)."""
        ident = record.id  # (a rating's year that long is no year between 1900 and 9999: record_problems declines it)
        if type(ident) is int and not -_HUGE < ident < _HUGE:
            return 2
        need = 1 if type(record.credit_points) is float or type(record.experience_years) is float else 0
        for key, _ in self._added:
            value = getattr(record, key)
            for number in leaves(value):
                kind = type(number)
                if kind is float:
                    need = 1
                elif kind is int and not -_HUGE < number < _HUGE:
                    return 2
        return need

    def structure(self, raw: dict) -> Candidate | None:
        """The Candidate of one record already parsed (a dict of JSON values), or None: the
        record must take the detailed path."""
        given = None  # Decimals (from a database, say): msgspec would make them floats and lose digits
        get = raw.get  # (the common case at once: each by name costs half what a map over the names does)
        if not (type(get(_NUMBER_1)) in _JSON_NUMBERS and type(get(_NUMBER_2)) in _JSON_NUMBERS
                and type(get(_LIST_1)) in _LISTS_AS_GIVEN and type(get(_LIST_2)) in _LISTS_AS_GIVEN
                and type(get(_LIST_3)) in _LISTS_AS_GIVEN):
            for key in NUMBER_FIELDS:
                value = raw.get(key)
                if type(value) is Decimal:
                    given = given or {}
                    given[key] = value
                elif type(value) not in _JSON_NUMBER:
                    return None
            for key in _LISTS:  # a set would become a list, which the detailed path refuses
                if not isinstance(raw.get(key), _LIST):
                    return None
        try:
            record = msgspec.convert({k: v for k, v in raw.items() if k not in given} if given else raw,
                                     self._struct, strict=True)
        except Exception:  # noqa: BLE001 - a value of another shape or type: the detailed path says which
            return None
        return self._candidate(record, given)

    def _candidate(self, record: Any, given: dict[str, Decimal] | None = None) -> Candidate | None:
        """The Candidate of a decoded record (with the Decimals ``given`` for its numbers), or None
        where the detailed path must decide."""
        try:
            return self._build(record, given or {})
        except (_Decline, BadValue):
            return None

    def _build(self, record: Any, given: dict[str, Decimal]) -> Candidate:
        code, parts = self._code, self._parts
        ident = record.id
        if type(ident) is str:
            ident = id_text(ident)  # "A1 " is A1, as a CSV cell is read
        if not ident and ident != 0:  # absent, null, "" or spaces
            raise _Decline
        rank, position, positions, ranks = record.rank, record.position, record.positions, record.ranks
        performance, test, request = record.performance, record.competency_test, record.request
        credit, years = record.credit_points, record.experience_years
        if given:  # Decimals as given (a database's), in place of what msgspec would make of them
            credit, years = given.get("credit_points", credit), given.get("experience_years", years)
        candidate = Candidate(
            ident if isinstance(ident, str) else str(ident), record.name or None,
            code["employment_status"](record.employment_status) if record.employment_status else None,
            record.birth_date or None, code["education"](record.education) if record.education else None,
            code["rank"](rank) if rank else None, record.rank_since or None,
            parts(position) if position else None, parts(positions) if positions or positions == () else None,
            parts(ranks) if ranks or ranks == () else None, record.region or None, record.agency or None,
            parts(performance) if performance or performance == () else None, parts(test) if test else None,
            None if credit is UNSET or credit is None else _decimal(credit, self._keep.get("credit_points")),
            None if years is UNSET or years is None else _decimal(years, self._keep.get("experience_years")),
            parts(request) if request else None, self._extra(record) if self._added else {})
        # the numbers' decimals and the rating years were checked as they were read (given Decimals aside)
        if record_problems(candidate, self.decimals, "$", read=not given, named_level=self.named_level):
            raise _Decline
        return candidate

    def _extra(self, record: Any) -> dict[str, Any]:
        extra = {}
        for key, field in self._added:
            value = getattr(record, key)
            if value is UNSET or value is None or value == "":
                continue
            if isinstance(value, (Mapping, list, tuple)):  # as drop_nulls takes them
                value = drop_nulls(value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and not abs(value) < LARGE:
                raise _Decline
            extra[key] = extra_value(field, value, self.vocabularies)
        return extra

    def _part(self, value: Any) -> Any:
        """A nested object (or a tuple of them) of the record as the Candidate holds it."""
        code = self._code
        if type(value) is tuple:
            if value and type(value[0]) is _Rating and not years_apart([r.year for r in value]):
                raise _Decline  # (record_problems words it); a clean tuple is remembered, and not checked again
            return tuple(self._parts(v) for v in value)
        if type(value) is _Position:
            top = value.top_rank
            return Position(_given(code["position_type"], value.type), value.name or None,
                            _given(code["level"], value.level), value.since or None, value.until or None,
                            None if top is UNSET else top)
        if type(value) is _Rating:
            return PerformanceRating(value.year, _required(code["rating"], value.rating))
        if type(value) is _RankHeld:
            return RankHeld(_required(code["rank"], value.rank), value.since)
        if type(value) is _Test:
            return CompetencyTest(_given(code["test_status"], value.status), _given(code["level"], value.level),
                                  value.date or None)
        return Request(_given(code["route"], value.route), _given(code["level"], value.level))


def _remembered(make):
    """``make`` of a hashable part, given again for an equal one (bounded: memory stays flat)."""
    seen: dict[Any, Any] = {}

    def part(value: Any) -> Any:
        found = seen.get(value)
        if found is None:
            if len(seen) >= 8192:
                seen.clear()
            found = seen[value] = make(value)
        return found
    return part


class _Decline(Exception):
    """The lane does not decide this record: the detailed path does."""


def _given(code, value: Any) -> Any:
    # "" and null mean "not given", as in the detailed path
    return code(value) if value else None


def _required(code, value: str) -> str:
    if not value:
        raise _Decline  # the detailed path reports the missing field
    return code(value)


def _decimal(value: Any, keep: tuple[int, int] | None = None) -> Decimal:
    """The Decimal of a number read (given: the caller leaves an absent one out); one with more
    decimals than ``keep`` says (the decimals, the power of ten it may not reach) is declined (a given
    Decimal is left to record_problems)."""
    if type(value) is Decimal:  # compared exactly: a float would raise where FloatOperation is trapped
        if not value.is_finite() or value < 0 or value >= _LARGE_DECIMAL:
            raise _Decline
        return value
    if type(value) is int:
        if value < 0 or value >= LARGE:
            raise _Decline
        number = _WHOLE[value] if value < _WHOLES else Decimal(value)  # no decimals
    else:
        if not 0 <= value < LARGE:  # negative, NaN or too large: the detailed path words it
            raise _Decline
        text = str(value)  # (a finite float's text has a point, or an exponent: 1e-05)
        number = Decimal(text)
        if keep is not None and ("e" in text or len(text) - text.index(".") - 1 > keep[0]):
            raise _Decline
    if keep is not None and number and number.adjusted() >= keep[1]:
        raise _Decline
    return number
