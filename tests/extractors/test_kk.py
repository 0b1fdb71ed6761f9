"""extractors.kk read back from rendered KK pages (ground truth from samples.truth).

Three pages in all (digital, blangko, blangko blurred + JPEG) keep the suite short; the
wider sweep over fonts and seeds belongs to `make bench`.
"""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageFilter

from extractors.kk import edition, extract_kk
from pipeline.records import Field, PageImage, PageText, Word
from samples.render_kk import render_kk
from samples.truth import make_family

FONTS = Path("/usr/share/fonts/truetype")


def _blur_jpeg(image: Image.Image) -> Image.Image:
    blurred = image.filter(ImageFilter.GaussianBlur(0.8))
    buffer = io.BytesIO()
    blurred.save(buffer, "JPEG", quality=65)
    return Image.open(buffer).convert("L")


CASES = {
    "digital": (1, "digital", FONTS / "dejavu/DejaVuSans.ttf", 5, False),
    "blangko": (2, "blangko", FONTS / "liberation/LiberationSerif-Regular.ttf", 4, False),
    "blangko-blur-jpeg": (3, "blangko", FONTS / "freefont/FreeSans.ttf", 3, True),
}


@pytest.fixture(scope="module", params=list(CASES))
def read_back(request: pytest.FixtureRequest) -> tuple[dict[str, Any], dict[str, Any], str, str]:
    from extractors.ocr import TesseractEngine

    seed, generation, font, members, degrade = CASES[request.param]
    rng = random.Random(seed)
    truth = make_family(rng, generation=generation, members=members)
    image = render_kk(truth, generation=generation, font=font, rng=rng)
    if degrade:
        image = _blur_jpeg(image)
    page = PageImage(number=1, pixels=np.array(image), dpi=300)
    engine = TesseractEngine()
    text = engine.read_page(page)
    return truth, extract_kk([page], [text], engine), edition([text]), generation


def _values(tree: dict[str, Any]) -> dict[str, Any]:
    out = {k: v.value for k, v in tree.items() if isinstance(v, Field)}
    out["anggota_keluarga"] = [{k: f.value for k, f in m.items()}
                               for m in tree.get("anggota_keluarga", [])]
    return out


@pytest.mark.ocr
def test_header_fields_equal_truth(read_back) -> None:
    truth, tree, _, _ = read_back
    got = _values(tree)
    for key, expected in truth.items():
        if key != "anggota_keluarga":
            assert got.get(key) == expected, key


@pytest.mark.ocr
def test_member_tables_equal_truth_field_by_field(read_back) -> None:
    truth, tree, _, _ = read_back
    got = _values(tree)["anggota_keluarga"]
    assert len(got) == len(truth["anggota_keluarga"])
    for i, (want, have) in enumerate(zip(truth["anggota_keluarga"], got)):
        printed = {k: v for k, v in want.items() if v != "-"}  # "-" cells are absent keys
        assert have == printed, f"anggota_keluarga[{i}]"


@pytest.mark.ocr
def test_edition_and_field_provenance(read_back) -> None:
    _, tree, found_edition, generation = read_back
    assert found_edition == generation
    nik = tree["anggota_keluarga"][0]["nik"]
    assert nik.page == 1 and 0.0 < nik.confidence <= 1.0
    x0, y0, x1, y1 = nik.bbox
    assert 0 <= x0 < x1 <= 3508 and 0 <= y0 < y1 <= 2480


def test_edition_cues_without_ocr() -> None:
    def text(*words: str) -> PageText:
        return PageText(page=1, width=10, height=10, source="ocr", words=tuple(
            Word(text=w, confidence=0.9, bbox=(0, 0, 1, 1)) for w in words))

    assert edition([text("Balai", "Sertifikasi", "Elektronik", "(BSrE),")]) == "digital"
    assert edition([text("LEMBAR", "I", ":", "UNTUK")]) == "blangko"


def test_render_is_a_300_dpi_landscape_grayscale_page() -> None:
    rng = random.Random(5)
    truth = make_family(rng, generation="digital", members=10)
    image = render_kk(truth, generation="digital", font=FONTS / "dejavu/DejaVuSans.ttf", rng=rng)
    assert image.mode == "L" and image.size == (3508, 2480)
    assert image.info["dpi"] == (300, 300)


def test_a_damaged_column_header_gets_the_key_its_neighbour_left_free() -> None:
    """'TA LAHIR' scores closer to TEMPAT LAHIR than to TANGGAL LAHIR (seen on a clean page)."""
    from extractors.kk import _column_keys
    from extractors.table import Table
    from pipeline.records import Word

    headers = ["No", "Nama Lengkap", "NIK", "Tempat Lahir", "Ta Lahir", "Agama"]
    cells = (tuple((i * 100.0, 0.0, i * 100.0 + 90, 40.0) for i in range(len(headers))),)
    by_cell = {(0, c): [Word(text=t, confidence=0.9, bbox=cells[0][c]) for t in text.split()]
               for c, text in enumerate(headers)}

    class NoReread:
        def read_region(self, *args, **kwargs):
            raise AssertionError("every header was readable enough; no re-read expected")

    keys = _column_keys(None, Table(bbox=(0, 0, 600, 40), cells=cells), by_cell, NoReread())
    assert keys == {0: "no", 1: "nama_lengkap", 2: "nik", 3: "tempat_lahir",
                    4: "tanggal_lahir", 5: "agama"}
