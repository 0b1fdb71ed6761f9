"""Helpers of the web tests: an intake API on SQLite in the test's folder, with one caller of every role.

The app runs without its in-process worker (applications stay `received`) unless a test
asks for one, so authorization and refusal tests need no OCR.
"""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.records import Status
from pipeline.settings import Settings
from storage import accounts
from storage import applications as apps
from storage.db import transaction

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "applications" / "akta-0005-clean"
PASSWORD = "kata-sandi-uji-1"


@dataclass
class Api:
    client: TestClient
    settings: Settings
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    key_ids: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)

    @property
    def stores(self):  # type: ignore[no-untyped-def]
        return self.client.app.state.pipeline.stores

    def submit(self, who: str, office: str = "3216", files: list | None = None,
               **extra) -> object:  # type: ignore[no-untyped-def]
        data = {"submission": json.dumps(submission(office))} | extra.pop("data", {})
        files = files if files is not None else [("files", ("kk.png", sample_bytes(), "image/png"))]
        return self.client.post("/v1/applications", headers=self.headers[who] | extra.pop(
            "headers", {}), files=files, data=data)


def submission(office: str = "3216") -> dict:
    body = json.loads((SAMPLE / "submission.json").read_text())
    return body | {"office": office}


def sample_bytes() -> bytes:
    return (SAMPLE / "document.png").read_bytes()


def basic(name: str, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def make_api(settings: Settings, **app_kw) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    from web.app import create_app

    app = create_app(settings, **({"run_worker": False, "callbacks": False} | app_kw))
    with TestClient(app) as client:
        api = Api(client=client, settings=settings)
        with transaction(api.stores.sessions) as session:
            for who, role, office in (("intake_a", "intake", None), ("intake_b", "intake", None),
                                      ("admin", "admin", None)):
                made = accounts.create_key(session, who, role, office)
                api.headers[who] = {"Authorization": f"Bearer {made.key}"}
                api.key_ids[who], api.secrets[who] = made.id, made.signing_secret
            for who, role, office in (("verifier_3216", "verifier", "3216"),
                                      ("verifier_3320", "verifier", "33.20"),
                                      ("auditor", "auditor", None)):
                accounts.add_user(session, who, PASSWORD, role, office)
                api.headers[who] = basic(who)
        api.headers["anonymous"] = {}
        yield api


def flag_it(api: Api, application_id: str) -> None:
    """Stand in for the workers: processing -> flagged with a minimal contract report."""
    with transaction(api.stores.sessions) as session:
        application = apps.get_application(session, application_id)
        apps.transition(session, application, Status.PROCESSING)
        apps.save_report(session, application, {"submission_id": application_id, "flag": "review"},
                         "test-1", "review")
        apps.transition(session, application, Status.FLAGGED)
