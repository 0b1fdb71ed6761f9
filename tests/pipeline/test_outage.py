"""Outages mid-batch: Redis and PostgreSQL stop for a few seconds while `periksa worker` is
busy; once they are back the batch completes with nothing lost and nothing doubled (one
report per application, each audit event once, the chain verifies). And two intake requests
with one Idempotency-Key at the same moment, over HTTP on PostgreSQL and a real broker, make
one application and both get its id.

These tests stop services, so they never touch the machine's shared ones: each starts its own
redis-server and its own PostgreSQL cluster (initdb into a temporary folder, run as the
`postgres` user when the tests run as root, since postgres refuses root) on free ports.
The Redis started here keeps nothing on disk (--save ""), so a restart loses every queued
message: that is the harder case, and the sweep (run on a schedule in production, here by
the test as the cron would) re-sends the work the database says is unfinished.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from pipeline.batch import uploads_in
from pipeline.broker import make_broker
from pipeline.settings import Settings
from pipeline.sweep import sweep
from pipeline.tasks import Pipeline, bind, submit, wait_settled
from storage import audit
from storage.tables import Application, AuditEvent, Report
from storage.work import PageWork
from tests.services import free_port, service_missing

pytestmark = [pytest.mark.services, pytest.mark.ocr]

ONCE = Counter({"application.received": 1, "status.processing": 1, "report.flagged": 1,
                "status.flagged": 1})
OUTAGE_S = 4.0
POSTERS = 4  # requests with one Idempotency-Key released at the same moment


# --- private services ------------------------------------------------------------------


class PrivateRedis:
    """redis-server on a free loopback port, in memory only; stop() and start() at will."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            service_missing("redis-server binary")
        self.binary, self.port = binary, free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()  # no shutdown, no save: like a crashed or unplugged server
            self.process.wait()
            self.process = None


class PrivatePostgres:
    """A PostgreSQL cluster of its own in a temporary folder, on a free loopback port."""

    def __init__(self) -> None:
        bindir = _postgres_bindir()
        if bindir is None:
            service_missing("PostgreSQL server binaries (initdb, pg_ctl)")
        self.bindir, self.port = bindir, free_port()
        self.root = Path(tempfile.mkdtemp(prefix="periksa-pg-"))
        self.data = self.root / "data"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--no-sync")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                  str(self.root / "server.log"), "-w", "start")

    def stop(self) -> None:
        # immediate: connections cut, no checkpoint, crash recovery on the next start
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)


def _postgres_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return candidates[-1].parent if candidates else None


def _wait_for_port(port: int, timeout_s: float = 10.0) -> None:
    import socket

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port}")


@pytest.fixture
def redis_server() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_server() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    server.start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from samples.generate import generate

    return generate(tmp_path_factory.mktemp("outage"), count=4, seed=31, tiers=("clean",))


# --- helpers ---------------------------------------------------------------------------


def _settings(tmp_path: Path, database_url: str, broker_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "var", database_url=database_url, broker_url=broker_url,
                    blob_url=(tmp_path / "blobs").as_uri(), task_min_backoff_ms=200,
                    task_max_backoff_ms=2000, task_max_retries=20)


def _start_worker(settings: Settings, log_file: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, OMP_THREAD_LIMIT="1", PERIKSA_DATA_DIR=str(settings.data_dir),
               PERIKSA_DATABASE_URL=settings.database_url, PERIKSA_BROKER_URL=settings.broker_url,
               PERIKSA_BLOB_URL=settings.blob_url, PERIKSA_TASK_MIN_BACKOFF_MS="200",
               PERIKSA_TASK_MAX_BACKOFF_MS="2000", PERIKSA_TASK_MAX_RETRIES="20")
    with log_file.open("ab") as log:
        return subprocess.Popen([sys.executable, "-m", "pipeline.cli", "worker", "--threads", "2"],
                                env=env, stdout=log, stderr=subprocess.STDOUT)


