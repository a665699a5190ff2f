"""Vocabularies: the values a policy names (levels, ranks, ratings, statuses ...), their order,
and the other spellings real exports use for them.

A vocabulary is declared in a policy file::

    vocabularies:
      grade:
        title: {id: nilai, en: grade}
        ordered: true                       # "at least" compares by rank
        values:
          fair: {rank: 3, aliases: [Fair, Average]}
          good: {rank: 4, aliases: [Good]}

``values`` is a list (in order, lowest first) or a mapping of value to its rank (equal ranks
are equal for "at least"), or to ``{rank, aliases, category, title}``. A record's value is read
when it is a value, an alias, or either of them written with other capitals or spaces ("GOOD",
" good "), or two of those naming the same value written together, as personnel exports join a
value's name and its code ("Name (CODE)", "Name, CODE", "Name / CODE", "Name CODE"); anything else
is refused with a suggestion, two spellings naming different values too ("Name (OTHER-CODE)").
(policies/jf_umum declares the real ones.)
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from .._text import Text


def fold(text: str) -> str:
    """The spelling-insensitive form of a value: case, spaces, '_' and '-' do not matter."""
    return re.sub(r"[\s_\-]+", " ", text.strip()).casefold()


# what joins two spellings of one value (spaces made single first): brackets, a comma or semicolon, a
# slash or dash between spaces (a slash or dash inside a spelling, as in a code such as X/a or D-1, joins
# nothing). Nothing longer than MAX_JOINED is split: no spelling is that long, and a pattern run over a
# long text costs time
_JOINED = re.compile(r" ?[(),;] ?| [/-] ")
MAX_JOINED = 200


@attrs.frozen
class Vocabulary:
    """The values of one vocabulary, in order, with their ranks and aliases."""

    name: str
    title: Text
    values: tuple[str, ...]
    ordered: bool
    ranks: dict[str, int]  # value -> rank (ordered vocabularies; equal ranks compare equal)
    aliases: dict[str, str]  # another spelling -> value
    categories: dict[str, str]  # value -> category (levels: keahlian, keterampilan)
    titles: dict[str, Text]
    layer: str = ""
    better: str | None = None  # "higher" or "lower": which way never hurts (checked as an invariant)
    placed: frozenset[str] | None = None  # the values whose rank was written (by place in a list, or
    # rank:); None: all. A layer's value given only aliases keeps the base's rank
    listed: bool = False  # given as a list: each value's rank is its place in it
    _exact: dict[str, str] = attrs.field(factory=dict, eq=False, repr=False)
    _folded: dict[str, str] = attrs.field(factory=dict, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        for spelling, value in (*((v, v) for v in self.values), *self.aliases.items()):
            self._exact.setdefault(spelling, value)
            self._folded.setdefault(fold(spelling), value)

    def read(self, raw: Any) -> str | None:
        """The value ``raw`` names (itself, an alias, or either in other capitals), else None."""
        if not isinstance(raw, str):
            return None
        return self._exact.get(raw) or self._folded.get(fold(raw)) or self._together(raw)

    def _together(self, raw: str) -> str | None:
        """The value two or more spellings joined in ``raw`` all name ("Name (CODE)"), or one
        spelling followed by the value itself after a space ("Name CODE"); else None."""
        named = set(self.joined(raw).values())
        return named.pop() if len(named) == 1 and None not in named else None

    def joined(self, raw: str) -> dict[str, str | None]:
        """Each spelling joined in ``raw`` (:meth:`_together`) -> the value it names, or None; empty
        where ``raw`` joins nothing. (A record's error says which parts disagree.)"""
        raw = " ".join(raw.split())  # (padded as a fixed-width export pads it)
        if len(raw) > MAX_JOINED:
            return {}
        parts = [p.strip() for p in _JOINED.split(raw) if p.strip()]
        if len(parts) < 2:
            head, _, last = raw.rpartition(" ")
            code = self._folded.get(fold(last))  # the value itself, in any capitals
            if not head or code is None or fold(code) != fold(last):
                return {}
            parts = [head, last]
        return {p: self._exact.get(p) or self._folded.get(fold(p)) for p in parts}

    def spellings(self) -> tuple[str, ...]:
        """Every value and alias, for suggestions."""
        return (*self.values, *self.aliases)

    @property
    def exact(self) -> dict[str, str]:
        """Each value and alias as written -> the value it names: :meth:`read` without the
        spelling-insensitive step, for a reader that tries it first (do not change it)."""
        return self._exact

    def changed_by(self, other: Vocabulary) -> list[str]:
        """What a later layer's ``other`` would change of this vocabulary rather than add to it:
        a value's rank (ranks decide every comparison), or a spelling this one reads as another
        value. A layer adds values and aliases only (docs/policy-language.md)."""
        out = [f"{v} has rank {self.ranks[v]} here and {other.ranks[v]} in the layer"
               for v in other.values if v in self.ranks and other.ranks.get(v) != self.ranks[v]
               and (other.placed is None or v in other.placed)]
        missing = [v for v in self.values if v not in other.values]
        if self.ordered and other.listed and missing:  # ranks 1, 2 ... would tie with the base's lowest
            out.append(f"the layer lists values in order without the base's {', '.join(missing[:3])}"
                       f"{' ...' if len(missing) > 3 else ''}: a list gives each value its place, so list every "
                       "value, or give the new ones as a mapping with rank:")
        if self.ordered and other.placed is not None:
            lowest, highest = min(self.ranks.values()), max(self.ranks.values())
            out += [f"{v} is new and has no rank: give it one among the base's ({lowest} to {highest})"
                    for v in other.values if v not in self.ranks and v not in other.placed]
        for alias, value in other.aliases.items():
            meant = self.read(alias)
            if meant is not None and meant != value:
                out.append(f"{alias!r} is read as {meant} here and given to {value} in the layer")
        return out

    def merged(self, other: Vocabulary) -> Vocabulary:
        """This vocabulary extended by a later layer: new values after ours, its aliases added."""
        values = self.values + tuple(v for v in other.values if v not in self.values)
        title = self.title if other.title == Text(other.name, other.name) else other.title  # (none given)
        ranks = {**self.ranks, **{v: r for v, r in other.ranks.items()
                                  if v not in self.ranks or other.placed is None or v in other.placed}}
        return Vocabulary(self.name, title, values, self.ordered or other.ordered,
                          ranks, {**self.aliases, **other.aliases},
                          {**self.categories, **other.categories}, {**self.titles, **other.titles},
                          other.layer, other.better or self.better)
