import io

import pytest
from PIL import Image

from pipeline.errors import FileTooLarge, UnreadableFile, UnsupportedFormat
from pipeline.ingest import Upload, check_upload, safe_filename
from pipeline.settings import Settings


@pytest.mark.parametrize("name, expected", [
    ("kk.jpg", "kk.jpg"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\budi\\scan KK.png", "scan KK.png"),
    ("evil\x00name\x1b[31m.pdf", "evilname_31m.pdf"),
    ("", "upload"),
    ("...", "upload"),
])
def test_safe_filename_keeps_only_a_plain_last_component(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def _png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size, 255).save(buffer, "PNG", dpi=(300, 300))
    return buffer.getvalue()


def test_a_good_image_is_hashed_typed_and_decoded(settings: Settings) -> None:
    checked = check_upload(Upload("../a.png", _png((400, 300))), settings)
    assert checked.filename == "a.png"
    assert checked.media_type == "image/png"
    assert len(checked.sha256) == 64
    assert [p.image.pixels.shape for p in checked.pages] == [(300, 400)]


def test_refusals_name_the_file(settings: Settings) -> None:
    with pytest.raises(UnreadableFile, match="^empty.png: "):
        check_upload(Upload("empty.png", b""), settings)
    with pytest.raises(UnsupportedFormat, match="^notes.jpg: "):
        check_upload(Upload("notes.jpg", b"hello, this is text" * 10), settings)
    small = settings.model_copy(update={"max_file_bytes": 100})
    with pytest.raises(FileTooLarge, match="^big.png: "):
        check_upload(Upload("big.png", _png((400, 300))), small)
