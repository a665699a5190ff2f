"""What one request may ask of the service."""

from __future__ import annotations

import attrs


@attrs.frozen
class Limits:
    """What one request may ask. ``max_body``: bytes of a JSON body (a JSON Lines stream's
    limit is per line); ``max_records``: records of a JSON list; ``max_stream_records``:
    records of one stream (None: no limit); ``spool_memory``: answers a stream holds in
    memory for a slow reader before spilling to a temporary file; ``timeout``: seconds a JSON
    request may take, body and evaluation together (None: no limit; a stream has none)."""

    max_body: int = 16 << 20
    max_records: int = 10_000
    max_stream_records: int | None = None
    spool_memory: int = 4 << 20
    timeout: float | None = 60.0
