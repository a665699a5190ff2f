"""What every ``formasi`` command shares: the command group, running a command body (our errors
become messages and exit codes), dates, and finding the policy to use.

Exit status: 0 all went well; 1 some record was rejected (reported on stderr and in the
output); 2 the command could not run (bad option, bad policy, unreadable file); 3 an
internal error (a bug: set FORMASI_DEBUG=1 to see the traceback and please report it).
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import functools
import os
import re
import select
import sys
import traceback
from pathlib import Path
from typing import NoReturn

import click

from .._dates import date_hint, iso_date
from .._errors import FormasiError, InvalidArgument, Problem
from ..engine import RecordError
from ..formation import Located
from ..inputs import read_records
from ..policy import load_policy, policy_folder
from ..sheets import is_workbook
from ._policies import find_policy, roots
from ._files import Interrupts, exit_status
from ._output import ReaderGone
from ._usage import BilingualGroup


class Date(click.ParamType):
    name = "DATE"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            return iso_date(value)
        except ValueError:
            hint = date_hint(value) if isinstance(value, str) else None
            self.fail(f"expected a date like 2025-10-09, got {value!r} / tanggal seperti 2025-10-09"
                      + (f" ({hint})" if hint else ""), param, ctx)


def echo_problems(problems: list[Problem]) -> None:
    for p in problems:
        click.echo(f"  {p}", err=True)



def echo_rejected(error: RecordError) -> None:
    click.echo(f"rejected {error.where}" + (f" (id {error.candidate})" if error.candidate else "") + ":", err=True)
    echo_problems(list(error.problems))


class Rejections:
    """The rejected records of a run, each said as it comes (:func:`echo_rejected`), and the
    fields no record has counted: one misspelt key (a CSV header's column, a name a system writes
    in every record) spoils every record that gives it, so the end of the run says it once.
    ``earlier`` counts those rejected by the run whose output is read (``formasi expand`` passes
    their error items through)."""

    def __init__(self) -> None:
        self.count = 0
        self.earlier = 0
        self.unknown: collections.Counter[str] = collections.Counter()  # field -> records
        self.hints: dict[str, str | None] = {}

    def add(self, error: RecordError, earlier: bool = False) -> None:
        self.count += 1
        self.earlier += earlier
        echo_rejected(error)
        seen = set()
        for p in error.problems:
            if p.code == UNKNOWN_FIELD and p.path and (field := _field(p.path)) not in seen:
                seen.add(field)
                self.unknown[field] += 1
                self.hints.setdefault(field, p.hint)

    def summary(self) -> None:
        for field, records in self.unknown.most_common():
            if records < 2:
                continue
            hint = self.hints.get(field)
            click.echo(f"note: {records} records were rejected for the field {field!r}, which a record does not "
                       f"have{f' ({hint})' if hint else ''}; in a CSV file, correct that column of the header "
                       f"/ catatan: {records} rekaman ditolak karena field {field!r} tidak dikenal; pada berkas CSV, "
                       "perbaiki kolom itu di baris judul", err=True)


UNKNOWN_FIELD = "I003"


def _field(path: str) -> str:
    """The field a record's problem names, whichever record: "$[3].position.typ" -> "position.typ",
    "$[3].positions[0].x" -> "positions[].x"."""
    rest = path.split("]", 1)[1] if path.startswith("$[") else path[1:]
    return re.sub(r"\[\d+\]", "[]", rest).lstrip(".")


INTERRUPTS = Interrupts()


def _internal_error(exc: BaseException) -> NoReturn:
    if os.environ.get("FORMASI_DEBUG"):
        traceback.print_exception(exc)
    click.echo(f"internal error (a bug in formasi_rules, please report it): "
               f"{type(exc).__name__}: {exc} / galat internal (kesalahan pada formasi_rules, mohon "
               "laporkan; FORMASI_DEBUG=1 menampilkan jejaknya)", err=True)
    sys.exit(3)


def _reader_gone() -> bool:
    """Whether standard output is a pipe whose reader has gone, the one BrokenPipeError that is
    the user's doing (``| head -1``); True where that cannot be told (no poll, no file number)."""
    try:
        poll = select.poll()
        poll.register(sys.stdout.fileno(), select.POLLOUT)  # (POLLERR, POLLHUP are said whatever is asked)
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poll.poll(0))
    except (AttributeError, OSError, ValueError):
        return True


