"""extractors.reread: a second engine's opinion on the fields read below the floor.

The engines here are stubs that return fixed words, so each test pins one decision:
agreement raises the confidence, disagreement keeps the field under the floor, a value
only the second engine could read is adopted below a single reading's confidence, and
fields above the floor or from a text layer are never re-read.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from extractors.ocr import TieredEngine
from extractors.reread import ALONE_FACTOR, parser_for, second_opinions
from pipeline.records import Field, PageImage, PageText, Word

NIK = "3201234501900003"


class Stub:
    """An engine that answers every region with the same words, and counts its calls."""

    def __init__(self, name: str, text: str, confidence: float = 0.95) -> None:
        self.name = name
        self.text = text
        self.confidence = confidence
        self.calls: list[dict[str, Any]] = []

    def read_page(self, page: PageImage) -> PageText:
        raise AssertionError("a second opinion never reads a whole page")

    def read_region(self, page: PageImage, bbox: Any, *, psm: int = 7,
                    whitelist: str | None = None) -> list[Word]:
        self.calls.append({"bbox": bbox, "psm": psm, "whitelist": whitelist})
        return [Word(text=t, confidence=self.confidence, bbox=(0, 0, 10, 10))
                for t in self.text.split()]


def _page(steps: tuple[str, ...] = ()) -> PageImage:
    return PageImage(number=1, pixels=np.full((200, 400), 255, np.uint8), dpi=300, steps=steps)


def _text(source: str = "ocr") -> PageText:
    return PageText(page=1, width=400, height=200, source=source)  # type: ignore[arg-type]


def _field(value: Any, confidence: float, raw: str | None = None) -> Field:
    return Field(value=value, raw=raw if raw is not None else str(value),
                 confidence=confidence, page=1, bbox=(50, 50, 250, 80))


def _run(fields: dict[str, Any], second: Stub, steps: tuple[str, ...] = (),
         source: str = "ocr", primary: Stub | None = None) -> dict[str, Any]:
    engine = TieredEngine(primary or Stub("tesseract", ""), second, second_below=0.6)
    return second_opinions(fields, [_page(steps)], [_text(source)], engine)


def test_two_engines_agreeing_raise_the_confidence() -> None:
    second = Stub("rapidocr", NIK, 0.95)
    out = _run({"nik": _field(NIK, 0.5)}, second)
    assert out["nik"].value == NIK
    assert out["nik"].confidence == pytest.approx(1 - 0.5 * 0.05, abs=1e-3)
    assert second.calls[0]["whitelist"] == "0123456789"  # an id is re-read as digits


def test_disagreeing_engines_keep_the_field_under_the_floor() -> None:
    other = "3201234501900008"
    out = _run({"nik": _field(NIK, 0.5)}, Stub("rapidocr", other, 0.95))
    assert out["nik"].value == other  # the likelier reading ...
    assert out["nik"].confidence == 0.5  # ... but still for a person to look at


def test_a_value_only_the_second_engine_read_is_adopted_as_one_reading() -> None:
    unread = Field(value=None, raw="1102183", confidence=0.0, page=1, bbox=(50, 50, 250, 80))
    out = _run({"kode_pos": unread}, Stub("rapidocr", "52183", 0.9))
    assert out["kode_pos"].value == "52183"
    assert out["kode_pos"].confidence == pytest.approx(0.9 * ALONE_FACTOR)


def test_confident_fields_and_text_layers_are_not_re_read() -> None:
    second = Stub("rapidocr", "SOMETHING ELSE")
    fields = {"nama": _field("SITI AMINAH", 0.9)}
    assert _run(fields, second)["nama"].value == "SITI AMINAH"
    assert _run({"nama": _field("SITI AMINAH", 0.1)}, second, source="pdf_text")["nama"].value \
        == "SITI AMINAH"
    assert second.calls == []


def test_member_rows_are_reached_and_vocabularies_must_match_exactly() -> None:
    fields = {"anggota_keluarga": [{"agama": _field("ISLAM", 0.4),
                                    "tanggal_lahir": _field("1990-01-05", 0.3, "05-01-1990")}]}
    out = _run(fields, Stub("rapidocr", "ISLAM"))
    assert out["anggota_keluarga"][0]["agama"].confidence > 0.9
    dates = _run(fields, Stub("rapidocr", "05-01-1990"))["anggota_keluarga"][0]
    assert dates["tanggal_lahir"].confidence > 0.9
    assert parser_for("agama")("ISLAN") is None  # a near miss is no agreement


def test_a_photo_page_asks_tesseract_for_the_second_opinion() -> None:
    primary, second = Stub("tesseract", NIK, 0.8), Stub("rapidocr", "")
    out = _run({"nik": _field(NIK, 0.4)}, second, steps=("outline_warp",), primary=primary)
    assert primary.calls and not second.calls
    assert out["nik"].confidence == pytest.approx(1 - 0.6 * 0.2, abs=1e-3)


def test_akta_number_and_date_words_parse_like_their_extractor() -> None:
    assert parser_for("nomor_akta")("3273-LT-01041968-5731") == "3273-LT-01041968-5731"
    assert parser_for("tanggal_lahir")("DUA PULUH TIGA bulan AGUSTUS tahun DUA RIBU SEBELAS") \
        == "2011-08-23"
    assert parser_for("anak_ke")("KEDUA") == 2


def test_rt_and_rw_are_their_own_halves_of_one_value() -> None:
    assert parser_for("rt")("003/011") == "003" and parser_for("rw")("003/011") == "011"
    assert parser_for("rw")("003011") == "011"  # the slash lost
    assert parser_for("rt")("0030") is None
