"""Errors only the web layer raises, and the one handler that turns every PeriksaError into JSON.

Answers look the same for every failure: {"error": {"code", "message", "details"}} with the
error's own http_status, so intake services branch on `code`, never on message text. A few
errors add keys of their own beside these three (409 `claimed`: `claimed_by`, `expires_at`).
"""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from pipeline.errors import FileTooLarge, InputRefused, InvalidSubmission, PeriksaError

log = logging.getLogger("periksa.web")


class Unauthenticated(PeriksaError):
    http_status = 401
    code = "unauthenticated"


class Forbidden(PeriksaError):
    http_status = 403
    code = "forbidden"


class CsrfFailed(Forbidden):
    code = "csrf"


class TooManyAttempts(PeriksaError):
    http_status = 429
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Conflict(PeriksaError):
    """A state the request cannot apply to (claimed by someone else, not claimed, decided)."""

    http_status = 409
    code = "conflict"

    def __init__(self, message: str, *, code: str, details: list[str] | None = None) -> None:
        super().__init__(message, details=details)
        self.code = code


class NotFound(PeriksaError):
    """Also the answer for what exists but is outside the caller's scope (no existence leak)."""

    http_status = 404
    code = "not_found"


class RequestTooLarge(FileTooLarge):
    code = "request_too_large"


class TooManyFiles(FileTooLarge):
    code = "too_many_files"


class BadRequest(InputRefused):
    code = "invalid_request"


def error_body(exc: PeriksaError) -> dict:
    body = {"code": exc.code, "message": exc.message, "details": exc.details}
    return {"error": body | getattr(exc, "extra", {})}  # e.g. claimed_by of a 409 claimed


async def periksa_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PeriksaError)
    if exc.http_status >= 500:
        log.error("request failed: %s", exc.code)
    headers = None
    if isinstance(exc, Unauthenticated):
        headers = {"WWW-Authenticate": _challenge(request)}
    elif isinstance(exc, TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after_s)}
    return JSONResponse(error_body(exc), status_code=exc.http_status, headers=headers)


def _challenge(request: Request) -> str:
    """No Basic challenge to the browser pages: it would pop the browser's own login dialog."""
    browser = "periksa_session" in request.cookies or request.url.path.startswith("/v1/session")
    return 'Bearer realm="periksa"' if browser else 'Bearer, Basic realm="periksa"'


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's own parameter checks answer in the same shape (code invalid_request)."""
    assert isinstance(exc, RequestValidationError)
    details = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
               for e in exc.errors()]
    return await periksa_error(request, BadRequest("the request is malformed", details=details))


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """Anything else is a bug: logged by type only, answered as internal_error."""
    log.error("unexpected %s on %s", type(exc).__name__, request.url.path)
    return await periksa_error(request, PeriksaError("internal error"))


__all__ = ["BadRequest", "Conflict", "CsrfFailed", "Forbidden", "InvalidSubmission", "NotFound",
           "RequestTooLarge", "TooManyAttempts", "TooManyFiles", "Unauthenticated", "error_body",
           "periksa_error", "unexpected_error", "validation_error"]
