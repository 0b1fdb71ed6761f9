"""GET /v1/dashboard: an office's day in numbers, for people (verifiers and auditors).

A verifier sees its own office (web/access.scoped: '3216' also covers '32.16'; a province
office '32' everything under it), an auditor every office. "Today" is the local day of
`local_timezone` (Asia/Jakarta by default). storage/stats.py computes everything from the
records and the audit chain; /metrics exports the same numbers for all offices together.
"""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request

from storage import stats
from storage.accounts import Principal, Role
from web.access import scoped
from web.auth import request_now, require

router = APIRouter(prefix="/v1/dashboard", tags=["dashboard"])


@router.get("")
def dashboard(
    request: Request,
    principal: Annotated[Principal, Depends(require(Role.VERIFIER, Role.AUDITOR))],
) -> dict[str, Any]:
    settings = request.app.state.settings
    with request.app.state.pipeline.stores.sessions() as session:
        board = stats.dashboard(session, request_now(request), ZoneInfo(settings.local_timezone),
                                norm=settings.decision_norm_per_day,
                                scope=lambda query: scoped(query, principal))
    office = principal.office if principal.role == Role.VERIFIER else None
    return board.to_json() | {"scope": {"role": principal.role.value, "office": office}}
