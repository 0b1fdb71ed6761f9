"""Parse and validate what an intake service sends beside the files.

The contract's JSON schema is the judge; every violation is listed so an intake service can
fix them all at once rather than one per round trip.
"""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator

from pipeline.contract import load
from pipeline.errors import InvalidSubmission
from pipeline.records import Submission

_MAX_ERRORS = 20


def parse_submission(raw: bytes | str | dict[str, Any]) -> Submission:
    """Bytes, text or an already-parsed dict -> a validated Submission, or InvalidSubmission."""
    body = _as_dict(raw)
    errors = sorted(_validator().iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        details = [_describe(e) for e in errors[:_MAX_ERRORS]]
        raise InvalidSubmission(f"submission breaks the contract: {details[0]}", details=details)
    return Submission.model_validate(body)


def _as_dict(raw: bytes | str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidSubmission(f"submission is not valid JSON: {exc.__class__.__name__}") from exc
    if not isinstance(body, dict):
        raise InvalidSubmission("submission must be a JSON object")
    return body


def _validator() -> Draft202012Validator:
    return Draft202012Validator(load("submission.schema.json"))


def _describe(error: Any) -> str:
    """Where and what, without echoing the value (it may be a NIK or a name)."""
    where = "/".join(str(p) for p in error.absolute_path) or "(top)"
    if error.validator in {"pattern", "enum", "type", "minLength", "maxLength", "minimum"}:
        return f"{where}: fails '{error.validator}' ({error.validator_value!r})"
    return f"{where}: {error.message}"
