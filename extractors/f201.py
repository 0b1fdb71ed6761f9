"""Fields of an F-2.01 birth report: labelled rows of boxes, found by label, read box by box.

The layout (extractors/layouts/f201.yml) lists the form's section titles and row labels in
order. On a page, the rows of boxes are found by their ruling (extractors.boxes); each row is
tied to its label by the words left of it and to its section by the title above it, so the
form may be printed with other margins, sizes or spacing. Values come from three sources:
a filled AcroForm (field values as typed: source "pdf_form"), a PDF text layer (the
characters whose centre lies in each box: no OCR) or OCR of the boxes' glyphs. What cannot be
read for sure is returned as a Field with value None, never guessed: a row whose filled
boxes and read characters do not add up (hand-writing, a smudge) has confidence 0, and an
empty row (nothing written) is a confident None.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from rapidfuzz import fuzz

from extractors import boxes
from extractors.boxes import BoxLine, Run
from extractors.normalize import clean_name, digits
from extractors.ocr import OcrEngine
from pipeline.contract import enums
from pipeline.errors import ConfigurationError
from pipeline.records import BBox, Field, PageImage, PageText, Word

DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ.,-/"  # no quote: tesseract's -c is shell-split
WHITELISTS = {"digits": DIGITS, "text": LETTERS, "alnum": LETTERS + DIGITS}
# how many box runs each kind prints, and which whitelist reads each run
RUN_KINDS: dict[str, tuple[str, ...]] = {
    "text": ("text",), "alnum": ("alnum",), "digits": ("digits",), "code": ("digits",),
    "integer": ("digits",), "number": ("digits",), "date": ("digits",) * 3,
    "day_date": ("text", "digits", "digits", "digits"), "time": ("digits", "digits"),
}
FORM_SUFFIXES = {"date": (".tgl", ".bln", ".thn"), "day_date": (".hari", ".tgl", ".bln", ".thn"),
                 "time": (".jam", ".menit")}
DAYS = tuple(enums()["f201_options"]["hari"])
# a strip read with the wrong character count (or unsurely) is read again at these scales,
# then by the second OCR engine when one is configured
RETRY_SCALES = (0.7, 1.4)
_NUMBERING = re.compile(r"^\s*\d+\s*[.)]?\s*")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RowSpec(_Model):
    label: str
    key: str
    kind: str
    options: str | None = None


class SectionSpec(_Model):
    group: str | None
    title: str | None
    rows: list[RowSpec]


class Layout(_Model):
    title: str
    label_min_score: float
    title_min_score: float
    ink_min_share: float
    min_read_confidence: float
    box_width_share: tuple[float, float]
    sections: list[SectionSpec]


@cache
def layout() -> Layout:
    """The F-2.01 layout, validated once; a bad file stops start-up with the key named."""
    raw = resources.files("extractors").joinpath("layouts/f201.yml").read_text(encoding="utf-8")
    try:
        found = Layout.model_validate(yaml.safe_load(raw))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigurationError(f"extractors/layouts/f201.yml: {where}: {err['msg']}") from exc
    for section in found.sections:
        for row in section.rows:
            if row.kind not in RUN_KINDS:
                raise ConfigurationError(f"extractors/layouts/f201.yml: unknown kind {row.kind!r}")
    return found


def extract_f201(pages: list[PageImage], texts: list[PageText],
                 engine: OcrEngine) -> dict[str, Any]:
    """The f2_01 FieldTree: groups (pelapor, ayah, anak...) of Fields; rows not found are
    left out."""
    forms = [t for t in texts if t.form]
    if forms:
        return _from_form(forms)
    by_number = {p.number: p for p in pages}
    fields: dict[str, Any] = {}
    for text in texts:
        page = by_number.get(text.page)
        if page is not None:
            _merge(fields, _from_page(page, text, engine))
    return fields


# --- AcroForm --------------------------------------------------------------------------------


def _from_form(texts: list[PageText]) -> dict[str, Any]:
    """Field values as typed into the form: nothing to read, confidence 1."""
    fields: dict[str, Any] = {}
    for text in texts:
        values = {f.name: f for f in text.form}
        for section in layout().sections:
            for row in section.rows:
                path = f"{section.group}.{row.key}" if section.group else row.key
                names = [path + s for s in FORM_SUFFIXES.get(row.kind, ("",))]
                found = [values.get(n) for n in names]
                if all(f is None for f in found):
                    continue
                parts = [(f.value.strip().upper() if f else "") for f in found]
                boxes_ = [f.bbox for f in found if f]
                bbox = (min(b[0] for b in boxes_), min(b[1] for b in boxes_),
                        max(b[2] for b in boxes_), max(b[3] for b in boxes_))
                _put(fields, section.group, row.key, _field(row, parts, 1.0, text.page, bbox),
                     _day(row, parts, 1.0, text.page, bbox))
    return fields


# --- page: boxes, labels, sections -------------------------------------------------------------


def _from_page(page: PageImage, text: PageText, engine: OcrEngine) -> dict[str, Any]:
    spec = layout()
    lines = boxes.find_box_lines(page.pixels, spec.box_width_share)
    if not lines:
        return {}
    assigned = _assign(lines, _word_lines(text.words, lines), spec)
    reads = _read(page, text, [(row, lines[i]) for (_, row), i in assigned.items()], engine, spec)
    fields: dict[str, Any] = {}
    for ((group, row), index), (parts, confidence) in zip(assigned.items(), reads):
        bbox = lines[index].bbox(lines[index].runs[:len(RUN_KINDS[row.kind])])
        _put(fields, group, row.key, _field(row, parts, confidence, text.page, bbox),
             _day(row, parts, confidence, text.page, bbox))
    return fields


def _word_lines(words: tuple[Word, ...], lines: list[BoxLine]) -> list[tuple[float, str, float]]:
    """(centre y, text, left x) of the page's word lines that are not inside a box row."""
    loose = [w for w in words
             if not any(b.y0 <= (w.bbox[1] + w.bbox[3]) / 2 <= b.y1 and w.bbox[0] >= b.x0 - 5
                        for b in lines)]
    grouped: list[list[Word]] = []
    for word in sorted(loose, key=lambda w: (w.bbox[1] + w.bbox[3]) / 2):
        cy = (word.bbox[1] + word.bbox[3]) / 2
        if grouped and abs(cy - _cy(grouped[-1])) < (word.bbox[3] - word.bbox[1]) * 0.6:
            grouped[-1].append(word)
        else:
            grouped.append([word])
    out = []
    for group in grouped:
        group.sort(key=lambda w: w.bbox[0])
        out.append((_cy(group), " ".join(w.text for w in group), group[0].bbox[0]))
    return out


