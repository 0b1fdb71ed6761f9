"""Fixtures for the storage edge: blob stores (local and S3 on moto) and databases.

Service fixtures ping first: a missing PostgreSQL skips its tests on a laptop and fails
them when CI=true. The S3 store is tested against moto's server on loopback, reached only
through the minio client.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.settings import Settings
from storage.blobs import BlobStore, open_blob_store
from tests.services import fresh_postgres_database, moto_s3_endpoint

# --- S3 on moto ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_settings() -> Iterator[Settings]:
    with moto_s3_endpoint() as endpoint:
        yield Settings(s3_endpoint=endpoint, s3_access_key="periksa", s3_secret_key="periksa-test")


@dataclass
class BlobBackend:
    """One store plus the backdoors a test needs to look behind its interface."""

    name: str
    store: BlobStore
    leftovers: Callable[[], list[str]]  # everything stored, incl. temp files and open uploads
    corrupt: Callable[[str], None]  # overwrite the bytes under a key behind the store's back
    faulty: Callable[[], BlobStore]  # the same store, failing halfway through each write


def _local_backend(root: Path) -> BlobBackend:
    from storage.blobs.local import LocalBlobStore

    class FailingLocal(LocalBlobStore):
        def _write(self, handle, data):  # type: ignore[no-untyped-def]
            handle.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device (simulated)")

    def corrupt(key: str) -> None:
        path = root / key[:2] / key[2:4] / key
        path.chmod(0o644)
        path.write_bytes(b"tampered")

    def leftovers() -> list[str]:
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    store = open_blob_store(root.as_uri(), Settings())
    return BlobBackend("local", store, leftovers, corrupt, lambda: FailingLocal(root))


def _s3_backend(settings: Settings) -> BlobBackend:
    import io

    from storage.blobs.s3 import S3BlobStore

    bucket = f"periksa-{secrets.token_hex(6)}"
    store = open_blob_store(f"s3://{bucket}/originals", settings)
    assert isinstance(store, S3BlobStore)
    client = store.client

    class _BrokenStream(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.data, self.pos = data, 0

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            if self.pos >= len(self.data) // 2:
                raise OSError(104, "Connection reset while streaming (simulated)")
            size = len(self.data) - self.pos if size < 0 else size
            chunk = self.data[self.pos : self.pos + size]
            self.pos += len(chunk)
            return chunk

    class FailingS3(S3BlobStore):
        def _body(self, data):  # type: ignore[no-untyped-def]
            return _BrokenStream(data)

    def corrupt(key: str) -> None:
        name = f"originals/{key[:2]}/{key[2:4]}/{key}"
        client.put_object(bucket, name, io.BytesIO(b"tampered"), 8)

    def leftovers() -> list[str]:
        objects = [o.object_name for o in client.list_objects(bucket, recursive=True)]
        uploads = client._list_multipart_uploads(bucket).uploads  # noqa: SLF001
        return sorted(objects + [f"upload:{u.object_name}" for u in uploads])

    return BlobBackend(
        "s3", store, leftovers, corrupt, lambda: FailingS3(client, bucket, "originals")
    )


@pytest.fixture(params=["local", "s3"])
def blob_backend(request: pytest.FixtureRequest, tmp_path: Path) -> BlobBackend:
    if request.param == "local":
        return _local_backend(tmp_path / "blobs")
    return _s3_backend(request.getfixturevalue("s3_settings"))


# --- databases -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database for this test session, dropped afterwards."""
    with fresh_postgres_database("periksa_test") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def engine(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    from storage.db import create_schema, drop_schema, make_engine

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'db' / 'periksa.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    drop_schema(engine)
    create_schema(engine)
    yield engine
    drop_schema(engine)
    engine.dispose()


@pytest.fixture
def factory(engine):  # type: ignore[no-untyped-def]
    from storage.db import make_session_factory

    return make_session_factory(engine)
