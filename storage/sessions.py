"""People's login sessions (a cookie for the browser pages) and the failed-login throttle.

The cookie carries a random 32-byte token; only its sha256 is stored, like API keys, so a
copy of the table logs nobody in. Each session has its own CSRF token, which the pages
echo in `X-CSRF-Token` on every unsafe request (web/auth.py checks it). A session dies at
`expires_at`, at logout (row deleted) and when its user is deactivated (rows deleted, and
the lookup joins on `users.active` besides).

The throttle counts failed logins per name (hashed: the table is no list of who tried)
inside a sliding window, in the database, so every API process sees the same count.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .accounts import Principal, Role, User, hash_key
from .ids import new_id
from .tables import Base, SeqInt, UtcDateTime


class LoginSession(Base):
    __tablename__ = "login_sessions"
    __table_args__ = (Index(None, "user_id"), Index(None, "expires_at"))

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LoginFailure(Base):
    __tablename__ = "login_failures"
    __table_args__ = (Index(None, "name_hash", "at"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    name_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


@dataclass(frozen=True)
class OpenSession:
    """A live session: who, and the CSRF token its unsafe requests must carry."""

    principal: Principal
    csrf_token: str
    expires_at: datetime


def open_session(session: Session, principal: Principal, now: datetime,
                 ttl_s: int) -> tuple[str, OpenSession]:
    """A new session for a logged-in user: the cookie token (returned once) and its record.

    The user's expired sessions are dropped on the way, so the table holds live ones only."""
    session.execute(delete(LoginSession).where(LoginSession.user_id == principal.id,
                                               LoginSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now + timedelta(seconds=ttl_s)
    session.add(LoginSession(user_id=principal.id, token_hash=hash_key(token), csrf_token=csrf,
                             created_at=now, expires_at=expires))
    session.flush()
    return token, OpenSession(principal, csrf, expires)


def find_session(session: Session, token: str, now: datetime) -> OpenSession | None:
    """The live session of this cookie token, None when unknown, expired or the user inactive."""
    row = session.execute(
        select(LoginSession, User).join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == hash_key(token))
    ).first()
    if row is None:
        return None
    login, user = row
    if login.expires_at <= now or not user.active:
        return None
    principal = Principal("user", user.id, user.name, Role(user.role), user.office)
    return OpenSession(principal, login.csrf_token, login.expires_at)


def close_session(session: Session, token: str) -> bool:
    """Logout: the row goes; False when there was none."""
    gone = session.execute(delete(LoginSession).where(LoginSession.token_hash == hash_key(token)))
    return bool(gone.rowcount)


def close_user_sessions(session: Session, user_id: str) -> int:
    """Every session of a user (deactivation); how many there were."""
    return session.execute(delete(LoginSession).where(LoginSession.user_id == user_id)).rowcount


def name_hash(name: str) -> str:
    return hashlib.sha256(name.strip().casefold().encode("utf-8")).hexdigest()


def recent_failures(session: Session, name: str, now: datetime, window_s: int) -> int:
    since = now - timedelta(seconds=window_s)
    query = select(func.count()).select_from(LoginFailure) \
        .where(LoginFailure.name_hash == name_hash(name), LoginFailure.at > since)
    return session.scalar(query) or 0


def record_failure(session: Session, name: str, now: datetime, window_s: int) -> None:
    """Count one failure; rows older than the window are dropped on the way (no growth)."""
    stale = now - timedelta(seconds=window_s)
    session.execute(delete(LoginFailure).where(LoginFailure.at <= stale))
    session.add(LoginFailure(name_hash=name_hash(name), at=now))
    session.flush()
