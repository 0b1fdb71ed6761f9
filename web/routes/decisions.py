"""Verifiers at work: the queue, claims, decisions and the return reasons to choose from.

    GET    /v1/queue                          verifier (its office), auditor (all)
    GET    /v1/queue/next?after=ID            verifier: the next item it may open
    POST   /v1/applications/{id}/claim        verifier: hold it for claim_ttl_s
    DELETE /v1/applications/{id}/claim        verifier: give its own claim back
    POST   /v1/applications/{id}/decisions    verifier holding the claim
    GET    /v1/applications/{id}/decisions    verifier (its office), auditor
    GET    /v1/return-reasons                 any person

Out of scope reads as 404 (web/access.py). Claims and decisions are a person's act: a
verifier API key gets 403 here. The rules live in storage/decisions.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from pipeline.records import Flag
from storage import decisions
from storage import queue as work_queue
from storage.accounts import Principal, Role
from storage.db import transaction
from storage.tables import Application
from web.access import readable, scoped
from web.auth import request_now, require
from web.errors import Forbidden

router = APIRouter(tags=["decisions"])
APP = "/v1/applications/{application_id}"
Id = Annotated[str, Path(max_length=26)]
Verifier = Annotated[Principal, Depends(require(Role.VERIFIER))]
Reader = Annotated[Principal, Depends(require(Role.VERIFIER, Role.AUDITOR))]
FLAG_LABELS = {
    "id": {"clear": "Sesuai", "review": "Perlu diperiksa", "mismatch": "Tidak sesuai"},
    "en": {"clear": "Clear", "review": "Review", "mismatch": "Mismatch"},
}


class ClaimOut(BaseModel):
    claimed_by: str
    expires_at: datetime


class DecisionBody(BaseModel):
    decision: decisions.Verdict
    reason_codes: list[Annotated[str, Field(max_length=64)]] = Field([], max_length=20)
    note: str | None = Field(None, max_length=decisions.NOTE_MAX)
    corrects: str | None = Field(None, max_length=26)


class DecisionOut(BaseModel):
    id: str
    decision: decisions.Verdict
    reason_codes: list[str]
    note: str | None
    verifier: str
    decided_at: datetime
    corrects: str | None
    flag: Flag | None
    qa_sample: bool


class ReasonOut(BaseModel):
    code: str
    label_id: str
    label_en: str


class QueueItemOut(BaseModel):
    id: str
    reference: str | None
    office: str | None
    service: str | None
    document_type: str
    flag: Flag | None
    queue_flag: Flag | None
    queue_flag_label: str | None
    qa_sample: bool
    escalated: bool
    age_hours: float
    overdue: bool
    claimed_by: str | None
    claim_expires_at: datetime | None
    created_at: datetime


class QueueOut(BaseModel):
    items: list[QueueItemOut]
    total: int
    target_hours: float


class NextOut(BaseModel):
    id: str | None


def _sessions(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state.pipeline.stores.sessions


def _person(principal: Principal) -> Principal:
    if principal.kind != "user":
        raise Forbidden("claims and decisions are made by a person, not an API key")
    return principal


@router.post(APP + "/claim", response_model=ClaimOut, responses={404: {}, 409: {}})
def claim(request: Request, principal: Verifier, application_id: Id) -> ClaimOut:
    """Hold the application; the same verifier again extends; another's live claim: 409."""
    settings = request.app.state.settings
    with transaction(_sessions(request)) as session:
        application = readable(session, _person(principal), application_id)
        held = decisions.claim(session, application, principal, request_now(request),
                               settings.claim_ttl_s)
    return ClaimOut(claimed_by=held.claimed_by, expires_at=held.expires_at)


@router.delete(APP + "/claim", status_code=204, response_class=Response,
               responses={404: {}, 409: {}})
def release(request: Request, principal: Verifier, application_id: Id) -> Response:
    with transaction(_sessions(request)) as session:
        readable(session, _person(principal), application_id)
        if not decisions.release(session, application_id, principal, request_now(request)):
            raise decisions.NotClaimed("you hold no claim on this application")
    return Response(status_code=204)


@router.post(APP + "/decisions", status_code=201, response_model=DecisionOut,
             responses={404: {}, 409: {}, 422: {}})
def decide(request: Request, principal: Verifier, application_id: Id,
           body: DecisionBody) -> DecisionOut:
    """Final once written; a correction is a new decision naming the current one."""
    wanted = decisions.DecisionIn(body.decision, body.reason_codes, body.note, body.corrects)
    with transaction(_sessions(request)) as session:
        readable(session, _person(principal), application_id)
        row = decisions.decide(session, application_id, principal, wanted, request_now(request))
        return DecisionOut(**decisions.decision_json(row))


@router.get(APP + "/decisions", response_model=list[DecisionOut], responses={404: {}})
def list_decisions(request: Request, principal: Reader, application_id: Id) -> list[DecisionOut]:
    """Oldest first; the last one is the current decision."""
    with _sessions(request)() as session:
        readable(session, principal, application_id)
        return [DecisionOut(**decisions.decision_json(d))
                for d in decisions.decisions_of(session, application_id)]


@router.get("/v1/return-reasons", response_model=list[ReasonOut])
def return_reasons(_principal: Reader) -> list[ReasonOut]:
    return [ReasonOut(code=r.code, label_id=r.label_id, label_en=r.label_en)
            for r in decisions.return_reasons()]


@router.get("/v1/queue", response_model=QueueOut)
def queue(
    request: Request, principal: Reader,
    flag: Flag | None = None,
    document_type: Annotated[str | None, Query(max_length=32)] = None,
    service: Annotated[str | None, Query(max_length=64)] = None,
    min_age_h: Annotated[float | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=work_queue.MAX_ITEMS)] = 100,
    lang: Literal["id", "en"] = "id",
) -> QueueOut:
    """Overdue first, then mismatch > review > clear (QA samples as review), oldest first."""
    items = _queue(request, principal, work_queue.QueueFilter(flag, document_type, service,
                                                              min_age_h))
    labels = FLAG_LABELS[lang]
    out = [QueueItemOut(**vars(i), queue_flag_label=labels.get(i.queue_flag or ""))
           for i in items[:limit]]
    return QueueOut(items=out, total=len(items),
                    target_hours=request.app.state.settings.service_time_target_h)


@router.get("/v1/queue/next", response_model=NextOut)
def queue_next(request: Request, principal: Verifier,
               after: Annotated[str | None, Query(max_length=26)] = None) -> NextOut:
    """The next item in queue order after `after` that is unclaimed or claimed by the caller."""
    items = _queue(request, principal, work_queue.QueueFilter())
    return NextOut(id=work_queue.next_id(items, after, principal.name))


def _queue(request: Request, principal: Principal,
           wanted: work_queue.QueueFilter) -> list[work_queue.QueueItem]:
    target = request.app.state.settings.service_time_target_h
    with _sessions(request)() as session:
        return work_queue.queue(session, scoped(select(Application), principal),
                                request_now(request), target, wanted)
