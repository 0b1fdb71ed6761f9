"""Who may call the API: intake-service API keys, people with passwords, and who owns what.

API keys are random 32-byte tokens; only their sha256 is kept (a key has full entropy, so a
fast hash is enough and lookup stays one indexed query). People's passwords are hashed with
argon2id (argon2-cffi), whose cost is what slows down guessing from a stolen table. Each
key also gets a signing secret for callbacks: it must be readable to sign, so it is stored
as is and shown once at creation, like the key.

`ApplicationOwner` ties an application to the intake key that created it: the `intake`
role reads only its own applications.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, ForeignKey, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .ids import new_id
from .tables import Base, UtcDateTime, utcnow

KEY_PREFIX = "pk_"
_HASHER = PasswordHasher()


class Role(StrEnum):
    INTAKE = "intake"
    VERIFIER = "verifier"
    AUDITOR = "auditor"
    ADMIN = "admin"


PERSON_ROLES = frozenset({Role.VERIFIER, Role.AUDITOR})


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))
    office: Mapped[str | None] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    signing_secret: Mapped[str] = mapped_column(String(64))
    callback_url: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    office: Mapped[str | None] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ApplicationOwner(Base):
    __tablename__ = "application_owners"

    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="RESTRICT"), primary_key=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id", ondelete="RESTRICT"), index=True)


@dataclass(frozen=True)
class Principal:
    """The caller of one request: `kind` is 'key' or 'user'; `id` the row's id."""

    kind: str
    id: str
    name: str
    role: Role
    office: str | None

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.name}"

    @property
    def is_person(self) -> bool:
        return self.role in PERSON_ROLES


@dataclass(frozen=True)
class NewKey:
    id: str
    key: str
    signing_secret: str


def normalize_office(office: str | None) -> str | None:
    """'32.16' and '3216' are the same office; None stays None."""
    return office.replace(".", "") if office else None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(
    session: Session, name: str, role: Role | str, office: str | None = None,
    callback_url: str | None = None,
) -> NewKey:
    """A new key; its clear text is returned here once and never stored."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    secret = secrets.token_hex(32)
    row = ApiKey(name=name, role=Role(role).value, office=normalize_office(office),
                 key_hash=hash_key(key), signing_secret=secret, callback_url=callback_url)
    session.add(row)
    session.flush()
    return NewKey(id=row.id, key=key, signing_secret=secret)


def key_principal(session: Session, key: str) -> Principal | None:
    row = session.scalars(select(ApiKey).where(ApiKey.key_hash == hash_key(key))).first()
    if row is None or not row.active or not hmac.compare_digest(row.key_hash, hash_key(key)):
        return None
    return Principal("key", row.id, row.name, Role(row.role), row.office)


def add_user(session: Session, name: str, password: str, role: Role | str,
             office: str | None = None) -> User:
    if len(password) < 8:
        raise ValueError("a password needs at least 8 characters")
    row = User(name=name, role=Role(role).value, office=normalize_office(office),
               password_hash=_HASHER.hash(password))
    session.add(row)
    session.flush()
    return row


def user_principal(session: Session, name: str, password: str) -> Principal | None:
    """The user when the password matches; a missing user costs a hash too (no timing leak)."""
    row = session.scalars(select(User).where(User.name == name)).first()
    stored = row.password_hash if row is not None else _DUMMY
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    return Principal("user", row.id, row.name, Role(row.role), row.office)


def revoke_key(session: Session, key_id: str) -> ApiKey | None:
    """Mark a key inactive (the next call with it gets 401); None when there is no such key."""
    row = session.get(ApiKey, key_id)
    if row is not None:
        row.active = False
        session.flush()
    return row


def deactivate_user(session: Session, user_id: str) -> User | None:
    """Mark a person inactive; their password and sessions stop working (see storage.sessions)."""
    row = session.get(User, user_id)
    if row is not None:
        row.active = False
        session.flush()
    return row


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def record_owner(session: Session, application_id: str, key_id: str) -> bool:
    """Tie an application to its intake key; False when it was already tied (a replay)."""
    if session.get(ApplicationOwner, application_id) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ApplicationOwner(application_id=application_id, key_id=key_id))
    except IntegrityError:
        # two requests with one Idempotency-Key at the same moment: both found the one
        # application, the other recorded its owner first (tests/pipeline/test_outage.py)
        return False
    return True


def owner_of(session: Session, application_id: str) -> str | None:
    row = session.get(ApplicationOwner, application_id)
    return row.key_id if row else None


def signing_secret(session: Session, key_id: str) -> str | None:
    row = session.get(ApiKey, key_id)
    return row.signing_secret if row else None


_DUMMY = _HASHER.hash(secrets.token_hex(16))
