"""The rules stage: submission + extracted documents -> comparisons, checks, flag, reasons.

Pure: no OCR, no storage, no clock. The same inputs and ruleset give the same Evaluation,
which is what lets an auditor replay a report from its stored inputs and ruleset_version.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from pipeline.records import Check, Comparison, ExtractedDocument, Flag, Submission
from rules.compare import align, compare_groups
from rules.documents import document_checks, documents_of, submission_type
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
    flag, reasons = decide(comparisons, checks, ruleset)
    return Evaluation(comparisons=comparisons, checks=checks, flag=flag, reasons=reasons)
