"""Blobs in an S3 bucket through the `minio` client, content-addressed like the local store.

Object names are `<prefix>/ab/cd/<sha256>`. A stat before each put skips re-uploads; a
single PUT is atomic and a failed multipart upload is aborted by minio, so a failure
mid-write leaves no object. Reads are hashed and refused when they do not match their key.
Connection trouble and 5xx answers become `ServiceUnavailable`; a missing object `BlobNotFound`.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

import certifi
import urllib3
from minio import Minio
from minio.error import InvalidResponseError, S3Error, ServerError

from pipeline.errors import ConfigurationError, PeriksaError, ServiceUnavailable
from pipeline.settings import Settings

from ..errors import BlobCorrupted, BlobNotFound
from ._keys import check_label, fanout, is_sha256, sha256_hex

_CONNECT_TIMEOUT_S = 5.0
_READ_TIMEOUT_S = 60.0
_RETRIES = 2
_NOT_FOUND = frozenset({"NoSuchKey", "NoSuchObject", "ResourceNotFound"})
_TRANSIENT = frozenset({"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout"})
_REFUSED = frozenset({"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"})
_BUCKET_RACE = frozenset({"BucketAlreadyOwnedByYou", "BucketAlreadyExists"})


class S3BlobStore:
    def __init__(self, client: Minio, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._ensure_bucket()

    @classmethod
    def from_settings(cls, bucket: str, prefix: str, settings: Settings) -> S3BlobStore:
        if not bucket:
            raise ConfigurationError("s3:// blob URL needs a bucket name")
        endpoint, secure = _endpoint(settings)
        client = Minio(
            endpoint,
            access_key=settings.s3_access_key or None,
            secret_key=settings.s3_secret_key or None,
            secure=secure,
            http_client=_http_client(secure),
        )
        return cls(client, bucket, prefix)

    def put(self, data: bytes) -> str:
        return self._store(data, label=None)

    def put_derived(self, name: str, data: bytes) -> str:
        """Same key space as put; the label travels as object metadata for whoever browses."""
        return self._store(data, label=check_label(name))

    def exists(self, sha256: str) -> bool:
        if not is_sha256(sha256):
            return False
        with _translate():
            return self._stat(self._name(sha256))

    def get(self, sha256: str) -> bytes:
        if not is_sha256(sha256):
            raise BlobNotFound("no blob under that key")
        with _translate():
            response = self.client.get_object(self.bucket, self._name(sha256))
            try:
                data = response.read()
            finally:
                response.close()
                response.release_conn()
        if sha256_hex(data) != sha256:
            raise BlobCorrupted(f"stored bytes do not match blob {sha256[:12]}")
        return data

    def _store(self, data: bytes, label: str | None) -> str:
        key = sha256_hex(data)
        name = self._name(key)
        metadata = {"sha256": key} | ({"label": label} if label else {})
        with _translate():
            if not self._stat(name):
                self.client.put_object(
                    self.bucket, name, self._body(data), len(data),
                    content_type="application/octet-stream", metadata=metadata,
                )
        return key

    def _body(self, data: bytes) -> BinaryIO:
        """The upload stream (the seam a fault-injecting test store overrides)."""
        return io.BytesIO(data)

    def _stat(self, name: str) -> bool:
        try:
            self.client.stat_object(self.bucket, name)
        except S3Error as exc:
            if exc.code in _NOT_FOUND:
                return False
            raise
        return True

    def _name(self, key: str) -> str:
        path = "/".join(fanout(key))
        return f"{self.prefix}/{path}" if self.prefix else path

    def _ensure_bucket(self) -> None:
        with _translate():
            if self.client.bucket_exists(self.bucket):
                return
            try:
                self.client.make_bucket(self.bucket)
            except S3Error as exc:
                if exc.code not in _BUCKET_RACE:
                    raise


@contextmanager
def _translate() -> Iterator[None]:
    """Map client and network failures onto the periksa error tree."""
    try:
        yield
    except S3Error as exc:
        if exc.code in _NOT_FOUND:
            raise BlobNotFound("no blob under that key") from exc
        if exc.code in _TRANSIENT:
            raise ServiceUnavailable(f"object store answered {exc.code}") from exc
        if exc.code in _REFUSED:
            raise ConfigurationError(f"object store refused the credentials: {exc.code}") from exc
        raise PeriksaError(f"object store error: {exc.code}") from exc
    except (ServerError, InvalidResponseError) as exc:
        raise ServiceUnavailable("object store answered with a server error") from exc
    except (urllib3.exceptions.HTTPError, ConnectionError, TimeoutError) as exc:
        raise ServiceUnavailable("object store unreachable") from exc


def _endpoint(settings: Settings) -> tuple[str, bool]:
    """`host:port` for minio plus TLS on/off; a scheme in the setting wins over s3_secure."""
    endpoint = settings.s3_endpoint.strip()
    if not endpoint:
        raise ConfigurationError("s3:// blob URL needs PERIKSA_S3_ENDPOINT")
    for scheme, secure in (("https://", True), ("http://", False)):
        if endpoint.startswith(scheme):
            return endpoint[len(scheme) :].rstrip("/"), secure
    return endpoint.rstrip("/"), settings.s3_secure


def _http_client(secure: bool) -> urllib3.PoolManager:
    """Short connect timeout and few retries, so a dead store fails fast as ServiceUnavailable."""
    retries = urllib3.Retry(
        total=_RETRIES, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]
    )
    timeout = urllib3.Timeout(connect=_CONNECT_TIMEOUT_S, read=_READ_TIMEOUT_S)
    if not secure:
        return urllib3.PoolManager(timeout=timeout, retries=retries, maxsize=10)
    ca_file = os.environ.get("SSL_CERT_FILE") or certifi.where()
    return urllib3.PoolManager(
        timeout=timeout, retries=retries, maxsize=10, cert_reqs="CERT_REQUIRED", ca_certs=ca_file
    )
