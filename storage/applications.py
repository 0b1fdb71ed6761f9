"""Applications and their life cycle: the one place that knows which status may follow which.

    received ──> processing ──> flagged ──> decided
                   │   ^  ^        │
                   v   │  └────────┘ (re-run, e.g. after a ruleset change)
                  failed ┘ (re-run)

Every change writes an audit event in the same transaction, so the trail and the records
cannot disagree. A status move is compare-and-set (UPDATE ... WHERE status = old), so two
workers racing on one application cannot both win.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline.records import ExtractedDocument, Flag, Status
from pipeline.records import Report as ReportRecord

from . import audit
from .errors import InvalidTransition
from .tables import Application, Document, Report, utcnow

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.PROCESSING}),
    Status.PROCESSING: frozenset({Status.FLAGGED, Status.FAILED}),
    Status.FLAGGED: frozenset({Status.DECIDED, Status.PROCESSING}),
    Status.FAILED: frozenset({Status.PROCESSING}),
    Status.DECIDED: frozenset(),
}
DEFAULT_PAGE = 50


@dataclass(frozen=True)
class StoredFile:
    """An original already in the blob store, as the documents table records it."""

    filename: str
    sha256: str
    media_type: str
    size_bytes: int


def can_transition(current: Status | str, new: Status | str) -> bool:
    return Status(new) in TRANSITIONS[Status(current)]


def create_application(
    session: Session,
    *,
    submission: dict[str, Any],
    document_type: str,
    reference: str | None,
    office: str | None,
    service: str | None,
    files: list[StoredFile],
    idempotency_key: str | None,
    actor: str = "system",
) -> Application:
    """Record a received application and its files; a known idempotency key returns the first."""
    if idempotency_key is not None:
        existing = _by_key(session, idempotency_key)
        if existing is not None:
            return existing
    try:
        with session.begin_nested():
            application = _insert(
                session, submission, document_type, reference, office, service, files,
                idempotency_key,
            )
    except IntegrityError:
        # a concurrent request with the same key committed first: answer with its application
        existing = _by_key(session, idempotency_key) if idempotency_key is not None else None
        if existing is None:
            raise
        return existing
    audit.append(
        session, "application.received", application_id=application.id, actor=actor,
        payload=_received_payload(application, files),
    )
    return application


def transition(
    session: Session,
    application: Application,
    new_status: Status | str,
    *,
    actor: str = "system",
    detail: dict[str, Any] | None = None,
) -> Application:
    """Move to `new_status` or raise InvalidTransition; writes audit event 'status.<new>'."""
    new = Status(new_status)
    old = Status(application.status)
    if not can_transition(old, new):
        raise InvalidTransition(f"an application cannot go from {old.value} to {new.value}")
    moved = session.execute(
        update(Application)
        .where(Application.id == application.id, Application.status == old.value)
        .values(status=new.value, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise InvalidTransition(f"application left {old.value} before this move to {new.value}")
    session.refresh(application)
    payload = {"from": old.value, "to": new.value} | ({"detail": detail} if detail else {})
    audit.append(
        session, f"status.{new.value}", application_id=application.id, actor=actor, payload=payload
    )
    return application


def save_extraction(
    session: Session, document: Document, extracted_json: dict[str, Any] | ExtractedDocument
) -> Document:
    """Keep what the machine read from one document (an ExtractedDocument as JSON)."""
    if isinstance(extracted_json, ExtractedDocument):
        body = extracted_json.model_dump(mode="json")
    else:
        body = dict(extracted_json)
    document.extraction = body
    document.document_type = body.get("document_type") or document.document_type
    session.flush()
    return document


def save_report(
    session: Session,
    application: Application,
    report_json: dict[str, Any] | ReportRecord,
    ruleset_version: str,
    flag: Flag | str | None,
    *,
    actor: str = "system",
) -> Report:
    """Add a report (replays add more; the newest is current) and set the application's flag."""
    body = report_json.to_contract() if isinstance(report_json, ReportRecord) else dict(report_json)
    flag_value = Flag(flag).value if flag is not None else None
    report = Report(
        application_id=application.id, ruleset_version=ruleset_version, flag=flag_value, body=body
    )
    session.add(report)
    application.flag = flag_value
    application.updated_at = utcnow()
    session.flush()
    audit.append(
        session, "report.flagged", application_id=application.id, actor=actor,
        payload={"report_id": report.id, "flag": flag_value, "ruleset_version": ruleset_version},
    )
    return report


def get_application(session: Session, application_id: str) -> Application | None:
    return session.get(Application, application_id)


def latest_report(session: Session, application_id: str) -> dict[str, Any] | None:
    """The current report's contract body, or None before the first one is saved."""
    query = (
        select(Report.body)
        .where(Report.application_id == application_id)
        .order_by(Report.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def list_applications(
    session: Session,
    *,
    status: Status | str | None = None,
    flag: Flag | str | None = None,
    office: str | None = None,
    before: str | None = None,
    limit: int = DEFAULT_PAGE,
) -> list[Application]:
    """Newest first; pass the last id of a page as `before` to get the next page."""
    query = select(Application).order_by(Application.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Application.status == Status(status).value)
    if flag is not None:
        query = query.where(Application.flag == Flag(flag).value)
    if office is not None:
        query = query.where(Application.office == office)
    if before is not None:
        query = query.where(Application.id < before)
    return list(session.scalars(query))


def _by_key(session: Session, key: str) -> Application | None:
    return session.scalars(select(Application).where(Application.idempotency_key == key)).first()


def _insert(
    session: Session,
    submission: dict[str, Any],
    document_type: str,
    reference: str | None,
    office: str | None,
    service: str | None,
    files: list[StoredFile],
    idempotency_key: str | None,
) -> Application:
    known_type = None if document_type == "auto" else document_type
    application = Application(
        submission=submission, document_type=document_type, reference=reference, office=office,
        service=service, idempotency_key=idempotency_key, status=Status.RECEIVED.value,
        documents=[
            Document(
                position=index, filename=f.filename, sha256=f.sha256, media_type=f.media_type,
                size_bytes=f.size_bytes, document_type=known_type,
            )
            for index, f in enumerate(files)
        ],
    )
    session.add(application)
    session.flush()
    return application


def _received_payload(application: Application, files: list[StoredFile]) -> dict[str, Any]:
    """What arrived, without who: hashes, types and sizes; never file names or typed data."""
    return {
        "reference": application.reference,
        "office": application.office,
        "service": application.service,
        "document_type": application.document_type,
        "files": [
            {"sha256": f.sha256, "media_type": f.media_type, "size_bytes": f.size_bytes}
            for f in files
        ],
    }
