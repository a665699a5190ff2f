"""Structuring a record: one pass where it can, the detailed path where it must.

:func:`structure_candidate` (a record already parsed) and :func:`read_line` (a JSON line) first
try the one-pass lane (:mod:`._decode`, msgspec), which builds the Candidate of a plain record in a
few microseconds or declines; a record it declines goes through cattrs (:mod:`._convert`), which
builds the same Candidate or finds every problem of the record with its path.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from .._errors import InputError, Problem
from ._candidate import (
    NUMBER_FIELDS, RECORD_COLUMNS, RECORD_KEYS, SUSPECT, BadValue, Candidate, Names, UnreadCell, decimal_comma_hints,
    drop_nulls, extra_value, id_text, plain_number, record_problems, shown,
)
from ._convert import converter
from ._convert import problems as convert_problems
from ._decode import Lane


class Contract:
    """What the record may hold under one policy: its vocabularies, the fields the policy adds,
    and the decimals each number keeps; and the structurers made for them."""

    def __init__(self, policy: Any):
        vocabularies = dict(policy.vocabularies) if policy is not None else {}
        if policy is not None:
            vocabularies["route"] = Names(tuple(policy.routes))
        self.vocabularies = vocabularies
        self.extra: dict[str, Any] = {}
        self.decimals: dict[str, int] = {}
        self.numbers = set(NUMBER_FIELDS)  # the record's top-level number fields
        for f in (policy.fields.values() if policy is not None else ()):
            if f.input is None:
                continue
            if f.input not in RECORD_KEYS and "." not in f.input:
                self.extra[f.input] = f
                if f.type in ("integer", "number"):
                    self.numbers.add(f.input)
            if f.kind == "number":
                self.decimals[f.input] = min(self.decimals.get(f.input, 99), f.decimals)
        # a post's name that names another level than the post gives (record_problems)
        self.named_level = _remembered_levels(policy) if policy is not None and policy.position is not None else None
        self.lane = Lane(vocabularies, self.extra, self.decimals, self.named_level)
        # the same hooks either way; the detailed one collects every problem of a record with its path
        # (and costs about twice the time), so it is run only on a record the fast one refused
        self.fast, self.detailed = converter(False, vocabularies), converter(True, vocabularies)


def _remembered_levels(policy: Any) -> Callable[[str | None, str | None], str | None]:
    """``policy.level_in_post_name``, each (name, type) worked out once (~3 µs: a record's posts name a
    few positions, again and again); forgotten past MAX_NAMES, as a file of every name would grow it."""
    known: dict[tuple[str | None, str | None], str | None] = {}
    work = policy.level_in_post_name

    def named_level(name: str | None, kind: str | None) -> str | None:
        try:
            return known[name, kind]
        except KeyError:
            if len(known) >= MAX_NAMES:
                known.clear()
            found = known[name, kind] = work(name, kind)
            return found
    return named_level


MAX_NAMES = 4096


_CONTRACTS: dict[Any, Contract] = {}


def _contract(policy: Any) -> Contract:
    key = policy.digest if policy is not None else None
    found = _CONTRACTS.get(key)
    if found is None:
        if len(_CONTRACTS) > 16:  # reloads bring new versions; keep the recent ones
            _CONTRACTS.pop(next(iter(_CONTRACTS)))
        found = _CONTRACTS[key] = Contract(policy)
    return found


def record_columns(policy: Any = None) -> frozenset[str]:
    """The names a candidate file's columns may have under ``policy`` (a CSV header's, matched by
    ``read_records(..., columns=)``): the record's own, and the fields the policy adds."""
    return RECORD_COLUMNS | frozenset(_contract(policy).extra)


def read_line(text: str, policy: Any) -> Candidate | None:
    """The Candidate of one JSON line in one pass, or None: parse the line and call
    :func:`structure_candidate`, which finds what is wrong with it, or reads what the lane leaves."""
    return _contract(policy).lane.read(text)


