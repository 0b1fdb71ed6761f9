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


# --- header words as rapidocr and a damaged scan give them ------------------------------


def _word(text: str, x0: float, y0: float, x1: float, line: int, conf: float = 0.95):
    from pipeline.records import Word

    return Word(text=text, confidence=conf, bbox=(x0, y0, x1, y0 + 26), line=line)


class _Digits:
    """An engine whose region re-read gives fixed digits, and records where it looked."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.regions: list[tuple[int, int, int, int]] = []

    def read_region(self, page, bbox, *, psm=7, whitelist=None):
        self.regions.append(tuple(bbox))
        return [_word(self.text, bbox[0] + 4, bbox[1] + 6, bbox[2] - 8, 99)]


def _blank_page() -> PageImage:
    return PageImage(number=1, pixels=np.full((2480, 3508), 255, np.uint8), dpi=300)


def test_a_kode_pos_glued_to_its_colon_is_re_read_from_the_value_column() -> None:
    """`: 52183` read as one word `1102183`: the other right-hand values start at x=2351."""
    words = [
        _word("Kecamatan", 1900, 436, 2070, 1), _word(":", 2200, 436, 2210, 1),
        _word("CILEDUG", 2354, 436, 2500, 1),
        _word("Kode", 1900, 549, 1985, 2), _word("Pos", 1992, 549, 2050, 2),
        _word("1102183", 2323, 549, 2447, 2, conf=0.41),
        _word("Provinsi", 1900, 604, 2030, 3), _word(":", 2200, 604, 2210, 3),
        _word("BANTEN", 2351, 604, 2484, 3),
    ]
    class ColonAsDigits(_Digits):  # the colon is inside any box that starts left of it
        def read_region(self, page, bbox, *, psm=7, whitelist=None):
            self.text = "52183" if bbox[0] > 2340 else "1102183"
            return super().read_region(page, bbox, psm=psm, whitelist=whitelist)

    engine = ColonAsDigits("")
    fields = kk._header_fields(_blank_page(), words, engine)
    assert fields["kode_pos"].value == "52183"
    assert any(region[0] == 2351 - 4 for region in engine.regions)  # read past the colon


def test_a_number_glued_to_no_is_the_no_kk() -> None:
    words = [_word("KARTU", 1400, 150, 1650, 1), _word("KELUARGA", 1690, 150, 2080, 1),
             _word("No.3315011203150007", 1520, 236, 2000, 2)]
    found = kk._nomor_kk(_blank_page(), words, _Digits(""))
    assert found is not None and found.value == "3315011203150007"


def test_the_signature_block_is_not_the_head_of_family_label() -> None:
    """"KEPALA KELUARGA" above the signature scores 86 against the header label."""
    words = [_word("Nama", 160, 333, 245, 1), _word("Kepala", 260, 333, 365, 1),
             _word("Keluarga", 375, 333, 500, 1), _word(":", 530, 333, 540, 1),
             _word("PRASETYO", 560, 333, 745, 1),
             _word("KEPALA", 900, 2000, 1030, 9), _word("KELUARGA", 1040, 2000, 1200, 9),
             _word("WNI", 1300, 2000, 1360, 9)]
    values = kk._label_values(words, 3508, 2480)
    assert [w.text for w in values["nama_kepala_keluarga"]][-1] == "PRASETYO"
    no_name = kk._label_values(words[5:], 3508, 2480)
    assert "nama_kepala_keluarga" not in no_name


# --- evidence between fields -------------------------------------------------------------


def test_a_kode_pos_one_digit_off_the_kecamatans_code_is_snapped() -> None:
    """Malingping (36.02.01) uses only 42391; a clean page read 42301 at 0.86."""
    from extractors.kk import postal_evidence

    snapped = postal_evidence(_field("42301", 0.86), "36.02.01")
    assert (snapped.value, snapped.raw) == ("42391", "42301")
    assert snapped.confidence == pytest.approx(0.86 * 0.9, abs=0.001)
    assert postal_evidence(_field("42391", 0.7), "36.02.01").confidence == 0.9
    assert postal_evidence(_field("17777", 0.9), "36.02.01").confidence == 0.45


def test_a_nik_and_birth_date_that_disagree_both_go_under_the_floor() -> None:
    from extractors.kk import nik_date_evidence

    woman = {"nik": _field("3175074508940028", 0.8), "tanggal_lahir": _field("1994-08-05", 0.7)}
    agreed = nik_date_evidence(woman)
    assert agreed["nik"].confidence == 0.9 and agreed["tanggal_lahir"].confidence == 0.9
    misread = {**woman, "tanggal_lahir": _field("1994-08-01", 0.94)}  # 5 read as 1
    doubted = nik_date_evidence(misread)
    assert doubted["tanggal_lahir"].confidence == 0.47 and doubted["nik"].confidence == 0.4
