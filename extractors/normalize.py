"""Small pure normalizers shared by the extractors: OCR text in, contract values out.

They sit between what tesseract read and what the contract wants (ISO dates, 16-digit
ids, canonical vocabulary values), so every extractor repairs OCR noise the same way.
Letter-to-digit repairs are applied only by `digits` and `iso_date`, i.e. only in cells
known to be numeric: a name keeps its letters.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from rapidfuzz import fuzz, process

from pipeline.contract import enums

# letters tesseract confuses with digits, repaired only inside numeric fields
_DIGIT_LOOKALIKES = str.maketrans({
    "O": "0", "o": "0", "D": "0", "Q": "0", "U": "0",
    "I": "1", "l": "1", "i": "1", "|": "1", "!": "1", "]": "1", "[": "1", "L": "1",
    "Z": "2", "z": "2", "S": "5", "s": "5", "$": "5", "B": "8",
    "G": "6", "b": "6", "T": "7", "g": "9", "q": "9", "A": "4",
})
_DATE_RE = re.compile(r"(\d{1,2})\s*[-/.,]\s*(\d{1,2})\s*[-/.,]\s*(\d{4})")
_DATE_RUN_RE = re.compile(r"^(\d{2})(\d{2})(\d{4})$")
_NAME_KEEP = re.compile(r"[^A-Z0-9 .,'\-]")
_EDGE_PUNCT = " '-"  # a comma may end a word: "SAPUTRA, S.KOM." keeps it


def digits(text: str | None, length: int | None = None) -> str | None:
    """The digits of a numeric field, with look-alike letters repaired.

    Spaces, dots and dashes inside ids are dropped (printed NIKs are sometimes grouped).
    Returns None when the result is empty or not `length` digits long, so a caller can
    tell a clean read from one that needs another look.
    """
    if not text:
        return None
    repaired = text.strip().translate(_DIGIT_LOOKALIKES)
    result = "".join(ch for ch in repaired if ch.isdigit())
    if not result or (length is not None and len(result) != length):
        return None
    return result


def iso_date(text: str | None) -> str | None:
    """`DD-MM-YYYY` (separators - / . and OCR noise) as ISO `YYYY-MM-DD`, or None.

    Returns None for impossible dates (31-02-2000) rather than guessing a correction:
    a wrong date is worse than an unread one.
    """
    if not text:
        return None
    repaired = text.strip().translate(_DIGIT_LOOKALIKES)
    match = _DATE_RE.search(repaired)
    if match is None:
        match = _DATE_RUN_RE.match(re.sub(r"\D", "", repaired))
    if match is None:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def nik_birth_date(nik: str) -> str | None:
    """The birth date a NIK encodes, as "YY-MM-DD" (women's day has 40 added), or None.

    The century is not in the NIK, so only the two-digit year is returned.
    """
    if len(nik) != 16 or not nik.isdigit():
        return None
    day, month, year = int(nik[6:8]), int(nik[8:10]), nik[10:12]
    day = day - 40 if day > 40 else day
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    return f"{year}-{month:02d}-{day:02d}"


def clean_name(text: str | None) -> str:
    """A name or place as printed: uppercase, single spaces, no stray OCR punctuation.

    Dots, commas, apostrophes and hyphens inside the text are kept (titles such as
    `DRS.`, `SAPUTRA, S.KOM.`, names such as `MA'RUF`); anything else tesseract invents at
    table rulings (`|`, `_`, `[`) is dropped.
    """
    if not text:
        return ""
    upper = _NAME_KEEP.sub(" ", text.upper())
    words = [w.strip(_EDGE_PUNCT).lstrip(",") for w in upper.split()]
    words = [_BALINESE_I.sub(r"I \1", w) for w in words]
    return " ".join(w for w in words if w.strip(".,")).rstrip(",")


# Balinese names start with "I" and a birth-order or caste name (I WAYAN, I GEDE); OCR
# often swallows the space after the narrow I. No other Indonesian name starts that way.
_BALINESE_I = re.compile(
    r"^I(WAYAN|MADE|NYOMAN|KETUT|PUTU|GEDE|KOMANG|NENGAH|KADEK|GUSTI)$")


def vocabulary_key(text: str) -> str:
    """The comparison form enums.json prescribes: uppercase, collapsed spaces, no spaces at '/'."""
    collapsed = " ".join(text.upper().split())
    return re.sub(r"\s*/\s*", "/", collapsed)


@cache
def _choices(vocabulary_name: str) -> dict[str, str]:
    """Every accepted spelling (canonical, variants, classic forms) -> canonical value."""
    entry = enums()[vocabulary_name]
    out: dict[str, str] = {}
    for list_name in ("values", "siak_2019", "classic"):
        for item in entry.get(list_name) or []:
            canonical = item["value"]
            out.setdefault(vocabulary_key(canonical), canonical)
            for variant in item.get("variants", []):
                if "(" in variant and "not official" in variant:
                    continue
                out.setdefault(vocabulary_key(variant), canonical)
    return out


def snap(text: str | None, vocabulary_name: str,
         cutoff: float = 0.0) -> tuple[str | None, float]:
    """The closest official value of one enums.json list, with its similarity 0..100.

    The classic status_perkawinan values (KAWIN, CERAI HIDUP) are candidates too: old
    cards print them and turning KAWIN into KAWIN TERCATAT would invent a fact.
    Returns (None, score) when nothing reaches `cutoff`.
    """
    if not text or not text.strip():
        return None, 0.0
    choices = _choices(vocabulary_name)
    key = vocabulary_key(text)
    if vocabulary_name == "golongan_darah":  # blood group O is often read as zero
        key = key.replace("0", "O")
    if key in choices:
        return choices[key], 100.0
    best = process.extractOne(key, list(choices), scorer=fuzz.ratio)
    if best is None or best[1] < cutoff:
        return None, float(best[1]) if best else 0.0
    return choices[best[0]], float(best[1])
