"""extractors.pages: type sniffing, decoding, limits, PDF text layers."""

from __future__ import annotations

import io
import resource
import struct
import time
import zipfile
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile

from extractors.pages import LoadedPage, load_pages, sniff
from pipeline.errors import (
    EncryptedPdf, FileTooLarge, InputRefused, UnreadableFile, UnsupportedFormat,
)
from pipeline.settings import Settings

SETTINGS = Settings()


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def _page(size: tuple[int, int] = (620, 877)) -> Image.Image:
    img = Image.new("L", size, 255)
    img.paste(0, (50, 50, 300, 80))  # one dark bar to check pixels survive decoding
    return img


def _pdf(draw, pages: int = 1) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for _ in range(pages):
        draw(c)
        c.showPage()
    c.save()
    return buf.getvalue()


def _text_pdf() -> bytes:
    def draw(c):
        c.setFont("Helvetica", 14)
        c.drawString(72, 842 - 100, "NOMOR KARTU KELUARGA 3201234567890123")
        c.drawString(72, 842 - 130, "Nama Kepala Keluarga BUDI SANTOSO")
    return _pdf(draw)


def _bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A 1-bit PNG of 900 M pixels in ~100 KB, written by hand (Pillow would allocate it)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row * 1000) for _ in range(height // 1000)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# --- sniff ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "expected"), [
    (_encode(_page(), "JPEG"), "image/jpeg"),
    (_encode(_page(), "PNG"), "image/png"),
    (_encode(_page(), "TIFF"), "image/tiff"),
    (b"MM\x00*\x00\x00\x00\x08rest", "image/tiff"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
])
def test_sniff_known_formats(data: bytes, expected: str) -> None:
    assert sniff(data) == expected


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
    return buf.getvalue()


@pytest.mark.parametrize("data", [
    b"NIK 3201234567890123\nnama: contoh\n",  # a text file renamed .jpg
    b"<!DOCTYPE html><html><body>KK</body></html>",
    _zip(),
    b"GIF89a\x01\x00\x01\x00",
    b" %PDF-1.4",  # the magic must come first
])
def test_sniff_refuses_other_content(data: bytes) -> None:
    with pytest.raises(UnsupportedFormat):
        sniff(data)


def test_sniff_empty_is_unreadable() -> None:
    with pytest.raises(UnreadableFile):
        sniff(b"")


# --- images --------------------------------------------------------------------------------


def test_png_with_dpi_keeps_dpi_and_pixels() -> None:
    [loaded] = load_pages(_encode(_page(), "PNG", dpi=(75, 75)), "image/png", SETTINGS)
    assert isinstance(loaded, LoadedPage) and loaded.text is None
    page = loaded.image
    assert (page.number, page.dpi, page.steps) == (1, 75, ())
    assert page.pixels.dtype == np.uint8 and page.pixels.shape == (877, 620)
    assert page.pixels[60, 100] == 0 and page.pixels[400, 400] == 255


def test_photo_without_dpi_gets_estimate_from_a4() -> None:
    data = _encode(_page((1400, 1980)), "JPEG", quality=90)
    [loaded] = load_pages(data, "image/jpeg", SETTINGS)
    assert loaded.image.dpi == round(1980 / 11.7)
    assert loaded.image.steps == ("dpi_estimated",)


def test_implausible_declared_dpi_is_not_believed() -> None:
    # 72 dpi on a 2480x3508 frame would be a 49-inch page: the phone's default, not a fact
    data = _encode(_page((2480, 3508)), "JPEG", dpi=(72, 72))
    [loaded] = load_pages(data, "image/jpeg", SETTINGS)
    assert loaded.image.dpi == 300 and "dpi_estimated" in loaded.image.steps


def test_transparent_png_lies_on_white_paper() -> None:
    rgba = Image.new("RGBA", (100, 80), (0, 0, 0, 0))
    rgba.paste((0, 0, 0, 255), (10, 10, 30, 30))
    [loaded] = load_pages(_encode(rgba, "PNG"), "image/png", SETTINGS)
    assert loaded.image.pixels[50, 50] == 255 and loaded.image.pixels[20, 20] == 0


def test_exif_orientation_is_applied() -> None:
    img = Image.new("L", (300, 200), 255)
    img.paste(0, (0, 0, 40, 40))  # dark square at the stored top-left
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: display needs 90 degrees clockwise
    [loaded] = load_pages(_encode(img, "JPEG", exif=exif), "image/jpeg", SETTINGS)
    px = loaded.image.pixels
    assert px.shape == (300, 200)
    assert "exif_transpose" in loaded.image.steps
    assert px[20, 180] < 60 and px[20, 20] > 200  # the square moved to the top-right


def test_multipage_tiff_gives_every_page() -> None:
    frames = [Image.new("L", (200, 280), 255 - 60 * i) for i in range(3)]
    data = _encode(frames[0], "TIFF", save_all=True, append_images=frames[1:], dpi=(200, 200))
    pages = load_pages(data, "image/tiff", SETTINGS)
    assert [p.image.number for p in pages] == [1, 2, 3]
    assert [int(p.image.pixels[0, 0]) for p in pages] == [255, 195, 135]


