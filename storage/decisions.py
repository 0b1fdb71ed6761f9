"""What a verifier does with a flagged application: claim it, decide, correct; and QA samples.

    claim        one verifier holds an application for `claim_ttl_s`; the same verifier
                 claiming again extends it, another one gets `claimed` until it lapses
    decision     accept | return (>= 1 reason code from return_reasons.yml) | escalate;
                 final: never updated or deleted. accept/return move FLAGGED -> DECIDED,
                 escalate keeps FLAGGED and marks the application escalated. A correction is
                 a new decision naming the current one in `corrects` (unique: no forks);
                 the newest decision of an application is its current one.
    QA sample    a deterministic share of `clear` applications goes to a person as `review`,
                 so that the rate at which people return machine-clear applications is known

Each decision is written with its audit event (`decision.made`) in one transaction, and
the application row is locked first (FOR UPDATE on PostgreSQL, the write lock on SQLite),
so two decisions on one application are serialised and the second sees the first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    delete,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from pipeline.errors import InputRefused, PeriksaError
from pipeline.records import Flag, Status

from . import applications as apps
from . import audit
from .accounts import Principal
from .ids import new_id
from .tables import Application, Base, JsonValue, UtcDateTime

REASONS_FILE = Path(__file__).with_name("return_reasons.yml")
NOTE_MAX = 2000


class Verdict(StrEnum):
    ACCEPT = "accept"
    RETURN = "return"
    ESCALATE = "escalate"


class Claim(Base):
    __tablename__ = "claims"

    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    verifier: Mapped[str] = mapped_column(String(80))
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Decision(Base):
    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint("decision IN ('accept', 'return', 'escalate')", name="decision"),
        Index(None, "application_id", "id"),
        Index(None, "decided_at"),
        Index(None, "verifier"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="RESTRICT"))
    decision: Mapped[str] = mapped_column(String(16))
    reason_codes: Mapped[list[str]] = mapped_column(JsonValue)
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    verifier_id: Mapped[str] = mapped_column(String(26))
    verifier: Mapped[str] = mapped_column(String(80))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # unique: a decision is corrected at most once, so the corrections form one line
    corrects: Mapped[str | None] = mapped_column(
        ForeignKey("decisions.id", ondelete="RESTRICT"), unique=True)
    flag: Mapped[str | None] = mapped_column(String(16))
    qa_sample: Mapped[bool] = mapped_column(Boolean, default=False)


class QaSample(Base):
    __tablename__ = "qa_samples"

    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="RESTRICT"), primary_key=True)
    share: Mapped[float] = mapped_column(Float)
    sampled_at: Mapped[datetime] = mapped_column(UtcDateTime)


# -- errors (409 unless said otherwise) ---------------------------------------------------

class Claimed(PeriksaError):
    """Another verifier holds a live claim; `extra` says who and until when."""

    http_status = 409
    code = "claimed"

    def __init__(self, claim: Claim) -> None:
        expires = claim.expires_at.isoformat()
        super().__init__(f"claimed by {claim.verifier} until {expires}",
                         details=[f"claimed_by: {claim.verifier}", f"expires_at: {expires}"])
        self.extra = {"claimed_by": claim.verifier, "expires_at": expires}


class NotClaimed(PeriksaError):
    http_status = 409
    code = "not_claimed"


class AlreadyDecided(PeriksaError):
    http_status = 409
    code = "already_decided"


class NotDecidable(PeriksaError):
    """Not (or no longer) in a state this request applies to: not flagged, not current."""

    http_status = 409
    code = "not_decidable"


class BadDecision(InputRefused):
    """422: unknown or missing reason code, a correction naming no decision of this one."""

    code = "invalid_decision"


# -- return reasons -----------------------------------------------------------------------

@dataclass(frozen=True)
class ReturnReason:
    code: str
    label_id: str
    label_en: str


@cache
def return_reasons() -> tuple[ReturnReason, ...]:
    """The reason codes a return may carry (data: return_reasons.yml), read once."""
    rows = yaml.safe_load(REASONS_FILE.read_text(encoding="utf-8"))["reasons"]
    reasons = tuple(ReturnReason(r["code"], r["label_id"], r["label_en"]) for r in rows)
    if len({r.code for r in reasons}) != len(reasons):
        raise ValueError(f"{REASONS_FILE.name}: a reason code appears twice")
    return reasons


def check_reasons(verdict: Verdict, codes: list[str]) -> list[str]:
    """The codes, deduplicated in order; BadDecision for unknown ones or a bare return."""
    known = {r.code for r in return_reasons()}
    unknown = sorted(set(codes) - known)
    if unknown:
        raise BadDecision("unknown reason codes", details=unknown)
    if verdict == Verdict.RETURN and not codes:
        raise BadDecision("a return needs at least one reason code")
    return list(dict.fromkeys(codes))


# -- claims -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClaimState:
    claimed_by: str
    expires_at: datetime


def claim(session: Session, application: Application, verifier: Principal, now: datetime,
          ttl_s: int) -> ClaimState:
    """Hold (or extend) the claim; Claimed when another verifier's claim is live."""
    if Status(application.status) not in (Status.FLAGGED, Status.DECIDED):
        raise NotDecidable(f"an application {application.status} cannot be claimed")
    expires = now + timedelta(seconds=ttl_s)
    row, taken = _claim_row(session, application.id), False
    if row is None:
        row, taken = _insert_claim(session, application.id, verifier, now, expires)
    if not taken:
        mine, live = row.user_id == verifier.id, row.expires_at > now
        if live and not mine:
            raise Claimed(row)
        taken = not live  # a lapsed claim taken over is a new claim; a live one of mine extends
        if taken:
            row.claimed_at = now
        row.user_id, row.verifier, row.expires_at = verifier.id, verifier.name, expires
    if taken:
        audit.append(session, "claim.taken", application_id=application.id, actor=verifier.actor,
                     payload={"expires_at": expires.isoformat()})
    session.flush()
    return ClaimState(row.verifier, row.expires_at)


