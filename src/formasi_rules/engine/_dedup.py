"""One candidate, one record: a later record with an id already seen in the same input is
an error record naming the first (docs/input-format.md says why).

The ids seen are kept as 64-bit digests in an open-addressing table of two arrays, about
20 bytes per record (20 MB per million), rather than as a set of strings (over 100 bytes
each): a batch's memory stays nearly flat. Two different ids share a digest with a
probability of about n²/2⁶⁵ (3·10⁻⁸ for a million records).
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterator
from typing import Any

from .._errors import Problem
from ._result import Block, RecordError, Result


class SeenIds:
    """Ids with the index of the record that first had each."""

    def __init__(self, size: int = 1024):
        self._keys = array("Q", bytes(8 * size))  # 0: empty
        self._first = array("Q", bytes(8 * size))
        self._count = 0

    def add(self, ident: str, index: int) -> int | None:
        """None if ``ident`` is new (it is then kept with ``index``), else the index of its first record."""
        key = int.from_bytes(hashlib.blake2b(ident.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                             "little") or 1
        keys = self._keys
        mask = len(keys) - 1
        slot = key & mask
        while True:
            found = keys[slot]
            if found == 0:
                keys[slot], self._first[slot] = key, index
                self._count += 1
                if self._count * 4 > len(keys) * 3:
                    self._grow()
                return None
            if found == key:
                return self._first[slot]
            slot = (slot + 1) & mask

    def _grow(self) -> None:
        old = [(k, f) for k, f in zip(self._keys, self._first) if k]
        size = len(self._keys) * 2
        self._keys, self._first = array("Q", bytes(8 * size)), array("Q", bytes(8 * size))
        mask = size - 1
        for key, first in old:
            slot = key & mask
            while self._keys[slot]:
                slot = (slot + 1) & mask
            self._keys[slot], self._first[slot] = key, first


def duplicate(ident: str, index: int, first: int) -> RecordError:
    return RecordError(f"$[{index}]", ident, (Problem(
        "I031", f"id {ident!r} sudah dipakai oleh rekaman $[{first}]",
        f"the id {ident!r} was already given to the record at $[{first}]; each candidate has one record "
        "in an input (a later one with the same id is not evaluated, so no one is counted or given a "
        "place twice)", path=f"$[{index}].id", hint=f"merge it into $[{first}], or give it its own id"),))


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
            if isinstance(item, Result):
                first = seen.add(item.candidate, index)
                if first is not None:
                    item = duplicate(item.candidate, index, first)
            index += 1
            yield item
            continue
        twice = []
        for offset, ident in enumerate(item.ids):
            if ident is not None:
                first = seen.add(ident, index + offset)
                if first is not None:
                    twice.append((offset, duplicate(ident, index + offset, first)))
        index += item.count
        yield _replaced(item, twice) if twice else item


def _replaced(block: Block, twice: list[tuple[int, RecordError]]) -> Block:
    lines = [line for line, _ in block.lines()]
    ids = list(block.ids)
    for offset, error in twice:
        lines[offset] = error.to_json()
        ids[offset] = None
    errors = tuple(sorted((*block.errors, *twice), key=lambda e: e[0]))
    return Block("".join(line + "\n" for line in lines).encode(), block.count, errors, tuple(ids))
