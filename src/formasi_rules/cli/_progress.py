"""A progress line on stderr: records done, rate and time left. Silent unless stderr is a terminal."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from ..inputs import sep_directive


def count_records(path: str, fmt: str | None) -> int | None:
    """Lines in a JSON Lines or CSV file (fast, for the time-left estimate); None for other formats
    and for what is not a regular file (a pipe read twice would lose its records)."""
    kind = fmt or Path(path).suffix.lower().lstrip(".")
    if kind not in ("jsonl", "ndjson", "csv") or not os.path.isfile(path):
        return None
    lines = 0
    with open(path, "rb") as f:
        first = f.readline()
        lines = first.count(b"\n")
        if kind == "csv":  # the header, and a first line "sep=;" before it (inputs.sep_directive)
            lines -= 1 + (sep_directive(first.decode("utf-8", "replace").lstrip("\ufeff")) is not None)
        for block in iter(lambda: f.read(1 << 20), b""):
            lines += block.count(b"\n")
    return max(lines, 0)


class Progress:
    def __init__(self, enabled: bool, stream=sys.stderr):
        self.total: int | None = None  # set by the caller when it is worth counting
        self.stream = stream
        self.enabled = enabled and stream.isatty() and not os.environ.get("CI")
        self.done = 0
        self.start = self.last = time.monotonic()

    def step(self, records: int = 1) -> None:
        self.done += records
        if self.enabled and time.monotonic() - self.last >= 0.2:
            self.last = time.monotonic()
            self._draw()

    def _draw(self) -> None:
        elapsed = max(time.monotonic() - self.start, 1e-9)
        rate = self.done / elapsed
        text = f"{self.done:,}" + (f"/{self.total:,}" if self.total else "") + f" records · {rate:,.0f}/s"
        if self.total and rate > 0:
            left = max(self.total - self.done, 0) / rate
            text += f" · {int(left // 60)}:{int(left % 60):02d} left"
        self.stream.write("\r" + text.ljust(60))
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()
