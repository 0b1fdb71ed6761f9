"""Work items of the distributed pipeline: one row per page, one progress row per application.

They live on the same `Base` as the records (so `create_schema` makes them) but in their own
module: the records say what an application is, these say how far the workers got with it.

    pages     (document_id, page) -> state pending|done, the PageText JSON once OCR'd
    progress  application_id -> pages_total, pages_done, touched_at, error

`pages_done` is incremented in the same transaction that marks a page done, only when that
UPDATE moved the page from pending (compare-and-set), so a page delivered twice counts once
and exactly one worker sees the count reach `pages_total`: that worker enqueues the last
stage. `touched_at` is what the sweep compares with its deadline.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .tables import Base, JsonValue, UtcDateTime, utcnow

PENDING = "pending"
DONE = "done"


class PageWork(Base):
    """One page of one document: OCR'd at most once, its words kept for the extract stage."""

    __tablename__ = "pages"
    __table_args__ = (
        CheckConstraint(f"state IN ('{PENDING}', '{DONE}')", name="state"),
        CheckConstraint("page >= 1", name="page"),
        Index(None, "application_id", "state"),
    )

    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="RESTRICT"), primary_key=True
    )
    page: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="RESTRICT"))
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    text: Mapped[dict[str, Any] | None] = mapped_column(JsonValue)
    ms: Mapped[int | None] = mapped_column(Integer)  # time the OCR of this page took
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Progress(Base):
    """How many pages of an application are done; the database-side completion count."""

    __tablename__ = "progress"
    __table_args__ = (
        CheckConstraint("pages_done >= 0 AND pages_done <= pages_total", name="count"),
    )

    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="RESTRICT"), primary_key=True
    )
    pages_total: Mapped[int] = mapped_column(Integer)
    pages_done: Mapped[int] = mapped_column(Integer, default=0)
    touched_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    error: Mapped[str | None] = mapped_column(String(64))  # stable error code when FAILED
