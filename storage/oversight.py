"""What auditors measure: rule outcomes, people overriding the machine, QA samples, exports.

The period is the applications' upload time (`since` inclusive, `until` exclusive). For
each application the current report (the newest) and the current decision (the newest,
escalations aside when counting overrides) are used:

    rules        per rule id, counts by outcome over the reports' checks and comparisons
    overrides    clear-flagged applications returned, mismatch-flagged ones accepted, each
                 with the decided count of that flag and the rate (the flag is the one the
                 verifier saw when deciding)
    qa           QA samples (clear, shown as review): how many were decided and returned

`trail_intact` checks one application's events in the audit chain without walking the
whole chain: each event hashes to its content, its predecessor exists with the hash it
names, and a successor (if any) names it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, defer, lazyload

from . import audit
from .decisions import Decision, QaSample
from .search import latest_decisions
from .tables import Application, AuditEvent, Report

EXPORT_COLUMNS = ("application_id", "reference", "office", "flag", "ruleset_version", "rule",
                  "subject", "outcome", "decision", "verifier", "decided_at")


@dataclass(frozen=True)
class Period:
    since: datetime | None = None
    until: datetime | None = None


def current_rows(session: Session, visible: Select, period: Period
                 ) -> Iterator[tuple[Application, dict[str, Any] | None, Decision | None, bool]]:
    """(application, current report body, current decision, is QA sample), oldest first."""
    newest = (select(Report.application_id, func.max(Report.id).label("report_id"))
              .group_by(Report.application_id).subquery())
    latest = latest_decisions()
    query = (visible.outerjoin(newest, newest.c.application_id == Application.id)
             .outerjoin(Report, Report.id == newest.c.report_id)
             .outerjoin(latest, latest.c.application_id == Application.id)
             .outerjoin(Decision, Decision.id == latest.c.decision_id)
             .outerjoin(QaSample, QaSample.application_id == Application.id)
             .options(lazyload(Application.documents), defer(Application.submission))
             .add_columns(Report.body, Decision, QaSample.application_id)
             .order_by(Application.id))
    if period.since:
        query = query.where(Application.created_at >= period.since)
    if period.until:
        query = query.where(Application.created_at < period.until)
    for app, body, decision, sample in session.execute(query.execution_options(yield_per=500)):
        yield app, body, decision, sample is not None


def outcomes(body: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    """(rule, subject, outcome) of every comparison and check of a report body."""
    if not body:
        return []
    rows = [(c.get("rule", ""), c.get("field", ""), c.get("outcome", ""))
            for c in body.get("comparisons", [])]
    return rows + [(c.get("rule", ""), c.get("subject", ""), c.get("outcome", ""))
                   for c in body.get("checks", [])]


def rule_report(session: Session, visible: Select, period: Period) -> dict[str, Any]:
    """The auditor's numbers for the period (see the module docstring)."""
    per_rule: dict[str, Counter[str]] = defaultdict(Counter)
    decided: Counter[str] = Counter()
    overridden: Counter[str] = Counter()
    qa = Counter()
    applications = 0
    for app, body, decision, sampled in current_rows(session, visible, period):
        applications += 1
        for rule, _subject, outcome in outcomes(body):
            per_rule[rule][outcome] += 1
        final = decision if decision is not None and decision.decision != "escalate" else None
        if final is not None:
            decided[final.flag or ""] += 1
            if (final.flag, final.decision) in (("clear", "return"), ("mismatch", "accept")):
                overridden[final.flag] += 1
        if sampled:
            qa["sampled"] += 1
            qa["decided"] += final is not None
            qa["returned"] += final is not None and final.decision == "return"
    return {
        "since": period.since, "until": period.until, "applications": applications,
        "rules": [{"rule": rule, "total": sum(c.values()), "counts": dict(sorted(c.items()))}
                  for rule, c in sorted(per_rule.items())],
        "overrides": {
            "clear_returned": _rate(overridden["clear"], decided["clear"]),
            "mismatch_accepted": _rate(overridden["mismatch"], decided["mismatch"]),
        },
        "qa": {"sampled": qa["sampled"]} | _rate(qa["returned"], qa["decided"], "returned"),
    }


def export_rows(session: Session, visible: Select, period: Period) -> Iterator[dict[str, Any]]:
    """One row per rule outcome (one row without a rule when a report has none)."""
    for app, body, decision, _sampled in current_rows(session, visible, period):
        common = {"application_id": app.id, "reference": app.reference, "office": app.office,
                  "flag": app.flag, "ruleset_version": (body or {}).get("ruleset_version"),
                  "decision": decision.decision if decision else None,
                  "verifier": decision.verifier if decision else None,
                  "decided_at": decision.decided_at.isoformat() if decision else None}
        for rule, subject, outcome in outcomes(body) or [("", "", "")]:
            yield common | {"rule": rule, "subject": subject, "outcome": outcome}


def trail_intact(session: Session, events: list[AuditEvent]) -> bool:
    """Every event hashes to its content and is linked to its neighbours in the chain."""
    if not events:
        return True
    for event in events:
        recomputed = audit.event_hash(event.prev_hash, event.at, event.kind, event.application_id,
                                      event.actor, event.payload)
        if recomputed != event.hash:
            return False
    prevs = {e.prev_hash for e in events} - {audit.GENESIS}
    found = dict(session.execute(select(AuditEvent.hash, AuditEvent.seq)
                                 .where(AuditEvent.hash.in_(prevs))).all())
    if any(e.prev_hash != audit.GENESIS and found.get(e.prev_hash, e.seq) >= e.seq for e in events):
        return False
    head = session.scalar(select(func.max(AuditEvent.seq)))
    successors = set(session.scalars(select(AuditEvent.prev_hash)
                                     .where(AuditEvent.prev_hash.in_({e.hash for e in events}))))
    return all(e.hash in successors or e.seq == head for e in events)


def _rate(count: int, of: int, name: str = "count") -> dict[str, Any]:
    return {name: count, "decided": of, "rate": round(count / of, 4) if of else None}
