"""The auditor's API: an application's trail and replay, search, the chain, rule numbers, export.

    GET /v1/applications/{id}/timeline   auditor; verifier of the office
    GET /v1/applications/{id}/replay     auditor (an audited read: no report is written)
    GET /v1/audit/search                 auditor; a NIK search is exact and audited
    GET /v1/audit/chain                  auditor: storage.audit.verify over the whole chain
    GET /v1/audit/rules                  auditor: rule outcomes, overrides, QA samples
    GET /v1/audit/export                 auditor: CSV or JSON rows, audited

Verifiers get 403 on what is the auditor's alone; out of scope ids answer 404 (web/access.py).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pipeline.records import Flag
from pipeline.replay import replay
from storage import audit, oversight
from storage import search as finder
from storage.accounts import Principal, Role
from storage.db import transaction
from storage.decisions import Verdict, decision_json
from storage.tables import Application
from web.access import readable, scoped
from web.auth import require
from web.errors import BadRequest

router = APIRouter(tags=["audit"])
Id = Annotated[str, Path(max_length=26)]
Auditor = Annotated[Principal, Depends(require(Role.AUDITOR))]
Reader = Annotated[Principal, Depends(require(Role.VERIFIER, Role.AUDITOR))]
MAX_SEARCH = 500


class EventOut(BaseModel):
    seq: int
    at: datetime
    kind: str
    actor: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class TimelineOut(BaseModel):
    events: list[EventOut]
    chain_ok: bool


class ReplayOut(BaseModel):
    stored: dict[str, Any]
    replayed: dict[str, Any]
    differences: list[str]
    ruleset_version_stored: str
    ruleset_version_current: str
    ruleset_version_replayed: str


class ChainOut(BaseModel):
    ok: bool
    length: int
    head_hash: str | None
    first_broken_seq: int | None
    message: str | None


class SearchItem(BaseModel):
    id: str
    reference: str | None
    office: str | None
    service: str | None
    document_type: str
    status: str
    flag: Flag | None
    created_at: datetime
    decision: dict[str, Any] | None


class SearchOut(BaseModel):
    items: list[SearchItem]


def _sessions(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state.pipeline.stores.sessions


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@router.get("/v1/applications/{application_id}/timeline", response_model=TimelineOut,
            responses={404: {}})
def timeline(request: Request, principal: Reader, application_id: Id) -> TimelineOut:
    """Every audit event of the application, oldest first, and whether its links hold."""
    with _sessions(request)() as session:
        readable(session, principal, application_id)
        events = audit.events_for(session, application_id)
        intact = oversight.trail_intact(session, events)
        out = [EventOut(seq=e.seq, at=e.at, kind=e.kind, actor=e.actor, payload=e.payload,
                        prev_hash=e.prev_hash, hash=e.hash) for e in events]
    return TimelineOut(events=out, chain_ok=intact)


@router.get("/v1/applications/{application_id}/replay", response_model=ReplayOut,
            responses={404: {}, 422: {}})
def replay_report(request: Request, principal: Auditor, application_id: Id,
                  under: Literal["stored", "current"] = "stored") -> ReplayOut:
    """The rules again on the stored extraction, under the report's ruleset or today's."""
    pipeline = request.app.state.pipeline
    with _sessions(request)() as session:
        readable(session, principal, application_id)
    current = pipeline.ruleset
    result = replay(pipeline.stores, application_id, current if under == "current" else None,
                    actor=principal.actor)
    return ReplayOut(stored=result.stored, replayed=result.replayed.to_contract(),
                     differences=result.differences,
                     ruleset_version_stored=result.stored.get("ruleset_version", ""),
                     ruleset_version_current=current.version,
                     ruleset_version_replayed=result.replayed.ruleset_version)


@router.get("/v1/audit/search", response_model=SearchOut, responses={422: {}})
def search(
    request: Request, principal: Auditor,
    reference: Annotated[str | None, Query(max_length=128)] = None,
    nik: Annotated[str | None, Query(max_length=32)] = None,
    since: datetime | None = None, until: datetime | None = None,
    flag: Flag | None = None, decision: Verdict | None = None,
    verifier: Annotated[str | None, Query(max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_SEARCH)] = 100,
) -> SearchOut:
    """Applications with their current decision; `nik` is one exact 16-digit NIK or No. KK."""
    nik_digest = _nik_digest(request, nik) if nik is not None else None
    wanted = finder.SearchFilter(reference=reference, nik_digest=nik_digest, since=_utc(since),
                                 until=_utc(until), flag=flag.value if flag else None,
                                 decision=decision.value if decision else None,
                                 verifier=verifier, limit=limit)
    with transaction(_sessions(request)) as session:
        rows = finder.search(session, scoped(select(Application), principal), wanted)
        if nik is not None:
            audit.append(session, "search.nik", actor=principal.actor,
                         payload={"nik": nik, "results": len(rows)})
        items = [SearchItem(id=a.id, reference=a.reference, office=a.office, service=a.service,
                            document_type=a.document_type, status=a.status,
                            flag=Flag(a.flag) if a.flag else None, created_at=a.created_at,
                            decision=decision_json(d) if d is not None else None)
                 for a, d in rows]
    return SearchOut(items=items)


@router.get("/v1/audit/chain", response_model=ChainOut)
def chain(request: Request, _principal: Auditor) -> ChainOut:
    with _sessions(request)() as session:
        found = audit.verify(session)
    return ChainOut(ok=found.ok, length=found.events, head_hash=found.head,
                    first_broken_seq=found.first_broken_seq, message=found.reason)


@router.get("/v1/audit/rules")
def rules(request: Request, principal: Auditor, since: datetime | None = None,
          until: datetime | None = None) -> dict[str, Any]:
    """Per rule id counts by outcome; overrides of clear and mismatch flags; QA samples."""
    period = oversight.Period(_utc(since), _utc(until))
    with _sessions(request)() as session:
        return oversight.rule_report(session, scoped(select(Application), principal), period)


@router.get("/v1/audit/export", response_class=Response,
            responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
async def export(request: Request, principal: Auditor, since: datetime | None = None,
                 until: datetime | None = None,
                 format: Literal["csv", "json"] = "csv") -> Response:  # noqa: A002 - the API's name
    """Decisions and rule outcomes of the period, one row per rule outcome (audited)."""
    period = oversight.Period(_utc(since), _utc(until))
    rows = await run_in_threadpool(_export_rows, request, principal, period, format)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    headers = {"Content-Disposition": f'attachment; filename="periksa-export-{stamp}.{format}"',
               "Cache-Control": "private, no-store"}
    if format == "json":
        import json

        body = json.dumps({"columns": oversight.EXPORT_COLUMNS, "rows": rows}, ensure_ascii=False)
        return Response(body, media_type="application/json", headers=headers)
    return Response(_csv(rows), media_type="text/csv; charset=utf-8", headers=headers)


def _export_rows(request: Request, principal: Principal, period: oversight.Period,
                 format: str) -> list[dict[str, Any]]:  # noqa: A002
    with transaction(_sessions(request)) as session:
        rows = list(oversight.export_rows(session, scoped(select(Application), principal), period))
        audit.append(session, "export.downloaded", actor=principal.actor, payload={
            "since": period.since.isoformat() if period.since else None,
            "until": period.until.isoformat() if period.until else None,
            "format": format, "rows": len(rows)})
    return rows


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=oversight.EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return out.getvalue()


def _cell(value: Any) -> str:
    """No formula injection: a spreadsheet must not run a reference typed by an applicant."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _nik_digest(request: Request, nik: str) -> str:
    """Exact numbers only: 16 digits, else 422. Indexes what is new first (see storage.search)."""
    number = nik.strip()
    if not finder.NIK.fullmatch(number):
        raise BadRequest("a NIK search needs exactly 16 digits (no partial search)")
    settings = request.app.state.settings
    secret = finder.load_secret(settings.nik_index_secret, settings.data_dir)
    done, clashes = -1, 0
    while done != 0:
        try:
            with transaction(_sessions(request)) as session:
                done = finder.catch_up(session, secret)
        except IntegrityError:  # a concurrent search indexed the same batch: go on from there
            clashes += 1
            if clashes > 3:
                raise
    return finder.digest(secret, number)
