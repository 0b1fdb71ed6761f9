"""/v1/session: a person logs in with name and password and gets the `periksa_session` cookie.

    POST   /v1/session   {name, password} -> {name, role, office, csrf_token, expires_at}
    GET    /v1/session   the same body for the cookie's session (401 without one)
    DELETE /v1/session   logout (the row goes; needs X-CSRF-Token like every unsafe call)

The cookie is HttpOnly (scripts cannot read it), SameSite=Strict (no other site's request
carries it), Path=/, Secure when `session_cookie_secure` is set. Failed logins are audited
(`login.failed`, the name reduced to its first two letters) and throttled per name:
`login_max_failures` inside `login_window_s` answer 429 even to a right password.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from pipeline.settings import Settings
from storage import audit
from storage import sessions as logins
from storage.accounts import Principal, Role, user_principal
from storage.db import transaction
from web.auth import COOKIE, authenticate, cookie_session, request_now
from web.errors import TooManyAttempts, Unauthenticated

router = APIRouter(prefix="/v1/session", tags=["session"])


class LoginIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class SessionOut(BaseModel):
    name: str
    role: Role
    office: str | None
    csrf_token: str
    expires_at: datetime


@router.post("", response_model=SessionOut, responses={401: {}, 429: {}})
def login(request: Request, response: Response, body: LoginIn) -> SessionOut:
    """Check the password, open a session, set the cookie; failures counted and audited."""
    settings: Settings = request.app.state.settings
    now = request_now(request)
    sessions = request.app.state.pipeline.stores.sessions
    with sessions() as session:  # the slow argon2 check outside the write transaction
        throttled = logins.recent_failures(session, body.name, now, settings.login_window_s) \
            >= settings.login_max_failures
        principal = None if throttled else user_principal(session, body.name, body.password)
    with transaction(sessions) as session:
        if principal is None:
            why = "throttled" if throttled else "bad_credentials"
            _failed(session, body.name, now, settings, why)
        else:
            token, opened = logins.open_session(session, principal, now, settings.session_ttl_s)
            audit.append(session, "session.opened", actor=principal.actor,
                         payload={"role": principal.role.value})
    if throttled:
        raise TooManyAttempts("too many failed logins for this name; wait and try again",
                              retry_after_s=settings.login_window_s)
    if principal is None:
        raise Unauthenticated("the name or the password is not right")
    response.set_cookie(COOKIE, token, max_age=settings.session_ttl_s, path="/", httponly=True,
                        samesite="strict", secure=settings.session_cookie_secure)
    return _out(opened)


@router.get("", response_model=SessionOut, responses={401: {}})
def current(request: Request) -> SessionOut:
    found = cookie_session(request)
    if found is None:
        raise Unauthenticated("no session: log in")
    return _out(found)


@router.delete("", status_code=204, response_class=Response, responses={401: {}, 403: {}})
def logout(request: Request,
           principal: Annotated[Principal, Depends(authenticate)]) -> Response:
    """End the cookie's session (a Basic or key caller has none: 401)."""
    token = request.cookies.get(COOKIE)
    if not token:
        raise Unauthenticated("no session to end")
    with transaction(request.app.state.pipeline.stores.sessions) as session:
        if logins.close_session(session, token):
            audit.append(session, "session.closed", actor=principal.actor)
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                           secure=request.app.state.settings.session_cookie_secure)
    return response


def _failed(session, name: str, now: datetime, settings: Settings,  # type: ignore[no-untyped-def]
            why: str) -> None:
    logins.record_failure(session, name, now, settings.login_window_s)
    audit.append(session, "login.failed", actor="anonymous",
                 payload={"name_hint": _hint(name), "why": why})


def _hint(name: str) -> str:
    """Enough to tell attempts apart in the trail, not enough to name anyone."""
    return name.strip()[:2] + "…"


def _out(opened: logins.OpenSession) -> SessionOut:
    p = opened.principal
    return SessionOut(name=p.name, role=p.role, office=p.office, csrf_token=opened.csrf_token,
                      expires_at=opened.expires_at)
