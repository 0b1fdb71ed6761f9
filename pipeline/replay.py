"""Replay: the rules again on a stored extraction, no OCR, under any ruleset version.

An auditor asks "what would this ruleset have said?". The stored report names the ruleset
version that produced it, and every ruleset used is archived in the blob store under its
hash, so both the old answer and a new one can be computed and compared line by line.
A replay never changes the application; it is an audited read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.errors import InputRefused
from pipeline.records import ExtractedDocument, Field, Report, Status, Submission
from pipeline.stores import Stores
from rules import Ruleset, evaluate, parse_ruleset
from storage import applications as apps
from storage import audit
from storage.db import transaction

_FIELD_KEYS = set(Field.model_fields)


@dataclass(frozen=True)
class Replay:
    stored: dict[str, Any]  # the report as it was saved (contract JSON)
    replayed: Report
    differences: list[str]


def replay(stores: Stores, application_id: str, ruleset: Ruleset | None = None,
           *, actor: str = "cli") -> Replay:
    """Re-run the rules on the stored extraction; `ruleset` None: the one the report names."""
    with transaction(stores.sessions) as session:
        application = apps.get_application(session, application_id)
        stored = apps.latest_report(session, application_id) if application else None
        if application is None or stored is None:
            raise InputRefused(f"no report stored for application {application_id}")
        submission = Submission.model_validate(application.submission)
        documents = [revive(d.extraction) for d in application.documents if d.extraction]
        ruleset = ruleset or archived_ruleset(stores, stored["ruleset_version"])
        audit.append(session, "report.replayed", application_id=application_id, actor=actor,
                     payload={"ruleset_version": ruleset.version})
    evaluation = evaluate(submission, documents, ruleset)
    replayed = Report(
        submission_id=application_id, reference=submission.reference, status=Status.FLAGGED,
        flag=evaluation.flag, reasons=evaluation.reasons, ruleset_version=ruleset.version,
        documents=documents, comparisons=evaluation.comparisons, checks=evaluation.checks,
    )
    return Replay(stored, replayed, differences(stored, replayed.to_contract()))


def archived_ruleset(stores: Stores, version: str) -> Ruleset:
    digest = version.removeprefix("sha256:")
    if not stores.blobs.exists(digest):
        raise InputRefused(f"ruleset {version[:19]}… is not archived; pass --ruleset FILE")
    return parse_ruleset(stores.blobs.get(digest), f"archived ruleset {version[:19]}")


def revive(extraction: dict[str, Any]) -> ExtractedDocument:
    """A stored ExtractedDocument (JSON) back to records, Field objects at the leaves."""
    return ExtractedDocument.model_validate({**extraction, "fields": _fields(extraction["fields"])})


def _fields(node: Any) -> Any:
    if isinstance(node, dict):
        if "value" in node and set(node) <= _FIELD_KEYS:
            return Field.model_validate(node)
        return {key: _fields(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_fields(item) for item in node]
    return node


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Human lines: flag, reasons, comparisons and checks that changed between two reports."""
    lines = []
    if old.get("flag") != new.get("flag"):
        lines.append(f"flag: {old.get('flag')} -> {new.get('flag')}")
    if old.get("ruleset_version") != new.get("ruleset_version"):
        lines.append(f"ruleset: {old['ruleset_version'][:19]} -> {new['ruleset_version'][:19]}")
    lines += _changed(old, new, "comparisons", lambda c: c["field"], "outcome")
    lines += _changed(old, new, "checks", lambda c: f"{c['rule']} [{c.get('subject', '')}]", "outcome")
    old_reasons, new_reasons = set(old.get("reasons", [])), set(new.get("reasons", []))
    lines += [f"- reason: {r}" for r in old.get("reasons", []) if r not in new_reasons]
    lines += [f"+ reason: {r}" for r in new.get("reasons", []) if r not in old_reasons]
    return lines


def _changed(old: dict[str, Any], new: dict[str, Any], key: str, name: Any, attr: str) -> list[str]:
    before = {name(item): item.get(attr) for item in old.get(key, [])}
    after = {name(item): item.get(attr) for item in new.get(key, [])}
    return [
        f"{key[:-1]} {label}: {before.get(label, '(none)')} -> {after.get(label, '(none)')}"
        for label in sorted(set(before) | set(after)) if before.get(label) != after.get(label)
    ]
