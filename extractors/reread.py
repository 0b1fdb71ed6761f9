"""A second opinion from the other OCR engine for every field read below the floor.

Why: most low-confidence fields are read right (issue 4 measured nomor_akta at 0.50-0.54
and No. KK at 0.49 with the correct value), and a person then checks a value the machine
already had. A second engine that fails differently settles most of them: when tesseract
and rapidocr independently read the same value, it is very unlikely to be wrong, and when
they disagree the field stays low and goes to review. Only the field's own region is
re-read, so the cost is a fraction of a page.

The other engine is the one that did not read the page: rapidocr for a scan tesseract read,
tesseract for a phone photo rapidocr read. Each field's text is parsed the way its
extractor parses it (ids, dates, vocabularies, akta numbers, names), so "agree" means the
same contract value, not the same characters.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from statistics import median
from typing import Any

from extractors import normalize
from extractors.datewords import parse_date_words_scored, parse_ordinal_scored
from extractors.ocr import OcrEngine, TieredEngine, is_photo
from pipeline.records import Field, PageImage, PageText, Word

DIGITS = "0123456789"
# Two engines agreeing: the chance both are wrong the same way is about the product of
# their error chances, so the confidence is 1 - (1 - c1)(1 - c2), capped below certainty.
AGREED_CAP = 0.99
# A value only the second engine could read (the first gave none or an invalid one) keeps
# this share of the second engine's confidence: one reading, not two.
ALONE_FACTOR = 0.8
# The region re-read around a field's box, in multiples of its line height.
PAD_X_LINES = 0.6
PAD_Y_LINES = 0.3

Parser = Callable[[str], Any]


def second_opinions(fields: dict[str, Any], pages: list[PageImage], texts: list[PageText],
                    engine: TieredEngine) -> dict[str, Any]:
    """The field tree with every low-confidence OCR field re-read by the other engine."""
    by_number = {p.number: p for p in pages}
    ocr_pages = {t.page for t in texts if t.source == "ocr"}
    words_by_page = {t.page: t.words for t in texts}

    def visit(key: str, node: Any) -> Any:
        if isinstance(node, Field):
            page = by_number.get(node.page) if node.page in ocr_pages else None
            if page is None or node.bbox is None or node.confidence >= engine.second_below:
                return node
            return reconsider(key, node, page, words_by_page.get(page.number, ()), engine)
        if isinstance(node, dict):
            return {k: visit(k, v) for k, v in node.items()}
        if isinstance(node, list):
            return [visit(key, item) for item in node]
        return node

    return {k: visit(k, v) for k, v in fields.items()}


def reconsider(key: str, found: Field, page: PageImage, words: tuple[Word, ...] | list[Word],
               engine: TieredEngine) -> Field:
    """`found` after the other engine read its region: confirmed, replaced, or unchanged."""
    other = _other(engine, page)
    parser = parser_for(key)
    if other is None or parser is None:
        return found
    region = _region(found.bbox, words, page)
    lines = _line_count(found.bbox, words)
    whitelist = DIGITS if parser is _id16 or parser is _postal else None
    again = other.read_region(page, region, psm=7 if lines <= 1 else 6, whitelist=whitelist)
    text = " ".join(w.text for w in sorted(again, key=lambda w: (w.line, w.bbox[0])))
    value = parser(text) if text.strip() else None
    if value is None:
        return found
    second = min(w.confidence for w in again)
    if value == found.value:
        agreed = 1.0 - (1.0 - found.confidence) * (1.0 - second)
        return found.model_copy(update={"confidence": round(min(agreed, AGREED_CAP), 3)})
    if found.value is None or parser(str(found.raw or "")) is None:
        return found.model_copy(update={
            "value": value, "raw": text, "confidence": round(second * ALONE_FACTOR, 3)})
    if second > found.confidence:  # disagreement: the likelier value, still under the floor
        return found.model_copy(update={"value": value, "raw": text})
    return found


def _other(engine: TieredEngine, page: PageImage) -> OcrEngine | None:
    """The engine that did not read this page."""
    if engine.second is None:
        return None
    return engine.primary if is_photo(page) else engine.second


def _region(bbox: Any, words: Any, page: PageImage) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = bbox
    height = _line_height(bbox, words)
    px, py = height * PAD_X_LINES, height * PAD_Y_LINES
    return (int(max(x0 - px, 0)), int(max(y0 - py, 0)),
            int(min(x1 + px, page.width)), int(min(y1 + py, page.height)))


def _inside(bbox: Any, words: Any) -> list[Word]:
    x0, y0, x1, y1 = bbox
    return [w for w in words if w.bbox[0] >= x0 - 2 and w.bbox[2] <= x1 + 2
            and w.bbox[1] >= y0 - 2 and w.bbox[3] <= y1 + 2]


def _line_height(bbox: Any, words: Any) -> float:
    inside = _inside(bbox, words)
    if inside:
        return float(median(w.bbox[3] - w.bbox[1] for w in inside))
    return float(bbox[3] - bbox[1])


def _line_count(bbox: Any, words: Any) -> int:
    """How many text lines the field spans: its height over one word's height."""
    return max(1, round((bbox[3] - bbox[1]) / max(_line_height(bbox, words), 1.0)))


