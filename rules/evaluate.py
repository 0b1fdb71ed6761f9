"""The rules stage: submission + extracted documents -> comparisons, checks, flag, reasons.

Pure: no OCR, no storage, no clock. The same inputs and ruleset give the same Evaluation,
which is what lets an auditor replay a report from its stored inputs and ruleset_version.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from pipeline.records import (
    Check, Comparison, DocumentType, ExtractedDocument, Flag, Submission,
)
from rules.address import address_checks
from rules.akta import akta_checks
from rules.compare import align, compare_groups
from rules.crossdoc import crossdoc_checks
from rules.documents import document_checks, documents_of, submission_type
from rules.f201 import f201_checks
from rules.family import family_checks
from rules.flag import decide
from rules.identity import identity_checks
from rules.ruleset import Ruleset


class Evaluation(BaseModel):
    """What the rules concluded; frozen so no later stage can quietly change a verdict."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    comparisons: list[Comparison]
    checks: list[Check]
    flag: Flag
    reasons: list[str]


def evaluate(submission: Submission, documents: list[ExtractedDocument],
             ruleset: Ruleset) -> Evaluation:
    """Compare what was submitted with what was read, run the checks and set the flag."""
    expected = submission_type(submission, documents)
    trees = [(i, documents[i].fields) for i in documents_of(expected, documents)]
    groups = align(submission.data, trees, ruleset)
    comparisons = compare_groups(groups, ruleset)
    checks = document_checks(expected, documents, ruleset) + identity_checks(groups, ruleset)
    checks += domain_checks(submission, expected, documents, ruleset)
    checks += crossdoc_checks(documents, ruleset)
    flag, reasons = decide(comparisons, checks, ruleset)
    return Evaluation(comparisons=comparisons, checks=checks, flag=flag, reasons=reasons)


def domain_checks(submission: Submission, expected: DocumentType,
                  documents: list[ExtractedDocument], ruleset: Ruleset) -> list[Check]:
    """Does each KK / akta / F-2.01 agree with itself and with the region list? Every such document is
    checked (a KK uploaded beside an akta application too); the submitted values stand in for
    unread ones only on documents of the submitted type. With several files, subjects name the
    document: ``documents[1].nomor_akta``."""
    checks: list[Check] = []
    for kind in (DocumentType.KK, DocumentType.AKTA_KELAHIRAN, DocumentType.F2_01):
        data = submission.data if kind == expected else {}
        for i in documents_of(kind, documents):
            fields, prefix = documents[i].fields, f"documents[{i}]." if len(documents) > 1 else ""
            if kind == DocumentType.KK:
                checks += family_checks(fields, ruleset, prefix)
                checks += address_checks(fields, data, ruleset, prefix)
            elif kind == DocumentType.F2_01:
                checks += f201_checks(fields, data, ruleset, prefix)
            else:
                checks += akta_checks(fields, data, ruleset, prefix)
    return checks
