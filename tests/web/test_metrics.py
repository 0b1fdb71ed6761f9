"""/metrics and /v1/dashboard through the app: who may read them, what is in them (and what is
never in them: personal data), the stage middleware, and multiprocess aggregation."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import dramatiq
import pytest
from prometheus_client.parser import text_string_to_metric_families

from pipeline import metrics
from pipeline.broker import middleware
from pipeline.errors import OcrFailed
from pipeline.records import Status
from storage import applications as apps
from storage.db import transaction
from tests.web.support import Api, flag_it, submission

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _decide(api: Api, application_id: str, who: str) -> None:
    with transaction(api.stores.sessions) as session:
        application = apps.get_application(session, application_id)
        apps.transition(session, application, Status.DECIDED, actor=f"user:{who}")


@pytest.mark.parametrize("who, expected", [("anonymous", 401), ("intake_a", 403),
                                           ("verifier_3216", 403), ("auditor", 200),
                                           ("admin", 200)])
def test_metrics_from_another_host_need_an_admin_or_auditor(api: Api, who: str,
                                                            expected: int) -> None:
    response = api.client.get("/metrics", headers=api.headers[who])
    assert response.status_code == expected


def test_a_local_scraper_reads_without_credentials_but_not_through_a_proxy(api: Api) -> None:
    local = TestClient(api.client.app, client=("127.0.0.1", 40000))
    assert local.get("/metrics").status_code == 200
    assert local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 401
    assert TestClient(api.client.app, client=("::1", 40000)).get("/metrics").status_code == 200


def test_metrics_carry_the_database_numbers_and_no_personal_data(api: Api) -> None:
    first = api.submit("intake_a").json()["id"]
    second = api.submit("intake_a", office="3320").json()["id"]
    api.submit("intake_b")
    flag_it(api, first)
    flag_it(api, second)
    _decide(api, second, "siti")
    response = api.client.get("/metrics", headers=api.headers["auditor"])
    assert response.headers["content-type"].startswith("text/plain")
    found = _samples(response.text)
    assert found[("periksa_database_up", ())] == 1
    assert found[("periksa_applications", (("flag", "none"), ("status", "received")))] == 1
    assert found[("periksa_applications", (("flag", "review"), ("status", "flagged")))] == 1
    assert found[("periksa_applications", (("flag", "review"), ("status", "decided")))] == 1
    assert found[("periksa_intake_today", ())] == 3
    assert found[("periksa_flagged_undecided", (("flag", "review"),))] == 1
    assert found[("periksa_decisions_today", ())] == 1
    assert found[("periksa_verifiers_deciding_today", ())] == 1
    assert found[("periksa_decision_norm_per_day", ())] == 30
    assert found[("periksa_pages_pending", ())] == 0
    assert ("periksa_upload_to_flag_seconds", (("quantile", "0.5"), ("window", "today"))) in found
    data = submission()["data"]
    personal = [data["nik"], data["nama"], data["nama_ibu"], data["nomor_akta"], "siti"]
    assert [p for p in personal if p in response.text] == []


def test_dashboard_is_scoped_to_the_verifiers_office(api: Api) -> None:
    mine = api.submit("intake_a").json()["id"]
    theirs = api.submit("intake_a", office="33.20").json()["id"]
    flag_it(api, mine)
    flag_it(api, theirs)
    _decide(api, mine, "verifier_3216")
    board = api.client.get("/v1/dashboard", headers=api.headers["verifier_3216"]).json()
    assert board["scope"] == {"role": "verifier", "office": "3216"}
    assert board["intake_today"] == 1 and board["queue"]["total"] == 0
    assert board["timezone"] == "Asia/Jakarta" and board["decision_norm_per_day"] == 30
    assert [v["verifier"] for v in board["decisions"]] == ["verifier_3216"]
    assert board["upload_to_flag"]["today"]["count"] == 1
    everything = api.client.get("/v1/dashboard", headers=api.headers["auditor"]).json()
    assert everything["intake_today"] == 2 and everything["queue"]["review"] == 1
    assert everything["upload_to_flag"]["today"]["count"] == 2
    for who, expected in (("intake_a", 403), ("admin", 403), ("anonymous", 401)):
        assert api.client.get("/v1/dashboard", headers=api.headers[who]).status_code == expected


def test_the_stage_middleware_times_messages_and_counts_errors_by_code() -> None:
    from dramatiq.brokers.stub import StubBroker

    broker = StubBroker(middleware=middleware())
    broker.emit_after("process_boot")

    def plan(ok: bool) -> None:
        if not ok:
            raise OcrFailed("tesseract said no")

    actor = dramatiq.Actor(plan, broker=broker, actor_name="periksa.plan", queue_name="q",
                           priority=0, options={"max_retries": 0})
    before_count = _histogram_count("plan")
    before_errors = metrics.MESSAGE_ERRORS.labels("plan", "ocr_failed")._value.get()  # noqa: SLF001
    worker = dramatiq.Worker(broker, worker_timeout=50)
    worker.start()
    try:
        actor.send(True)
        actor.send(False)
        broker.join("q", fail_fast=False)
        worker.join()
    finally:
        worker.stop()
    assert _histogram_count("plan") == before_count + 2
    errors = metrics.MESSAGE_ERRORS.labels("plan", "ocr_failed")._value.get()  # noqa: SLF001
    assert errors == before_errors + 1


def _histogram_count(stage: str) -> float:
    for family in metrics.STAGE_SECONDS.collect():
        for sample in family.samples:
            if sample.name.endswith("_count") and sample.labels.get("stage") == stage:
                return sample.value
    return 0.0


CHILD = """
from pipeline import metrics
metrics.STAGE_SECONDS.labels("ocr_page").observe(2.0)
metrics.stage_ran("ocr_page")
"""


def test_worker_processes_add_up_in_multiprocess_mode(tmp_path: Path) -> None:
    directory = tmp_path / "prom"
    directory.mkdir()
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(directory))
    for _ in range(2):  # two worker processes, each OCR'ing one page
        subprocess.run([sys.executable, "-c", CHILD], env=env, check=True,
                       cwd=Path(__file__).resolve().parents[2])
    os.environ[metrics.MULTIPROC_ENV] = str(directory)
    try:
        found = _samples(metrics.exposition(None).decode())
    finally:
        del os.environ[metrics.MULTIPROC_ENV]
    assert found[("periksa_stage_runs_total", (("stage", "ocr_page"),))] == 2
    assert found[("periksa_stage_seconds_count", (("stage", "ocr_page"),))] == 2
    assert found[("periksa_stage_seconds_sum", (("stage", "ocr_page"),))] == 4.0


def test_scrapes_within_the_interval_share_one_computation(api: Api) -> None:
    def intake(collector: metrics.DatabaseCollector) -> float:
        return _samples(metrics.exposition(collector).decode())[("periksa_intake_today", ())]

    cached = metrics.DatabaseCollector(api.stores.sessions, min_interval_s=60)
    fresh = metrics.DatabaseCollector(api.stores.sessions, min_interval_s=0)
    assert intake(cached) == intake(fresh) == 0
    api.submit("intake_a")
    assert intake(cached) == 0  # the first scrape's numbers, within the interval
    assert intake(fresh) == 1
