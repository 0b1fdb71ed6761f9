"""The numbers an office looks at, computed from the records and the audit chain.

Everything here is read at the moment it is asked for (dashboard request, metrics scrape),
from the database only, so any number of API and worker processes give the same answer.

    intake today           applications received since local midnight (Asia/Jakarta by
                           default: an office's "today", not UTC's)
    queue by flag          flagged and not yet decided, per flag
    upload -> flag         application.created_at to its first `status.flagged` event
    flag -> decision       a `status.decided` event to the latest `status.flagged` before it
    decisions per verifier `status.decided` events per actor and local day, against the norm

The audit events are the source for the durations and decisions because every status
change writes one in the same transaction as the change itself, whichever process made it.
`scope` restricts a select over Application to what the caller may see (web/access.scoped);
None means everything. Pipeline numbers (pages pending, pages per minute, failures by code)
are at the end; they carry no personal data and are what /metrics exports.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from pipeline.records import Status

from .tables import Application, AuditEvent
from .work import DONE, PENDING, PageWork

Scope = Callable[[Select], Select]
FLAGGED = f"status.{Status.FLAGGED.value}"
DECIDED = f"status.{Status.DECIDED.value}"
FAILED = f"status.{Status.FAILED.value}"
RATE_WINDOW = timedelta(minutes=5)


@dataclass(frozen=True)
class Durations:
    """Count, median and 90th percentile of a set of durations, in seconds (None if empty)."""

    count: int
    median_s: float | None
    p90_s: float | None


@dataclass(frozen=True)
class VerifierDays:
    verifier: str  # the user name of the actor that decided
    per_day: dict[str, int]  # ISO local date -> decisions, every day of the window present
    total: int
    mean_per_day_worked: float  # over the days with at least one decision
    days_at_norm: int  # days on which the norm was reached


@dataclass(frozen=True)
class Dashboard:
    as_of: datetime
    timezone: str
    intake_today: int
    queue: dict[str, int]
    upload_to_flag: dict[str, Durations]
    flag_to_decision: dict[str, Durations]
    decision_norm_per_day: int
    decision_days: list[str]
    decisions: list[VerifierDays] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["as_of"] = self.as_of.isoformat()
        return body


@dataclass(frozen=True)
class PipelineNumbers:
    """The state of the work, for operators: no personal data in any of it."""

    applications: dict[tuple[str, str], int]  # (status, flag or "none") -> count
    pages_pending: int
    oldest_pending_page_s: float
    oldest_unsettled_s: float  # oldest application still received or processing
    pages_done_recent: int  # in the last RATE_WINDOW
    pages_per_minute: float
    failures_by_code: dict[str, int]  # status.failed events ever, by error code
    failed_now_by_code: dict[str, int]  # applications in FAILED now, by their last code


# --- pure helpers ----------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100) of unsorted values; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def durations(values: list[float]) -> Durations:
    median, p90 = percentile(values, 50), percentile(values, 90)
    return Durations(len(values), _round(median), _round(p90))


def local_midnight(now: datetime, tz: tzinfo, days_back: int = 0) -> datetime:
    """Start of the local day `days_back` days before now's, as an aware datetime."""
    day = now.astimezone(tz).date() - timedelta(days=days_back)
    return datetime.combine(day, time(0), tzinfo=tz)


def local_days(now: datetime, tz: tzinfo, count: int) -> list[date]:
    today = now.astimezone(tz).date()
    return [today - timedelta(days=n) for n in range(count - 1, -1, -1)]


def verifier_name(actor: str) -> str:
    """'user:siti' -> 'siti'; other actors unchanged."""
    return actor.split(":", 1)[1] if actor.startswith("user:") else actor


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _scoped(query: Select, scope: Scope | None) -> Select:
    return scope(query) if scope is not None else query


# --- dashboard numbers -----------------------------------------------------------------


def intake_since(session: Session, since: datetime, scope: Scope | None = None) -> int:
    query = select(func.count()).select_from(Application).where(Application.created_at >= since)
    return session.scalar(_scoped(query, scope)) or 0


def queue_by_flag(session: Session, scope: Scope | None = None) -> dict[str, int]:
    """Flagged, undecided applications per flag (every flag present, plus the total)."""
    query = (select(Application.flag, func.count()).select_from(Application)
             .where(Application.status == Status.FLAGGED.value).group_by(Application.flag))
    found = {flag or "none": n for flag, n in session.execute(_scoped(query, scope))}
    queue = {flag: found.get(flag, 0) for flag in ("clear", "review", "mismatch")}
    if found.get("none"):
        queue["none"] = found["none"]
    queue["total"] = sum(found.values())
    return queue


def upload_to_flag(
    session: Session, since: datetime, until: datetime, scope: Scope | None = None,
) -> Durations:
    """Upload to first flag, for applications first flagged within [since, until)."""
    first = func.min(AuditEvent.at)
    query = (select(Application.created_at, first)
             .select_from(AuditEvent).join(Application, Application.id == AuditEvent.application_id)
             .where(AuditEvent.kind == FLAGGED)
             .group_by(Application.id, Application.created_at))
    rows = session.execute(_scoped(query, scope)).all()
    return durations([(flagged - created).total_seconds() for created, flagged in rows
                      if since <= flagged < until])


