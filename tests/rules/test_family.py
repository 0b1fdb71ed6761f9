"""Family rules on a KK as read: one head, parents' names and ages, marriage dates."""

from __future__ import annotations

import copy

import pytest

from pipeline.records import CheckOutcome, Flag, Severity
from rules import evaluate
from rules.family import age_on, family_checks


def _rows(kk_data):
    data = copy.deepcopy(kk_data)
    data["anggota_keluarga"][2].update({"status_hubungan_dalam_keluarga": "ANAK"})
    data["anggota_keluarga"][0]["tanggal_perkawinan"] = "2008-05-17"
    data["anggota_keluarga"][1]["tanggal_perkawinan"] = "2008-05-17"
    return data


def _by_rule(checks, rule):
    return [c for c in checks if c.rule == rule]


def test_consistent_card_passes_every_family_rule(kit, ruleset, kk_data):
    checks = family_checks(kit.tree(_rows(kk_data)), ruleset)
    rules = {c.rule for c in checks}
    assert rules == {"family.head_count", "family.head_name", "family.parent_name",
                     "family.parent_age", "family.marriage_date"}
    assert all(c.outcome == CheckOutcome.PASS for c in checks), [c.message for c in checks]
    assert all(c.severity == Severity.REVIEW for c in checks)


def test_two_heads_fail_and_zero_heads_with_unreadable_status_skip(kit, ruleset, kk_data):
    data = _rows(kk_data)
    data["anggota_keluarga"][1]["status_hubungan_dalam_keluarga"] = "KEPALA KELUARGA"
    [check] = _by_rule(family_checks(kit.tree(data), ruleset), "family.head_count")
    assert check.outcome == CheckOutcome.FAIL and "2" in check.message
    fields = kit.tree(_rows(kk_data))
    row = fields["anggota_keluarga"][0]
    row["status_hubungan_dalam_keluarga"] = kit.fld("KEPALA KELUARGA", 0.3)
    [check] = _by_rule(family_checks(fields, ruleset), "family.head_count")
    assert check.outcome == CheckOutcome.SKIP


def test_head_row_named_differently_from_header_fails(kit, ruleset, kk_data):
    fields = kit.tree(_rows(kk_data))
    fields["nama_kepala_keluarga"] = kit.fld("BAMBANG HERYANTO")
    [check] = _by_rule(family_checks(fields, ruleset), "family.head_name")
    assert check.outcome == CheckOutcome.FAIL
    assert check.subject == "anggota_keluarga[0].nama_lengkap"


def test_titles_and_a_misread_letter_are_not_a_different_head(kit, ruleset, kk_data):
    fields = kit.tree(_rows(kk_data))
    fields["nama_kepala_keluarga"] = kit.fld("H. AHMAD SUBARJO, S.PD")
    fields["anggota_keluarga"][0]["nama_lengkap"] = kit.fld("AHMAD SUBARIO")
    [check] = _by_rule(family_checks(fields, ruleset), "family.head_name")
    assert check.outcome == CheckOutcome.PASS


def test_step_child_father_is_a_warning_not_a_failure(kit, ruleset, kk_data):
    data = _rows(kk_data)
    data["anggota_keluarga"][2]["nama_ayah"] = "DENI KURNIAWAN"
    checks = family_checks(kit.tree(data), ruleset)
    father = [c for c in checks if c.subject == "anggota_keluarga[2].nama_ayah"]
    assert [c.outcome for c in father] == [CheckOutcome.WARN]
    mother = [c for c in checks if c.subject == "anggota_keluarga[2].nama_ibu"]
    assert [c.outcome for c in mother] == [CheckOutcome.PASS]
    result = evaluate(kit.submission(kk_data), [kit.doc(kit.tree(data))], ruleset)
    assert result.flag != Flag.CLEAR


def test_near_parent_name_passes(kit, ruleset, kk_data):
    data = _rows(kk_data)
    data["anggota_keluarga"][2]["nama_ibu"] = "SITI NURHALIZAH"
    checks = family_checks(kit.tree(data), ruleset)
    mother = [c for c in checks if c.subject == "anggota_keluarga[2].nama_ibu"]
    assert mother[0].outcome == CheckOutcome.PASS


