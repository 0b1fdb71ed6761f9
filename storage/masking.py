"""Strip personal data from what the storage edge writes into the audit trail.

The audit chain is kept for years and read by auditors who need to know *what happened*,
not *to whom*: NIK and KK numbers keep only lokal's recognisable partial mask
(3201********0001), names, addresses and other personal fields become a placeholder, file
names are dropped (applicants name files after themselves), and free text is passed through
`lokal.mask_pii`, with any remaining 16-digit run masked as a NIK.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import lokal

_PARTIAL = frozenset({"NIK", "KK", "PHONE", "EMAIL", "NPWP"})
_DROPPED_KEYS = frozenset({"filename", "file", "filenames", "original_name", "path"})
_KEY_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(nik|nik_.*|.*_nik)$"), "NIK"),
    (re.compile(r"^(nomor_kk|no_kk|nkk)$"), "KK"),
    (re.compile(r"^(nama|nama_.*|.*_nama)$"), "NAME"),
    (re.compile(r"^(alamat|alamat_.*)$"), "ADDRESS"),
    (re.compile(r"^(no_kitap|no_kitas|no_paspor)$"), "PASSPORT"),
)
_SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")


def mask_payload(payload: Mapping[str, Any] | None) -> dict[str, Any]:
    """A masked deep copy of `payload`, safe to write into the audit chain."""
    if payload is None:
        return {}
    return {str(k): _mask_item(str(k), v) for k, v in payload.items() if k not in _DROPPED_KEYS}


def mask_text(text: str) -> str:
    """Free text with NIKs, names, phones and addresses replaced by lokal's placeholders."""
    masked = lokal.mask_pii(text).text
    return _SIXTEEN_DIGITS.sub(lambda m: lokal.partial_mask("NIK", m.group()), masked)


def pii_type(key: str) -> str | None:
    """The kind of personal data a field name announces, by lokal and by periksa's names."""
    lowered = key.lower()
    for pattern, kind in _KEY_RULES:
        if pattern.match(lowered):
            return kind
    return lokal.field_type(lowered)


def _mask_item(key: str, value: Any) -> Any:
    kind = pii_type(key)
    if kind is not None and not isinstance(value, (Mapping, list, tuple)):
        return _mask_value(kind, value)
    return _mask_value(None, value)


def _mask_value(kind: str | None, value: Any) -> Any:
    if isinstance(value, Mapping):
        return mask_payload(value)
    if isinstance(value, (list, tuple)):
        return [_mask_value(kind, item) for item in value]
    if kind is None:
        return mask_text(value) if isinstance(value, str) else value
    if value is None:
        return None
    if kind in _PARTIAL and isinstance(value, str) and value.strip():
        return lokal.partial_mask(kind, value.strip())
    return f"[{kind}]"
