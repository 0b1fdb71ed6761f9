"""rapidocr (PP-OCRv6 on onnxruntime) as periksa's second OCR engine.

Why a second engine: on phone photos tesseract loses whole words to blur, perspective and
uneven light, and rapidocr's neural detector and recogniser read those pages almost
without error (issue 4 measured 100 % of NIKs and names on photos raw tesseract read 73 %
of). It is slower per page than tesseract on a clean scan and needs ~0.7 GB of memory, so it
is used only where tesseract is weak: whole phone-photo pages, and single regions whose
tesseract reading came out below the confidence floor (extractors/reread.py).

Nothing is downloaded: the `rapidocr` wheel carries its ONNX models, and every model path
is given explicitly, so the library never falls back to fetching one. onnxruntime runs with
one thread per process, like tesseract (pages are parallelised with processes).

Boxes and scores are mapped to the same `Word` shape tesseract gives (page pixels, a 0..1
confidence, a line key), so the extractors do not know which engine read a page.
"""

from __future__ import annotations

import importlib.metadata
import threading
from functools import cached_property
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from pipeline.errors import ConfigurationError, OcrFailed
from pipeline.records import PageImage, PageText, Word

MODEL_FILES = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
    "Cls.model_path": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}
# The detector sees the page at most this long side (the library's own default); the
# recogniser crops each line from the full-resolution page, so small text is not lost.
DET_MAX_SIDE = 2000
# A region crop is padded with white: the detector misses text touching the crop's edge.
REGION_PAD_PX = 12
# Page-segmentation modes that mean "one line of text": read without detection.
SINGLE_LINE_PSM = frozenset({7, 8, 13})
# A blank run of columns inside a detected line at least this wide (share of the line
# box's height, and pixels) is a space between words: letter gaps are ~1/10 of the height.
# Chosen on 720 photographed lines whose truth is known (seeds 7 and 13): 5 of 9 lost
# spaces found and no false split; a fixed width alone split wide-set serif words
# (KEPULAU AN) or missed more spaces, and one pixel of crop moved it across the border.
SPACE_LINE_SHARE = 0.2
SPACE_MIN_PX = 5
SPACE_GAP_FACTOR = 2.0  # ... and twice the line's median gap between letters (wide fonts)
SPACE_PITCH_FACTOR = 1.1  # ... between characters this much further apart than the median
RULING_BAND_SHARE = 0.25  # rulings are looked for in this share of the box, top and bottom
RULING_ROW_SHARE = 0.6  # ... as pixel rows inked over more than this share of the width


def model_dir() -> Path:
    """Where the wheel installed its ONNX models."""
    import rapidocr

    return Path(rapidocr.__file__).parent / "models"


