"""Page clean-up before OCR: page outline, uneven light, resolution, skew, orientation.

Each step is a small function that looks at the page, decides whether it applies, and
returns either the page unchanged or a new page with its name appended to `steps`, so the
report can say what the machine did. Decisions are made on a downscaled copy (cheap); the
transform is applied once to the full-resolution pixels. There is deliberately no
binarisation here: adaptive thresholding hurt tesseract on these scans, which does its own.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from typing import Callable

import cv2
import numpy as np

from pipeline.records import PageImage

from extractors.pages import LIMITS as PAGE_LIMITS


@dataclass(frozen=True)
class _Tuning:
    """Every threshold of this module, named (STYLE: thresholds are data)."""

    shrink_floor: float = 0.7  # measuring copies keep at least this share of the asked size
    # (a) page outline: the page must cover this share of the frame, and be this much
    # brighter (gray levels) than what surrounds it, to be taken for a photographed page
    outline_long_side: int = 1000
    outline_min_share: float = 0.25
    outline_max_share: float = 0.92
    outline_min_contrast: float = 40.0
    outline_corner_deg: tuple[float, float] = (55.0, 125.0)
    # (b) illumination: flatten when the paper's brightness spans more than this many levels
    flatten_long_side: int = 512
    flatten_kernel_share: float = 0.04  # of the long side: wider than any character
    flatten_uneven_levels: float = 15.0
    # (c) resolution
    target_dpi: int = 300
    upscale_below_dpi: int = 250
    upscale_max_pixels: int = 50_000_000
    # (d) skew
    deskew_long_side: int = 1800
    deskew_rule_share: float = 0.12  # of the width: shortest stroke taken for a rule
    deskew_line_share: float = 0.08  # ... and for a text line
    deskew_refine_span_deg: float = 0.5
    deskew_refine_steps_deg: tuple[float, ...] = (0.1, 0.02)
    deskew_max_points: int = 100_000
    deskew_min_deg: float = 0.1
    deskew_max_deg: float = 10.0
    deskew_stroke_share: float = 0.008  # opening kernel: survives a 3 deg tilt of a 2 px rule
    deskew_min_segments: int = 3
    # (e) orientation
    orient_long_side: int = 1800
    orient_sideways_ratio: float = 0.9  # upright text ~1.3-1.5, sideways ~0.65-0.75  # vertical/horizontal edge energy below this: sideways
    orient_min_ink: float = 0.002  # less ink than this, or more than the max: not a text page
    orient_max_ink: float = 0.35
    osd_min_conf: float = 1.0
    osd_timeout_s: float = 30.0


TUNING = _Tuning()


Step = Callable[[PageImage], PageImage]


def preprocess(page: PageImage, timings: dict[str, float] | None = None) -> PageImage:
    """A new page ready for OCR: unwarped, flattened, ~300 dpi, deskewed, upright.

    `timings`, when given, receives the milliseconds each step took (decision included).
    """
    out = replace(page)
    for step in STEPS:
        start = time.perf_counter()
        out = step(out)
        if timings is not None:
            timings[step.__name__.lstrip("_")] = (time.perf_counter() - start) * 1000.0
    return out


def _with(page: PageImage, pixels: np.ndarray, step: str, dpi: int | None = None) -> PageImage:
    return replace(page, pixels=pixels, dpi=dpi or page.dpi, steps=(*page.steps, step))


def _shrink(gray: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    """Halve the image while its long side stays above ~0.7 x `long_side`.

    Exact halvings take OpenCV's fast INTER_AREA path (0.5 ms on an A4 page against 60 ms
    for an arbitrary factor), and the measurements here need no exact size.
    """
    small = gray
    while max(small.shape) / 2 >= TUNING.shrink_floor * long_side:
        small = cv2.resize(small, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    return small, small.shape[1] / gray.shape[1]


def _ink(gray: np.ndarray) -> np.ndarray:
    """Dark marks as 255 on 0 (Otsu: a global split, used for measuring, never output)."""
    return cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]


# --- (a) page outline ------------------------------------------------------------------------


def _outline(page: PageImage) -> PageImage:
    """Cut a photographed page out of its background and square it up."""
    quad = find_page_quad(page.pixels)
    if quad is None:
        return page
    tl, tr, br, bl = quad
    width = int(round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))))
    height = int(round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))))
    dst = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], "float32")
    matrix = cv2.getPerspectiveTransform(quad.astype("float32"), dst)
    pixels = cv2.warpPerspective(
        page.pixels, matrix, (width, height), flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    dpi = page.dpi
    if "dpi_estimated" in page.steps:  # the old guess counted the background too
        dpi = max(1, int(round(max(width, height) / PAGE_LIMITS.assumed_long_in)))
    return _with(page, pixels, "outline_warp", dpi)


def find_page_quad(gray: np.ndarray) -> np.ndarray | None:
    """Corners (tl, tr, br, bl; full-resolution pixels) of a page lying on a darker ground.

    None when the page fills the frame, is not a clear quadrilateral, or is not clearly
    brighter than its surroundings (a shading gradient on a scan must not look like a page).
    """
    small, scale = _shrink(gray, TUNING.outline_long_side)
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    hull = cv2.convexHull(max(contours, key=cv2.contourArea))
    share = cv2.contourArea(hull) / float(small.shape[0] * small.shape[1])
    if not TUNING.outline_min_share <= share <= TUNING.outline_max_share:
        return None
    approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(approx) != 4:
        return None
    quad = _order_corners(approx.reshape(4, 2).astype(np.float64))
    if not _is_page_like(quad, blurred):
        return None
    return quad / scale


def _order_corners(pts: np.ndarray) -> np.ndarray:
    """tl, tr, br, bl: by the sum and difference of coordinates."""
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]])


def _is_page_like(quad: np.ndarray, gray: np.ndarray) -> bool:
    lo, hi = TUNING.outline_corner_deg
    for i in range(4):
        a, b = quad[i - 1] - quad[i], quad[(i + 1) % 4] - quad[i]
        cos = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9))
        if not lo <= np.degrees(np.arccos(np.clip(cos, -1, 1))) <= hi:
            return False
    inside = np.zeros(gray.shape, np.uint8)
    cv2.fillConvexPoly(inside, quad.astype(np.int32), 255)
    if inside.all() or not inside.any():
        return False
    contrast = np.median(gray[inside > 0]) - np.median(gray[inside == 0])
    return bool(contrast >= TUNING.outline_min_contrast)


# --- (b) illumination ------------------------------------------------------------------------


def _flatten(page: PageImage) -> PageImage:
    """Divide out uneven light (a photo's vignette, a scanner's shading)."""
    background = paper_background(page.pixels)
    lo, hi = np.percentile(background, (5, 95))
    if hi - lo <= TUNING.flatten_uneven_levels:
        return page
    full = cv2.resize(background, (page.width, page.height), interpolation=cv2.INTER_LINEAR)
    pixels = cv2.divide(page.pixels, np.maximum(full, 1), scale=255)
    return _with(page, pixels, "flatten")


def paper_background(gray: np.ndarray) -> np.ndarray:
    """The brightness of the bare paper, downscaled: ink closed away, then smoothed."""
    small, _ = _shrink(gray, TUNING.flatten_long_side)
    k = int(max(small.shape) * TUNING.flatten_kernel_share) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    return cv2.GaussianBlur(closed, (0, 0), k / 2)


# --- (c) resolution --------------------------------------------------------------------------


def _upscale(page: PageImage) -> PageImage:
    """Bring a low-resolution page to ~300 dpi: tesseract reads small text badly."""
    if page.dpi >= TUNING.upscale_below_dpi:
        return page
    factor = TUNING.target_dpi / page.dpi
    max_factor = (TUNING.upscale_max_pixels / (page.width * page.height)) ** 0.5
    factor = min(factor, max_factor)
    if factor <= 1.0:
        return page
    pixels = cv2.resize(page.pixels, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    return _with(page, pixels, "upscale", int(round(page.dpi * factor)))


# --- (d) skew --------------------------------------------------------------------------------


def _deskew(page: PageImage) -> PageImage:
    """Rotate so ruling lines (or, failing those, text lines) run horizontal."""
    angle = skew_angle(page.pixels)
    if angle is None or abs(angle) <= TUNING.deskew_min_deg:
        return page
    return _with(page, rotate(page.pixels, angle), "deskew")


def skew_angle(gray: np.ndarray) -> float | None:
    """Degrees the page's horizontals fall to the right (clockwise as seen); None: no cue.

    Hough on the edges of horizontal strokes (ruling lines, underlines) gives a coarse
    angle cheaply; a projection profile of those strokes around it gives the fine one. A
    page without rules falls back to its text lines (letters smeared into bars).
    """
    small, _ = _shrink(gray, TUNING.deskew_long_side)
    ink = _ink(small)
    k = max(9, int(small.shape[1] * TUNING.deskew_stroke_share))
    marks = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, k), np.uint8))
    coarse = _hough_angle(_half(marks), TUNING.deskew_rule_share)
    if coarse is None:
        bars = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((1, 2 * k), np.uint8))
        bars = cv2.morphologyEx(bars, cv2.MORPH_OPEN, np.ones((1, 2 * k), np.uint8))
        coarse = _hough_angle(_half(_top_bottom(bars)), TUNING.deskew_line_share)
        marks = ink
    if coarse is None:
        return None
    return _profile_angle(marks, coarse)


def _top_bottom(mask: np.ndarray) -> np.ndarray:
    """Only the upper and lower edge pixels of bars: far fewer points for Hough."""
    return cv2.subtract(mask, cv2.erode(mask, np.ones((3, 1), np.uint8)))


def _half(mask: np.ndarray) -> np.ndarray:
    """Half-size binary mask: the coarse angle needs a quarter of the points."""
    small = cv2.resize(mask, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    return cv2.threshold(small, 63, 255, cv2.THRESH_BINARY)[1]


def _hough_angle(mask: np.ndarray, share: float) -> float | None:
    """Length-weighted median angle of near-horizontal Hough segments of `mask`."""
    min_len = mask.shape[1] * share
    segments = cv2.HoughLinesP(
        mask, 1, np.pi / 360, threshold=max(1, int(min_len / 2)), minLineLength=int(min_len),
        maxLineGap=int(min_len / 20) + 1,
    )
    if segments is None:
        return None
    x1, y1, x2, y2 = segments.reshape(-1, 4).astype(np.float64).T
    angles = np.degrees(np.arctan2(y2 - y1, x2 - x1))
    angles = (angles + 90.0) % 180.0 - 90.0
    lengths = np.hypot(x2 - x1, y2 - y1)
    keep = np.abs(angles) <= TUNING.deskew_max_deg
    if keep.sum() < TUNING.deskew_min_segments:
        return None
    return _weighted_median(angles[keep], lengths[keep])


def _profile_angle(mask: np.ndarray, coarse: float) -> float:
    """The angle near `coarse` at which the marks' row profile is sharpest (coarse to fine)."""
    ys, xs = np.nonzero(mask)
    if len(ys) > TUNING.deskew_max_points:
        pick = np.random.default_rng(0).choice(len(ys), TUNING.deskew_max_points, replace=False)
        ys, xs = ys[pick], xs[pick]
    xs, ys = xs.astype(np.float64), ys.astype(np.float64)
    best, span = coarse, TUNING.deskew_refine_span_deg
    for step in TUNING.deskew_refine_steps_deg:
        candidates = np.arange(best - span, best + span + step / 2, step)
        best = float(max(candidates, key=lambda a: _profile_score(xs, ys, a)))
        span = step
    return best