# --- field key -> the parser its extractor uses ------------------------------------------


def _id16(text: str) -> str | None:
    return normalize.digits(text, 16)


def _postal(text: str) -> str | None:
    return normalize.digits(text, 5)


def _rt_rw_part(index: int) -> Parser:
    """RT (0) or RW (1) from the one `RT/RW : 003/011` value both come from."""
    def parse(text: str) -> str | None:
        parts = text.replace("\\", "/").split("/")
        run = normalize.digits(text)
        if len(parts) != 2 and run is not None and len(run) == 6:
            parts = [run[:3], run[3:]]
        return normalize.digits(parts[index]) if len(parts) == 2 else None

    return parse


def _date(text: str) -> str | None:
    return normalize.iso_date(text) or parse_date_words_scored(text)[0]


def _ordinal(text: str) -> int | None:
    return parse_ordinal_scored(text)[0]


def _name(text: str) -> str | None:
    return normalize.clean_name(text) or None


def _akta_number(text: str) -> str | None:
    from extractors.akta import _canonical_number

    return _canonical_number(text.replace(" ", ""))


def _vocabulary(name: str) -> Parser:
    def parse(text: str) -> str | None:
        value, score = normalize.snap(text, name)
        return value if score >= 100.0 else None  # agreement needs an exact vocabulary read

    return parse


@cache
def _vocabularies() -> dict[str, str]:
    """KK column key -> vocabulary name (extractors/layouts/kk.yml), plus the akta's sex."""
    from extractors.kk import layout

    found = {key: kind["vocabulary"] for key, kind in layout()["kinds"].items()
             if isinstance(kind, dict)}
    found.setdefault("jenis_kelamin", "jenis_kelamin")
    return found


_PARSERS: dict[str, Parser] = {
    "nik": _id16, "nomor_kk": _id16, "kode_pos": _postal, "rt": _rt_rw_part(0),
    "rw": _rt_rw_part(1),
    "nomor_akta": _akta_number, "anak_ke": _ordinal,
}
# Passport and KITAP cells are nearly always a printed "-" and have no parser to agree on.
# golongan_darah is re-read: tesseract has no reliable "+" and rapidocr reads the sign.
_SKIP = frozenset({"no_paspor", "no_kitap"})


def parser_for(key: str) -> Parser | None:
    """How a field's text becomes its value; None for fields not re-read."""
    if key in _SKIP:
        return None
    if key in _PARSERS:
        return _PARSERS[key]
    if key in _vocabularies():
        return _vocabulary(_vocabularies()[key])
    if key.startswith("tanggal"):
        return _date
    if key.startswith("nik"):
        return _id16
    return _name
