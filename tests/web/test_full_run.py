"""A whole application through the API with the in-process worker: flagged, report served,
page image served, and not one 16-digit number in any log line on the way."""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import pytest

from pipeline.settings import Settings
from tests.web.support import make_api, submission

pytestmark = pytest.mark.ocr
SIXTEEN = re.compile(r"\d{16}")


def test_full_run_logs_no_nik(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    settings = Settings(data_dir=tmp_path / "var", api_worker_threads=1)
    for api in make_api(settings, run_worker=True, callbacks=False):
        nik = submission()["data"]["nik"]
        logging.getLogger("periksa.test").warning("applicant nik %s typed", nik)  # must be masked
        created = api.submit("intake_a", office="7174").json()
        status, body = "received", {}
        deadline = time.monotonic() + 240
        while status not in ("flagged", "failed") and time.monotonic() < deadline:
            time.sleep(0.5)
            body = api.client.get(created["status_url"], headers=api.headers["auditor"]).json()
            status = body["status"]
        assert status == "flagged", body
        assert body["report"]["submission_id"] == created["id"]
        assert body["report"]["flag"] in ("clear", "review", "mismatch")
        page = api.client.get(created["status_url"] + "/documents/1/pages/1.png",
                              headers=api.headers["verifier_3216"])
        assert page.status_code == 404  # office 7174 is not 3216's
    lines = [r.getMessage() for r in caplog.records]
    assert any("applicant nik" in line for line in lines)
    assert [line for line in lines if SIXTEEN.search(line)] == []
    assert all(SIXTEEN.search(text) is None for text in (caplog.text,))
