"""Usage errors in both languages: click words a bad option, a missing argument or an unknown
command in English; the ``formasi`` group adds the same in Bahasa Indonesia after " / ", as every
other message of the command does. A message that already has both is left as it is."""

from __future__ import annotations

import re
from typing import Any

import click

_QUOTED = re.compile(r"'([^']*)'")


def indonesian(exc: click.UsageError) -> str | None:
    """The Indonesian words of a usage error click raised (None: it has them already, or is not one
    of click's)."""
    english = exc.format_message()
    if " / " in english:
        return None
    names = _QUOTED.findall(english)
    first = f"'{names[0]}'" if names else ""
    if isinstance(exc, click.NoSuchOption):
        guess = f"; maksud Anda {_listed(exc.possibilities)}?" if exc.possibilities else ""
        return f"opsi {first} tidak ada{guess}"
    if isinstance(exc, click.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else None)
        what = {"argument": "argumen", "option": "opsi"}.get(kind, "nilai")
        return f"{what} {first} wajib diberikan".replace("  ", " ")
    if isinstance(exc, click.BadParameter):
        choices = re.search(r"is not one of (.*)\.$", english)
        return f"nilai tidak sah untuk {first}" + (f"; pilihan: {choices.group(1)}" if choices else "")
    if isinstance(exc, click.BadOptionUsage) and "requires an argument" in english:
        return f"opsi {first} memerlukan nilai"
    if english.startswith("No such command"):
        guess = f" (maksud Anda {_listed(names[1:])}?)" if len(names) > 1 else ""
        return f"perintah {first} tidak ada{guess}"
    if english.startswith("Got unexpected extra argument"):
        extra = re.search(r"\((.*)\)", english)
        return f"argumen berlebih: {extra.group(1) if extra else ''}"
    return "perintah ini tidak dapat dijalankan seperti itu; lihat --help"


def _listed(names: Any) -> str:
    return ", ".join(f"'{n}'" for n in names)


class _Bilingual(click.UsageError):
    """A usage error shown in English, then in Bahasa Indonesia."""

    def __init__(self, original: click.UsageError, words: str):
        super().__init__(original.format_message(), original.ctx)
        self.exit_code = original.exit_code
        self.words = words

    def format_message(self) -> str:
        return f"{self.message} / {self.words}"


def _translated(exc: click.UsageError) -> click.UsageError:
    words = None if isinstance(exc, _Bilingual) else indonesian(exc)
    return exc if words is None else _Bilingual(exc, words)


class BilingualGroup(click.Group):
    """A click group whose usage errors, its commands' included, speak both languages."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            raise _translated(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _translated(exc) from None
