"""The actors on dramatiq's StubBroker with an in-process Worker, on the embedded SQLite.

No service needed: this is the idempotency proof (a message delivered twice changes
nothing the second time), the retry -> dead letter -> re-run path, and the sweep.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import dramatiq
import pytest
from dramatiq.middleware import Middleware
from sqlalchemy import func, select

from pipeline import stages
from pipeline.batch import uploads_in
from pipeline.broker import make_broker
from pipeline.errors import ServiceUnavailable
from pipeline.settings import Settings
from pipeline.sweep import failed_lines, rerun_failed, sweep
from pipeline.tasks import QUEUE_APPLICATIONS, QUEUE_PAGES, Pipeline, bind, submit
from storage.tables import Application, AuditEvent, Report

pytestmark = pytest.mark.ocr


class Twice(Middleware):
    """Delivers every OCR message a second time: same message, same id (a redelivery)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def after_enqueue(self, broker, message, delay):  # type: ignore[no-untyped-def]
        if message.actor_name == "periksa.ocr_page" and message.message_id not in self.seen:
            self.seen.add(message.message_id)
            broker.enqueue(message)


@pytest.fixture
def app_dir(generated: list[Path]) -> Path:
    """One clean akta (the quickest to read): a single page."""
    truths = {p: json.loads((p / "truth.json").read_text()) for p in generated}
    return next(p for p, t in truths.items()
                if t["tier"] == "clean" and t["document_type"] == "akta_kelahiran")


def _pipeline(tmp_path: Path, **overrides) -> Pipeline:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path / "var", task_min_backoff_ms=10,
                        task_max_backoff_ms=50, **overrides)
    return bind(make_broker(""), settings)


def _submit(pipeline: Pipeline, app_dir: Path) -> str:
    return submit(pipeline, uploads_in(app_dir), (app_dir / "submission.json").read_bytes())


def _drain(pipeline: Pipeline) -> None:
    """Run an in-process worker until both queues stay empty."""
    broker = pipeline.broker
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        for _ in range(20):  # a stage run may enqueue the next one after a join returned
            broker.join(QUEUE_APPLICATIONS)
            broker.join(QUEUE_PAGES)
            worker.join()
            if all(queue.qsize() == 0 for queue in broker.queues.values()):
                break
    finally:
        worker.stop()


def _records(pipeline: Pipeline, application_id: str) -> tuple[str, int, Counter[str]]:
    with pipeline.stores.sessions() as session:
        status = session.get(Application, application_id).status
        reports = session.scalar(select(func.count()).select_from(Report)
                                 .where(Report.application_id == application_id))
        kinds = Counter(session.scalars(select(AuditEvent.kind)
                                        .where(AuditEvent.application_id == application_id)))
    return status, reports, kinds


