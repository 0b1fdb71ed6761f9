"""extractors.table: ruled grids found on drawn pages (pure OpenCV, no tesseract)."""

from __future__ import annotations

import cv2
import numpy as np

from extractors.table import cell_words, find_tables, inner
from pipeline.records import Word

XS = [200, 400, 900, 1400, 2000, 3300]
YS = [500, 600, 650, 700, 750, 800]


def _page(angle: float = 0.0, gap: bool = False) -> np.ndarray:
    img = np.full((2480, 3508), 255, np.uint8)
    for x in XS:
        cv2.line(img, (x, YS[0]), (x, YS[-1]), 0, 3)
    for y in YS:
        cv2.line(img, (XS[0], y), (XS[-1], y), 0, 3)
    for i, x in enumerate(XS[:-1]):  # text in every cell must not add rulings
        cv2.putText(img, "EEEE-TTTT", (x + 12, 690), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    # a second, smaller table lower on the page
    for x in (200, 1200, 2200):
        cv2.line(img, (x, 1500), (x, 1700), 0, 3)
    for y in (1500, 1600, 1700):
        cv2.line(img, (200, y), (2200, y), 0, 3)
    if gap:
        cv2.line(img, (1000, 650), (1008, 650), 255, 5)  # a dropout in one ruling
    if angle:
        matrix = cv2.getRotationMatrix2D((1754, 1240), angle, 1.0)
        img = cv2.warpAffine(img, matrix, (3508, 2480), borderValue=255)
    return img


def test_finds_both_tables_with_their_grids() -> None:
    tables = find_tables(_page())
    assert [(t.n_rows, t.n_cols) for t in tables] == [(5, 5), (2, 2)]
    first = tables[0]
    assert abs(first.cells[0][0][0] - 200) <= 2 and abs(first.cells[0][0][1] - 500) <= 2
    assert abs(first.cells[4][4][2] - 3300) <= 2 and abs(first.cells[4][4][3] - 800) <= 2
    assert abs(first.cells[2][1][1] - 650) <= 2  # the text row did not create a ruling


def test_survives_half_degree_skew_and_a_broken_ruling() -> None:
    tables = find_tables(_page(angle=0.5, gap=True))
    assert (tables[0].n_rows, tables[0].n_cols) == (5, 5)
    # the skewed cell still contains the point where the drawn cell's centre went
    matrix = cv2.getRotationMatrix2D((1754, 1240), 0.5, 1.0)
    cx, cy = matrix @ np.array([(400 + 900) / 2, (600 + 650) / 2, 1.0])
    x0, y0, x1, y1 = tables[0].cells[1][1]
    assert x0 < cx < x1 and y0 < cy < y1


def test_blank_page_has_no_tables() -> None:
    assert find_tables(np.full((1000, 1000), 255, np.uint8)) == []


def test_cell_words_assigns_by_overlap_and_flags_straddlers() -> None:
    table = find_tables(_page())[0]
    inside = Word(text="A", confidence=0.9, bbox=(420, 610, 500, 640))
    straddler = Word(text="B|C", confidence=0.9, bbox=(860, 610, 960, 640))
    outside = Word(text="Z", confidence=0.9, bbox=(10, 10, 40, 40))
    found, straddling = cell_words(table, [inside, straddler, outside])
    assert found[(1, 1)][0] is inside
    assert sum(len(v) for v in found.values()) == 2
    assert found[(1, 2)][0] is straddler  # 60 % of it lies in column 2
    assert straddling == {(1, 2)}  # and it crosses the ruling, so that cell is re-read
    assert inner((0, 0, 100, 50), 5) == (5, 5, 95, 45)
