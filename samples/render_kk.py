"""Synthetic Kartu Keluarga pages rendered from ground truth (no real people's data).

The layout follows the printed card (header block of `Label : value`, two ruled member
tables, footer with signatures) and varies margins, column widths, font size and row
height with `rng`, so an extractor that relies on fixed coordinates fails on these pages
just as it would on real scans. Both generations are drawn: the old pre-printed blank
("blangko": ten ruled rows, LEMBAR list, maybe a light tint) and the plain-paper print
("digital": golongan darah and tanggal perkawinan columns, QR block, BSrE line).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from PIL import Image, ImageDraw, ImageFont

PAGE = (3508, 2480)  # A4 landscape at 300 dpi
BLANGKO_ROWS = 10
MIN_FONT = 16

TABLE1 = [
    ("No", None), ("Nama Lengkap", "nama_lengkap"), ("NIK", "nik"),
    ("Jenis Kelamin", "jenis_kelamin"), ("Tempat Lahir", "tempat_lahir"),
    ("Tanggal Lahir", "tanggal_lahir"), ("Agama", "agama"), ("Pendidikan", "pendidikan"),
    ("Jenis Pekerjaan", "jenis_pekerjaan"), ("Golongan Darah", "golongan_darah"),
]
TABLE2 = [
    ("No", None), ("Status Perkawinan", "status_perkawinan"),
    ("Tanggal Perkawinan", "tanggal_perkawinan"),
    ("Status Hubungan Dalam Keluarga", "status_hubungan_dalam_keluarga"),
    ("Kewarganegaraan", "kewarganegaraan"), ("No. Paspor", "no_paspor"),
    ("No. KITAP", "no_kitap"), ("Ayah", "nama_ayah"), ("Ibu", "nama_ibu"),
]
DIGITAL_ONLY = {"golongan_darah", "tanggal_perkawinan"}
HEADER_LEFT = [("Nama Kepala Keluarga", "nama_kepala_keluarga"), ("Alamat", "alamat"),
               ("RT/RW", "rt_rw"), ("Desa/Kelurahan", "desa_kelurahan")]
HEADER_RIGHT = [("Kecamatan", "kecamatan"), ("Kabupaten/Kota", "kabupaten_kota"),
                ("Kode Pos", "kode_pos"), ("Provinsi", "provinsi")]
OFFICIALS = ["Drs. BUDI SANTOSO, M.Si", "Ir. SRI WAHYUNI, M.M", "H. AGUS PRASETYO, S.H., M.H"]
LEMBAR = ["LEMBAR I : UNTUK KEPALA KELUARGA", "LEMBAR II : UNTUK RT",
          "LEMBAR III : UNTUK DESA/KELURAHAN", "LEMBAR IV : UNTUK KECAMATAN"]
BSRE = ("Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat "
        "elektronik yang diterbitkan oleh Balai Sertifikasi Elektronik (BSrE), BSSN")


@dataclass
class _Pen:
    """The drawing surface and the font file, with fonts cached by size."""

    draw: ImageDraw.ImageDraw
    font: Path
    bold: Path
    _cache: dict[tuple[Path, int], ImageFont.FreeTypeFont]

    def get(self, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
        path = self.bold if bold else self.font
        key = (path, size)
        if key not in self._cache:
            self._cache[key] = ImageFont.truetype(str(path), size)
        return self._cache[key]

    def width(self, text: str, size: int, bold: bool = False) -> int:
        return int(self.draw.textlength(text, font=self.get(size, bold)))

    def text(self, xy: tuple[float, float], text: str, size: int, bold: bool = False,
             fill: int = 0) -> None:
        self.draw.text(xy, text, font=self.get(size, bold), fill=fill)


def render_kk(data: dict[str, Any], *, generation: Literal["blangko", "digital"],
              font: Path, rng: random.Random) -> Image.Image:
    """One KK page (mode "L", 300 dpi) showing `data` (the submission's kk data shape)."""
    background = 255 if generation == "digital" or rng.random() < 0.4 else rng.randint(226, 242)
    image = Image.new("L", PAGE, background)
    pen = _Pen(ImageDraw.Draw(image), Path(font), _bold_sibling(Path(font)), {})
    margin = rng.randint(100, 190)
    size = rng.randint(26, 34)
    y = _draw_title(pen, data, rng, margin)
    y = _draw_header(pen, data, rng, margin, y, size + 2)
    members = list(data.get("anggota_keluarga") or [])
    n_rows = BLANGKO_ROWS if generation == "blangko" else len(members)
    footer_h = int(9 * (size + 2) * 1.5) + margin // 2
    available = PAGE[1] - y - footer_h - 2 * (5 * size + 60)
    row_h = min(int(size * rng.uniform(1.5, 1.85)), available // (2 * n_rows))
    for columns in (TABLE1, TABLE2):
        cols = [c for c in columns if generation == "digital" or c[1] not in DIGITAL_ONLY]
        first = 1 if columns is TABLE1 else len(TABLE1) + 1
        y = _draw_table(pen, cols, members, n_rows, rng, (margin, y, size, row_h), first)
        y += rng.randint(30, 60)
    _draw_footer(pen, data, generation, rng, margin, y, size + 2)
    image.info["dpi"] = (300, 300)
    return image


def _bold_sibling(font: Path) -> Path:
    """The bold face of the same family when installed, else the font itself."""
    stem = font.stem.replace("-Regular", "")
    for name in (f"{stem}-Bold.ttf", f"{stem}Bold.ttf", f"{stem}-Bold{font.suffix}"):
        if (font.parent / name).exists():
            return font.parent / name
    return font


def _print_date(iso: str | None) -> str:
    if not iso:
        return "-"
    year, month, day = iso.split("-")
    return f"{day}-{month}-{year}"


def _cell_text(member: dict[str, Any], key: str | None, number: int) -> str:
    if key is None:
        return str(number)
    value = member.get(key)
    if value in (None, ""):
        return "-"
    if key.startswith("tanggal_"):
        return _print_date(str(value))
    return str(value)


def _draw_title(pen: _Pen, data: dict[str, Any], rng: random.Random, margin: int) -> int:
    title_size = rng.randint(60, 72)
    title = "KARTU KELUARGA"
    y = margin + rng.randint(-20, 20)
    pen.text(((PAGE[0] - pen.width(title, title_size, True)) / 2, y), title, title_size, True)
    y += int(title_size * 1.35)
    number = f"No. {data.get('nomor_kk', '')}"
    no_size = rng.randint(40, 48)
    pen.text(((PAGE[0] - pen.width(number, no_size, True)) / 2, y), number, no_size, True)
    return y + int(no_size * 1.6) + rng.randint(10, 40)


def _header_value(data: dict[str, Any], key: str) -> str:
    if key == "rt_rw":
        return f"{int(data.get('rt') or 0):03d}/{int(data.get('rw') or 0):03d}"
    return str(data.get(key) or "-")


def _draw_header(pen: _Pen, data: dict[str, Any], rng: random.Random, margin: int, y: int,
                 size: int) -> int:
    line_h = int(size * rng.uniform(1.55, 1.9))
    right_x = PAGE[0] // 2 + rng.randint(-60, 220)
    for x, fields in ((margin + rng.randint(0, 40), HEADER_LEFT), (right_x, HEADER_RIGHT)):
        colon_x = x + max(pen.width(label, size) for label, _ in fields) + rng.randint(25, 70)
        for i, (label, key) in enumerate(fields):
            pen.text((x, y + i * line_h), label, size)
            pen.text((colon_x, y + i * line_h), ":", size)
            pen.text((colon_x + rng.randint(25, 40), y + i * line_h),
                     _header_value(data, key), size)
    return y + 4 * line_h + rng.randint(20, 50)


def _column_widths(pen: _Pen, cols: list[tuple[str, str | None]], texts: list[list[str]],
                   size: int, rng: random.Random, available: int) -> list[int]:
    """Widths proportional to content; shrunk from the widest column when the page is short."""
    pad = size // 2
    natural = []
    for c, (label, _) in enumerate(cols):
        content = max([pen.width(row[c], size) for row in texts] or [0])
        header = max(pen.width(word, int(size * 0.85), True) for word in label.split())
        natural.append(max(content, header) + 2 * pad)
    widths = [int(w * rng.uniform(1.0, 1.15)) for w in natural]
    while sum(widths) > available:
        widest = max(range(len(widths)), key=widths.__getitem__)
        widths[widest] -= 4
    spare = available - sum(widths)
    if spare > 0:
        share = rng.uniform(0.3, 1.0) * spare
        widths = [w + int(share * w / sum(natural)) for w in widths]
    return widths


def _wrap(pen: _Pen, text: str, size: int, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and pen.width(f"{lines[-1]} {word}", size, True) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _fit_size(pen: _Pen, text: str, size: int, width: int) -> int:
    """The largest font size <= size at which text fits the width (long pekerjaan values)."""
    while size > MIN_FONT and pen.width(text, size) > width:
        size -= 1
    return size


def _draw_table(pen: _Pen, cols: list[tuple[str, str | None]], members: list[dict[str, Any]],
                n_rows: int, rng: random.Random, geometry: tuple[int, int, int, int],
                first_number: int) -> int:
    x0, y0, size, row_h = geometry
    texts = [[_cell_text(m, key, i + 1) for _, key in cols] for i, m in enumerate(members)]
    widths = _column_widths(pen, cols, texts, size, rng, PAGE[0] - 2 * x0)
    pad = size // 2
    head_size = int(size * 0.85)
    wrapped = [_wrap(pen, label, head_size, w - 2 * pad) for (label, _), w in zip(cols, widths)]
    head_h = max(len(w) for w in wrapped) * int(head_size * 1.25) + 2 * pad
    number_h = int(head_size * 1.6)
    edges = [x0]
    for w in widths:
        edges.append(edges[-1] + w)
    row_tops = [y0, y0 + head_h, y0 + head_h + number_h]
    row_tops += [row_tops[-1] + (i + 1) * row_h for i in range(n_rows)]
    thickness = rng.randint(2, 4)
    for y in row_tops:
        pen.draw.line([(edges[0], y), (edges[-1], y)], fill=0, width=thickness)
    for x in edges:
        pen.draw.line([(x, row_tops[0]), (x, row_tops[-1])], fill=0, width=thickness)
    for c, lines in enumerate(wrapped):
        for k, line in enumerate(lines):
            lx = edges[c] + (widths[c] - pen.width(line, head_size, True)) / 2
            pen.text((lx, y0 + pad + k * int(head_size * 1.25)), line, head_size, True)
        label = f"({first_number + c})"
        pen.text((edges[c] + (widths[c] - pen.width(label, head_size)) / 2,
                  row_tops[1] + (number_h - head_size) / 2), label, head_size)
    for r, row in enumerate(texts[:n_rows]):
        for c, text in enumerate(row):
            cell_size = _fit_size(pen, text, size, widths[c] - 2 * pad)
            ty = row_tops[2 + r] + (row_h - cell_size) / 2 - cell_size * 0.1
            centred = edges[c] + (widths[c] - pen.width(text, cell_size)) / 2
            tx = edges[c] + pad if cols[c][1] else centred
            pen.text((tx, ty), text, cell_size)
    return row_tops[-1]


def _draw_footer(pen: _Pen, data: dict[str, Any], generation: str, rng: random.Random,
                 margin: int, y: int, size: int) -> None:
    line_h = int(size * 1.5)
    issued = f"Dikeluarkan Tanggal : {_print_date(data.get('tanggal_dikeluarkan'))}"
    pen.text((margin, y), issued, size)
    head_x = PAGE[0] * 0.36 + rng.randint(-60, 60)
    pen.text((head_x, y + line_h), "KEPALA KELUARGA", size)
    pen.text((head_x, y + 4 * line_h), str(data.get("nama_kepala_keluarga", "")), size)
    right_x = PAGE[0] * 0.62 + rng.randint(-40, 40)
    kabupaten = str(data.get("kabupaten_kota", ""))
    pen.text((right_x, y + line_h), "KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL", size)
    pen.text((right_x, y + 2 * line_h), f"KABUPATEN/KOTA {kabupaten}", size)
    pen.text((right_x, y + 5 * line_h), rng.choice(OFFICIALS), size)
    nip = "19" + "".join(str(rng.randint(0, 9)) for _ in range(16))
    pen.text((right_x, y + 6 * line_h), f"NIP. {nip}", size)
    if generation == "digital":
        _draw_qr(pen, rng, (int(PAGE[0] - margin - 5 * line_h), int(y + 2.2 * line_h)),
                 int(2.6 * line_h))
        pen.text((margin, min(PAGE[1] - margin // 2 - size, y + 7.5 * line_h)), BSRE, size - 4)
    else:
        for i, lembar in enumerate(LEMBAR):
            pen.text((margin, y + (2 + i) * line_h), lembar, size - 4)


def _draw_qr(pen: _Pen, rng: random.Random, origin: tuple[int, int], side: int) -> None:
    """A QR-like block: random modules with three finder squares (not a decodable code)."""
    n = 25
    module = max(side // n, 2)
    x0, y0 = origin
    for i in range(n):
        for j in range(n):
            finder = (i < 7 and j < 7) or (i < 7 and j >= n - 7) or (i >= n - 7 and j < 7)
            ring = finder and (min(i % (n - 7), j % (n - 7)) in (0, 6) or
                               max(i % (n - 7), j % (n - 7)) in (0, 6) or
                               (2 <= i % (n - 7) <= 4 and 2 <= j % (n - 7) <= 4))
            if ring if finder else rng.random() < 0.5:
                pen.draw.rectangle([x0 + j * module, y0 + i * module,
                                    x0 + (j + 1) * module - 1, y0 + (i + 1) * module - 1], fill=0)
