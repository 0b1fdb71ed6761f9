"""Content-addressed storage for originals and derived artifacts.

Originals are evidence: once stored under their sha256 they never change, and a read that
does not hash back to its key raises `BlobCorrupted` instead of serving altered bytes.
Two interchangeable stores pass the same tests: `file://` (local.py) and `s3://` (s3.py).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable
from urllib.parse import unquote, urlparse

from pipeline.errors import ConfigurationError
from pipeline.settings import Settings

from ._keys import is_sha256, sha256_hex

__all__ = ["BlobStore", "open_blob_store", "sha256_hex", "is_sha256"]


@runtime_checkable
class BlobStore(Protocol):
    def put(self, data: bytes) -> str:
        """Store `data` once; return its sha256 hex. Same bytes, same key, no second copy."""
        ...

    def get(self, sha256: str) -> bytes:
        """The bytes stored under `sha256`; BlobNotFound or BlobCorrupted otherwise."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def put_derived(self, name: str, data: bytes) -> str:
        """Store an intermediate artifact labelled `name`, keyed by its own hash like put."""
        ...


def open_blob_store(url: str, settings: Settings) -> BlobStore:
    """The store a URL names: file:///abs/path or s3://bucket[/prefix] (endpoint in settings)."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        from .local import LocalBlobStore

        if parsed.netloc not in ("", "localhost"):
            raise ConfigurationError("file:// blob URL must name a local absolute path")
        return LocalBlobStore(unquote(parsed.path))
    if parsed.scheme == "s3":
        from .s3 import S3BlobStore

        return S3BlobStore.from_settings(parsed.netloc, parsed.path.strip("/"), settings)
    raise ConfigurationError(f"unsupported blob URL scheme: {parsed.scheme or '(none)'}")
