"""The auditors' search: by reference, dates, flag, current decision, verifier, or exact NIK.

NIK and No. KK are never searchable as text. The index keeps HMAC-SHA256(secret, number)
of every NIK / No. KK in a submission (any key the masking rules call NIK or KK, at any
depth: the KK's members too), so an exact 16-digit number can be looked up while a copy
of the database alone lists nobody: without the secret (a setting, or a key file in the
data folder) the 10^16 numbers cannot be hashed to compare.

The web process is the only holder of the secret, so it indexes: before each NIK search it
hashes the applications not yet indexed under the current key (`catch_up`), a few hundred
per transaction. A changed secret re-indexes everything on the next search.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ForeignKey, Index, Select, String, delete, func, or_, select
from sqlalchemy.orm import Mapped, Session, defer, lazyload, mapped_column

from .decisions import Decision
from .masking import pii_type
from .tables import Application, Base, SeqInt, UtcDateTime, utcnow

NIK = re.compile(r"^\d{16}$")
KEY_FILE = "nik_index.key"
_INDEXED_KINDS = frozenset({"NIK", "KK"})
_BATCH = 300


class NikDigest(Base):
    __tablename__ = "nik_index"
    __table_args__ = (Index(None, "digest"), Index(None, "application_id"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64))


class NikIndexed(Base):
    """Which applications are indexed, under which key (a key's id, not the key)."""

    __tablename__ = "nik_indexed"

    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16))
    indexed_at: Mapped[datetime] = mapped_column(UtcDateTime)


def load_secret(configured: str, data_dir: Path) -> bytes:
    """The configured secret, else the data folder's key file (made once, mode 0600)."""
    if configured:
        return configured.encode("utf-8")
    path = data_dir / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as out:
        out.write(secrets.token_hex(32).encode("ascii"))
    return path.read_bytes().strip()


def key_id(secret: bytes) -> str:
    return hmac.new(secret, b"periksa nik index key id", hashlib.sha256).hexdigest()[:16]


def digest(secret: bytes, number: str) -> str:
    return hmac.new(secret, number.encode("ascii"), hashlib.sha256).hexdigest()


def numbers_in(value: Any, kind: str | None = None) -> set[str]:
    """Every 16-digit value under a NIK- or KK-named key, at any depth of the submission."""
    if isinstance(value, dict):
        found: set[str] = set()
        for key, item in value.items():
            found |= numbers_in(item, pii_type(str(key)))
        return found
    if isinstance(value, list):
        return set().union(*(numbers_in(item, kind) for item in value))
    if kind in _INDEXED_KINDS and isinstance(value, str) and NIK.fullmatch(value.strip()):
        return {value.strip()}
    return set()


def catch_up(session: Session, secret: bytes) -> int:
    """Index up to one batch of applications missing under this key; how many were done."""
    kid = key_id(secret)
    query = (select(Application.id, Application.submission)
             .outerjoin(NikIndexed, NikIndexed.application_id == Application.id)
             .where(or_(NikIndexed.application_id.is_(None), NikIndexed.key_id != kid))
             .order_by(Application.id).limit(_BATCH))
    rows = session.execute(query).all()
    now = utcnow()
    for application_id, submission in rows:
        session.execute(delete(NikDigest).where(NikDigest.application_id == application_id))
        session.execute(delete(NikIndexed).where(NikIndexed.application_id == application_id))
        session.add_all(NikDigest(application_id=application_id, digest=digest(secret, n))
                        for n in sorted(numbers_in(submission)))
        session.add(NikIndexed(application_id=application_id, key_id=kid, indexed_at=now))
    session.flush()
    return len(rows)


@dataclass(frozen=True)
class SearchFilter:
    reference: str | None = None
    nik_digest: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    flag: str | None = None
    decision: str | None = None
    verifier: str | None = None
    limit: int = 100


def latest_decisions() -> Any:
    """A subquery: application_id -> id of its newest (current) decision."""
    return (select(Decision.application_id, func.max(Decision.id).label("decision_id"))
            .group_by(Decision.application_id).subquery())


def search(session: Session, visible: Select,
           wanted: SearchFilter) -> list[tuple[Application, Decision | None]]:
    """Newest first: applications of `visible` matching every given filter, with their decision."""
    latest = latest_decisions()
    query = (visible.outerjoin(latest, latest.c.application_id == Application.id)
             .outerjoin(Decision, Decision.id == latest.c.decision_id)
             .options(lazyload(Application.documents), defer(Application.submission))
             .add_columns(Decision).order_by(Application.id.desc()).limit(wanted.limit))
    for condition in _conditions(wanted):
        query = query.where(condition)
    return [(app, decision) for app, decision in session.execute(query)]


def _conditions(wanted: SearchFilter) -> Iterator[Any]:
    if wanted.reference:
        yield Application.reference == wanted.reference
    if wanted.nik_digest:
        yield Application.id.in_(select(NikDigest.application_id)
                                 .where(NikDigest.digest == wanted.nik_digest))
    if wanted.since:
        yield Application.created_at >= wanted.since
    if wanted.until:
        yield Application.created_at < wanted.until
    if wanted.flag:
        yield Application.flag == wanted.flag
    if wanted.decision:
        yield Decision.decision == wanted.decision
    if wanted.verifier:
        yield Decision.verifier == wanted.verifier
