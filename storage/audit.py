"""Append-only, hash-chained audit trail.

Each event's hash is sha256(prev_hash + canonical JSON of its at, kind, application_id,
actor and payload), so altering, removing or reordering any stored event breaks every later
link and `verify` names the first broken seq. `seq` itself is not hashed: PostgreSQL
sequences may skip numbers when a transaction rolls back, and that is not tampering.

The chain stays linear under concurrent writers because the tail is read and extended
under one lock: `pg_advisory_xact_lock` on PostgreSQL (held to commit), the database write
lock on SQLite (storage.db.transaction starts with BEGIN IMMEDIATE; in a deferred session
SQLite refuses a write based on a stale read, so the chain cannot fork there either). A unique
constraint on prev_hash refuses a fork even if a writer bypassed this module. Append late
in a transaction: the lock is held until it commits. There is no update or delete API.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from .masking import mask_payload
from .tables import AuditEvent, utcnow

GENESIS = "0" * 64
_LOCK_KEY = 0x7065726B_61756474  # "perkaudt": one advisory lock for the whole chain
_KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events: int
    first_broken_seq: int | None = None
    reason: str | None = None
    head: str | None = None  # hash of the last event: anchor it elsewhere to detect truncation


def append(
    session: Session,
    kind: str,
    *,
    application_id: str | None = None,
    actor: str = "system",
    payload: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Add one event at the end of the chain (payload masked first); flushed, not committed."""
    if not _KIND.fullmatch(kind):
        raise ValueError("audit kind must look like 'noun.verb', e.g. 'report.viewed'")
    body = json.loads(canonical_json(mask_payload(payload)))
    _lock_chain(session)
    prev = session.scalars(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    prev = prev or GENESIS
    at = utcnow()
    event = AuditEvent(
        at=at, kind=kind, application_id=application_id, actor=actor, payload=body,
        prev_hash=prev, hash=event_hash(prev, at, kind, application_id, actor, body),
    )
    session.add(event)
    session.flush()
    return event


def verify(session: Session) -> VerifyResult:
    """Walk the chain in seq order; report the first event whose link or content is wrong."""
    expected_prev, count, broken, reason = GENESIS, 0, None, None
    query = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=500)
    rows = session.scalars(query)
    for event in rows:
        count += 1
        if broken is None:
            reason = _check(event, expected_prev)
            broken = event.seq if reason else None
        expected_prev = event.hash
    head = expected_prev if count else None
    return VerifyResult(
        ok=broken is None, events=count, first_broken_seq=broken, reason=reason, head=head
    )


def events_for(session: Session, application_id: str) -> list[AuditEvent]:
    """The trail of one application, oldest first (read-only view for verifier pages)."""
    query = select(AuditEvent).where(AuditEvent.application_id == application_id)
    return list(session.scalars(query.order_by(AuditEvent.seq)))


def event_hash(
    prev_hash: str, at: datetime, kind: str, application_id: str | None, actor: str, payload: Any
) -> str:
    fields = {
        "at": _iso(at), "kind": kind, "application_id": application_id,
        "actor": actor, "payload": payload,
    }
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept: the same value always hashes the same."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _check(event: AuditEvent, expected_prev: str) -> str | None:
    if event.prev_hash != expected_prev:
        return "prev_hash does not match the previous event's hash (event removed or reordered)"
    recomputed = event_hash(
        event.prev_hash, event.at, event.kind, event.application_id, event.actor, event.payload
    )
    if recomputed != event.hash:
        return "hash does not match the event's content (event altered)"
    return None


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
