"""Turn comparison outcomes and check results into the flag and the verifier's reasons.

mismatch: a submitted field contradicts the document, or a check whose failure means
contradiction failed. review: anything the machine could not settle (near match, missing or
unreadable field, a value read with low confidence, a review-severity check that failed or
warned). clear: nothing at all of the above. ``clear`` is the default of nothing: every
disagreement lands in one of the first two buckets, so it can never be given when a
submitted field disagrees with the document. Reasons are one line per problem, most serious
first, each prefixed with the field path, in the ruleset's language.
"""

from __future__ import annotations

import re
from typing import Literal

from pipeline.records import Check, CheckOutcome, Comparison, Flag, Outcome, Severity
from rules.compare import ROW_NOT_FOUND
from rules.ruleset import Ruleset

Level = Literal["mismatch", "review"]
_INDEX = re.compile(r"\[\d+\]")


def decide(comparisons: list[Comparison], checks: list[Check],
           ruleset: Ruleset) -> tuple[Flag, list[str]]:
    """The flag and the reasons, mismatches before reviews, each group in input order."""
    found: list[tuple[Level, str | None]] = []
    found += [p for c in comparisons if (p := comparison_problem(c, ruleset))]
    found += [p for c in checks if (p := check_problem(c))]
    levels = {level for level, _ in found}
    flag = Flag.MISMATCH if "mismatch" in levels else Flag.REVIEW if levels else Flag.CLEAR
    reasons = [line for want in ("mismatch", "review") for level, line in found
               if level == want and line]
    return flag, list(dict.fromkeys(reasons))  # one line per problem: a missing row once


def comparison_problem(c: Comparison, ruleset: Ruleset) -> tuple[Level, str | None] | None:
    """(level, reason line) for a comparison that is not a confident match, else None.

    A field missing because no document of the type was uploaded gets no line of its own:
    the document check already says so once, instead of once per field."""
    values = _values(c, ruleset)
    if c.outcome == Outcome.MISMATCH:
        return "mismatch", _line(c.field, ruleset.message("comparison.mismatch", **values))
    if c.outcome == Outcome.NEAR:
        return "review", _line(c.field, ruleset.message("comparison.near", **values))
    if c.outcome == Outcome.MISSING:
        if c.document is None:
            return "review", None
        if c.normalisation == ROW_NOT_FOUND:
            return "review", _line(_parent(c.field), ruleset.message("comparison.row_missing"))
        return "review", _line(c.field, ruleset.message("comparison.missing", **values))
    if c.outcome == Outcome.UNREADABLE:
        return "review", _line(c.field, ruleset.message("comparison.unreadable", **values))
    floor = ruleset.thresholds.confidence.review_below
    if c.confidence is not None and c.confidence < floor:
        return "review", _line(c.field, ruleset.message("comparison.low_confidence", **values))
    return None


def check_problem(check: Check) -> tuple[Level, str] | None:
    """A failing mismatch-severity check is a mismatch; any other fail or warn that is not
    info-severity is a review."""
    if check.outcome not in (CheckOutcome.FAIL, CheckOutcome.WARN):
        return None
    if check.severity == Severity.INFO:
        return None
    serious = check.outcome == CheckOutcome.FAIL and check.severity == Severity.MISMATCH
    return ("mismatch" if serious else "review"), _line(check.subject, check.message)


def _values(c: Comparison, ruleset: Ruleset) -> dict[str, str]:
    key = _INDEX.sub("", c.field.rsplit(".", 1)[-1])
    return {
        "label": ruleset.label(key),
        "submitted": _show(c.submitted),
        "extracted": _show(c.extracted),
        "score": _number(c.score),
        "confidence": "?" if c.confidence is None else f"{c.confidence:.2f}",
        "threshold": f"{ruleset.thresholds.confidence.review_below:.2f}",
    }


def _show(value: object) -> str:
    return "-" if value is None else str(value)


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _parent(path: str) -> str:
    return path.rsplit(".", 1)[0] if "." in path else path


def _line(path: str, message: str) -> str:
    return f"{path}: {message}" if path else message