def test_tiff_with_too_many_pages_is_refused() -> None:
    frames = [Image.new("L", (20, 20), 255) for _ in range(4)]
    data = _encode(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(FileTooLarge):
        load_pages(data, "image/tiff", Settings(max_pages=3))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_image_is_unreadable(fmt: str) -> None:
    assert not ImageFile.LOAD_TRUNCATED_IMAGES
    noisy = Image.fromarray(np.random.default_rng(0).integers(0, 255, (400, 300), np.uint8))
    data = _encode(noisy, fmt)
    with pytest.raises(UnreadableFile):
        load_pages(data[: len(data) // 2], f"image/{fmt.lower()}", SETTINGS)


def test_garbage_after_magic_is_unreadable() -> None:
    with pytest.raises(UnreadableFile):
        load_pages(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "image/png", SETTINGS)


def test_empty_upload_is_unreadable() -> None:
    with pytest.raises(UnreadableFile):
        load_pages(b"", "image/png", SETTINGS)


def test_decompression_bomb_is_refused_fast_and_small() -> None:
    data = _bomb_png()
    assert len(data) < 1_000_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    start = time.perf_counter()
    with pytest.raises(FileTooLarge):
        load_pages(data, sniff(data), SETTINGS)
    assert time.perf_counter() - start < 1.0
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 100  # decoding it would take 900 MiB


def test_pixels_between_limit_and_twice_limit_are_refused() -> None:
    # Pillow only warns below 2x MAX_IMAGE_PIXELS; the header check must still refuse
    data = _encode(Image.new("1", (1100, 1000), 1), "PNG")
    with pytest.raises(FileTooLarge):
        load_pages(data, "image/png", Settings(max_pixels=1_000_000))


def test_file_over_byte_limit_is_refused() -> None:
    data = _encode(_page(), "PNG")
    with pytest.raises(FileTooLarge):
        load_pages(data, "image/png", Settings(max_file_bytes=len(data) - 1))


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_text_layer_words_land_on_their_ink() -> None:
    [loaded] = load_pages(_text_pdf(), "application/pdf", SETTINGS)
    page, text = loaded.image, loaded.text
    assert page.dpi == 300 and page.height == 3508 and abs(page.width - 2480) <= 1
    assert text is not None and text.source == "pdf_text"
    assert (text.width, text.height) == (page.width, page.height)
    assert text.text.splitlines() == [
        "NOMOR KARTU KELUARGA 3201234567890123", "Nama Kepala Keluarga BUDI SANTOSO",
    ]
    first = text.words[0]
    x0, y0, x1, y1 = first.bbox
    assert abs(x0 - 300) < 6  # 72 pt from the left edge = 1 in = 300 px
    assert abs(y1 - (100 + 14 * 0.22) * 300 / 72) < 15  # baseline 100 pt down, plus descent
    inside = page.pixels[int(y0):int(y1), int(x0):int(x1)]
    above = page.pixels[int(y0) - 40:int(y0) - 5, int(x0):int(x1)]
    assert inside.min() < 80 and (inside < 128).mean() > 0.1  # the word's box holds its ink
    assert above.min() > 200
    assert [w.line for w in text.words] == [0, 0, 0, 0, 1, 1, 1, 1, 1]


def test_pdf_without_text_has_no_text_layer() -> None:
    data = _pdf(lambda c: c.rect(100, 100, 200, 300, fill=1))
    [loaded] = load_pages(data, "application/pdf", SETTINGS)
    assert loaded.text is None
    assert loaded.image.steps == ("pdf_render",) and loaded.image.pixels.min() < 50


def _encrypt(data: bytes, user: str, owner: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user, owner_password=owner, algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_password_protected_pdf_is_refused() -> None:
    with pytest.raises(EncryptedPdf):
        load_pages(_encrypt(_text_pdf(), "rahasia", "pemilik"), "application/pdf", SETTINGS)


def test_pdf_with_only_an_owner_password_is_read() -> None:
    # permissions-only protection: every viewer opens it without asking, so do we
    pages = load_pages(_encrypt(_text_pdf(), "", "pemilik"), "application/pdf", SETTINGS)
    assert pages[0].text is not None and "KELUARGA" in pages[0].text.text


@pytest.mark.parametrize("data", [
    b"%PDF-1.4\n1 0 obj <<>> garbage",
    _text_pdf()[:400],
])
def test_broken_pdf_is_unreadable(data: bytes) -> None:
    with pytest.raises(UnreadableFile):
        load_pages(data, "application/pdf", SETTINGS)


def test_pdf_with_too_many_pages_is_refused() -> None:
    data = _pdf(lambda c: c.drawString(72, 72, "halaman"), pages=4)
    with pytest.raises(FileTooLarge):
        load_pages(data, "application/pdf", Settings(max_pages=3))


@pytest.mark.parametrize(("data", "media_type"), [
    (b"", "image/png"),
    (b"%PDF-1.4 broken", "application/pdf"),
    (_text_pdf()[:300], "application/pdf"),
    (_bomb_png(1000, 1000), "image/png"),
])
def test_errors_are_one_clean_line(data: bytes, media_type: str) -> None:
    with pytest.raises(InputRefused) as caught:
        load_pages(data, media_type, Settings(max_pixels=10_000))
    message = caught.value.message
    assert message and "\n" not in message and len(message) < 120
