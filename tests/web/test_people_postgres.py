"""Verifier and auditor endpoints on the real PostgreSQL, concurrent claims and decisions included."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pipeline.errors import PeriksaError
from pipeline.settings import Settings
from storage import accounts, audit, decisions
from storage.db import transaction
from storage.tables import Application
from tests.services import fresh_postgres_database
from tests.web.people import claim, decide, flagged
from tests.web.support import PASSWORD, Api, make_api, submission

pytestmark = pytest.mark.services


@pytest.fixture
def pg_api(tmp_path: Path) -> Iterator[Api]:
    with fresh_postgres_database("periksa_people") as url:
        yield from make_api(Settings(data_dir=tmp_path / "var", database_url=url))


def _race(api: Api, work: Callable[[object], object], people: list[accounts.Principal]) -> list:
    """Run `work(session)` for each principal at once, each in its own transaction."""
    barrier, results = threading.Barrier(len(people)), [None] * len(people)

    def run(i: int, who: accounts.Principal) -> None:
        barrier.wait()
        try:
            with transaction(api.stores.sessions) as session:
                results[i] = work(session, who)  # type: ignore[call-arg]
        except PeriksaError as exc:
            results[i] = exc.code

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _verifiers(api: Api, n: int) -> list[accounts.Principal]:
    with transaction(api.stores.sessions) as session:
        made = [accounts.add_user(session, f"v{i}", PASSWORD, "verifier", "3216") for i in range(n)]
        return [accounts.Principal("user", u.id, u.name, accounts.Role.VERIFIER, u.office)
                for u in made]


def test_concurrent_claims_and_decisions(pg_api: Api) -> None:
    a = flagged(pg_api, "review")
    people = _verifiers(pg_api, 4)

    def take(session, who):  # type: ignore[no-untyped-def]
        application = session.get(Application, a)
        return decisions.claim(session, application, who, datetime.now(UTC), 900).claimed_by

    won = _race(pg_api, take, people)
    assert won.count("claimed") == 3
    winner = next(p for p, r in zip(people, won) if r != "claimed")

    def accept(session, who):  # type: ignore[no-untyped-def]
        body = decisions.DecisionIn(decisions.Verdict.ACCEPT, [], None, None)
        return decisions.decide(session, a, who, body, datetime.now(UTC)).id

    twice = _race(pg_api, accept, [winner, winner])
    assert sorted(r in ("already_decided", "not_claimed") for r in twice) == [False, True]
    with pg_api.stores.sessions() as session:
        assert len(decisions.decisions_of(session, a)) == 1
        assert audit.verify(session).ok


def test_the_people_flow_on_postgres(pg_api: Api) -> None:
    api = pg_api
    a = flagged(api, "clear", qa_share=1.0,
                checks=[{"rule": "nik.wilayah", "subject": "nik", "outcome": "pass"}])
    login = api.client.post("/v1/session", json={"name": "verifier_3216", "password": PASSWORD})
    csrf = login.json()["csrf_token"]
    assert api.client.post(f"/v1/applications/{a}/claim",
                           headers={"X-CSRF-Token": csrf}).status_code == 200
    queue = api.client.get("/v1/queue").json()["items"]
    assert [(i["id"], i["queue_flag"], i["claimed_by"]) for i in queue] == \
        [(a, "review", "verifier_3216")]
    first = api.client.post(f"/v1/applications/{a}/decisions", headers={"X-CSRF-Token": csrf},
                            json={"decision": "accept"}).json()["id"]
    api.client.cookies.clear()
    claim(api, "verifier_3216", a)
    corrected = decide(api, "verifier_3216", a, "return", reason_codes=["foto_buram"],
                       corrects=first)
    assert corrected.status_code == 201, corrected.text
    auditor = api.headers["auditor"]
    nik = submission()["data"]["nik"]
    found = api.client.get("/v1/audit/search", params={"nik": nik}, headers=auditor).json()
    assert [(i["id"], i["decision"]["decision"]) for i in found["items"]] == [(a, "return")]
    rules = api.client.get("/v1/audit/rules", headers=auditor).json()
    assert rules["overrides"]["clear_returned"]["count"] == 1
    assert rules["qa"]["returned"] == 1
    export = api.client.get("/v1/audit/export", headers=auditor)
    assert export.status_code == 200 and ",return,verifier_3216," in export.text
    timeline = api.client.get(f"/v1/applications/{a}/timeline", headers=auditor).json()
    assert timeline["chain_ok"] is True
    assert api.client.get("/v1/audit/chain", headers=auditor).json()["ok"] is True
    with api.stores.sessions() as session:
        assert session.scalar(select(func.count()).select_from(decisions.Decision)) == 2
