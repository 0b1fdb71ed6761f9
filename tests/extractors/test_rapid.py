"""extractors.rapid: rapidocr behind the OcrEngine protocol, offline, in tesseract's shapes.

The pure tests pin how rapidocr's lines become Words (spaces the recogniser dropped are put
back from the pixels; a single letter is never split off). The OCR tests read rendered
text with the real models while every network connection is refused, which is the proof
that nothing is downloaded: the models come from the wheel.
"""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractors import rapid
from extractors.ocr import TieredEngine, is_photo
from pipeline.records import PageImage

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _line_image(text: str, gap_px: int = 0, size: int = 40) -> tuple[np.ndarray, list[float]]:
    """`text` drawn on white; with `gap_px`, its words are drawn `gap_px` apart instead."""
    font = ImageFont.truetype(str(FONT), size)
    image = Image.new("L", (60 + 40 * len(text), 2 * size), 255)
    draw = ImageDraw.Draw(image)
    x, centres = 20.0, []
    for word in text.split(" ") if gap_px else [text]:
        for ch in word:
            width = draw.textlength(ch, font=font)
            if ch != " ":
                centres.append(x + width / 2)
            draw.text((x, size // 3), ch, font=font, fill=0)
            x += width
        x += gap_px
    return np.asarray(image), centres


def _quads(centres: list[float], top: float, bottom: float) -> list[np.ndarray]:
    return [np.array([[c - 8, top], [c + 8, top], [c + 8, bottom], [c - 8, bottom]], float)
            for c in centres]


def test_a_space_the_recogniser_dropped_is_found_in_the_pixels() -> None:
    pixels, centres = _line_image("ANDI NURLAELA", gap_px=14)
    box = np.array([[10, 5], [pixels.shape[1] - 10, 5], [pixels.shape[1] - 10, 75], [10, 75]],
                   float)
    chars = [(ch, 0.99, q) for ch, q in zip("ANDINURLAELA", _quads(centres, 5, 75))]
    words = rapid._line_words(1, box, "ANDINURLAELA", 0.99, chars, pixels, (100, 200))
    assert [w.text for w in words] == ["ANDI", "NURLAELA"]
    assert words[0].bbox[0] >= 100 and words[0].bbox[1] == 205  # offset into page pixels
    assert all(w.line == 1 and w.confidence == pytest.approx(0.99) for w in words)


def test_letter_gaps_are_not_spaces() -> None:
    pixels, centres = _line_image("JOSUA")
    box = np.array([[10, 5], [pixels.shape[1] - 10, 5], [pixels.shape[1] - 10, 75], [10, 75]],
                   float)
    chars = [(ch, 0.9, q) for ch, q in zip("JOSUA", _quads(centres, 5, 75))]
    assert [w.text for w in rapid._line_words(1, box, "JOSUA", 0.9, chars, pixels, (0, 0))] \
        == ["JOSUA"]


def test_without_character_boxes_a_line_is_split_by_character_share() -> None:
    box = np.array([[0, 0], [100, 0], [100, 20], [0, 20]], float)
    words = rapid._line_words(3, box, "AB CDEFGH", 0.8, None, np.zeros((20, 100), np.uint8),
                              (0, 0))
    assert [w.text for w in words] == ["AB", "CDEFGH"]
    assert words[0].bbox[2] < words[1].bbox[0] and words[1].bbox[2] == pytest.approx(100)


def test_a_whitelist_is_applied_after_reading() -> None:
    from pipeline.records import Word

    words = [Word(text="No.3201", confidence=0.9, bbox=(0, 0, 1, 1)),
             Word(text=":", confidence=0.9, bbox=(0, 0, 1, 1))]
    assert [w.text for w in rapid._whitelisted(words, "0123456789")] == ["3201"]


def test_photo_pages_go_to_the_second_engine_and_scans_to_tesseract() -> None:
    class Named:
        def __init__(self, name: str) -> None:
            self.name = name

    first, second = Named("tesseract"), Named("rapidocr")
    engine = TieredEngine(first, second, 0.6)  # type: ignore[arg-type]
    photo = PageImage(number=1, pixels=np.zeros((2, 2), np.uint8), dpi=300,
                      steps=("outline_warp", "flatten"))
    scan = PageImage(number=1, pixels=np.zeros((2, 2), np.uint8), dpi=300, steps=("deskew",))
    assert is_photo(photo) and engine.for_page(photo) is second
    assert engine.for_page(scan) is first
    assert TieredEngine(first).for_page(photo) is first  # PERIKSA_OCR_SECOND_ENGINE=none


def test_the_models_ship_inside_the_wheel() -> None:
    for name in rapid.MODEL_FILES.values():
        assert (rapid.model_dir() / name).stat().st_size > 100_000


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("rapidocr tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.ocr
def test_a_page_and_a_region_are_read_offline(no_network: None) -> None:
    pixels = np.full((400, 1400), 255, np.uint8)
    line, _ = _line_image("NIK 3201234501900003")
    pixels[100:100 + line.shape[0], 50:50 + line.shape[1]] = line[:, :1350]
    page = PageImage(number=1, pixels=pixels, dpi=300)
    engine = rapid.RapidEngine()
    text = engine.read_page(page)
    assert [w.text for w in text.words] == ["NIK", "3201234501900003"]
    assert text.engine.startswith("rapidocr-3.")
    nik = text.words[1]
    assert 100 < nik.bbox[1] < nik.bbox[3] < 100 + line.shape[0]
    region = engine.read_region(page, tuple(int(v) for v in nik.bbox), whitelist="0123456789")
    assert "".join(w.text for w in region) == "3201234501900003"


def test_glued_colons_and_case_changes_split_words() -> None:
    assert rapid._colon_breaks(list("Keluarga:PRASETYO")) == {8, 9}
    assert rapid._colon_breaks(list("11:50")) == set()  # a time keeps its colon
    assert rapid._case_breaks("pada tanggalTUJUH") == {11}  # among non-space characters
    assert rapid._case_breaks("Kutipan") == set()
    assert rapid._case_breaks("pada tanggaI DUA") == set()  # an l read as I, then a space
