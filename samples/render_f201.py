"""Render a synthetic F-2.01 (Formulir Pelaporan Pencatatan Sipil di Dalam Wilayah NKRI,
Permendagri 108/2019 layout, blocks in OpenSID's order) from ground truth.

The form is labelled rows of boxes, one character per box, filled by typing: a header
(desa, kecamatan, kab/kota, 10-box kode wilayah, jenis pelaporan), then DATA PELAPOR, DATA
SUBJEK AKTA KESATU, DATA SAKSI I and II, DATA ORANG TUA and DATA ANAK (domain README §3).
Choices (sex, place of birth, helper...) are a code in one box with the legend beside it, as
on the form. One geometry (`layout`) feeds three outputs: a 300 dpi page image for the
clean / scan / photo tiers, a digital PDF whose values are a text layer, and a PDF whose
values are AcroForm comb fields named by the contract's paths ("anak.nama",
"ayah.tanggal_lahir.tgl"). What varies with `rng` is what varies between printings:
margins, type size, box size and row pitch.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

PAGE_SIZE = (2551, 3898)  # F4 (216 x 330 mm) portrait at 300 dpi, the usual paper for forms
DPI = 300
TITLE = "FORMULIR PELAPORAN PENCATATAN SIPIL DI DALAM WILAYAH NKRI"
CODE = "F-2.01"
DAYS = ("SENIN", "SELASA", "RABU", "KAMIS", "JUMAT", "SABTU", "MINGGU")
OPTIONS: dict[str, tuple[str, ...]] = {
    "jenis_pelaporan": ("KELAHIRAN", "LAHIR MATI", "PERKAWINAN", "PEMBATALAN PERKAWINAN",
                        "PERCERAIAN", "PEMBATALAN PERCERAIAN", "KEMATIAN"),
    "kewarganegaraan": ("WNI", "WNA"),
    "jenis_kelamin": ("LAKI-LAKI", "PEREMPUAN"),
    "tempat_dilahirkan": ("RS/RB", "PUSKESMAS", "POLINDES", "RUMAH", "LAINNYA"),
    "jenis_kelahiran": ("TUNGGAL", "KEMBAR 2", "KEMBAR 3", "KEMBAR 4", "LAINNYA"),
    "penolong_kelahiran": ("DOKTER", "BIDAN/PERAWAT", "DUKUN", "LAINNYA"),
}
LEGENDS = {
    "jenis_pelaporan": "1. Kelahiran  2. Lahir Mati  3. Perkawinan  5. Perceraian  7. Kematian",
    "kewarganegaraan": "1. WNI   2. WNA",
    "jenis_kelamin": "1. Laki-laki   2. Perempuan",
    "tempat_dilahirkan": "1. RS/RB  2. Puskesmas  3. Polindes  4. Rumah  5. Lainnya",
    "jenis_kelahiran": "1. Tunggal  2. Kembar 2  3. Kembar 3  4. Kembar 4  5. Lainnya",
    "penolong_kelahiran": "1. Dokter  2. Bidan/Perawat  3. Dukun  4. Lainnya",
}

# (label, key, kind, boxes); kinds: text, code, date, time, day_date, number:<unit>
Row = tuple[str, str, str, int]
PERSON: tuple[Row, ...] = (("Nama", "nama", "text", 34), ("NIK", "nik", "text", 16),
                           ("Nomor Dokumen Perjalanan*", "nomor_dokumen_perjalanan", "text", 16),
                           ("Nomor Kartu Keluarga", "nomor_kk", "text", 16),
                           ("Kewarganegaraan", "kewarganegaraan", "code", 1))
WITNESS: tuple[Row, ...] = (PERSON[0], PERSON[1], PERSON[3], PERSON[4])


def _parent(who: str) -> tuple[Row, ...]:
    return ((f"Nama {who}", "nama", "text", 34), (f"NIK {who}", "nik", "text", 16),
            (f"Tempat Lahir {who}", "tempat_lahir", "text", 24),
            (f"Tanggal Lahir {who}", "tanggal_lahir", "date", 8),
            ("Kewarganegaraan", "kewarganegaraan", "code", 1))


CHILD: tuple[Row, ...] = (
    ("Nama", "nama", "text", 34), ("Jenis Kelamin", "jenis_kelamin", "code", 1),
    ("Tempat Dilahirkan", "tempat_dilahirkan", "code", 1),
    ("Tempat Kelahiran", "tempat_kelahiran", "text", 24),
    ("Hari dan Tanggal Lahir", "tanggal_lahir", "day_date", 14),
    ("Pukul", "pukul", "time", 4), ("Jenis Kelahiran", "jenis_kelahiran", "code", 1),
    ("Kelahiran Anak Ke", "kelahiran_ke", "text", 1),
    ("Penolong Kelahiran", "penolong_kelahiran", "code", 1),
    ("Berat Bayi", "berat_gram", "number:gram", 4), ("Panjang Bayi", "panjang_cm", "number:cm", 2),
)
HEADER: tuple[Row, ...] = (
    ("Pemerintah Desa/Kelurahan", "desa_kelurahan", "text", 24),
    ("Kecamatan", "kecamatan", "text", 24), ("Kabupaten/Kota", "kabupaten_kota", "text", 24),
    ("Kode Wilayah", "kode_wilayah", "text", 10),
    ("Jenis Pelaporan", "jenis_pelaporan", "code", 2),
)
# (title, group key in the data or None for the root, rows); the form's order
SECTIONS: tuple[tuple[str | None, str | None, tuple[Row, ...]], ...] = (
    (None, None, HEADER),
    ("DATA PELAPOR", "pelapor", PERSON),
    ("DATA SUBJEK AKTA KESATU", "subjek_akta_1", PERSON),
    ("DATA SAKSI I", "saksi_1", WITNESS),
    ("DATA SAKSI II", "saksi_2", WITNESS),
    ("DATA ORANG TUA (AYAH)", "ayah", _parent("Ayah")),
    ("DATA ORANG TUA (IBU)", "ibu", _parent("Ibu")),
    ("DATA ANAK", "anak", CHILD),
)
OFFICIALS = ("BAMBANG SUTRISNO", "YULIANTI RAHMAWATI", "AGUS SETIAWAN", "DEWI KARTIKA SARI")


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # top of the line
    text: str
    size: int
    bold: bool = False


@dataclass(frozen=True)
class Cell:
    x: float
    y: float
    w: float
    h: float
    char: str  # "" for an empty box


@dataclass(frozen=True)
class Comb:
    """A group of boxes filled as one AcroForm comb field."""

    name: str
    x: float
    y: float
    w: float
    h: float
    boxes: int
    value: str


@dataclass(frozen=True)
class Form:
    texts: tuple[Text, ...]
    cells: tuple[Cell, ...]
    combs: tuple[Comb, ...]
    lines: tuple[tuple[float, float, float, float], ...]  # separators under section titles


@dataclass(frozen=True)
class _Style:
    margin: int
    top: int
    label_size: int
    box: int  # box width = pitch
    box_h: int
    pitch: int  # row pitch
    section_gap: int


def _style(rng: random.Random) -> _Style:
    box = rng.randint(44, 48)
    return _Style(margin=rng.randint(90, 140), top=rng.randint(90, 140),
                  label_size=rng.randint(28, 31), box=box, box_h=box + rng.randint(4, 8),
                  pitch=rng.randint(63, 66), section_gap=rng.randint(8, 16))


def layout(data: dict[str, Any], rng: random.Random, font: Path) -> Form:
    """Where every label, box and value goes, in pixels of a 300 dpi page."""
    style = _style(rng)
    label_font = ImageFont.truetype(str(font), style.label_size)
    texts: list[Text] = []
    cells: list[Cell] = []
    combs: list[Comb] = []
    lines: list[tuple[float, float, float, float]] = []
    width = PAGE_SIZE[0]
    texts.append(Text(width - style.margin - 220, style.top, CODE, style.label_size + 8, True))
    y = style.top + 70
    texts.append(Text(style.margin, y, TITLE, style.label_size + 10, True))
    y += 90
    widest = max(label_font.getlength(f"{i + 1}. {row[0]}") for _, _, rows in SECTIONS
                 for i, row in enumerate(rows))
    x0 = style.margin + widest + 70
    for title, group, rows in SECTIONS:
        if title:
            y += style.section_gap
            texts.append(Text(style.margin, y, title, style.label_size + 2, True))
            y += style.pitch
            lines.append((style.margin, y - 10, width - style.margin, y - 10))
        values = data.get(group, {}) if group else data
        for i, (label, key, kind, boxes) in enumerate(rows):
            number = f"{i + 1}. " if group else ""
            top = y + (style.pitch - style.box_h) // 2
            texts.append(Text(style.margin, top + (style.box_h - style.label_size) // 2 - 2,
                              f"{number}{label}", style.label_size))
            texts.append(Text(x0 - 30, top + (style.box_h - style.label_size) // 2 - 2, ":",
                              style.label_size))
            path = f"{group}.{key}" if group else key
            _row_cells(values.get(key), kind, boxes, path, x0, top, style, label_font,
                       cells, combs, texts)
            y += style.pitch
    _footer(data, y + 40, style, rng, texts)
    return Form(tuple(texts), tuple(cells), tuple(combs), tuple(lines))


def _groups(value: Any, kind: str, boxes: int, key: str) -> list[tuple[str, str, int, str]]:
    """(caption before the boxes, form-field suffix, box count, text) for one row."""
    if value is None or value == "":
        empty = {"date": [("Tgl", ".tgl", 2, ""), ("Bln", ".bln", 2, ""), ("Thn", ".thn", 4, "")],
                 "time": [("", ".jam", 2, ""), (":", ".menit", 2, "")]}
        return empty.get(kind, [("", "", boxes, "")])
    if kind == "code":
        code = str(OPTIONS[key].index(str(value)) + 1)
        return [("", "", boxes, code)]
    if kind in ("date", "day_date"):
        when = date.fromisoformat(str(value))
        parts = [("Tgl", ".tgl", 2, f"{when.day:02d}"), ("Bln", ".bln", 2, f"{when.month:02d}"),
                 ("Thn", ".thn", 4, f"{when.year:04d}")]
        if kind == "day_date":
            parts.insert(0, ("Hari", ".hari", 6, DAYS[when.weekday()]))
        return parts
    if kind == "time":
        hh, mm = str(value).split(":")
        return [("", ".jam", 2, hh), (":", ".menit", 2, mm)]
    return [("", "", boxes, str(value).upper())]


def _row_cells(value: Any, kind: str, boxes: int, path: str, x0: float, top: float,
               style: _Style, label_font: ImageFont.FreeTypeFont, cells: list[Cell],
               combs: list[Comb], texts: list[Text]) -> None:
    key = path.rsplit(".", 1)[-1]
    x = x0
    for caption, suffix, count, text in _groups(value, kind, boxes, key):
        if caption:
            texts.append(Text(x, top + (style.box_h - style.label_size) // 2 - 2, caption,
                              style.label_size))
            x += label_font.getlength(caption) + 14
        chars = list(text[:count].ljust(count))
        for j, char in enumerate(chars):
            cells.append(Cell(x + j * style.box, top, style.box, style.box_h,
                              "" if char == " " else char))
        combs.append(Comb(path + suffix, x, top, count * style.box, style.box_h, count,
                          text[:count]))
        x += count * style.box + 24
    if kind.startswith("number:"):
        texts.append(Text(x, top + (style.box_h - style.label_size) // 2 - 2,
                          kind.split(":", 1)[1], style.label_size))
    elif kind == "code":
        texts.append(Text(x + 10, top + (style.box_h - style.label_size) // 2, LEGENDS[key],
                          style.label_size - 6))


def _footer(data: dict[str, Any], y: float, style: _Style, rng: random.Random,
            texts: list[Text]) -> None:
    width = PAGE_SIZE[0]
    place = str(data.get("kabupaten_kota", "")).title()
    texts.append(Text(width // 2 + 100, y, f"{place}, ....................", style.label_size))
    y += style.pitch
    texts.append(Text(style.margin, y, "Mengetahui:", style.label_size))
    texts.append(Text(width // 2 + 100, y, "Pelapor", style.label_size))
    y += style.pitch
    texts.append(Text(style.margin, y, "Pejabat Dukcapil Yang Membidangi", style.label_size))
    y += style.pitch * 3
    texts.append(Text(style.margin, y, f"( {rng.choice(OFFICIALS)} )", style.label_size))
    reporter = data.get("pelapor", {}).get("nama", "")
    texts.append(Text(width // 2 + 100, y, f"( {reporter} )", style.label_size))


# --- outputs ----------------------------------------------------------------------------------


def render_f201(data: dict[str, Any], *, font: Path, rng: random.Random) -> Image.Image:
    """The filled form as a page image (mode "L", dpi info (300, 300))."""
    form = layout(data, rng, Path(font))
    image = Image.new("L", PAGE_SIZE, 255)
    draw = ImageDraw.Draw(image)
    fonts: dict[tuple[int, bool], ImageFont.FreeTypeFont] = {}

    def get(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
        if (size, bold) not in fonts:
            fonts[(size, bold)] = ImageFont.truetype(str(_bold(Path(font)) if bold else font), size)
        return fonts[(size, bold)]

    for text in form.texts:
        draw.text((text.x, text.y), text.text, fill=0, font=get(text.size, text.bold))
    for x0, y0, x1, y1 in form.lines:
        draw.line((x0, y0, x1, y1), fill=0, width=2)
    for cell in form.cells:
        draw.rectangle((cell.x, cell.y, cell.x + cell.w, cell.y + cell.h), outline=0, width=3)
        if cell.char:
            glyph = get(int(cell.h * 0.62))
            draw.text((cell.x + cell.w / 2, cell.y + cell.h / 2), cell.char, fill=0, font=glyph,
                      anchor="mm")
    image.info["dpi"] = (DPI, DPI)
    return image


def render_f201_pdf(data: dict[str, Any], *, font: Path, rng: random.Random,
                    acroform: bool = False) -> bytes:
    """The filled form as a born-digital PDF: values as a text layer, or (``acroform``) as
    filled AcroForm comb fields over empty boxes. Labels are always real text."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas as pdf_canvas

    form = layout(data, rng, Path(font))
    scale = 72.0 / DPI
    height_pt = PAGE_SIZE[1] * scale
    regular, bold = f"F201-{Path(font).stem}", f"F201-{_bold(Path(font)).stem}"
    pdfmetrics.registerFont(TTFont(regular, str(font)))
    pdfmetrics.registerFont(TTFont(bold, str(_bold(Path(font)))))
    buffer = io.BytesIO()
    pdf = pdf_canvas.Canvas(buffer, pagesize=(PAGE_SIZE[0] * scale, height_pt),
                            invariant=True, pageCompression=1)
    pdf.setTitle("F-2.01")
    for text in form.texts:  # PIL draws from the top of the em box; PDF from the baseline
        pdf.setFont(bold if text.bold else regular, text.size * scale)
        pdf.drawString(text.x * scale, height_pt - (text.y + text.size * 0.8) * scale, text.text)
    pdf.setLineWidth(2 * scale)
    for x0, y0, x1, y1 in form.lines:
        pdf.line(x0 * scale, height_pt - y0 * scale, x1 * scale, height_pt - y1 * scale)
    pdf.setLineWidth(3 * scale)
    for cell in form.cells:
        pdf.rect(cell.x * scale, height_pt - (cell.y + cell.h) * scale, cell.w * scale,
                 cell.h * scale, stroke=1, fill=0)
        if cell.char and not acroform:
            size = cell.h * 0.62
            pdf.setFont(regular, size * scale)
            baseline = cell.y + cell.h / 2 + size * 0.36
            pdf.drawCentredString((cell.x + cell.w / 2) * scale, height_pt - baseline * scale,
                                  cell.char)
    if acroform:
        for comb in form.combs:
            pdf.acroForm.textfield(
                name=comb.name, value=comb.value, x=comb.x * scale,
                y=height_pt - (comb.y + comb.h) * scale, width=comb.w * scale,
                height=comb.h * scale, maxlen=comb.boxes, fieldFlags="comb", borderWidth=0,
                fontName="Helvetica", fontSize=comb.h * 0.5 * scale, forceBorder=False,
                fillColor=None, borderColor=None,
            )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _bold(font: Path) -> Path:
    """The bold face of the same family when installed, else the font itself."""
    base = font.stem.removesuffix("-Regular")
    for suffix in ("-Bold", "Bold"):
        candidate = font.with_name(f"{base}{suffix}{font.suffix}")
        if candidate.exists():
            return candidate
    return font


__all__ = ["OPTIONS", "PAGE_SIZE", "SECTIONS", "layout", "render_f201", "render_f201_pdf"]
