"""`periksa demo` (web/demo.py): demo people with fresh passwords, samples moved to one office."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from pipeline.settings import Settings
from storage import accounts
from storage.tables import Application
from web.commands import _stores
from web.demo import SAMPLES, reset_users, seed


def _principal(settings: Settings, name: str, password: str):  # type: ignore[no-untyped-def]
    with _stores(settings).sessions() as session:
        return accounts.user_principal(session, name, password)


def test_demo_people_get_new_passwords_on_every_run(settings: Settings) -> None:
    first = {login.name: login for login in reset_users(settings, "3216")}
    assert set(first) == {"verifier", "auditor", "admin"}
    verifier = _principal(settings, "verifier", first["verifier"].password)
    assert verifier is not None and verifier.role == "verifier" and verifier.office == "3216"
    assert _principal(settings, "auditor", first["auditor"].password).office is None
    again = {login.name: login for login in reset_users(settings, "3216")}
    assert again["verifier"].password != first["verifier"].password
    assert _principal(settings, "verifier", first["verifier"].password) is None
    assert _principal(settings, "verifier", again["verifier"].password) is not None


@pytest.mark.ocr
def test_seed_moves_samples_to_the_demo_office_once(settings: Settings, tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES / "akta-0006-clean", samples / "akta-0006-clean")
    lines = seed(settings, samples, "3216")
    assert len(lines) == 1 and "mismatch" in lines[0], lines
    with _stores(settings).sessions() as session:
        rows = list(session.execute(select(Application.office, Application.status)))
    assert rows == [("3216", "flagged")]
    assert seed(settings, samples, "3216") == [f"{'akta-0006-clean':<28} already ingested"]
    # the committed sample itself is untouched
    assert '"office": "3604"' in (SAMPLES / "akta-0006-clean" / "submission.json").read_text()
