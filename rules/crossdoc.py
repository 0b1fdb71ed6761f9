"""Facts that appear on two documents of one application, compared with each other.

A birth application carries the F-2.01, the family's KK and often the akta: the child's name,
date and place of birth and sex, and the parents' names are printed on each of them, and the
child (by NIK) and the parents (as KEPALA KELUARGA and ISTRI) should be rows of the KK. Each
document is compared with the first one that holds the fact (F-2.01, then akta, then the KK's
row), one check per fact and pair. Only values read confidently take part: a fact unread on
either side makes the check `skip`, never `fail`, so OCR noise cannot look like two documents
disagreeing. A name or place that is only near is `warn` (review); a different date, NIK or
person is `fail` at the rule's severity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.records import Check, CheckOutcome, DocumentType, ExtractedDocument
from rules import vocabulary
from rules.documents import documents_of
from rules.family import ROWS, read_value
from rules.names import compare_names, compare_places
from rules.ruleset import Ruleset
from rules.values import confusable, normalise_id, parse_date

# fact -> (rule, comparer); comparer: name, place, date, id, sex
FACTS: dict[str, tuple[str, str]] = {
    "nama": ("crossdoc.child_name", "name"),
    "tanggal_lahir": ("crossdoc.child_birth_date", "date"),
    "tempat_lahir": ("crossdoc.child_birth_place", "place"),
    "jenis_kelamin": ("crossdoc.child_sex", "sex"),
    "nik": ("crossdoc.child_nik", "id"),
    "nama_ayah": ("crossdoc.parent_name", "name"),
    "nama_ibu": ("crossdoc.parent_name", "name"),
}
# where each fact sits on a document: dotted paths into its FieldTree
PATHS: dict[DocumentType, dict[str, str]] = {
    DocumentType.F2_01: {"nama": "anak.nama", "tanggal_lahir": "anak.tanggal_lahir",
                         "tempat_lahir": "anak.tempat_kelahiran",
                         "jenis_kelamin": "anak.jenis_kelamin", "nik": "subjek_akta_1.nik",
                         "nama_ayah": "ayah.nama", "nama_ibu": "ibu.nama"},
    DocumentType.AKTA_KELAHIRAN: {k: k for k in FACTS},
}
HEAD, WIFE = "KEPALA KELUARGA", "ISTRI"


@dataclass(frozen=True)
class Source:
    """One document's view of the child: its index, a name for messages, fact -> (path, value)."""

    index: int
    kind: str
    facts: dict[str, tuple[str, Any]]


def crossdoc_checks(documents: list[ExtractedDocument], ruleset: Ruleset) -> list[Check]:
    """Every cross-document check of an application with two or more kinds of document."""
    kinds = {d.document_type for d in documents} - {DocumentType.UNKNOWN}
    if len(kinds) < 2:
        return []
    sources = [_source(i, documents[i], ruleset)
               for kind in (DocumentType.F2_01, DocumentType.AKTA_KELAHIRAN)
               for i in documents_of(kind, documents)[:1]]
    checks: list[Check] = []
    for kk in documents_of(DocumentType.KK, documents)[:1]:
        member = _kk_member(kk, documents[kk].fields, sources, ruleset, checks)
        if member is not None:
            sources.append(member)
        checks += _kk_parents(kk, documents[kk].fields, sources, ruleset)
    checks += _pairs(sources, ruleset)
    return checks


def _source(index: int, document: ExtractedDocument, ruleset: Ruleset) -> Source:
    facts = {}
    for fact, path in PATHS[document.document_type].items():
        value = read_value(_at(document.fields, path), ruleset)
        if value is not None:
            facts[fact] = (f"documents[{index}].{path}", value)
    return Source(index, document.document_type.value, facts)


def _at(tree: dict[str, Any], path: str) -> Any:
    node: Any = tree
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _pairs(sources: list[Source], ruleset: Ruleset) -> list[Check]:
    """Each fact of each later source against the first source that holds it."""
    checks: list[Check] = []
    for fact, (rule, how) in FACTS.items():
        holders = [s for s in sources if fact in s.facts]
        for other in holders[1:]:
            checks.append(_compare(rule, how, fact, holders[0], other, ruleset))
    return checks


def _compare(rule: str, how: str, fact: str, first: Source, other: Source,
             ruleset: Ruleset) -> Check:
    (_, a), (subject, b) = first.facts[fact], other.facts[fact]
    outcome = _outcome(how, str(a), str(b), ruleset)
    values = {"label": ruleset.label(fact), "found": str(b), "expected": str(a),
              "document": f"{first.kind} / {other.kind}"}
    key = {CheckOutcome.PASS: "pass", CheckOutcome.WARN: "warn", CheckOutcome.FAIL: "fail"}
    return ruleset.check(rule, subject, outcome, f"crossdoc.{key[outcome]}", **values)


