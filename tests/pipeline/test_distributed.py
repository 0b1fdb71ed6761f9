"""The distributed path on real services: PostgreSQL, Redis or RabbitMQ, S3 (moto on loopback).

Every service is pinged first: missing ones skip these tests on a laptop and fail them when
CI=true. The kill test starts `periksa worker` as a subprocess and kills it with SIGKILL at
random moments (PERIKSA_TEST_KILLS times, 5 by default; 20 for the issue's figure), sweeps,
restarts, and then counts what was lost or doubled: both must be zero.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import dramatiq
import pytest
from sqlalchemy import func, select

from pipeline.batch import uploads_in
from pipeline.broker import make_broker
from pipeline.read import read_document
from pipeline.run import accept
from pipeline.settings import Settings
from pipeline.sweep import sweep
from pipeline.tasks import Pipeline, bind, submit, wait_settled
from rules import evaluate, load_ruleset
from storage import audit
from storage.tables import Application, AuditEvent, Report
from storage.work import PageWork
from tests.services import fresh_postgres_database, moto_s3_endpoint, service_missing

pytestmark = [pytest.mark.services, pytest.mark.ocr]

REDIS_URL = os.environ.get("PERIKSA_TEST_REDIS", "redis://127.0.0.1:6379/13")
AMQP_URL = os.environ.get("PERIKSA_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672/%2F")
KILLS = int(os.environ.get("PERIKSA_TEST_KILLS", "5"))
ONCE = Counter({"application.received": 1, "status.processing": 1, "report.flagged": 1,
                "status.flagged": 1})


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A fresh database for this module, dropped afterwards."""
    with fresh_postgres_database("periksa_dist") as url:
        yield url


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_s3_endpoint() as endpoint:
        yield endpoint


def _broker_url(kind: str) -> str:
    broker = make_broker(REDIS_URL if kind == "redis" else AMQP_URL, install=False)
    try:
        if kind == "redis":
            broker.client.ping()
            broker.client.flushdb()  # this test database only: leftovers of an earlier run
        else:
            broker.connection  # noqa: B018 - opens a connection or raises
    except Exception as exc:  # noqa: BLE001
        service_missing(f"{kind} ({type(exc).__name__})")
    finally:
        broker.close()
    return REDIS_URL if kind == "redis" else AMQP_URL


@pytest.fixture
def settings_for(
    postgres_url: str, s3_endpoint: str, tmp_path: Path,
) -> Callable[[str], Settings]:
    def make(kind: str) -> Settings:
        return Settings(
            data_dir=tmp_path / "var", database_url=postgres_url, broker_url=_broker_url(kind),
            blob_url=f"s3://periksa-{secrets.token_hex(4)}/originals", s3_endpoint=s3_endpoint,
            s3_access_key="periksa", s3_secret_key="periksa-test", task_min_backoff_ms=100,
            task_max_backoff_ms=2000, worker_threads=2,
        )
    return make


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from samples.generate import generate

    return generate(tmp_path_factory.mktemp("batch"), count=5, seed=23, tiers=("clean",))


def _pipeline(settings: Settings) -> Pipeline:
    broker = make_broker(settings.broker_url)
    broker.flush_all()
    return bind(broker, settings)


def _submit_all(pipeline: Pipeline, folders: list[Path]) -> list[str]:
    return [submit(pipeline, uploads_in(f), (f / "submission.json").read_bytes(),
                   idempotency_key=f"{pipeline.settings.blob_url}/{f.name}") for f in folders]


def _tally(pipeline: Pipeline, ids: list[str]) -> dict[str, tuple[str, int, Counter[str]]]:
    """Per application: status, number of reports, audit event kinds."""
    out = {}
    with pipeline.stores.sessions() as session:
        for application_id in ids:
            status = session.get(Application, application_id).status
            reports = session.scalar(select(func.count()).select_from(Report)
                                     .where(Report.application_id == application_id))
            kinds = Counter(session.scalars(select(AuditEvent.kind)
                                            .where(AuditEvent.application_id == application_id)))
            out[application_id] = (status, reports, kinds)
    return out