class RapidEngine:
    """rapidocr behind the OcrEngine protocol (extractors.ocr.OcrEngine)."""

    def __init__(self, threads: int = 1) -> None:
        missing = [f for f in MODEL_FILES.values() if not (model_dir() / f).is_file()]
        if missing:
            raise ConfigurationError(f"rapidocr models missing from the wheel: {missing}")
        self.threads = threads
        # the library keeps per-call options (use_det, ...) as state between calls, so two
        # threads of one process (the API's in-process worker) must not interleave calls
        self._lock = threading.Lock()
        self.name = f"rapidocr-{importlib.metadata.version('rapidocr')}-ppocrv6"

    @cached_property
    def _ocr(self) -> Any:
        """The library object, built on first use (loading the models takes ~0.3 s)."""
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:  # pragma: no cover - the dependency is declared
            raise ConfigurationError("rapidocr is not installed") from exc
        params: dict[str, Any] = {
            "Global.log_level": "error",
            "Global.use_cls": False,  # preprocessing already turned the page upright
            "Global.max_side_len": DET_MAX_SIDE,
            "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
        params.update({key: str(model_dir() / name) for key, name in MODEL_FILES.items()})
        return RapidOCR(params=params)

    def read_page(self, page: PageImage) -> PageText:
        words = self._detect_and_read(page.pixels, (0, 0))
        return PageText(
            page=page.number, width=page.width, height=page.height, source="ocr",
            words=tuple(words), steps=page.steps, engine=self.name,
        )

    def read_region(
        self, page: PageImage, bbox: tuple[float, float, float, float], *, psm: int = 7,
        whitelist: str | None = None,
    ) -> list[Word]:
        """One region: a single line is recognised directly, a block is detected first."""
        x0, y0, x1, y1 = (int(round(v)) for v in bbox)
        x0, y0 = max(x0, 0), max(y0, 0)
        crop = page.pixels[y0:y1, x0:x1]
        if crop.size == 0 or min(crop.shape[:2]) < 4:
            return []
        if psm in SINGLE_LINE_PSM:
            words = self._recognise_line(crop, (x0, y0))
        else:
            pad = REGION_PAD_PX
            padded = np.pad(crop, pad, constant_values=255)
            words = self._detect_and_read(padded, (x0 - pad, y0 - pad))
        return _whitelisted(words, whitelist) if whitelist else words

    # --- the library's output -> Words -------------------------------------------------

    def _detect_and_read(self, pixels: np.ndarray, offset: tuple[int, int]) -> list[Word]:
        try:
            with self._lock:
                out = self._ocr(_bgr(pixels), use_det=True, use_cls=False, use_rec=True,
                                return_word_box=True, return_single_char_box=True)
        except Exception as exc:  # onnxruntime raises its own error types
            raise OcrFailed(f"rapidocr failed: {exc}") from exc
        if out.boxes is None or out.txts is None:
            return []
        words: list[Word] = []
        lines = zip(out.boxes, out.txts, out.scores, out.word_results or [None] * len(out.txts))
        for index, (box, text, score, chars) in enumerate(lines, start=1):
            quad = np.asarray(box)
            words.extend(_line_words(index, quad, text, float(score), chars, pixels, offset))
        return words

    def _recognise_line(self, crop: np.ndarray, offset: tuple[int, int]) -> list[Word]:
        try:
            with self._lock:
                out = self._ocr(_bgr(crop), use_det=False, use_cls=False, use_rec=True,
                                return_word_box=False)
        except Exception as exc:
            raise OcrFailed(f"rapidocr failed: {exc}") from exc
        if not out.txts:
            return []
        h, w = crop.shape[:2]
        box = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
        return _split_line(1, box, str(out.txts[0]), float(out.scores[0]), offset)


def _bgr(pixels: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(pixels, cv2.COLOR_GRAY2BGR) if pixels.ndim == 2 else pixels


def _line_words(index: int, box: np.ndarray, text: str, score: float, chars: Any,
                pixels: np.ndarray, offset: tuple[int, int]) -> list[Word]:
    """One detected line as Words, cut at its spaces and at the blank gaps the text lost.

    The recogniser sometimes drops a narrow space (ANDI NURLAELA read ANDINURLAELA, TANGGAL
    TUJUH read TANGGALTUJUH), which breaks names and the akta's fixed words. A blank column
    run in the line's pixels wider than a letter gap, lying between two characters' centres,
    is a space whatever the text says, when the two characters' centres are also further
    apart than letters of that line usually are (a U's open bowl under a ruling is no gap).
    Character boxes come from the recogniser's column positions; a word's box spans its
    characters' boxes and its confidence is their mean.
    """
    parts = [(str(c[0]), float(c[1]), np.asarray(c[2], np.float64)) for c in chars or ()
             if str(c[0]).strip()]
    if not parts or "".join(p[0] for p in parts) != text.replace(" ", ""):
        return _split_line(index, box, text, score, offset)  # char boxes missing or inconsistent
    letters = [p[0] for p in parts]
    breaks = (_space_before(text) | _blank_gaps(box, [p[2] for p in parts], pixels)
              | _colon_breaks(letters) | _case_breaks(text))
    groups: list[list[tuple[str, float, np.ndarray]]] = []
    for i, part in enumerate(parts):
        if not groups or i in breaks:
            groups.append([])
        groups[-1].append(part)
    dx, dy = offset
    y0, y1 = float(box[:, 1].min()) + dy, float(box[:, 1].max()) + dy
    words = []
    for group in groups:
        x0 = min(float(q[:, 0].min()) for _, _, q in group) + dx
        x1 = max(float(q[:, 0].max()) for _, _, q in group) + dx
        words.append(Word(text="".join(c for c, _, _ in group),
                          confidence=_clip(sum(s for _, s, _ in group) / len(group)),
                          bbox=(x0, y0, x1, y1), line=index, block=1))
    return words


def _colon_breaks(chars: list[str]) -> set[int]:
    """A colon glued to words ("Keluarga:PRASETYO") stands alone, as tesseract gives it.

    A colon between two digits (a time) is left inside its token.
    """
    out: set[int] = set()
    for i, ch in enumerate(chars):
        if ch in ":;" and not (0 < i < len(chars) - 1 and chars[i - 1].isdigit()
                               and chars[i + 1].isdigit()):
            out |= {i, i + 1}
    return {i for i in out if 0 < i < len(chars)}


def _case_breaks(text: str) -> set[int]:
    """A lower-case letter followed by a capital starts a new word ("tanggalTUJUH").

    The documents print their fixed words in lower or title case and their values in
    capitals, and no value is written in camel case, so the change is a lost space when
    two capitals follow (a lone capital after lower case is a misread letter: "tanggaI").
    """
    out, index = set(), 0
    for k, ch in enumerate(text):
        if ch == " ":
            continue
        after = text[k + 1] if k + 1 < len(text) else " "
        if k and text[k - 1].islower() and ch.isupper() and after.isupper():
            out.add(index)
        index += 1
    return out


def _space_before(text: str) -> set[int]:
    """Indexes (among non-space characters) of the characters a space precedes."""
    out, count, pending = set(), 0, False
    for ch in text:
        if ch == " ":
            pending = True
            continue
        if pending and count:
            out.add(count)
        pending = False
        count += 1
    return out


def _blank_gaps(box: np.ndarray, quads: list[np.ndarray], pixels: np.ndarray) -> set[int]:
    """Indexes of characters preceded by an ink-free gap of at least a space's width.

    A table ruling caught at the top or bottom of the line's box would ink every column, so
    mostly-inked rows in the outer bands are left out (not ruling pixels elsewhere: a
    letter's bowl sitting on the ruling would open into a false gap). A break that would
    leave a single letter on either side
    is refused (U and A of JOSUA have an open gap under a ruling), except a leading I
    (Balinese I WAYAN).
    """
    x0, x1 = int(max(box[:, 0].min(), 0)), int(min(box[:, 0].max(), pixels.shape[1]))
    y0, y1 = int(max(box[:, 1].min(), 0)), int(min(box[:, 1].max(), pixels.shape[0]))
    crop = pixels[y0:y1, x0:x1]
    if crop.ndim == 3:
        crop = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    if crop.size == 0 or len(quads) < 2:
        return set()
    level, _ = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    band = max(int(len(crop) * RULING_BAND_SHARE), 1)
    rows = np.arange(len(crop))
    outer = (rows < band) | (rows >= len(crop) - band)
    text = crop[~(outer & ((crop < level).mean(axis=1) > RULING_ROW_SHARE))]
    if text.size == 0:
        return set()
    inked = (text < level).sum(axis=0) > 0
    runs, start = [], None
    for x, has_ink in enumerate(np.r_[inked, True]):
        if not has_ink and start is None:
            start = x
        elif has_ink and start is not None:
            runs.append((x0 + start, x0 + x))
            start = None
    centres = [float(q[:, 0].mean()) for q in quads]
    letter_gaps = [b - a for a, b in runs if a > centres[0] and b < centres[-1]]
    typical = float(np.median(letter_gaps)) if letter_gaps else 0.0
    min_gap = max(SPACE_MIN_PX, SPACE_LINE_SHARE * (y1 - y0), SPACE_GAP_FACTOR * typical)
    gaps = [(a + b) / 2.0 for a, b in runs if b - a >= min_gap]
    pitches = np.diff(centres)
    wide = SPACE_PITCH_FACTOR * float(np.median(pitches))
    found = {i + 1 for i in range(len(centres) - 1)
             if pitches[i] >= wide and any(centres[i] < g < centres[i + 1] for g in gaps)}
    cuts = sorted(found | {0, len(centres)})
    return {c for c in found
            if c - max(x for x in cuts if x < c) >= 2 or c == 1
            if min(x for x in cuts if x > c) - c >= 2}


def _split_line(index: int, box: np.ndarray, text: str, score: float,
                offset: tuple[int, int]) -> list[Word]:
    """A line's text cut at spaces, each word given its share of the line's width.

    Used when the recogniser gives no per-word boxes; the share is by character count,
    which is close enough for the extractors (they assign words to cells and labels by
    box overlap, with margins far larger than one character).
    """
    dx, dy = offset
    x0, x1 = float(box[:, 0].min()) + dx, float(box[:, 0].max()) + dx
    y0, y1 = float(box[:, 1].min()) + dy, float(box[:, 1].max()) + dy
    tokens = text.split()
    total = max(len(text.strip()), 1)
    words, cursor = [], 0
    stripped = text.strip()
    for token in tokens:
        start = stripped.index(token, cursor)
        cursor = start + len(token)
        left = x0 + (x1 - x0) * start / total
        right = x0 + (x1 - x0) * cursor / total
        words.append(Word(text=token, confidence=_clip(score), bbox=(left, y0, right, y1),
                          line=index, block=1))
    return words


def _whitelisted(words: list[Word], whitelist: str) -> list[Word]:
    """Characters outside the whitelist dropped (tesseract's whitelist, applied after)."""
    allowed = set(whitelist)
    out = []
    for word in words:
        text = "".join(ch for ch in word.text if ch in allowed)
        if text:
            out.append(word.model_copy(update={"text": text}))
    return out


def _clip(score: float) -> float:
    return max(0.0, min(score, 1.0))
