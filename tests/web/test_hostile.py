"""The hostile corpus (tests/web/hostile/make_corpus.py) and malformed requests.

Each refused upload answers its status and stable code, and leaves nothing behind: no
application row, no document row, no blob. Filenames with paths or control characters are
accepted with the name cut down to a safe last component.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pipeline.settings import Settings
from storage.tables import Application, Document
from tests.web.hostile import make_corpus as corpus
from tests.web.support import Api, make_api, sample_bytes, submission

REFUSED = [c for c in corpus.CASES if c.code is not None]
SANITISED = [c for c in corpus.CASES if c.code is None]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile")
    corpus.write(out)
    return out


@pytest.fixture
def hostile_api(tmp_path: Path) -> Iterator[Api]:
    settings = Settings(data_dir=tmp_path / "var", max_request_bytes=3_000_000, max_files=3,
                        **corpus.LIMITS)
    yield from make_api(settings)


def stored(api: Api) -> tuple[int, int, int]:
    """Applications, documents and blob files now in the stores."""
    with api.stores.sessions() as session:
        apps_n = session.scalar(select(func.count()).select_from(Application))
        docs_n = session.scalar(select(func.count()).select_from(Document))
    blob_dir = api.settings.data_dir / "blobs"
    blobs = sum(1 for p in blob_dir.rglob("*") if p.is_file()) if blob_dir.exists() else 0
    return apps_n, docs_n, blobs


def test_corpus_is_large_enough(files: Path) -> None:
    manifest = json.loads((files / "manifest.json").read_text())
    assert len(manifest["cases"]) >= 20
    assert all((files / c["file"]).exists() for c in manifest["cases"])


@pytest.mark.parametrize("case", REFUSED, ids=[c.name for c in REFUSED])
def test_refused(hostile_api: Api, files: Path, case) -> None:  # type: ignore[no-untyped-def]
    # a good file first: the bad one after it must still leave nothing stored
    good = ("files", ("good.png", sample_bytes(), "image/png"))
    bad = ("files", (case.upload_as, (files / case.name).read_bytes(), "application/octet-stream"))
    answer = hostile_api.submit("intake_a", files=[good, bad])
    assert answer.status_code == case.status, answer.text
    error = answer.json()["error"]
    assert error["code"] == case.code and error["message"]
    assert stored(hostile_api) == (0, 0, 0)


@pytest.mark.parametrize("case", SANITISED, ids=[c.name for c in SANITISED])
def test_unsafe_names_are_cut_down(hostile_api: Api, files: Path, case) -> None:  # type: ignore[no-untyped-def]
    body, boundary = _raw_multipart(case.upload_as, (files / case.name).read_bytes())
    answer = hostile_api.client.post(
        "/v1/applications", content=body,
        headers=hostile_api.headers["intake_a"]
        | {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert answer.status_code == 202, answer.text
    with hostile_api.stores.sessions() as session:
        name = session.scalars(select(Document.filename)).one()
    assert name == ("kk_2J.png" if case.name == "control_chars.png" else "kk.png")


def _raw_multipart(filename: str, data: bytes) -> tuple[bytes, str]:
    """Built by hand: httpx would percent-escape the control characters in the name."""
    boundary = "periksa-hostile-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"submission\"\r\n\r\n"
            f"{json.dumps(submission())}\r\n--{boundary}\r\nContent-Disposition: form-data; "
            f"name=\"files\"; filename=\"{filename}\"\r\nContent-Type: image/png\r\n\r\n")
    tail = f"\r\n--{boundary}--\r\n"
    return head.encode("latin-1") + data + tail.encode(), boundary


def _post(api: Api, files: list, data: dict, headers: dict | None = None):  # type: ignore[no-untyped-def]
    return api.client.post("/v1/applications", files=files, data=data,
                           headers=api.headers["intake_a"] | (headers or {}))


@pytest.mark.parametrize(("name", "status", "code"), [
    ("schema_broken", 422, "invalid_submission"),
    ("not_json", 422, "invalid_submission"),
    ("missing_submission", 422, "invalid_submission"),
    ("zero_files", 422, "invalid_submission"),
    ("too_many_files", 413, "too_many_files"),
    ("request_too_large", 413, "request_too_large"),
    ("not_multipart", 422, "invalid_submission"),
    ("bad_callback_url", 422, "invalid_request"),
    ("bad_idempotency_key", 422, "invalid_request"),
])
def test_malformed_requests(hostile_api: Api, name: str, status: int, code: str) -> None:
    one = [("files", ("kk.png", sample_bytes(), "image/png"))]
    good = {"submission": json.dumps(submission())}
    broken = submission() | {"office": "Bandung", "data": {"nik": "12"}, "extra": 1}
    api = hostile_api
    answer = {
        "schema_broken": lambda: _post(api, one, {"submission": json.dumps(broken)}),
        "not_json": lambda: _post(api, one, {"submission": "{nik: 3216"}),
        "missing_submission": lambda: _post(api, one, {}),
        "zero_files": lambda: _post(api, [], good),
        "too_many_files": lambda: _post(api, one * 4, good),
        "request_too_large": lambda: _post(api, one, good, {"Content-Length": "999999999"}),
        "not_multipart": lambda: api.client.post("/v1/applications", json=submission(),
                                                 headers=api.headers["intake_a"]),
        "bad_callback_url": lambda: _post(api, one, good | {"callback_url": "file:///etc/passwd"}),
        "bad_idempotency_key": lambda: _post(api, one, good, {"Idempotency-Key": "x" * 101}),
    }[name]()
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code
    if name == "schema_broken":
        assert len(answer.json()["error"]["details"]) >= 2  # every error listed, not the first
    assert stored(api) == (0, 0, 0)


def test_idempotent_retry_returns_first_answer(api: Api) -> None:
    first = api.submit("intake_a", headers={"Idempotency-Key": "portal-42"})
    again = api.submit("intake_a", headers={"Idempotency-Key": "portal-42"})
    other = api.submit("intake_b", headers={"Idempotency-Key": "portal-42"})  # another service
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json() and other.json()["id"] != first.json()["id"]
    # the same bytes twice are one blob
    assert stored(api) == (2, 2, 1)
