"""The log masking filter: arguments, exception text, and loggers configured after install."""

from __future__ import annotations

import io
import logging
import re

from web import masklog

NIK = "3216051708900003"  # synthetic


def test_records_are_masked_whatever_the_handler() -> None:
    masklog.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # added after install: still masked
    logger = logging.getLogger("periksa.test.masklog")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("nik %s and kk %d", NIK, int(NIK))
        try:
            raise ValueError(f"bad nik {NIK}")
        except ValueError:
            logger.exception("while reading %s", "x")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "nik " in text and "while reading x" in text and "ValueError" in text
    assert re.search(r"\d{16}", text) is None


def test_filter_keeps_ordinary_messages() -> None:
    record = logging.LogRecord("periksa", logging.INFO, __file__, 1, "application %s failed: %s",
                               ("01M84MVJV8W031RFFTFB3GYFAM", "ocr_failed"), None)
    masklog.MaskingFilter().filter(record)
    assert record.getMessage() == "application 01M84MVJV8W031RFFTFB3GYFAM failed: ocr_failed"
