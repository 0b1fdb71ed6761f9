"""Stage: a checked upload -> an ExtractedDocument (preprocess, OCR or text layer, classify, extract).

Pure with respect to storage: it takes bytes already checked by ingest and returns a record,
so it can run in a worker process or a dramatiq actor unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from extractors.akta import extract_akta
from extractors.classify import classify
from extractors.f201 import extract_f201
from extractors.image import preprocess
from extractors.kk import edition as kk_edition
from extractors.kk import extract_kk
from extractors.ocr import OcrEngine, TesseractEngine, TieredEngine
from extractors.reread import second_opinions
from extractors.pages import LoadedPage
from pipeline.ingest import CheckedUpload
from pipeline.records import DocumentType, ExtractedDocument, PageImage, PageText
from pipeline.settings import Settings

Extractor = Callable[[list[PageImage], list[PageText], OcrEngine], dict[str, Any]]

EXTRACTORS: dict[DocumentType, Extractor] = {
    DocumentType.KK: extract_kk,
    DocumentType.AKTA_KELAHIRAN: extract_akta,
    DocumentType.F2_01: extract_f201,
}


@dataclass(frozen=True)
class ReadResult:
    document: ExtractedDocument
    pages: tuple[PageImage, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)


@cache
def engine_for(lang: str, timeout_s: float, second: str = "none",
               second_below: float = 0.0) -> TieredEngine:
    """One engine per process: construction checks the tesseract version and language pack.

    `second` names the engine for phone photos and low-confidence fields ("rapidocr"), or
    "none" for tesseract only; its models load on first use, so a process that reads only
    scans never pays for them.
    """
    primary = TesseractEngine(lang=lang, timeout_s=timeout_s)
    if second == "none":
        return TieredEngine(primary)
    from extractors.rapid import RapidEngine

    return TieredEngine(primary, RapidEngine(), second_below)


def ocr_engine(settings: Settings) -> TieredEngine:
    """The engine the settings ask for (PERIKSA_OCR_SECOND_ENGINE, PERIKSA_OCR_SECOND_BELOW)."""
    return engine_for(settings.ocr_lang, settings.ocr_timeout_s, settings.ocr_second_engine,
                      settings.ocr_second_below)


def read_document(upload: CheckedUpload, settings: Settings) -> ReadResult:
    """Read one upload; every page is preprocessed and OCR'd unless it has a text layer."""
    engine = ocr_engine(settings)
    clock = _Clock()
    pages = [prepare(lp) for lp in upload.pages]
    clock.lap("preprocess")
    texts = [words_of(lp, page, engine) for lp, page in zip(upload.pages, pages)]
    clock.lap("ocr")
    document = extract_document(upload.filename, upload.sha256, pages, texts, engine)
    clock.lap("extract")
    return ReadResult(document=document, pages=tuple(pages), timings_ms=clock.laps)


def prepare(loaded: LoadedPage) -> PageImage:
    """The page as the pipeline reads it: preprocessed, unless its words come from a text layer."""
    return loaded.image if loaded.text is not None else preprocess(loaded.image)


def words_of(loaded: LoadedPage, page: PageImage, engine: OcrEngine) -> PageText:
    """The page's words: its PDF text layer when it has one, else OCR of the prepared page."""
    return loaded.text if loaded.text is not None else engine.read_page(page)


def extract_document(
    filename: str, sha256: str, pages: list[PageImage], texts: list[PageText], engine: OcrEngine,
) -> ExtractedDocument:
    """Classify the pages' words and extract the fields of a document periksa reads."""
    found = classify(texts)
    extractor = EXTRACTORS.get(found.document_type) if found.reads else None
    fields = extractor(pages, texts, engine) if extractor else {}
    if isinstance(engine, TieredEngine) and engine.second is not None \
            and found.document_type != DocumentType.F2_01:  # boxes: read by geometry (f201.py)
        fields = second_opinions(fields, pages, texts, engine)
    return ExtractedDocument(
        file=filename, sha256=sha256, document_type=found.document_type,
        classification_confidence=found.confidence, pages=len(pages),
        source=_source(texts),
        fields=fields,
        steps=tuple(dict.fromkeys(s for p in pages for s in p.steps)),
        edition=kk_edition(texts) if found.document_type == DocumentType.KK else None,
        recognised_as=found.recognised_as,
    )


def _source(texts: list[PageText]) -> str:
    """pdf_form when a page's values came from its form fields, pdf_text when every page had
    a text layer, else ocr."""
    if any(t.source == "pdf_form" for t in texts):
        return "pdf_form"
    return "pdf_text" if texts and all(t.source == "pdf_text" for t in texts) else "ocr"


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round((now - self._last) * 1000, 1)
        self._last = now
