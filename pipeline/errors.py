"""Every error periksa raises on purpose, with its exit status, HTTP status and stable code.

    PeriksaError                 internal (exit 1, HTTP 500)
    ├── InputRefused             the input is refused (exit 2)
    │   ├── UnreadableFile       422 unreadable_file: corrupt, truncated, empty, bomb
    │   ├── UnsupportedFormat    415 unsupported_format: not JPEG, PNG, TIFF or PDF
    │   ├── FileTooLarge         413 file_too_large: bytes, pixels or pages over the limit
    │   ├── EncryptedPdf         422 encrypted_pdf
    │   └── InvalidSubmission    422 invalid_submission: breaks submission.schema.json
    ├── ConfigurationError       exit 1: a bad ruleset, layout or setting at start-up
    └── ServiceUnavailable       503 service_unavailable: database, broker or store down

Code below the edges raises these; only `pipeline/cli.py` and the web layer turn them into
an exit status or an HTTP answer. Messages never carry personal data (NIK, names).
"""

from __future__ import annotations


class PeriksaError(Exception):
    exit_code = 1
    http_status = 500
    code = "internal_error"

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class InputRefused(PeriksaError):
    exit_code = 2
    http_status = 422
    code = "input_refused"


class UnreadableFile(InputRefused):
    code = "unreadable_file"


class UnsupportedFormat(InputRefused):
    http_status = 415
    code = "unsupported_format"


class FileTooLarge(InputRefused):
    http_status = 413
    code = "file_too_large"


class EncryptedPdf(InputRefused):
    code = "encrypted_pdf"


class InvalidSubmission(InputRefused):
    code = "invalid_submission"


class ConfigurationError(PeriksaError):
    code = "configuration_error"


class ServiceUnavailable(PeriksaError):
    http_status = 503
    code = "service_unavailable"


class OcrFailed(PeriksaError):
    """The OCR engine crashed or ran past its time limit on a page."""

    code = "ocr_failed"