def _cy(words: list[Word]) -> float:
    return sum((w.bbox[1] + w.bbox[3]) / 2 for w in words) / len(words)


def _key(text: str) -> str:
    text = _NUMBERING.sub("", text.upper()).replace(":", " ").replace("*", " ")
    return " ".join(text.split())


def _assign(lines: list[BoxLine], words: list[tuple[float, str, float]],
            spec: Layout) -> dict[tuple[str | None, RowSpec], int]:
    """(group, row) -> index of its box line. When exactly the form's rows were found, their
    order places them; otherwise (a row lost to a fold or a stamp) each line is tied to its
    section by the title above it and to its row by the label left of it."""
    order = [(s.group, r) for s in spec.sections for r in s.rows]
    if len(lines) == len(order):  # every row found: the form's order places them all
        return {key: i for i, key in enumerate(order)}
    titles = _title_positions(words, spec)
    sections: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        owner = 0
        for index, y in titles:
            if y < line.y0:
                owner = index
        sections.setdefault(owner, []).append(i)
    assigned: dict[tuple[str | None, RowSpec], int] = {}
    for s, section in enumerate(spec.sections):
        candidates = sections.get(s, [])
        scored = []
        for r, row in enumerate(section.rows):
            for i in candidates:
                label = _label_of(lines[i], words)
                score = fuzz.ratio(_key(row.label), _key(label)) if label else 0.0
                if score >= spec.label_min_score:
                    scored.append((score, -r, -i, r, i))
        taken_rows: set[int] = set()
        taken_lines: set[int] = set()
        for _, _, _, r, i in sorted(scored, reverse=True):
            if r not in taken_rows and i not in taken_lines:
                taken_rows.add(r)
                taken_lines.add(i)
                assigned[(section.group, section.rows[r])] = i
    return {key: assigned[key] for key in order if key in assigned}


