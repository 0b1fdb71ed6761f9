"""Phone-photo KK pages: rows kept after the warp, header places snapped to official names.

The OCR test renders one KK, photographs it with samples.degrade.photo, preprocesses it
(outline warp, flatten, upscale) and reads it with rapidocr, the engine periksa uses for
photos: every member row must come back with its NIK. The other tests are pure and fast.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from extractors import kk
from extractors.image import preprocess
from extractors.kk import extract_kk, snap_places
from pipeline.records import Field, PageImage
from samples.degrade import photo
from samples.render_kk import render_kk
from samples.truth import make_family

FONTS = Path("/usr/share/fonts/truetype")


def _field(value: str, confidence: float = 0.8) -> Field:
    return Field(value=value, raw=value, confidence=confidence, page=1, bbox=(0, 0, 10, 10))


# --- ink in a cell (why photo rows vanished) ----------------------------------------------


def _cell_page(ink_level: int, noise: float, seed: int = 0) -> PageImage:
    """A 60 x 40 cell of paper (253) with a 3 x 12 px digit stroke at `ink_level`."""
    rng = np.random.default_rng(seed)
    pixels = np.full((40, 60), 253.0) + rng.normal(0, noise, (40, 60))
    pixels[14:26, 28:31] = ink_level
    return PageImage(number=1, pixels=np.clip(pixels, 0, 255).astype(np.uint8), dpi=300)


def test_a_light_photo_digit_counts_as_ink() -> None:
    """Photo digits are ~130 gray after flattening: the old fixed level 128 saw nothing."""
    assert kk._ink(_cell_page(ink_level=135, noise=3.0), (0, 0, 60, 40)) >= 30


def test_a_blank_noisy_cell_has_no_ink() -> None:
    blank = _cell_page(ink_level=253, noise=5.0)
    assert kk._ink(blank, (0, 0, 60, 40)) == 0


def test_a_dark_scan_digit_is_still_ink() -> None:
    assert kk._ink(_cell_page(ink_level=10, noise=2.0), (0, 0, 60, 40)) >= 30


# --- header places snapped under the official chain -----------------------------------------


def test_a_misread_kecamatan_is_snapped_under_its_kabupaten() -> None:
    tree = {"provinsi": _field("JAWA TENGAH"), "kabupaten_kota": _field("GROBOGAN"),
            "kecamatan": _field("KEDUNGYJATI", 0.9)}
    snapped = snap_places(tree)
    kecamatan = snapped["kecamatan"]
    assert kecamatan.value == "KEDUNGJATI"
    assert kecamatan.raw == "KEDUNGYJATI"  # the reading stays as evidence
    assert kecamatan.confidence == pytest.approx(0.9 * 95.24 / 100, abs=0.002)
    assert snapped["provinsi"].confidence == 0.9  # an exact official name is evidence too


def test_a_name_from_another_kabupaten_is_not_snapped() -> None:
    """KEDUNGJATI is a kecamatan of Grobogan; under Kabupaten Semarang it is no match."""
    tree = {"provinsi": _field("JAWA TENGAH"), "kabupaten_kota": _field("SEMARANG"),
            "kecamatan": _field("KEDUNGYJATI", 0.9)}
    assert snap_places(tree)["kecamatan"].value == "KEDUNGYJATI"


def test_the_no_kk_code_stands_in_for_an_unreadable_level() -> None:
    """Provinsi and kab/kota unreadable: the No. KK's 33.15 still places the kecamatan."""
    tree = {"nomor_kk": _field("3315011203150007"), "provinsi": _field("JXWX TXNGXH"),
            "kabupaten_kota": _field("GRQBQGXN"), "kecamatan": _field("KEDUNGJAT1")}
    snapped = snap_places(tree)
    assert snapped["kecamatan"].value == "KEDUNGJATI"
    assert snapped["provinsi"].value == "JXWX TXNGXH"  # no guess where nothing is close


# --- the whole photo, read by rapidocr ------------------------------------------------------


@pytest.mark.ocr
def test_rapidocr_reads_every_row_and_nik_of_a_photographed_kk() -> None:
    from extractors.rapid import RapidEngine

    rng = random.Random(11)
    truth = make_family(rng, generation="digital", members=6)
    image = render_kk(truth, generation="digital", font=FONTS / "dejavu/DejaVuSerif.ttf", rng=rng)
    shot, _ = photo(image, random.Random(12))
    raw = np.asarray(shot)
    page = preprocess(PageImage(number=1, pixels=raw, dpi=160, steps=("dpi_estimated",)))
    assert "outline_warp" in page.steps
    engine = RapidEngine()
    tree = extract_kk([page], [engine.read_page(page)], engine)
    members = tree["anggota_keluarga"]
    assert len(members) == len(truth["anggota_keluarga"])
    assert [m["nik"].value for m in members] == [m["nik"] for m in truth["anggota_keluarga"]]
    assert [m["nama_lengkap"].value for m in members] == [
        m["nama_lengkap"] for m in truth["anggota_keluarga"]]
    assert tree["nomor_kk"].value == truth["nomor_kk"]
