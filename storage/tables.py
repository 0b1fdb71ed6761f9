"""The records periksa keeps: applications, their documents, reports and the audit chain.

Constraint and index names come from one naming convention so that Alembic migrations
(a later issue) can refer to them. Timestamps are stored and returned as aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from pipeline.records import Flag, Status

from .ids import new_id

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
JsonValue = JSON().with_variant(JSONB(), "postgresql")
SeqInt = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrement needs INTEGER


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out, on SQLite too (which keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: pass an aware UTC time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(_in("status", [s.value for s in Status]), name="status"),
        CheckConstraint(f"flag IS NULL OR {_in('flag', [f.value for f in Flag])}", name="flag"),
        Index(None, "status", "id"),
        Index(None, "reference"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    reference: Mapped[str | None] = mapped_column(String(128))
    office: Mapped[str | None] = mapped_column(String(16))
    service: Mapped[str | None] = mapped_column(String(64))
    document_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=Status.RECEIVED.value)
    flag: Mapped[str | None] = mapped_column(String(16))
    submission: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    documents: Mapped[list[Document]] = relationship(
        back_populates="application", order_by="Document.position", lazy="selectin"
    )


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        Index(None, "application_id", "position", unique=True),
        Index(None, "sha256"),
        CheckConstraint("size_bytes >= 0", name="size_bytes"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="RESTRICT"))
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    document_type: Mapped[str | None] = mapped_column(String(32))
    extraction: Mapped[dict[str, Any] | None] = mapped_column(JsonValue)

    application: Mapped[Application] = relationship(back_populates="documents")


class Report(Base):
    """One verification report; replays add rows, the newest one is current."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(f"flag IS NULL OR {_in('flag', [f.value for f in Flag])}", name="flag"),
        Index(None, "application_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="RESTRICT"))
    ruleset_version: Mapped[str] = mapped_column(String(80))
    flag: Mapped[str | None] = mapped_column(String(16))
    body: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AuditEvent(Base):
    """One link of the append-only audit chain (see storage/audit.py)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index(None, "application_id", "seq"),
        Index(None, "kind"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    application_id: Mapped[str | None] = mapped_column(String(26))
    kind: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    # unique: two links naming the same predecessor would be a fork, refused by the database
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
