"""Which uploaded document a submission is compared against, and checks on the documents.

A submission names its document type or says "auto"; with "auto" the type is the one whose
contract keys hold every submitted key (ties go to a type that was actually uploaded).
Uploading a different document than the one the applicant described is a `mismatch`; when no
file could be classified at all the machine cannot tell, so that is `review`.
"""

from __future__ import annotations

from functools import cache

from pipeline.contract import load
from pipeline.records import Check, CheckOutcome, DocumentType, ExtractedDocument, Submission
from rules.ruleset import Ruleset


@cache
def contract_keys() -> dict[DocumentType, frozenset[str]]:
    """Top-level data keys per document type, read from the submission schema."""
    schema = load("submission.schema.json")
    keys: dict[DocumentType, frozenset[str]] = {}
    for branch in schema.get("allOf", []):
        const = branch.get("if", {}).get("properties", {}).get("document_type", {}).get("const")
        props = branch.get("then", {}).get("properties", {}).get("data", {}).get("properties", {})
        if const and const != "auto":
            keys[DocumentType(const)] = frozenset(props)
    return keys


def submission_type(submission: Submission, documents: list[ExtractedDocument]) -> DocumentType:
    """The document type the submitted data describes (inferred from its keys for "auto")."""
    if submission.document_type != "auto":
        return DocumentType(submission.document_type)
    submitted = set(submission.data)
    uploaded = {doc.document_type for doc in documents}
    ranked = sorted(
        contract_keys().items(),
        key=lambda item: (len(submitted & item[1]), item[0] in uploaded, -len(item[1] - submitted)),
        reverse=True,
    )
    return ranked[0][0] if ranked else DocumentType.UNKNOWN


def documents_of(kind: DocumentType, documents: list[ExtractedDocument]) -> list[int]:
    """Indices of the documents of this type, the most surely classified first."""
    found = [i for i, doc in enumerate(documents) if doc.document_type == kind]
    return sorted(found, key=lambda i: -documents[i].classification_confidence)


def document_checks(expected: DocumentType, documents: list[ExtractedDocument],
                    ruleset: Ruleset) -> list[Check]:
    """Was anything classified, is the submitted type among the uploads, and how surely."""
    classified = [doc for doc in documents if doc.document_type != DocumentType.UNKNOWN]
    if not classified:
        return [ruleset.check("document.classified", "documents", CheckOutcome.FAIL,
                       "document.classified.fail")]
    checks = [ruleset.check("document.classified", "documents", CheckOutcome.PASS,
                     "document.classified.pass")]
    matching = documents_of(expected, documents)
    if not matching:
        found = ", ".join(sorted({doc.document_type.value for doc in classified}))
        checks.append(ruleset.check("document.type", "documents", CheckOutcome.FAIL,
                             "document.type.fail", found=found, expected=expected.value))
        return checks
    best = matching[0]
    checks.append(ruleset.check("document.type", f"documents[{best}]", CheckOutcome.PASS,
                         "document.type.pass", found=expected.value))
    checks.append(_confidence_check(ruleset, best, documents[best]))
    return checks


def _confidence_check(ruleset: Ruleset, index: int, doc: ExtractedDocument) -> Check:
    floor = ruleset.thresholds.classification.min_confidence
    rule = "document.classification_confidence"
    confidence = f"{doc.classification_confidence:.2f}"
    if doc.classification_confidence >= floor:
        return ruleset.check(rule, f"documents[{index}]", CheckOutcome.PASS, f"{rule}.pass",
                      confidence=confidence)
    return ruleset.check(rule, f"documents[{index}]", CheckOutcome.WARN, f"{rule}.warn",
                  found=doc.document_type.value, confidence=confidence, threshold=f"{floor:.2f}")
