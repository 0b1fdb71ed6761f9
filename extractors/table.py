"""Ruled tables found by their ruling lines, returned as grids of cell boxes.

Why lines and not text: the KK tables have printed rulings on both generations, and the
rulings survive blur and JPEG far better than the text does, so the grid tells which
words belong to which cell even when the OCR line grouping is wrong. Lines are fitted
(not projected) so a residual skew of about half a degree still gives the right cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

Box = tuple[int, int, int, int]

# fractions of the page DPI / table size; kept together so they read as data
_H_KERNEL_IN = 1 / 3  # a horizontal ruling is longer than a third of an inch
_V_KERNEL_IN = 1 / 8  # a vertical ruling segment is taller than any glyph stroke
_GAP_IN = 1 / 30  # gaps in a ruling (broken print, scan dropout) up to this are bridged
_MIN_COVER = 0.5  # a line must cover this share of the table's width / height
_MIN_TABLE_IN = (2.0, 0.4)  # width, height of the smallest table worth returning
_MERGE_PX_IN = 1 / 50  # line fits closer than this are the same ruling


@dataclass(frozen=True)
class Table:
    """One ruled table: its outline and its cells as rows x columns of page-pixel boxes."""

    bbox: Box
    cells: tuple[tuple[Box, ...], ...]

    @property
    def n_rows(self) -> int:
        return len(self.cells)

    @property
    def n_cols(self) -> int:
        return len(self.cells[0]) if self.cells else 0


@dataclass(frozen=True)
class _Line:
    """A ruling as a = slope, b = offset: y = a*x + b (horizontal) or x = a*y + b (vertical)."""

    a: float
    b: float
    lo: float
    hi: float


def find_tables(pixels: np.ndarray, dpi: int = 300) -> list[Table]:
    """Every ruled table on a grayscale page, top to bottom."""
    binary = _binarize(pixels)
    horizontal = _line_mask(binary, int(dpi * _H_KERNEL_IN), int(dpi * _GAP_IN), axis=0)
    vertical = _line_mask(binary, int(dpi * _V_KERNEL_IN), int(dpi * _GAP_IN), axis=1)
    grid = cv2.dilate(horizontal | vertical, np.ones((5, 5), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(grid, connectivity=8)
    tables = []
    for i in range(1, count):
        x, y, w, h = (int(v) for v in stats[i, :4])
        if w < dpi * _MIN_TABLE_IN[0] or h < dpi * _MIN_TABLE_IN[1]:
            continue
        table = _grid(horizontal, vertical, (x, y, x + w, y + h), dpi)
        if table is not None:
            tables.append(table)
    return sorted(tables, key=lambda t: t.bbox[1])


def _binarize(pixels: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0; adaptive so a tinted background or uneven light is not ink."""
    gray = pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY)
    return cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15
    )


def _line_mask(binary: np.ndarray, length: int, gap: int, axis: int) -> np.ndarray:
    """Keep only long straight strokes along one axis (0: horizontal, 1: vertical).

    Opening comes before closing: closing first would join the horizontal strokes of
    neighbouring letters (E, T, dashes) into bars as long as a short ruling.
    """
    open_k = (length, 1) if axis == 0 else (1, length)
    close_k = (gap, 1) if axis == 0 else (1, gap)
    thick = cv2.dilate(binary, np.ones((3, 1) if axis == 0 else (1, 3), np.uint8))
    rect = cv2.MORPH_RECT
    opened = cv2.morphologyEx(thick, cv2.MORPH_OPEN, cv2.getStructuringElement(rect, open_k))
    return cv2.morphologyEx(opened, cv2.MORPH_CLOSE, cv2.getStructuringElement(rect, close_k))


def _grid(horizontal: np.ndarray, vertical: np.ndarray, box: Box, dpi: int) -> Table | None:
    x0, y0, x1, y1 = box
    rows = _fit_lines(horizontal[y0:y1, x0:x1], axis=0, dpi=dpi)
    cols = _fit_lines(vertical[y0:y1, x0:x1], axis=1, dpi=dpi)
    if len(rows) < 2 or len(cols) < 2:
        return None
    cells = tuple(
        tuple(_cell(top, bottom, left, right, (x0, y0)) for left, right in zip(cols, cols[1:]))
        for top, bottom in zip(rows, rows[1:])
    )
    return Table(bbox=box, cells=cells)


