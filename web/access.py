"""What each role may see. Out of scope reads exactly like "does not exist" (404).

    intake     the applications its own key created
    verifier   applications of its office: '3216' sees '3216' and '32.16'; a province
               office ('32') sees every office under it
    auditor    everything (read only)
    admin      no application data (it manages keys and users)
"""

from __future__ import annotations

from sqlalchemy import Select, func
from sqlalchemy.orm import Session

from storage.accounts import ApplicationOwner, Principal, Role, normalize_office, owner_of
from storage.tables import Application
from web.errors import NotFound


def office_matches(principal_office: str | None, application_office: str | None) -> bool:
    mine, theirs = normalize_office(principal_office), normalize_office(application_office)
    if not mine or not theirs:
        return False
    return theirs == mine or (len(mine) == 2 and theirs.startswith(mine))


def may_read(session: Session, principal: Principal, application: Application) -> bool:
    if principal.role == Role.AUDITOR:
        return True
    if principal.role == Role.VERIFIER:
        return office_matches(principal.office, application.office)
    if principal.role == Role.INTAKE:
        return owner_of(session, application.id) == principal.id
    return False


def readable(session: Session, principal: Principal, application_id: str) -> Application:
    """The application when this principal may read it; NotFound otherwise (same answer)."""
    application = session.get(Application, application_id)
    if application is None or not may_read(session, principal, application):
        raise NotFound("no such application")
    return application


def scoped(query: Select, principal: Principal) -> Select:
    """Restrict a select of Application to what the principal may read."""
    if principal.role == Role.AUDITOR:
        return query
    if principal.role == Role.INTAKE:
        return query.join(ApplicationOwner, ApplicationOwner.application_id == Application.id) \
            .where(ApplicationOwner.key_id == principal.id)
    office = normalize_office(principal.office)
    if principal.role == Role.VERIFIER and office:
        plain = func.replace(Application.office, ".", "")
        return query.where(plain.like(f"{office}%") if len(office) == 2 else plain == office)
    return query.where(False)  # noqa: FBT003 - nothing for roles without application access
