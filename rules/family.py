"""Does a Kartu Keluarga agree with itself? Checks across the rows of one card as it was read.

A KK is printed from one SIAK record, so its rows cannot legitimately contradict each other:
one KEPALA KELUARGA whose name is the header's, children whose parents' names are the head's
and the wife's, parents old enough at each birth, marriages after both spouses were born. A
card that breaks these is a strong signal, but a verifier decides (a step-child is an ANAK
whose nama ayah is not the head's), so every rule here is review severity, and a value that
was not read confidently makes its check `skip`, never `fail`: OCR noise must not look like
a forged card.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pipeline.records import Check, CheckOutcome
from rules import vocabulary
from rules.compare import as_field
from rules.names import compare_names
from rules.ruleset import Ruleset
from rules.values import parse_date

ROWS = "anggota_keluarga"
HEAD, WIFE, HUSBAND, CHILD = "KEPALA KELUARGA", "ISTRI", "SUAMI", "ANAK"
MALE, FEMALE = "LAKI-LAKI", "PEREMPUAN"
EMPTY_CELLS = frozenset({"", "-", "\u2013", "\u2014"})


@dataclass(frozen=True)
class Member:
    """One row of the card, each value None unless it was read confidently."""

    index: int
    status: str | None
    name: str | None
    sex: str | None
    born: dt.date | None
    married: dt.date | None
    father: str | None
    mother: str | None


def read_value(node: Any, ruleset: Ruleset) -> Any:
    """A Field's value when it was read at or above the review floor and is not an empty cell."""
    field = as_field(node)
    if field is None or field.value is None:
        return None
    if str(field.value).strip() in EMPTY_CELLS:
        return None
    return field.value if field.confidence >= ruleset.thresholds.confidence.review_below else None


def pick(fields: dict[str, Any], submitted: dict[str, Any], key: str, ruleset: Ruleset) -> Any:
    """The document's confident value, else what the applicant typed (None when neither)."""
    found = read_value(fields.get(key), ruleset)
    return found if found is not None else submitted.get(key)


def members(fields: dict[str, Any], ruleset: Ruleset) -> list[Member]:
    """The card's rows in table order, reduced to what the family rules need."""
    rows = fields.get(ROWS)
    if not isinstance(rows, list):
        return []
    out = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            continue
        value = lambda key: read_value(row.get(key), ruleset)  # noqa: E731
        status = value("status_hubungan_dalam_keluarga")
        found = (vocabulary.canonical("status_hubungan_dalam_keluarga", str(status))
                 if status else None)
        sex = vocabulary.canonical("jenis_kelamin", str(value("jenis_kelamin") or ""))
        out.append(Member(
            index=i, status=found.value if found else None, name=_text(value("nama_lengkap")),
            sex=sex.value if sex else None, born=_date(value("tanggal_lahir")),
            married=_date(value("tanggal_perkawinan")), father=_text(value("nama_ayah")),
            mother=_text(value("nama_ibu")),
        ))
    return out


def family_checks(fields: dict[str, Any], ruleset: Ruleset, prefix: str = "") -> list[Check]:
    """Every family rule on one KK's FieldTree; ``prefix`` names the document in subjects."""
    rows = members(fields, ruleset)
    if not rows:
        return []
    head = _head(rows)
    checks = [_head_count(rows, ruleset, prefix),
              _head_name(head, read_value(fields.get("nama_kepala_keluarga"), ruleset),
                         ruleset, prefix)]
    for child in (r for r in rows if r.status == CHILD):
        father, mother = _parents(rows, head, child, ruleset)
        checks += [_parent_name(child, "nama_ayah", child.father, father, ruleset, prefix),
                   _parent_name(child, "nama_ibu", child.mother, mother, ruleset, prefix),
                   _parent_age(child, father, mother, ruleset, prefix)]
    checks += [_marriage(row, rows, ruleset, prefix) for row in rows if row.married]
    return checks


def _head(rows: list[Member]) -> Member | None:
    heads = [r for r in rows if r.status == HEAD]
    return heads[0] if len(heads) == 1 else None


def _head_count(rows: list[Member], ruleset: Ruleset, prefix: str) -> Check:
    rule, subject = "family.head_count", f"{prefix}{ROWS}"
    count = sum(r.status == HEAD for r in rows)
    if count == 1:
        return ruleset.check(rule, subject, CheckOutcome.PASS, f"{rule}.pass")
    if count == 0 and any(r.status is None for r in rows):
        return ruleset.check(rule, subject, CheckOutcome.SKIP, f"{rule}.skip")
    return ruleset.check(rule, subject, CheckOutcome.FAIL, f"{rule}.fail", found=str(count))


