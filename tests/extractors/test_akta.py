"""extractors.akta: anchors and spans on hand-made words, then rendered pages read back.

The OCR cases are three pages in all (inline values, colon column without a father, and a
blurred JPEG), each chosen by its render seed to cover one layout variant; the wider sweep
over fonts and seeds belongs to `make bench`.
"""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageFilter

from extractors.akta import REPAIR_PENALTY, extract_akta
from pipeline.records import Field, PageImage, PageText, Word
from samples.render_akta import PAGE_SIZE, render_akta

FONTS = Path("/usr/share/fonts/truetype")


# --- hand-made words: no tesseract ----------------------------------------------------


class FakeEngine:
    """Answers every region re-read with the same words (or none)."""

    name = "fake"

    def __init__(self, reread: list[str] | None = None) -> None:
        self.reread = reread or []
        self.calls = 0

    def read_page(self, page: PageImage) -> PageText:  # pragma: no cover - not used
        raise AssertionError("extract_akta must not OCR the page again")

    def read_region(self, page: PageImage, bbox: Any, *, psm: int = 7,
                    whitelist: str | None = None) -> list[Word]:
        self.calls += 1
        return [Word(text=t, confidence=0.8, bbox=(0, 0, 10, 10)) for t in self.reread]


def _words(lines: list[tuple[str, int, int]]) -> tuple[Word, ...]:
    """Words laid out left to right: (text, top y, height) per line, 22 px per character."""
    out = []
    for text, y, height in lines:
        x = 150
        for word in text.split():
            out.append(Word(text=word, confidence=0.93, bbox=(x, y, x + 22 * len(word), y + height)))
            x += 22 * (len(word) + 1)
    return tuple(out)


GLOSS = 20  # the English lines are smaller
MAIN = 30

COLON_NO_FATHER = [
    ("NIK 3201014512100003", 100, MAIN),
    ("Personal Registration Number", 140, GLOSS),
    ("KUTIPAN AKTA KELAHIRAN", 300, MAIN),
    ("EXCERPT OF BIRTH CERTIFICATE", 340, GLOSS),
    ("Berdasarkan Akta Kelahiran Nomor : 3201-LT-23082011-0012", 400, MAIN),
    ("Based on Birth Certificate Number", 440, GLOSS),
    ("bahwa di 1: BOGOR", 500, MAIN),  # the colon read as "1:"
    ("That in", 540, GLOSS),
    ("pada tanggal : LIMA bulan DESEMBER tahun DUA RIBU SEPULUH", 600, MAIN),
    ("On date month year", 640, GLOSS),
    ("telah lahir : I GUSTI AYU PUTRI", 700, MAIN),
    ("was born", 740, GLOSS),
    ("anak ke : KEDUA, PEREMPUAN", 800, MAIN),
    ("child no", 840, GLOSS),
    ("dari ibu : NI MADE SARI", 900, MAIN),
    ("from mother", 940, GLOSS),
    ("Kutipan ini dikeluarkan di KABUPATEN BOGOR", 1100, MAIN),
    ("The excerpt is issued at", 1140, GLOSS),
    ("pada tanggal DUA PULUH TIGA AGUSTUS DUA RIBU", 1200, MAIN),
    ("SEBELAS", 1240, MAIN),  # the value wrapped under itself
    ("on date", 1280, GLOSS),
    ("Pejabat Pencatatan Sipil", 1340, MAIN),
]


def _text(lines: list[tuple[str, int, int]]) -> PageText:
    return PageText(page=1, width=2480, height=3508, source="ocr", words=_words(lines))


def _page() -> PageImage:
    return PageImage(number=1, pixels=np.full((1600, 2480), 255, np.uint8), dpi=300)


def _values(tree: dict[str, Any]) -> dict[str, Any]:
    return {key: field.value for key, field in tree.items()}


