"""One candidate, one record: a later record with an id already seen in the same input is
an error record naming the first (docs/input-format.md says why).

The ids seen are kept as 64-bit digests with the index of their first record, in tables of
arrays: 15-23 bytes per record (about 18 MB per million distinct ids), rather than a set of
strings (over 100 bytes each). Where the input tells records' lines (a file), the first record's
line is told from its index: a record's line is its index plus the difference of the last record
whose line did not follow on, so only those (a blank line, a record over several lines) are kept,
8 bytes each. The digest is Python's own hash of the text (SipHash, keyed afresh
in every process, so ids cannot be chosen to collide; a batch is told apart in one process). Two
different ids share a digest with a probability of about n²/2⁶⁵ (3·10⁻⁸ for a million records).
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterator
from typing import Any

from .._errors import Problem
from ..inputs import path_of
from ._result import Block, RecordError, Rendered, Result

_MAX = 0xFFFFFFFF  # an index or a line past 32 bits is kept as this


class SeenIds:
    """Ids with the index of the record that first had each, and the records' lines.

    A 64-bit digest and a 32-bit index per slot, in 256 open-addressing tables chosen by the
    digest's top byte, each at most 80 % full and grown by half on its own: 15-23 bytes per id,
    and growing one table never holds more than 1/256 of the whole twice."""

    PARTS = 256

    def __init__(self, size: int = 61):
        self._keys = [array("Q", bytes(8 * size)) for _ in range(self.PARTS)]  # 0: empty
        self._first = [array("I", bytes(4 * size)) for _ in range(self.PARTS)]
        self._counts = [0] * self.PARTS
        # index << 32 | line of each record whose line is not the one before's plus one (line 0: records
        # from there on have none), in index order; and the last one's line less its index
        self._steps = array("Q")
        self._offset: int | None = None

    def add(self, ident: str, index: int, line: int = 0) -> str | None:
        """None if ``ident`` is new (it is then kept with ``index``, its record beginning on ``line``,
        0 where not known), else the place of its first record: ``$[0]``, or ``$[0] (line 2)``.
        ``index`` grows from one call to the next."""
        index = min(index, _MAX)
        if (line - index if line else None) != self._offset:
            self._steps.append(index << 32 | min(line, _MAX))
            self._offset = line - index if line else None
        key = hash(ident) & 0xFFFFFFFFFFFFFFFF or 1
        part = key >> 56
        keys = self._keys[part]
        size = len(keys)
        slot = key % size
        while True:
            found = keys[slot]
            if found == 0:
                keys[slot], self._first[part][slot] = key, index
                self._counts[part] += 1
                if self._counts[part] * 5 > size * 4:
                    self._grow(part)
                return None
            if found == key:
                return self._place(self._first[part][slot])
            slot = slot + 1 if slot + 1 < size else 0

    def _place(self, index: int) -> str:
        """``$[index]``, with the record's line where it was given."""
        at = bisect.bisect_right(self._steps, index << 32 | _MAX) - 1
        step = self._steps[at] if at >= 0 else 0
        line = step & _MAX and (step & _MAX) + index - (step >> 32)
        return f"$[{index}] (line {line})" if line else f"$[{index}]"

    def _grow(self, part: int) -> None:
        old_keys, old_first = self._keys[part], self._first[part]
        size = len(old_keys) * 3 // 2 + 1
        keys, first = array("Q", bytes(8 * size)), array("I", bytes(4 * size))
        for key, index in zip(old_keys, old_first):
            if key:
                slot = key % size
                while keys[slot]:
                    slot = slot + 1 if slot + 1 < size else 0
                keys[slot], first[slot] = key, index
        self._keys[part], self._first[part] = keys, first


def _line(where: str) -> int:
    """The line a record's place names ("$[3] (line 5)" -> 5), 0 where it names none."""
    if where[-1:] == ")":
        at = where.rfind(" (line ")
        if at >= 0 and (number := where[at + 7:-1]).isdigit():
            return int(number)
    return 0


def duplicate(ident: str, index: int, first: str, where: str = "") -> RecordError:
    """The error record of a later record with id ``ident``, at ``where`` in the input ("$[5] (line 7)";
    by default ``$[index]``), naming the first record with it at its place ``first`` ("$[0] (line 2)")."""
    where = where or f"$[{index}]"
    return RecordError(where, ident, (Problem(
        "I031", f"id {ident!r} sudah dipakai oleh rekaman {first}",
        f"the id {ident!r} was already given to the record at {first}; each candidate has one record "
        "in an input (a later one with the same id is not evaluated, so no one is counted or given a "
        "place twice)", path=f"{path_of(where)}.id", hint=f"merge it into {first}, or give it its own id"),))


def unique(items: Iterator[Any], blocks: bool) -> Iterator[Any]:
    """The stream of results (or Blocks of them) with every later duplicate made an error record."""
    try:
        yield from _unique(items, blocks)
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()  # the workers end with the stream, not when it is collected


def _unique(items: Iterator[Any], blocks: bool) -> Iterator[Any]:
    seen = SeenIds()
    index = 0
    for item in items:
        if not blocks:
            if isinstance(item, (Result, Rendered)):
                where = getattr(item, "where", "")
                first = seen.add(item.candidate, index, _line(where))
                if first is not None:
                    item = duplicate(item.candidate, index, first, where)
            index += 1
            yield item
            continue
        twice = []
        wheres = item.wheres
        for offset, ident in enumerate(item.ids):
            if ident is not None:
                where = wheres[offset] if wheres else ""
                first = seen.add(ident, index + offset, _line(where))
                if first is not None:
                    twice.append((offset, duplicate(ident, index + offset, first, where)))
        index += item.count
        yield _replaced(item, twice) if twice else item


def _replaced(block: Block, twice: list[tuple[int, RecordError]]) -> Block:
    lines = block.text.split(b"\n")  # the last is the empty one after the final newline
    ids = list(block.ids)
    for offset, error in twice:
        lines[offset] = error.to_bytes()
        ids[offset] = None
    errors = tuple(sorted((*block.errors, *twice), key=lambda e: e[0]))
    return Block(b"\n".join(lines), block.count, errors, tuple(ids), block.wheres)
