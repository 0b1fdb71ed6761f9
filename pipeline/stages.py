"""The distributed path's stages, each a function of ids that loads, works, saves, returns.

    plan(application)          count pages from the stored originals, create the work items,
                               RECEIVED -> PROCESSING; returns the pages to OCR
    ocr_page(document, page)   decode, preprocess, OCR one page, save its words; returns
                               True when the database count says the application is complete
    conclude(application)      classify and extract from the saved words and the re-rendered
                               pages, rules, report, PROCESSING -> FLAGGED

Each is idempotent: work already done is found in the database and skipped, and the final
write is one transaction ending in a compare-and-set transition, so a stage run twice (a
redelivered message, a sweep) changes nothing the second time. The actors in tasks.py only
add messaging around these; the tests call them directly too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from extractors.pages import LoadedPage, load_pages
from pipeline.errors import PeriksaError
from pipeline.read import ReadResult, extract_document, ocr_engine, prepare, words_of
from pipeline.records import PageText, Report, Status
from pipeline.run import save_flagged
from pipeline.settings import Settings
from pipeline.stores import Stores
from pipeline.submission import parse_submission
from rules import Ruleset, evaluate
from storage import applications as apps
from storage import pages as work
from storage.db import transaction
from storage.errors import InvalidTransition
from storage.pages import PageKey
from storage.tables import Application, Document


@dataclass(frozen=True)
class Outcome:
    """What a stage did: `ran` False means it found the work already done."""

    ran: bool
    complete: bool = False


def plan(stores: Stores, settings: Settings, application_id: str) -> list[PageKey]:
    """Work items for every page; the pages still pending (none once concluded)."""
    with stores.sessions() as session:
        application = _get(session, application_id)
        documents = [(d.id, d.sha256, d.media_type) for d in application.documents]
        status = Status(application.status)
    if status not in (Status.RECEIVED, Status.PROCESSING):
        return []
    counts = {doc_id: len(_pages(stores, settings, sha, media)) for doc_id, sha, media in documents}
    with transaction(stores.sessions) as session:
        work.plan(session, application_id, counts)
        application = _get(session, application_id)
        if Status(application.status) == Status.RECEIVED:
            apps.transition(session, application, Status.PROCESSING)
        return work.pending_pages(session, application_id)


def ocr_page(stores: Stores, settings: Settings, document_id: str, page: int) -> Outcome:
    """OCR one page unless it is done; `complete` when no page of the application is left."""
    with stores.sessions() as session:
        found = work.page_state(session, document_id, page)
        if found is None:
            raise PeriksaError(f"no work item for page {page} of document {document_id}")
        application_id, state = found
        if state == work.DONE:
            return Outcome(ran=False, complete=_waiting_to_conclude(session, application_id))
        document = session.get(Document, document_id)
        sha256, media_type = document.sha256, document.media_type
    started = time.perf_counter()
    loaded = _pages(stores, settings, sha256, media_type)[page - 1]
    text = _read(loaded, settings)
    ms = round((time.perf_counter() - started) * 1000)
    with transaction(stores.sessions) as session:
        last = work.save_page(session, document_id, page, text.model_dump(mode="json"), ms)
        if last is None:  # a twin delivery saved it first
            return Outcome(ran=False, complete=_waiting_to_conclude(session, application_id))
    return Outcome(ran=True, complete=last)


def conclude(stores: Stores, settings: Settings, application_id: str, ruleset: Ruleset) -> Outcome:
    """Extract, check and flag once; a second run finds the application already flagged."""
    with stores.sessions() as session:
        application = _get(session, application_id)
        if not _waiting_to_conclude(session, application_id):
            return Outcome(ran=False)
        submission = parse_submission(application.submission)
        documents = [(d.id, d.filename, d.sha256, d.media_type) for d in application.documents]
        texts = {d[0]: work.page_texts(session, d[0]) for d in documents}
    started = time.perf_counter()
    results = [_extract(stores, settings, name, sha, media, texts[doc_id])
               for doc_id, name, sha, media in documents]
    evaluation = evaluate(submission, [r.document for r in results], ruleset)
    timings = {"ocr": float(sum(ms for rows in texts.values() for _, ms in rows)),
               "extract_and_rules": round((time.perf_counter() - started) * 1000, 1)}
    report = Report(
        submission_id=application_id, reference=submission.reference, status=Status.FLAGGED,
        flag=evaluation.flag, reasons=evaluation.reasons, ruleset_version=ruleset.version,
        documents=[r.document for r in results], comparisons=evaluation.comparisons,
        checks=evaluation.checks, timings_ms=timings,
    )
    stores.blobs.put(ruleset.source)  # archived by its hash, so the report can be replayed
    saved = save_flagged(stores, application_id, report, qa_share=settings.qa_sample_share)
    return Outcome(ran=saved, complete=True)


def fail(stores: Stores, application_id: str, code: str) -> bool:
    """PROCESSING/RECEIVED -> FAILED with the error code; False when it had moved on already."""
    with transaction(stores.sessions) as session:
        application = _get(session, application_id)
        if Status(application.status) == Status.RECEIVED:
            apps.transition(session, application, Status.PROCESSING)
        if Status(application.status) != Status.PROCESSING:
            return False
        apps.transition(session, application, Status.FAILED, detail={"error": code})
        work.touch(session, application_id, error=code)
        return True


def rerun(stores: Stores, application_id: str) -> bool:
    """FAILED -> PROCESSING (done pages stay done); False when it was not failed."""
    try:
        with transaction(stores.sessions) as session:
            application = _get(session, application_id)
            if Status(application.status) != Status.FAILED:
                return False
            apps.transition(session, application, Status.PROCESSING, detail={"rerun": True})
            work.touch(session, application_id)
            return True
    except InvalidTransition:
        return False


def application_of(stores: Stores, document_id: str) -> str | None:
    with stores.sessions() as session:
        document = session.get(Document, document_id)
        return document.application_id if document else None


def _waiting_to_conclude(session, application_id: str) -> bool:  # type: ignore[no-untyped-def]
    application = _get(session, application_id)
    processing = Status(application.status) == Status.PROCESSING
    return processing and work.all_done(session, application_id)


def _pages(stores: Stores, settings: Settings, sha256: str, media_type: str) -> list[LoadedPage]:
    return load_pages(stores.blobs.get(sha256), media_type, settings)


def _read(loaded: LoadedPage, settings: Settings) -> PageText:
    engine = ocr_engine(settings)
    return words_of(loaded, prepare(loaded), engine)


def _extract(
    stores: Stores, settings: Settings, filename: str, sha256: str, media_type: str,
    saved: list[tuple[dict, int]],
) -> ReadResult:
    """What read.read_document does after OCR, from the saved words instead of a new OCR."""
    pages = [prepare(lp) for lp in _pages(stores, settings, sha256, media_type)]
    texts = [PageText.model_validate(text) for text, _ in saved]
    engine = ocr_engine(settings)
    document = extract_document(filename, sha256, pages, texts, engine)
    return ReadResult(document=document, pages=tuple(pages))


def _get(session, application_id: str) -> Application:  # type: ignore[no-untyped-def]
    application = apps.get_application(session, application_id)
    if application is None:
        raise PeriksaError(f"application {application_id} not found")
    return application
