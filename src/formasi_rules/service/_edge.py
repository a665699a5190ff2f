"""The outermost layer of the app: request ids, the bearer token, metrics, the access log,
and problem responses for every error, the unexpected ones included."""

from __future__ import annotations

import hmac
import logging
import re
import time
import uuid

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import Problem
from . import _errors as errors
from ._errors import ServiceError, problem_response

log = logging.getLogger("formasi.service")
# probes, and the description of the API (a browser opening /docs sends no token)
_OPEN_PATHS = {"/healthz", "/readyz", "/docs", "/openapi.json"}
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class Edge:
    """Outermost layer: request id, bearer token, metrics, the access log, and the rule that
    no exception leaves as anything but a problem response."""

    def __init__(self, app: ASGIApp, service, routes: list[Route]):
        self.app, self.service, self.routes = app, service, routes

    def _template(self, scope: Scope) -> str:
        for route in self.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return route.path
        return "(unmatched)"

    def _authorised(self, scope: Scope) -> bool:
        token = self.service.token
        if token is None or scope["path"] in _OPEN_PATHS:
            return True
        for key, value in scope["headers"]:
            if key == b"authorization":
                scheme, _, given = value.decode("latin-1").partition(" ")
                return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        began = time.perf_counter()
        given = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        scope["formasi.request_id"] = request_id
        state = {"status": 500, "started": False, "counted": False}
        registry = self.service.registry

        def count() -> None:
            if state["counted"]:
                return
            state["counted"] = True
            seconds = time.perf_counter() - began
            template = self._template(scope)
            self.service.metrics.request(scope["method"], template, state["status"], seconds)
            log.info("%s %s %s %.1fms [request %s]", scope["method"], template, state["status"],
                     seconds * 1000, request_id)

        async def send_(message: dict) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                count()  # before the client has the whole answer, so a next request sees it counted
            if message["type"] == "http.response.start":
                state["started"], state["status"] = True, message["status"]
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"formasi-policy" for k, _ in headers):
                    headers.append((b"formasi-policy", registry.header().encode()))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            if not self._authorised(scope):
                await problem_response(errors.unauthorized(), request_id)(scope, receive, send_)
            else:
                await self.app(scope, receive, send_)
        except ClientDisconnect:
            state["status"] = 499  # the client went away; nobody to answer
        except Exception:
            log.exception("internal error [request %s]", request_id)
            if not state["started"]:
                await problem_response(errors.internal(), request_id)(scope, receive, send_)
        finally:
            count()  # an answer cut short is counted too


async def service_error(request: Request, exc: ServiceError) -> Response:
    return problem_response(exc, request.scope.get("formasi.request_id"))


async def http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 405:
        error = ServiceError(405, "S405", f"method {request.method} not allowed here",
                             f"metode {request.method} tidak diizinkan di sini", headers=exc.headers)
    elif exc.status_code == 404:
        path = request.url.path
        meant = path.rstrip("/")
        if meant and meant != path and any(route.matches({**request.scope, "path": meant})[0] != Match.NONE
                                           for route in request.app.router.routes):
            error = errors.not_found(path, detail=f"the route is {meant}, without the final slash")
            error.problems.append(Problem("S404", f"rutenya {meant}, tanpa garis miring di akhir",
                                          f"the route is {meant}, without the final slash", path=path))
        else:
            error = errors.not_found(path)
    else:
        error = ServiceError(exc.status_code, f"S{exc.status_code}", str(exc.detail), str(exc.detail))
    return problem_response(error, request.scope.get("formasi.request_id"))