def release(session: Session, application_id: str, verifier: Principal, now: datetime) -> bool:
    """Give up one's own claim; False when there was none of this verifier's."""
    row = _claim_row(session, application_id)
    if row is None or row.user_id != verifier.id:
        return False
    session.delete(row)
    if row.expires_at > now:
        audit.append(session, "claim.released", application_id=application_id,
                     actor=verifier.actor)
    session.flush()
    return True


def live_claim(session: Session, application_id: str, now: datetime) -> Claim | None:
    row = session.get(Claim, application_id)
    return row if row is not None and row.expires_at > now else None


def release_all(session: Session, user_id: str) -> int:
    """Every claim of a deactivated person goes back to the queue."""
    return session.execute(delete(Claim).where(Claim.user_id == user_id)).rowcount


def _insert_claim(session: Session, application_id: str, verifier: Principal, now: datetime,
                  expires: datetime) -> tuple[Claim, bool]:
    """A new claim row (True); when a concurrent claim committed first (PostgreSQL), that one."""
    row = Claim(application_id=application_id, user_id=verifier.id, verifier=verifier.name,
                claimed_at=now, expires_at=expires)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        winner = _claim_row(session, application_id)
        if winner is None:
            raise
        return winner, False
    return row, True


def _claim_row(session: Session, application_id: str) -> Claim | None:
    query = select(Claim).where(Claim.application_id == application_id).with_for_update()
    return session.scalars(query).first()


# -- decisions ----------------------------------------------------------------------------

@dataclass(frozen=True)
class DecisionIn:
    decision: Verdict
    reason_codes: list[str]
    note: str | None
    corrects: str | None


