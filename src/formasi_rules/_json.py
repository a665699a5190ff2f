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


def copied(value: Any) -> Any:
    """``value`` with every dict and list in it (and any mapping, tuple or list of a subclass) new:
    a plain copy its receiver may change without changing what it was copied from."""
    if isinstance(value, dict):
        return {k: copied(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [copied(v) for v in value]
    return value
