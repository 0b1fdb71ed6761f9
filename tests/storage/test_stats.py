"""Dashboard and pipeline numbers from records made through the storage functions, at fixed
times (a clock patched into storage.tables, which every record and audit event reads).

The scene, Asia/Jakarta (UTC+7), "now" = 2025-03-12 10:00 local:

    A 3216  received today 08:00, flagged 08:10 (review), decided by siti 09:10
    B 3216  received today 06:30 local = yesterday 23:30 UTC, flagged 06:50 (mismatch)
    D 3216  received today 09:00, still received
    C 33.20 received 3 days ago 08:00, flagged 08:30, re-run and flagged again 09:10,
            decided by budi 11:10
    E 33.20 received and flagged 9 days ago (review): in the queue, outside the 7-day window
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import storage.tables
from pipeline.records import Status
from storage import applications as apps
from storage import pages as work
from storage import stats
from storage.accounts import Principal, Role
from storage.db import transaction
from web.access import scoped

JAKARTA = ZoneInfo("Asia/Jakarta")
NOW = datetime(2025, 3, 12, 10, 0, tzinfo=JAKARTA)
SUBMISSION = {"reference": "R", "office": "3216", "service": "akta_kelahiran_baru",
              "document_type": "akta_kelahiran", "data": {}}


class Clock:
    """Patched into storage.tables: utcnow() (defaults and audit events) reads `now`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = NOW
        clock = self

        class Frozen(datetime):
            @classmethod
            def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
                return clock.now.astimezone(tz or UTC)

        monkeypatch.setattr(storage.tables, "datetime", Frozen)

    def at(self, days_back: int, hour: int, minute: int = 0) -> "Clock":
        day = NOW.date() - timedelta(days=days_back)
        self.now = datetime(day.year, day.month, day.day, hour, minute, tzinfo=JAKARTA)
        return self


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def _receive(factory, clock: Clock, office: str,  # type: ignore[no-untyped-def]
             when: tuple[int, int, int]) -> str:
    clock.at(*when)
    with transaction(factory) as session:
        return apps.create_application(
            session, submission=SUBMISSION | {"office": office}, document_type="akta_kelahiran",
            reference="R", office=office, service="akta_kelahiran_baru",
            files=[apps.StoredFile("a.png", "a" * 64, "image/png", 10)], idempotency_key=None,
        ).id


def _move(factory, clock: Clock, application_id: str,  # type: ignore[no-untyped-def]
          when: tuple[int, int, int],
          *steps: Status, flag: str = "review", actor: str = "system", detail=None) -> None:
    clock.at(*when)
    with transaction(factory) as session:
        application = apps.get_application(session, application_id)
        for step in steps:
            if step == Status.FLAGGED:
                apps.save_report(session, application, {"flag": flag}, "test-1", flag)
            apps.transition(session, application, step, actor=actor, detail=detail)


@pytest.fixture
def scene(factory, clock: Clock) -> dict[str, str]:  # type: ignore[no-untyped-def]
    P, F, D = Status.PROCESSING, Status.FLAGGED, Status.DECIDED
    ids = {"A": _receive(factory, clock, "3216", (0, 8, 0)),
           "B": _receive(factory, clock, "3216", (0, 6, 30)),
           "D": _receive(factory, clock, "32.16", (0, 9, 0)),
           "C": _receive(factory, clock, "33.20", (3, 8, 0)),
           "E": _receive(factory, clock, "33.20", (9, 8, 0))}
    _move(factory, clock, ids["A"], (0, 8, 10), P, F)
    _move(factory, clock, ids["A"], (0, 9, 10), D, actor="user:siti")
    _move(factory, clock, ids["B"], (0, 6, 50), P, F, flag="mismatch")
    _move(factory, clock, ids["C"], (3, 8, 30), P, F, flag="clear")
    _move(factory, clock, ids["C"], (3, 9, 0), P)  # a re-run after a ruleset change
    _move(factory, clock, ids["C"], (3, 9, 10), F, flag="clear")
    _move(factory, clock, ids["C"], (3, 11, 10), D, actor="user:budi")
    _move(factory, clock, ids["E"], (9, 8, 20), P, F)
    clock.now = NOW
    return ids


def _person(role: Role, office: str | None) -> Principal:
    return Principal("user", "u1", "someone", role, office)