def _count_ocr(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = stages._read

    def counting(loaded, settings):  # type: ignore[no-untyped-def]
        calls.append(loaded.image.number)
        return real(loaded, settings)

    monkeypatch.setattr(stages, "_read", counting)
    return calls


def test_a_message_delivered_twice_changes_nothing_the_second_time(
    tmp_path: Path, app_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    pipeline = _pipeline(tmp_path)
    pipeline.broker.add_middleware(Twice())
    ocr_calls = _count_ocr(monkeypatch)
    application_id = _submit(pipeline, app_dir)
    _drain(pipeline)
    assert ocr_calls == [1]  # the page's second delivery found it done
    status, reports, kinds = _records(pipeline, application_id)
    assert (status, reports) == ("flagged", 1)
    assert kinds == Counter({"application.received": 1, "status.processing": 1,
                             "report.flagged": 1, "status.flagged": 1})
    # every stage sent again once it is all over: still one OCR, one report, same trail
    with pipeline.stores.sessions() as session:
        document_id = session.get(Application, application_id).documents[0].id
    pipeline.send_page(application_id, document_id, 1)
    pipeline.send_conclude(application_id)
    pipeline.send_plan(application_id)
    _drain(pipeline)
    assert ocr_calls == [1]
    assert _records(pipeline, application_id) == (status, reports, kinds)


def test_transient_errors_retry_then_dead_letter_then_rerun(
    tmp_path: Path, app_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    pipeline = _pipeline(tmp_path, task_max_retries=2)
    real, failures = stages._read, []

    def flaky(loaded, settings):  # type: ignore[no-untyped-def]
        if len(failures) < 3:  # the first try and both retries fail
            failures.append(1)
            raise ServiceUnavailable("object store unreachable")
        return real(loaded, settings)

    monkeypatch.setattr(stages, "_read", flaky)
    application_id = _submit(pipeline, app_dir)
    _drain(pipeline)
    assert len(failures) == 3
    assert _records(pipeline, application_id)[0] == "failed"
    lines = failed_lines(pipeline)
    assert len(lines) == 1 and lines[0].startswith(application_id)
    assert lines[0].endswith("service_unavailable")
    assert rerun_failed(pipeline) == [application_id]
    _drain(pipeline)
    status, reports, kinds = _records(pipeline, application_id)
    assert (status, reports) == ("flagged", 1)
    assert (kinds["status.failed"], kinds["status.flagged"]) == (1, 1)
    assert failed_lines(pipeline) == []


def test_a_non_transient_error_fails_at_once_with_its_code(
    tmp_path: Path, app_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    pipeline = _pipeline(tmp_path)
    calls = []

    def broken(loaded, settings):  # type: ignore[no-untyped-def]
        calls.append(1)
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr(stages, "_read", broken)
    application_id = _submit(pipeline, app_dir)
    _drain(pipeline)
    assert calls == [1]
    assert _records(pipeline, application_id)[0] == "failed"
    assert failed_lines(pipeline)[0].endswith("internal_error")


def test_the_sweep_resends_work_whose_messages_were_lost(tmp_path: Path, app_dir: Path) -> None:
    pipeline = _pipeline(tmp_path)
    application_id = _submit(pipeline, app_dir)
    pipeline.broker.flush_all()  # the submitter's message is lost (a crash after its commit)
    assert sweep(pipeline, older_than_s=3600).planned == []  # not stuck yet: deadline not passed
    assert sweep(pipeline, older_than_s=0).planned == [application_id]
    # a worker of the applications queue only: it plans, the page's message stays queued
    worker = dramatiq.Worker(pipeline.broker, queues={QUEUE_APPLICATIONS}, worker_threads=1,
                             worker_timeout=50)
    worker.start()
    pipeline.broker.join(QUEUE_APPLICATIONS)
    worker.stop()
    pipeline.broker.flush_all()  # planned, then the page's message is lost too
    result = sweep(pipeline, older_than_s=0)
    assert (result.planned, result.pages) == ([], 1)
    _drain(pipeline)
    assert _records(pipeline, application_id)[:2] == ("flagged", 1)


def test_a_page_past_its_time_limit_is_retried_then_failed(
    tmp_path: Path, app_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    pipeline = _pipeline(tmp_path, task_max_retries=1, page_time_limit_s=0.3)
    started: list[float] = []

    def hangs(loaded, settings):  # type: ignore[no-untyped-def]
        started.append(time.monotonic())
        while True:  # a hostile page that never finishes; only the time limit stops it
            time.sleep(0.01)

    monkeypatch.setattr(stages, "_read", hangs)
    application_id = _submit(pipeline, app_dir)
    _drain(pipeline)
    assert len(started) == 2  # the first try and one retry, each stopped by the limit
    assert _records(pipeline, application_id)[0] == "failed"
    assert failed_lines(pipeline)[0].endswith("time_limit")


def test_the_worker_memory_cap_turns_a_huge_allocation_into_memory_error() -> None:
    import subprocess
    import sys

    code = ("from pipeline.worker import limit_memory\n"
            "limit_memory(512)\n"
            "try:\n    bytearray(1024 * 1024 * 1024)\nexcept MemoryError:\n    print('capped')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "capped", out.stderr
