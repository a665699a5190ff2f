"""The engine fact of a plan, written as Python code: what :func:`._encode.encode_fact` gives,
each field's encoding decided when the code is written, not per value.

A value the inline encodings do not take (a Decimal, a number too large) goes through the
field's own encoder from ``_encode``; an error of any kind is left to ``encode_fact``, which
words it (the caller, ``_stages._encoded``, runs it again on the slow path).

:class:`FactCode` writes the same readings and encodings into locals of a larger function instead
of a dict: ``_memo.ValueRecall`` asks a backend's memo with them, so a fact the memo answers is never
built.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable

from ..policy import Policy
from ._encode import INT64, _encoder, fact_key
from ._memo import keep
from ._source import Source

ATTRIBUTES = frozenset(("get", "items", "scaleb"))
MAX_LACKING = 1024  # sets of missing keys FactCode remembers (a batch meets few)


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


class FactCode:
    """A plan's fact (``keys``) as :func:`fact_encoder` makes it, written into locals of generated
    code: :meth:`read` each key's value as given, :meth:`key` it for a look-up that tells apart only
    values encoded otherwise, :meth:`encode` it as the fact holds it (a mask of the keys a fact lacks
    has bit ``i`` for ``order[i]``: :meth:`lacking`).

    ``slots`` (``GeneratedDeriver.slots``: field -> slot of the frame, None for an unknown value):
    where every value the fact takes is in one, the code reads the values from the slots of the
    candidate's frame, not from a dict of them (``Derived.given(code.slots)`` is what to pass)."""

    def __init__(self, policy: Policy, keys: frozenset[str], slots: dict[str, int] | None = None):
        self.policy = policy
        self.order = tuple(sorted(keys))
        sources: dict[str, list[tuple[str, str | None]]] = {key: [] for key in self.order}
        for name in policy.fields:  # where encode_fact takes each key from: a value, or a per-level value
            if name in sources:
                sources[name].append((name, None))
        for name, field in policy.fields.items():
            for level in policy.levels:
                key = fact_key(field, level)
                if key in sources and (field.per_level or key != name):
                    sources[key].append((name, level))
        # a key written twice (encode_fact's last write wins) is left to the fact: no code is written
        self.writable = all(len(found) <= 1 for found in sources.values())
        self._sources = {key: found[0] if found else None for key, found in sources.items()}
        # fields read as plain values that encode_fact would overwrite with a per-level value of the same
        # name (a field not declared per level): a Derived holding one is left to the fact (covers)
        self._overwritten = frozenset(n for n, f in policy.fields.items() if n in sources and not f.per_level)
        self._lacking: dict[int, frozenset[str]] = {}
        plain = {found[0] for found in self._sources.values() if found is not None and found[1] is None}
        self.slots = slots if slots is not None and plain <= slots.keys() else None

    def read(self, w: Source, key: str, missing: str, by_level: dict[str, str]) -> tuple[str, str]:
        """Write the statements reading ``key``'s value as given, from ``values`` (a dict, or the
        slots: see ``slots``) or ``per_level`` (the generated function's parameters): the local
        holding it, and what it holds where the fact would lack the key: ``None`` for a value of the
        record or derived (a value not known), the name ``missing`` for a per-level value (which the
        fact holds, encoded, even where it is None, as encode_fact does) and a key no field gives.
        ``by_level``: the locals of the per-level values read so far (field -> local), shared by
        the calls of one function."""
        t = w.temp()
        source = self._sources[key]
        if source is None:  # no field gives it: the fact never holds it
            w(f"{t} = {missing}")
            return t, missing
        name, level = source
        if level is None:
            w(f"{t} = values[{self.slots[name]}]" if self.slots is not None else f"{t} = values.get({w.bind(name)})")
            return t, "None"
        levels = by_level.get(name)
        if levels is None:
            levels = by_level[name] = w.temp()
            w(f"{levels} = per_level.get({w.bind(name)})")
        w(f"{t} = {missing} if {levels} is None else {levels}.get({w.bind(level)}, {missing})")
        return t, missing

    def encode(self, w: Source, key: str, value: str, missing: str) -> str:
        """Write the statements encoding a value :meth:`read` left in ``value`` (``missing`` where the
        fact lacks the key) as the fact holds it: the local holding it (``missing`` stays itself).
        An encoding that fails raises, as fact_encoder's does."""
        source = self._sources[key]
        if source is None:
            return value
        name, level = source
        field, t = self.policy.fields[name], w.temp()
        with w.block(f"if {value} is {missing}"):
            w(f"{t} = {missing}")
        with w.block("else"):
            if level is None:
                w(f"{t} = {_inline(w, field, self.policy, value)}")
            else:
                w(f"{t} = {w.bind(_encoder(field, self.policy))}({value})")
        return t

    def key(self, w: Source, key: str, value: str, absent: str) -> str:
        """An expression of a value :meth:`read` left in ``value`` (``absent``: what it holds where the
        fact lacks the key) that equals another only where the two encode alike: the value itself where
        it is ``absent``, or of a type whose equal values encode alike (any ordered value, which its
        scale looks up; a number of exactly ``int`` or ``Decimal``; a date of exactly ``date``; text of
        exactly ``str``; exactly ``True`` or ``False``). Any other, which Python may find equal to one
        of those although it encodes otherwise (``1`` and ``True``, ``1.0``, a subclass, a datetime,
        whose equal instants may fall on other days): its encoding, in a tuple (raising where the
        encoding refuses it)."""
        source = self._sources[key]
        field = self.policy.fields[source[0]] if source is not None else None
        if field is None or field.kind == "ordered":
            return value
        trusted = {"number": (int, Decimal), "date": (dt.date,), "boolean": (bool,)}.get(field.kind, (str,))
        encoder = w.bind(_encoder(field, self.policy))
        if absent == "None":  # (one look: None's type is trusted with them)
            return f"{value} if type({value}) in {w.bind(frozenset((*trusted, type(None))))} else ({encoder}({value}),)"
        return f"{value} if {value} is {absent} or type({value}) in {w.bind(frozenset(trusted))} else ({encoder}({value}),)"

    def covers(self, per_level: dict[str, Any]) -> bool:
        """Whether the code of :meth:`read` gives what encode_fact would of these per-level values (else
        the fact must be built): none of them is of a field read as a plain value."""
        return not per_level or self._overwritten.isdisjoint(per_level)

    def lacking(self, mask: int) -> frozenset[str]:
        """The keys a mask of :meth:`read` names (one frozenset per mask, kept)."""
        found = self._lacking.get(mask)
        if found is None:
            found = frozenset(k for i, k in enumerate(self.order) if mask >> i & 1)
            keep(self._lacking, mask, found, MAX_LACKING)
        return found


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
