"""The verifiers' work queue: every FLAGGED application (clear ones too: a person decides all).

Order: overdue first (older than the service-time target), then by the flag the verifier
is shown (`queue_flag`: mismatch > review > clear; a QA sample shows as review), then the
oldest first. The caller passes the select of what its principal may see (web/access.py),
so scoping stays in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, exists
from sqlalchemy.orm import Session, defer, lazyload

from pipeline.records import Flag, Status

from .decisions import Claim, Decision, QaSample
from .tables import Application

_RANK = {Flag.MISMATCH.value: 0, Flag.REVIEW.value: 1, Flag.CLEAR.value: 2}
MAX_ITEMS = 500


@dataclass(frozen=True)
class QueueItem:
    id: str
    reference: str | None
    office: str | None
    service: str | None
    document_type: str
    flag: str | None
    queue_flag: str | None
    qa_sample: bool
    escalated: bool
    age_hours: float
    overdue: bool
    claimed_by: str | None
    claim_expires_at: datetime | None
    created_at: datetime

    def sort_key(self) -> tuple[bool, int, datetime, str]:
        return (not self.overdue, _RANK.get(self.queue_flag or "", 3), self.created_at, self.id)


@dataclass(frozen=True)
class QueueFilter:
    flag: Flag | None = None  # compared with queue_flag: what the verifier is shown
    document_type: str | None = None
    service: str | None = None
    min_age_h: float | None = None


def queue(session: Session, visible: Select, now: datetime, target_h: float,
          wanted: QueueFilter = QueueFilter()) -> list[QueueItem]:
    """The whole ordered queue of what `visible` (a scoped select of Application) admits."""
    escalated = exists().where(and_(Decision.application_id == Application.id,
                                    Decision.decision == "escalate"))
    query = (visible.where(Application.status == Status.FLAGGED.value)
             .outerjoin(Claim, Claim.application_id == Application.id)
             .outerjoin(QaSample, QaSample.application_id == Application.id)
             .options(lazyload(Application.documents), defer(Application.submission))
             .add_columns(Claim, QaSample.application_id, escalated.label("escalated")))
    if wanted.document_type:
        query = query.where(Application.document_type == wanted.document_type)
    if wanted.service:
        query = query.where(Application.service == wanted.service)
    items = [_item(app, claim, sample is not None, bool(esc), now, target_h)
             for app, claim, sample, esc in session.execute(query)]
    if wanted.flag is not None:
        items = [i for i in items if i.queue_flag == wanted.flag.value]
    if wanted.min_age_h is not None:
        items = [i for i in items if i.age_hours >= wanted.min_age_h]
    return sorted(items, key=QueueItem.sort_key)


def next_id(items: list[QueueItem], after: str | None, me: str) -> str | None:
    """The first item after `after` (wrapping round) that is unclaimed or claimed by `me`."""
    ids = [i.id for i in items]
    start = ids.index(after) + 1 if after in ids else 0
    for item in items[start:] + items[:start]:
        if item.id != after and item.claimed_by in (None, me):
            return item.id
    return None


def _item(app: Application, claim: Claim | None, sampled: bool, escalated: bool,
          now: datetime, target_h: float) -> QueueItem:
    age_h = max(0.0, (now - app.created_at).total_seconds() / 3600)
    live = claim if claim is not None and claim.expires_at > now else None
    shown = Flag.REVIEW.value if sampled else app.flag
    return QueueItem(
        id=app.id, reference=app.reference, office=app.office, service=app.service,
        document_type=app.document_type, flag=app.flag, queue_flag=shown, qa_sample=sampled,
        escalated=escalated, age_hours=round(age_h, 2), overdue=age_h > target_h,
        claimed_by=live.verifier if live else None,
        claim_expires_at=live.expires_at if live else None, created_at=app.created_at,
    )
