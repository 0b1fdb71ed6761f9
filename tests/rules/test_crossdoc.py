"""Cross-document checks (F-2.01 + KK + akta) and the F-2.01's own checks."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from pipeline.records import CheckOutcome, Flag
from rules import evaluate
from rules.crossdoc import crossdoc_checks
from rules.f201 import f201_checks


@pytest.fixture
def form(kk_data):
    """An F-2.01 for the KK fixture's child (MUHAMMAD RIZKY PRATAMA, 2010-11-20)."""
    head, wife, child = kk_data["anggota_keluarga"]
    return {
        "jenis_pelaporan": "KELAHIRAN",
        "pelapor": {"nama": head["nama_lengkap"], "nik": head["nik"],
                    "nomor_kk": kk_data["nomor_kk"]},
        "subjek_akta_1": {"nama": child["nama_lengkap"], "nik": child["nik"]},
        "saksi_1": {"nama": "DEDI KURNIAWAN", "nik": "3216091204790003"},
        "saksi_2": {"nama": "RINA MARLINA", "nik": "3216095708880001"},
        "ayah": {"nama": head["nama_lengkap"], "nik": head["nik"], "tanggal_lahir": "1980-07-05"},
        "ibu": {"nama": wife["nama_lengkap"], "nik": wife["nik"], "tanggal_lahir": "1985-03-12"},
        "anak": {"nama": child["nama_lengkap"], "jenis_kelamin": "LAKI-LAKI",
                 "tempat_kelahiran": "BEKASI", "tanggal_lahir": "2010-11-20", "hari": "SABTU",
                 "berat_gram": 3100, "panjang_cm": 49},
    }


def _docs(kit, form, kk_data):
    return [kit.doc(kit.tree(form), "f2_01"), kit.doc(kit.tree(kk_data), "kk")]


def _by_rule(checks):
    out = {}
    for check in checks:
        out.setdefault(check.rule, []).append(check)
    return out


def test_agreeing_form_and_kk_pass_every_cross_check(kit, ruleset, form, kk_data):
    checks = _by_rule(crossdoc_checks(_docs(kit, form, kk_data), ruleset))
    assert {c.outcome for cs in checks.values() for c in cs} == {CheckOutcome.PASS}
    [member] = checks["crossdoc.kk_member"]
    assert member.subject == "documents[1].anggota_keluarga[2].nik"
    assert {c.subject for c in checks["crossdoc.child_birth_date"]} == {
        "documents[1].anggota_keluarga[2].tanggal_lahir"}
    assert len(checks["crossdoc.kk_parents"]) == 2
    assert len(checks["crossdoc.parent_name"]) == 2  # the child row's nama ayah / nama ibu


def test_a_different_birth_date_on_the_kk_is_a_mismatch(kit, ruleset, form, kk_data):
    kk_data["anggota_keluarga"][2]["tanggal_lahir"] = "2010-12-20"
    documents = _docs(kit, form, kk_data)
    [check] = [c for c in crossdoc_checks(documents, ruleset)
               if c.rule == "crossdoc.child_birth_date"]
    assert (check.outcome, check.severity.value) == (CheckOutcome.FAIL, "mismatch")
    assert "2010-11-20" in check.message and "2010-12-20" in check.message
    result = evaluate(kit.submission(form, "f2_01"), documents, ruleset)
    assert result.flag == Flag.MISMATCH


def test_a_one_character_confusable_difference_only_warns(kit, ruleset, form, kk_data):
    form["anak"]["tanggal_lahir"] = "2010-11-28"  # 0 read as 8 somewhere
    [check] = [c for c in crossdoc_checks(_docs(kit, form, kk_data), ruleset)
               if c.rule == "crossdoc.child_birth_date"]
    assert check.outcome == CheckOutcome.WARN


def test_child_missing_from_the_kk_is_review_not_mismatch(kit, ruleset, form, kk_data):
    kk_data["anggota_keluarga"] = kk_data["anggota_keluarga"][:2]  # newborn not added yet
    checks = crossdoc_checks(_docs(kit, form, kk_data), ruleset)
    [member] = [c for c in checks if c.rule == "crossdoc.kk_member"]
    assert (member.outcome, member.severity.value) == (CheckOutcome.FAIL, "review")
    assert "MUHAMMAD RIZKY PRATAMA" in member.message


