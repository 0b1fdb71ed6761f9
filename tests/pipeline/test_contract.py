"""The contract files shipped in the package must stay equal to shared/ (when it is beside us)."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from pipeline.contract import load

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


@pytest.mark.parametrize("name, shared", [
    ("submission.schema.json", "contract/submission.schema.json"),
    ("result.schema.json", "contract/result.schema.json"),
    ("enums.json", "domain/enums.json"),
])
def test_shipped_copies_equal_shared(name: str, shared: str) -> None:
    source = SHARED / shared
    if not source.exists():
        pytest.skip("shared/ is not beside this checkout")
    assert load(name) == json.loads(source.read_text(encoding="utf-8"))


def test_example_report_is_valid_against_result_schema() -> None:
    example = json.loads((ROOT / "samples/contract_examples/kk.result.json").read_text())
    Draft202012Validator(load("result.schema.json")).validate(example)