def test_fields_between_anchors_without_father() -> None:
    tree = extract_akta([_page()], [_text(COLON_NO_FATHER)], FakeEngine())
    assert _values(tree) == {
        "nik": "3201014512100003",
        "nomor_akta": "3201-LT-23082011-0012",
        "tempat_lahir": "BOGOR",
        "tanggal_lahir": "2010-12-05",
        "nama": "I GUSTI AYU PUTRI",  # the capital I of a Balinese name is kept
        "anak_ke": 2,
        "jenis_kelamin": "PEREMPUAN",
        "nama_ibu": "NI MADE SARI",
        "tempat_terbit": "KABUPATEN BOGOR",
        "tanggal_terbit": "2011-08-23",
    }
    assert "nama_ayah" not in tree


def test_field_carries_page_box_and_word_confidence() -> None:
    tree = extract_akta([_page()], [_text(COLON_NO_FATHER)], FakeEngine())
    nama = tree["nama"]
    assert isinstance(nama, Field)
    assert nama.page == 1
    x0, y0, x1, y1 = nama.bbox
    assert 700 <= y0 < y1 <= 730 and x1 > x0
    assert nama.confidence == pytest.approx(0.93)
    wrapped = tree["tanggal_terbit"]
    assert wrapped.bbox[3] == 1240 + MAIN  # the wrapped line belongs to the value


def test_father_line_and_damaged_anchors() -> None:
    lines = [(t.replace("dari ibu", "dan ibu"), y, h) for t, y, h in COLON_NO_FATHER]
    lines.insert(14, ("dari ayah : I KETUT WAYAN", 860, MAIN))
    lines = [(t.replace("Berdasarkan", "Berdasarkau").replace("dikeluarkan", "dikeluarkau"), y, h)
             for t, y, h in lines]
    tree = extract_akta([_page()], [_text(lines)], FakeEngine())
    assert tree["nama_ayah"].value == "I KETUT WAYAN"
    assert tree["nama_ibu"].value == "NI MADE SARI"
    assert tree["tempat_terbit"].value == "KABUPATEN BOGOR"


def test_id_reads_are_voted_and_disagreement_lowers_confidence() -> None:
    lines = [("NIK 1201014512100003", 100, MAIN), *COLON_NO_FATHER[1:]]
    engine = FakeEngine(reread=["3201014512100003"])
    tree = extract_akta([_page()], [_text(lines)], engine)
    assert tree["nik"].value == "3201014512100003"  # two re-reads outvote the page words
    assert tree["nik"].confidence == pytest.approx(0.8 * REPAIR_PENALTY)
    assert tree["nik"].raw == "1201014512100003"
    assert engine.calls >= 2


def test_number_letters_read_as_digits_are_repaired() -> None:
    lines = [(t.replace("3201-LT-", "3201-47-"), y, h) for t, y, h in COLON_NO_FATHER]
    tree = extract_akta([_page()], [_text(lines)], FakeEngine())
    assert tree["nomor_akta"].value == "3201-LT-23082011-0012"
    assert tree["nomor_akta"].raw == "3201-47-23082011-0012"


def test_free_form_old_number_is_kept_verbatim() -> None:
    lines = [(t.replace("3201-LT-23082011-0012", "474.1/123/2005"), y, h)
             for t, y, h in COLON_NO_FATHER]
    tree = extract_akta([_page()], [_text(lines)], FakeEngine())
    assert tree["nomor_akta"].value == "474.1/123/2005"


def test_nothing_found_gives_empty_tree() -> None:
    text = _text([("SURAT KETERANGAN", 100, MAIN), ("lorem ipsum", 200, MAIN)])
    assert extract_akta([_page()], [text], FakeEngine()) == {}


# --- renderer ---------------------------------------------------------------------------

LONG_NAME = "MUHAMMAD RIZKY ANANDA PRATAMA PUTRA WIJAYAKUSUMA HADININGRAT"  # 60 letters


