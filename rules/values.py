"""Compare one submitted value with one value read from a document, by field kind.

IDs and dates must be equal once separators are normalised. The one exception is OCR's own
failure mode: a single character that differs by an OCR-confusable pair (8 for 0, 7 for 1 ...)
is `near` (review) when the engine itself was unsure, and a real `mismatch` when it read the
character confidently. Names and places go through rules.names; official vocabulary through
rules.vocabulary. Each result says how the two values were made comparable (`normalisation`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from pipeline.records import Outcome
from rules import vocabulary
from rules.names import compare_names, compare_places, normalise_place
from rules.ruleset import FieldKind, Ruleset

_ID_SEPARATORS = re.compile(r"[\s.\-/_:]")
_DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})$"),
)


@dataclass(frozen=True)
class ValueMatch:
    outcome: Outcome
    score: float | None
    normalisation: str


def compare_value(kind: FieldKind, key: str, submitted: Any, extracted: Any,
                  confidence: float, ruleset: Ruleset) -> ValueMatch:
    """Dispatch on the field kind; ``confidence`` is how surely the document value was read."""
    if kind in ("id", "time"):
        return _compare_ids(str(submitted), str(extracted), confidence, ruleset)
    if kind == "date":
        return _compare_dates(str(submitted), str(extracted), confidence, ruleset)
    if kind == "integer":
        return _compare_integers(submitted, extracted, confidence, ruleset)
    if kind == "number":
        return _compare_numbers(submitted, extracted)
    if kind == "vocabulary":
        return _compare_vocabulary(key, str(submitted), str(extracted), ruleset)
    if kind in ("name", "place"):
        return _compare_named(kind, str(submitted), str(extracted), ruleset)
    return _compare_text(str(submitted), str(extracted), ruleset)


def normalise_id(text: str) -> str:
    """An identifier without separators, uppercase: "3320-LT-02092023-0041" -> "3320LT..."."""
    return _ID_SEPARATORS.sub("", text).upper()


def confusable(a: str, b: str, groups: list[str]) -> bool:
    """Exactly one position differs, and by a pair OCR confuses (0/O/D/8/B, 1/I/L/7 ...)."""
    if len(a) != len(b):
        return False
    diffs = [(x, y) for x, y in zip(a.upper(), b.upper()) if x != y]
    if len(diffs) != 1:
        return False
    x, y = diffs[0]
    return any(x in group.upper() and y in group.upper() for group in groups)


def _exact(a: str, b: str, confidence: float, ruleset: Ruleset, label: str) -> ValueMatch:
    """Equal -> match; one confusable character -> near if read unsurely, else mismatch."""
    score = round(fuzz.ratio(a, b), 2)
    if a == b:
        return ValueMatch(Outcome.MATCH, 100.0, label)
    trusted = ruleset.thresholds.confidence.confusable_trusted_from
    if confusable(a, b, ruleset.confusables) and confidence < trusted:
        return ValueMatch(Outcome.NEAR, score, "ocr_confusable")
    return ValueMatch(Outcome.MISMATCH, score, "different")


def _compare_ids(submitted: str, extracted: str, confidence: float,
                 ruleset: Ruleset) -> ValueMatch:
    label = "exact" if submitted == extracted else "separators"
    return _exact(normalise_id(submitted), normalise_id(extracted), confidence, ruleset, label)


def parse_date(text: str) -> dt.date | None:
    """ISO or D-M-YYYY with '-', '/' or '.' separators; None when it is not a real date."""
    for pattern in _DATE_PATTERNS:
        found = pattern.match(text.strip())
        if found:
            try:
                return dt.date(int(found["y"]), int(found["m"]), int(found["d"]))
            except ValueError:
                return None
    return None


def _compare_dates(submitted: str, extracted: str, confidence: float,
                   ruleset: Ruleset) -> ValueMatch:
    sub, ext = parse_date(submitted), parse_date(extracted)
    if ext is None:
        return ValueMatch(Outcome.UNREADABLE, None, "not_a_date")
    if sub is None:
        return ValueMatch(Outcome.MISMATCH, 0.0, "not_a_date")
    label = "exact" if submitted == extracted else "date_format"
    return _exact(sub.isoformat(), ext.isoformat(), confidence, ruleset, label)


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def _compare_integers(submitted: Any, extracted: Any, confidence: float,
                      ruleset: Ruleset) -> ValueMatch:
    sub, ext = _as_int(submitted), _as_int(extracted)
    if ext is None:
        return ValueMatch(Outcome.UNREADABLE, None, "not_a_number")
    if sub is None:
        return ValueMatch(Outcome.MISMATCH, 0.0, "not_a_number")
    label = "exact" if str(submitted) == str(extracted) else "integer"
    return _exact(str(sub), str(ext), confidence, ruleset, label)


def _compare_numbers(submitted: Any, extracted: Any) -> ValueMatch:
    try:
        sub, ext = float(submitted), float(str(extracted).replace(",", "."))
    except (TypeError, ValueError):
        return ValueMatch(Outcome.UNREADABLE, None, "not_a_number")
    if sub == ext:
        return ValueMatch(Outcome.MATCH, 100.0, "exact")
    return ValueMatch(Outcome.MISMATCH, round(fuzz.ratio(str(sub), str(ext)), 2), "different")


def _compare_vocabulary(key: str, submitted: str, extracted: str,
                        ruleset: Ruleset) -> ValueMatch:
    """Equal as official values (variants and SIAK/classic codings folded together)."""
    name = ruleset.vocabularies[key]
    extra = tuple(sorted(ruleset.extra_variants.get(key, {}).items()))
    a = vocabulary.canonical(name, submitted, extra)
    b = vocabulary.canonical(name, extracted, extra)
    score = round(fuzz.ratio(vocabulary.normalise(submitted), vocabulary.normalise(extracted)), 2)
    if a and b:
        if vocabulary.same(a, b):
            return ValueMatch(Outcome.MATCH, 100.0, _vocabulary_label(submitted, extracted, a, b))
        return ValueMatch(Outcome.MISMATCH, score, "different")
    if vocabulary.normalise(submitted) == vocabulary.normalise(extracted):
        return ValueMatch(Outcome.MATCH, 100.0, "case_spacing")
    near = score >= ruleset.thresholds.vocabulary.near_min
    return ValueMatch(Outcome.NEAR if near else Outcome.MISMATCH, score, "not_in_vocabulary")


def _vocabulary_label(submitted: str, extracted: str, a: vocabulary.Canonical,
                      b: vocabulary.Canonical) -> str:
    if submitted == extracted:
        return "exact"
    if a.value != b.value:
        return "siak_classic"
    same_text = vocabulary.normalise(submitted) == vocabulary.normalise(extracted)
    return "case_spacing" if same_text else "variant"


def _compare_named(kind: str, submitted: str, extracted: str, ruleset: Ruleset) -> ValueMatch:
    if kind == "name":
        found = compare_names(submitted, extracted, ruleset.thresholds.names)
    else:
        found = compare_places(submitted, extracted, ruleset.thresholds.places, ruleset.places)
    return ValueMatch(Outcome(found.outcome), found.score, found.normalisation)


def _compare_text(submitted: str, extracted: str, ruleset: Ruleset) -> ValueMatch:
    """Free text (alamat): similarity of the place-normalised forms, whole-string thresholds."""
    if submitted.strip() == extracted.strip():
        return ValueMatch(Outcome.MATCH, 100.0, "exact")
    a, b = normalise_place(submitted, ruleset.places), normalise_place(extracted, ruleset.places)
    score = round(fuzz.token_sort_ratio(a, b), 2)
    limits = ruleset.thresholds.text
    if score >= limits.match_min:
        return ValueMatch(Outcome.MATCH, score, "normalised")
    outcome = Outcome.NEAR if score >= limits.near_min else Outcome.MISMATCH
    return ValueMatch(outcome, score, "fuzzy")