def test_dashboard_for_the_auditor_counts_every_office(  # type: ignore[no-untyped-def]
    factory, scene,
) -> None:
    with factory() as session:
        board = stats.dashboard(session, NOW, JAKARTA, norm=1)
    assert board.intake_today == 3  # B counts: today in Jakarta although yesterday in UTC
    assert board.queue == {"clear": 0, "review": 1, "mismatch": 1, "total": 2}
    assert board.upload_to_flag["today"] == stats.Durations(2, 900.0, 1140.0)
    # C counts from its first flag (1800 s), not its re-run; E is older than 7 days
    assert board.upload_to_flag["last_7_days"] == stats.Durations(3, 1200.0, 1680.0)
    assert board.flag_to_decision["today"] == stats.Durations(1, 3600.0, 3600.0)
    # C from its latest flag before the decision (09:10 -> 11:10), not its first
    assert board.flag_to_decision["last_7_days"] == stats.Durations(2, 5400.0, 6840.0)
    assert board.decision_days[0] == "2025-03-06" and board.decision_days[-1] == "2025-03-12"
    by_name = {v.verifier: v for v in board.decisions}
    assert set(by_name) == {"siti", "budi"}
    assert by_name["siti"].per_day["2025-03-12"] == 1 and by_name["siti"].total == 1
    assert by_name["budi"].per_day["2025-03-09"] == 1
    assert by_name["budi"].days_at_norm == 1 and by_name["budi"].mean_per_day_worked == 1.0


def test_a_verifier_sees_only_their_office(factory, scene) -> None:  # type: ignore[no-untyped-def]
    verifier = _person(Role.VERIFIER, "3216")
    with factory() as session:
        board = stats.dashboard(session, NOW, JAKARTA, scope=lambda q: scoped(q, verifier))
        other = stats.dashboard(session, NOW, JAKARTA,
                                scope=lambda q: scoped(q, _person(Role.VERIFIER, "3320")))
    assert board.intake_today == 3  # '32.16' is the same office as '3216'
    assert board.queue == {"clear": 0, "review": 0, "mismatch": 1, "total": 1}
    assert board.upload_to_flag["last_7_days"] == stats.Durations(2, 900.0, 1140.0)
    assert [v.verifier for v in board.decisions] == ["siti"]
    assert other.intake_today == 0 and other.queue["total"] == 1
    assert [v.verifier for v in other.decisions] == ["budi"]
    assert other.flag_to_decision["today"] == stats.Durations(0, None, None)


def test_pipeline_numbers_pending_pages_rate_and_failures(  # type: ignore[no-untyped-def]
    factory, clock: Clock,
) -> None:
    first = _receive(factory, clock, "3216", (0, 9, 0))
    second = _receive(factory, clock, "3216", (0, 9, 30))
    with factory() as session:
        docs = {a: apps.get_application(session, a).documents[0].id for a in (first, second)}
    clock.at(0, 9, 40)
    with transaction(factory) as session:
        work.plan(session, first, {docs[first]: 3})
    for minute, page in ((50, 1), (57, 2)):  # one page long ago, one within the last 5 min
        clock.at(0, 9, minute)
        with transaction(factory) as session:
            assert work.save_page(session, docs[first], page, {"words": []}, 10) is False
    _move(factory, clock, second, (0, 9, 58), Status.PROCESSING, Status.FAILED,
          detail={"error": "ocr_failed"})
    _move(factory, clock, second, (0, 9, 59), Status.PROCESSING)  # rerun
    _move(factory, clock, second, (0, 9, 59), Status.FAILED, detail={"error": "time_limit"})
    with factory() as session:
        numbers = stats.pipeline_numbers(session, NOW)
    assert numbers.applications == {("received", "none"): 1, ("failed", "none"): 1}
    assert numbers.pages_pending == 1
    assert numbers.oldest_pending_page_s == 20 * 60  # planned 09:40
    assert numbers.oldest_unsettled_s == 60 * 60  # first received 09:00, still received
    assert numbers.pages_done_recent == 1 and numbers.pages_per_minute == 0.2
    assert numbers.failures_by_code == {"ocr_failed": 1, "time_limit": 1}
    assert numbers.failed_now_by_code == {"time_limit": 1}


def test_percentile_interpolates_and_handles_the_edges() -> None:
    assert stats.percentile([], 50) is None
    assert stats.percentile([7.0], 90) == 7.0
    assert stats.percentile([30.0, 10.0, 20.0, 40.0], 50) == 25.0
    assert stats.percentile([10.0, 20.0], 90) == 19.0
