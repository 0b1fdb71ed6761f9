"""Replay: rules re-run on the stored extraction, under the archived or another ruleset."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from pipeline.errors import InputRefused
from pipeline.ingest import CheckedUpload
from pipeline.read import ReadResult
from pipeline.records import DocumentType, ExtractedDocument, Field, Flag
from pipeline.replay import replay, revive
from pipeline.run import conclude, receive, start
from pipeline.settings import Settings
from pipeline.stores import Stores, open_stores
from pipeline.submission import parse_submission
from rules import load_ruleset
from storage import audit
from storage.db import transaction

DATA = {"nomor_akta": "3320-LT-02092023-0041", "nama": "AISYAH PUTRI RAMADHANI",
        "tanggal_lahir": "2023-04-21"}


def _stored_application(stores: Stores, read_confidence: float) -> str:
    """An application whose document was 'read' with the given confidence (no OCR involved)."""
    data = b"synthetic original bytes"
    upload = CheckedUpload(filename="akta.png", sha256=hashlib.sha256(data).hexdigest(),
                           media_type="image/png", size_bytes=len(data), data=data, pages=())
    submission = parse_submission({"document_type": "akta_kelahiran", "data": DATA})
    fields = {key: Field(value=value, raw=value, confidence=read_confidence, page=1,
                         bbox=(10, 10 + i * 50, 400, 40 + i * 50))
              for i, (key, value) in enumerate(DATA.items())}
    document = ExtractedDocument(file="akta.png", sha256=upload.sha256,
                                 document_type=DocumentType.AKTA_KELAHIRAN,
                                 classification_confidence=0.9, fields=fields)
    application_id = receive(stores, submission, [upload])
    start(stores, application_id)
    report = conclude(stores, application_id, submission,
                      [ReadResult(document=document, pages=())], load_ruleset())
    assert report.flag == Flag.CLEAR
    return application_id


@pytest.fixture
def stores(settings: Settings) -> Stores:
    return open_stores(settings)


def test_replay_under_the_archived_ruleset_changes_nothing(stores: Stores) -> None:
    application_id = _stored_application(stores, read_confidence=0.85)
    result = replay(stores, application_id)
    assert result.differences == []
    assert result.replayed.flag == Flag.CLEAR
    assert result.replayed.ruleset_version == result.stored["ruleset_version"]


def test_replay_under_a_stricter_ruleset_lists_what_changes(stores: Stores, tmp_path: Path) -> None:
    application_id = _stored_application(stores, read_confidence=0.85)
    strict = re.sub(r"review_below: [0-9.]+", "review_below: 0.88", load_ruleset().source.decode())
    assert "review_below: 0.88" in strict
    path = tmp_path / "strict.yml"
    path.write_text(strict)
    result = replay(stores, application_id, load_ruleset(path))
    assert result.replayed.flag == Flag.REVIEW
    assert "flag: clear -> review" in result.differences
    assert any(line.startswith("+ reason: nama:") for line in result.differences)
    with transaction(stores.sessions) as session:
        kinds = [e.kind for e in audit.events_for(session, application_id)]
    assert kinds[-1] == "report.replayed"


def test_replay_of_an_unknown_application_is_refused(stores: Stores) -> None:
    with pytest.raises(InputRefused):
        replay(stores, "01NOSUCHAPPLICATION000000")


def test_revive_restores_fields_inside_rows() -> None:
    stored = {"file": "kk.png", "sha256": "0" * 64, "document_type": "kk",
              "fields": {"nomor_kk": {"value": "1", "confidence": 0.5},
                         "anggota_keluarga": [{"nik": {"value": "2", "page": 1}}]}}
    document = revive(stored)
    assert isinstance(document.fields["nomor_kk"], Field)
    assert document.fields["anggota_keluarga"][0]["nik"] == Field(value="2", page=1)
