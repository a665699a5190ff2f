"""The endpoints: one method of :class:`Endpoints` each, over the policies a Registry holds.

Evaluation runs in worker threads (``anyio.to_thread``), never on the event loop; a JSON
Lines stream has a thread of its own (see _stream).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from typing import Any

import anyio
import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send

from .. import InputError, InvalidArgument, __version__
from . import _errors as errors
from ._body import read_body
from ._errors import ServiceError
from ._evaluate import evaluate as evaluate_json
from ._evaluate import parse_json, whole
from ._limits import Limits
from ._metrics import CONTENT_TYPE as METRICS_TYPE
from ..formation import Located
from ..schemas import schema as json_schema
from ._openapi import DOCS_HTML, SCHEMAS, document, schema
from ._options import as_of as as_of_param
from ._options import options, pick, query
from ._policies import Registry
from ._stream import MEDIA as NDJSON
from ._stream import Stream

log = logging.getLogger("formasi.service")
_NDJSON_TYPES = {NDJSON, "application/jsonl", "application/x-jsonlines"}


def _policy_header(identity: dict[str, str]) -> str:
    return f"{identity['name']}@{identity['version']} {identity['digest']}"


def _json(data: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(orjson.dumps(data, option=orjson.OPT_INDENT_2), status_code=status,
                    media_type="application/json", headers=headers)


class Endpoints:
    def __init__(self, registry: Registry, limits: Limits, token: str | None, watch: bool, watch_debounce_ms: int):
        self.registry, self.limits, self.token = registry, limits, token
        self.metrics = registry.metrics
        self.watch, self.watch_debounce_ms = watch, watch_debounce_ms
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    # --- endpoints --------------------------------------------------------------------------

    async def evaluate(self, request: Request, *, allocate: bool = False) -> Any:
        kind = _media_type(request)
        if kind in _NDJSON_TYPES and not allocate:
            opts = options(request, self.registry, default_layout="compact")
            stream = Stream(request, opts, self.registry.begin, max_line=self.limits.max_body,
                            max_records=self.limits.max_stream_records, spool_memory=self.limits.spool_memory,
                            metrics=self.metrics, request_id=request.scope["formasi.request_id"])
            await stream.start()
            return _StreamAnswer(stream)
        if kind not in ("application/json", ""):
            raise errors.unsupported_media(kind, ["application/json"] + ([] if allocate else [NDJSON]))
        opts = options(request, self.registry)
        with _time_limit(self.limits.timeout):
            body = await read_body(request, self.limits.max_body)
            # abandoned at the time limit: the client is answered, the thread finishes its batch
            status, text, identity, ok, bad = await anyio.to_thread.run_sync(functools.partial(
                evaluate_json, opts, self.registry.begin, body, max_records=self.limits.max_records,
                allocate=allocate), abandon_on_cancel=True)
        self.metrics.records(ok, bad)
        return Response(text, status_code=status, media_type="application/json",
                        headers={"Formasi-Policy": _policy_header(identity), "Formasi-Rejected": str(bad)})

    async def allocate(self, request: Request) -> Any:
        return await self.evaluate(request, allocate=True)

    async def formation(self, request: Request) -> Response:
        q = query(request, ("as_of", "format", "policy"))
        fmt = q.get("format", "json")
        if fmt not in ("json", "csv", "html"):
            raise errors.bad_parameter("format", f"expected json, csv or html, got {fmt!r}",
                                       f"harus json, csv atau html, bukan {fmt!r}")
        slot = pick(self.registry, q.get("policy"))
        day = as_of_param(request)
        data = whole(*parse_json(await read_body(request, self.limits.max_body)))
        if not isinstance(data, dict) or "workload" not in data or set(data) - {"workload", "existing"}:
            raise errors.bad_body('expected {"workload": [rows], "existing": [rows]}',
                                  'harus {"workload": [baris], "existing": [baris]}')
        for key in ("workload", "existing"):  # (existing may be left out, or null: no officers given)
            if (key == "workload" or data.get(key) is not None) and not isinstance(data.get(key), list):
                raise errors.bad_body(f"{key} must be a list of rows", f"{key} harus daftar baris", f"$.{key}")
        engine = slot.engine

        # each row's problems at its place in the body ($.workload[3].volume), so the two lists are told apart
        workload, existing = (None if data.get(key) is None else
                              Located([(f"$.{key}[{i}]", row) for i, row in enumerate(data[key])])
                              for key in ("workload", "existing"))

        def compute():
            result = engine.formation(workload, existing, as_of=day)
            return result, _render_formation(result, fmt)

        try:
            with _time_limit(self.limits.timeout):
                result, text = await anyio.to_thread.run_sync(compute, abandon_on_cancel=True)
        except InvalidArgument as exc:
            raise errors.bad_parameter("as_of", *errors.halves(exc)) from None
        except InputError as exc:
            raise ServiceError(422, "S425", "the workload or existing rows are invalid",
                               "baris beban kerja atau pegawai tidak sah", problems=exc.problems) from None
        media = {"json": "application/json", "csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8"}
        return Response(text.encode(), status_code=207 if result.problems else 200, media_type=media[fmt],
                        headers={"Formasi-Policy": _policy_header(result.to_dict()["policy"]),
                                 "Formasi-Rejected": str(result.rejected_rows),
                                 # a CSV table has no place for them: counted here, listed by format=json
                                 "Formasi-Problems": str(len(result.problems)),
                                 "Formasi-Warnings": str(len(result.warnings))})

    def _policy_info(self, name: str) -> dict[str, Any]:
        slot = self.registry.slots[name]
        info: dict[str, Any] = {"name": name, "in_service": None, "refused": slot.refused}
        engine = slot.engine
        if engine is not None:
            policy = engine.policy
            plans = engine.plans
            info["in_service"] = {
                **policy.identity(), "since": slot.since, "backend": engine.backend.name,
                "title": policy.title.to_dict(), "layers": list(policy.layers),
                "valid_from": policy.coverage.valid_from.isoformat() if policy.coverage.valid_from else None,
                "valid_to": policy.coverage.valid_to.isoformat() if policy.coverage.valid_to else None,
                "periods": [{"valid_from": _iso(p.period.valid_from), "valid_to": _iso(p.period.valid_to),
                             "checks": len(p.checks), "targets": [list(t) for t in p.targets]} for p in plans],
            }
        return info

    async def policies(self, request: Request) -> Response:
        query(request, ())
        return _json({"policies": [self._policy_info(n) for n in self.registry.slots],
                      "formations": sorted(self.registry.formations)})

    async def policy(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.registry.slots:
            raise errors.not_found(f"policy {name!r}")
        query(request, ("as_of",))
        info = self._policy_info(name)
        engine = self.registry.slots[name].engine
        day = as_of_param(request, required=False)
        if engine is not None:
            try:
                info["catalogue"] = engine.catalogue(day or dt.date.today())
            except InvalidArgument as exc:
                if day is not None:
                    raise errors.bad_parameter("as_of", *errors.halves(exc)) from None
        return _json(info, headers={"Formasi-Policy": self.registry.header(name)})

    async def schema(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in SCHEMAS:
            raise errors.not_found(f"schema {name!r} (known: {', '.join(SCHEMAS)})")
        body = schema(name)
        if "policy" in query(request, ("policy",)):
            # that policy's routes and levels; for records also its vocabularies and added fields
            body = json_schema(name, pick(self.registry, request.query_params["policy"]).engine.policy)
        return Response(orjson.dumps(body, option=orjson.OPT_INDENT_2), media_type="application/schema+json")

    async def openapi(self, request: Request) -> Response:
        query(request, ())
        routes, levels = [], []
        for slot in self.registry.slots.values():
            if slot.engine is not None:
                for plan in slot.engine.plans:
                    for route, level in plan.targets:
                        routes.append(route)
                        levels.append(level)
        doc = document(__version__, list(self.registry.slots), list(dict.fromkeys(routes)),
                       list(dict.fromkeys(levels)), sorted(self.registry.formations))
        return Response(orjson.dumps(doc), media_type="application/json")

    async def docs(self, request: Request) -> Response:
        return HTMLResponse(DOCS_HTML)

    async def healthz(self, request: Request) -> Response:
        return _json({"status": "ok"})

    async def readyz(self, request: Request) -> Response:
        ready = self.registry.ready()
        body = {"ready": ready, "policies": {n: {"in_service": s.identity(), "refused": s.refused}
                                             for n, s in self.registry.slots.items()}}
        return _json(body, status=200 if ready else 503)

    async def metrics_text(self, request: Request) -> Response:
        return Response(self.metrics.render(), media_type=METRICS_TYPE)

    # --- hot reload -------------------------------------------------------------------------

    def start_watching(self) -> None:
        if not self.watch or self._watcher is not None:
            return
        from watchfiles import watch  # imported here: only --watch needs it

        def run() -> None:
            for changes in watch(self.registry.dir, stop_event=self._stop, debounce=self.watch_debounce_ms,
                                 step=20, raise_interrupt=False):
                for name in sorted(self.registry.names_for({path for _, path in changes})):
                    self.registry.reload(name)

        self._watcher = threading.Thread(target=run, name="formasi-watch", daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
            self._watcher = None


class _time_limit:
    """``with _time_limit(seconds):`` a 503 (S504) once the seconds are up."""

    def __init__(self, seconds: float | None):
        self.scope = anyio.move_on_after(seconds if seconds is not None else float("inf"))
        self.seconds = seconds

    def __enter__(self):
        self.scope.__enter__()
        return self

    def __exit__(self, *exc):
        swallowed = self.scope.__exit__(*exc)
        if self.scope.cancelled_caught:
            raise ServiceError(503, "S504", f"the request took longer than the limit of {self.seconds} s",
                               f"permintaan melebihi batas waktu {self.seconds} detik", limit=self.seconds,
                               headers={"Retry-After": "1"})
        return swallowed


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day and day < dt.date.max else None


def _render_formation(result, fmt: str) -> str:
    if fmt == "json":  # as `formasi formation --format json` writes it
        import json
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    from ..cli import _formation_output as fo  # the command's own CSV and HTML renderings
    return {"csv": fo.to_csv, "html": fo.to_html}[fmt](result)


class _StreamAnswer:
    """The response of a JSON Lines stream (see _stream): headers now, lines as they come."""

    def __init__(self, stream: Stream):
        self.stream = stream
        self.status_code = 200

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", NDJSON.encode()),
                   (b"formasi-policy", _policy_header(self.stream.identity).encode()),
                   (b"cache-control", b"no-store")]
        await self.stream(scope, receive, send, headers)


def _media_type(request: Request) -> str:
    """The body's media type; a charset other than UTF-8 is refused (415), since the body is read
    as UTF-8 whatever it says (JSON is UTF-8: RFC 8259)."""
    kind, *params = request.headers.get("content-type", "").split(";")
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower().replace("_", "-") not in (
                "utf-8", "utf8"):
            raise ServiceError(415, "S415", f"the body must be UTF-8, not {value.strip()} (JSON is UTF-8)",
                                      f"isi harus UTF-8, bukan {value.strip()}")
    return kind.strip().lower()
