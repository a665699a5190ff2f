"""The engine fact of a plan, written as Python code: what :func:`._encode.encode_fact` gives,
each field's encoding decided when the code is written, not per value.

A value the inline encodings do not take (a Decimal, a number too large) goes through the
field's own encoder from ``_encode``; an error of any kind is left to ``encode_fact``, which
words it (the caller, ``_stages._encoded``, runs it again on the slow path).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable

from ..policy import Policy
from ._encode import INT64, _encoder, fact_key
from ._source import Source

ATTRIBUTES = frozenset(("get", "items", "scaleb"))


def fact_encoder(policy: Policy, keys: frozenset[str]) -> Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]:
    """``encode(values, per_level)``: the fact of the fields among ``keys`` (a plan's)."""
    w = Source(ATTRIBUTES)
    name = w.function_name()
    fact = w.temp()
    with w.block(f"def {name}(values, per_level)"):
        w(f"{fact} = {{}}")
        for field in (f for n, f in policy.fields.items() if n in keys):  # the policy's order, as encode_fact
            t, key = w.temp(), w.bind(field.name)
            w(f"{t} = values.get({key})")
            with w.block(f"if {t} is not None"):
                w(f"{fact}[{key}] = {_inline(w, field, policy, t)}")
        levels = {}  # field -> (level -> fact key, encoder), as encode_fact pairs them
        for field in policy.fields.values():
            pairs = {lv: k for lv in policy.levels if (k := fact_key(field, lv)) in keys}
            if pairs:
                levels[field.name] = (pairs, _encoder(field, policy))
        if levels:
            field_name, by_level, found, pairs, enc, level, value, key = (w.temp() for _ in range(8))
            with w.block(f"for {field_name}, {by_level} in per_level.items()"):
                w(f"{found} = {w.bind(levels)}.get({field_name})")
                with w.block(f"if {found} is None"):
                    w("continue")
                w(f"{pairs}, {enc} = {found}")
                with w.block(f"for {level}, {value} in {by_level}.items()"):
                    w(f"{key} = {pairs}.get({level})")
                    with w.block(f"if {key} is not None"):
                        w(f"{fact}[{key}] = {enc}({value})")
        w(f"return {fact}")
    return w.build(f"<formasi_rules fact of {policy.digest[:12]}>")[name]


def _number(w: Source, field: Any, policy: Policy, t: str) -> str:
    """A number scaled to an integer (``_encode._encoder``): an int or a Decimal written out; anything
    else, or a value that is not whole once scaled or does not fit 64 bits, through the field's
    encoder, which takes it or says why not."""
    scale, limit, slow = 10 ** field.decimals, w.bind(INT64), w.bind(_encoder(field, policy))
    scaled, whole = w.temp(), w.temp()
    with w.block(f"if type({t}) is {w.bind(int)}"):
        w(f"{scaled} = {t} * {scale}")
    with w.block(f"elif type({t}) is {w.bind(Decimal)}"):
        w(f"{whole} = {t}.scaleb({field.decimals})")
        w(f"{scaled} = int({whole})")
        with w.block(f"if {scaled} != {whole}"):
            w(f"{scaled} = {slow}({t})")
    with w.block("else"):
        w(f"{scaled} = {slow}({t})")
    return f"{scaled} if -{limit} <= {scaled} <= {limit} else {slow}({t})"


def _inline(w: Source, field: Any, policy: Policy, t: str) -> str:
    """The expression encoding ``t`` as ``_encode._encoder(field)`` does (after any statements it
    needs, written first)."""
    if field.kind == "ordered":
        return f"{w.bind(policy.scales[field.scale])}[{t}]"
    if field.kind == "number":
        return _number(w, field, policy, t)
    if field.kind == "date":
        return f"{w.bind(dt.date.toordinal)}({t})"
    if field.kind == "boolean":
        return f"1 if {t} else 0"
    return f"{t} if type({t}) is {w.bind(str)} else {w.bind(str)}({t})"