def _outcome(how: str, a: str, b: str, ruleset: Ruleset) -> CheckOutcome:
    if how in ("name", "place"):
        found = (compare_names(a, b, ruleset.thresholds.names) if how == "name" else
                 compare_places(a, b, ruleset.thresholds.places, ruleset.places))
        return {"match": CheckOutcome.PASS, "near": CheckOutcome.WARN}.get(found.outcome,
                                                                         CheckOutcome.FAIL)
    if how in ("date", "id") and confusable(normalise_id(a), normalise_id(b), ruleset.confusables):
        return CheckOutcome.WARN  # one character OCR confuses: a verifier looks, no verdict
    if how == "date":
        same = parse_date(a) is not None and parse_date(a) == parse_date(b)
    elif how == "sex":
        x, y = (vocabulary.canonical("jenis_kelamin", v) for v in (a, b))
        same = x is not None and y is not None and x.value == y.value
    else:
        same = normalise_id(a) == normalise_id(b)
    return CheckOutcome.PASS if same else CheckOutcome.FAIL


# --- the KK's member table ----------------------------------------------------------------------


def _rows(fields: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    rows = fields.get(ROWS)
    if not isinstance(rows, list):
        return []
    return [(i, r) for i, r in enumerate(rows) if isinstance(r, dict)]


def _kk_member(kk: int, fields: dict[str, Any], sources: list[Source], ruleset: Ruleset,
               checks: list[Check]) -> Source | None:
    """The child's row on the KK, found by NIK, else by name; the check says which."""
    rule = "crossdoc.kk_member"
    wanted = next((s.facts["nik"][1] for s in sources if "nik" in s.facts), None)
    name = next((s.facts["nama"][1] for s in sources if "nama" in s.facts), None)
    if wanted is None and name is None:
        return None
    rows = _rows(fields)
    for i, row in rows:
        nik = read_value(row.get("nik"), ruleset)
        if wanted is not None and nik is not None \
                and normalise_id(str(nik)) == normalise_id(str(wanted)):
            checks.append(ruleset.check(rule, f"documents[{kk}].{ROWS}[{i}].nik", CheckOutcome.PASS,
                                        f"{rule}.pass", code=str(wanted)))
            return _member_source(kk, i, row, ruleset)
    for i, row in rows:
        printed = read_value(row.get("nama_lengkap"), ruleset)
        if name and printed and compare_names(str(name), str(printed),
                                              ruleset.thresholds.names).outcome == "match":
            if wanted is None:
                checks.append(ruleset.check(rule, f"documents[{kk}].{ROWS}[{i}]",
                                            CheckOutcome.PASS, f"{rule}.by_name",
                                            found=str(printed)))
            else:
                checks.append(ruleset.check(rule, f"documents[{kk}].{ROWS}[{i}].nik",
                                            CheckOutcome.FAIL, f"{rule}.other_nik",
                                            found=str(read_value(row.get("nik"), ruleset) or "-"),
                                            expected=str(wanted)))
            return _member_source(kk, i, row, ruleset)
    unread = any(read_value(r.get("nik"), ruleset) is None for _, r in rows)
    outcome = CheckOutcome.SKIP if unread else CheckOutcome.FAIL
    checks.append(ruleset.check(rule, f"documents[{kk}].{ROWS}", outcome,
                                f"{rule}.{'skip' if unread else 'fail'}",
                                found=str(name or wanted)))
    return None


def _member_source(kk: int, index: int, row: dict[str, Any], ruleset: Ruleset) -> Source:
    keys = {"nama": "nama_lengkap", "tanggal_lahir": "tanggal_lahir",
            "tempat_lahir": "tempat_lahir", "jenis_kelamin": "jenis_kelamin",
            "nama_ayah": "nama_ayah", "nama_ibu": "nama_ibu"}
    facts = {}
    for fact, key in keys.items():
        value = read_value(row.get(key), ruleset)
        if value is not None:
            facts[fact] = (f"documents[{kk}].{ROWS}[{index}].{key}", value)
    return Source(kk, "kk", facts)


def _kk_parents(kk: int, fields: dict[str, Any], sources: list[Source],
                ruleset: Ruleset) -> list[Check]:
    """The F-2.01's / akta's father and mother are the KK's head and his wife."""
    rule = "crossdoc.kk_parents"
    rows = _rows(fields)
    status = {i: _status(r, ruleset) for i, r in rows}
    out = []
    for fact, role in (("nama_ayah", HEAD), ("nama_ibu", WIFE)):
        holder = next((s for s in sources if fact in s.facts and s.kind != "kk"), None)
        if holder is None:
            continue
        subject, name = holder.facts[fact]
        label = ruleset.label(fact)
        members = [(i, read_value(r.get("nama_lengkap"), ruleset)) for i, r in rows
                   if status[i] == role]
        members = [(i, n) for i, n in members if n]
        if not members:
            out.append(ruleset.check(rule, subject, CheckOutcome.SKIP, f"{rule}.skip", label=label,
                                     expected=role))
            continue
        found = [compare_names(str(name), str(n), ruleset.thresholds.names).outcome
                 for _, n in members]
        outcome = (CheckOutcome.PASS if "match" in found else
                   CheckOutcome.WARN if "near" in found else CheckOutcome.FAIL)
        key = {CheckOutcome.PASS: "pass", CheckOutcome.WARN: "warn", CheckOutcome.FAIL: "fail"}
        out.append(ruleset.check(rule, subject, outcome, f"{rule}.{key[outcome]}", label=label,
                                 found=str(name), expected=str(members[0][1])))
    return out


def _status(row: dict[str, Any], ruleset: Ruleset) -> str | None:
    value = read_value(row.get("status_hubungan_dalam_keluarga"), ruleset)
    found = vocabulary.canonical("status_hubungan_dalam_keluarga", str(value)) if value else None
    return found.value if found else None
