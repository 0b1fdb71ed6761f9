"""Rows of character boxes on a form page: find them by their ruling, read what is in them.

A form such as F-2.01 is filled one character per box. Page OCR reads such rows badly (box
borders become "|" or "I", evenly spaced letters are split or merged at random), so the boxes
are found geometrically instead: the page's long horizontal and vertical strokes (opening
with line-shaped kernels longer than any glyph stroke) make a grid whose enclosed white
regions of box size are the cells. Cells on one level form a line; touching cells form a run
(a date prints three runs: Tgl, Bln, Thn). A cell holds a character when enough of its
inside is ink; an empty cell between filled ones separates words, which the geometry knows
for sure and OCR would only guess. Reading is then one OCR call per kind of content for the
whole page: each word's glyphs, trimmed to their ink, are laid side by side on a strip of a
fresh image, and tesseract reads the strips as ordinary typed words.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

import cv2
import numpy as np

from extractors.ocr import OcrEngine
from pipeline.records import PageImage, Word

# kernel length of a ruling line, as a share of the page width: longer than any glyph stroke
# at the form's type sizes (a 300 dpi box is ~1.8 % of an F4 width, its glyph stems ~0.9 %)
RULING_SHARE = 0.012
# a cell's height over its width (boxes are a little taller than wide)
CELL_ASPECT = (0.7, 1.9)
# cells within this share of the median cell size are the form's boxes
CELL_SIZE_TOLERANCE = 0.3
# cells of one run touch: a gap wider than this share of a cell starts a new run
RUN_GAP_SHARE = 0.5
# inside of a cell used for ink and glyphs: this share of its size is cut off each side
INSET_SHARE = 0.12
# on the strip: space between the glyphs of one word, as a share of the cell width
GLYPH_GAP_SHARE = 0.12
STRIP_GAP_SHARE = 1.0  # vertical space between strips, as a share of the cell height
GLYPH_INK_LEVEL_MAX = 200  # a glyph's Otsu level, capped: gray below it is ink when trimming
GLYPH_MARGIN_SHARE = 0.08  # kept beside a trimmed glyph, of the cell width (faint serifs)
# tesseract drops a lone glyph ("1" looks like a rule): a one-box run is laid out this many
# times and read back as that many equal characters
SINGLE_REPEAT = 3
SINGLE_GAP_SHARE = 0.3  # between the copies of a lone glyph, of the cell width


@dataclass(frozen=True)
class Cell:
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


Run = tuple[Cell, ...]


@dataclass(frozen=True)
class BoxLine:
    """One row of the form: its runs of touching cells, left to right."""

    runs: tuple[Run, ...]

    @property
    def y0(self) -> int:
        return min(c.y0 for run in self.runs for c in run)

    @property
    def y1(self) -> int:
        return max(c.y1 for run in self.runs for c in run)

    @property
    def x0(self) -> int:
        return self.runs[0][0].x0

    def bbox(self, runs: tuple[Run, ...] | None = None) -> tuple[float, float, float, float]:
        cells = [c for run in (runs or self.runs) for c in run]
        return (min(c.x0 for c in cells), min(c.y0 for c in cells),
                max(c.x1 for c in cells), max(c.y1 for c in cells))


def find_box_lines(pixels: np.ndarray, width_share: tuple[float, float]) -> list[BoxLine]:
    """The page's rows of boxes, top to bottom."""
    cells = _cells(pixels, width_share)
    if not cells:
        return []
    lines: list[list[Cell]] = []
    for cell in sorted(cells, key=lambda c: c.cy):
        if lines and abs(cell.cy - median(c.cy for c in lines[-1])) < (cell.y1 - cell.y0) / 2:
            lines[-1].append(cell)
        else:
            lines.append([cell])
    return [BoxLine(_runs(sorted(line, key=lambda c: c.x0))) for line in lines]