@pytest.mark.parametrize("kind", ["redis", "rabbitmq"])
def test_the_full_path_on_postgres_s3_and_a_real_broker(
    settings_for: Callable[[str], Settings], batch: list[Path], kind: str,
) -> None:


    pipeline = _pipeline(settings_for(kind))
    folders = batch[:2]  # one KK, one akta
    ids = _submit_all(pipeline, folders)
    assert _submit_all(pipeline, folders) == ids  # same idempotency keys: the same applications
    pipeline.broker.emit_after("process_boot")
    worker = dramatiq.Worker(pipeline.broker, worker_threads=2, worker_timeout=200)
    worker.start()
    try:
        found = wait_settled(pipeline.stores, ids, timeout_s=120)
    finally:
        worker.stop()
        pipeline.broker.close()
    assert set(found.values()) == {"flagged"}
    tally = _tally(pipeline, ids)
    assert all((r, k) == (1, ONCE) for _, r, k in tally.values())
    with pipeline.stores.sessions() as session:
        for application_id, folder in zip(ids, folders):
            truth = json.loads((folder / "truth.json").read_text())
            application = session.get(Application, application_id)
            assert application.documents[0].document_type == truth["document_type"]
            # the same answer as the in-process path: same code, whatever carries the messages
            assert application.flag == _in_process_flag(folder)
            if truth["variant"] != "truthful":
                assert application.flag != "clear"
    assert pipeline.stores.blobs.exists(application.documents[0].sha256)


def _in_process_flag(folder: Path) -> str:
    settings = Settings()
    submission, checked = accept(uploads_in(folder), (folder / "submission.json").read_bytes(),
                                 settings)
    documents = [read_document(upload, settings).document for upload in checked]
    return evaluate(submission, documents, load_ruleset()).flag.value


def _start_worker(settings: Settings, log_file: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, OMP_THREAD_LIMIT="1", PERIKSA_DATA_DIR=str(settings.data_dir),
               PERIKSA_DATABASE_URL=settings.database_url, PERIKSA_BROKER_URL=settings.broker_url,
               PERIKSA_BLOB_URL=settings.blob_url, PERIKSA_S3_ENDPOINT=settings.s3_endpoint,
               PERIKSA_S3_ACCESS_KEY="periksa", PERIKSA_S3_SECRET_KEY="periksa-test",
               PERIKSA_TASK_MIN_BACKOFF_MS="100", PERIKSA_TASK_MAX_BACKOFF_MS="2000")
    with log_file.open("ab") as log:
        return subprocess.Popen([sys.executable, "-m", "pipeline.cli", "worker", "--threads", "2"],
                                env=env, stdout=log, stderr=subprocess.STDOUT)


def _pages_done(pipeline: Pipeline, ids: list[str]) -> int:
    with pipeline.stores.sessions() as session:
        return session.scalar(select(func.count()).select_from(PageWork).where(
            PageWork.application_id.in_(ids), PageWork.state == "done"))