def test_same_name_other_nik_on_the_kk_fails(kit, ruleset, form, kk_data):
    kk_data["anggota_keluarga"][2]["nik"] = kit.make_nik(dt.date(2010, 11, 20), "LAKI-LAKI",
                                                        serial="0099")
    [member] = [c for c in crossdoc_checks(_docs(kit, form, kk_data), ruleset)
                if c.rule == "crossdoc.kk_member"]
    assert member.outcome == CheckOutcome.FAIL and "0099" in member.message


def test_another_father_than_the_head_of_family(kit, ruleset, form, kk_data):
    form["ayah"]["nama"] = "BAMBANG HERMAWAN"
    checks = _by_rule(crossdoc_checks(_docs(kit, form, kk_data), ruleset))
    father = [c for c in checks["crossdoc.kk_parents"] if c.subject.endswith("ayah.nama")]
    assert father[0].outcome == CheckOutcome.FAIL
    names = [c for c in checks["crossdoc.parent_name"] if c.subject.endswith("nama_ayah")]
    assert names[0].outcome == CheckOutcome.FAIL  # the KK row says AHMAD SUBARJO


def test_unconfident_values_skip_instead_of_failing(kit, ruleset, form, kk_data):
    form_tree = kit.tree(form)
    form_tree["anak"]["tanggal_lahir"] = kit.fld("2099-01-01", confidence=0.3)
    documents = [kit.doc(form_tree, "f2_01"), kit.doc(kit.tree(kk_data), "kk")]
    assert not [c for c in crossdoc_checks(documents, ruleset)
                if c.rule == "crossdoc.child_birth_date"]


def test_akta_joins_the_comparison(kit, ruleset, form, kk_data):
    akta = {"nomor_akta": "3216-LU-10122010-0001", "nik": form["subjek_akta_1"]["nik"],
            "nama": "MUHAMMAD RIZKI PRATAMA", "tanggal_lahir": "2010-11-20",
            "nama_ayah": "AHMAD SUBARJO", "nama_ibu": "SITI NURHALIZA"}
    documents = _docs(kit, form, kk_data) + [kit.doc(kit.tree(akta), "akta_kelahiran")]
    checks = _by_rule(crossdoc_checks(documents, ruleset))
    names = {c.subject: c.outcome for c in checks["crossdoc.child_name"]}
    assert names["documents[2].nama"] in (CheckOutcome.PASS, CheckOutcome.WARN)
    assert all(c.outcome == CheckOutcome.PASS for c in checks["crossdoc.child_nik"])


def test_one_document_has_no_cross_checks(kit, ruleset, form):
    assert crossdoc_checks([kit.doc(kit.tree(form), "f2_01")], ruleset) == []


# --- the F-2.01 against itself ------------------------------------------------------------------


def test_form_own_checks_pass_on_a_consistent_form(kit, ruleset, form):
    checks = f201_checks(kit.tree(form), {}, ruleset)
    assert {(c.rule, c.outcome) for c in checks} == {
        ("f201.weekday", CheckOutcome.PASS), ("f201.witnesses", CheckOutcome.PASS),
        ("f201.birth_measures", CheckOutcome.PASS)}


def test_wrong_weekday_witness_is_reporter_and_implausible_weight(kit, ruleset, form):
    bad = copy.deepcopy(form)
    bad["anak"]["hari"] = "SENIN"  # 2010-11-20 was a Saturday
    bad["saksi_2"]["nik"] = bad["pelapor"]["nik"]
    bad["anak"]["berat_gram"] = 31000  # a digit too many
    failed = {(c.rule, c.subject) for c in f201_checks(kit.tree(bad), {}, ruleset)
              if c.outcome == CheckOutcome.FAIL}
    assert failed == {("f201.weekday", "anak.hari"), ("f201.witnesses", "saksi_2.nik"),
                      ("f201.birth_measures", "anak.berat_gram")}
    result = evaluate(kit.submission({"anak": {"nama": form["anak"]["nama"]}}, "f2_01"),
                      [kit.doc(kit.tree(bad), "f2_01")], ruleset)
    assert result.flag == Flag.REVIEW