def decide(session: Session, application_id: str, verifier: Principal, body: DecisionIn,
           now: datetime) -> Decision:
    """Record a decision (see the module docstring for the rules); raises the 409/422 errors."""
    codes = check_reasons(body.decision, body.reason_codes)
    application = _locked(session, application_id)
    current = current_decision(session, application_id)
    if body.corrects is None:
        _check_first(application)
    else:
        _check_correction(session, application, current, body)
    held = live_claim(session, application_id, now)
    if held is None or held.user_id != verifier.id:
        raise NotClaimed("claim the application before deciding")
    sampled = is_qa_sample(session, application_id)
    row = Decision(application_id=application_id, decision=body.decision.value,
                   reason_codes=codes, note=body.note or None, verifier_id=verifier.id,
                   verifier=verifier.name, decided_at=now, corrects=body.corrects,
                   flag=application.flag, qa_sample=sampled)
    session.add(row)
    session.flush()
    if body.corrects is None and body.decision != Verdict.ESCALATE:
        apps.transition(session, application, Status.DECIDED, actor=verifier.actor,
                        detail={"decision_id": row.id})
    session.delete(held)
    audit.append(session, "decision.made", application_id=application_id, actor=verifier.actor,
                 payload={"decision_id": row.id, "decision": row.decision, "reason_codes": codes,
                          "corrects": body.corrects, "flag": application.flag,
                          "qa_sample": sampled, "has_note": bool(row.note)})
    return row


def decisions_of(session: Session, application_id: str) -> list[Decision]:
    query = select(Decision).where(Decision.application_id == application_id)
    return list(session.scalars(query.order_by(Decision.id)))


def current_decision(session: Session, application_id: str) -> Decision | None:
    """The newest decision (a correction supersedes what it corrects)."""
    query = select(Decision).where(Decision.application_id == application_id) \
        .order_by(Decision.id.desc()).limit(1)
    return session.scalars(query).first()


def _locked(session: Session, application_id: str) -> Application:
    query = select(Application).where(Application.id == application_id).with_for_update()
    application = session.scalars(query).first()
    if application is None:
        raise NotDecidable("no such application")
    session.refresh(application)
    return application


def _check_first(application: Application) -> None:
    status = Status(application.status)
    if status == Status.DECIDED:
        raise AlreadyDecided("already decided: a change is a correction naming the decision")
    if status != Status.FLAGGED:
        raise NotDecidable(f"an application {status.value} cannot be decided")


def _check_correction(session: Session, application: Application, current: Decision | None,
                      body: DecisionIn) -> None:
    earlier = session.get(Decision, body.corrects)
    if earlier is None or earlier.application_id != application.id:
        raise BadDecision("corrects names no decision of this application")
    if body.decision == Verdict.ESCALATE:
        raise BadDecision("a correction accepts or returns")
    if Status(application.status) != Status.DECIDED:
        raise NotDecidable("only a decided application can be corrected")
    if current is None or current.id != earlier.id:
        raise NotDecidable("only the current decision can be corrected",
                           details=[f"current: {current.id if current else None}"])


# -- QA samples ---------------------------------------------------------------------------

def in_sample(application_id: str, share: float) -> bool:
    """Deterministic: the id's hash as a fraction in [0, 1) against the share."""
    digest = hashlib.sha256(application_id.encode("ascii")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def sample_if_clear(session: Session, application: Application, flag: Flag | str | None,
                    share: float, now: datetime) -> bool:
    """Record a QA sample for a clear application in the share (once); True when it is one."""
    if flag is None or Flag(flag) != Flag.CLEAR or not in_sample(application.id, share):
        return False
    if session.get(QaSample, application.id) is None:
        session.add(QaSample(application_id=application.id, share=share, sampled_at=now))
        session.flush()
        audit.append(session, "qa.sampled", application_id=application.id,
                     payload={"share": share})
    return True


def is_qa_sample(session: Session, application_id: str) -> bool:
    return session.get(QaSample, application_id) is not None


def decision_json(row: Decision) -> dict[str, Any]:
    return {"id": row.id, "decision": row.decision, "reason_codes": list(row.reason_codes),
            "note": row.note, "verifier": row.verifier, "decided_at": row.decided_at,
            "corrects": row.corrects, "flag": row.flag, "qa_sample": row.qa_sample}