def _binary(pixels: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0 (Otsu on a lightly smoothed page)."""
    smooth = cv2.GaussianBlur(pixels, (3, 3), 0)
    _, binary = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return binary


def _cells(pixels: np.ndarray, width_share: tuple[float, float]) -> list[Cell]:
    binary = _binary(pixels)
    length = max(8, int(pixels.shape[1] * RULING_SHARE))
    horizontal = cv2.morphologyEx(binary, cv2.MORPH_OPEN,
                                  cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    vertical = cv2.morphologyEx(binary, cv2.MORPH_OPEN,
                                cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    grid = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(255 - grid, connectivity=4)
    low, high = (share * pixels.shape[1] for share in width_share)
    found = []
    for x, y, w, h, _area in stats[1:count]:
        if low <= w <= high and CELL_ASPECT[0] <= h / w <= CELL_ASPECT[1]:
            found.append(Cell(int(x), int(y), int(x + w), int(y + h)))
    if not found:
        return []
    typical_w = median(c.x1 - c.x0 for c in found)
    typical_h = median(c.y1 - c.y0 for c in found)
    return [c for c in found
            if abs((c.x1 - c.x0) - typical_w) <= CELL_SIZE_TOLERANCE * typical_w
            and abs((c.y1 - c.y0) - typical_h) <= CELL_SIZE_TOLERANCE * typical_h]


def _runs(cells: list[Cell]) -> tuple[Run, ...]:
    runs: list[list[Cell]] = [[cells[0]]]
    for cell in cells[1:]:
        previous = runs[-1][-1]
        if cell.x0 - previous.x1 > RUN_GAP_SHARE * (previous.x1 - previous.x0):
            runs.append([])
        runs[-1].append(cell)
    return tuple(tuple(run) for run in runs)


def _inside(pixels: np.ndarray, cell: Cell) -> np.ndarray:
    dx = int((cell.x1 - cell.x0) * INSET_SHARE)
    dy = int((cell.y1 - cell.y0) * INSET_SHARE)
    return pixels[cell.y0 + dy:cell.y1 - dy, cell.x0 + dx:cell.x1 - dx]


def filled(pixels: np.ndarray, cells: Run, ink_min_share: float) -> list[bool]:
    """Whether each cell holds a character (share of ink inside it)."""
    binary = _binary(pixels)
    return [float(_inside(binary, c).mean()) / 255.0 >= ink_min_share for c in cells]


@dataclass(frozen=True)
class StripRead:
    text: str  # words as read, one space between them
    confidence: float
    glyphs: int  # filled cells laid on the strip


def words_of(run: Run, marks: list[bool]) -> list[Run]:
    """The run's words: maximal groups of filled cells (an empty box separates words)."""
    words: list[list[Cell]] = [[]]
    for cell, mark in zip(run, marks):
        if mark:
            words[-1].append(cell)
        elif words[-1]:
            words.append([])
    return [tuple(word) for word in words if word]


def read_runs(page: PageImage, runs: list[Run], engine: OcrEngine, whitelist: str,
              scale: float = 1.0) -> list[StripRead]:
    """Read several runs of filled cells with one OCR call: each run's glyphs become one strip
    of a fresh image (drawn at `scale`), and each strip is read as one word."""
    if not runs:
        return []
    cell_h = int(median(c.y1 - c.y0 for run in runs for c in run))
    cell_w = int(median(c.x1 - c.x0 for run in runs for c in run))
    strips = [_strip(page.pixels, run, cell_w) for run in runs]
    gap = int(cell_h * STRIP_GAP_SHARE)
    width = max(s.shape[1] for s in strips) + 2 * cell_w
    canvas = np.full((len(strips) * (cell_h + gap) + gap, width), 255, np.uint8)
    spans = []
    for i, strip in enumerate(strips):
        top = gap + i * (cell_h + gap)
        h = min(strip.shape[0], cell_h)
        canvas[top:top + h, cell_w:cell_w + strip.shape[1]] = strip[:h]
        spans.append((top, top + cell_h))
    if scale != 1.0:
        canvas = cv2.resize(canvas, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        spans = [(int(a * scale), int(b * scale)) for a, b in spans]
    # the page's steps travel with the sheet, so an engine that reads phone photos with
    # another OCR (TieredEngine) reads the photo's glyphs with it too
    sheet = PageImage(number=page.number, pixels=canvas, dpi=round(page.dpi * scale),
                      steps=page.steps)
    words = engine.read_region(sheet, (0, 0, sheet.width, sheet.height), psm=6,
                               whitelist=whitelist)
    return [_collect(words, span, len(run)) for span, run in zip(spans, runs)]


def _strip(pixels: np.ndarray, run: Run, cell_w: int) -> np.ndarray:
    """The run's glyphs side by side, trimmed to their ink and evenly spaced."""
    pieces: list[np.ndarray] = []
    cells = run * SINGLE_REPEAT if len(run) == 1 else run
    for cell in cells:
        glyph = _tight(_inside(pixels, cell))
        if pieces:
            share = SINGLE_GAP_SHARE if len(run) == 1 else GLYPH_GAP_SHARE
            pieces.append(np.full((glyph.shape[0], int(cell_w * share)), 255, np.uint8))
        pieces.append(glyph)
    rows = max(p.shape[0] for p in pieces)
    padded = [np.pad(p, ((0, rows - p.shape[0]), (0, 0)), constant_values=255) for p in pieces]
    return np.hstack(padded)


def _tight(glyph: np.ndarray) -> np.ndarray:
    """The glyph's ink columns and a small margin (full height kept: baselines stay level)."""
    level, _ = cv2.threshold(glyph, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # the glyph's own ink level: on a soft photo a T's bar is far lighter than its stem
    ink = np.flatnonzero((glyph < min(level, GLYPH_INK_LEVEL_MAX)).any(axis=0))
    if not ink.size:
        return glyph
    margin = max(2, int(glyph.shape[1] * GLYPH_MARGIN_SHARE))
    return glyph[:, max(ink[0] - margin, 0):ink[-1] + 1 + margin]


def _collect(words: list[Word], span: tuple[int, int], glyphs: int) -> StripRead:
    mine = sorted((w for w in words if span[0] <= (w.bbox[1] + w.bbox[3]) / 2 <= span[1]),
                  key=lambda w: w.bbox[0])
    if not mine:
        return StripRead("", 0.0, glyphs)
    text = "".join(w.text for w in mine)
    confidence = min(w.confidence for w in mine)
    if glyphs == 1:  # the repeated lone glyph: all copies must agree
        agreed = len(text) == SINGLE_REPEAT and len(set(text)) == 1
        return StripRead(text[0] if agreed else text, confidence if agreed else 0.0, glyphs)
    return StripRead(text, confidence, glyphs)
