"""How values reach the rules engine: one encoding, used for facts and conditions alike.

durable_rules' C engine compares strings oddly, saturates large integers and
rejects floats printed with an exponent (shared/engine/durable-rules.md, H6).
So every value the engine sees is either a plain string (compared only for
equality) or an integer within 64 bits:

- ordered values (education, rank, rating, level) become their rank in the policy's scale;
- numbers become integers scaled by 10^decimals of their field (12.5 credit points -> 1250);
- dates become day numbers (``date.toordinal()``).

Both backends read the same encoded facts, so they cannot disagree on encoding.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .._errors import InputError, Problem
from ..policy import Policy
from ..policy._fields import Field
from ..policy._model import as_decimal

INT64 = 2**63 - 1
KIND = "kind"  # the durable_rules backend's discriminator of a fact's kind (it renames a field of that name)
CANDIDATE = "candidate"
FORMATION = "formation"


class NotRepresentable(ValueError):
    """A value the rules engine cannot hold exactly: ``str()`` says why in English, ``id`` in Bahasa
    Indonesia."""

    def __init__(self, en: str, id_: str):
        super().__init__(en)
        self.id = id_


def why_id(exc: Exception) -> str:
    """Why a value cannot be used, in Bahasa Indonesia where the exception says it."""
    return exc.id if isinstance(exc, NotRepresentable) else str(exc)


def fact_key(field: Field, level: str | None = None) -> str:
    return f"{field.name}__{level}" if level and field.per_level else field.name


def encode(field: Field, value: Any, policy: Policy) -> str | int:
    if field.kind == "ordered":
        return policy.scales[field.scale][value]
    if field.kind == "number":
        scaled = as_decimal(value).scaleb(field.decimals)
        if scaled != scaled.to_integral():
            raise NotRepresentable(f"{value} has more than {field.decimals} decimal(s)",
                                   f"{value} lebih dari {field.decimals} desimal")
        number = int(scaled)
        if abs(number) > INT64:
            raise NotRepresentable(f"{value} is too large", f"{value} terlalu besar")
        return number
    if field.kind == "date":
        return value.toordinal()
    if field.kind == "boolean":
        return int(bool(value))
    return str(value)


def decode(field: Field, value: Any) -> Any:
    """The inverse of encode for numbers and dates, for showing a value."""
    if field.kind == "number":
        number = Decimal(value).scaleb(-field.decimals)
        return int(number) if number == number.to_integral() else float(number)
    if field.kind == "date":
        return dt.date.fromordinal(value).isoformat()
    if field.kind == "boolean":
        return bool(value)
    return value


AS_IS = frozenset((str, int, bool, type(None)))  # the types show() gives back as they are


def show(value: Any) -> Any:
    """A derived value as JSON shows it."""
    if type(value) in AS_IS:
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _encoder(field: Field, policy: Policy):
    """``encode`` for one field, with the field's kind decided once."""
    if field.kind == "ordered":
        return policy.scales[field.scale].__getitem__
    if field.kind == "number":
        scale = 10 ** field.decimals

        def number(value: Any) -> int:
            if type(value) is int:  # the same integer encode() reaches through Decimal
                if abs(value * scale) > INT64:
                    raise NotRepresentable(f"{value} is too large", f"{value} terlalu besar")
                return value * scale
            return encode(field, value, policy)
        return number
    if field.kind == "date":
        return dt.date.toordinal
    if field.kind == "boolean":
        return lambda value: int(bool(value))
    return str


_ENCODERS: dict[tuple[int, frozenset[str]], tuple[Policy, dict, dict]] = {}


def _encoders(policy: Policy, keys: frozenset[str]) -> tuple[dict, dict]:
    """Per field the plan tests, its encoder; per per-level field, its levels' fact keys and encoder."""
    found = _ENCODERS.get((id(policy), keys))
    if found is None or found[0] is not policy:
        if len(_ENCODERS) > 64:
            _ENCODERS.clear()
        plain = {name: _encoder(f, policy) for name, f in policy.fields.items() if name in keys}
        levels = {}
        for name, f in policy.fields.items():
            pairs = {lv: fact_key(f, lv) for lv in policy.levels}
            pairs = {lv: key for lv, key in pairs.items() if key in keys}
            if pairs:
                levels[name] = (pairs, _encoder(f, policy))
        found = _ENCODERS[(id(policy), keys)] = (policy, plain, levels)
    return found[1], found[2]


def encode_fact(derived: Any, policy: Policy, keys: frozenset[str]) -> dict[str, Any]:
    """The engine fact for one candidate: the encoded value of every field the plan tests (by fact
    key; a backend adds what it needs of its own, such as durable_rules' kind of fact)."""
    plain, per_level = _encoders(policy, keys)
    fact: dict[str, Any] = {}
    name = None
    values = derived.values  # known values only: absent means unknown
    try:
        for name, enc in plain.items():
            value = values.get(name)
            if value is not None:
                fact[name] = enc(value)
        for name, levels in derived.per_level.items():
            found = per_level.get(name)
            if found is None:
                continue
            pairs, enc = found
            for level, value in levels.items():
                key = pairs.get(level)
                if key is not None:
                    fact[key] = enc(value)
    except NotRepresentable as error:  # a value the engine cannot hold is the record's fault
        exc = error  # (name: the field being encoded; a per-level one's unless a plain value fails below)
        for first, value in values.items():  # the first such value in the record's order is named
            try:
                if first in plain:
                    plain[first](value)
            except NotRepresentable as found:
                name, exc = first, found
                break
        raise InputError([unusable(policy.fields[name], exc)]) from None
    return fact


def unusable(field: Field, exc: Exception) -> Problem:
    """I021 for a value of ``field`` the rules engine cannot hold: the record's value, or, where the
    policy derived it (a derivation giving more decimals than its field keeps), the policy's error,
    said as such (the record has no such field to correct). A field is read or derived, never both
    (P082)."""
    decimals = getattr(field, "decimals", None)
    if field.derive is not None:
        return Problem("I021", f"nilai turunan {field.name} tidak dapat dipakai: {why_id(exc)}; kesalahan kebijakan",
                       f"the value the policy derives for {field.name} cannot be used: {exc}; this is the "
                       "policy's error, not the record's", path=f"$.{field.name}",
                       hint=f"tell policy staff: the field keeps {decimals} decimal(s); round the derivation "
                       f"or allow more decimals / beri tahu staf kebijakan: field ini menyimpan {decimals} desimal; "
                       "bulatkan perhitungannya atau izinkan lebih banyak desimal" if decimals is not None
                       else "tell policy staff / beri tahu staf kebijakan")
    return Problem("I021", f"nilai {field.name} tidak dapat dipakai: {why_id(exc)}",
                   f"the value of {field.name} cannot be used: {exc}",
                   path="$." + (field.inputs[0] if field.inputs else field.name),
                   hint=f"give at most {decimals} decimal(s), within 64-bit integers / beri paling banyak "
                   f"{decimals} desimal, dalam batas bilangan bulat 64-bit" if decimals is not None else None)