def command(fn):
    """Run a command body: our errors become messages and exit 2, anything else exit 3; Ctrl-C
    and SIGTERM exit 130 and 143; the output's reader gone (``| head -1``, a pipe given to -o) is a quiet
    end (exit 0), another broken pipe (a worker's) a bug (exit 3)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        INTERRUPTS.install()
        try:
            return fn(*args, **kwargs)
        except click.ClickException:  # a usage error: click prints it and exits 2
            raise
        except KeyboardInterrupt as exc:
            sys.exit(exit_status(exc))
        except BrokenPipeError as exc:
            if not (isinstance(exc, ReaderGone) or _reader_gone()):  # another pipe than the output's: a bug
                _internal_error(exc)
            # the reader stopped reading (| head -1), as it may: nothing more to say, and nothing
            # to flush at exit either (that would fail on the closed pipe again)
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except FormasiError as exc:
            lines = str(exc).splitlines()
            click.echo(f"error: {lines[0]}", err=True)
            for line in lines[1:]:
                click.echo(line, err=True)
            sys.exit(2)
        except Exception as exc:  # a bug: say so plainly, without a traceback unless asked
            _internal_error(exc)
        finally:
            INTERRUPTS.restore()

    return wrapper


@click.group(cls=BilingualGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="formasi-rules")
def main() -> None:
    """formasi_rules: appointment and formation decisions from declarative rule files."""


POLICIES = click.option("--policies", type=click.Path(file_okay=False), default=None,
                         help="Folder holding your policy folders [default: ./policies, then the policies "
                              "shipped with formasi_rules; 'formasi policies' lists them].")
POLICY = click.option("--policy", "policy_name", default=None,
                       help="Policy: a name (a folder under --policies), or the path of a policy folder "
                            "(policies/mine, ./mine) [default: the one the folder's 'default' file names].")


def load(policies: str | None, name: str | None):
    """The policy ``name`` (found as find_policy says), or without a name the default of the first
    policies folder that has one (see policy_folder)."""
    return load_policy(policy_root(policies, name))


def policy_root(policies: str | None, name: str | None) -> Path:
    """The folder of the policy :func:`load` loads: ``name`` written as a path (``policies/mine``,
    ``./mine``: with a folder separator) is that folder, as the policy commands take it; a bare
    name is looked up (:func:`find_policy`)."""
    if name is not None:
        if "/" in name or "\\" in name:  # (load_policy says what is wrong with a folder that is no policy)
            return Path(name)
        return find_policy(policies, name)
    for _, root in roots(policies):
        if root.is_dir():
            try:
                return policy_folder(root)
            except InvalidArgument as exc:
                raise click.UsageError(str(exc)) from None
    raise click.UsageError("give --policy NAME (no policies folder was found) / sebutkan --policy NAMA")


def served_root() -> str:
    """The folder ``formasi serve`` serves without --policies: the first that exists, as for load."""
    for _, root in roots(None):
        if root.is_dir():
            return str(root)
    raise click.UsageError("give --policies DIR: no policies folder was found / "
                           "berikan --policies DIR: folder kebijakan tidak ditemukan")


def delimiter_option(ctx, param, value):
    return "\t" if value == "tab" else value


DELIMITER = click.option("--delimiter", type=click.Choice([",", ";", "tab"]), default=None, callback=delimiter_option,
                          help="CSV separator [default: told from the header line; a UTF-8 byte-order "
                               "mark and CRLF are read as well].")


def located(path, delimiter, columns):
    """A CSV path with an explicit separator is read here, so the rows keep their places; its header
    names the ``columns`` of the rows it holds."""
    if path is None or delimiter is None or is_workbook(path):
        return path
    return Located(read_records(path, delimiter=delimiter, columns=columns))
