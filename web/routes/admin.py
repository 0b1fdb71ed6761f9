"""/v1/admin: the admin role creates, lists and revokes API keys and people's accounts.

Everything is audited; secrets are shown once at creation and never listed. Revoking a key
or deactivating a person takes effect on the very next request (the active flag is read
on every authentication); a person's sessions are deleted and their claims released.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from storage import accounts, audit, decisions, sessions
from storage.accounts import Principal, Role
from storage.db import transaction
from web.auth import require
from web.errors import BadRequest, NotFound
from web.intake import check_callback_url

router = APIRouter(prefix="/v1/admin", tags=["admin"])
OFFICE = r"^\d{2}(\.?\d{2})?$"


class KeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    role: Role
    office: str | None = Field(None, pattern=OFFICE)
    callback_url: str | None = Field(None, max_length=500)


class KeyOut(BaseModel):
    id: str
    key: str = Field(description="shown once; only its hash is kept")
    signing_secret: str = Field(description="HMAC secret of this key's callbacks")


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=8, max_length=200)
    role: Role
    office: str | None = Field(None, pattern=OFFICE)


class UserOut(BaseModel):
    id: str
    name: str


class KeyRow(BaseModel):
    id: str
    name: str
    role: Role
    office: str | None
    callback_url: str | None
    active: bool
    created_at: datetime


class UserRow(BaseModel):
    id: str
    name: str
    role: Role
    office: str | None
    active: bool
    created_at: datetime


Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
Id = Annotated[str, Path(max_length=26)]


@router.post("/keys", status_code=201, response_model=KeyOut)
def create_key(request: Request, body: KeyIn,
               principal: Annotated[Principal, Depends(require(Role.ADMIN))]) -> KeyOut:
    url = check_callback_url(body.callback_url) if body.callback_url else None
    with transaction(request.app.state.pipeline.stores.sessions) as session:
        made = accounts.create_key(session, body.name, body.role, body.office, url)
        audit.append(session, "key.created", actor=principal.actor,
                     payload={"key_id": made.id, "role": body.role.value, "office": body.office})
    return KeyOut(id=made.id, key=made.key, signing_secret=made.signing_secret)


@router.post("/users", status_code=201, response_model=UserOut)
def create_user(request: Request, body: UserIn,
                principal: Annotated[Principal, Depends(require(Role.ADMIN))]) -> UserOut:
    try:
        with transaction(request.app.state.pipeline.stores.sessions) as session:
            user = accounts.add_user(session, body.name, body.password, body.role, body.office)
            audit.append(session, "user.created", actor=principal.actor,
                         payload={"user_id": user.id, "role": body.role.value,
                                  "office": body.office})
            return UserOut(id=user.id, name=user.name)
    except IntegrityError as exc:
        raise BadRequest("a user of that name exists") from exc


@router.get("/keys", response_model=list[KeyRow])
def list_keys(request: Request, _principal: Admin) -> list[KeyRow]:
    """Every key, revoked ones too; never the key or its signing secret."""
    with request.app.state.pipeline.stores.sessions() as session:
        return [KeyRow(id=k.id, name=k.name, role=Role(k.role), office=k.office,
                       callback_url=k.callback_url, active=k.active, created_at=k.created_at)
                for k in accounts.list_keys(session)]


@router.delete("/keys/{key_id}", response_model=KeyRow, responses={404: {}})
def revoke_key(request: Request, principal: Admin, key_id: Id) -> KeyRow:
    """Inactive from the next request on; the row stays (applications name their key)."""
    with transaction(request.app.state.pipeline.stores.sessions) as session:
        key = accounts.revoke_key(session, key_id)
        if key is None:
            raise NotFound("no such key")
        audit.append(session, "key.revoked", actor=principal.actor, payload={"key_id": key.id})
        return KeyRow(id=key.id, name=key.name, role=Role(key.role), office=key.office,
                      callback_url=key.callback_url, active=key.active, created_at=key.created_at)


@router.get("/users", response_model=list[UserRow])
def list_users(request: Request, _principal: Admin) -> list[UserRow]:
    with request.app.state.pipeline.stores.sessions() as session:
        return [_user_row(u) for u in accounts.list_users(session)]


@router.delete("/users/{user_id}", response_model=UserRow, responses={404: {}})
def deactivate_user(request: Request, principal: Admin, user_id: Id) -> UserRow:
    """Inactive at once: password refused, sessions deleted, claims back in the queue."""
    with transaction(request.app.state.pipeline.stores.sessions) as session:
        user = accounts.deactivate_user(session, user_id)
        if user is None:
            raise NotFound("no such user")
        ended = sessions.close_user_sessions(session, user.id)
        released = decisions.release_all(session, user.id)
        audit.append(session, "user.deactivated", actor=principal.actor,
                     payload={"user_id": user.id, "sessions_ended": ended,
                              "claims_released": released})
        return _user_row(user)


def _user_row(user: accounts.User) -> UserRow:
    return UserRow(id=user.id, name=user.name, role=Role(user.role), office=user.office,
                   active=user.active, created_at=user.created_at)
