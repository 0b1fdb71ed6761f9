"""A logging filter that masks NIKs, KK numbers and names in every record, whoever logs it.

The filter formats the record's message once, masks it with storage.masking.mask_text and
stores the result with no arguments left, so no handler can format the raw values later.
`install` wraps the log record factory (every record, every handler, even ones added later)
and adds the filter to the root logger's handlers for exception text.
"""

from __future__ import annotations

import logging

from storage.masking import mask_text


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not hide the record
            message = str(record.msg)
        record.msg = mask_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True


_FILTER = MaskingFilter()
_installed_factory: list[bool] = []


def _masking_factory(previous):  # type: ignore[no-untyped-def]
    """Records are masked when created, so handlers added later see only masked text."""

    def make(*args, **kwargs):  # type: ignore[no-untyped-def]
        record = previous(*args, **kwargs)
        _FILTER.filter(record)
        return record

    return make


def install(logger: logging.Logger | None = None) -> MaskingFilter:
    """Mask on `logger` (root by default) and on every handler it has now."""
    target = logger or logging.getLogger()
    if not _installed_factory:
        logging.setLogRecordFactory(_masking_factory(logging.getLogRecordFactory()))
        _installed_factory.append(True)
    if _FILTER not in target.filters:
        target.addFilter(_FILTER)
    for handler in target.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
    return _FILTER
