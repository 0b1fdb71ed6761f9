"""The blob store contract, run against the local folder and the S3 store alike."""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path

import pytest

from pipeline.errors import ConfigurationError, PeriksaError, ServiceUnavailable
from pipeline.settings import Settings
from storage.blobs import BlobStore, open_blob_store
from storage.blobs.local import LocalBlobStore
from storage.errors import BlobCorrupted, BlobNotFound

SIX_MIB = bytes(range(256)) * (6 * 4096)  # > one S3 part, so the S3 store goes multipart


def test_put_returns_sha256_and_get_returns_the_bytes(blob_backend):
    data = b"%PDF-1.7 synthetic original"
    key = blob_backend.store.put(data)
    assert key == hashlib.sha256(data).hexdigest()
    assert blob_backend.store.exists(key)
    assert blob_backend.store.get(key) == data
    assert isinstance(blob_backend.store, BlobStore)


def test_same_bytes_are_stored_once(blob_backend):
    first = blob_backend.store.put(b"same bytes")
    second = blob_backend.store.put(b"same bytes")
    other = blob_backend.store.put(b"other bytes")
    assert first == second != other
    assert len(blob_backend.leftovers()) == 2


def test_empty_and_large_blobs_round_trip(blob_backend):
    empty = blob_backend.store.put(b"")
    large = blob_backend.store.put(SIX_MIB)
    assert blob_backend.store.get(empty) == b""
    assert blob_backend.store.get(large) == SIX_MIB


@pytest.mark.parametrize(
    "key", ["0" * 64, "../../etc/passwd", "ABC", "A" * 64, "", "0" * 63 + "/"]
)
def test_unknown_or_malformed_keys_are_not_found(blob_backend, key):
    assert blob_backend.store.exists(key) is False
    with pytest.raises(BlobNotFound):
        blob_backend.store.get(key)


def test_altered_bytes_are_refused_on_read(blob_backend):
    key = blob_backend.store.put(b"original evidence")
    blob_backend.corrupt(key)
    with pytest.raises(BlobCorrupted):
        blob_backend.store.get(key)


def test_derived_artifacts_are_keyed_by_their_own_hash(blob_backend):
    data = b"deskewed page pixels"
    key = blob_backend.store.put_derived("page-1.deskewed.png", data)
    assert key == hashlib.sha256(data).hexdigest()
    assert blob_backend.store.get(key) == data
    with pytest.raises(ValueError):
        blob_backend.store.put_derived("../escape", data)


def test_write_failing_midway_leaves_nothing(blob_backend):
    faulty = blob_backend.faulty()
    key = hashlib.sha256(SIX_MIB).hexdigest()
    with pytest.raises((OSError, PeriksaError)):
        faulty.put(SIX_MIB)
    assert blob_backend.leftovers() == []
    assert blob_backend.store.exists(key) is False
    # the healthy store can still store the same bytes afterwards
    assert blob_backend.store.put(SIX_MIB) == key
    assert blob_backend.store.get(key) == SIX_MIB


# --- local store specifics ----------------------------------------------------------------


def test_local_layout_is_fanned_out_and_read_only(tmp_path):
    store = open_blob_store((tmp_path / "b").as_uri(), Settings())
    key = store.put(b"kk scan")
    path = tmp_path / "b" / key[:2] / key[2:4] / key
    assert path.read_bytes() == b"kk scan"
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_local_put_does_not_rewrite_an_existing_blob(tmp_path):
    store = LocalBlobStore(tmp_path)
    key = store.put(b"once")
    path = tmp_path / key[:2] / key[2:4] / key
    before = path.stat()
    time.sleep(0.01)
    store.put(b"once")
    after = path.stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_clean_incoming_removes_only_stale_temp_files(tmp_path):
    store = LocalBlobStore(tmp_path)
    key = store.put(b"kept")
    folder = tmp_path / key[:2] / key[2:4]
    stale, fresh = folder / ".incoming-stale", folder / ".incoming-fresh"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    assert store.clean_incoming(older_than_s=3600) == 1
    assert not stale.exists() and fresh.exists()
    assert store.get(key) == b"kept"


def test_relative_local_root_is_refused():
    with pytest.raises(ValueError):
        LocalBlobStore(Path("relative/blobs"))


# --- S3 store specifics -------------------------------------------------------------------


def test_s3_put_skips_the_upload_when_the_object_exists(s3_settings, monkeypatch):
    store = open_blob_store("s3://periksa-skip/pre", s3_settings)
    uploads = []
    real_put = store.client.put_object
    monkeypatch.setattr(
        store.client, "put_object", lambda *a, **k: uploads.append(a[1]) or real_put(*a, **k)
    )
    key = store.put(b"uploaded once")
    store.put(b"uploaded once")
    assert uploads == [f"pre/{key[:2]}/{key[2:4]}/{key}"]


def test_s3_creates_a_missing_bucket_and_reuses_it(s3_settings):
    first = open_blob_store("s3://periksa-new-bucket", s3_settings)
    key = first.put(b"kept across opens")
    again = open_blob_store("s3://periksa-new-bucket", s3_settings)
    assert again.get(key) == b"kept across opens"


def test_s3_unreachable_endpoint_is_service_unavailable(s3_settings):
    with __import__("socket").socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    settings = Settings(s3_endpoint=f"http://127.0.0.1:{dead_port}", s3_access_key="x",
                        s3_secret_key="y")
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable):
        open_blob_store("s3://periksa", settings)
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("url", ["ftp://host/x", "blobs", "s3://"])
def test_unusable_urls_are_configuration_errors(url):
    with pytest.raises(ConfigurationError):
        open_blob_store(url, Settings(s3_endpoint=""))


def test_s3_without_endpoint_is_a_configuration_error():
    with pytest.raises(ConfigurationError):
        open_blob_store("s3://periksa", Settings(s3_endpoint=""))