def structure_candidate(raw: Any, path: str = "$", policy: Any = None, *, strict: bool = True) -> Candidate:
    """Validate one raw record (a dict from JSON, YAML or CSV) into a Candidate.

    ``strict=False`` keeps dates and an id that look wrong (``SUSPECT``: an empty date as exported,
    a date before the birth date, an id a spreadsheet changed) as given, for a reader that does not
    decide on them (counting officers in post); every other problem is raised all the same.

    With ``policy``, coded values (ranks, ratings, levels ...) must be values of its
    vocabularies (aliases such as ``Baik`` are read as the value they name), numbers keep at
    most the decimals its fields declare, and the fields it adds to the record are read.
    Raises InputError listing every problem in the record, each with its path.
    """
    if not isinstance(raw, dict):
        if isinstance(raw, Mapping):  # any mapping is read as an object (a MappingProxyType, a user's own)
            raw = dict(raw)
        else:
            raise InputError([Problem("I001", f"rekaman harus berupa objek, bukan {shown(raw)[:40]}",
                                      f"a record must be an object with fields, got {shown(raw)[:40]}",
                                      path=path)])
    contract = _contract(policy)
    ident = raw.get("id")
    if type(ident) in _LANE_IDS and ident != "":  # the lane reads the id as below: "A1 " is A1, a number its text
        fast = contract.lane.structure(raw)
        if fast is not None:
            return fast
    no_id = []
    if type(ident) is str and ident != (trimmed := id_text(ident)):  # "A1 " is A1, as a CSV cell is read
        raw = {**raw, "id": trimmed}
    if "id" not in raw or raw.get("id") in (None, ""):  # said first; the rest of the record is read all the same
        like = [k for k in raw if isinstance(k, str) and k.strip().lower() == "id" and k != "id"]
        no_id.append(Problem("I002", "field wajib 'id' tidak ada", "the required field 'id' is missing", path=path,
                             hint=f"the field is written {like[0]!r}: names are lower case, write 'id' / field itu "
                                  f"ditulis {like[0]!r}: nama field berhuruf kecil, tulis 'id'" if like
                             else "give every record a unique id (for example the NIP) / beri setiap rekaman id "
                                  "yang unik (misalnya NIP)"))
        raw = {**raw, "id": "-"}
    problems: list[Problem] = no_id
    given = _given(raw, Candidate, contract.extra)
    if isinstance(given["id"], int) and not isinstance(given["id"], bool):
        given["id"] = str(given["id"])  # a numeric NIP (np.int64 from a data frame too) is an id all the same
    extra_raw = {k: given.pop(k) for k in list(given) if k in contract.extra}
    try:
        candidate = contract.fast.structure(given, Candidate)
    except Exception:  # noqa: BLE001 - the detailed run below says what it was, with every path
        try:
            candidate = contract.detailed.structure(given, Candidate)
        except (ClassValidationError, IterableValidationError, ForbiddenExtraKeysError, BadValue) as exc:
            problems += _decimal_commas(raw, contract.numbers, path,
                                        convert_problems(exc, path, tuple(contract.extra)))
            candidate = None
    extra = {}
    for key, value in extra_raw.items():
        try:
            extra[key] = extra_value(contract.extra[key], value, contract.vocabularies)
        except BadValue as exc:
            problems.append(Problem("I005", f"nilai salah: {exc.id}", str(exc), path=f"{path}.{key}", hint=exc.hint))
    if candidate is not None:
        if extra:
            candidate = attrs.evolve(candidate, extra=extra)
        problems += [p for p in record_problems(candidate, contract.decimals, path, named_level=contract.named_level)
                     if strict or p.code not in SUSPECT]
    if type(cell := raw.get("performance")) is UnreadCell:  # a flat row's cell: said as what it is
        at = f"{path}.performance"
        problems = [p for p in problems if p.path != at and not p.path.startswith((at + "[", at + "."))]
        problems.append(cell.problem(at))
    if problems:
        raise InputError(problems)
    return candidate


def _parts_of(cls: type) -> dict[str, type]:
    """The fields of ``cls`` that hold objects (one, or a tuple of them), and their classes, as
    ``cls`` declares them."""
    def classes(hint: Any) -> Iterator[Any]:
        yield hint
        for arg in typing.get_args(hint):
            yield from classes(arg)
    return {name: part for name, hint in typing.get_type_hints(cls).items()
            for part in classes(hint) if isinstance(part, type) and attrs.has(part)}


_PARTS: dict[type, dict[str, type]] = {Candidate: _parts_of(Candidate)}  # the record's fields that hold objects
_LANE_IDS = frozenset((str, int))  # the ids the one-pass lane reads (a bool, a float: the detailed path words them)
_FIELDS = {cls: frozenset(a.name for a in attrs.fields(cls)) - {"extra"}
           for cls in (Candidate, *_PARTS[Candidate].values())}


def _given(value: Any, cls: type, added: Mapping[str, Any] = {}) -> Any:
    """:func:`drop_nulls` for the fields of ``cls`` only: a field's null or "" is not given, but an
    unknown key stays whatever its value, for the structurer to refuse (I003): ``{"foo": null}``
    is a misspelt field all the same, and ``{experience_years: 2,5}`` in a YAML flow mapping is
    experience_years 2 and a key 5 with no value. A numpy number is the Python number it is
    (:func:`plain_number`)."""
    if not isinstance(value, Mapping):
        if isinstance(value, (list, tuple)):
            return [_given(v, cls) if isinstance(v, Mapping) else drop_nulls(plain_number(v)) for v in value]
        return plain_number(value)
    known, parts = _FIELDS[cls], _PARTS.get(cls, {})
    out = {}
    for k, v in value.items():
        v = plain_number(v)
        if (v is None or isinstance(v, str) and v == "") and (k in known or k in added):  # (v == "" of an
            # array is an array)
            continue
        if k in parts and isinstance(v, (Mapping, list, tuple)):
            out[k] = _given(v, parts[k])
        else:  # (an unknown key's value is walked too: a dict that holds itself is I017 wherever it is)
            out[k] = drop_nulls(v) if isinstance(v, (Mapping, list, tuple)) else v
    return out


def _decimal_commas(raw: Mapping, numbers: set[str], path: str, problems) -> list[Problem]:
    """``problems``, where an unknown key is what a decimal comma made of a number, with the hint
    to write a point (:func:`decimal_comma_hints`)."""
    hints = decimal_comma_hints(raw, numbers, path)
    return [attrs.evolve(p, hint=hints[p.path]) if p.code == "I003" and p.path in hints else p for p in problems]