def test_kill_9_at_random_moments_loses_nothing_and_doubles_nothing(
    settings_for: Callable[[str], Settings], batch: list[Path], tmp_path: Path,
) -> None:
    settings = settings_for("redis")
    pipeline = _pipeline(settings)
    ids = _submit_all(pipeline, batch)
    rng = random.Random(os.environ.get("PERIKSA_TEST_KILL_SEED", "6"))
    log_file = tmp_path / "worker.log"
    started, done_at_kills = time.monotonic(), []
    for _ in range(KILLS):
        worker = _start_worker(settings, log_file)
        time.sleep(rng.uniform(1.5, 5.0))  # boot takes ~2 s: some kills land there, most in work
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        done_at_kills.append(_pages_done(pipeline, ids))
        sweep(pipeline, older_than_s=0)  # what the cron'd sweep does once the deadline passes
    worker = _start_worker(settings, log_file)
    try:
        found = wait_settled(pipeline.stores, ids, timeout_s=60)
        if set(found.values()) != {"flagged"}:  # one more sweep, as the cron job would
            sweep(pipeline, older_than_s=5)
            found = wait_settled(pipeline.stores, ids, timeout_s=90)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    tally = _tally(pipeline, ids)
    lost = [a for a, (status, _, _) in tally.items() if status != "flagged"]
    doubled = [a for a, (_, reports, kinds) in tally.items() if reports > 1 or kinds != ONCE]
    print(f"\nkill -9 test: {KILLS} kills, {len(ids)} applications, {len(lost)} lost, "
          f"{len(doubled)} duplicated, {time.monotonic() - started:.0f} s; "
          f"pages done at each kill {done_at_kills}")
    assert (lost, doubled) == ([], []), log_file.read_text()[-3000:]
    with pipeline.stores.sessions() as session:
        assert audit.verify(session).ok
        pages = session.execute(select(PageWork.state, func.count())
                                .where(PageWork.application_id.in_(ids))
                                .group_by(PageWork.state)).all()
    assert dict(pages) == {"done": len(ids)}


def test_worker_metrics_add_up_across_processes_and_the_database_agrees(
    settings_for: Callable[[str], Settings], batch: list[Path], tmp_path: Path,
) -> None:
    """`periksa worker --processes 2 --metrics-port P`: the stage counts served are the sum
    over both processes (multiprocess mode), and match what the database says was done."""
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    from pipeline.metrics import DatabaseCollector, exposition
    from tests.services import free_port

    settings = settings_for("redis")
    pipeline = _pipeline(settings)
    ids = _submit_all(pipeline, batch[2:4])
    port = free_port()
    env = dict(os.environ, OMP_THREAD_LIMIT="1", PERIKSA_DATA_DIR=str(settings.data_dir),
               PERIKSA_DATABASE_URL=settings.database_url, PERIKSA_BROKER_URL=settings.broker_url,
               PERIKSA_BLOB_URL=settings.blob_url, PERIKSA_S3_ENDPOINT=settings.s3_endpoint,
               PERIKSA_S3_ACCESS_KEY="periksa", PERIKSA_S3_SECRET_KEY="periksa-test")
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with (tmp_path / "worker.log").open("ab") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "worker", "--processes", "2", "--threads", "1",
             "--metrics-port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        found = wait_settled(pipeline.stores, ids, timeout_s=120)
        time.sleep(0.5)  # the last message's after_process hook runs just after its commit
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
            served = answer.read().decode()
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        pipeline.broker.close()
    assert set(found.values()) == {"flagged"}, (tmp_path / "worker.log").read_text()[-2000:]
    samples = {(s.name, s.labels.get("stage")): s.value
               for family in text_string_to_metric_families(served) for s in family.samples}
    with pipeline.stores.sessions() as session:
        pages = session.scalar(select(func.count()).select_from(PageWork)
                               .where(PageWork.application_id.in_(ids)))
    assert samples[("periksa_stage_runs_total", "plan")] == len(ids)
    assert samples[("periksa_stage_runs_total", "ocr_page")] == pages
    assert samples[("periksa_stage_runs_total", "conclude")] == len(ids)
    assert samples[("periksa_stage_seconds_count", "ocr_page")] >= pages
    database = {(s.name, tuple(sorted(s.labels.items()))): s.value for family in
                text_string_to_metric_families(exposition(DatabaseCollector(
                    pipeline.stores.sessions)).decode()) for s in family.samples}
    assert database[("periksa_database_up", ())] == 1
    assert database[("periksa_pages_done_last_5m", ())] >= pages  # other tests share the database
