"""F-2.01 applications end to end: contract-valid reports, cross-document checks, English."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from pipeline.batch import uploads_in
from pipeline.contract import load
from pipeline.records import CheckOutcome, Flag
from pipeline.run import verify
from pipeline.settings import Settings
from pipeline.stores import open_stores
from pipeline.translate import preferred_language

ROOT = Path(__file__).resolve().parents[2]
APPS = ROOT / "samples" / "applications"


def _periksa(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PERIKSA_DATA_DIR": str(data_dir), "OMP_THREAD_LIMIT": "1"}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.ocr  # the CLI builds the OCR engine even when the PDF's text layer is read
def test_verify_text_layer_form_json_in_english(tmp_path: Path) -> None:
    app = APPS / "f201-0010-clean"
    truth = json.loads((app / "truth.json").read_text())
    args = ["verify", str(app / "document.pdf"), "--submitted", str(app / "submission.json"),
            "--json"]
    english = _periksa(*args, "--lang", "en", data_dir=tmp_path / "en")
    indonesian = _periksa(*args, data_dir=tmp_path / "id")
    assert english.returncode == indonesian.returncode == 0, english.stderr
    en, id_ = json.loads(english.stdout), json.loads(indonesian.stdout)
    validator = Draft202012Validator(load("result.schema.json"))
    validator.validate(en)
    validator.validate(id_)
    assert [(d["document_type"], d["source"]) for d in en["documents"]] == [("f2_01", "pdf_text")]
    changed = truth["change"]["field"]  # anak.tanggal_lahir, shifted in the submission
    assert en["flag"] == id_["flag"] == "mismatch"
    was, typed = truth["change"]["truth"], truth["change"]["submitted"]
    assert en["reasons"][0] == f"{changed}: date of birth on the document {was}, submitted {typed}"
    assert id_["reasons"][0].startswith(f"{changed}: tanggal lahir pada dokumen")
    assert en["comparisons"] == id_["comparisons"]
    assert en["ruleset_version"] == id_["ruleset_version"]


@pytest.mark.ocr
def test_form_with_its_kk_is_clear_and_cross_checked(tmp_path: Path) -> None:
    app = APPS / "f201-0009-clean"
    settings = Settings(data_dir=tmp_path / "var")
    report = verify(uploads_in(app), (app / "submission.json").read_bytes(), settings,
                    open_stores(settings))
    Draft202012Validator(load("result.schema.json")).validate(report.to_contract())
    assert [d.document_type.value for d in report.documents] == ["f2_01", "kk"]
    cross = {c.rule: c for c in report.checks if c.rule.startswith("crossdoc.")}
    assert set(cross) >= {"crossdoc.kk_member", "crossdoc.kk_parents", "crossdoc.child_name",
                          "crossdoc.child_birth_date", "crossdoc.parent_name"}
    assert all(c.outcome == CheckOutcome.PASS for c in cross.values())
    assert cross["crossdoc.kk_member"].subject.startswith("documents[1].anggota_keluarga[")
    assert report.flag == Flag.CLEAR, report.reasons


@pytest.mark.parametrize("lang,header,expected", [
    ("en", None, "en"), ("id", "en", "id"), (None, "en-US,en;q=0.9", "en"),
    (None, "fr-FR, id;q=0.8, en;q=0.5", "id"), (None, "de", "id"), (None, None, "id"),
    (None, "en;q=0", "id"), (None, "in", "id"),
])
def test_preferred_language(lang, header, expected) -> None:
    assert preferred_language(lang, header) == expected
