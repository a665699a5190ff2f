"""Where the command line writes, and how it stops.

- Output goes to a temporary file beside the target, moved into place only once the run has
  produced output (it ended, or was interrupted with what was done); a run that failed before
  leaves an existing file as it was. What is not a regular file (``/dev/stdout``, a FIFO,
  ``/dev/full``) is written directly, since it cannot be replaced.
- A folder that is missing or read-only, a full disk: a :class:`FormasiError` naming the file
  (exit 2), never an internal error.
- SIGTERM is handled like Ctrl-C (:class:`Terminated` is a KeyboardInterrupt), and neither
  lands in the middle of writing one record: :class:`Interrupts` holds them while a record is
  written, so the output is valid and holds exactly the records it says.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .._errors import FormasiError


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where a KeyboardInterrupt would be."""


class Interrupts:
    """SIGINT and SIGTERM raise KeyboardInterrupt / Terminated, but not inside :meth:`held`."""

    def __init__(self) -> None:
        self._holding = 0
        self._pending: int | None = None
        self._old: dict[int, object] = {}

    def install(self) -> Interrupts:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                self._old[sig] = signal.signal(sig, self._handle)
            except ValueError:  # not the main thread (CliRunner in a thread): leave them be
                pass
        return self

    def restore(self) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)
        self._old.clear()

    def _handle(self, signum: int, frame: object) -> None:
        if self._holding:
            self._pending = signum
            return
        self._raise(signum)

    @staticmethod
    def _raise(signum: int) -> None:
        raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1
        if not self._holding and self._pending is not None:
            signum, self._pending = self._pending, None
            self._raise(signum)


def exit_status(exc: KeyboardInterrupt) -> int:
    """128 + the signal's number, as shells report a process ended by it."""
    return 128 + (signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT)


def cannot_write(path: str | os.PathLike, exc: OSError) -> FormasiError:
    reason = exc.strerror or str(exc)
    folder = Path(path).parent
    hint = ""
    if isinstance(exc, FileNotFoundError) and not folder.is_dir():
        hint = f"; the folder {folder} does not exist"
    elif isinstance(exc, PermissionError):
        hint = f"; the folder {folder} is not writable here"
    return FormasiError(f"cannot write {path}: {reason}{hint} / berkas keluaran tidak dapat ditulis")


@contextlib.contextmanager
def writing(path: str | os.PathLike) -> Iterator[None]:
    """An OSError while ``path`` is written (a missing folder, no permission) as the user's error."""
    try:
        yield
    except OSError as exc:
        raise cannot_write(path, exc) from None


def write_text(path: str | os.PathLike, text: str) -> None:
    """``text`` as the whole of ``path``, which it replaces only once written (:class:`Output`)."""
    sink = Output(path)
    try:
        with writing(path):
            sink.file.write(text)
    except BaseException:
        sink.discard()
        raise
    sink.commit()


class Output:
    """An output file written in full before it replaces ``path``.

    ``commit()`` moves it into place; ``discard()`` removes it and leaves ``path`` as it was.
    """

    def __init__(self, path: str | os.PathLike, newline: str | None = None):
        self.path = str(path)
        self._temp: str | None = None
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise cannot_write(self.path, exc) from None
        try:
            if st is not None and not stat.S_ISREG(st.st_mode):  # a device or a pipe: written as it is
                self.file: IO[str] = open(self.path, "w", encoding="utf-8", newline=newline)
                return
            folder = os.path.dirname(os.path.abspath(self.path))
            fd, self._temp = tempfile.mkstemp(prefix=f".{os.path.basename(self.path)}.", suffix=".part",
                                              dir=folder)
            os.chmod(self._temp, stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask())
            self.file = os.fdopen(fd, "w", encoding="utf-8", newline=newline)
        except OSError as exc:
            raise cannot_write(self.path, exc) from None

    def commit(self) -> None:
        try:
            self.file.close()
            if self._temp is not None:
                os.replace(self._temp, self.path)
                self._temp = None
        except OSError as exc:
            self.discard()
            raise cannot_write(self.path, exc) from None

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()
        if self._temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._temp)
            self._temp = None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
