"""The detailed path: records structured with cattrs, every problem of a record found and put
with its path (``$.performance[2].year``) in the words of the hooks in :mod:`._candidate`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn

from .._errors import Problem, suggest
from ._candidate import (
    CODED, BadValue, Candidate, CompetencyTest, PerformanceRating, Position, RankHeld, Request, _bool, _coded_hook,
    _date, _decimal, _int, _str, shown,
)


def _object_hook(structure, cls):
    fields = ", ".join(a.name for a in attrs.fields(cls) if a.name != "extra")

    def hook(value: Any, type_: Any):
        if not isinstance(value, dict):
            raise BadValue(f"expected an object with the fields {fields}; got {shown(value)}",
                           f"harus objek dengan field {fields}; bukan {shown(value)}")
        return structure(value, type_)

    return hook


def converter(detailed: bool, vocabularies: Mapping[str, Any]) -> cattrs.Converter:
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
        if not isinstance(value, list):  # drop_nulls has made a tuple from Python a list already
            raise BadValue(f"expected a list like {example}, got {shown(value)}",
                           f"harus daftar seperti {example}, bukan {shown(value)}")
        return inner(value, type_)

    conv.register_structure_hook_func(lambda t, c=cls: t == tuple[c, ...], hook)


def problems(exc: BaseException, path: str, extra: tuple[str, ...] = ()):
    if isinstance(exc, ForbiddenExtraKeysError):
        fields = [a.name for a in attrs.fields(exc.cl) if a.name != "extra"]
        if exc.cl is Candidate:
            fields += extra
        for key in sorted(exc.extra_fields, key=str):  # a YAML key may be a number
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
            yield from problems(sub, path + step, extra)
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
