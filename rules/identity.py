"""Run the NIK and No. KK structure checks on every person and card in the submission.

The numbers checked are the document's own when they were read confidently (a document that
contradicts itself is what these checks are for) and the submitted ones otherwise, so a
number that OCR could not read is still checked as the applicant typed it. The printed birth
date and sex come from the same group (document first), or, for F-2.01's ``ayah`` / ``ibu``
blocks that print no sex, from what the block's name implies.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.records import Check
from rules.compare import Group, as_field, join
from rules.nik import check_kk_number, check_nik
from rules.ruleset import Ruleset

_INDEX = re.compile(r"\[\d+\]$")


def identity_checks(groups: list[Group], ruleset: Ruleset) -> list[Check]:
    checks: list[Check] = []
    for group in groups:
        nik = trusted_value(group, "nik", ruleset)
        if nik:
            sex = printed_value(group, "jenis_kelamin", ruleset) or _implied_sex(group, ruleset)
            checks += check_nik(join(group.path, "nik"), str(nik),
                                _text(printed_value(group, "tanggal_lahir", ruleset)),
                                _text(sex), ruleset)
        for key in ruleset.kk_number_keys:
            number = trusted_value(group, key, ruleset)
            if number:
                issued = _text(trusted_value(group, "tanggal_dikeluarkan", ruleset))
                checks += check_kk_number(join(group.path, key), str(number), issued, ruleset)
    return checks


def trusted_value(group: Group, key: str, ruleset: Ruleset) -> Any:
    """The document's value when read at or above the review floor, else the submitted one."""
    field = as_field(group.extracted.get(key)) if group.extracted else None
    floor = ruleset.thresholds.confidence.review_below
    if field is not None and field.value is not None and field.confidence >= floor:
        return field.value
    return group.submitted.get(key)


def printed_value(group: Group, key: str, ruleset: Ruleset) -> Any:
    """What to hold the NIK's encoded birth date and sex against: the trusted value, else
    the document's reading however unsure.

    The checks that use it (nik.birth_date, nik.sex) are review severity, so an unsure
    reading can only send the application to a person, never clear it. Dropping it instead
    would let a card whose printed date contradicts its NIK come out `clear` whenever the
    reader, seeing the two disagree, had lowered its confidence in both (benchmark: two
    self-contradicting photographed KKs cleared that way).
    """
    trusted = trusted_value(group, key, ruleset)
    if trusted is not None:
        return trusted
    field = as_field(group.extracted.get(key)) if group.extracted else None
    return field.value if field is not None else None


def _implied_sex(group: Group, ruleset: Ruleset) -> str | None:
    name = _INDEX.sub("", group.path.rsplit(".", 1)[-1])
    return ruleset.implied_sex.get(name)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
