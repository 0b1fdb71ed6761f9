"""Re-send work that stopped moving, and let an operator see and re-run the dead letters.

A worker killed by the OOM killer (or kill -9) acknowledges nothing and records nothing:
its message may come back from the broker (RabbitMQ at once, Redis after a heartbeat
timeout) or not at all (a submitter that died between its commit and its send). The
sweep does not care which: every application received or processing with no progress for
longer than the deadline gets the messages its state still needs, and its clock restarts.
The stages are idempotent, so a message that arrives twice this way costs a lookup.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline import stages
from pipeline.records import Status
from pipeline.tasks import Pipeline
from storage import pages as work
from storage.db import transaction


@dataclass
class SweepResult:
    planned: list[str] = field(default_factory=list)  # re-sent to planning
    pages: int = 0  # OCR messages re-sent
    concluded: list[str] = field(default_factory=list)  # re-sent to the last stage

    def line(self) -> str:
        return (f"swept: {len(self.planned)} to plan, {self.pages} pages to OCR, "
                f"{len(self.concluded)} to conclude")


def sweep(pipeline: Pipeline, older_than_s: float | None = None) -> SweepResult:
    """Re-send what every stuck application needs next; returns what was sent."""
    deadline = pipeline.settings.sweep_deadline_s if older_than_s is None else older_than_s
    result = SweepResult()
    with pipeline.stores.sessions() as session:
        found = work.stuck(session, deadline)
    for item in found:
        with transaction(pipeline.stores.sessions) as session:
            work.touch(session, item.application_id)
        if not item.planned or item.status == Status.RECEIVED.value:
            pipeline.send_plan(item.application_id)
            result.planned.append(item.application_id)
        elif item.pending:
            for key in item.pending:
                pipeline.send_page(item.application_id, key.document_id, key.page)
            result.pages += len(item.pending)
        else:
            pipeline.send_conclude(item.application_id)
            result.concluded.append(item.application_id)
    return result


def failed_lines(pipeline: Pipeline) -> list[str]:
    """The dead-letter state, one application a line: id, reference, error code."""
    with pipeline.stores.sessions() as session:
        rows = work.failed(session)
    return [f"{a}  {r or '-':<24} {e or 'unknown'}" for a, r, e in rows]


def rerun_failed(pipeline: Pipeline, application_ids: list[str] | None = None) -> list[str]:
    """FAILED -> PROCESSING and re-send; all failed applications when no ids are given."""
    if not application_ids:
        with pipeline.stores.sessions() as session:
            application_ids = [a for a, _, _ in work.failed(session)]
    moved = [a for a in application_ids if stages.rerun(pipeline.stores, a)]
    for application_id in moved:
        pipeline.send_plan(application_id)
    return moved
