"""/v1/admin: the admin role creates API keys and people's accounts (audited, never echoed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from storage import accounts, audit
from storage.accounts import Principal, Role
from storage.db import transaction
from web.auth import require
from web.errors import BadRequest
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
