"""extractors.image: page outline, flattening, upscaling, deskew, orientation."""

from __future__ import annotations

import io
import random
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractors import image as imaging
from extractors.image import find_page_quad, preprocess
from extractors.pages import load_pages
from pipeline.records import PageImage
from pipeline.settings import Settings
from samples.degrade import photo

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
WORDS = ("NAMA LENGKAP NIK ALAMAT RT RW DESA KECAMATAN KABUPATEN PROVINSI tempat lahir "
         "tanggal jenis kelamin agama pendidikan pekerjaan status hubungan").split()
INSET = 0.05  # the frame drawn around the page content, as a share of the page


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.truetype(str(FONT), size) if FONT.exists() else ImageFont.load_default(size)


def _page(w: int = 2480, h: int = 3508, rules: bool = True, seed: int = 0) -> Image.Image:
    """A form-like 300 dpi page: a thick frame, text lines, a rule under each line."""
    rng = random.Random(seed)
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    font = _font(h // 92)
    m = int(INSET * w), int(INSET * h)
    draw.rectangle([m[0], m[1], w - m[0], h - m[1]], outline=0, width=max(4, w // 300))
    for y in range(m[1] + h // 40, h - m[1] - h // 30, h // 45):
        x = m[0] + w // 60
        while x < w - m[0] - w // 5:
            word = rng.choice(WORDS)
            draw.text((x, y), word, font=font, fill=0)
            x += int(draw.textlength(word, font=font)) + w // 100
        if rules:
            draw.line([m[0], y + h // 55, w - m[0], y + h // 55], fill=0, width=3)
    img.info["dpi"] = (300, 300)
    return img


def _as_page(img: Image.Image, dpi: int = 300, steps: tuple[str, ...] = ()) -> PageImage:
    return PageImage(number=1, pixels=np.asarray(img.convert("L")).copy(), dpi=dpi, steps=steps)


def _frame_corners(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """Corners of the drawn frame (largest dark component) and how rectangular it is."""
    ink = (gray < 128).astype(np.uint8)
    contours, _ = cv2.findContours(ink, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    frame = max(contours, key=cv2.contourArea)
    x, y, w, h = cv2.boundingRect(frame)
    return np.array([x, y, x + w, y + h], float), cv2.contourArea(frame) / float(w * h)


def _top_edge_angle(gray: np.ndarray) -> float:
    """Angle (deg) of the frame's top edge: first dark row per column, fitted by a line."""
    h, w = gray.shape
    cols = np.arange(int(w * 0.2), int(w * 0.8), 5)
    ys = np.array([np.argmax(gray[: h // 3, c] < 128) for c in cols], float)
    slope = np.polyfit(cols, ys, 1)[0]
    return float(np.degrees(np.arctan(slope)))


@pytest.fixture(autouse=True)
def _no_osd_unless_allowed(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest):
    """Tesseract's OSD is the slow path: it must not run unless a test expects it."""
    if "ocr" in request.keywords:
        return

    def refuse(page: PageImage) -> int | None:
        raise AssertionError("OSD called on a page that is not sideways")

    monkeypatch.setattr(imaging, "_osd_rotation", refuse)


def test_clean_page_passes_untouched() -> None:
    page = _as_page(_page())
    out = preprocess(page)
    assert out is not page and out.steps == () and out.dpi == 300
    assert np.array_equal(out.pixels, page.pixels)


@pytest.mark.parametrize("angle", [2.5, -1.3])
@pytest.mark.parametrize("rules", [True, False])
def test_rotated_page_is_deskewed(angle: float, rules: bool) -> None:
    img = _page(rules=rules).rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
    page = _as_page(img)
    assert abs(_top_edge_angle(page.pixels) + angle) < 0.1  # the measure sees the tilt
    out = preprocess(page)
    assert out.steps == ("deskew",)
    assert abs(_top_edge_angle(out.pixels)) < 0.2
    assert out.pixels[0, 0] == 255 and out.pixels[-1, -1] == 255  # white fill, not black
    assert np.array_equal(page.pixels, np.asarray(img))  # input not modified


def test_tiny_skew_is_left_alone() -> None:
    img = _page().rotate(0.05, resample=Image.BICUBIC, fillcolor=255)
    assert "deskew" not in preprocess(_as_page(img)).steps


def _photo_page(seed: int) -> tuple[PageImage, np.ndarray]:
    """A photo of the page as uploaded (JPEG, no dpi) and the page corners in it."""
    shot, corners = photo(_page(), random.Random(seed))
    buf = io.BytesIO()
    shot.save(buf, "JPEG", quality=80)
    [loaded] = load_pages(buf.getvalue(), "image/jpeg", Settings())
    return loaded.image, corners


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_page_outline_is_found(seed: int) -> None:
    page, truth = _photo_page(seed)
    quad = find_page_quad(page.pixels)
    assert quad is not None
    error = np.abs(quad - truth) / np.array([page.width, page.height])
    assert error.max() < 0.01


@pytest.mark.parametrize("seed", [1, 4])
def test_photo_is_flattened_to_the_page(seed: int) -> None:
    page, _ = _photo_page(seed)
    assert page.dpi < 250 and page.steps == ("dpi_estimated",)
    out = preprocess(page)
    assert out.steps[:3] == ("dpi_estimated", "outline_warp", "flatten")
    assert "upscale" in out.steps and out.dpi == 300
    assert abs(max(out.pixels.shape) - 3508) < 0.05 * 3508
    box, rectangular = _frame_corners(out.pixels)
    rel = box / np.array([out.width, out.height, out.width, out.height])
    assert np.abs(rel - [INSET, INSET, 1 - INSET, 1 - INSET]).max() < 0.025
    assert rectangular > 0.97  # square corners: the perspective is gone
    assert abs(_top_edge_angle(out.pixels)) < 0.3


def test_scan_shading_does_not_look_like_a_page_outline() -> None:
    pixels = np.asarray(_page(), dtype=np.float32)
    shade = np.linspace(1.0, 0.82, pixels.shape[1], dtype=np.float32)[None, :]
    page = _as_page(Image.fromarray((pixels * shade).astype(np.uint8)))
    assert find_page_quad(page.pixels) is None
    out = preprocess(page)
    assert out.steps == ("flatten",)
    background = imaging.paper_background(out.pixels)
    assert np.ptp(np.percentile(background, (5, 95))) < 8
    assert out.pixels[page.pixels < 60].mean() < 80  # ink stays dark


def test_low_resolution_page_is_upscaled() -> None:
    img = _page().resize((1240, 1754), Image.LANCZOS)
    out = preprocess(_as_page(img, dpi=150))
    assert out.steps == ("upscale",) and out.dpi == 300
    assert abs(out.width - 2480) <= 2 and abs(out.height - 3508) <= 2


def test_sideways_page_is_turned_with_osd(monkeypatch: pytest.MonkeyPatch) -> None:
    upright = _as_page(_page())
    sideways = _as_page(Image.fromarray(np.rot90(upright.pixels).copy()))  # counter-clockwise
    assert imaging.looks_sideways(sideways.pixels)
    assert not imaging.looks_sideways(upright.pixels)
    monkeypatch.setattr(imaging, "_osd_rotation", lambda page: 90)
    out = preprocess(sideways)
    assert out.steps == ("orient_90",)
    assert np.array_equal(out.pixels, upright.pixels)


@pytest.mark.ocr
@pytest.mark.parametrize("turns", [1, 3])
def test_tesseract_osd_turns_page_upright(turns: int) -> None:
    upright = _as_page(_page(rules=False))
    sideways = _as_page(Image.fromarray(np.rot90(upright.pixels, turns).copy()))
    out = preprocess(sideways)
    assert out.steps == (f"orient_{90 * turns}",)
    assert np.array_equal(out.pixels, upright.pixels)


def test_timings_are_reported_per_step() -> None:
    timings: dict[str, float] = {}
    preprocess(_as_page(_page(1240, 1754)), timings)
    assert list(timings) == ["outline", "flatten", "upscale", "deskew", "orient"]
    assert all(v >= 0 for v in timings.values())


@pytest.mark.parametrize("pixels", [
    np.full((3508, 2480), 255, np.uint8),
    np.zeros((1200, 900), np.uint8),
    np.random.default_rng(0).integers(0, 256, (1500, 1100), dtype=np.uint8),
    np.full((12, 9), 128, np.uint8),
], ids=["blank", "black", "noise", "tiny"])
def test_odd_pages_do_not_crash(pixels: np.ndarray) -> None:
    out = preprocess(PageImage(number=1, pixels=pixels, dpi=300))
    assert out.pixels.dtype == np.uint8 and out.pixels.ndim == 2
