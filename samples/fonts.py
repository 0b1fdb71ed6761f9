"""TrueType fonts the renderers may print with, found on the machine, never downloaded.

Debian packages fonts-dejavu-core, fonts-liberation and fonts-freefont-ttf put them under
/usr/share/fonts. Samples rotate through several faces so OCR is never tuned to one.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

FONT_DIRS = (Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts"),
             Path("/usr/local/share/fonts"))
# Regular faces the generator rotates through, by file stem, in a fixed order. Proportional
# faces only: Dukcapil prints (SIAK) are set in proportional sans/serif type. A monospace face
# is a stress case, not a realistic one (tesseract 5.3 `ind` reads LiberationMono's 7 as 1 at
# 30-34 px, measured on KK NIKs); font_path("LiberationMono") still finds it for such tests.
FACES = ("DejaVuSans", "DejaVuSerif", "LiberationSans-Regular", "LiberationSerif-Regular",
         "FreeSans", "FreeSerif")
_ALIASES = {"dejavusans": "DejaVuSans", "dejavuserif": "DejaVuSerif",
            "liberationsans": "LiberationSans-Regular",
            "liberationserif": "LiberationSerif-Regular",
            "liberationmono": "LiberationMono-Regular", "freesans": "FreeSans",
            "freeserif": "FreeSerif"}


@cache
def _index() -> dict[str, Path]:
    """Every .ttf under the font folders by lowercase stem (first folder wins)."""
    found: dict[str, Path] = {}
    for folder in FONT_DIRS:
        if folder.is_dir():
            for path in sorted(folder.rglob("*.ttf")):
                found.setdefault(path.stem.lower(), path)
    return found


def available_fonts() -> list[Path]:
    """The regular faces of FACES that are installed, in FACES order (stable across runs)."""
    index = _index()
    return [index[face.lower()] for face in FACES if face.lower() in index]


def font_path(name: str) -> Path:
    """A font by file stem or family name: "DejaVuSans", "DejaVu Sans", "FreeSerif.ttf".

    Bold/italic stems work too ("LiberationSans-Bold"). Raises FileNotFoundError naming the
    Debian package to install when the face is missing.
    """
    key = name.strip().removesuffix(".ttf").replace(" ", "").lower()
    key = _ALIASES.get(key, key).lower()
    index = _index()
    if key in index:
        return index[key]
    raise FileNotFoundError(
        f"font {name!r} not installed (apt-get install fonts-dejavu-core fonts-liberation "
        "fonts-freefont-ttf)")


def font_name(path: Path) -> str:
    """The stem used in truth.json to name a font; font_path(font_name(p)) == p."""
    return path.stem
