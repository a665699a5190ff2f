"""The ASGI application: ``create_app(policies_dir=...)`` gives a Starlette app to serve with
uvicorn (``formasi serve``) or to mount in another ASGI application.

Every answer carries ``X-Request-Id`` (the client's, if it sent a plain one, else a new one)
and ``Formasi-Policy: name@version sha256:...`` naming the version that made it. Errors
are problem details (see _errors). The request log names method, route, status, time and
request id: never a body, so never a candidate's personal data.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route

from ._edge import Edge, http_error, service_error
from ._endpoints import Endpoints
from ._errors import ServiceError
from ._limits import Limits
from ._metrics import Metrics
from ._policies import Registry


def create_app(policies_dir: str = "policies", *, backend: str | None = None, limits: Limits | None = None,
               token: str | None = None, watch: bool = False, watch_debounce_ms: int = 300,
               cors_origins: list[str] | None = None, formations_dir: str | None = None) -> Starlette:
    """The decision service over every policy folder in ``policies_dir``.

    ``backend``: "durable", "reference" or None (durable_rules where it imports).
    ``token``: require ``Authorization: Bearer <token>`` (except on the probes, /docs and
    /openapi.json).
    ``watch``: reload a policy when its files change (a version that fails is refused; the
    old one keeps serving). ``cors_origins``: browser origins allowed to call it (CORS is off
    without). ``formations_dir``: formation files (rows region, level, open) a request can name
    with ``?formation=NAME`` (the file's stem). The policies load now, so a missing folder
    fails here.

        >>> from formasi_rules.service import create_app       # doctest: +SKIP
        >>> app = create_app("policies")                        # then: uvicorn.run(app)
    """
    registry = Registry(policies_dir, backend=backend, metrics=Metrics(), formations_dir=formations_dir)
    service = Endpoints(registry, limits or Limits(), token, watch, watch_debounce_ms)
    routes = [
        Route("/v1/evaluate", service.evaluate, methods=["POST"]),
        Route("/v1/allocate", service.allocate, methods=["POST"]),
        Route("/v1/formation", service.formation, methods=["POST"]),
        Route("/v1/policies", service.policies, methods=["GET"]),
        Route("/v1/policies/{name}", service.policy, methods=["GET"]),
        Route("/v1/schemas/{name}", service.schema, methods=["GET"]),
        Route("/openapi.json", service.openapi, methods=["GET"]),
        Route("/docs", service.docs, methods=["GET"]),
        Route("/healthz", service.healthz, methods=["GET"]),
        Route("/readyz", service.readyz, methods=["GET"]),
        Route("/metrics", service.metrics_text, methods=["GET"]),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette):
        service.start_watching()
        try:
            yield
        finally:
            service.stop()
            registry.close()

    layers = [Middleware(Edge, service=service, routes=routes)]
    if cors_origins:  # outside the token check: a browser's preflight carries no token
        layers.insert(0, Middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
                                    allow_headers=["Authorization", "Content-Type", "X-Request-Id"],
                                    expose_headers=["Formasi-Policy", "Formasi-Rejected", "Formasi-Problems",
                                                    "Formasi-Warnings", "X-Request-Id"]))
    app = Starlette(routes=routes, lifespan=lifespan, middleware=layers,
                    exception_handlers={ServiceError: service_error, HTTPException: http_error})
    # Starlette answers /v1/evaluate/ with a 307 to /v1/evaluate, with an empty body and an http://
    # Location (behind a TLS proxy), which a client may not follow with its POST body: it is a 404
    # naming the route (_edge.http_error)
    app.router.redirect_slashes = False
    app.state.service = service
    app.state.registry = registry
    return app
