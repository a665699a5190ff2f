"""One candidate, one record: a later record with an id already seen in the same input is
an error record naming the first (docs/input-format.md says why). A record refused for its own
problems claims its id too: a later one is not evaluated in its stead (which of the two counts
would otherwise change once the first is corrected); a later refused one keeps its own problems.

The ids seen are kept as 64-bit digests with the index of their first record in the stream, in
tables of arrays: 15-23 bytes per record (about 18 MB per million distinct ids), rather than a set
of strings (over 100 bytes each). The first record is named by its own place as the input gave it
(``$[3] (line 5)``: a file's index and line, which a batch over several files restarts), told from
its index in the stream: a record's place is its index plus the differences of the last record
whose place did not follow on from the one before's, so only those are kept (a blank line, a record
over several lines, a new file: 12 bytes each; none for JSON Lines or CSV without blank lines). The
digest is Python's own hash of the text (SipHash, keyed afresh in every process, so ids cannot be
chosen to collide; a batch is told apart in one process). Two different ids share a digest with a
probability of about n²/2⁶⁵ (3·10⁻⁸ for a million records).
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterator, Sequence
from typing import Any

from .._errors import Problem
from ..inputs import path_of
from ._result import Block, RecordError, Rendered, Result

_MAX = 0xFFFFFFFF  # past 32 bits an index is kept as this, and no place is told from it


class SeenIds:
    """Ids with the index of the record that first had each, and the places of the records.

    A 64-bit digest and a 32-bit index per slot, in 256 open-addressing tables chosen by the
    digest's top byte, each at most 80 % full and grown by half on its own: 15-23 bytes per id,
    and growing one table never holds more than 1/256 of the whole twice."""

    PARTS = 256

    def __init__(self, size: int = 61):
        self._keys = [array("Q", bytes(8 * size)) for _ in range(self.PARTS)]  # 0: empty
        self._first = [array("I", bytes(4 * size)) for _ in range(self.PARTS)]
        self._counts = [0] * self.PARTS
        # the records whose place does not follow on from the one before's, in stream order: index << 32 |
        # line (0: none given), and the index its place names; and the last one's differences
        self._steps, self._own = array("Q"), array("I")
        self._shift: tuple[int, int | None] = (0, None)

    def places(self, index: int, wheres: Sequence[str]) -> None:
        """Note the places of consecutive records from ``index`` on in the stream (``$[3] (line 5)``, ""
        where the input names none): kept only where one does not follow on from the one before. The
        places that would follow on are written out and compared at once (most blocks: 0.1 µs a record
        rather than 0.8 for reading each place)."""
        if index + len(wheres) >= _MAX:
            return  # past 32 bits no place is told (the index is kept as _MAX)
        own, line = self._shift
        if line is None and own == 0 and not any(wheres):
            return  # no place named, as before: the stream's index is the record's
        start = index + own
        expected = [f"$[{start + k}]" for k in range(len(wheres))] if line is None else \
            [f"$[{start + k}] (line {index + line + k})" for k in range(len(wheres))]
        if list(wheres) == expected:
            return
        for at, where in enumerate(wheres, index):
            own, line = _place(where)
            if own < 0 or own >= _MAX or line >= _MAX:
                own, line = at, 0
            shift = (own - at, line - at if line else None)
            if shift != self._shift:
                self._steps.append(at << 32 | line)
                self._own.append(own)
                self._shift = shift

    def add(self, ident: str, index: int) -> str | None:
        """None if ``ident`` is new (it is then kept with the record's ``index`` in the stream), else the
        place of its first record: ``$[0]``, or ``$[0] (line 2)`` as :meth:`places` noted it. ``index``
        grows from one call to the next."""
        key = hash(ident) & 0xFFFFFFFFFFFFFFFF or 1
        part = key >> 56
        keys = self._keys[part]
        size = len(keys)
        slot = key % size
        while True:
            found = keys[slot]
            if found == 0:
                keys[slot], self._first[part][slot] = key, min(index, _MAX)
                self._counts[part] += 1
                if self._counts[part] * 5 > size * 4:
                    self._grow(part)
                return None
            if found == key:
                return self._where(self._first[part][slot])
            slot = slot + 1 if slot + 1 < size else 0

    def _where(self, index: int) -> str:
        """The place of the record at ``index`` in the stream, as its input named it."""
        if index >= _MAX:
            return f"$[{index}]"
        at = bisect.bisect_right(self._steps, index << 32 | _MAX) - 1
        if at < 0:
            return f"$[{index}]"
        step = self._steps[at]
        since = index - (step >> 32)
        own, line = self._own[at] + since, step & _MAX
        return f"$[{own}] (line {line + since})" if line else f"$[{own}]"

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


def _place(where: str) -> tuple[int, int]:
    """The index and line a record's place names ("$[3] (line 5)" -> (3, 5)); -1 for an index it does
    not name, 0 for a line."""
    if where[:2] != "$[":
        return -1, 0
    close = where.find("]", 2)
    own = where[2:close]
    if close < 0 or not (own.isascii() and own.isdigit()):
        return -1, 0
    line = 0
    if where[-1:] == ")" and where[close + 1:close + 8] == " (line ":
        number = where[close + 8:-1]
        line = int(number) if number.isascii() and number.isdigit() else 0
    return int(own), line


def duplicate(ident: str, index: int, first: str, where: str = "") -> RecordError:
    """The error record of a later record with id ``ident``, at ``where`` in the input ("$[5] (line 7)";
    by default ``$[index]``), naming the first record with it at its place ``first`` ("$[0] (line 2)")."""
    where = where or f"$[{index}]"
    return RecordError(where, ident, (Problem(
        "I031", f"id {ident!r} sudah dipakai oleh rekaman {first}",
        f"the id {ident!r} was already given to the record at {first}; each candidate has one record "
        "in an input (a later one with the same id is not evaluated, so no one is counted or given a "
        "place twice)", path=f"{path_of(where)}.id",
        hint=f"merge it into {first}, or give it its own id / gabungkan ke rekaman {first}, atau beri id tersendiri"),))


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
                seen.places(index, (where,))
                first = seen.add(item.candidate, index)
                if first is not None:
                    item = duplicate(item.candidate, index, first, where)
            elif isinstance(item, RecordError) and item.candidate is not None:
                seen.places(index, (item.where,))
                seen.add(item.candidate, index)  # (its own problems said: it claims the id all the same)
            index += 1
            yield item
            continue
        twice = []
        wheres = item.wheres
        seen.places(index, wheres or ("",) * item.count)
        refused = dict(item.errors) if item.errors else None
        for offset, ident in enumerate(item.ids):
            if ident is not None:
                first = seen.add(ident, index + offset)
                if first is not None:
                    twice.append((offset, duplicate(ident, index + offset, first, wheres[offset] if wheres else "")))
            elif refused is not None and (error := refused.get(offset)) is not None and error.candidate is not None:
                seen.add(error.candidate, index + offset)
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
