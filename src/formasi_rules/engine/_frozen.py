"""Read-only dicts and lists, for the values a reason holds.

Equal reasons are one object shared by every result that has them (and a check's requirement,
citation and table rows are shared by all its reasons): a value changed in place through one
result would change every other result's. These types refuse any change with
:class:`InvalidArgument`, and are still a ``dict`` and a ``list`` to everything that reads them
(``isinstance``, ``==``, orjson and json write them as they are), so reading costs nothing.
``to_dict()`` gives a fresh copy to change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from .._errors import InvalidArgument


def _refuse(self: Any, *args: Any, **kwargs: Any) -> NoReturn:
    raise InvalidArgument(
        f"this {type(self).__name__} is shared by every result that has the same reason (and by the policy's "
        "plan), so it cannot be changed: change a copy (reason.to_dict() gives one, or dict(...) / list(...)) / "
        "nilai alasan dipakai bersama oleh semua hasil dan tidak dapat diubah; ubahlah salinannya")


class ReadOnlyDict(dict):
    """A dict that cannot be changed (see the module)."""

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple:  # pickled (sent by a worker) and copied as a whole, not item by item
        return type(self), (dict(self),)


class ReadOnlyList(list):
    """A list that cannot be changed (see the module)."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = append = extend = insert = pop = remove = clear = sort = \
        reverse = _refuse

    def __reduce__(self) -> tuple:
        return type(self), (list(self),)


_AS_IS = frozenset((str, int, float, bool, type(None), ReadOnlyDict, ReadOnlyList))


def frozen(value: Any) -> Any:
    """``value`` with every dict and list in it read-only (a tuple stays a tuple, of read-only
    items); a value already read-only, or a scalar, is returned as it is."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is dict or isinstance(value, Mapping):
        return ReadOnlyDict({k: frozen(v) for k, v in value.items()})
    if kind is list:
        return ReadOnlyList([frozen(v) for v in value])
    if kind is tuple:
        return tuple([frozen(v) for v in value])
    return value
