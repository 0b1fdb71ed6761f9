"""A report's reasons and check messages in another language (Indonesian is the default).

The stored report keeps the ruleset's language (`language: id` in rules/ruleset.yml), as the
contract says. A report in English is *re-rendered*, not stored twice: the rules are pure,
so running them again on the same submission and extraction under the same ruleset (same
hash, only its message language switched) gives the same outcomes with the ruleset's `en`
sentences. Only `reasons` and `checks` (whose `message` is text) change; flag, comparisons,
documents and ruleset_version are the stored ones, so the contract fields keep their
meaning. Should the outcomes ever differ (they cannot while the rules are pure), the stored
report is returned unchanged rather than a translation that says something else.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pipeline.records import Report, Status, Submission
from rules import Ruleset, evaluate

Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = ("id", "en")
_TAG = re.compile(r"\s*([A-Za-z]{2,3})(?:-[A-Za-z0-9]+)*\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*")


def in_language(report: Report, submission: Submission, ruleset: Ruleset,
                language: Language) -> Report:
    """`report` with its reasons and check messages in `language` (the same verdicts)."""
    if language == ruleset.language:
        return report
    evaluation = evaluate(submission, report.documents, ruleset.model_copy(
        update={"language": language}))
    same = (evaluation.flag == report.flag
            and [(c.rule, c.subject, c.outcome) for c in evaluation.checks]
            == [(c.rule, c.subject, c.outcome) for c in report.checks])
    if not same:
        return report
    return report.model_copy(update={"reasons": evaluation.reasons, "checks": evaluation.checks})


def contract_in_language(stored: dict[str, Any], submission: Submission, documents: list[Any],
                         ruleset: Ruleset, language: Language) -> dict[str, Any]:
    """A stored contract report (JSON) re-rendered in `language` from its own inputs."""
    report = Report(
        submission_id=stored["submission_id"], reference=stored.get("reference"),
        status=Status(stored["status"]), flag=stored.get("flag"), reasons=stored["reasons"],
        ruleset_version=stored["ruleset_version"], documents=documents,
        comparisons=stored.get("comparisons", []), checks=stored.get("checks", []),
        timings_ms=stored.get("timings_ms", {}),
    )
    translated = in_language(report, submission, ruleset, language)
    return {**stored, "reasons": translated.reasons,
            "checks": [c.model_dump(mode="json", exclude_none=True) for c in translated.checks]}


def preferred_language(lang: str | None, accept_language: str | None) -> Language:
    """`?lang=` wins; else the best Accept-Language tag periksa speaks; else Indonesian."""
    if lang in LANGUAGES:
        return lang  # type: ignore[return-value]
    best: tuple[float, Language] | None = None
    for part in (accept_language or "").split(","):
        found = _TAG.fullmatch(part)
        if not found:
            continue
        tag, weight = found.group(1).lower(), float(found.group(2) or 1.0)
        tag = "id" if tag in ("id", "in", "ind") else "en" if tag in ("en", "eng") else tag
        if tag in LANGUAGES and weight > 0 and (best is None or weight > best[0]):
            best = (weight, tag)  # type: ignore[assignment]
    return best[1] if best else "id"


def stored_in_language(stores: Any, application_id: str, stored: dict[str, Any],
                       language: Language) -> dict[str, Any]:
    """The stored report of an application in `language`, from its stored submission and
    extractions under the ruleset version it names (archived by hash). Indonesian, or a
    report whose inputs or ruleset are not at hand, comes back as stored."""
    from pipeline.errors import InputRefused
    from pipeline.replay import archived_ruleset, revive
    from storage import applications as apps

    if language == "id":
        return stored
    with stores.sessions() as session:
        application = apps.get_application(session, application_id)
        if application is None:
            return stored
        submission = Submission.model_validate(application.submission)
        documents = [revive(d.extraction) for d in application.documents if d.extraction]
    try:
        ruleset = archived_ruleset(stores, stored["ruleset_version"])
    except InputRefused:
        return stored
    if len(documents) != len(stored.get("documents", [])):
        return stored
    return contract_in_language(stored, submission, documents, ruleset, language)
