"""The OCR engine interface and its tesseract implementation.

Every pytesseract call in periksa lives here. Tesseract runs with OMP_THREAD_LIMIT=1
(4-6x faster per page on this hardware than its own OpenMP threads; pages are parallelised
with processes instead) and is always told the page's DPI, because without it tesseract
merges the rows of ruled tables.
"""

from __future__ import annotations

import os
from typing import Protocol

import numpy as np
import pytesseract

from pipeline.errors import ConfigurationError, OcrFailed
from pipeline.records import PageImage, PageText, Word


class OcrEngine(Protocol):
    name: str

    def read_page(self, page: PageImage) -> PageText: ...

    def read_region(
        self, page: PageImage, bbox: tuple[int, int, int, int], *, psm: int = 7,
        whitelist: str | None = None,
    ) -> list[Word]: ...


PHOTO_STEP = "outline_warp"
"""The preprocess step that marks a phone photo: its page outline was found and warped flat."""


def is_photo(page: PageImage) -> bool:
    """Whether the page came from a phone photo (the preprocess found and warped its outline)."""
    return PHOTO_STEP in page.steps


class TieredEngine:
    """tesseract where it reads well, a second engine where it does not.

    The fast path (a scan or a born-digital image) stays pure tesseract. A phone-photo page
    is read whole by the second engine, and so are the regions re-read on it; `second`
    is also what extractors/reread.py asks for a second opinion on a field that tesseract
    read below `second_below`. With no second engine it is tesseract everywhere.
    """

    def __init__(self, primary: OcrEngine, second: OcrEngine | None = None,
                 second_below: float = 0.0) -> None:
        self.primary = primary
        self.second = second
        self.second_below = second_below
        self.name = primary.name if second is None else f"{primary.name}+{second.name}"

    def for_page(self, page: PageImage) -> OcrEngine:
        """The engine that reads this page."""
        return self.second if self.second is not None and is_photo(page) else self.primary

    def read_page(self, page: PageImage) -> PageText:
        return self.for_page(page).read_page(page)

    def read_region(
        self, page: PageImage, bbox: tuple[int, int, int, int], *, psm: int = 7,
        whitelist: str | None = None,
    ) -> list[Word]:
        return self.for_page(page).read_region(page, bbox, psm=psm, whitelist=whitelist)


class TesseractEngine:
    """Tesseract through pytesseract, words with boxes and confidences."""

    def __init__(self, lang: str = "ind", timeout_s: float = 120.0, psm: int = 3) -> None:
        os.environ["OMP_THREAD_LIMIT"] = "1"
        self.lang = lang
        self.timeout_s = timeout_s
        self.psm = psm
        self.name = f"tesseract-{_version()}-{lang}"
        _require_language(lang)

    def read_page(self, page: PageImage) -> PageText:
        words = self._words(page.pixels, page.dpi, f"--psm {self.psm}", (0, 0))
        return PageText(
            page=page.number, width=page.width, height=page.height, source="ocr",
            words=tuple(words), steps=page.steps, engine=self.name,
        )

    def read_region(
        self, page: PageImage, bbox: tuple[int, int, int, int], *, psm: int = 7,
        whitelist: str | None = None,
    ) -> list[Word]:
        """Re-read one region (a table cell, a header value) with settings fit for it."""
        x0, y0, x1, y1 = (int(v) for v in bbox)
        x0, y0 = max(x0, 0), max(y0, 0)
        crop = page.pixels[y0:y1, x0:x1]
        if crop.size == 0:
            return []
        pad = 10  # tesseract reads text touching the image edge badly
        crop = np.pad(crop, pad, constant_values=255)
        config = f"--psm {psm}"
        if whitelist:
            config += f" -c tessedit_char_whitelist={whitelist}"
        return self._words(crop, page.dpi, config, (x0 - pad, y0 - pad))

    def _words(
        self, pixels: np.ndarray, dpi: int, config: str, offset: tuple[int, int]
    ) -> list[Word]:
        try:
            data = pytesseract.image_to_data(
                pixels, lang=self.lang, config=f"{config} --dpi {dpi}",
                output_type=pytesseract.Output.DICT, timeout=self.timeout_s,
            )
        except RuntimeError as exc:  # pytesseract raises RuntimeError on its timeout
            raise OcrFailed(f"tesseract timed out after {self.timeout_s:.0f} s") from exc
        except pytesseract.TesseractError as exc:
            raise OcrFailed(f"tesseract failed: {exc.message}") from exc
        return list(_to_words(data, offset))


def _to_words(data: dict[str, list], offset: tuple[int, int]):
    dx, dy = offset
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        x, y, w, h = (int(data[k][i]) for k in ("left", "top", "width", "height"))
        line_key = data["block_num"][i] * 10_000 + data["par_num"][i] * 100 + data["line_num"][i]
        yield Word(
            text=text, confidence=max(0.0, min(conf / 100.0, 1.0)),
            bbox=(x + dx, y + dy, x + dx + w, y + dy + h),
            line=line_key, block=int(data["block_num"][i]),
        )


def _version() -> str:
    try:
        return str(pytesseract.get_tesseract_version())
    except pytesseract.TesseractNotFoundError as exc:
        raise ConfigurationError(
            "tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-ind)"
        ) from exc


def _require_language(lang: str) -> None:
    missing = [code for code in lang.split("+") if code not in pytesseract.get_languages()]
    if missing:
        raise ConfigurationError(
            f"tesseract language pack missing: {', '.join(missing)} "
            f"(apt-get install tesseract-ocr-{missing[0]})"
        )
