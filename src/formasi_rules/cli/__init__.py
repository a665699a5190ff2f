"""The ``formasi`` command line. ``formasi --help`` lists the commands.

``formasi`` (the installed script) calls :func:`run`, which imports the commands only when it is
called: the worker processes of ``--jobs N`` import the script's module as theirs (multiprocessing
spawns them so), and they need the engine, not the command line (click, rich and the commands
took them ~40 ms, and each worker starts work that much later). ``main``, the click group, is
imported on first use as before: ``from formasi_rules.cli import main``.
"""

from __future__ import annotations

from typing import Any


def run() -> Any:
    """The ``formasi`` command: parse ``sys.argv`` and run it."""
    from ._main import main

    return main()


def __getattr__(name: str) -> Any:
    if name == "main":
        from ._main import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["main", "run"]
