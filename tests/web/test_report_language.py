"""GET /v1/applications/{id} in English: ?lang=en or Accept-Language re-render the stored report."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.ingest import Upload, check_upload
from pipeline.read import ReadResult
from pipeline.records import DocumentType, ExtractedDocument, Field
from pipeline.run import conclude, receive, start
from pipeline.settings import Settings
from pipeline.submission import parse_submission
from rules import load_ruleset
from tests.web.support import SAMPLE, make_api, sample_bytes


def _flagged(api) -> str:  # type: ignore[no-untyped-def]
    """An akta application through receive/start/conclude, its extraction made by hand (no OCR):
    the document's birth date differs from the submitted one."""
    body = json.loads((SAMPLE / "submission.json").read_text())
    truth = json.loads((SAMPLE / "truth.json").read_text())["fields"]
    submission = parse_submission(body)
    upload = check_upload(Upload(filename="document.png", data=sample_bytes()), api.settings)
    fields = {k: Field(value=v, raw=str(v), confidence=0.95, page=1, bbox=(0, 0, 9, 9))
              for k, v in truth.items()}
    fields["tanggal_lahir"] = Field(value="1999-01-02", raw="x", confidence=0.95, page=1,
                                    bbox=(0, 0, 9, 9))
    document = ExtractedDocument(file="document.png", sha256=upload.sha256,
                                 document_type=DocumentType.AKTA_KELAHIRAN,
                                 classification_confidence=1.0, fields=fields)
    application_id = receive(api.stores, submission, [upload])
    start(api.stores, application_id)
    conclude(api.stores, application_id, submission, [ReadResult(document=document, pages=())],
             load_ruleset())
    return application_id


def test_report_in_english_keeps_the_verdict(tmp_path: Path) -> None:
    for api in make_api(Settings(data_dir=tmp_path / "var")):
        application_id = _flagged(api)
        url, auditor = f"/v1/applications/{application_id}", api.headers["auditor"]
        stored = api.client.get(url, headers=auditor)
        english = api.client.get(url + "?lang=en", headers=auditor)
        preferred = api.client.get(url, headers=auditor | {"Accept-Language": "en-GB,id;q=0.5"})
        assert stored.headers["content-language"] == "id"
        assert english.headers["content-language"] == "en"
        id_report, en_report = stored.json()["report"], english.json()["report"]
        assert preferred.json()["report"] == en_report
        assert any("tanggal lahir pada dokumen 1999-01-02" in r for r in id_report["reasons"])
        assert any("date of birth on the document 1999-01-02" in r for r in en_report["reasons"])
        assert en_report["flag"] == id_report["flag"] == "mismatch"
        assert en_report["ruleset_version"] == id_report["ruleset_version"]
        assert en_report["comparisons"] == id_report["comparisons"]
        assert [(c["rule"], c["outcome"]) for c in en_report["checks"]] == [
            (c["rule"], c["outcome"]) for c in id_report["checks"]]
        assert en_report["checks"][0]["message"] == "document type recognised"
        assert api.client.get(url + "?lang=fr", headers=auditor).status_code == 422