def flag_to_decision(
    session: Session, since: datetime, until: datetime, scope: Scope | None = None,
) -> Durations:
    """Latest flag to decision, for decisions made within [since, until)."""
    earlier = aliased(AuditEvent)
    flagged_at = (select(func.max(earlier.at))
                  .where(earlier.application_id == AuditEvent.application_id,
                         earlier.kind == FLAGGED, earlier.seq < AuditEvent.seq)
                  .scalar_subquery())
    query = (select(AuditEvent.at, flagged_at)
             .select_from(AuditEvent).join(Application, Application.id == AuditEvent.application_id)
             .where(AuditEvent.kind == DECIDED, AuditEvent.at >= since, AuditEvent.at < until))
    rows = session.execute(_scoped(query, scope)).all()
    return durations([(decided - flagged).total_seconds() for decided, flagged in rows
                      if flagged is not None])


def decisions_by_verifier(
    session: Session, now: datetime, tz: tzinfo, days: int, norm: int, scope: Scope | None = None,
) -> tuple[list[str], list[VerifierDays]]:
    """Decisions per verifier and local day over the last `days` days (today included)."""
    window = local_days(now, tz, days)
    query = (select(AuditEvent.actor, AuditEvent.at)
             .select_from(AuditEvent).join(Application, Application.id == AuditEvent.application_id)
             .where(AuditEvent.kind == DECIDED,
                    AuditEvent.at >= local_midnight(now, tz, days - 1), AuditEvent.at <= now))
    counts: dict[str, Counter[date]] = defaultdict(Counter)
    for actor, at in session.execute(_scoped(query, scope)):
        counts[verifier_name(actor)][at.astimezone(tz).date()] += 1
    names = [d.isoformat() for d in window]
    return names, [_verifier_days(name, per_day, window, norm)
                   for name, per_day in sorted(counts.items())]


def _verifier_days(
    name: str, per_day: Counter[date], window: list[date], norm: int,
) -> VerifierDays:
    worked = [n for n in per_day.values() if n > 0]
    return VerifierDays(
        verifier=name, per_day={d.isoformat(): per_day.get(d, 0) for d in window},
        total=sum(worked),
        mean_per_day_worked=round(sum(worked) / len(worked), 1) if worked else 0.0,
        days_at_norm=sum(1 for n in worked if n >= norm),
    )


def dashboard(
    session: Session, now: datetime, tz: tzinfo, *, norm: int = 30, scope: Scope | None = None,
) -> Dashboard:
    """Every number of the dashboard at `now`, within `scope`."""
    today, week = local_midnight(now, tz), local_midnight(now, tz, 6)
    days, decisions = decisions_by_verifier(session, now, tz, 7, norm, scope)
    return Dashboard(
        as_of=now, timezone=str(tz), intake_today=intake_since(session, today, scope),
        queue=queue_by_flag(session, scope),
        upload_to_flag={"today": upload_to_flag(session, today, now, scope),
                        "last_7_days": upload_to_flag(session, week, now, scope)},
        flag_to_decision={"today": flag_to_decision(session, today, now, scope),
                          "last_7_days": flag_to_decision(session, week, now, scope)},
        decision_norm_per_day=norm, decision_days=days, decisions=decisions,
    )


# --- pipeline numbers (operators, /metrics) --------------------------------------------


def pipeline_numbers(session: Session, now: datetime) -> PipelineNumbers:
    applications = {
        (status, flag or "none"): n for status, flag, n in session.execute(
            select(Application.status, Application.flag, func.count())
            .group_by(Application.status, Application.flag))
    }
    pending, oldest_page = session.execute(
        select(func.count(), func.min(PageWork.updated_at)).where(PageWork.state == PENDING)
    ).one()
    oldest_unsettled = session.scalar(
        select(func.min(Application.created_at))
        .where(Application.status.in_([Status.RECEIVED.value, Status.PROCESSING.value])))
    recent = session.scalar(
        select(func.count()).select_from(PageWork)
        .where(PageWork.state == DONE, PageWork.updated_at >= now - RATE_WINDOW)) or 0
    return PipelineNumbers(
        applications=applications, pages_pending=pending or 0,
        oldest_pending_page_s=_age(now, oldest_page),
        oldest_unsettled_s=_age(now, oldest_unsettled),
        pages_done_recent=recent,
        pages_per_minute=round(recent / (RATE_WINDOW.total_seconds() / 60), 2),
        failures_by_code=_failure_codes(session.scalars(
            select(AuditEvent.payload).where(AuditEvent.kind == FAILED))),
        failed_now_by_code=_failed_now(session),
    )


def _failed_now(session: Session) -> dict[str, int]:
    last = (select(AuditEvent.application_id, func.max(AuditEvent.seq).label("seq"))
            .where(AuditEvent.kind == FAILED).group_by(AuditEvent.application_id).subquery())
    query = (select(AuditEvent.payload)
             .join(last, last.c.seq == AuditEvent.seq)
             .join(Application, Application.id == AuditEvent.application_id)
             .where(Application.status == Status.FAILED.value))
    return _failure_codes(session.scalars(query))


def _failure_codes(payloads: Iterable[dict[str, Any] | None]) -> dict[str, int]:
    codes: Counter[str] = Counter()
    for payload in payloads:
        codes[str(((payload or {}).get("detail") or {}).get("error") or "unknown")] += 1
    return dict(codes)


def _age(now: datetime, then: datetime | None) -> float:
    return round(max((now - then).total_seconds(), 0.0), 1) if then is not None else 0.0
