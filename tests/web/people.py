"""Helpers of the verifier/auditor tests: flag an application through the real save path."""

from __future__ import annotations

from typing import Any

from pipeline.records import Check, Flag, Report, Status
from pipeline.run import save_flagged, start
from tests.web.support import Api


def flagged(api: Api, flag: str = "review", *, office: str = "3216", who: str = "intake_a",
            qa_share: float = 0.0, checks: list[dict[str, Any]] | None = None,
            **submit: Any) -> str:
    """Submit (as `who`), then processing -> flagged with `flag` through run.save_flagged."""
    application_id = api.submit(who, office=office, **submit).json()["id"]
    start(api.stores, application_id)
    report = Report(submission_id=application_id, status=Status.FLAGGED, flag=Flag(flag),
                    reasons=[], ruleset_version="sha256:test", documents=[], comparisons=[],
                    checks=[Check.model_validate(c) for c in checks or []])
    assert save_flagged(api.stores, application_id, report, qa_share=qa_share)
    return application_id


def decide(api: Api, who: str, application_id: str, decision: str = "accept",
           **body: Any):  # type: ignore[no-untyped-def]
    return api.client.post(f"/v1/applications/{application_id}/decisions",
                           headers=api.headers[who], json={"decision": decision} | body)


def claim(api: Api, who: str, application_id: str):  # type: ignore[no-untyped-def]
    return api.client.post(f"/v1/applications/{application_id}/claim", headers=api.headers[who])
