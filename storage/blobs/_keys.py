"""Content addresses shared by every blob store: the key of some bytes is their sha256."""

from __future__ import annotations

import hashlib
import re

_SHA256 = re.compile(r"[0-9a-f]{64}")
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_sha256(key: str) -> bool:
    """True for a lowercase 64-hex key; anything else can never name a blob (no path tricks)."""
    return isinstance(key, str) and _SHA256.fullmatch(key) is not None


def fanout(key: str) -> tuple[str, str, str]:
    """`ab/cd/<key>` parts: two levels keep any one folder small on a plain filesystem."""
    return key[:2], key[2:4], key


def check_label(name: str) -> str:
    """A derived artifact's label must be a short safe token (it lands in object metadata)."""
    if not isinstance(name, str) or _LABEL.fullmatch(name) is None:
        raise ValueError("artifact label must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}")
    return name
