"""Blobs in a local folder, content-addressed as `<root>/ab/cd/<sha256>`.

A blob appears whole or not at all: bytes go to a temp file in the target folder, are
fsynced, made read-only and renamed over the final name (rename is atomic within one
filesystem). A crash mid-write leaves at most a `.incoming-*` temp file, which readers never
see and `clean_incoming` removes.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

from pipeline.errors import PeriksaError

from ..errors import BlobCorrupted, BlobNotFound
from ._keys import check_label, fanout, is_sha256, sha256_hex

_CHUNK = 1024 * 1024
_READ_ONLY = 0o444
_TEMP_PREFIX = ".incoming-"


class LocalBlobStore:
    """The embedded default: needs nothing but a writable folder."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        if not self.root.is_absolute():
            raise ValueError("blob root must be an absolute path")
        self.root.mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes) -> str:
        key = sha256_hex(data)
        path = self._path(key)
        if not path.is_file():
            self._store(path, data)
        return key

    def put_derived(self, name: str, data: bytes) -> str:
        """Derived artifacts share the content-addressed space; the label only gets checked."""
        check_label(name)
        return self.put(data)

    def exists(self, sha256: str) -> bool:
        return is_sha256(sha256) and self._path(sha256).is_file()

    def get(self, sha256: str) -> bytes:
        if not is_sha256(sha256):
            raise BlobNotFound("no blob under that key")
        try:
            data = self._path(sha256).read_bytes()
        except FileNotFoundError:
            raise BlobNotFound("no blob under that key") from None
        if sha256_hex(data) != sha256:
            raise BlobCorrupted(f"stored bytes do not match blob {sha256[:12]}")
        return data

    def clean_incoming(self, older_than_s: float = 3600.0) -> int:
        """Remove temp files a crashed writer left behind; returns how many went."""
        cutoff = time.time() - older_than_s
        removed = 0
        for temp in self.root.glob(f"*/*/{_TEMP_PREFIX}*"):
            if temp.stat().st_mtime < cutoff:
                temp.unlink(missing_ok=True)
                removed += 1
        return removed

    def _path(self, key: str) -> Path:
        first, second, name = fanout(key)
        return self.root / first / second / name

    def _store(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=_TEMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as handle:
                self._write(handle, data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp, _READ_ONLY)
            os.replace(temp, path)
        except BaseException as exc:
            Path(temp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise PeriksaError("could not write blob to the local store") from exc
            raise
        _fsync_dir(path.parent)

    def _write(self, handle: BinaryIO, data: bytes) -> None:
        """Write in chunks (the seam a fault-injecting test store overrides)."""
        view = memoryview(data)
        for start in range(0, len(view), _CHUNK):
            handle.write(view[start : start + _CHUNK])


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable; some filesystems refuse a directory fsync."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
