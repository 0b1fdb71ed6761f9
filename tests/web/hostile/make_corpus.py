"""Write the hostile-upload corpus: files an intake API must refuse cleanly (or sanitise).

    python tests/web/hostile/make_corpus.py [OUT_DIR]     (default: tests/web/hostile/files)

Every file is generated here (nothing downloaded) and listed in OUT_DIR/manifest.json with
the upload filename to send, the HTTP status and the stable error code expected back. The
limits assumed are those of `LIMITS` (the test builds its Settings from them).
"""

from __future__ import annotations

import io
import json
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

LIMITS = {"max_file_bytes": 1_000_000, "max_pixels": 60_000_000, "max_pages": 20}


@dataclass(frozen=True)
class Case:
    name: str          # the file written in OUT_DIR
    upload_as: str     # the filename sent in the multipart part
    status: int
    code: str | None   # None: accepted (202)
    build: Callable[[], bytes]


def _page(fmt: str, **kw) -> bytes:  # type: ignore[no-untyped-def]
    img = Image.new("L", (600, 400), 255)
    ImageDraw.Draw(img).rectangle((50, 50, 300, 120), fill=0)
    out = io.BytesIO()
    img.save(out, fmt, **kw)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _bomb_png(side: int = 20_000) -> bytes:
    """A 1-bit PNG of side x side zeros: ~50 KB on disk, 400 Mpx (50 MB+) when decoded."""
    row = b"\x00" * (1 + side // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body)
            + _chunk(b"IEND", b""))


def _huge_tiff() -> bytes:
    """A little-endian TIFF whose header claims 100000 x 100000 pixels and holds none."""
    entries = [(256, 4, 1, 100_000), (257, 4, 1, 100_000), (258, 3, 1, 8), (259, 3, 1, 1),
               (262, 3, 1, 1), (273, 4, 1, 8), (277, 3, 1, 1), (278, 4, 1, 100_000),
               (279, 4, 1, 10_000_000_000 % 2**32)]
    ifd = struct.pack("<H", len(entries)) + b"".join(
        struct.pack("<HHII", tag, kind, count, value) for tag, kind, count, value in entries)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0)


def _pdf(pages: int = 1, size: tuple[float, float] = (595, 842), password: str | None = None) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=size[0], height=size[1])
    if password:
        writer.encrypt(user_password=password, owner_password=password + "-owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("kk.png", _page("PNG"))
    return out.getvalue()


def _webp() -> bytes:
    payload = b"VP8 " + struct.pack("<I", 10) + b"\x00" * 10
    return b"RIFF" + struct.pack("<I", 4 + len(payload)) + b"WEBP" + payload


CASES: tuple[Case, ...] = (
    Case("text_renamed.jpg", "kk.jpg", 415, "unsupported_format", lambda: b"not an image\n" * 20),
    Case("truncated.jpg", "kk.jpg", 422, "unreadable_file",
         lambda: _page("JPEG", quality=90)[:1500]),
    Case("truncated.png", "kk.png", 422, "unreadable_file", lambda: _page("PNG")[:200]),
    Case("truncated.tif", "kk.tif", 422, "unreadable_file", lambda: _page("TIFF")[:300]),
    Case("jpeg_soi_only.jpg", "kk.jpg", 422, "unreadable_file", lambda: b"\xff\xd8\xff\xe0"),
    Case("empty.png", "kk.png", 422, "unreadable_file", lambda: b""),
    Case("page.html", "kk.png", 415, "unsupported_format",
         lambda: b"<!doctype html><html><script>alert(1)</script></html>"),
    Case("image.svg", "kk.png", 415, "unsupported_format",
         lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>'),
    Case("archive.zip", "kk.pdf", 415, "unsupported_format", _zip),
    Case("bomb.png", "kk.png", 413, "file_too_large", _bomb_png),
    Case("huge_dimensions.tif", "kk.tif", 413, "file_too_large", _huge_tiff),
    Case("encrypted.pdf", "kk.pdf", 422, "encrypted_pdf", lambda: _pdf(password="rahasia")),
    Case("broken.pdf", "kk.pdf", 422, "unreadable_file",
         lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage\n%%EOF"),
    Case("too_many_pages.pdf", "kk.pdf", 413, "file_too_large",
         lambda: _pdf(pages=LIMITS["max_pages"] + 1)),
    Case("huge_page.pdf", "kk.pdf", 413, "file_too_large", lambda: _pdf(size=(14_400, 14_400))),
    Case("animated.gif", "kk.gif", 415, "unsupported_format", lambda: _page("GIF")),
    Case("image.bmp", "kk.bmp", 415, "unsupported_format", lambda: _page("BMP")),
    Case("image.webp", "kk.webp", 415, "unsupported_format", _webp),
    Case("polyglot_jpeg_html.jpg", "kk.jpg", 422, "unreadable_file",
         lambda: b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>" + b"\x00" * 64),
    Case("polyglot_gif_pdf.pdf", "kk.pdf", 415, "unsupported_format",
         lambda: b"GIF89a" + _pdf()),
    Case("oversize.png", "kk.png", 413, "file_too_large",
         lambda: _page("PNG") + b"\x00" * LIMITS["max_file_bytes"]),
    Case("path_traversal.png", "../../../etc/cron.d/kk.png", 202, None, lambda: _page("PNG")),
    Case("windows_path.png", "C:\\Users\\warga\\Desktop\\kk.png", 202, None, lambda: _page("PNG")),
    Case("control_chars.png", "kk\x07\x1b[2J\x7f.png", 202, None, lambda: _page("PNG")),
)


def write(out: Path) -> list[dict]:
    """Write every case's file and the manifest; the manifest rows."""
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for case in CASES:
        (out / case.name).write_bytes(case.build())
        rows.append({"file": case.name, "upload_as": case.upload_as, "status": case.status,
                     "code": case.code})
    (out / "manifest.json").write_text(json.dumps({"limits": LIMITS, "cases": rows}, indent=1))
    return rows


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "files"
    print(f"{len(write(target))} files written to {target}")