def _profile_score(xs: np.ndarray, ys: np.ndarray, angle: float) -> float:
    rad = np.radians(angle)
    rows = np.round(ys * np.cos(rad) - xs * np.sin(rad)).astype(np.int64)
    counts = np.bincount(rows - rows.min()).astype(np.float64)
    return float(counts @ counts)


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2.0)])


def rotate(gray: np.ndarray, angle: float, interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
    """Rotate counter-clockwise by `angle` degrees on a canvas grown to keep the corners.

    Bilinear by default: 25 ms on an A4 page against 85 ms for bicubic. The sample
    generator asks for bicubic, where looks matter more than speed.
    """
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(np.ceil(w * cos + h * sin)), int(np.ceil(w * sin + h * cos))
    matrix[0, 2] += (new_w - w) / 2.0
    matrix[1, 2] += (new_h - h) / 2.0
    return cv2.warpAffine(
        gray, matrix, (new_w, new_h), flags=interpolation,
        borderMode=cv2.BORDER_CONSTANT, borderValue=255,
    )


# --- (e) orientation -------------------------------------------------------------------------


def _orient(page: PageImage) -> PageImage:
    """Turn a sideways page upright; tesseract's OSD is asked only when it looks sideways."""
    if not looks_sideways(page.pixels):
        return page
    turn = _osd_rotation(page)
    if turn is None or turn % 360 == 0:
        return page
    pixels = np.ascontiguousarray(np.rot90(page.pixels, k=-(turn // 90)))
    return _with(page, pixels, f"orient_{turn % 360}")


def looks_sideways(gray: np.ndarray) -> bool:
    """True when the text strokes run the wrong way for upright Latin script.

    Upright Latin letters have more vertical stems than horizontal bars, so the
    horizontal gradient carries more energy than the vertical one; long ruling lines are
    removed first because a table's rules say nothing about the text direction.
    """
    small, _ = _shrink(gray, TUNING.orient_long_side)
    ink = _ink(small)
    if not TUNING.orient_min_ink <= (ink > 0).mean() <= TUNING.orient_max_ink:
        return False
    k = max(15, max(small.shape) // 25)
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, k), np.uint8))
    rules |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((k, 1), np.uint8))
    text = cv2.subtract(ink, cv2.dilate(rules, np.ones((3, 3), np.uint8))).astype(np.float32)
    gx = np.abs(cv2.Sobel(text, cv2.CV_32F, 1, 0, ksize=3)).sum()
    gy = np.abs(cv2.Sobel(text, cv2.CV_32F, 0, 1, ksize=3)).sum()
    return bool(gx < TUNING.orient_sideways_ratio * gy)


def _osd_rotation(page: PageImage) -> int | None:
    """Degrees to turn the page clockwise, per tesseract OSD; None when it is unsure."""
    import pytesseract

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        osd = pytesseract.image_to_osd(
            page.pixels, config=f"--psm 0 --dpi {page.dpi}",
            output_type=pytesseract.Output.DICT, timeout=TUNING.osd_timeout_s,
        )
    except (pytesseract.TesseractError, RuntimeError):  # too few letters, or timed out
        return None
    if float(osd.get("orientation_conf", 0.0)) < TUNING.osd_min_conf:
        return None
    return int(osd.get("rotate", 0))


STEPS: tuple[Step, ...] = (_outline, _flatten, _upscale, _deskew, _orient)
