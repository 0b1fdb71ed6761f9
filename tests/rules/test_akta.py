"""Akta rules: SIAK number format, registration and issue dates, issuing kab/kota."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.records import CheckOutcome, Flag
from rules import evaluate
from rules.akta import akta_checks, office_names, parse_akta_number

AKTA = {"nomor_akta": "3320-LT-02092023-0041", "nama": "PUTRI AYU LESTARI",
        "jenis_kelamin": "PEREMPUAN", "tempat_lahir": "JEPARA", "tanggal_lahir": "2011-08-23",
        "tempat_terbit": "JEPARA", "tanggal_terbit": "2023-09-04"}


def _outcomes(checks):
    return {c.rule: c.outcome for c in checks}


@pytest.mark.parametrize("text", ["3320-LT-02092023-0041", "3320.LT.02092023.0041",
                                  "3320/LT/02092023/0041", "3320 LT 02092023 0041",
                                  "3320 - LT - 02092023 - 0041", "3320lt020920230041"])
def test_tolerant_separators(text):
    number = parse_akta_number(text)
    assert number is not None
    assert (number.office, number.kind, number.registered, number.serial) == (
        "3320", "LT", dt.date(2023, 9, 2), "0041")


@pytest.mark.parametrize("text", ["474.1/123/2003", "1234/2003", "12/IST/2005", "", None,
                                  "3320-KW-02092023-0041"])
def test_free_form_numbers_are_not_siak(text):
    assert parse_akta_number(text) is None


def test_consistent_akta_passes(kit, ruleset):
    checks = akta_checks(kit.tree(AKTA), {}, ruleset)
    assert _outcomes(checks) == {r: CheckOutcome.PASS for r in (
        "akta.number_format", "akta.registration_date", "akta.office", "akta.issue_date",
        "akta.report_kind")}
    assert "KABUPATEN JEPARA" in checks[2].message


def test_pre_siak_number_skips_and_never_fails(kit, ruleset):
    checks = akta_checks(kit.tree(dict(AKTA, nomor_akta="474.1/123/2003")), {}, ruleset)
    assert [(c.rule, c.outcome) for c in checks] == [("akta.number_format", CheckOutcome.SKIP)]


def test_impossible_encoded_date_fails_format(kit, ruleset):
    [check] = akta_checks(kit.tree(dict(AKTA, nomor_akta="3320-LU-31022023-0041")), {}, ruleset)
    assert check.outcome == CheckOutcome.FAIL


def test_registration_before_birth_fails(kit, ruleset):
    data = dict(AKTA, tanggal_lahir="2023-09-03")
    outcomes = _outcomes(akta_checks(kit.tree(data), {}, ruleset))
    assert outcomes["akta.registration_date"] == CheckOutcome.FAIL
    same_day = dict(AKTA, tanggal_lahir="2023-09-02")
    assert _outcomes(akta_checks(kit.tree(same_day), {}, ruleset))[
        "akta.registration_date"] == CheckOutcome.PASS


def test_issue_before_registration_fails(kit, ruleset):
    data = dict(AKTA, tanggal_terbit="2023-09-01")
    checks = akta_checks(kit.tree(data), {}, ruleset)
    issue = [c for c in checks if c.rule == "akta.issue_date"][0]
    assert issue.outcome == CheckOutcome.FAIL and "01-09-2023" in issue.message


def test_office_code_of_another_regency_fails(kit, ruleset):
    data = dict(AKTA, tempat_terbit="BEKASI")
    assert _outcomes(akta_checks(kit.tree(data), {}, ruleset))["akta.office"] == CheckOutcome.FAIL
    data = dict(AKTA, tempat_terbit="KABUPATEN JEPARA")
    assert _outcomes(akta_checks(kit.tree(data), {}, ruleset))["akta.office"] == CheckOutcome.PASS


def test_old_papua_code_names_its_old_regency(kit, ruleset):
    assert "Kabupaten Merauke" in office_names("9101")
    data = dict(AKTA, nomor_akta="9101-LU-02092020-0007", tanggal_terbit="2020-09-03",
                tempat_terbit="MERAUKE", tanggal_lahir="2020-08-01")
    assert _outcomes(akta_checks(kit.tree(data), {}, ruleset))["akta.office"] == CheckOutcome.PASS


def test_unknown_office_code_warns(kit, ruleset):
    data = dict(AKTA, nomor_akta="3399-LU-02092023-0041")
    assert _outcomes(akta_checks(kit.tree(data), {}, ruleset))["akta.office"] == CheckOutcome.WARN


def test_missing_dates_skip(kit, ruleset):
    data = {"nomor_akta": AKTA["nomor_akta"]}
    outcomes = _outcomes(akta_checks(kit.tree(data), {}, ruleset))
    assert outcomes["akta.registration_date"] == CheckOutcome.SKIP
    assert outcomes["akta.issue_date"] == CheckOutcome.SKIP
    assert outcomes["akta.office"] == CheckOutcome.SKIP


def test_self_contradicting_akta_is_not_clear(kit, ruleset):
    fields = kit.tree(dict(AKTA, tanggal_terbit="2020-01-01"))
    sub = kit.submission({"nomor_akta": AKTA["nomor_akta"], "nama": AKTA["nama"]},
                         "akta_kelahiran")
    result = evaluate(sub, [kit.doc(fields, "akta_kelahiran")], ruleset)
    assert result.flag == Flag.REVIEW
    assert any(r.startswith("tanggal_terbit: tanggal terbit 01-01-2020") for r in result.reasons)


@pytest.mark.parametrize("number,born,outcome,key", [
    ("3320-LU-02092023-0041", "2023-07-04", CheckOutcome.PASS, "pass"),  # 60 days: on time
    ("3320-LU-02092023-0041", "2023-07-03", CheckOutcome.FAIL, "lu"),  # 61 days with LU
    ("3320-LT-02092023-0041", "2023-07-03", CheckOutcome.PASS, "pass"),  # 61 days: late
    ("3320-LT-02092023-0041", "2023-07-04", CheckOutcome.FAIL, "lt"),  # 60 days with LT
    ("3320-LT-02092023-0041", "2023-09-02", CheckOutcome.FAIL, "lt"),  # same day, LT
    ("3320-LU-02092023-0041", "2023-09-03", CheckOutcome.SKIP, "skip"),  # before birth: other rule
])
def test_lu_lt_against_the_days_between_birth_and_registration(kit, ruleset, number, born,
                                                               outcome, key):
    data = dict(AKTA, nomor_akta=number, tanggal_lahir=born, tanggal_terbit="2023-09-04")
    [check] = [c for c in akta_checks(kit.tree(data), {}, ruleset) if c.rule == "akta.report_kind"]
    assert check.outcome == outcome
    assert check.message == ruleset.message(f"akta.report_kind.{key}", **_kind_values(number, born))
    if outcome == CheckOutcome.FAIL:
        assert check.severity.value == "review"


def _kind_values(number: str, born: str) -> dict[str, str]:
    registered, birth = dt.date(2023, 9, 2), dt.date.fromisoformat(born)
    return {"code": number[5:7], "found": str((registered - birth).days), "threshold": "60",
            "encoded": "02-09-2023", "printed": birth.strftime("%d-%m-%Y")}


def test_lu_lt_limit_is_ruleset_data(kit, ruleset):
    data = dict(AKTA, nomor_akta="3320-LU-02092023-0041", tanggal_lahir="2023-06-04")
    stricter = ruleset.model_copy(update={"thresholds": ruleset.thresholds.model_copy(
        update={"akta": ruleset.thresholds.akta.model_copy(update={"on_time_days": 90})})})
    assert _outcomes(akta_checks(kit.tree(data), {}, ruleset))["akta.report_kind"] == CheckOutcome.FAIL
    assert _outcomes(akta_checks(kit.tree(data), {}, stricter))["akta.report_kind"] == CheckOutcome.PASS
