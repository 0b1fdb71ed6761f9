"""Which document is this? Keyword evidence from the page text, with the keywords as data.

Scores are the share of an entry's keywords found (fuzzy partial match, so "KARTU KELUARCA"
still counts); an excluded keyword vetoes an entry. Documents periksa recognises but does not
read (KTP, marriage book) come back as `unknown` with their name, so the verifier is told what
was uploaded instead of a bare failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from rapidfuzz import fuzz

from pipeline.errors import ConfigurationError
from pipeline.records import DocumentType, PageText


@dataclass(frozen=True)
class Classification:
    document_type: DocumentType
    confidence: float  # share of the winning entry's keywords found, 0..1
    recognised_as: str  # entry name: "kk", "ktp", ... or "blank" / "unrecognised"
    reads: bool  # periksa extracts fields from this kind of document


def classify(texts: list[PageText]) -> Classification:
    """The best-scoring document kind for these pages' text."""
    spec = _spec()
    text = " ".join(t.text for t in texts).upper()
    if len(text.split()) < 5:
        return Classification(DocumentType.UNKNOWN, 0.0, "blank", False)
    scored = [(_score(text, entry, spec["fuzzy_cutoff"]), name) for name, entry in spec["types"].items()]
    score, name = max(scored)
    if score < spec["min_score"]:
        return Classification(DocumentType.UNKNOWN, round(score, 3), "unrecognised", False)
    entry = spec["types"][name]
    return Classification(DocumentType(entry["document_type"]), round(score, 3), name, entry["reads"])


def _score(text: str, entry: dict[str, Any], cutoff: float) -> float:
    if any(_found(text, k, cutoff) for k in entry.get("exclude_keywords", [])):
        return 0.0
    keywords = entry["keywords"]
    return sum(_found(text, k, cutoff) for k in keywords) / len(keywords)


def _found(text: str, keyword: str, cutoff: float) -> bool:
    return keyword in text or fuzz.partial_ratio(keyword, text) >= cutoff


@cache
def _spec() -> dict[str, Any]:
    raw = resources.files(__package__).joinpath("doctypes.yml").read_text(encoding="utf-8")
    spec = yaml.safe_load(raw)
    for name, entry in spec.get("types", {}).items():
        if not entry.get("keywords") or "document_type" not in entry:
            raise ConfigurationError(f"extractors/doctypes.yml: types.{name} needs keywords and document_type")
        DocumentType(entry["document_type"])
    return spec


def spec_bytes() -> bytes:
    """The classifier's data as bytes, for the ruleset version hash."""
    return resources.files(__package__).joinpath("doctypes.yml").read_bytes()