def test_female_head_is_the_mother(kit, ruleset, kk_data):
    data = _rows(kk_data)
    del data["anggota_keluarga"][0]
    data["anggota_keluarga"][0]["status_hubungan_dalam_keluarga"] = "KEPALA KELUARGA"
    data["nama_kepala_keluarga"] = "SITI NURHALIZA"
    checks = family_checks(kit.tree(data), ruleset)
    mother = [c for c in checks if c.subject == "anggota_keluarga[1].nama_ibu"]
    father = [c for c in checks if c.subject == "anggota_keluarga[1].nama_ayah"]
    assert mother[0].outcome == CheckOutcome.PASS
    assert father[0].outcome == CheckOutcome.SKIP  # no husband on the card


@pytest.mark.parametrize(("mother_born", "outcome"), [
    ("1998-11-21", CheckOutcome.FAIL),  # 11 at the birth on 2010-11-20
    ("1998-11-20", CheckOutcome.PASS),  # 12 that day: the minimum
    ("2012-01-01", CheckOutcome.FAIL),  # born after her child
])
def test_parent_age_threshold(kit, ruleset, kk_data, mother_born, outcome):
    data = _rows(kk_data)
    data["anggota_keluarga"][1]["tanggal_lahir"] = mother_born
    data["anggota_keluarga"][1]["tanggal_perkawinan"] = "2013-01-01"
    data["anggota_keluarga"][0]["tanggal_perkawinan"] = "2013-01-01"
    [check] = _by_rule(family_checks(kit.tree(data), ruleset), "family.parent_age")
    assert check.outcome == outcome
    if outcome == CheckOutcome.FAIL:
        assert "ibu" in check.message and "12" in check.message


def test_parent_age_skips_for_a_parent_the_child_does_not_name(kit, ruleset, kk_data):
    data = _rows(kk_data)
    data["anggota_keluarga"][1]["tanggal_lahir"] = "2005-01-01"  # would be 5 at the birth
    data["anggota_keluarga"][2]["nama_ibu"] = "RATNA DEWI"
    data["anggota_keluarga"][0]["tanggal_perkawinan"] = "2024-01-01"
    data["anggota_keluarga"][1]["tanggal_perkawinan"] = "2024-01-01"
    [check] = _by_rule(family_checks(kit.tree(data), ruleset), "family.parent_age")
    assert check.outcome == CheckOutcome.PASS  # only the father is confirmed, and he was 30


def test_unreadable_child_birth_date_skips(kit, ruleset, kk_data):
    fields = kit.tree(_rows(kk_data))
    fields["anggota_keluarga"][2]["tanggal_lahir"] = kit.fld("2010-11-20", 0.5)
    [check] = _by_rule(family_checks(fields, ruleset), "family.parent_age")
    assert check.outcome == CheckOutcome.SKIP


def test_marriage_before_the_wifes_birth_fails_on_both_spouses(kit, ruleset, kk_data):
    data = _rows(kk_data)
    data["anggota_keluarga"][0]["tanggal_perkawinan"] = "1984-01-01"
    data["anggota_keluarga"][1]["tanggal_perkawinan"] = "1984-01-01"
    checks = _by_rule(family_checks(kit.tree(data), ruleset), "family.marriage_date")
    assert [c.outcome for c in checks] == [CheckOutcome.FAIL, CheckOutcome.FAIL]
    assert "12-03-1985" in checks[0].message


def test_empty_cells_and_no_rows_give_no_failures(kit, ruleset, kk_data):
    data = _rows(kk_data)
    data["anggota_keluarga"][2]["nama_ayah"] = "-"
    checks = family_checks(kit.tree(data), ruleset)
    father = [c for c in checks if c.subject == "anggota_keluarga[2].nama_ayah"]
    assert father[0].outcome == CheckOutcome.SKIP
    assert family_checks({"nomor_kk": kit.fld("3216091812120003")}, ruleset) == []


def test_age_on_counts_whole_years():
    import datetime as dt

    assert age_on(dt.date(2000, 2, 29), dt.date(2012, 2, 28)) == 11
    assert age_on(dt.date(2000, 2, 29), dt.date(2012, 2, 29)) == 12
    assert age_on(dt.date(2010, 1, 1), dt.date(2000, 1, 1)) == -10
