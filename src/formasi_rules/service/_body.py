"""Request bodies with limits, and the spool that carries a stream's answers.

``read_body`` refuses a body over the limit as soon as its declared length or the bytes
received pass it, before it is read whole. ``Lines`` cuts a streamed body into JSON Lines
without holding more than one line and one received chunk. ``Spool`` is the first-in
first-out buffer between the thread that evaluates and the response: it keeps up to its
memory limit and spills the rest to a temporary file, so the evaluating thread never
waits for the client. That matters because most HTTP clients (httpx, PHP's curl in the
default mode) send the whole request before they read any of the answer: a server that
waited for them to read would wait forever.
"""

from __future__ import annotations

import collections
import tempfile
import threading
from collections.abc import AsyncIterator

from starlette.requests import Request

from ._errors import BodyTooLarge, ServiceError


def check_encoding(request: Request) -> None:
    """A compressed body (``Content-Encoding: gzip``) is refused (415) naming the encoding: read as
    it is, it would be reported as text that is not UTF-8."""
    coding = request.headers.get("content-encoding", "").strip().lower()
    if coding and coding != "identity":
        raise ServiceError(415, "S415", f"the body is sent with Content-Encoding {coding}, which the service does not "
                           "decode: send it uncompressed", f"isi dikirim dengan Content-Encoding {coding}, yang tidak "
                           "dibaca layanan: kirim tanpa kompresi")


async def read_body(request: Request, limit: int) -> bytes:
    check_encoding(request)
    declared = request.headers.get("content-length")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


class LineTooLong(ServiceError):
    def __init__(self, limit: int, where: str):
        super().__init__(413, "S413", f"a line of the stream is longer than the limit of {limit} bytes",
                         f"satu baris aliran melebihi batas {limit} bita", limit=limit, where=where)


class Lines:
    """Batches of ``(where, line)`` from a streamed body, ``where`` as ``$[3] (line 4)``."""

    def __init__(self, stream: AsyncIterator[bytes], max_line: int):
        self._stream, self._max = stream, max_line
        self._rest = b""
        self.index = 0  # records seen (blank lines are not records)
        self._lineno = 0
        self.done = False
        self._over: LineTooLong | None = None  # a line over the limit, met after lines still to give out

    async def batch(self) -> list[tuple[str, bytes]]:
        """The complete lines of the next chunk(s): at least one, or [] at the end of the body.
        A line over the limit raises LineTooLong, once every line before it has been given out."""
        while not self.done and self._over is None:
            try:
                chunk = await self._stream.__anext__()
            except StopAsyncIteration:
                self.done = True
                chunk = b"\n" if self._rest else b""
            parts = (self._rest + chunk).split(b"\n")
            self._rest = parts.pop()
            out = []
            for line in parts:
                self._lineno += 1
                if len(line) > self._max:
                    self._over = LineTooLong(self._max, f"$[{self.index}] (line {self._lineno})")
                    break
                if line.strip():
                    out.append((f"$[{self.index}] (line {self._lineno})", line))
                    self.index += 1
            else:
                if len(self._rest) > self._max:  # the line still coming is over the limit already
                    self._over = LineTooLong(self._max, f"$[{self.index}] (line {self._lineno + 1})")
            if out:
                return out
        if self._over is not None:
            self.done = True
            raise self._over
        return []


class Spool:
    """A FIFO of byte blocks: in memory up to ``memory`` bytes, then in a temporary file."""

    def __init__(self, memory: int = 4 << 20):
        self._limit = memory
        self._cond = threading.Condition()
        self._blocks: collections.deque[bytes] = collections.deque()
        self._held = 0
        self._file = None
        self._write = self._read = 0
        self._closed = False
        self.peak = 0  # most bytes held in memory at once (for tests and the benchmark)

    def put(self, block: bytes) -> None:
        if not block:
            return
        with self._cond:
            if self._closed:  # discarded: the client went away
                return
            if self._file is None and self._held + len(block) <= self._limit:
                self._blocks.append(block)
                self._held += len(block)
                self.peak = max(self.peak, self._held)
            else:  # once spilling, everything goes behind what is on disk, to keep the order
                if self._file is None:
                    self._file = tempfile.TemporaryFile()
                self._file.seek(self._write)
                self._file.write(block)
                self._write += len(block)
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()

    def discard(self) -> None:
        """Drop what is held (and its file) and take no more: nobody will read it."""
        with self._cond:
            self._closed = True
            self._blocks.clear()
            self._held = 0
            if self._file is not None:
                self._file.close()
                self._file, self._read, self._write = None, 0, 0
            self._cond.notify()

    def get(self) -> bytes | None:
        """The next block, waiting for one; None once closed and drained."""
        with self._cond:
            while True:
                if self._blocks:
                    block = self._blocks.popleft()
                    self._held -= len(block)
                    return block
                if self._file is not None and self._read < self._write:
                    self._file.seek(self._read)
                    block = self._file.read(min(self._write - self._read, 1 << 20))
                    self._read += len(block)
                    if self._read == self._write:
                        self._file.close()
                        self._file, self._read, self._write = None, 0, 0
                    return block
                if self._closed:
                    return None
                self._cond.wait()
