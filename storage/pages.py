"""Page work items and the completion count (tables in storage/work.py).

Every write here is compare-and-set, so any of them may be repeated by a redelivered
message without effect: planning an application twice adds no rows, saving a page twice
counts once, and `save_page` tells exactly one caller that the last page just finished.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pipeline.records import Status

from .tables import Application, AuditEvent, utcnow
from .work import DONE, PENDING, PageWork, Progress


@dataclass(frozen=True)
class PageKey:
    document_id: str
    page: int


@dataclass(frozen=True)
class Stuck:
    """An application the sweep found idle past its deadline, and what it still needs."""

    application_id: str
    status: str
    planned: bool
    pending: tuple[PageKey, ...]


def plan(session: Session, application_id: str, pages: dict[str, int]) -> bool:
    """Create the page rows and the progress row once; False when they already exist."""
    if session.get(Progress, application_id) is not None:
        return False
    for document_id, count in pages.items():
        for number in range(1, count + 1):
            session.add(PageWork(document_id=document_id, page=number,
                                 application_id=application_id, state=PENDING))
    session.add(Progress(application_id=application_id, pages_total=sum(pages.values())))
    session.flush()
    return True


def pending_pages(session: Session, application_id: str) -> list[PageKey]:
    query = (select(PageWork.document_id, PageWork.page)
             .where(PageWork.application_id == application_id, PageWork.state == PENDING)
             .order_by(PageWork.document_id, PageWork.page))
    return [PageKey(d, p) for d, p in session.execute(query)]


def page_state(session: Session, document_id: str, page: int) -> tuple[str, str] | None:
    """(application_id, state) of a page, None when no such work item exists."""
    row = session.execute(
        select(PageWork.application_id, PageWork.state)
        .where(PageWork.document_id == document_id, PageWork.page == page)
    ).first()
    return (row[0], row[1]) if row else None


def save_page(
    session: Session, document_id: str, page: int, text: dict[str, Any], ms: int,
) -> bool | None:
    """Keep one page's words; True when this call finished the application's last page.

    None when the page was already done (a duplicate: nothing written). The count is
    incremented with UPDATE ... RETURNING in the same transaction as the page, so the
    completion is decided by the database, never by a timer or a worker's memory.
    """
    application_id = session.scalars(
        update(PageWork)
        .where(PageWork.document_id == document_id, PageWork.page == page,
               PageWork.state == PENDING)
        .values(state=DONE, text=text, ms=ms, updated_at=utcnow())
        .returning(PageWork.application_id)
    ).first()
    if application_id is None:
        return None
    done, total = session.execute(
        update(Progress)
        .where(Progress.application_id == application_id)
        .values(pages_done=Progress.pages_done + 1, touched_at=utcnow())
        .returning(Progress.pages_done, Progress.pages_total)
    ).one()
    return done == total


def all_done(session: Session, application_id: str) -> bool:
    progress = session.get(Progress, application_id)
    return progress is not None and progress.pages_done == progress.pages_total


def page_texts(session: Session, document_id: str) -> list[tuple[dict[str, Any], int]]:
    """(PageText JSON, OCR ms) of a document's pages in page order; only done pages."""
    query = (select(PageWork.text, PageWork.ms)
             .where(PageWork.document_id == document_id, PageWork.state == DONE)
             .order_by(PageWork.page))
    return [(text, ms or 0) for text, ms in session.execute(query)]


def touch(session: Session, application_id: str, *, error: str | None = None) -> None:
    """Restart the application's deadline clock (and record an error code when given)."""
    values: dict[str, Any] = {"touched_at": utcnow()}
    if error is not None:
        values["error"] = error
    session.execute(update(Progress).where(Progress.application_id == application_id)
                    .values(**values))


def stuck(session: Session, older_than_s: float, *, now: datetime | None = None) -> list[Stuck]:
    """Applications received or processing with no progress for `older_than_s` seconds."""
    cutoff = (now or utcnow()) - timedelta(seconds=older_than_s)
    query = (
        select(Application.id, Application.status, Progress.application_id)
        .outerjoin(Progress, Progress.application_id == Application.id)
        .where(Application.status.in_([Status.RECEIVED.value, Status.PROCESSING.value]))
        .where(func.coalesce(Progress.touched_at, Application.updated_at) <= cutoff)
        .order_by(Application.id)
    )
    found = []
    for application_id, status, planned in session.execute(query).all():
        pending = pending_pages(session, application_id) if planned else []
        found.append(Stuck(application_id, status, planned is not None, tuple(pending)))
    return found


def failed(session: Session, limit: int = 500) -> list[tuple[str, str | None, str | None]]:
    """(application id, reference, error code) of the dead-letter state, oldest first.

    The code comes from the audited FAILED transition, so it is there even for an
    application that failed before its pages were planned.
    """
    query = (
        select(Application.id, Application.reference)
        .where(Application.status == Status.FAILED.value)
        .order_by(Application.id).limit(limit)
    )
    rows = []
    for application_id, reference in session.execute(query).all():
        payload = session.scalars(
            select(AuditEvent.payload)
            .where(AuditEvent.application_id == application_id,
                   AuditEvent.kind == f"status.{Status.FAILED.value}")
            .order_by(AuditEvent.seq.desc()).limit(1)
        ).first() or {}
        rows.append((application_id, reference, (payload.get("detail") or {}).get("error")))
    return rows


def counts(session: Session) -> dict[str, int]:
    """Applications per status: the operator's one-line picture of the queue."""
    rows = session.execute(select(Application.status, func.count()).group_by(Application.status))
    return {status: n for status, n in rows}
