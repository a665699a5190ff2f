"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error the service answers with is a :class:`ServiceError`: an HTTP status, a stable
code, a title in Bahasa Indonesia and English, and where the fault lies the library's own
:class:`~formasi_rules.Problem` list (code, path such as ``$[3].birth_date``, both texts).
Codes beginning ``S`` are the service's; the rest (``I005``, ``P001`` ...) are the library's,
the same a ``formasi`` command prints. No traceback ever reaches a client: an unexpected
exception becomes ``S500`` carrying only the request id, and is logged with it.

    ServiceError(Exception)
    └── BodyTooLarge   413, raised while the body is still arriving
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from starlette.responses import Response

from .._errors import Problem
from .._text import Text

PROBLEM_TYPE = "application/problem+json"
_BASE = "https://formasi-rules.invalid/problems/"  # a stable name for each code, not a page to fetch


class ServiceError(Exception):
    """An answer that is not a success: ``status``, ``code``, bilingual ``title`` and ``problems``."""

    def __init__(self, status: int, code: str, en: str, id: str, *, detail: str | None = None,
                 problems: Iterable[Problem] = (), headers: dict[str, str] | None = None,
                 **extra: Any):
        super().__init__(f"{code}: {en}")
        self.status, self.code, self.en, self.id = status, code, en, id
        self.detail = detail
        self.problems = list(problems)
        self.headers = headers or {}
        self.extra = extra

    def to_dict(self, request_id: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": _BASE + self.code, "title": self.en, "status": self.status,
                                "code": self.code, "title_id": self.id}
        if self.detail:
            body["detail"] = self.detail
        if self.problems:
            body["problems"] = [p.to_dict() for p in self.problems]
        body.update(self.extra)
        if request_id:
            body["request_id"] = request_id
        return body


class BodyTooLarge(ServiceError):
    def __init__(self, limit: int):
        super().__init__(413, "S413", f"the request body is larger than the limit of {limit} bytes",
                         f"isi permintaan melebihi batas {limit} bita", limit=limit,
                         detail="send fewer records per request, or stream them as application/x-ndjson "
                                "/ kirim lebih sedikit rekaman, atau alirkan sebagai application/x-ndjson")


def problem_response(error: ServiceError, request_id: str | None = None) -> Response:
    return Response(orjson.dumps(error.to_dict(request_id)), status_code=error.status,
                    media_type=PROBLEM_TYPE, headers=error.headers)


# --- the service's own errors, one constructor each so codes stay in one place ---------------

def not_json(message: str, line: int | None = None, column: int | None = None) -> ServiceError:
    problem = Problem("I011", f"JSON tidak sah: {message}", f"invalid JSON: {message}", line=line, column=column)
    return ServiceError(400, "S400", "the request body is not valid JSON", "isi permintaan bukan JSON yang sah",
                        problems=[problem])


def too_many_records(limit: int, got: int | None = None) -> ServiceError:
    """``got`` None: a stream, cut at the limit without counting the rest."""
    en = f"{got}" if got is not None else "more than the limit"
    id = f"{got}" if got is not None else "melebihi batas"
    return ServiceError(413, "S414", f"too many records in one request: {en}, the limit is {limit}",
                        f"terlalu banyak rekaman dalam satu permintaan: {id}, batasnya {limit}",
                        limit=limit, detail="split the batch, or stream it as application/x-ndjson "
                                            "/ pecah kumpulan, atau alirkan sebagai application/x-ndjson")


def halves(error: Exception) -> tuple[str, str]:
    """(English, Indonesian) of an error whose text is written "English / Indonesian", as the
    Python API's InvalidArgument is; the whole text twice where it has no such halves."""
    said = Text.of(str(error))
    return said.en, said.id


def bad_parameter(name: str, en: str, id: str, hint: str | None = None) -> ServiceError:
    problem = Problem("S422", id, en, path=f"query.{name}", hint=hint)
    return ServiceError(422, "S422", f"invalid parameter {name}: {en}", f"parameter {name} salah: {id}",
                        problems=[problem])


def bad_body(en: str, id: str, path: str = "$") -> ServiceError:
    return ServiceError(422, "S423", en, id, problems=[Problem("S423", id, en, path=path)])


def unsupported_media(got: str, allowed: Iterable[str]) -> ServiceError:
    allowed = ", ".join(allowed)
    return ServiceError(415, "S415", f"unsupported Content-Type {got!r}; send one of {allowed}",
                        f"Content-Type {got!r} tidak didukung; kirim salah satu dari {allowed}")


def not_found(what: str, *, detail: str | None = None) -> ServiceError:
    return ServiceError(404, "S404", f"not found: {what}", f"tidak ditemukan: {what}", detail=detail)


def unauthorized() -> ServiceError:
    return ServiceError(401, "S401", "a valid bearer token is required",
                        "diperlukan token bearer yang sah", headers={"WWW-Authenticate": 'Bearer realm="formasi"'})


def unavailable(name: str, problems: Iterable[Problem]) -> ServiceError:
    return ServiceError(503, "S503", f"policy {name} has no version in service (it failed to load)",
                        f"kebijakan {name} belum memiliki versi yang berlaku (gagal dimuat)", problems=problems)


def internal() -> ServiceError:
    return ServiceError(500, "S500", "internal error; the request id names it in the server's log",
                        "galat internal; id permintaan menandainya di log server")
