"""Render a synthetic Kutipan Akta Kelahiran from ground truth, as a 300 dpi A4 page.

Follows the current bilingual extract (domain README section 2): Indonesian lines with the
values in capitals between fixed words, and a smaller italic English gloss under each line.
What varies with `rng` is what varies between offices and printers and what an extractor
must not depend on: margins, font size and line spacing, whether values follow the fixed
words directly or sit after a colon in a column, where the issue block starts, and whether
the child order is a cardinal (DUA) or an ordinal (KEDUA). Long values shrink a little and
then wrap under themselves; nothing is drawn past the right margin.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lokal import terbilang
from PIL import Image, ImageDraw, ImageFont

PAGE_SIZE = (2480, 3508)  # A4 portrait at 300 dpi
DPI = 300
FONT_SIZE_RANGE = (34, 44)
ENGLISH_SCALE = 0.72  # the English gloss is this much smaller than the Indonesian line
MIN_VALUE_SCALE = 0.8  # a long value shrinks at most this much before it wraps

MONTHS = ["JANUARI", "FEBRUARI", "MARET", "APRIL", "MEI", "JUNI", "JULI", "AGUSTUS",
          "SEPTEMBER", "OKTOBER", "NOVEMBER", "DESEMBER"]
OLD_MONTHS = {2: "PEBRUARI", 11: "NOPEMBER"}
ORDINAL_ONE = ("PERTAMA", "KESATU")
OFFICIAL_NAMES = ["BAMBANG SUTRISNO", "YULIANTI RAHMAWATI", "AGUS SETIAWAN", "DEWI KARTIKA SARI",
                  "HENDRA GUNAWAN", "RINA MARLINA", "SUPARMAN HADI", "TITIN SUMARNI"]

Segment = tuple[str, bool]  # (text, is_value)


@dataclass(frozen=True)
class _Style:
    font: Path
    italic: Path
    size: int
    margin: int
    line_gap: float  # line pitch as a multiple of the font size
    pair_gap: int  # pixels between one bilingual pair and the next
    colon: bool  # values after a colon in a column, else right after the fixed words
    value_x: int  # the value column when colon is True
    issue_x: int  # left edge of the issue/signature block
    ordinal: bool  # KEDUA rather than DUA
    old_months: bool  # PEBRUARI / NOPEMBER


def render_akta(data: dict, *, font: Path, rng: random.Random) -> Image.Image:
    """The page for one akta_kelahiran data dict (mode "L", dpi info (300, 300))."""
    style = _style(Path(font), rng)
    image = Image.new("L", PAGE_SIZE, 255)
    canvas = _Canvas(ImageDraw.Draw(image), style)
    _header(canvas, data)
    for segments, english in _sentence(data, style):
        canvas.pair(segments, english, left=style.margin)
    canvas.y += style.pair_gap
    _issue_block(canvas, data, rng)
    image.info["dpi"] = (DPI, DPI)
    return image


def _style(font: Path, rng: random.Random) -> _Style:
    size = rng.randint(*FONT_SIZE_RANGE)
    margin = rng.randint(150, 260)
    regular = ImageFont.truetype(str(font), size)
    widest = regular.getlength("Berdasarkan Akta Kelahiran Nomor")
    return _Style(
        font=font, italic=_italic_sibling(font), size=size, margin=margin,
        line_gap=rng.uniform(1.2, 1.45), pair_gap=int(size * rng.uniform(0.5, 1.0)),
        colon=rng.random() < 0.5, value_x=int(margin + widest + size * rng.uniform(0.6, 1.5)),
        issue_x=rng.choice([margin, PAGE_SIZE[0] // 2 - rng.randint(100, 300)]),
        ordinal=rng.random() < 0.5, old_months=rng.random() < 0.2,
    )


def _italic_sibling(font: Path) -> Path:
    """The italic/oblique face of the same family when installed, else the font itself."""
    base = font.stem.removesuffix("-Regular")
    for suffix in ("-Italic", "-Oblique", "Italic", "Oblique"):
        candidate = font.with_name(f"{base}{suffix}{font.suffix}")
        if candidate.exists():
            return candidate
    return font


class _Canvas:
    """A cursor over the page that lays out bilingual pairs with wrapping."""

    def __init__(self, draw: ImageDraw.ImageDraw, style: _Style) -> None:
        self.draw, self.style, self.y = draw, style, int(style.size * 4)
        self.right = PAGE_SIZE[0] - style.margin

    def font(self, scale: float = 1.0, italic: bool = False) -> ImageFont.FreeTypeFont:
        path = self.style.italic if italic else self.style.font
        return ImageFont.truetype(str(path), max(8, round(self.style.size * scale)))

    def text(self, x: float, text: str, font: ImageFont.FreeTypeFont) -> None:
        self.draw.text((x, self.y), text, fill=0, font=font)

    def english(self, x: float, text: str) -> None:
        """The smaller italic gloss under the line just drawn."""
        font = self.font(ENGLISH_SCALE, italic=True)
        self.y += int(self.style.size * 0.15)
        self.text(x, text, font)
        self.y += int(self.style.size * ENGLISH_SCALE * self.style.line_gap)

    def newline(self, scale: float = 1.0) -> None:
        self.y += int(self.style.size * scale * self.style.line_gap)

    def pair(self, segments: list[Segment], english: str, *, left: int) -> None:
        """One Indonesian line (wrapped as needed) and its English gloss, then the gap."""
        anchor, rest = segments[0][0], segments[1:]
        self.text(left, anchor, self.font())
        x = left + self.font().getlength(anchor + " ")
        if self.style.colon and left == self.style.margin:
            x = max(x, self.style.value_x)
            self.text(x - self.font().getlength(": "), ":", self.font())
        self.flow(rest, x)
        self.english(left, english)
        self.y += self.style.pair_gap

    def flow(self, segments: list[Segment], x0: float) -> None:
        """Words from x0 to the right margin, wrapping back to x0 (values may shrink)."""
        x = x0
        for text, is_value in segments:
            scale = self._value_scale(text, x0) if is_value else 1.0
            font = self.font(scale)
            for word in text.split():
                width = font.getlength(word)
                if x + width > self.right and x > x0:
                    self.newline()
                    x = x0
                self.text(x, word, font)
                x += width + font.getlength(" ")
        self.newline()

    def _value_scale(self, text: str, x0: float) -> float:
        """Shrink a value that would just overflow; one much too long wraps at full size."""
        width = self.font().getlength(text)
        room = self.right - x0
        if width <= room or width * MIN_VALUE_SCALE > room:
            return 1.0
        return 0.97 * room / width  # slack: a smaller size does not scale widths exactly


def _header(canvas: _Canvas, data: dict) -> None:
    style, width = canvas.style, PAGE_SIZE[0]
    canvas.text(style.margin, f"NIK  {data['nik']}", canvas.font(1.05))
    canvas.newline(1.05)
    canvas.english(style.margin, "Personal Registration Number")
    canvas.y += style.size * 2
    _centered(canvas, "REPUBLIK INDONESIA", canvas.font(1.35), width)
    canvas.newline(1.35)
    canvas.y += style.size
    row_y = canvas.y
    canvas.text(style.margin, "PENCATATAN SIPIL", canvas.font())
    canvas.newline()
    canvas.english(style.margin, "REGISTRY OFFICE")
    canvas.y, half = row_y, width // 2 + style.size
    canvas.text(half, "WARGA NEGARA : INDONESIA", canvas.font())
    canvas.newline()
    canvas.english(half, "NATIONALITY")
    canvas.y += style.size
    _centered(canvas, "KUTIPAN AKTA KELAHIRAN", canvas.font(1.25), width)
    canvas.newline(1.25)
    canvas.y += int(style.size * 0.15)
    _centered(canvas, "EXCERPT OF BIRTH CERTIFICATE", canvas.font(ENGLISH_SCALE, True), width)
    canvas.newline(ENGLISH_SCALE)
    canvas.y += style.size * 2


def _centered(canvas: _Canvas, text: str, font: ImageFont.FreeTypeFont, width: int) -> None:
    canvas.text((width - font.getlength(text)) / 2, text, font)


def _sentence(data: dict, style: _Style) -> list[tuple[list[Segment], str]]:
    """The bilingual pairs of the birth sentence, values in capitals."""
    day, month, year = _date_words(data["tanggal_lahir"], style)
    pairs = [
        ([("Berdasarkan Akta Kelahiran Nomor", False), (data["nomor_akta"], True)],
         "Based on Birth Certificate Number"),
        ([("bahwa di", False), (data["tempat_lahir"].upper(), True)], "That in"),
        ([("pada tanggal", False), (day, True), ("bulan", False), (month, True),
          ("tahun", False), (year, True)], "On date          month          year"),
        ([("telah lahir", False), (data["nama"].upper(), True)], "was born"),
        ([("anak ke", False), (f"{_child_order(data['anak_ke'], style)},", True),
          (data["jenis_kelamin"], True)], "child no"),
    ]
    if data.get("nama_ayah"):
        pairs.append(([("dari ayah", False), (data["nama_ayah"].upper(), True)], "from father"))
        pairs.append(([("dan ibu", False), (data["nama_ibu"].upper(), True)], "and mother"))
    else:
        pairs.append(([("dari ibu", False), (data["nama_ibu"].upper(), True)], "from mother"))
    return pairs


def _date_words(iso: str, style: _Style) -> tuple[str, str, str]:
    when = date.fromisoformat(iso)
    month = MONTHS[when.month - 1]
    if style.old_months:
        month = OLD_MONTHS.get(when.month, month)
    return terbilang(when.day).upper(), month, terbilang(when.year).upper()


def _child_order(n: int, style: _Style) -> str:
    if not style.ordinal:
        return terbilang(n).upper()
    if n == 1:
        return ORDINAL_ONE[style.size % 2]
    return "KE" + terbilang(n).upper()


def _issue_block(canvas: _Canvas, data: dict, rng: random.Random) -> None:
    """Place and date of issue, then the signing official with a synthetic name and NIP."""
    style, left = canvas.style, canvas.style.issue_x
    day, month, year = _date_words(data["tanggal_terbit"], style)
    for segments, english in (
        ([("Kutipan ini dikeluarkan di", False), (data["tempat_terbit"].upper(), True)],
         "The excerpt is issued at"),
        ([("pada tanggal", False), (f"{day} {month} {year}", True)], "on date"),
    ):
        canvas.pair(segments, english, left=left)
    canvas.text(left, "Pejabat Pencatatan Sipil", canvas.font())
    canvas.newline()
    canvas.english(left, "Civil Registration Officer")
    place = data["tempat_terbit"].upper()
    if not place.startswith(("KABUPATEN", "KOTA")):
        place = f"KABUPATEN {place}"
    canvas.flow([(f"KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL {place}", False)], left)
    canvas.y += style.size * 5
    canvas.text(left, rng.choice(OFFICIAL_NAMES), canvas.font())
    canvas.newline()
    canvas.text(left, f"NIP. {_nip(rng)}", canvas.font())


def _nip(rng: random.Random) -> str:
    """18 synthetic digits shaped like a NIP: birth date, appointment month, sex, serial."""
    born = date(rng.randint(1965, 1985), rng.randint(1, 12), rng.randint(1, 28))
    appointed = f"{born.year + rng.randint(22, 30)}{rng.randint(1, 12):02d}"
    return f"{born:%Y%m%d}{appointed}{rng.randint(1, 2)}{rng.randint(1, 999):03d}"
