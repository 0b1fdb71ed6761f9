"""The whole path on generated documents, read by the real tesseract: fields, schema, flags."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from pipeline.batch import uploads_in
from pipeline.contract import load
from pipeline.records import Flag, Report
from pipeline.run import verify
from pipeline.settings import Settings
from pipeline.stores import open_stores

pytestmark = pytest.mark.ocr


@pytest.fixture(scope="module")
def reports(generated: list[Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict, Report]]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("e2e") / "var")
    stores = open_stores(settings)
    out = {}
    for app in generated:
        truth = json.loads((app / "truth.json").read_text())
        out[app.name] = (truth, verify(uploads_in(app), (app / "submission.json").read_bytes(),
                                       settings, stores))
    return out


def test_reports_follow_the_contract(reports: dict[str, tuple[dict, Report]]) -> None:
    validator = Draft202012Validator(load("result.schema.json"))
    for truth, report in reports.values():
        validator.validate(report.to_contract())
        assert report.ruleset_version.startswith("sha256:")
        assert [d.document_type.value for d in report.documents] == [truth["document_type"]]


def test_no_contradiction_is_ever_clear(reports: dict[str, tuple[dict, Report]]) -> None:
    contradicting = {name: r.flag for name, (t, r) in reports.items() if t["variant"] != "truthful"}
    assert len(contradicting) >= 6
    assert not [name for name, flag in contradicting.items() if flag == Flag.CLEAR]


def test_truthful_clean_scans_are_clear(reports: dict[str, tuple[dict, Report]]) -> None:
    clean = {name: r for name, (t, r) in reports.items()
             if t["variant"] == "truthful" and t["tier"] == "clean"}
    assert len(clean) >= 2
    not_clear = {name: r.reasons[:3] for name, r in clean.items() if r.flag != Flag.CLEAR}
    assert not not_clear


def test_fields_read_equal_the_truth_on_clean_pages(reports: dict[str, tuple[dict, Report]]) -> None:
    """Every ground-truth leaf of a clean page is read exactly, with page and box."""
    from benchmarks.accuracy import compare_fields

    for name, (truth, report) in reports.items():
        if truth["tier"] != "clean":
            continue
        rows = list(compare_fields(truth["fields"], report.documents[0].fields))
        wrong = [(path, value) for path, expected, value, _ in rows if str(value) != str(expected)]
        assert not wrong, f"{name}: {wrong[:5]}"
        assert len(rows) >= 10
