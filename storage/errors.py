"""Errors raised by the storage edge, all below `PeriksaError` so the edges map them.

    PeriksaError
    ├── InvalidTransition    409 invalid_transition: a status move the state machine forbids
    ├── BlobNotFound         404 blob_not_found: no original or artifact under that hash
    └── BlobCorrupted        500 blob_corrupted: the stored bytes no longer hash to their key

Connection trouble with a database or an object store is `pipeline.errors.ServiceUnavailable`.
"""

from __future__ import annotations

from pipeline.errors import PeriksaError


class InvalidTransition(PeriksaError):
    """Raised instead of silently moving an application to a status it may not reach."""

    http_status = 409
    code = "invalid_transition"


class BlobNotFound(PeriksaError):
    http_status = 404
    code = "blob_not_found"


class BlobCorrupted(PeriksaError):
    """The store returned bytes whose sha256 is not their key: evidence must not be served."""

    code = "blob_corrupted"
