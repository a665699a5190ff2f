"""``POST /v1/evaluate`` with ``Content-Type: application/x-ndjson``: JSON Lines in and out.

The output is what ``formasi evaluate --format jsonl`` writes (the compact layout by
default, its catalogue on the first line). Memory stays bounded however long the stream:

    body --Lines--> bounded queue --> evaluating thread --> Spool --> response

The event loop only cuts lines and moves bytes; one thread per stream parses and
evaluates. The queue holds a few received chunks, so a client sending faster than the
engine evaluates is slowed by TCP; the spool holds answers the client has not read yet
(in memory up to a limit, then in a temporary file). The response starts once the first
record is evaluated, so its ``Formasi-Policy`` header names the version of every line.

Errors before that are problem responses (413 for a line over the limit, 422 for bad
options). After it the status is sent; an error then (a line too long, too many records)
is a last line ``{"error": {...}}`` like a rejected record's, and the stream ends.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

import anyio
import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.types import Receive, Scope, Send

from .. import InputError, Problem, RecordError
from ..inputs import JsonLine, path_of
from ._body import Lines, Spool, check_encoding
from ._errors import ServiceError, too_many_records
from ._evaluate import begin
from ._options import Options

log = logging.getLogger("formasi.service")
MEDIA = "application/x-ndjson"
_END = None
FLUSH_BYTES = 64 << 10


class _Stop(Exception):
    pass


def _parse(where: str, raw: bytes) -> Any:
    """One line of the stream as ``formasi evaluate`` reads a JSON Lines file's: a JsonLine the
    engine reads in one pass or the detailed way (a key given twice, a number too long, NaN, each
    the record's error), or the InputError of a line that is not UTF-8."""
    line = int(where.rsplit(" ", 1)[1].rstrip(")"))
    if line == 1 and raw.startswith(b"\xef\xbb\xbf"):  # a byte-order mark, as formasi evaluate skips it
        raw = raw[3:]
    try:
        return JsonLine(raw.decode("utf-8"), None, line)
    except UnicodeDecodeError as exc:
        return InputError([Problem("I012", "baris bukan teks UTF-8", f"the line is not UTF-8 text (byte "
                                   f"0x{raw[exc.start]:02x}); send UTF-8", line=line, column=exc.start + 1)])


def _error_line(error: ServiceError, where: str) -> bytes:
    problem = Problem(error.code, error.id, error.en, path=path_of(where))
    return orjson.dumps(RecordError(where, None, (problem,)).to_dict()) + b"\n"


class Stream:
    """One streamed evaluation: a reader on the event loop, an evaluating thread, a spool."""

    def __init__(self, request: Request, options: Options, begin_lock: threading.Lock, *,
                 max_line: int, max_records: int | None, spool_memory: int, metrics, request_id: str):
        self.request, self.options, self.begin_lock = request, options, begin_lock
        check_encoding(request)
        self.lines = Lines(request.stream(), max_line)
        self.max_records = max_records
        self.inbox: queue.Queue = queue.Queue(maxsize=8)
        self.spool = Spool(spool_memory)
        self.metrics, self.request_id = metrics, request_id
        self.cancelled = threading.Event()
        self.started = threading.Event()
        self.finished = threading.Event()
        self.identity: dict[str, str] | None = None
        self.failure: BaseException | None = None
        self.evaluated = self.rejected = 0

    async def start(self) -> None:
        """Read up to the first record and evaluate it; a ServiceError here is the answer."""
        first = await self.lines.batch()
        first, over = self._cut(first)
        if over is not None and not first:
            raise over
        self.inbox.put_nowait(first if first else _END)
        if over is not None:  # the records within the limit are answered, then this (as in _read)
            self.inbox.put_nowait(_error_line(over, f"$[{self.max_records}]"))
            self.lines.done = True
        elif first and self.lines.done:
            self.inbox.put_nowait(_END)
        threading.Thread(target=self._work, name="formasi-stream", daemon=True).start()
        await anyio.to_thread.run_sync(self.started.wait)
        if self.failure is not None:
            raise self.failure

    def _cut(self, batch: list) -> tuple[list, ServiceError | None]:
        """The records of a batch within the stream's limit, and the error if it was passed."""
        if self.max_records is None or self.lines.index <= self.max_records:
            return batch, None
        keep = max(0, len(batch) - (self.lines.index - self.max_records))
        return batch[:keep], too_many_records(self.max_records)

    # --- the evaluating thread --------------------------------------------------------------

    def _records(self):
        while True:
            if self.inbox.empty():
                self._flush()  # the client has everything evaluated so far while we wait
            batch = self.inbox.get()
            if batch is _END or self.cancelled.is_set():
                return
            if isinstance(batch, bytes):  # an error line from the reader: the stream ends with it
                self._flush()
                self.spool.put(batch)
                return
            for where, raw in batch:
                yield where, _parse(where, raw)

    def _work(self) -> None:
        self._pending: list[bytes] = []
        self._size = 0
        layout = self.options.layout
        try:
            try:
                self.identity, catalogue, items, _ = begin(self.options, self.begin_lock, self._records(),
                                                        self.options.formation,
                                                        layout == "compact", written=True)
            except BaseException as exc:
                self.failure = exc
                return
            finally:
                self.started.set()
            if catalogue is not None:
                self._add(orjson.dumps(catalogue))
            for item in items:
                if isinstance(item, RecordError):
                    self.rejected += 1
                else:
                    self.evaluated += 1
                self._add(item.to_bytes(layout))
            self._flush()
        except Exception:
            log.exception("stream evaluation failed [request %s]", self.request_id)
            self._flush()
            self.spool.put(orjson.dumps({"error": {"where": None, "candidate": None, "problems": [{
                "code": "S500", "id": "galat internal; id permintaan menandainya di log server",
                "en": "internal error; the request id names it in the server's log",
                "request_id": self.request_id}]}}) + b"\n")
        finally:
            self.metrics.records(self.evaluated, self.rejected)
            self.finished.set()
            self.spool.close()

    def _add(self, line: bytes) -> None:
        self._pending.append(line)
        self._size += len(line) + 1
        if self._size >= FLUSH_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self.spool.put(b"\n".join(self._pending) + b"\n")
            self._pending, self._size = [], 0

    # --- the event loop side ----------------------------------------------------------------

    async def _read(self) -> None:
        try:
            while not self.lines.done and not self.cancelled.is_set():
                try:
                    batch, over = self._cut(await self.lines.batch())
                except ServiceError as exc:  # a line over the limit
                    await self._put(_error_line(exc, exc.extra["where"]))
                    return
                if batch:
                    await self._put(batch)
                if over is not None:  # the records within the limit are answered, then this
                    await self._put(_error_line(over, f"$[{self.max_records}]"))
                    return
            await self._put(_END)
        except ClientDisconnect:
            self.cancel()

    async def _put(self, item: Any) -> None:
        # the queue is full while the engine is behind: wait on the loop (not in a thread, which
        # could wait for ever if the evaluating thread has stopped)
        while not self.finished.is_set():
            try:
                self.inbox.put_nowait(item)
                return
            except queue.Full:
                await anyio.sleep(0.001)

    def cancel(self) -> None:
        self.cancelled.set()
        try:
            self.inbox.put_nowait(_END)
        except queue.Full:
            pass

    async def __call__(self, scope: Scope, receive: Receive, send: Send, headers: list) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(self._read)
                while (block := await anyio.to_thread.run_sync(self.spool.get)) is not None:
                    await send({"type": "http.response.body", "body": block, "more_body": True})
                group.cancel_scope.cancel()  # all answered: the rest of a body cut short is not read
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:  # the client went away
            pass
        finally:  # after a whole answer both are no-ops; after a cut one they stop the thread
            self.cancel()
            self.spool.discard()
