"""The ``formasi`` command line. ``formasi --help`` lists the commands."""

from ._main import main

__all__ = ["main"]
