"""F-2.01 extraction on generated forms: AcroForm fields, text layer, and OCR of the boxes."""

from __future__ import annotations

import io
import random
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from extractors import boxes
from extractors.f201 import extract_f201, layout as f201_layout
from extractors.pages import load_pages
from pipeline.read import extract_document, ocr_engine, prepare, words_of
from pipeline.records import DocumentType, Field
from pipeline.settings import Settings
from samples.birth_report import make_f201
from samples.fonts import font_path
from samples.render_f201 import layout, render_f201, render_f201_pdf

SETTINGS = Settings()


class NoOcr:
    """An engine that must not be called: born-digital PDFs are read without OCR."""

    name = "none"

    def read_page(self, page):  # type: ignore[no-untyped-def]
        raise AssertionError("OCR called on a born-digital page")

    def read_region(self, page, bbox, *, psm=7, whitelist=None):  # type: ignore[no-untyped-def]
        raise AssertionError("OCR called on a born-digital page")


def leaves(tree: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(leaves(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def read_pdf(data: bytes):  # type: ignore[no-untyped-def]
    loaded = load_pages(data, "application/pdf", SETTINGS)
    pages = [prepare(lp) for lp in loaded]
    texts = [lp.text for lp in loaded]
    assert all(t is not None for t in texts)
    return extract_document("f.pdf", "0" * 64, pages, texts, NoOcr())  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def truth() -> dict[str, Any]:
    return make_f201(random.Random(11))


@pytest.mark.parametrize("acroform,source", [(True, "pdf_form"), (False, "pdf_text")])
def test_born_digital_pdf_is_read_exactly_without_ocr(truth, acroform, source) -> None:
    data = render_f201_pdf(truth, font=font_path("DejaVuSans"), rng=random.Random(2),
                           acroform=acroform)
    document = read_pdf(data)
    assert document.document_type == DocumentType.F2_01 and document.source == source
    read = leaves(document.fields)
    for path, expected in leaves(truth).items():
        assert read[path].value == expected, path
        assert read[path].confidence == 1.0 and read[path].page == 1
    assert read["anak.hari"].value in {"SENIN", "SELASA", "RABU", "KAMIS", "JUMAT", "SABTU",
                                       "MINGGU"}
    empty = read["pelapor.nomor_dokumen_perjalanan"]
    assert empty.value is None
    x0, y0, x1, y1 = read["anak.nama"].bbox
    assert 0 < x0 < x1 and 0 < y0 < y1 and y1 - y0 < 100  # one row of boxes, in page pixels


def test_box_rows_are_found_by_their_ruling(truth) -> None:
    page = render_f201(truth, font=font_path("LiberationSans-Regular"), rng=random.Random(4))
    pixels = np.asarray(page)
    lines = boxes.find_box_lines(pixels, f201_layout().box_width_share)
    expected = [(s.group, row.key) for s in f201_layout().sections for row in s.rows]
    assert len(lines) == len(expected) == 44
    anak_date = lines[expected.index(("anak", "tanggal_lahir"))]
    assert [len(run) for run in anak_date.runs] == [6, 2, 2, 4]  # Hari, Tgl, Bln, Thn
    name = lines[5].runs[0]
    marks = boxes.filled(pixels, name, f201_layout().ink_min_share)
    assert sum(marks) == len(truth["pelapor"]["nama"].replace(" ", ""))
    assert [len(w) for w in boxes.words_of(name, marks)] == [
        len(w) for w in truth["pelapor"]["nama"].split()]


def _scribble(page: Image.Image, truth: dict[str, Any], rng_seed: int) -> Image.Image:
    """The child's name boxes overwritten by pen strokes that are no letters (hand-writing)."""
    placed = layout(truth, random.Random(rng_seed), font_path("DejaVuSans"))
    comb = next(c for c in placed.combs if c.name == "anak.nama")
    draw = ImageDraw.Draw(page)
    pen = random.Random(5)
    box = comb.w / comb.boxes
    for i in range(len(comb.value.rstrip())):
        if comb.value[i] == " ":
            continue
        x, y = comb.x + i * box, comb.y
        draw.rectangle((x + 6, y + 6, x + box - 6, y + comb.h - 6), fill=255)
        points = [(x + pen.uniform(8, box - 8), y + pen.uniform(8, comb.h - 8)) for _ in range(7)]
        draw.line(points, fill=0, width=3)
    return page


@pytest.fixture(scope="module")
def scanned(truth) -> dict[str, Field]:
    """A clean page image of the form, read with tesseract (the child's name scribbled)."""
    page = render_f201(truth, font=font_path("DejaVuSans"), rng=random.Random(3))
    page = _scribble(page, truth, 3)
    buffer = io.BytesIO()
    page.save(buffer, "PNG", dpi=(300, 300))
    loaded = load_pages(buffer.getvalue(), "image/png", SETTINGS)
    engine = ocr_engine(SETTINGS)
    pages = [prepare(lp) for lp in loaded]
    texts = [words_of(lp, p, engine) for lp, p in zip(loaded, pages)]
    document = extract_document("f.png", "0" * 64, pages, texts, engine)
    assert document.document_type == DocumentType.F2_01 and document.source == "ocr"
    return leaves(document.fields)


@pytest.mark.ocr
def test_ocr_reads_typed_boxes(truth, scanned) -> None:
    wrong = {path: scanned[path].value for path, expected in leaves(truth).items()
             if path != "anak.nama" and scanned[path].value != expected}
    assert wrong == {}
    assert scanned["ayah.nik"].value == truth["ayah"]["nik"]
    assert scanned["anak.jenis_kelamin"].value == truth["anak"]["jenis_kelamin"]
    assert scanned["anak.tanggal_lahir"].value == truth["anak"]["tanggal_lahir"]


@pytest.mark.ocr
def test_hand_written_boxes_come_out_unreadable_not_guessed(truth, scanned) -> None:
    name = scanned["anak.nama"]
    assert name.value is None and name.confidence == 0.0
    empty = scanned["subjek_akta_1.nomor_dokumen_perjalanan"]
    assert empty.value is None and empty.raw == "" and empty.confidence > 0.5


def test_unreadable_and_empty_rows_reach_the_comparison_as_such(truth) -> None:
    """The AcroForm path with one field cleared: a row with nothing written is None, confident."""
    data = render_f201_pdf({**truth, "saksi_2": {**truth["saksi_2"], "nama": ""}},
                           font=font_path("DejaVuSans"), rng=random.Random(2), acroform=True)
    fields = extract_f201([], [p.text for p in load_pages(data, "application/pdf", SETTINGS)],
                          NoOcr())  # type: ignore[arg-type]
    assert fields["saksi_2"]["nama"].value is None
    assert fields["saksi_2"]["nik"].value == truth["saksi_2"]["nik"]
