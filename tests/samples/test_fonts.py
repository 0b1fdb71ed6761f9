"""Fonts the generator rotates through are real files PIL can load."""

from __future__ import annotations

import pytest
from PIL import ImageFont

from samples.fonts import FACES, available_fonts, font_name, font_path


def test_available_fonts_are_loadable_regular_faces() -> None:
    fonts = available_fonts()
    assert len(fonts) >= 3
    assert [p.stem for p in fonts] == [f for f in FACES if f in {p.stem for p in fonts}]
    for path in fonts:
        font = ImageFont.truetype(str(path), 40)
        assert font.getbbox("KARTU KELUARGA")[2] > 100


def test_font_path_accepts_stems_family_names_and_bold_faces() -> None:
    assert font_path("DejaVu Sans") == font_path("DejaVuSans") == font_path("dejavusans.ttf")
    assert font_path("Liberation Serif").name == "LiberationSerif-Regular.ttf"
    assert font_path("LiberationSans-Bold").name == "LiberationSans-Bold.ttf"
    for path in available_fonts():
        assert font_path(font_name(path)) == path


def test_missing_font_names_the_packages_to_install() -> None:
    with pytest.raises(FileNotFoundError, match="fonts-liberation"):
        font_path("Comic Sans MS")