def _head_name(head: Member | None, header: Any, ruleset: Ruleset, prefix: str) -> Check:
    rule = "family.head_name"
    if head is None or head.name is None or not header:
        return ruleset.check(rule, f"{prefix}nama_kepala_keluarga", CheckOutcome.SKIP,
                             f"{rule}.skip")
    subject = f"{prefix}{ROWS}[{head.index}].nama_lengkap"
    found = compare_names(str(header), head.name, ruleset.thresholds.names)
    if found.outcome != "mismatch":
        return ruleset.check(rule, subject, CheckOutcome.PASS, f"{rule}.pass")
    return ruleset.check(rule, subject, CheckOutcome.FAIL, f"{rule}.fail",
                         found=head.name, expected=str(header))


def _parents(rows: list[Member], head: Member | None, child: Member,
             ruleset: Ruleset) -> tuple[list[Member], list[Member]]:
    """(fathers, mothers) the card offers for a child: the head and the spouse(s)."""
    if head is None:
        return [], []
    spouses = [r for r in rows if r.status in (WIFE, HUSBAND)]
    if head.sex == FEMALE:
        return [s for s in spouses if s.status == HUSBAND], [head]
    if head.sex == MALE:
        return [head], [s for s in spouses if s.status == WIFE]
    return [], []


def _named(child_says: str | None, candidates: list[Member], ruleset: Ruleset) -> Member | None:
    """The candidate whose name the child's row gives (match or near), else None."""
    if not child_says:
        return None
    for parent in candidates:
        if parent.name and compare_names(child_says, parent.name,
                                         ruleset.thresholds.names).outcome != "mismatch":
            return parent
    return None


def _parent_name(child: Member, key: str, child_says: str | None, candidates: list[Member],
                 ruleset: Ruleset, prefix: str) -> Check:
    """A child's printed parent name against the parent on the card; a step-child differs."""
    rule, subject = "family.parent_name", f"{prefix}{ROWS}[{child.index}].{key}"
    label = ruleset.label(key)
    readable = [p for p in candidates if p.name]
    if not child_says or not readable:
        return ruleset.check(rule, subject, CheckOutcome.SKIP, f"{rule}.skip", label=label)
    if _named(child_says, readable, ruleset):
        return ruleset.check(rule, subject, CheckOutcome.PASS, f"{rule}.pass", label=label)
    return ruleset.check(rule, subject, CheckOutcome.WARN, f"{rule}.warn", label=label,
                         found=child_says, expected=readable[0].name)


def _parent_age(child: Member, fathers: list[Member], mothers: list[Member],
                ruleset: Ruleset, prefix: str) -> Check:
    """Each parent the child's row names was at least the minimum age at the birth."""
    rule, subject = "family.parent_age", f"{prefix}{ROWS}[{child.index}].tanggal_lahir"
    minimum = ruleset.thresholds.family.min_parent_age
    known = [(role, p) for role, says, group in (("ayah", child.father, fathers),
                                                  ("ibu", child.mother, mothers))
             if (p := _named(says, group, ruleset)) is not None and p.born is not None]
    if child.born is None or not known:
        return ruleset.check(rule, subject, CheckOutcome.SKIP, f"{rule}.skip")
    for role, parent in known:
        age = age_on(parent.born, child.born)  # type: ignore[arg-type]
        if age < minimum:
            return ruleset.check(rule, subject, CheckOutcome.FAIL, f"{rule}.fail",
                                 label=ruleset.label(role), found=str(age), threshold=str(minimum))
    return ruleset.check(rule, subject, CheckOutcome.PASS, f"{rule}.pass", threshold=str(minimum))


def _marriage(row: Member, rows: list[Member], ruleset: Ruleset, prefix: str) -> Check:
    """A marriage date after the member's birth, and for the couple after both births."""
    rule, subject = "family.marriage_date", f"{prefix}{ROWS}[{row.index}].tanggal_perkawinan"
    couple = (HEAD, WIFE, HUSBAND)
    people = [row] + ([r for r in rows if r.status in couple and r is not row]
                      if row.status in couple else [])
    births = [p.born for p in people if p.born is not None]
    if row.married is None or not births:
        return ruleset.check(rule, subject, CheckOutcome.SKIP, f"{rule}.skip")
    latest = max(births)
    if row.married <= latest:
        return ruleset.check(rule, subject, CheckOutcome.FAIL, f"{rule}.fail",
                             found=_dmy(row.married), printed=_dmy(latest))
    return ruleset.check(rule, subject, CheckOutcome.PASS, f"{rule}.pass")


def age_on(born: dt.date, day: dt.date) -> int:
    """Whole years between two dates (negative when ``day`` is before ``born``)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _date(value: Any) -> dt.date | None:
    return parse_date(str(value)) if value else None


def _text(value: Any) -> str | None:
    return str(value) if value else None


def _dmy(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")
