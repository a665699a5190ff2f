"""Running the service under uvicorn: what ``formasi serve`` calls.

With ``workers`` > 1 uvicorn starts that many processes, each building the app from the
settings passed in the environment (``FORMASI_SERVE``); the CPU-bound evaluation then
scales over processes, as the GIL keeps one process to about one core.
"""

from __future__ import annotations

import json
import logging
import os

import attrs
import uvicorn

from ._app import create_app
from ._limits import Limits

_ENV = "FORMASI_SERVE"


def app_from_env():
    """The app a uvicorn worker process builds (``factory=True``)."""
    settings = json.loads(os.environ[_ENV])
    _logging(settings.pop("log_level"))  # a worker is a new process: its log is set up anew
    limits = Limits(**settings.pop("limits"))
    token_file = settings.pop("token_file")
    return create_app(limits=limits, token=read_token(token_file) if token_file else None, **settings)


def read_token(path: str) -> str:
    """The bearer token: the file's first line (a file, so the token is in no command line)."""
    token = open(path, encoding="utf-8").readline().strip()
    if len(token) < 16:
        raise ValueError(f"{path}: the token must be at least 16 characters / token minimal 16 karakter")
    return token


def _logging(level: str) -> None:
    logging.basicConfig(level=getattr(logging, level.upper()), format="%(asctime)s %(levelname)s %(message)s")


def run(*, policies: str, host: str, port: int, workers: int, watch: bool, token_file: str | None,
        limits: Limits, backend: str | None, cors_origins: list[str] | None = None,
        formations: str | None = None, log_level: str = "info") -> None:
    _logging(log_level)
    common = {"host": host, "port": port, "log_level": log_level, "access_log": False,
              "server_header": False, "timeout_graceful_shutdown": 10}
    if workers > 1:
        os.environ[_ENV] = json.dumps({"policies_dir": policies, "backend": backend, "token_file": token_file,
                                       "watch": watch, "log_level": log_level, "cors_origins": cors_origins, "formations_dir": formations,
                                       "limits": attrs.asdict(limits)})
        uvicorn.run("formasi_rules.service._serve:app_from_env", factory=True, workers=workers, **common)
    else:
        token = read_token(token_file) if token_file else None
        app = create_app(policies, backend=backend, limits=limits, token=token, watch=watch,
                         cors_origins=cors_origins, formations_dir=formations)
        uvicorn.run(app, **common)
