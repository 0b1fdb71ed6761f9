"""/v1/applications: create (intake), read one, list, and the page images a verifier sees."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import cv2
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from extractors.pages import load_pages
from pipeline.read import prepare
from pipeline.records import Flag, Status
from pipeline.tasks import Pipeline
from pipeline.translate import preferred_language, stored_in_language
from storage import applications as apps
from storage import audit, decisions
from storage.accounts import Principal, Role, normalize_office
from storage.db import transaction
from storage.tables import Application
from web import intake
from web.access import readable, scoped
from web.auth import require
from web.errors import NotFound, RequestTooLarge

router = APIRouter(prefix="/v1/applications", tags=["applications"])
READERS = (Role.INTAKE, Role.VERIFIER, Role.AUDITOR)
MAX_LIST = 200


class Accepted(BaseModel):
    id: str
    status_url: str


class DocumentOut(BaseModel):
    n: int
    media_type: str
    size_bytes: int
    document_type: str | None


class DecisionSummary(BaseModel):
    """What the intake service tells the applicant; who decided and notes stay inside."""

    id: str
    decision: str
    reason_codes: list[str]
    decided_at: datetime
    corrects: str | None


class ApplicationOut(BaseModel):
    id: str
    status: Status
    flag: Flag | None
    office: str | None
    reference: str | None
    service: str | None
    document_type: str
    created_at: datetime
    updated_at: datetime
    documents: list[DocumentOut] = []
    report: dict[str, Any] | None = None
    decision: DecisionSummary | None = Field(
        None, description="the current decision once decided (a correction replaces it)")


class ApplicationList(BaseModel):
    items: list[ApplicationOut]
    next_before: str | None


def _pipeline(request: Request) -> Pipeline:
    return request.app.state.pipeline


_MULTIPART = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files", "submission"],
    "properties": {
        "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                  "description": "JPEG, PNG, TIFF or PDF; the type is judged by the bytes"},
        "submission": {"type": "string", "description": "the contract's submission JSON"},
        "callback_url": {"type": "string", "description": "POSTed on every status change"},
    }}}}}}


@router.post("", status_code=202, response_model=Accepted, openapi_extra=_MULTIPART,
             responses={413: {}, 415: {}, 422: {}})
async def create_application(
    request: Request, principal: Annotated[Principal, Depends(require(Role.INTAKE))],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Accepted:
    """Store an application and queue its checks; a repeated Idempotency-Key gets the first answer."""
    pipeline = _pipeline(request)
    settings = pipeline.settings
    key = intake.check_idempotency_key(idempotency_key)
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > settings.max_request_bytes:
        raise RequestTooLarge(f"the request exceeds {settings.max_request_bytes} bytes")
    async with request.form(max_files=settings.max_files + 1, max_fields=10) as form:
        body = await intake.read_form(form, settings)
    application_id = await run_in_threadpool(intake.create, pipeline, principal, body, key)
    return Accepted(id=application_id, status_url=f"/v1/applications/{application_id}")


@router.get("", response_model=ApplicationList)
def list_applications(
    request: Request, principal: Annotated[Principal, Depends(require(*READERS))],
    status: Status | None = None, flag: Flag | None = None,
    office: Annotated[str | None, Query(max_length=16)] = None,
    since: datetime | None = None,
    before: Annotated[str | None, Query(max_length=26)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 50,
) -> ApplicationList:
    """Newest first, only what the caller may read; pass `next_before` for the next page."""
    query = scoped(select(Application), principal).order_by(Application.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Application.status == status.value)
    if flag is not None:
        query = query.where(Application.flag == flag.value)
    if office is not None:
        query = query.where(func.replace(Application.office, ".", "") == normalize_office(office))
    if since is not None:
        query = query.where(Application.created_at >= _aware(since))
    if before is not None:
        query = query.where(Application.id < before)
    with _pipeline(request).stores.sessions() as session:
        rows = list(session.scalars(query))
        items = [_out(a) for a in rows]
    return ApplicationList(items=items, next_before=rows[-1].id if len(rows) == limit else None)


@router.get("/{application_id}", response_model=ApplicationOut, responses={404: {}})
def get_application(
    request: Request, response: Response,
    principal: Annotated[Principal, Depends(require(*READERS))],
    application_id: Annotated[str, Path(max_length=26)],
    lang: Annotated[str | None, Query(pattern="^(id|en)$",
                                      description="language of reasons and check messages")] = None,
    accept_language: Annotated[str | None, Header(alias="Accept-Language")] = None,
) -> ApplicationOut:
    """Status and, once flagged, the contract's report (a person's read is audited).

    Reasons and check messages are Indonesian unless `?lang=en` or Accept-Language asks for
    English: the report is then re-rendered from its stored inputs (pipeline/translate.py)."""
    with transaction(_pipeline(request).stores.sessions) as session:
        application = readable(session, principal, application_id)
        report = None
        if application.status in (Status.FLAGGED.value, Status.DECIDED.value):
            report = apps.latest_report(session, application.id)
        if report is not None and principal.is_person:
            audit.append(session, "report.viewed", application_id=application.id,
                         actor=principal.actor, payload={"role": principal.role.value})
        out = _out(application, report, with_documents=True)
        if application.status == Status.DECIDED.value:
            current = decisions.current_decision(session, application.id)
            if current is not None:
                out.decision = DecisionSummary.model_validate(current, from_attributes=True)
    language = preferred_language(lang, accept_language)
    response.headers["Content-Language"] = language
    if out.report is not None and language != "id":
        translated = stored_in_language(_pipeline(request).stores, application_id, out.report,
                                        language)
        out = out.model_copy(update={"report": translated})
    return out


@router.get("/{application_id}/documents/{n}/pages/{p}.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}}, 404: {}})
def page_image(
    request: Request, principal: Annotated[Principal, Depends(require(*READERS))],
    application_id: Annotated[str, Path(max_length=26)],
    n: Annotated[int, Path(ge=1, le=1000)], p: Annotated[int, Path(ge=1, le=1000)],
) -> Response:
    """Page p of document n (both from 1) as the pipeline read it: decoded and preprocessed."""
    pipeline = _pipeline(request)
    with pipeline.stores.sessions() as session:
        application = readable(session, principal, application_id)
        documents = list(application.documents)
        if n > len(documents):
            raise NotFound("no such document")
        sha256, media_type = documents[n - 1].sha256, documents[n - 1].media_type
    loaded = load_pages(pipeline.stores.blobs.get(sha256), media_type, pipeline.settings)
    if p > len(loaded):
        raise NotFound("no such page")
    page = prepare(loaded[p - 1])
    _, png = cv2.imencode(".png", page.pixels)
    if principal.is_person:
        with transaction(pipeline.stores.sessions) as session:
            audit.append(session, "page.viewed", application_id=application_id,
                         actor=principal.actor, payload={"document": n, "page": p})
    return Response(png.tobytes(), media_type="image/png",
                    headers={"Cache-Control": "private, no-store"})


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _out(application: Application, report: dict[str, Any] | None = None, *,
         with_documents: bool = False) -> ApplicationOut:
    documents = [DocumentOut(n=d.position + 1, media_type=d.media_type, size_bytes=d.size_bytes,
                             document_type=d.document_type)
                 for d in application.documents] if with_documents else []
    return ApplicationOut(
        id=application.id, status=Status(application.status),
        flag=Flag(application.flag) if application.flag else None, office=application.office,
        reference=application.reference, service=application.service,
        document_type=application.document_type, created_at=application.created_at,
        updated_at=application.updated_at, documents=documents, report=report,
    )
