"""POST /v1/applications, off the event loop: read the multipart body within the limits,
check every file, store, tie to the key, register the callback, enqueue.

Order matters for "nothing half-stored": pipeline.run.accept validates the submission and
decodes every file before receive() writes the first blob, and the ownership and callback
rows are written before the plan message is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from starlette.datastructures import FormData, UploadFile

from pipeline.errors import InvalidSubmission
from pipeline.ingest import Upload
from pipeline.run import accept, receive
from pipeline.settings import Settings
from pipeline.tasks import Pipeline
from storage import accounts, callbacks
from storage.accounts import ApiKey, Principal
from storage.db import transaction
from web.errors import BadRequest, RequestTooLarge, TooManyFiles

_CHUNK = 1024 * 1024
MAX_IDEMPOTENCY_KEY = 100


@dataclass(frozen=True)
class Intake:
    """What the request carried, already read into memory within the limits."""

    uploads: list[Upload]
    submission: bytes
    callback_url: str | None


async def read_form(form: FormData, settings: Settings) -> Intake:
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    if len(files) > settings.max_files:
        raise TooManyFiles(f"{len(files)} files; the limit is {settings.max_files}")
    uploads, total = [], 0
    for item in files:
        data = await _read_limited(item, settings.max_file_bytes + 1)
        total += len(data)
        if total > settings.max_request_bytes:
            raise RequestTooLarge(f"the files exceed {settings.max_request_bytes} bytes in all")
        uploads.append(Upload(filename=item.filename or "upload", data=data))
    raw = form.get("submission")
    if raw is None:
        raise InvalidSubmission("the request has no 'submission' part")
    submission = await _read_limited(raw, _CHUNK) if isinstance(raw, UploadFile) \
        else raw.encode("utf-8")
    url = form.get("callback_url")
    return Intake(uploads, submission, check_callback_url(url) if isinstance(url, str) else None)


async def _read_limited(item: UploadFile, limit: int) -> bytes:
    """At most `limit` bytes: check_upload then refuses what reached the limit as too large."""
    parts, size = [], 0
    while size < limit:
        chunk = await item.read(min(_CHUNK, limit - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def check_callback_url(url: str) -> str | None:
    url = url.strip()
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname or len(url) > 500:
        raise BadRequest("callback_url must be an http(s) URL of at most 500 characters")
    return url


def check_idempotency_key(value: str | None) -> str | None:
    if value is None:
        return None
    if not value or len(value) > MAX_IDEMPOTENCY_KEY or not value.isprintable() \
            or not value.isascii():
        raise BadRequest(f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} printable ASCII "
                         "characters")
    return value


def create(pipeline: Pipeline, principal: Principal, intake: Intake, key: str | None) -> str:
    """Store the application (or find the first one for this key); its id."""
    submission, checked = accept(intake.uploads, intake.submission, pipeline.settings)
    scoped_key = f"{principal.id}:{key}" if key else None  # two services may reuse a key
    application_id = receive(pipeline.stores, submission, checked, idempotency_key=scoped_key)
    with transaction(pipeline.stores.sessions) as session:
        fresh = accounts.record_owner(session, application_id, principal.id)
        url = intake.callback_url or session.get(ApiKey, principal.id).callback_url
        if fresh and url:
            callbacks.register(session, application_id, principal.id, url)
    if fresh:
        pipeline.send_plan(application_id)
    return application_id