def _truth(**changes: Any) -> dict[str, Any]:
    truth = {
        "nomor_akta": "3201-LU-14022011-0042", "nik": "3201012302110007",
        "nama": "DIMAS ARYA SAPUTRA", "jenis_kelamin": "LAKI-LAKI", "tempat_lahir": "BOGOR",
        "tanggal_lahir": "2011-02-23", "anak_ke": 2, "nama_ayah": "BUDI SAPUTRA",
        "nama_ibu": "SITI RAHAYU", "tempat_terbit": "KABUPATEN BOGOR",
        "tanggal_terbit": "2011-02-14",
    }
    truth.update(changes)
    return {k: v for k, v in truth.items() if v is not None}


def test_render_page_shape_and_margins() -> None:
    font = FONTS / "dejavu/DejaVuSerif.ttf"
    image = render_akta(_truth(nama=LONG_NAME, nama_ayah=LONG_NAME), font=font,
                        rng=random.Random(3))
    assert image.mode == "L"
    assert image.size == PAGE_SIZE
    assert image.info["dpi"] == (300, 300)
    ink = np.array(image) < 128
    assert not ink[:, -140:].any()  # nothing drawn into the right margin (margin >= 150)
    assert ink.sum() > 50_000


def test_render_is_deterministic_for_a_seed() -> None:
    font = FONTS / "liberation/LiberationSans-Regular.ttf"
    first = render_akta(_truth(), font=font, rng=random.Random(5))
    again = render_akta(_truth(), font=font, rng=random.Random(5))
    assert np.array_equal(np.array(first), np.array(again))


# --- read back with tesseract ------------------------------------------------------------


def _blur_jpeg(image: Image.Image) -> Image.Image:
    buffer = io.BytesIO()
    image.filter(ImageFilter.GaussianBlur(1.0)).save(buffer, "JPEG", quality=45)
    return Image.open(buffer).convert("L")


CASES = {
    # inline values, KEDUA, PEBRUARI (render seed 8)
    "inline": (8, "dejavu/DejaVuSans.ttf", False, _truth()),
    # colon column, no father, a 60-letter name, NOPEMBER, issue block on the right (seed 17)
    "colon-no-father": (17, "liberation/LiberationSerif-Regular.ttf", False, _truth(
        nama=LONG_NAME, nama_ayah=None, jenis_kelamin="PEREMPUAN", anak_ke=1,
        nik="3273055107990012", nomor_akta="3273-LT-19112019-000315",
        tanggal_lahir="1999-07-11", tempat_lahir="KOTA BANDUNG",
        tempat_terbit="KOTA BANDUNG", tanggal_terbit="2019-11-19")),
    # colon column, cardinal order, blurred and JPEG-compressed (seed 1)
    "blur-jpeg": (1, "freefont/FreeSans.ttf", True, _truth(
        anak_ke=11, tanggal_lahir="1987-09-30", nik="7371103009870004",
        nomor_akta="7371-LT-02012024-0158", tempat_terbit="KOTA MAKASSAR",
        tanggal_terbit="2024-01-02", tempat_lahir="MAKASSAR", nama="ANDI NURUL FAJRIANI",
        jenis_kelamin="PEREMPUAN", nama_ayah="ANDI MUHAMMAD ARSYAD", nama_ibu="HASNAWATI")),
}


@pytest.mark.ocr
@pytest.mark.parametrize("case", list(CASES))
def test_rendered_page_reads_back(case: str) -> None:
    from extractors.ocr import TesseractEngine

    seed, font, degrade, truth = CASES[case]
    image = render_akta(truth, font=FONTS / font, rng=random.Random(seed))
    if degrade:
        image = _blur_jpeg(image)
    page = PageImage(number=1, pixels=np.array(image), dpi=300)
    engine = TesseractEngine()
    tree = extract_akta([page], [engine.read_page(page)], engine)
    assert _values(tree) == truth
    for field in tree.values():
        assert field.page == 1 and field.bbox is not None and 0 < field.confidence <= 1
