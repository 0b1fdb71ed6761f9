"""The stages of pipeline/stages.py as dramatiq actors, bound to one explicit broker.

Messages carry only ids and the stage is the actor: `plan(application_id)`,
`ocr_page(application_id, document_id, page)`, `conclude(application_id)`. The actor loads
state from the database, runs its stage, saves, and sends the next message; when it dies
before acknowledging, the redelivered (or swept) message finds the work done and moves on.

Errors: transient ones (a service down, a tesseract timeout, the per-message time limit)
are raised again so that dramatiq's Retries middleware re-sends with backoff; once the
retries are spent, or at once for any other error, the application goes to FAILED with the
error's stable code (`periksa sweep --failed` lists them, `--rerun` sends them again).
Actors are declared per broker by `bind` rather than with the module-level decorator,
which would install dramatiq's implicit default broker at import time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import dramatiq
import pika.exceptions
import redis.exceptions
import sqlalchemy.exc
from dramatiq import Actor, Broker
from dramatiq.middleware import CurrentMessage, TimeLimitExceeded
from sqlalchemy import select

from pipeline import metrics, stages
from pipeline.errors import OcrFailed, PeriksaError, ServiceUnavailable
from pipeline.ingest import Upload
from pipeline.records import Status
from pipeline.run import accept, receive
from pipeline.settings import Settings
from pipeline.stores import Stores, open_stores
from rules import Ruleset, load_ruleset
from storage.tables import Application

log = logging.getLogger("periksa.tasks")

QUEUE_PAGES = "periksa-pages"
QUEUE_APPLICATIONS = "periksa-applications"
# The broker clients' own connection errors are not the builtin ConnectionError, and the
# stages' plain reads raise SQLAlchemy's errors untranslated: without these a Redis,
# RabbitMQ or PostgreSQL outage at the wrong moment would fail the application for good
# (internal_error) instead of retrying (tests/pipeline/test_outage.py).
TRANSIENT: tuple[type[BaseException], ...] = (
    ServiceUnavailable, OcrFailed, TimeLimitExceeded, dramatiq.errors.BrokerConnectionError,
    ConnectionError, TimeoutError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
    pika.exceptions.AMQPConnectionError, pika.exceptions.AMQPChannelError,
    sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError,
)
SETTLED = frozenset({Status.FLAGGED.value, Status.FAILED.value, Status.DECIDED.value})


@dataclass
class Pipeline:
    """The actors of one broker plus what they need; stores open on first use (after fork)."""

    broker: Broker
    settings: Settings
    _stores: Stores | None = None
    actors: dict[str, Actor] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)  # stage runs that did work (tests)

    @property
    def stores(self) -> Stores:
        if self._stores is None:
            self._stores = open_stores(self.settings)
        return self._stores

    @cached_property
    def ruleset(self) -> Ruleset:
        return load_ruleset(self.settings.ruleset_path)

    def send_plan(self, application_id: str) -> None:
        self.actors["plan"].send(application_id)

    def send_page(self, application_id: str, document_id: str, page: int) -> None:
        self.actors["ocr_page"].send(application_id, document_id, page)

    def send_conclude(self, application_id: str) -> None:
        self.actors["conclude"].send(application_id)

    # --- actor bodies ------------------------------------------------------------------

    def plan(self, application_id: str) -> None:
        with self._guard(application_id):
            pending = stages.plan(self.stores, self.settings, application_id)
            self._count("plan")
            for key in pending:
                self.send_page(application_id, key.document_id, key.page)
            if not pending:  # replanned after every page was done: only the last stage is left
                self.send_conclude(application_id)

    def ocr_page(self, application_id: str, document_id: str, page: int) -> None:
        with self._guard(application_id):
            outcome = stages.ocr_page(self.stores, self.settings, document_id, page)
            if outcome.ran:
                self._count("ocr_page")
            if outcome.complete:
                self.send_conclude(application_id)

    def conclude(self, application_id: str) -> None:
        with self._guard(application_id):
            if stages.conclude(self.stores, self.settings, application_id, self.ruleset).ran:
                self._count("conclude")

    def _count(self, stage: str) -> None:
        self.calls[stage] = self.calls.get(stage, 0) + 1
        metrics.stage_ran(stage)

    @contextmanager
    def _guard(self, application_id: str) -> Iterator[None]:
        """Transient errors go back to Retries while retries remain; the rest mark FAILED."""
        try:
            yield
        except (Exception, TimeLimitExceeded) as exc:
            retries = _retries()
            if isinstance(exc, TRANSIENT) and retries < self.settings.task_max_retries:
                log.warning("transient %s on %s (retry %d)", error_code(exc), application_id,
                            retries + 1)
                raise
            code = error_code(exc)
            log.error("application %s failed: %s", application_id, code)
            stages.fail(self.stores, application_id, code)


def bind(broker: Broker, settings: Settings, stores: Stores | None = None) -> Pipeline:
    """Declare the three actors on `broker` (each broker gets its own, never the default)."""
    pipeline = Pipeline(broker=broker, settings=settings, _stores=stores)
    retry = {"max_retries": settings.task_max_retries,
             "min_backoff": settings.task_min_backoff_ms,
             "max_backoff": settings.task_max_backoff_ms}
    specs: list[tuple[str, Any, str, float]] = [
        ("plan", pipeline.plan, QUEUE_APPLICATIONS, settings.conclude_time_limit_s),
        ("ocr_page", pipeline.ocr_page, QUEUE_PAGES, settings.page_time_limit_s),
        ("conclude", pipeline.conclude, QUEUE_APPLICATIONS, settings.conclude_time_limit_s),
    ]
    for name, fn, queue, limit_s in specs:
        pipeline.actors[name] = Actor(
            fn, broker=broker, actor_name=f"periksa.{name}", queue_name=queue, priority=0,
            options=retry | {"time_limit": int(limit_s * 1000)},
        )
    return pipeline


def submit(
    pipeline: Pipeline, uploads: list[Upload], submission_raw: bytes | str | dict[str, Any], *,
    idempotency_key: str | None = None,
) -> str:
    """The store stage, done by the submitter: refuse or store, record, then enqueue planning."""
    submission, checked = accept(uploads, submission_raw, pipeline.settings)
    application_id = receive(pipeline.stores, submission, checked, idempotency_key=idempotency_key)
    pipeline.send_plan(application_id)
    return application_id


def statuses(stores: Stores, application_ids: Sequence[str]) -> dict[str, str]:
    with stores.sessions() as session:
        rows = session.execute(select(Application.id, Application.status)
                               .where(Application.id.in_(list(application_ids))))
        return {application_id: status for application_id, status in rows}


def wait_settled(
    stores: Stores, application_ids: Sequence[str], timeout_s: float, poll_s: float = 0.5,
) -> dict[str, str]:
    """Poll until every application is flagged, failed or decided, or the time is up."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = statuses(stores, application_ids)
        if all(s in SETTLED for s in found.values()) or time.monotonic() > deadline:
            return found
        time.sleep(poll_s)


def error_code(exc: BaseException) -> str:
    """A stable code for the dead-letter state; never the message (it may name a file)."""
    if isinstance(exc, PeriksaError):
        return exc.code
    if isinstance(exc, TimeLimitExceeded):
        return "time_limit"
    if isinstance(exc, MemoryError):
        return "memory_limit"
    if isinstance(exc, TRANSIENT):  # a database or broker client error: a service was down
        return "service_unavailable"
    return "internal_error"


def _retries() -> int:
    message = CurrentMessage.get_current_message()
    return int(message.options.get("retries", 0)) if message is not None else 0
