"""`periksa keys create` and `periksa users add`: the printed key and the stdin password work."""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.settings import Settings
from tests.web.support import basic

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_keys_and_users_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PERIKSA_DATA_DIR", str(tmp_path / "var"))
    assert main(["keys", "create", "--name", "portal", "--role", "intake", "--office", "3216"]) == 0
    key = re.search(r"api key:\s+(\S+)", capsys.readouterr().out).group(1)
    monkeypatch.setattr("sys.stdin", io.StringIO("sandi-yang-panjang\n"))
    assert main(["users", "add", "siti", "--role", "verifier", "--office", "3216"]) == 0
    assert "siti (verifier)" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("pendek\n"))
    assert main(["users", "add", "budi", "--role", "auditor"]) == 2
    assert main(["keys", "create", "--name", "x", "--role", "intake",
                 "--callback-url", "ftp://nope"]) == 2

    from web.app import create_app

    with TestClient(create_app(Settings(data_dir=tmp_path / "var"), run_worker=False,
                               callbacks=False)) as client:
        assert client.get("/v1/applications", headers={"X-API-Key": key}).status_code == 200
        assert client.get("/v1/applications",
                          headers=basic("siti", "sandi-yang-panjang")).status_code == 200
        assert client.get("/v1/applications", headers=basic("siti", "salah")).status_code == 401
    stored = (tmp_path / "var" / "periksa.db").read_bytes()
    assert key.encode() not in stored and b"sandi-yang-panjang" not in stored
