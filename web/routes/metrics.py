"""GET /metrics: Prometheus text format (pipeline/metrics.py says what is in it).

Who may read it: the numbers carry no personal data (stages, statuses, flags, error codes,
counts and durations; no verifier names), but they do show an office's volume, so the
endpoint is not public. A scraper on the same host (a request from a loopback address that
came through no proxy, i.e. without X-Forwarded-For / Forwarded) reads it without
credentials; anyone else needs an admin or auditor key or login.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime

from fastapi import APIRouter, Request, Response

from pipeline.metrics import CONTENT_TYPE, DatabaseCollector, exposition
from storage.accounts import Role
from storage.tables import utcnow
from web.auth import authenticate
from web.errors import Forbidden

router = APIRouter(tags=["operations"])
READERS = frozenset({Role.ADMIN, Role.AUDITOR})
_PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE: {}}}, 401: {}, 403: {}})
def metrics(request: Request) -> Response:
    if not from_local_scraper(request):
        principal = authenticate(request)
        if principal.role not in READERS:
            raise Forbidden(f"the {principal.role.value} role may not read the metrics")
    return Response(exposition(_collector(request)), media_type=CONTENT_TYPE)


def from_local_scraper(request: Request) -> bool:
    """A direct connection from a loopback address (no proxy header)."""
    if any(request.headers.get(h) for h in _PROXY_HEADERS) or request.client is None:
        return False
    try:
        return ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:  # "testclient" and other names are not addresses
        return False


def _collector(request: Request) -> DatabaseCollector:
    state = request.app.state
    collector = getattr(state, "metrics_collector", None)
    if collector is None:
        settings = state.settings
        collector = DatabaseCollector(state.pipeline.stores.sessions, settings.local_timezone,
                                      settings.decision_norm_per_day,
                                      clock=lambda: request_now_of(state))
        state.metrics_collector = collector
    return collector


def request_now_of(state) -> datetime:  # type: ignore[no-untyped-def]
    """The app's clock when a test set one (app.state.clock), else now."""
    clock = getattr(state, "clock", None)
    return clock() if clock is not None else utcnow()
