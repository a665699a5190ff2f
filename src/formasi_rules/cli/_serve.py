"""``formasi serve``: the HTTP decision service (the optional ``serve`` extra, docs/service.md)."""

from __future__ import annotations


import click

from ..engine import BACKENDS
from ._common import (
    POLICIES, command, served_root, main,
)


@main.command()
@POLICIES
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback unless told otherwise).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes (evaluation is CPU-bound: about one per core).")
@click.option("--watch", is_flag=True, help="Reload a policy when its files change (a bad version is refused).")
@click.option("--token-file", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Require 'Authorization: Bearer TOKEN', TOKEN being this file's first line.")
@click.option("--max-body", type=click.IntRange(1), default=16 << 20, show_default=True,
              help="Largest JSON body in bytes (for JSON Lines: the longest line).")
@click.option("--max-records", type=click.IntRange(1), default=10_000, show_default=True,
              help="Most records in one JSON list.")
@click.option("--max-stream-records", type=click.IntRange(1), default=None,
              help="Most records in one JSON Lines stream [default: no limit].")
@click.option("--formations", type=click.Path(file_okay=False, exists=True), default=None,
              help="Folder of formation files (rows region, level, open) a request names with ?formation=NAME.")
@click.option("--timeout", type=click.FloatRange(0, min_open=True), default=60.0, show_default=True,
              help="Seconds a JSON request may take (a JSON Lines stream has no limit).")
@click.option("--cors-origin", "cors_origins", multiple=True,
              help="A browser origin allowed to call the service (repeat for more) [default: CORS off].")
@click.option("--backend", type=click.Choice(BACKENDS), default=None, help="Rules engine [default: durable].")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info",
              show_default=True)
@command
def serve(policies, host, port, workers, watch, token_file, max_body, max_records, max_stream_records, formations,
          timeout, cors_origins, backend, log_level):
    """Serve decisions over HTTP: /v1/evaluate, /v1/formation, /openapi.json, /docs (docs/service.md)."""
    try:
        from ..service import Limits
        from ..service._serve import run
    except ImportError as exc:
        missing = click.ClickException(f"formasi serve needs the serve extra ({exc.name} is missing): "
                                       "pip install 'formasi-rules[serve]'")
        missing.exit_code = 2  # the command could not run
        raise missing from None
    try:
        run(policies=policies or served_root(), host=host, port=port, workers=workers, watch=watch, token_file=token_file,
            limits=Limits(max_body=max_body, max_records=max_records, max_stream_records=max_stream_records,
                          timeout=timeout),
            backend=backend, cors_origins=list(cors_origins) or None, formations=formations, log_level=log_level)
    except ValueError as exc:  # an unusable token file
        bad = click.ClickException(str(exc))
        bad.exit_code = 2
        raise bad from None
