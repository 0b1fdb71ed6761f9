"""The pipeline in order: refuse or accept, store, read, check, flag.

This module only sequences the stages; each stage lives in its own module and takes typed
records. `verify` is the whole path for one application in this process; `receive`,
`read_all` and `conclude` are its three parts, so a batch can read many applications'
documents in parallel processes while records are written here, in one place.
"""

from __future__ import annotations

import time
from concurrent.futures import Executor
from typing import Any

from sqlalchemy.orm import Session

from pipeline import metrics
from pipeline.errors import InvalidSubmission, PeriksaError
from pipeline.ingest import CheckedUpload, Upload, check_upload
from pipeline.read import ReadResult, read_document
from pipeline.records import Report, Status, Submission
from pipeline.settings import Settings
from pipeline.stores import Stores
from pipeline.submission import parse_submission
from rules import Ruleset, evaluate, load_ruleset
from storage import applications as apps
from storage import decisions
from storage.applications import StoredFile
from storage.db import transaction
from storage.errors import InvalidTransition
from storage.tables import Application, utcnow

DEFAULT_QA_SHARE = Settings.model_fields["qa_sample_share"].default


@metrics.timed_stage("verify")
def verify(
    uploads: list[Upload], submission_raw: bytes | str | dict[str, Any], settings: Settings,
    stores: Stores, *, ruleset: Ruleset | None = None, idempotency_key: str | None = None,
) -> Report:
    """The whole path for one application. Input problems raise before anything is stored."""
    submission, checked = accept(uploads, submission_raw, settings)
    application_id = receive(stores, submission, checked, idempotency_key=idempotency_key)
    start(stores, application_id)
    try:
        results = read_all(checked, settings)
    except Exception as exc:
        fail(stores, application_id, exc)
        raise
    return conclude(stores, application_id, submission, results,
                    ruleset or load_ruleset(settings.ruleset_path),
                    qa_share=settings.qa_sample_share)


def accept(
    uploads: list[Upload], submission_raw: bytes | str | dict[str, Any], settings: Settings,
) -> tuple[Submission, list[CheckedUpload]]:
    """Validate the submission and every file; InputRefused on the first problem."""
    submission = parse_submission(submission_raw)
    if not uploads:
        raise InvalidSubmission("an application needs at least one file")
    return submission, [check_upload(u, settings) for u in uploads]


def receive(
    stores: Stores, submission: Submission, checked: list[CheckedUpload], *,
    idempotency_key: str | None = None,
) -> str:
    """Store the originals (content-addressed) and the application record; its id."""
    files = []
    for upload in checked:
        stores.blobs.put(upload.data)
        files.append(StoredFile(filename=upload.filename, sha256=upload.sha256,
                                media_type=upload.media_type, size_bytes=upload.size_bytes))
    with transaction(stores.sessions) as session:
        application = apps.create_application(
            session, submission=submission.model_dump(mode="json", exclude_none=True),
            document_type=submission.document_type, reference=submission.reference,
            office=submission.office, service=submission.service, files=files,
            idempotency_key=idempotency_key,
        )
        return application.id


def start(stores: Stores, application_id: str) -> None:
    """Mark the application as being processed (an audited state change)."""
    with transaction(stores.sessions) as session:
        apps.transition(session, _application(session, application_id), Status.PROCESSING)


def read_all(
    checked: list[CheckedUpload], settings: Settings, pool: Executor | None = None,
) -> list[ReadResult]:
    """Read every document, in the given process pool when there is one."""
    if pool is None:
        return [read_document(upload, settings) for upload in checked]
    return list(pool.map(read_document, checked, [settings] * len(checked)))


def conclude(
    stores: Stores, application_id: str, submission: Submission, results: list[ReadResult],
    ruleset: Ruleset, *, qa_share: float = DEFAULT_QA_SHARE,
) -> Report:
    """Check what was read against the submission, save the report, flag the application."""
    try:
        started = time.perf_counter()
        documents = [r.document for r in results]
        evaluation = evaluate(submission, documents, ruleset)
        timings = _sum_timings(results)
        timings["rules"] = round((time.perf_counter() - started) * 1000, 1)
        report = Report(
            submission_id=application_id, reference=submission.reference, status=Status.FLAGGED,
            flag=evaluation.flag, reasons=evaluation.reasons, ruleset_version=ruleset.version,
            documents=documents, comparisons=evaluation.comparisons, checks=evaluation.checks,
            timings_ms=timings,
        )
        stores.blobs.put(ruleset.source)  # archived by its hash, so the report can be replayed
        save_flagged(stores, application_id, report, qa_share=qa_share)
    except Exception as exc:
        fail(stores, application_id, exc)
        raise
    return report


def save_flagged(stores: Stores, application_id: str, report: Report, *,
                 qa_share: float = DEFAULT_QA_SHARE) -> bool:
    """Report, extractions, QA sample and FLAGGED in one transaction; False if another worker won.

    Idempotent: a twin run (a redelivered message) finds the application no longer
    processing, or loses the compare-and-set transition, and its transaction rolls back.
    """
    try:
        with transaction(stores.sessions) as session:
            application = _application(session, application_id)
            if Status(application.status) != Status.PROCESSING:
                return False
            for row, document in zip(application.documents, report.documents):
                apps.save_extraction(session, row, document.model_dump(mode="json"))
            apps.save_report(session, application, report.to_contract(), report.ruleset_version,
                             report.flag.value if report.flag else None)
            decisions.sample_if_clear(session, application, report.flag, qa_share, utcnow())
            apps.transition(session, application, Status.FLAGGED)
            return True
    except InvalidTransition:  # raced by a twin: its report stands, ours rolled back
        return False


def fail(stores: Stores, application_id: str, exc: Exception) -> None:
    """Record that processing failed, with the error's stable code (never its personal data)."""
    code = exc.code if isinstance(exc, PeriksaError) else "internal_error"
    with transaction(stores.sessions) as session:
        application = _application(session, application_id)
        apps.transition(session, application, Status.FAILED, detail={"error": code})


def _sum_timings(results: list[ReadResult]) -> dict[str, float]:
    total: dict[str, float] = {}
    for result in results:
        for stage, ms in result.timings_ms.items():
            total[stage] = round(total.get(stage, 0.0) + ms, 1)
    return total


def _application(session: Session, application_id: str) -> Application:
    application = apps.get_application(session, application_id)
    if application is None:  # only if a record vanished under us: never expected
        raise PeriksaError(f"application {application_id} not found")
    return application
