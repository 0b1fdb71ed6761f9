import json
from pathlib import Path

import pytest

from pipeline.errors import InvalidSubmission
from pipeline.submission import parse_submission

EXAMPLES = Path(__file__).resolve().parents[2] / "samples" / "contract_examples"


@pytest.mark.parametrize("name", ["kk", "akta_kelahiran", "f2_01"])
def test_contract_examples_are_accepted(name: str) -> None:
    submission = parse_submission((EXAMPLES / f"{name}.submission.json").read_bytes())
    assert submission.document_type in {name, "auto"}
    assert submission.data


def test_every_violation_is_listed_without_echoing_values() -> None:
    body = {"document_type": "kk", "data": {"nomor_kk": "32160918121200", "extra": 1,
                                            "anggota_keluarga": [{"jenis_kelamin": "L"}]}}
    with pytest.raises(InvalidSubmission) as err:
        parse_submission(body)
    details = err.value.details
    assert len(details) == 3
    assert any(d.startswith("data/nomor_kk: fails 'pattern'") for d in details)
    assert any("anggota_keluarga/0/jenis_kelamin" in d for d in details)
    assert not any("32160918121200" in d for d in details)
    assert err.value.exit_code == 2 and err.value.http_status == 422


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b"\xff\xfe", b'{"data": {}}'])
def test_malformed_submissions_are_refused(raw: bytes) -> None:
    with pytest.raises(InvalidSubmission):
        parse_submission(raw)


def test_unknown_document_type_is_refused() -> None:
    with pytest.raises(InvalidSubmission, match="document_type"):
        parse_submission(json.dumps({"document_type": "ktp", "data": {}}))
