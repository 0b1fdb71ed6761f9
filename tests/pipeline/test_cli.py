"""`periksa verify` as a user runs it: exit codes, one clear line, nothing stored on refusal."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SUBMISSION = ROOT / "samples/contract_examples/kk.submission.json"


def periksa(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PERIKSA_DATA_DIR": str(data_dir), "OMP_THREAD_LIMIT": "1"}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def stored_anything(data_dir: Path) -> bool:
    """True when a blob or an application record exists under data_dir."""
    blobs = data_dir / "blobs"
    if blobs.exists() and any(p.is_file() for p in blobs.rglob("*")):
        return True
    db = data_dir / "periksa.db"
    if not db.exists():
        return False
    import sqlite3

    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        return "applications" in tables and conn.execute("select count(*) from applications").fetchone()[0] > 0


def _jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (800, 600), 255).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


BAD_FILES = {
    "text-renamed.jpg": b"this is a plain text file, not an image\n" * 20,
    "truncated.jpg": _jpeg_bytes()[:700],
    "empty.png": b"",
    "html.pdf": b"<!doctype html><html><body>hello</body></html>",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_are_refused_with_one_line_and_nothing_stored(name: str, tmp_path: Path) -> None:
    upload = tmp_path / name
    upload.write_bytes(BAD_FILES[name])
    data_dir = tmp_path / "var"
    result = periksa("verify", str(upload), "--submitted", str(SUBMISSION), "--json", data_dir=data_dir)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("periksa: refused (")
    assert name in lines[0]
    assert result.stdout == ""
    assert not stored_anything(data_dir)


def test_invalid_submission_is_refused(tmp_path: Path) -> None:
    upload = tmp_path / "kk.jpg"
    upload.write_bytes(_jpeg_bytes())
    bad = tmp_path / "s.json"
    bad.write_text(json.dumps({"document_type": "kk", "data": {"nomor_kk": "123"}}))
    result = periksa("verify", str(upload), "--submitted", str(bad), data_dir=tmp_path / "var")
    assert result.returncode == 2
    assert "invalid_submission" in result.stderr and "nomor_kk" in result.stderr
    assert not stored_anything(tmp_path / "var")


def test_missing_file_is_refused(tmp_path: Path) -> None:
    result = periksa("verify", str(tmp_path / "nope.jpg"), "--submitted", str(SUBMISSION),
                     data_dir=tmp_path / "var")
    assert result.returncode == 2
    assert "nope.jpg" in result.stderr


@pytest.mark.ocr
def test_verify_prints_the_contract_report(generated: list[Path], tmp_path: Path) -> None:
    from jsonschema import Draft202012Validator

    from pipeline.contract import load

    app = generated[0]
    document = next(p for p in app.iterdir() if p.name not in {"submission.json", "truth.json"})
    result = periksa("verify", str(document), "--submitted", str(app / "submission.json"), "--json",
                     data_dir=tmp_path / "var")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    Draft202012Validator(load("result.schema.json")).validate(report)
    assert report["documents"][0]["sha256"] == __import__("hashlib").sha256(document.read_bytes()).hexdigest()
    assert stored_anything(tmp_path / "var")
    human = periksa("verify", str(document), "--submitted", str(app / "submission.json"),
                    data_dir=tmp_path / "var")
    assert human.returncode == 0
    assert human.stdout.startswith(f"flag: {report['flag']}")
    assert "submitted" in human.stdout and "outcome" in human.stdout
