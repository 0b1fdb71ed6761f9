"""Callback registrations and every delivery attempt.

Status changes are not pushed from the workers: the audit chain already records each one
(`application.received`, `status.<new>`) in the same transaction as the change, so the
dispatcher reads the chain after `last_seq` of each registration. That works the same with
in-process and remote workers, and a restart resumes where the cursor stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .ids import new_id
from .tables import AuditEvent, Base, SeqInt, UtcDateTime, utcnow

RECEIVED_KIND = "application.received"


class CallbackRegistration(Base):
    __tablename__ = "callback_registrations"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="RESTRICT"), unique=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id", ondelete="RESTRICT"))
    url: Mapped[str] = mapped_column(String(500))
    last_seq: Mapped[int] = mapped_column(SeqInt, default=0)


class CallbackAttempt(Base):
    __tablename__ = "callback_attempts"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    registration_id: Mapped[str] = mapped_column(
        ForeignKey("callback_registrations.id", ondelete="RESTRICT"), index=True)
    event_seq: Mapped[int] = mapped_column(SeqInt)
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(200))


@dataclass(frozen=True)
class Notice:
    """One status change to deliver to one registration."""

    registration_id: str
    key_id: str
    url: str
    application_id: str
    event_seq: int
    status: str


def register(session: Session, application_id: str, key_id: str, url: str) -> bool:
    """Register once per application; False when it already had one (a replayed request)."""
    found = session.scalars(select(CallbackRegistration)
                            .where(CallbackRegistration.application_id == application_id)).first()
    if found is not None:
        return False
    session.add(CallbackRegistration(application_id=application_id, key_id=key_id, url=url))
    session.flush()
    return True


def pending(session: Session, limit: int = 100) -> list[Notice]:
    """Status events not yet delivered (nor given up on), oldest first."""
    query = (
        select(CallbackRegistration, AuditEvent.seq, AuditEvent.kind)
        .join(AuditEvent, AuditEvent.application_id == CallbackRegistration.application_id)
        .where(AuditEvent.seq > CallbackRegistration.last_seq,
               or_(AuditEvent.kind == RECEIVED_KIND, AuditEvent.kind.like("status.%")))
        .order_by(AuditEvent.seq).limit(limit)
    )
    return [Notice(reg.id, reg.key_id, reg.url, reg.application_id, seq, status_of(kind))
            for reg, seq, kind in session.execute(query)]


def status_of(kind: str) -> str:
    return "received" if kind == RECEIVED_KIND else kind.split(".", 1)[1]


def record_attempt(
    session: Session, notice: Notice, attempt: int, *, ok: bool, http_status: int | None = None,
    error: str | None = None,
) -> None:
    session.add(CallbackAttempt(registration_id=notice.registration_id,
                                event_seq=notice.event_seq, attempt=attempt, ok=ok,
                                http_status=http_status, error=(error or None) and error[:200]))
    session.flush()


def advance(session: Session, notice: Notice) -> None:
    """Move the cursor past this event (delivered, or retries spent)."""
    row = session.get(CallbackRegistration, notice.registration_id)
    if row is not None and row.last_seq < notice.event_seq:
        row.last_seq = notice.event_seq
        session.flush()


def attempts(session: Session, application_id: str) -> list[CallbackAttempt]:
    query = (select(CallbackAttempt).join(CallbackRegistration)
             .where(CallbackRegistration.application_id == application_id)
             .order_by(CallbackAttempt.event_seq, CallbackAttempt.attempt))
    return list(session.scalars(query))
