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
KIND = "kind"  # the discriminator every fact carries; never a field name
CANDIDATE = "candidate"
FORMATION = "formation"


class NotRepresentable(ValueError):
    pass


def fact_key(field: Field, level: str | None = None) -> str:
    return f"{field.name}__{level}" if level and field.per_level else field.name


def encode(field: Field, value: Any, policy: Policy) -> str | int:
    if field.kind == "ordered":
        return policy.scales[field.scale][value]
    if field.kind == "number":
        scaled = as_decimal(value).scaleb(field.decimals)
        if scaled != scaled.to_integral():
            raise NotRepresentable(f"{value} has more than {field.decimals} decimal(s)")
        number = int(scaled)
        if abs(number) > INT64:
            raise NotRepresentable(f"{value} is too large")
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


def show(value: Any) -> Any:
    """A derived value as JSON shows it."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def encode_fact(derived: Any, policy: Policy, keys: frozenset[str]) -> dict[str, Any]:
    """The engine fact for one candidate: the encoded value of every field the plan tests."""
    fields = policy.fields
    fact: dict[str, Any] = {KIND: CANDIDATE}
    try:
        for name, value in derived.values.items():
            if name in keys:
                fact[name] = encode(fields[name], value, policy)
        for name, levels in derived.per_level.items():
            for level, value in levels.items():
                key = fact_key(fields[name], level)
                if key in keys:
                    fact[key] = encode(fields[name], value, policy)
    except NotRepresentable as exc:  # a value the engine cannot hold is the record's fault
        field = fields[name]
        raise InputError([Problem("I021", f"nilai {field.name} tidak dapat dipakai: {exc}",
                                  f"the value of {field.name} cannot be used: {exc}",
                                  path="$." + (field.inputs[0] if field.inputs else field.name))]) from None
    return fact
