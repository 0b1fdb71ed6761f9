"""/healthz (the process answers) and /readyz (database, broker and blob store reachable)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from pipeline.broker import ping
from pipeline.errors import PeriksaError
from storage.db import check_connection

router = APIRouter(tags=["health"])
_PROBE = "0" * 64  # a blob name no upload can have: exists() is a cheap round-trip


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses={503: {}})
def readyz(request: Request) -> JSONResponse:
    pipeline = request.app.state.pipeline
    checks = {
        "database": lambda: check_connection(pipeline.stores.sessions.kw["bind"]),
        "broker": lambda: ping(pipeline.broker),
        "blob_store": lambda: pipeline.stores.blobs.exists(_PROBE),
    }
    found = {name: _probe(check) for name, check in checks.items()}
    ready = all(v == "ok" for v in found.values())
    return JSONResponse({"status": "ready" if ready else "unavailable", "checks": found},
                        status_code=200 if ready else 503)


def _probe(check) -> str:  # type: ignore[no-untyped-def]
    try:
        check()
    except PeriksaError as exc:
        return exc.code
    except Exception as exc:  # noqa: BLE001 - any client error means "not reachable"
        return f"unavailable ({type(exc).__name__})"
    return "ok"