def _fit_lines(mask: np.ndarray, axis: int, dpi: int) -> list[_Line]:
    """Rulings of one direction: segments sharing the page's skew, grouped by offset.

    All rulings of a printed table share one skew, so the slope is the median of the
    long segments' slopes, and each segment is placed by its offset under that slope
    (extrapolating a short segment's own slope would throw it across rows).
    """
    span = mask.shape[1] if axis == 0 else mask.shape[0]
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    segments = []
    for i in range(1, count):
        x, y, w, h = (int(v) for v in stats[i, :4])
        if (w if axis == 0 else h) < span * 0.05:
            continue
        ys, xs = np.nonzero(labels[y:y + h, x:x + w] == i)
        along, across = (xs + x, ys + y) if axis == 0 else (ys + y, xs + x)
        segments.append((along.astype(float), across.astype(float)))
    if not segments:
        return []
    long_ones = [s for s in segments if np.ptp(s[0]) > span * 0.3] or segments
    slopes = [np.polyfit(a, b, 1)[0] for a, b in long_ones if np.ptp(a) > 0]
    slope = float(np.median(slopes)) if slopes else 0.0
    pieces = [_Line(slope, float(np.median(b - slope * a)), float(a.min()), float(a.max()))
              for a, b in segments]
    return _merge(pieces, span, dpi * _MERGE_PX_IN)


def _merge(pieces: list[_Line], span: int, tolerance: float) -> list[_Line]:
    """Pieces with the same offset are one ruling; keep rulings that cover the table."""
    pieces.sort(key=lambda p: p.b)
    groups: list[list[_Line]] = []
    for piece in pieces:
        if groups and piece.b - groups[-1][-1].b <= tolerance:
            groups[-1].append(piece)
        else:
            groups.append([piece])
    lines = []
    for group in groups:
        lengths = [p.hi - p.lo for p in group]
        if sum(lengths) < span * _MIN_COVER:
            continue
        offset = float(np.average([p.b for p in group], weights=np.maximum(lengths, 1)))
        lines.append(_Line(group[0].a, offset, min(p.lo for p in group), max(p.hi for p in group)))
    return lines


def _cell(top: _Line, bottom: _Line, left: _Line, right: _Line, origin: tuple[int, int]) -> Box:
    """The axis-aligned box of the quadrilateral the four rulings enclose, in page pixels."""
    corners = [_cross(h, v) for h in (top, bottom) for v in (left, right)]
    xs = [c[0] for c in corners]
    ys = [c[1] for c in corners]
    ox, oy = origin
    return (int(round(min(xs))) + ox, int(round(min(ys))) + oy,
            int(round(max(xs))) + ox, int(round(max(ys))) + oy)


def _cross(h: _Line, v: _Line) -> tuple[float, float]:
    """Where y = ha*x + hb meets x = va*y + vb."""
    y = (h.a * v.b + h.b) / (1 - h.a * v.a)
    return v.a * y + v.b, y


def inner(box: Box, inset: int) -> Box:
    """A cell box shrunk by `inset` pixels, so a crop does not include the ruling itself."""
    x0, y0, x1, y1 = box
    return (x0 + inset, y0 + inset,
            max(x0 + inset + 1, x1 - inset), max(y0 + inset + 1, y1 - inset))


def _overlap(a: tuple[float, float, float, float], b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0) * max(h, 0)


def cell_words(table: Table, words: list[Any], min_share: float = 0.7
               ) -> tuple[dict[tuple[int, int], list[Any]], set[tuple[int, int]]]:
    """The words (anything with a .bbox) of each cell, by largest box overlap.

    Returns the words per (row, column), left to right, and the cells holding a word that
    lies less than `min_share` inside them: such a word straddles a ruling (tesseract
    merged text across it, or read the ruling as a letter), so those cells want a re-read.
    """
    x0, y0, x1, y1 = table.bbox
    found: dict[tuple[int, int], list[Any]] = {}
    straddling: set[tuple[int, int]] = set()
    for word in words:
        wx0, wy0, wx1, wy1 = word.bbox
        area = max((wx1 - wx0) * (wy1 - wy0), 1)
        if wx1 < x0 or wx0 > x1 or wy1 < y0 or wy0 > y1:
            continue
        best, where = 0.0, None
        for r, row in enumerate(table.cells):
            if row[0][3] < wy0 or row[0][1] > wy1:
                continue
            for c, box in enumerate(row):
                share = _overlap(word.bbox, box) / area
                if share > best:
                    best, where = share, (r, c)
        if where is None:
            continue
        found.setdefault(where, []).append(word)
        if best < min_share:
            straddling.add(where)
    for cell in found.values():
        cell.sort(key=lambda w: (w.bbox[0]))
    return found, straddling
