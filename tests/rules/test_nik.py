"""NIK and No. KK structure checks (synthetic numbers only)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.records import CheckOutcome, Severity
from rules.nik import check_kk_number, check_nik, decode


def _by_rule(checks):
    return {c.rule: c for c in checks}


def test_womans_nik_carries_day_plus_40(kit, ruleset):
    nik = kit.make_nik(dt.date(1985, 3, 12), "PEREMPUAN")
    assert nik[6:8] == "52"
    parts = decode(nik)
    assert (parts.day, parts.month, parts.yy, parts.sex) == (12, 3, 85, "PEREMPUAN")
    checks = _by_rule(check_nik("nik", nik, "1985-03-12", "PEREMPUAN", ruleset))
    assert all(c.outcome == CheckOutcome.PASS for c in checks.values()), checks
    assert "CIKARANG UTARA" in checks["nik.wilayah"].message


def test_printed_sex_disagreeing_with_nik_is_review(kit, ruleset):
    nik = kit.make_nik(dt.date(1985, 3, 12), "LAKI-LAKI")
    check = _by_rule(check_nik("nik", nik, "1985-03-12", "PEREMPUAN", ruleset))["nik.sex"]
    assert (check.outcome, check.severity) == (CheckOutcome.FAIL, Severity.REVIEW)
    assert "LAKI-LAKI" in check.message and "PEREMPUAN" in check.message


@pytest.mark.parametrize("printed", ["1925-05-05", "2025-05-05"])
def test_century_comes_from_the_printed_date(kit, ruleset, printed):
    nik = kit.make_nik(dt.date.fromisoformat(printed), "LAKI-LAKI")
    check = _by_rule(check_nik("nik", nik, printed, "LAKI-LAKI", ruleset))["nik.birth_date"]
    assert check.outcome == CheckOutcome.PASS


def test_encoded_date_unlike_printed_is_review_not_mismatch(kit, ruleset):
    nik = kit.make_nik(dt.date(1925, 5, 5), "LAKI-LAKI")
    check = _by_rule(check_nik("nik", nik, "1925-05-06", "LAKI-LAKI", ruleset))["nik.birth_date"]
    assert (check.outcome, check.severity) == (CheckOutcome.FAIL, Severity.REVIEW)
    assert "05-05-1925" in check.message and "06-05-1925" in check.message


def test_papua_code_before_pemekaran_is_a_review_warning(kit, ruleset):
    nik = kit.make_nik(dt.date(1990, 1, 2), "LAKI-LAKI", district="910203")  # old 91.02 Jayawijaya
    check = _by_rule(check_nik("nik", nik, "1990-01-02", "LAKI-LAKI", ruleset))["nik.wilayah"]
    assert (check.outcome, check.severity) == (CheckOutcome.WARN, Severity.REVIEW)
    assert "kode lama sebelum pemekaran" in check.message
    assert "Jayawijaya" in check.message


@pytest.mark.parametrize("district", ["329901", "990101", "320001"])
def test_unknown_region_code_is_review(kit, ruleset, district):
    nik = kit.make_nik(dt.date(1990, 1, 2), "LAKI-LAKI", district=district)
    check = _by_rule(check_nik("nik", nik, "1990-01-02", "LAKI-LAKI", ruleset))["nik.wilayah"]
    assert (check.outcome, check.severity) == (CheckOutcome.FAIL, Severity.REVIEW)


def test_serial_0000_fails_as_mismatch(kit, ruleset):
    nik = kit.make_nik(dt.date(1990, 1, 2), "LAKI-LAKI", serial="0000")
    check = _by_rule(check_nik("nik", nik, "1990-01-02", "LAKI-LAKI", ruleset))["nik.serial"]
    assert (check.outcome, check.severity) == (CheckOutcome.FAIL, Severity.MISMATCH)


@pytest.mark.parametrize("ddmmyy", ["320190", "721390", "000190", "290225"])
def test_impossible_encoded_date(kit, ruleset, ddmmyy):
    nik = f"321609{ddmmyy}0001"
    checks = _by_rule(check_nik("nik", nik, "1925-01-01", "LAKI-LAKI", ruleset))
    assert checks["nik.date_valid"].outcome == CheckOutcome.FAIL
    assert checks["nik.birth_date"].outcome == CheckOutcome.SKIP
    assert checks["nik.sex"].outcome == CheckOutcome.SKIP


def test_without_printed_values_date_and_sex_are_skipped(kit, ruleset):
    nik = kit.make_nik(dt.date(2001, 2, 3), "PEREMPUAN")
    checks = _by_rule(check_nik("nik", nik, None, None, ruleset))
    assert checks["nik.date_valid"].outcome == CheckOutcome.PASS
    assert checks["nik.birth_date"].outcome == CheckOutcome.SKIP
    assert checks["nik.sex"].outcome == CheckOutcome.SKIP


@pytest.mark.parametrize("bad", ["321609520385000", "32160952038500041", "3216O95203850004", ""])
def test_not_sixteen_digits_is_a_format_failure_only(kit, ruleset, bad):
    checks = check_nik("nik", bad, "1985-03-12", "PEREMPUAN", ruleset)
    assert [(c.rule, c.outcome) for c in checks] == [("nik.format", CheckOutcome.FAIL)]


def test_separators_are_ignored(kit, ruleset):
    checks = _by_rule(check_nik("nik", "3216.09.520385.0004", "1985-03-12", "P", ruleset))
    assert checks["nik.format"].outcome == CheckOutcome.PASS
    assert checks["nik.sex"].outcome == CheckOutcome.PASS


# --- No. KK -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("issued", "outcome", "key"),
    [
        ("2012-12-18", CheckOutcome.PASS, "pass"),
        ("2020-07-01", CheckOutcome.PASS, "pass"),
        ("2012-12-17", CheckOutcome.FAIL, "setelah"),
        (None, CheckOutcome.SKIP, "tidak tersedia"),
    ],
)
def test_kk_number_date_not_after_issue(kit, ruleset, issued, outcome, key):
    checks = _by_rule(check_kk_number("nomor_kk", "3216091812120003", issued, ruleset))
    assert checks["kk.format"].outcome == CheckOutcome.PASS
    assert checks["kk.wilayah"].outcome == CheckOutcome.PASS
    assert checks["kk.issue_date"].outcome == outcome
    assert key == "pass" or key in checks["kk.issue_date"].message


def test_kk_number_has_no_plus_40(kit, ruleset):
    checks = _by_rule(check_kk_number("nomor_kk", "3216095812120003", "2013-01-01", ruleset))
    assert checks["kk.issue_date"].outcome == CheckOutcome.FAIL
    assert "bukan tanggal yang sah" in checks["kk.issue_date"].message


def test_kk_number_century_before_2000(kit, ruleset):
    checks = _by_rule(check_kk_number("nomor_kk", "3216091812990003", "2001-05-01", ruleset))
    assert checks["kk.issue_date"].outcome == CheckOutcome.PASS


def test_kk_number_format_and_unknown_region(kit, ruleset):
    assert check_kk_number("nomor_kk", "12345", None, ruleset)[0].outcome == CheckOutcome.FAIL
    checks = _by_rule(check_kk_number("nomor_kk", "3299011812120003", None, ruleset))
    assert checks["kk.wilayah"].outcome == CheckOutcome.FAIL


# --- property: encode -> decode -----------------------------------------------------------

_districts = st.sampled_from(["321609", "317101", "350101", "910203", "930101", "127101"])


@settings(max_examples=300, deadline=None)
@given(
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)),
    sex=st.sampled_from(["LAKI-LAKI", "PEREMPUAN"]),
    district=_districts,
    serial=st.integers(min_value=1, max_value=9999).map(lambda n: f"{n:04d}"),
)
def test_encode_then_decode_round_trips(kit, ruleset, birth, sex, district, serial):
    nik = kit.make_nik(birth, sex, district=district, serial=serial)
    parts = decode(nik)
    assert parts is not None
    assert (parts.day, parts.month, parts.yy) == (birth.day, birth.month, birth.year % 100)
    assert (parts.sex, parts.serial, parts.district.replace(".", "")) == (sex, serial, district)
    checks = _by_rule(check_nik("nik", nik, birth.isoformat(), sex, ruleset))
    for rule in ("nik.format", "nik.date_valid", "nik.birth_date", "nik.sex", "nik.serial"):
        assert checks[rule].outcome == CheckOutcome.PASS, (rule, checks[rule].message)
    assert checks["nik.wilayah"].outcome != CheckOutcome.FAIL