def _title_positions(words: list[tuple[float, str, float]],
                     spec: Layout) -> list[tuple[int, float]]:
    """(section index, y) of each section title found, in the form's order."""
    found: list[tuple[int, float]] = []
    next_index = 1
    for cy, text, _ in words:
        best, best_score = None, 0.0
        for s in range(next_index, len(spec.sections)):
            title = spec.sections[s].title or ""
            score = fuzz.ratio(_key(title), _key(text))
            if score > best_score:
                best, best_score = s, score
        if best is not None and best_score >= spec.title_min_score:
            found.append((best, cy))
            next_index = best + 1
    return found


def _label_of(line: BoxLine, words: list[tuple[float, str, float]]) -> str:
    """The text printed left of a box line, on its level."""
    inside = [(x, text) for cy, text, x in words if line.y0 <= cy <= line.y1 and x < line.x0]
    return " ".join(text for _, text in sorted(inside)).split(":")[0]


# --- reading the boxes ---------------------------------------------------------------------------


def _read(page: PageImage, text: PageText, rows: list[tuple[RowSpec, BoxLine]],
          engine: OcrEngine, spec: Layout) -> list[tuple[list[str | None], float]]:
    """Per row: the text of each of its runs (None: unreadable) and the confidence."""
    if text.source != "ocr":
        return [_from_words(text.words, line, len(RUN_KINDS[row.kind])) for row, line in rows]
    jobs: dict[str, list[tuple[int, int, Run]]] = {}
    parts: list[list[str | None]] = [[None] * len(RUN_KINDS[row.kind]) for row, _ in rows]
    for n, (row, line) in enumerate(rows):
        for k, (run, kind) in enumerate(zip(line.runs, RUN_KINDS[row.kind])):
            words = boxes.words_of(run, boxes.filled(page.pixels, run, spec.ink_min_share))
            parts[n][k] = "" if not words else parts[n][k]
            jobs.setdefault(kind, []).extend((n, k, word) for word in words)
    confidence = [1.0] * len(rows)
    pieces: dict[tuple[int, int], list[str | None]] = {}
    for kind, items in jobs.items():
        reads = _read_with_retry(page, [run for _, _, run in items], engine, WHITELISTS[kind])
        for (n, k, _), read in zip(items, reads):
            whole = _whole(read, spec.min_read_confidence)
            pieces.setdefault((n, k), []).append(read.text.replace(" ", "") if whole else None)
            confidence[n] = min(confidence[n], read.confidence if whole else 0.0)
    for (n, k), words in pieces.items():
        parts[n][k] = None if None in words else " ".join(w or "" for w in words)
    return list(zip(parts, confidence))


def _read_with_retry(page: PageImage, runs: list[Run], engine: OcrEngine,
                     whitelist: str) -> list[boxes.StripRead]:
    """Strips whose character count disagrees with their boxes are read once more at other
    scales: tesseract inserts or drops a digit in some fonts at one size and not another."""
    reads = boxes.read_runs(page, runs, engine, whitelist)
    floor = layout().min_read_confidence
    second = getattr(engine, "second", None)  # TieredEngine's other OCR, when configured
    tries = [(engine, scale) for scale in RETRY_SCALES] + ([(second, 1.0)] if second else [])
    for again_with, scale in tries:
        failed = [i for i, r in enumerate(reads) if not _whole(r, floor)]
        if not failed:
            break
        again = boxes.read_runs(page, [runs[i] for i in failed], again_with, whitelist, scale)
        for i, read in zip(failed, again):
            if _whole(read, floor):
                reads[i] = read
    return reads


def _whole(read: boxes.StripRead, floor: float) -> bool:
    """A strip read with one character per filled box, confidently enough."""
    return len(read.text.replace(" ", "")) == read.glyphs and read.confidence >= floor