def _stop_worker(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _submit_all(pipeline: Pipeline, folders: list[Path]) -> list[str]:
    return [submit(pipeline, uploads_in(f), (f / "submission.json").read_bytes(),
                   idempotency_key=f"outage/{f.name}") for f in folders]


def _pages_done(pipeline: Pipeline, ids: list[str]) -> int:
    with pipeline.stores.sessions() as session:
        return session.scalar(select(func.count()).select_from(PageWork).where(
            PageWork.application_id.in_(ids), PageWork.state == "done")) or 0


def _wait_for_first_page(pipeline: Pipeline, ids: list[str], timeout_s: float = 120) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        done = _pages_done(pipeline, ids)
        if done:
            return done
        time.sleep(0.2)
    raise AssertionError("no page was OCR'd before the outage")


def _outage_felt(log_file: Path, marker: str, minimum_s: float, timeout_s: float = 60) -> float:
    """Keep the service down until the worker has run into it (its log shows `marker`) and
    for at least `minimum_s`, so the outage is never one that happened while nobody looked."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        felt = marker in log_file.read_text(errors="replace")
        if felt and time.monotonic() - started >= minimum_s:
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"the worker never noticed the outage ({marker!r} not in its log)")


def _settle_with_sweeps(pipeline: Pipeline, ids: list[str], timeout_s: float = 240) -> dict:
    """Wait for every application, sweeping what stays idle past a short deadline (the cron)."""
    deadline = time.monotonic() + timeout_s
    found: dict[str, str] = {}
    while time.monotonic() < deadline:
        found = wait_settled(pipeline.stores, ids, timeout_s=10)
        if set(found.values()) <= {"flagged", "failed"}:
            return found
        try:
            sweep(pipeline, older_than_s=10)
        except Exception:  # noqa: BLE001 - a service still coming back: the next round retries
            time.sleep(1)
    return found


def _assert_nothing_lost_or_doubled(pipeline: Pipeline, ids: list[str], found: dict,
                                    log_file: Path) -> None:
    log = log_file.read_text(errors="replace")
    tail = log[-3000:]
    assert set(found.values()) == {"flagged"}, (found, tail)
    # no application was given up on, not even in an attempt that itself failed for the outage
    assert re.search(r"periksa\.tasks: application \S+ failed:", log) is None, tail
    with pipeline.stores.sessions() as session:
        for application_id in ids:
            reports = session.scalar(select(func.count()).select_from(Report)
                                     .where(Report.application_id == application_id))
            kinds = Counter(session.scalars(select(AuditEvent.kind)
                                            .where(AuditEvent.application_id == application_id)))
            assert (reports, kinds) == (1, ONCE), (application_id, tail)
        assert audit.verify(session).ok
        pages = dict(session.execute(select(PageWork.state, func.count())
                                     .where(PageWork.application_id.in_(ids))
                                     .group_by(PageWork.state)).all())
    assert set(pages) == {"done"}


# --- the tests ---------------------------------------------------------------------------


def test_redis_gone_for_seconds_mid_batch_loses_and_doubles_nothing(
    redis_server: PrivateRedis, postgres_server: PrivatePostgres, batch: list[Path],
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path, postgres_server.url, redis_server.url)
    pipeline = bind(make_broker(settings.broker_url), settings)
    log_file = tmp_path / "worker.log"
    ids = _submit_all(pipeline, batch)
    worker = _start_worker(settings, log_file)
    try:
        done_before = _wait_for_first_page(pipeline, ids)
        redis_server.stop()  # every queued message is gone with it
        down_s = _outage_felt(log_file, "connection error", OUTAGE_S)
        redis_server.start()
        found = _settle_with_sweeps(pipeline, ids)
    finally:
        _stop_worker(worker)
        pipeline.broker.close()
    print(f"\nredis outage: {down_s:.0f} s after {done_before} page(s); settled {found}")
    _assert_nothing_lost_or_doubled(pipeline, ids, found, log_file)


def test_postgres_gone_for_seconds_mid_batch_loses_and_doubles_nothing(
    redis_server: PrivateRedis, postgres_server: PrivatePostgres, batch: list[Path],
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path, postgres_server.url, redis_server.url)
    pipeline = bind(make_broker(settings.broker_url), settings)
    log_file = tmp_path / "worker.log"
    ids = _submit_all(pipeline, batch)
    worker = _start_worker(settings, log_file)
    try:
        done_before = _wait_for_first_page(pipeline, ids)
        postgres_server.stop()
        down_s = _outage_felt(log_file, "transient service_unavailable", OUTAGE_S)
        postgres_server.start()
        found = _settle_with_sweeps(pipeline, ids)
    finally:
        _stop_worker(worker)
        pipeline.broker.close()
    print(f"\npostgres outage: {down_s:.0f} s after {done_before} page(s); settled {found}")
    _assert_nothing_lost_or_doubled(pipeline, ids, found, log_file)


def test_one_idempotency_key_at_once_over_http_makes_one_application(
    redis_server: PrivateRedis, postgres_server: PrivatePostgres, tmp_path: Path,
) -> None:
    import httpx
    import uvicorn

    from storage import accounts
    from storage.db import transaction
    from tests.web.support import sample_bytes, submission
    from web.app import create_app

    settings = _settings(tmp_path, postgres_server.url, redis_server.url)
    app = create_app(settings, run_worker=False, callbacks=False)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        with transaction(app.state.pipeline.stores.sessions) as session:
            key = accounts.create_key(session, "portal", "intake").key
        barrier = threading.Barrier(POSTERS)
        answers: list[httpx.Response] = []

        def post() -> None:
            files = [("files", ("akta.png", sample_bytes(), "image/png"))]
            data = {"submission": json.dumps(submission())}
            headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "portal-777"}
            barrier.wait()
            answers.append(httpx.post(f"http://127.0.0.1:{port}/v1/applications", files=files,
                                      data=data, headers=headers, timeout=60))

        posters = [threading.Thread(target=post) for _ in range(POSTERS)]
        for poster in posters:
            poster.start()
        for poster in posters:
            poster.join()
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    assert [a.status_code for a in answers] == [202] * POSTERS, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    engine = create_engine(postgres_server.url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM applications")).scalar() == 1
            assert connection.execute(text(
                "SELECT count(*) FROM audit_events WHERE kind = 'application.received'"
            )).scalar() == 1
    finally:
        engine.dispose()
    with app.state.pipeline.stores.sessions() as session:
        assert session.get(Application, answers[0].json()["id"]).idempotency_key is not None
