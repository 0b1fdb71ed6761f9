"""Who is calling: an API key (Bearer or X-API-Key) or a person (HTTP Basic, argon2-checked).

`require(*roles)` builds the dependency an endpoint declares; it answers 401 without valid
credentials and 403 when the role may not use the endpoint at all. What a role may *see*
(its own applications, its office) is decided in web/access.py, where out-of-scope answers
404 like a missing id.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from fastapi import Request, Security
from fastapi.security import APIKeyHeader, HTTPBasic, HTTPBearer

from storage.accounts import Principal, Role, key_principal, user_principal
from web.errors import Forbidden, Unauthenticated

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
        else:
            raise Unauthenticated("credentials required: an API key or a name and password")
    if found is None:
        raise Unauthenticated("the credentials are not valid")
    return found


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
