"""The ``formasi`` command: the group (cli/_common.py) with every command registered.

Each command lives in a module named for what it does; importing them registers them on ``main``.
"""

from . import _book, _diff, _evaluate, _formation, _policy_commands, _serve  # noqa: F401 - they register
from ._common import main

main.add_command(_book.book)
main.add_command(_diff.diff)

__all__ = ["main"]
