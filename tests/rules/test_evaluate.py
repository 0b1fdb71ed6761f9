"""evaluate(): flag and reasons from comparisons and checks; clear only when nothing is wrong."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.records import CheckOutcome, ExtractedDocument, Flag, Submission
from rules import evaluate

SHARED = Path("/work/shared/contract/examples")


def _run(kit, ruleset, data, fields, kind="kk", **doc_args):
    return evaluate(kit.submission(data, kind), [kit.doc(fields, kind, **doc_args)], ruleset)


def test_identical_confident_document_is_clear(kit, ruleset, kk_data):
    result = _run(kit, ruleset, kk_data, kit.tree(kk_data))
    assert result.flag == Flag.CLEAR, result.reasons
    assert result.reasons == []
    assert {c.rule for c in result.checks} >= {"nik.birth_date", "nik.wilayah", "kk.issue_date"}


def test_contract_example_gives_its_reason(kit, ruleset, kk_data):
    fields = kit.tree(kk_data)
    fields["anggota_keluarga"][1]["nik"] = kit.fld("3216095203850005")
    result = _run(kit, ruleset, kk_data, fields)
    assert result.flag == Flag.MISMATCH
    assert result.reasons[0] == (
        "anggota_keluarga[1].nik: NIK pada dokumen 3216095203850005, diajukan 3216095203850004")


@pytest.mark.skipif(not SHARED.exists(), reason="shared contract examples not present")
def test_shared_contract_example(ruleset):
    sub = Submission(**json.loads((SHARED / "kk.submission.json").read_text()))
    report = json.loads((SHARED / "kk.result.json").read_text())
    docs = [ExtractedDocument(**d) for d in report["documents"]]
    result = evaluate(sub, docs, ruleset)
    assert result.flag == Flag.MISMATCH
    assert result.reasons[0] == report["reasons"][0]


def test_near_name_is_review_with_a_reason(kit, ruleset, kk_data):
    fields = kit.tree(kk_data)
    fields["anggota_keluarga"][0]["nama_lengkap"] = kit.fld("AHMAD SUBARDJA")
    fields["nama_kepala_keluarga"] = kit.fld("AHMAD SUBARDJA")
    result = _run(kit, ruleset, kk_data, fields)
    assert result.flag == Flag.REVIEW
    assert any(r.startswith("nama_kepala_keluarga: nama kepala keluarga hampir sama") for r in result.reasons)


def test_low_confidence_match_is_review(kit, ruleset, kk_data):
    fields = kit.tree(kk_data)
    fields["kode_pos"] = kit.fld("17534", confidence=0.50)
    result = _run(kit, ruleset, kk_data, fields)
    assert result.flag == Flag.REVIEW
    assert result.reasons == ["kode_pos: kode pos terbaca dengan keyakinan rendah (0.50 < 0.55), mohon periksa"]


def test_confusable_digit_low_vs_high_confidence(kit, ruleset, kk_data):
    fields = kit.tree(kk_data)
    fields["anggota_keluarga"][1]["nik"] = kit.fld("3216095203858004", confidence=0.75)
    assert _run(kit, ruleset, kk_data, fields).flag == Flag.REVIEW
    fields["anggota_keluarga"][1]["nik"] = kit.fld("3216095203858004", confidence=0.98)
    assert _run(kit, ruleset, kk_data, fields).flag == Flag.MISMATCH


def test_mismatch_reasons_come_before_review_reasons(kit, ruleset, kk_data):
    fields = kit.tree(kk_data)
    fields["rt"] = kit.fld(None, confidence=0.1)
    fields["kabupaten_kota"] = kit.fld("BOGOR")
    result = _run(kit, ruleset, kk_data, fields)
    assert result.flag == Flag.MISMATCH
    assert result.reasons[0].startswith("kabupaten_kota:")
    assert result.reasons[1].startswith("rt:")


def test_nik_date_disagreeing_on_the_document_is_review(kit, ruleset, kk_data):
    data = copy.deepcopy(kk_data)
    data["anggota_keluarga"][0]["tanggal_lahir"] = "1980-07-06"  # printed date was corrected
    result = _run(kit, ruleset, data, kit.tree(data))
    assert result.flag == Flag.REVIEW
    failed = [c for c in result.checks if c.outcome == CheckOutcome.FAIL]
    assert [(c.rule, c.subject) for c in failed] == [("nik.birth_date", "anggota_keluarga[0].nik")]


def test_unsure_printed_date_against_the_nik_is_still_checked(kit, ruleset, kk_data):
    """The document prints a birth date the NIK contradicts, read under the floor (the reader
    lowers both when they disagree) and not typed by the applicant: the contradiction must
    still reach a person (review), not vanish as 'not read confidently' into a clear."""
    data = copy.deepcopy(kk_data)
    fields = kit.tree(data)
    fields["anggota_keluarga"][0]["tanggal_lahir"] = kit.fld("1980-12-06", confidence=0.3)
    for key in ("tanggal_lahir", "jenis_kelamin"):
        data["anggota_keluarga"][0].pop(key)
    result = _run(kit, ruleset, data, fields)
    assert result.flag == Flag.REVIEW, result.reasons
    failed = [(c.rule, c.subject) for c in result.checks if c.outcome == CheckOutcome.FAIL]
    assert failed == [("nik.birth_date", "anggota_keluarga[0].nik")]


def test_papua_old_code_is_review_with_hint(kit, ruleset):
    nik = kit.make_nik(dt.date(1975, 6, 1), "PEREMPUAN", district="910203")
    data = {"nik": nik, "nama": "YOSINA WENDA", "jenis_kelamin": "PEREMPUAN",
            "tanggal_lahir": "1975-06-01"}
    result = _run(kit, ruleset, data, kit.tree(data), "akta_kelahiran")
    assert result.flag == Flag.REVIEW
    assert result.reasons == [next(r for r in result.reasons if "kode lama sebelum pemekaran" in r)]


def test_serial_0000_is_mismatch(kit, ruleset):
    data = {"nik": "3216095203850000", "nama": "SITI NURHALIZA", "tanggal_lahir": "1985-03-12"}
    assert _run(kit, ruleset, data, kit.tree(data), "akta_kelahiran").flag == Flag.MISMATCH


def test_document_of_another_type_is_mismatch(kit, ruleset, kk_data):
    result = evaluate(kit.submission(kk_data), [kit.doc({}, "akta_kelahiran")], ruleset)
    assert result.flag == Flag.MISMATCH
    assert result.reasons[0] == "documents: jenis dokumen akta_kelahiran, yang diajukan kk"
    assert len(result.reasons) == 1  # fields are not listed one by one as missing


@pytest.mark.parametrize("documents", [[], ["unknown"]])
def test_nothing_classified_is_review(kit, ruleset, kk_data, documents):
    docs = [kit.doc({}, kind) for kind in documents]
    result = evaluate(kit.submission(kk_data), docs, ruleset)
    assert result.flag == Flag.REVIEW
    assert result.reasons[0] == "documents: jenis dokumen tidak dapat dikenali"


def test_unsure_classification_is_review(kit, ruleset, kk_data):
    result = _run(kit, ruleset, kk_data, kit.tree(kk_data), confidence=0.3)
    assert result.flag == Flag.REVIEW
    assert result.reasons[0].startswith("documents[0]: jenis dokumen kk dikenali dengan keyakinan rendah")


def test_auto_picks_the_document_by_field_keys(kit, ruleset):
    data = {"jenis_pelaporan": "KELAHIRAN",
            "ayah": {"nama": "AHMAD SUBARJO", "nik": "3216090507800011"},
            "ibu": {"nama": "SITI NURHALIZA", "nik": "3216095203850004"}}
    docs = [kit.doc({"nomor_kk": kit.fld("3216091812120003")}, "kk"),
            kit.doc(kit.tree(data), "f2_01")]
    result = evaluate(kit.submission(data, "auto"), docs, ruleset)
    assert result.flag == Flag.CLEAR, result.reasons
    assert {c.document for c in result.comparisons} == {1}
    ibu_sex = next(c for c in result.checks if c.rule == "nik.sex" and c.subject == "ibu.nik")
    assert ibu_sex.outcome == CheckOutcome.PASS  # ibu implies PEREMPUAN; NIK day 52 agrees


def test_evaluation_is_frozen(kit, ruleset, kk_data):
    result = _run(kit, ruleset, kk_data, kit.tree(kk_data))
    with pytest.raises(Exception):
        result.flag = Flag.MISMATCH  # type: ignore[misc]


# --- property: a disagreeing field never yields clear -------------------------------------

_CHANGES = {
    "nomor_kk": "3216091812120004", "nama_kepala_keluarga": "BUDI SANTOSO", "rt": "004",
    "kecamatan": "TAMBUN SELATAN", "kode_pos": "17510", "tanggal_dikeluarkan": "2012-12-21",
}
_ROW_CHANGES = {
    "nama_lengkap": "RINA MARLINA", "nik": "3216095203850009", "jenis_kelamin": "PEREMPUAN",
    "tempat_lahir": "SURABAYA", "tanggal_lahir": "1981-07-05", "agama": "HINDU",
    "status_hubungan_dalam_keluarga": "MENANTU",
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(sorted(_CHANGES) + [f"row.{k}" for k in sorted(_ROW_CHANGES)]),
       confidence=st.floats(min_value=0.0, max_value=1.0))
def test_never_clear_when_a_field_disagrees(kit, ruleset, kk_data, key, confidence):
    fields = kit.tree(kk_data)
    if key.startswith("row."):
        name = key[4:]
        fields["anggota_keluarga"][0][name] = kit.fld(_ROW_CHANGES[name], confidence)
    else:
        fields[key] = kit.fld(_CHANGES[key], confidence)
    assert _run(kit, ruleset, kk_data, fields).flag != Flag.CLEAR
