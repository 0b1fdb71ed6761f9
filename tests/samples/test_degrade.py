"""samples.degrade: scans and photos that look like uploads, reproducibly."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from samples.degrade import RANGES, degrade, photo

W, H, INSET = 1240, 1754, 0.05  # a 150 dpi A4 keeps these tests quick


def _page() -> Image.Image:
    img = Image.new("L", (W, H), 255)
    draw = ImageDraw.Draw(img)
    draw.rectangle([int(INSET * W), int(INSET * H), int((1 - INSET) * W),
                    int((1 - INSET) * H)], outline=0, width=6)
    for y in range(200, H - 200, 60):
        draw.line([150, y, W - 150, y], fill=0, width=2)
    img.info["dpi"] = (300, 300)
    return img


def _top_edge_angle(gray: np.ndarray) -> float:
    cols = np.arange(int(gray.shape[1] * 0.2), int(gray.shape[1] * 0.8), 4)
    ys = np.array([np.argmax(gray[: gray.shape[0] // 3, c] < 128) for c in cols], float)
    return float(np.degrees(np.arctan(np.polyfit(cols, ys, 1)[0])))


def test_clean_is_unchanged() -> None:
    page = _page()
    assert degrade(page, "clean", random.Random(0)) is page


def test_unknown_tier_is_an_error() -> None:
    with pytest.raises(ValueError):
        degrade(_page(), "fax", random.Random(0))  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scan_is_tilted_soft_noisy_and_keeps_dpi(seed: int) -> None:
    out = degrade(_page(), "scan", random.Random(seed))
    px = np.asarray(out)
    assert out.mode == "L" and out.info["dpi"] == (300, 300)
    tilt = abs(_top_edge_angle(px))
    lo, hi = RANGES.scan_rotation_deg
    assert lo - 0.1 <= tilt <= hi + 0.1
    assert px[0, 0] > 200 and px[-1, -1] > 200  # the glass around the page is white
    paper = px[int(0.2 * H):int(0.2 * H) + 40, 300:900]
    paper = paper[paper > 150]
    assert 0.5 < paper.std() < 15  # sensor noise, not a flat synthetic white
    # softness: the frame's darkest core stays dark but its edge now has gray pixels
    assert ((px > 60) & (px < 190)).mean() > 0.002


def test_same_seed_same_scan_other_seed_other_scan() -> None:
    a = np.asarray(degrade(_page(), "scan", random.Random(5)))
    b = np.asarray(degrade(_page(), "scan", random.Random(5)))
    c = np.asarray(degrade(_page(), "scan", random.Random(6)))
    assert np.array_equal(a, b)
    assert a.shape != c.shape or not np.array_equal(a, c)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_photo_lies_tilted_on_a_darker_table_at_low_resolution(seed: int) -> None:
    out, corners = photo(_page(), random.Random(seed))
    px = np.asarray(out)
    assert out.mode == "L" and "dpi" not in out.info
    top_width = np.linalg.norm(corners[1] - corners[0])
    lo, hi = RANGES.photo_scale
    assert lo * 0.85 * W < top_width < hi * 1.15 * W  # ~135-195 dpi for a 300 dpi page
    inside = np.zeros(px.shape, np.uint8)
    cv2.fillConvexPoly(inside, corners.astype(np.int32), 1)
    assert 0.25 < inside.mean() < 0.92  # margin of table around the page
    assert np.median(px[inside == 0]) < np.median(px[inside == 1]) - 60
    # perspective: the page's corners are no longer a rectangle
    offsets = corners - corners.mean(axis=0)
    assert np.ptp(np.abs(offsets), axis=0).max() > 0.01 * out.width


def test_photo_light_is_uneven_across_the_page() -> None:
    out, corners = photo(_page(), random.Random(7))
    px = np.asarray(out, dtype=np.float32)
    (x0, y0), (x1, y1) = corners.min(axis=0) + 40, corners.max(axis=0) - 40
    paper = cv2.morphologyEx(px[int(y0):int(y1), int(x0):int(x1)], cv2.MORPH_CLOSE,
                             np.ones((25, 25), np.uint8))
    lo, hi = np.percentile(paper, (5, 95))
    assert hi - lo > 15


def test_degrade_photo_matches_photo() -> None:
    a = np.asarray(degrade(_page(), "photo", random.Random(3)))
    b = np.asarray(photo(_page(), random.Random(3))[0])
    assert np.array_equal(a, b)
