"""The people's pages: server-rendered shells that small JS modules fill from the JSON API.

Every page but /login needs a live login session (the `periksa_session` cookie); without
one it redirects to /login?next=<path>. Paths carry ids only, never personal data. The
page embeds its strings, the viewer and the session's CSRF token as one JSON block (Jinja's
`tojson` escapes it for a script element); the scripts put data into the DOM as text only,
and a Content-Security-Policy allows scripts and styles from this origin alone.

Language: Indonesian unless `?lang=en` (which also sets the `periksa_lang` cookie) or that
cookie says otherwise.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from storage.accounts import Role
from storage.sessions import OpenSession
from web.auth import cookie_session

HERE = Path(__file__).resolve().parent
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
LANG_COOKIE = "periksa_lang"
HOME = {Role.VERIFIER: "/queue", Role.AUDITOR: "/audit", Role.ADMIN: "/admin"}
FLAGS = ("clear", "review", "mismatch")
DOCUMENT_TYPES = ("kk", "akta_kelahiran", "f2_01")
CSP = ("default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
_LOCAL_PATH = re.compile(r"/(?!/)[A-Za-z0-9/_-]{0,200}")  # a page of this site, nothing else
Id = Annotated[str, PathParam(max_length=26, pattern=r"^[0-9A-Za-z]+$")]

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=HERE / "templates")


def install(app: FastAPI) -> None:
    """The pages and their static files (CSS, JS modules) on the app."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


@lru_cache(maxsize=len(LANGUAGES))
def strings(lang: str) -> dict[str, str]:
    """The page strings of one language (web/i18n/<lang>.json)."""
    return json.loads((HERE / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))


def language(request: Request) -> str:
    """?lang= first (a switch), then the cookie, then Indonesian."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


@lru_cache(maxsize=4)
def _review_below(ruleset_path: Path | None) -> float:
    """The confidence under which a matching value is still amber (the ruleset's own floor)."""
    from rules import load_ruleset

    return load_ruleset(ruleset_path).thresholds.confidence.review_below


def render(request: Request, template: str, *, opened: OpenSession | None = None,
           section: str = "", **extra: Any) -> HTMLResponse:
    """A page in the request's language; its JS reads `data` from the page-data block."""
    lang = language(request)
    viewer = opened.principal if opened else None
    data = {
        "lang": lang, "strings": strings(lang),
        "viewer": {"name": viewer.name, "role": viewer.role.value, "office": viewer.office}
        if viewer else None,
        "csrf_token": opened.csrf_token if opened else None,
    } | extra.pop("data", {})
    response = templates.TemplateResponse(request, template, {
        "lang": lang, "s": strings(lang), "languages": LANGUAGES, "viewer": viewer,
        "section": section, "data": data, "flags": FLAGS, "document_types": DOCUMENT_TYPES,
    } | extra)
    _secure(response)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, path="/", samesite="lax")
    return response


def _secure(response: Response) -> None:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"


def _to_login(request: Request) -> RedirectResponse:
    target = "/login" if request.url.path == "/" else f"/login?next={request.url.path}"
    return RedirectResponse(target, status_code=303)


def _page(request: Request, template: str, roles: tuple[Role, ...], section: str,
          **extra: Any) -> Response:
    """The page for a logged-in person of one of `roles`; others go home or to /login."""
    opened = cookie_session(request)
    if opened is None:
        return _to_login(request)
    if opened.principal.role not in roles:
        return RedirectResponse(HOME.get(opened.principal.role, "/login"), status_code=303)
    return render(request, template, opened=opened, section=section, **extra)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    opened = cookie_session(request)
    if opened is None:
        return _to_login(request)
    return RedirectResponse(HOME.get(opened.principal.role, "/login"), status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login(request: Request) -> Response:
    next_path = request.query_params.get("next", "")
    return render(request, "login.html",
                  data={"next": next_path if _LOCAL_PATH.fullmatch(next_path) else ""})


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request) -> Response:
    return _page(request, "queue.html", (Role.VERIFIER,), "queue")


@router.get("/applications/{application_id}", response_class=HTMLResponse)
def application(request: Request, application_id: Id) -> Response:
    settings = request.app.state.settings
    return _page(request, "application.html", (Role.VERIFIER,), "queue", data={
        "application_id": application_id,
        "review_below": _review_below(settings.ruleset_path)})


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    return _page(request, "dashboard.html", (Role.VERIFIER, Role.AUDITOR), "dashboard")


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request) -> Response:
    return _page(request, "admin.html", (Role.ADMIN,), "admin")


@router.get("/audit", response_class=HTMLResponse)
def audit_search(request: Request) -> Response:
    return _page(request, "audit.html", (Role.AUDITOR,), "audit")


@router.get("/audit/applications/{application_id}", response_class=HTMLResponse)
def audit_application(request: Request, application_id: Id) -> Response:
    settings = request.app.state.settings
    return _page(request, "audit_application.html", (Role.AUDITOR,), "audit", data={
        "application_id": application_id,
        "review_below": _review_below(settings.ruleset_path)})


@router.get("/audit/rules", response_class=HTMLResponse)
def audit_rules(request: Request) -> Response:
    return _page(request, "audit_rules.html", (Role.AUDITOR,), "rules")


@router.get("/audit/chain", response_class=HTMLResponse)
def audit_chain(request: Request) -> Response:
    return _page(request, "audit_chain.html", (Role.AUDITOR,), "chain")
