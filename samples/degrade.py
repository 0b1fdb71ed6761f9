"""Make a clean rendered page look like what applicants upload: a flatbed scan or a phone photo.

The tiers mirror the uploads the offices see. A scan is the page a little crooked on the
glass, a touch soft, with sensor noise and a faint shading of the lid; a photo is the page
lying on a table, shot at an angle under uneven light, at phone-upload resolution, with no
dpi in the file. JPEG artefacts are left to the generator, which chooses the file format.
All randomness comes from the `rng` passed in, so a seed reproduces a sample exactly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Literal

import cv2
import numpy as np
from PIL import Image

from extractors.image import rotate

Tier = Literal["clean", "scan", "photo"]


@dataclass(frozen=True)
class _Ranges:
    """How strong each defect may be (low, high), drawn uniformly per sample."""

    scan_rotation_deg: tuple[float, float] = (0.3, 3.0)
    scan_blur_sigma: tuple[float, float] = (0.4, 0.9)
    scan_noise_sigma: tuple[float, float] = (2.0, 6.0)
    scan_shading: tuple[float, float] = (0.04, 0.12)  # darkest edge loses this share of white
    photo_margin: tuple[float, float] = (0.06, 0.14)  # of the page size, each side
    photo_background: tuple[float, float] = (50.0, 120.0)  # table gray level
    photo_corner_shift: tuple[float, float] = (0.02, 0.06)  # of the page size
    photo_light_floor: tuple[float, float] = (0.55, 0.75)  # darkest corner's share of light
    photo_scale: tuple[float, float] = (0.45, 0.65)  # of a 300 dpi page: ~135-195 dpi
    photo_blur_sigma: tuple[float, float] = (0.5, 1.0)
    photo_noise_sigma: tuple[float, float] = (3.0, 7.0)


RANGES = _Ranges()


def degrade(image: Image.Image, tier: Tier, rng: random.Random) -> Image.Image:
    """The page as a `tier` upload would show it ("clean" returns it unchanged)."""
    if tier == "clean":
        return image
    if tier == "scan":
        return scan(image, rng)
    if tier == "photo":
        return photo(image, rng)[0]
    raise ValueError(f"unknown degradation tier {tier!r}")


def scan(image: Image.Image, rng: random.Random) -> Image.Image:
    """A flatbed scan: skew on the glass (white fill), shading, softness, noise; dpi kept."""
    nrng = np.random.default_rng(rng.getrandbits(64))
    angle = rng.uniform(*RANGES.scan_rotation_deg) * rng.choice((-1, 1))
    pixels = rotate(np.asarray(image.convert("L"), dtype=np.float32), angle, cv2.INTER_CUBIC)
    pixels *= _linear_light(pixels.shape, 1.0 - rng.uniform(*RANGES.scan_shading), rng)
    pixels = cv2.GaussianBlur(pixels, (0, 0), rng.uniform(*RANGES.scan_blur_sigma))
    noise = nrng.normal(0.0, rng.uniform(*RANGES.scan_noise_sigma), pixels.shape)
    pixels += noise.astype(np.float32)
    out = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")
    if "dpi" in image.info:
        out.info["dpi"] = image.info["dpi"]
    return out


def photo(image: Image.Image, rng: random.Random) -> tuple[Image.Image, np.ndarray]:
    """A phone photo, and where the page's corners (tl, tr, br, bl) ended up in it.

    The corners let tests check the page-outline step against the truth. The page is
    shrunk first (INTER_AREA, as a camera's optics would) and everything after runs at
    the photo's resolution, which keeps a sample at a fraction of a second.
    """
    nrng = np.random.default_rng(rng.getrandbits(64))
    page = np.asarray(image.convert("L"), dtype=np.float32)
    h, w = page.shape
    scale = rng.uniform(*RANGES.photo_scale)
    mx, my = (rng.uniform(*RANGES.photo_margin) * s for s in (w, h))
    corners = _shifted_corners(w, h, mx, my, rng) * scale
    small = cv2.resize(page, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape
    size = (round((w + 2 * mx) * scale), round((h + 2 * my) * scale))
    src = np.array([[0, 0], [sw, 0], [sw, sh], [0, sh]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
    warped = cv2.warpPerspective(small, matrix, size, flags=cv2.INTER_LINEAR)
    cover = cv2.warpPerspective(np.ones_like(small), matrix, size, flags=cv2.INTER_LINEAR)
    shape = (size[1], size[0])
    pixels = warped * cover + _table(shape, rng, nrng) * (1.0 - cover)
    pixels *= _vignette(shape, rng)
    pixels = cv2.GaussianBlur(pixels, (0, 0), rng.uniform(*RANGES.photo_blur_sigma))
    pixels += nrng.normal(0.0, rng.uniform(*RANGES.photo_noise_sigma), shape).astype(np.float32)
    out = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")
    return out, corners  # a fresh Image: its info carries no dpi


def _shifted_corners(w: int, h: int, mx: float, my: float, rng: random.Random) -> np.ndarray:
    """The page corners on the canvas, each pushed 2-6 % of the page size in or out."""
    base = np.array([[mx, my], [mx + w, my], [mx + w, my + h], [mx, my + h]], np.float64)
    shifts = np.array(
        [[rng.uniform(*RANGES.photo_corner_shift) * w * rng.choice((-1, 1)),
          rng.uniform(*RANGES.photo_corner_shift) * h * rng.choice((-1, 1))]
         for _ in range(4)]
    )
    limit = np.array([mx, my]) * 0.9  # stay on the canvas
    return base + np.clip(shifts, -limit, limit)


def _table(shape: tuple[int, int], rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    """A darker textured surface: a base gray, coarse blotches and wood-like streaks."""
    base = rng.uniform(*RANGES.photo_background)
    coarse = cv2.resize(
        nrng.normal(0.0, 12.0, (shape[0] // 32 + 2, shape[1] // 32 + 2)).astype(np.float32),
        (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC,
    )
    streaks = cv2.resize(
        nrng.normal(0.0, 8.0, (shape[0], 1)).astype(np.float32), (shape[1], shape[0]),
        interpolation=cv2.INTER_LINEAR,
    )
    grain = nrng.normal(0.0, 6.0, shape).astype(np.float32)
    return np.clip(base + coarse + streaks + grain, 0, 255)


def _smooth_field(shape: tuple[int, ...], field: Callable[[np.ndarray, np.ndarray], np.ndarray]
                  ) -> np.ndarray:
    """A smooth gain computed on a coarse grid of relative coordinates, then enlarged.

    Light fields vary slowly, so 1/16 of the resolution loses nothing and saves most of
    the time a full-size grid would take.
    """
    h, w = shape[:2]
    gh, gw = max(2, h // 16), max(2, w // 16)
    yy, xx = np.ogrid[0:gh, 0:gw]
    small = field(yy.astype(np.float32) / (gh - 1), xx.astype(np.float32) / (gw - 1))
    return cv2.resize(small.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)


def _vignette(shape: tuple[int, int], rng: random.Random) -> np.ndarray:
    """Light falling off from a point near the centre, times a linear gradient."""
    floor = rng.uniform(*RANGES.photo_light_floor)
    cy, cx = rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7)

    def radial(yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
        r = np.hypot(yy - cy, xx - cx) / np.hypot(0.7, 0.7)
        return 1.0 - (1.0 - floor) * 0.8 * np.clip(r, 0, 1) ** 2

    return _smooth_field(shape, radial) * _linear_light(shape, 1.0 - (1.0 - floor) * 0.5, rng)


def _linear_light(shape: tuple[int, ...], darkest: float, rng: random.Random) -> np.ndarray:
    """A gain falling linearly from 1 to `darkest` in a random direction."""
    theta = rng.uniform(0.0, 2.0 * np.pi)

    def ramp(yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
        t = (xx - 0.5) * np.cos(theta) + (yy - 0.5) * np.sin(theta)
        t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
        return 1.0 - (1.0 - darkest) * t

    return _smooth_field(shape, ramp)
