"""From uploaded bytes to page images (and a PDF's text layer), refusing hostile input early.

The file type comes from magic bytes only: a name or a declared media type is what the
uploader claims, the first bytes are what the decoder will actually meet. Every limit
(bytes, pixels, pages) is checked from headers before pixels are decoded, so a 100 KB
decompression bomb costs neither memory nor time. Each refusal is one `InputRefused`
error with a one-line message that names no person and no file content.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Iterator

import numpy as np
from PIL import Image, ImageOps, ImageSequence

from pipeline.errors import EncryptedPdf, FileTooLarge, UnreadableFile, UnsupportedFormat
from pipeline.records import FormField, PageImage, PageText, Word
from pipeline.settings import Settings

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"II+\x00", "image/tiff"),  # BigTIFF
    (b"MM\x00+", "image/tiff"),
    (b"%PDF-", "application/pdf"),
)

_EXIF_ORIENTATION = 0x0112
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/tiff"})


@dataclass(frozen=True)
class _Limits:
    """Thresholds of this module, kept as data (STYLE: no magic numbers inline)."""

    dpi_min: float = 72.0  # a declared dpi outside [min, max] is not believed
    dpi_max: float = 1200.0
    page_long_in_min: float = 4.0  # ... nor one that makes the page absurdly small or big
    page_long_in_max: float = 20.0
    assumed_long_in: float = 11.7  # A4 long side; F4 (13 in) is close enough for OCR
    pdf_dpi: int = 300
    pdf_text_min_chars: int = 20  # fewer letters than this is a stray stamp, not a text layer
    pdf_line_tolerance: float = 0.5  # of a word's height: same line when tops are this close


LIMITS = _Limits()


@dataclass(frozen=True)
class LoadedPage:
    """One page of an upload: its pixels, and the PDF text layer when the file has one."""

    image: PageImage
    text: PageText | None = None


def sniff(data: bytes) -> str:
    """The media type of `data` judged from its first bytes, or refuse it."""
    if not data:
        raise UnreadableFile("the file is empty")
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    raise UnsupportedFormat("the file is not a JPEG, PNG, TIFF or PDF document")


def load_pages(data: bytes, media_type: str, settings: Settings) -> list[LoadedPage]:
    """Decode an upload into pages; raise an `InputRefused` error for anything unfit."""
    if len(data) > settings.max_file_bytes:
        raise FileTooLarge(
            f"the file is {len(data) / 2**20:.1f} MiB; the limit is "
            f"{settings.max_file_bytes / 2**20:.1f} MiB"
        )
    if not data:
        raise UnreadableFile("the file is empty")
    if media_type in IMAGE_TYPES:
        return [LoadedPage(image=page) for page in _image_pages(data, settings)]
    if media_type == "application/pdf":
        return _pdf_pages(data, settings)
    raise UnsupportedFormat(f"unsupported media type {media_type!r}")


# --- images ---------------------------------------------------------------------------------


def _image_pages(data: bytes, settings: Settings) -> list[PageImage]:
    previous = Image.MAX_IMAGE_PIXELS  # Pillow's limit is global: set it for this call only
    Image.MAX_IMAGE_PIXELS = settings.max_pixels
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as img:
                return list(_frames(img, settings))
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise _too_many_pixels(settings) from exc
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError) as exc:
            # Pillow's decoders raise any of these on corrupt or truncated input
            raise UnreadableFile("the image is corrupt or truncated") from exc
        finally:
            Image.MAX_IMAGE_PIXELS = previous


def _frames(img: Image.Image, settings: Settings) -> Iterator[PageImage]:
    count = getattr(img, "n_frames", 1)
    if count > settings.max_pages:
        raise FileTooLarge(f"the image has {count} pages; the limit is {settings.max_pages}")
    for number, frame in enumerate(ImageSequence.Iterator(img), start=1):
        if frame.width * frame.height > settings.max_pixels:  # header only, nothing decoded
            raise _too_many_pixels(settings)
        frame.load()
        yield _to_page(frame, number)


def _to_page(frame: Image.Image, number: int) -> PageImage:
    steps: list[str] = []
    info_dpi = frame.info.get("dpi")
    upright = frame
    if frame.getexif().get(_EXIF_ORIENTATION, 1) in range(2, 9):
        upright = ImageOps.exif_transpose(frame)
        steps.append("exif_transpose")
    pixels = _gray(upright)
    dpi = _declared_dpi(info_dpi, pixels.shape)
    if dpi is None:
        dpi = _estimated_dpi(pixels.shape)
        steps.append("dpi_estimated")
    return PageImage(number=number, pixels=pixels, dpi=dpi, steps=tuple(steps))


def _gray(img: Image.Image) -> np.ndarray:
    """Grayscale uint8; transparency is laid on white paper, 16-bit scaled, not clipped."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        return (np.asarray(img, dtype=np.uint16) // 257).astype(np.uint8)
    if img.mode in ("I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        scaled = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(arr)
        return scaled.astype(np.uint8)
    if img.mode == "P" or "A" in img.getbands():
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    return np.ascontiguousarray(np.asarray(img.convert("L"), dtype=np.uint8))


def _declared_dpi(info_dpi: object, shape: tuple[int, ...]) -> int | None:
    """The file's dpi when it is plausible for a document page, else None.

    Phones and many tools write 72 dpi whatever the picture: a 4000 px photo "at 72 dpi"
    would be a 55-inch page, so the implied page size is checked as well as the number.
    """
    try:
        dpi = float(info_dpi[0])  # type: ignore[index]
    except (TypeError, ValueError, IndexError):
        return None
    if not LIMITS.dpi_min <= dpi <= LIMITS.dpi_max:
        return None
    long_in = max(shape[:2]) / dpi
    if not LIMITS.page_long_in_min <= long_in <= LIMITS.page_long_in_max:
        return None
    return int(round(dpi))


def _estimated_dpi(shape: tuple[int, ...]) -> int:
    """Resolution assuming the frame shows an A4/F4 page along its long side."""
    return max(1, int(round(max(shape[:2]) / LIMITS.assumed_long_in)))


def _too_many_pixels(settings: Settings) -> FileTooLarge:
    return FileTooLarge(f"the image has more than {settings.max_pixels} pixels")


# --- PDF --------------------------------------------------------------------------------------


def _pdf_pages(data: bytes, settings: Settings) -> list[LoadedPage]:
    import pypdfium2 as pdfium

    pdf = _open_pdf(data)
    try:
        count = len(pdf)
        if count == 0:
            raise UnreadableFile("the PDF has no pages")
        if count > settings.max_pages:
            raise FileTooLarge(f"the PDF has {count} pages; the limit is {settings.max_pages}")
        images = [_render(pdf[i], i + 1, settings) for i in range(count)]
    except pdfium.PdfiumError as exc:
        raise UnreadableFile("the PDF is damaged and cannot be rendered") from exc
    finally:
        pdf.close()
    texts = _with_forms(_text_layers(data, images), _form_fields(data, images), images)
    return [LoadedPage(image=img, text=txt) for img, txt in zip(images, texts)]


def _open_pdf(data: bytes):  # -> pdfium.PdfDocument
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedPdf("the PDF is protected by a password") from exc
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_SECURITY:
            raise EncryptedPdf("the PDF uses an unsupported encryption") from exc
        raise UnreadableFile("the PDF is damaged and cannot be opened") from exc


def _render(page, number: int, settings: Settings) -> PageImage:
    """Render one page at 300 dpi in gray, after checking the pixel count it would make."""
    scale = LIMITS.pdf_dpi / 72.0
    width_pt, height_pt = page.get_size()
    if width_pt * scale * height_pt * scale > settings.max_pixels:
        raise FileTooLarge(f"a PDF page would exceed {settings.max_pixels} pixels at 300 dpi")
    bitmap = page.render(scale=scale, grayscale=True)
    arr = bitmap.to_numpy()
    if arr.ndim == 3:  # some pdfium builds hand back BGR(x) even when asked for gray
        arr = np.asarray(Image.fromarray(arr[..., :3][..., ::-1]).convert("L"))
    pixels = np.ascontiguousarray(arr, dtype=np.uint8)
    return PageImage(number=number, pixels=pixels, dpi=LIMITS.pdf_dpi, steps=("pdf_render",))


def _text_layers(data: bytes, images: list[PageImage]) -> list[PageText | None]:
    """The text layer of every page, None where a page has none worth trusting.

    pdfminer may choke on a PDF that pdfium rendered fine; the pixels are then still good,
    so a text-layer failure only means OCR will read those pages.
    """
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as doc:
            return [_page_text(p, img) for p, img in zip(doc.pages, images)]
    except Exception:  # noqa: BLE001 - any pdfminer failure just means: no text layer
        return [None] * len(images)


def _page_text(page, image: PageImage) -> PageText | None:
    x0, top, x1, bottom = page.cropbox
    words = page.extract_words(keep_blank_chars=False, use_text_flow=False)
    letters = sum(sum(c.isalnum() for c in w["text"]) for w in words if "(cid:" not in w["text"])
    if letters < LIMITS.pdf_text_min_chars:
        return None
    sx = image.width / max(x1 - x0, 1e-6)
    sy = image.height / max(bottom - top, 1e-6)
    boxes = [
        (w["text"], ((w["x0"] - x0) * sx, (w["top"] - top) * sy,
                     (w["x1"] - x0) * sx, (w["bottom"] - top) * sy))
        for w in words if "(cid:" not in w["text"]
    ]
    return PageText(
        page=image.number, width=image.width, height=image.height, source="pdf_text",
        words=tuple(_lines(boxes)), steps=image.steps, engine="pdfplumber",
    )


def _lines(boxes: list[tuple[str, tuple[float, float, float, float]]]) -> Iterator[Word]:
    """Words with line numbers, top to bottom then left to right, as OCR would give them."""
    line, line_top, line_h = -1, None, 0.0
    rows: list[list[tuple[str, tuple[float, float, float, float]]]] = []
    for text, bbox in sorted(boxes, key=lambda b: (b[1][1], b[1][0])):
        height = bbox[3] - bbox[1]
        tol = LIMITS.pdf_line_tolerance * max(height, line_h)
        if line_top is None or abs(bbox[1] - line_top) > tol:
            line, line_top, line_h = line + 1, bbox[1], height
            rows.append([])
        rows[line].append((text, bbox))
    for number, row in enumerate(rows):
        for text, bbox in sorted(row, key=lambda b: b[1][0]):
            yield Word(text=text, confidence=1.0, bbox=bbox, line=number, block=0)


# --- AcroForm -------------------------------------------------------------------------------


def _form_fields(data: bytes, images: list[PageImage]) -> list[tuple[FormField, ...]]:
    """Filled AcroForm text fields per page (widget boxes in page pixels); none on failure.

    A filled form's values live in its fields, not in the text layer, so they are read here
    directly; like the text layer, a form pypdf cannot parse only means OCR reads the page.
    """
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        return [tuple(_widgets(page, image)) for page, image in zip(reader.pages, images)]
    except Exception:  # noqa: BLE001 - any pypdf failure just means: no form values
        return [()] * len(images)


def _widgets(page, image: PageImage) -> Iterator[FormField]:
    x0, y0, x1, y1 = (float(v) for v in page.cropbox)
    sx, sy = image.width / max(x1 - x0, 1e-6), image.height / max(y1 - y0, 1e-6)
    for ref in page.get("/Annots") or []:
        annot = ref.get_object()
        if annot.get("/Subtype") != "/Widget" or "/Rect" not in annot:
            continue
        holder = annot if "/V" in annot else annot.get("/Parent", {})
        name, value = _qualified_name(annot), holder.get("/V")
        if not name or value is None or not isinstance(value, str):
            continue
        left, bottom, right, top = (float(v) for v in annot["/Rect"])
        bbox = ((left - x0) * sx, (y1 - top) * sy, (right - x0) * sx, (y1 - bottom) * sy)
        yield FormField(name=name, value=str(value), bbox=bbox)


def _qualified_name(annot) -> str:
    """The field's full dotted name: its /T and its parents' /T, outermost first."""
    parts, node = [], annot
    while node is not None:
        if "/T" in node:
            parts.append(str(node["/T"]))
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return ".".join(reversed(parts))


def _with_forms(texts: list[PageText | None], forms: list[tuple[FormField, ...]],
                images: list[PageImage]) -> list[PageText | None]:
    """A page with filled form fields becomes a "pdf_form" page (its text layer kept)."""
    out: list[PageText | None] = []
    for text, form, image in zip(texts, forms, images):
        if not any(f.value.strip() for f in form):
            out.append(text)
            continue
        base = text or PageText(page=image.number, width=image.width, height=image.height,
                                source="pdf_form", steps=image.steps, engine="pypdf")
        out.append(base.model_copy(update={"source": "pdf_form", "form": form}))
    return out
