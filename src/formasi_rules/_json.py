"""Walking a JSON value (dicts, lists and scalars, as a parser gives them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def leaves(value: Any) -> Iterator[Any]:
    """Every scalar anywhere in ``value`` (depth first, without recursion: a deep value is safe)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            yield item
