"""Stage: uploaded bytes -> a checked upload (content hash, type by its bytes, decoded pages).

Everything that can refuse an upload happens here, before anything is stored: size, type
sniffed from the bytes (never the name), decoding every page (truncated files, bombs,
encrypted PDFs). So a refused application leaves nothing half-way.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable

from extractors.pages import LoadedPage, load_pages, sniff
from pipeline.errors import FileTooLarge, InputRefused, UnreadableFile
from pipeline.settings import Settings


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class CheckedUpload:
    filename: str
    sha256: str
    media_type: str
    size_bytes: int
    data: bytes
    pages: tuple[LoadedPage, ...]


def check_upload(upload: Upload, settings: Settings) -> CheckedUpload:
    """Refuse what cannot be read; decode what can. Raises an InputRefused subclass."""
    name = safe_filename(upload.filename)
    if not upload.data:
        raise UnreadableFile(f"{name}: the file is empty")
    if len(upload.data) > settings.max_file_bytes:
        raise FileTooLarge(
            f"{name}: {len(upload.data)} bytes, more than the limit of {settings.max_file_bytes}"
        )
    media_type = _prefixed(name, sniff, upload.data)
    pages = _prefixed(name, load_pages, upload.data, media_type, settings)
    return CheckedUpload(
        filename=name, sha256=hashlib.sha256(upload.data).hexdigest(), media_type=media_type,
        size_bytes=len(upload.data), data=upload.data, pages=tuple(pages),
    )


def _prefixed(name: str, fn: Callable[..., Any], *args: Any) -> Any:
    """Call fn; an InputRefused it raises gets the file's name in front of its message."""
    try:
        return fn(*args)
    except InputRefused as exc:
        if not exc.message.startswith(name):
            exc.message = f"{name}: {exc.message}"
            exc.args = (exc.message,)
        raise


_UNSAFE = re.compile(r"[^\w.\- ()]+")


def safe_filename(name: str) -> str:
    """The last path component, printable, without control characters; never empty."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C")
    base = _UNSAFE.sub("_", base).strip(" .")[:120]
    return base or "upload"