def _from_words(words: tuple[Word, ...], line: BoxLine,
                runs: int) -> tuple[list[str | None], float]:
    """Text-layer characters placed in the boxes whose centre they fall in."""
    parts: list[str | None] = []
    for run in line.runs[:runs]:
        chars = [""] * len(run)
        for word in words:
            cy = (word.bbox[1] + word.bbox[3]) / 2
            if not run[0].y0 <= cy <= run[0].y1:
                continue
            step = (word.bbox[2] - word.bbox[0]) / max(len(word.text), 1)
            for j, char in enumerate(word.text):
                cx = word.bbox[0] + (j + 0.5) * step
                for c, cell in enumerate(run):
                    if cell.x0 <= cx <= cell.x1:
                        chars[c] += char
        parts.append(" ".join("".join(c or " " for c in chars).split()))
    return parts, 1.0


# --- values ---------------------------------------------------------------------------------------


def _field(row: RowSpec, parts: list[str | None], confidence: float, page: int,
           bbox: BBox) -> Field:
    """The row's Field: value None with confidence 0 when unreadable, None and confident when
    nothing was written."""
    raw = " ".join(p for p in parts if p is not None)
    if row.kind == "day_date":
        parts = parts[1:]
    if any(p is None for p in parts):
        return Field(value=None, raw=raw, confidence=0.0, page=page, bbox=bbox)
    if all(p == "" for p in parts):
        return Field(value=None, raw="", confidence=round(confidence, 3), page=page, bbox=bbox)
    value = _value(row, [p or "" for p in parts])
    if value is None:
        return Field(value=None, raw=raw, confidence=0.0, page=page, bbox=bbox)
    return Field(value=value, raw=raw, confidence=round(confidence, 3), page=page, bbox=bbox)


def _day(row: RowSpec, parts: list[str | None], confidence: float, page: int,
         bbox: BBox) -> Field | None:
    """The Hari printed before the child's date (checked against the date's weekday)."""
    if row.kind != "day_date" or not parts or not parts[0]:
        return None
    word = parts[0].replace(" ", "").replace("'", "")
    best = max(DAYS, key=lambda d: fuzz.ratio(d, word))
    score = fuzz.ratio(best, word)
    return Field(value=best if score >= 80 else None, raw=parts[0],
                 confidence=round(confidence * score / 100, 3), page=page, bbox=bbox)


def _value(row: RowSpec, parts: list[str]) -> str | int | None:
    kind, text = row.kind, parts[0]
    if kind == "text":
        return clean_name(text) or None
    if kind == "alnum":
        return text.replace(" ", "") or None
    if kind == "digits":
        return digits(text)
    if kind == "code":
        return _option(row.options or "", text.replace(" ", ""))
    if kind in ("integer", "number"):
        found = digits(text)
        return int(found) if found else None
    if kind in ("date", "day_date"):
        return _date(parts)
    if kind == "time":
        return _time(parts)
    return None


def _date(parts: list[str]) -> str | None:
    day, month, year = (digits(p) for p in parts[:3])
    if not (day and month and year) or len(year) != 4:
        return None
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _time(parts: list[str]) -> str | None:
    hours, minutes = (digits(p) for p in parts[:2])
    if not (hours and minutes) or int(hours) > 23 or int(minutes) > 59:
        return None
    return f"{int(hours):02d}:{int(minutes):02d}"


def _option(list_name: str, code: str) -> str | None:
    """The official value a checkbox code names ("2" in jenis_kelamin -> PEREMPUAN)."""
    if not code.isdigit():
        return None
    node: Any = enums()
    for part in list_name.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    items = node.get("values") if isinstance(node, dict) else node
    for position, item in enumerate(items or [], start=1):
        value = item if isinstance(item, str) else item.get("value")
        number = position if isinstance(item, str) else item.get("code", position)
        if int(code) == number:
            return value
    return None


def _put(fields: dict[str, Any], group: str | None, key: str, field: Field,
         day: Field | None = None) -> None:
    target = fields if group is None else fields.setdefault(group, {})
    target[key] = field
    if day is not None:
        target["hari"] = day


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    """Fields of a later page fill what earlier pages did not have."""
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            for inner, field in value.items():
                into[key].setdefault(inner, field)
        else:
            into.setdefault(key, value)
