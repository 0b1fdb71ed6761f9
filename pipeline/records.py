"""Typed records passed between the stages.

Leaf module: imports no project code, so extractors/, rules/ and storage/ may all use it
without pulling in the orchestrator. Records that cross a boundary (report, submission,
extraction) are frozen pydantic models; the page image is a frozen dataclass because it
carries a numpy array that pydantic should not copy or validate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field as PydField

BBox = tuple[float, float, float, float]
"""x0, y0, x1, y1 in pixels of the page image the pipeline saw (after preprocessing)."""


class DocumentType(StrEnum):
    KK = "kk"
    AKTA_KELAHIRAN = "akta_kelahiran"
    F2_01 = "f2_01"
    UNKNOWN = "unknown"


class Flag(StrEnum):
    CLEAR = "clear"
    REVIEW = "review"
    MISMATCH = "mismatch"


class Status(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    FLAGGED = "flagged"
    DECIDED = "decided"
    FAILED = "failed"


class Outcome(StrEnum):
    """Outcome of one comparison between a submitted and an extracted value."""

    MATCH = "match"
    NEAR = "near"
    MISMATCH = "mismatch"
    MISSING = "missing"
    UNREADABLE = "unreadable"


class CheckOutcome(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


class Severity(StrEnum):
    """What a failing check means for the flag: info never moves it."""

    INFO = "info"
    REVIEW = "review"
    MISMATCH = "mismatch"


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- pixels and words -------------------------------------------------------------------


@dataclass(frozen=True)
class PageImage:
    """One page as pixels: grayscale uint8, with the resolution it represents.

    `steps` names the preprocessing steps that produced it, in order, so a report and a
    verifier can tell what the machine did to the upload before reading it.
    """

    number: int  # 1-based
    pixels: np.ndarray
    dpi: int
    steps: tuple[str, ...] = field(default_factory=tuple)

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])


class Word(Record):
    text: str
    confidence: float  # 0..1
    bbox: BBox
    line: int = 0  # words sharing a line number were read as one text line by the engine
    block: int = 0


class FormField(Record):
    """One filled AcroForm field of a PDF page: its name, its value and its widget's box."""

    name: str
    value: str
    bbox: BBox


class PageText(Record):
    """The words of one page, from OCR or from a PDF text layer, in page pixels.

    `form` holds the page's filled AcroForm fields (source "pdf_form"): values typed into a
    form are not in the text layer, and they need no reading at all.
    """

    page: int
    width: int
    height: int
    source: Literal["ocr", "pdf_text", "pdf_form"]
    words: tuple[Word, ...] = ()
    steps: tuple[str, ...] = ()
    engine: str = ""
    form: tuple[FormField, ...] = ()

    @property
    def text(self) -> str:
        """The page as lines of text, in reading order as the engine gave it."""
        lines: dict[tuple[int, int], list[str]] = {}
        for w in self.words:
            lines.setdefault((w.block, w.line), []).append(w.text)
        return "\n".join(" ".join(ws) for ws in lines.values())


# --- extraction -------------------------------------------------------------------------


class Field(Record):
    """One value read from a document, with where and how surely it was read."""

    value: str | int | None
    raw: str | None = None
    confidence: float = 0.0
    page: int | None = None
    bbox: BBox | None = None


FieldTree = dict[str, Union[Field, list["FieldTree"], "FieldTree"]]
"""Same keys as the submission's data; list items are one tree per table row."""


class ExtractedDocument(Record):
    file: str
    sha256: str
    document_type: DocumentType
    classification_confidence: float = 0.0
    pages: int = 1
    source: Literal["ocr", "pdf_text", "pdf_form"] = "ocr"
    fields: dict[str, Any] = PydField(default_factory=dict)
    steps: tuple[str, ...] = ()
    edition: str | None = None
    recognised_as: str | None = None  # classifier's entry: "kk", "ktp", "blank", ...


# --- submission (the contract's input) ---------------------------------------------------


class Submission(Record):
    """What an intake service sends beside the files (contract: submission.schema.json).

    Validated against the JSON schema before it is built; this model only carries it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    reference: str | None = None
    office: str | None = None
    service: str | None = None
    document_type: Literal["kk", "akta_kelahiran", "f2_01", "auto"]
    data: dict[str, Any]


# --- rule outcomes and the report ---------------------------------------------------------


class Comparison(Record):
    field: str
    submitted: Any = None
    extracted: Any = None
    score: float | None = None
    outcome: Outcome
    rule: str
    # additions beyond the contract: why it matched, and how surely the value was read
    normalisation: str | None = None
    confidence: float | None = None
    document: int | None = None  # index into report.documents


class Check(Record):
    rule: str
    version: str = "1"
    subject: str = ""
    outcome: CheckOutcome
    severity: Severity = Severity.REVIEW
    message: str = ""


class Report(Record):
    """The verification report (contract: result.schema.json)."""

    submission_id: str
    reference: str | None = None
    status: Status
    flag: Flag | None
    reasons: list[str]
    ruleset_version: str
    documents: list[ExtractedDocument]
    comparisons: list[Comparison]
    checks: list[Check]
    timings_ms: dict[str, float] = PydField(default_factory=dict)

    def to_contract(self) -> dict[str, Any]:
        """The JSON shape of result.schema.json (None-valued optional keys left out)."""
        body = self.model_dump(mode="json", exclude_none=True)
        body["flag"] = self.flag.value if self.flag else None
        return body
