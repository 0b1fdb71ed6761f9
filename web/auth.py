"""Who is calling: an API key (Bearer or X-API-Key) or a person (HTTP Basic, argon2-checked,
or the `periksa_session` cookie of a login session, see web/routes/session.py).

A request authenticated by the cookie and using an unsafe method (POST, PUT, PATCH, DELETE)
must carry its session's CSRF token in `X-CSRF-Token` (403 `csrf` otherwise): a browser
sends the cookie on its own, but another site cannot read the token to send it too.

`require(*roles)` builds the dependency an endpoint declares; it answers 401 without valid
credentials and 403 when the role may not use the endpoint at all. What a role may *see*
(its own applications, its office) is decided in web/access.py, where out-of-scope answers
404 like a missing id.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Callable
from datetime import datetime

from fastapi import Request, Security
from fastapi.security import APIKeyHeader, HTTPBasic, HTTPBearer

from storage.accounts import Principal, Role, key_principal, user_principal
from storage.sessions import OpenSession, find_session
from storage.tables import utcnow
from web.errors import CsrfFailed, Forbidden, Unauthenticated

COOKIE = "periksa_session"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Declared for the OpenAPI document (the "Authorize" button in /docs); parsing is ours.
_BEARER = HTTPBearer(auto_error=False, description="an API key: Authorization: Bearer <key>")
_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="an API key")
_BASIC = HTTPBasic(auto_error=False, description="a person's name and password")


def authenticate(request: Request) -> Principal:
    """The principal of this request or Unauthenticated; never says which part was wrong."""
    sessions = request.app.state.pipeline.stores.sessions
    key = request.headers.get("x-api-key")
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    with sessions() as session:
        if key:
            found = key_principal(session, key.strip())
        elif scheme.lower() == "bearer" and value.strip():
            found = key_principal(session, value.strip())
        elif scheme.lower() == "basic" and value.strip():
            found = _basic(session, value.strip())
        elif request.cookies.get(COOKIE):
            return _from_cookie(request, find_session(session, request.cookies[COOKIE],
                                                      request_now(request)))
        else:
            raise Unauthenticated("credentials required: an API key or a name and password")
    if found is None:
        raise Unauthenticated("the credentials are not valid")
    return found


def cookie_session(request: Request) -> OpenSession | None:
    """The live login session of this request's cookie, if any (for pages and /v1/session)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    with request.app.state.pipeline.stores.sessions() as session:
        return find_session(session, token, request_now(request))


def request_now(request: Request) -> datetime:
    """Now, from the app's clock: tests set `app.state.clock` to move time (claims, sessions)."""
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else utcnow()


def _from_cookie(request: Request, found: OpenSession | None) -> Principal:
    if found is None:
        raise Unauthenticated("the session has ended; log in again")
    if request.method in UNSAFE:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), found.csrf_token.encode()):
            raise CsrfFailed(f"a request with the session cookie needs the {CSRF_HEADER} header")
    return found.principal


def _basic(session, value: str) -> Principal | None:  # type: ignore[no-untyped-def]
    try:
        name, sep, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user_principal(session, name, password) if sep and name else None


def require(*roles: Role) -> Callable[..., Principal]:
    """A dependency admitting only `roles` (403 for the others)."""
    allowed = frozenset(roles)

    def dependency(
        request: Request,
        _bearer: object = Security(_BEARER), _header: object = Security(_HEADER),
        _basic_auth: object = Security(_BASIC),
    ) -> Principal:
        principal = authenticate(request)
        if principal.role not in allowed:
            raise Forbidden(f"the {principal.role.value} role may not do this")
        return principal

    return dependency
