"""Claims, decisions, corrections, the queue and QA samples, through the HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from storage import accounts, audit
from storage.db import transaction
from storage.decisions import QaSample, in_sample
from storage.tables import Application, AuditEvent
from tests.web.people import claim, decide, flagged
from tests.web.support import PASSWORD, Api, basic


def _colleague(api: Api, name: str = "verifier_3216b") -> str:
    with transaction(api.stores.sessions) as session:
        accounts.add_user(session, name, PASSWORD, "verifier", "32.16")
    api.headers[name] = basic(name)
    return name


def _status(api: Api, application_id: str) -> str:
    answer = api.client.get(f"/v1/applications/{application_id}", headers=api.headers["auditor"])
    return answer.json()["status"]


def _events(api: Api, kind: str, application_id: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.seq)
    if application_id:
        query = query.where(AuditEvent.application_id == application_id)
    with api.stores.sessions() as session:
        return list(session.scalars(query))


def _at(api: Api, moment: datetime) -> None:
    api.client.app.state.clock = lambda: moment


def test_a_claim_is_exclusive_until_it_lapses(api: Api) -> None:
    a, other = flagged(api), _colleague(api)
    start = datetime.now(UTC)
    _at(api, start)
    first = claim(api, "verifier_3216", a)
    assert first.status_code == 200 and first.json()["claimed_by"] == "verifier_3216"
    ttl = api.settings.claim_ttl_s
    assert datetime.fromisoformat(first.json()["expires_at"]) == start + timedelta(seconds=ttl)
    taken = claim(api, other, a)
    assert taken.status_code == 409
    error = taken.json()["error"]
    assert error["code"] == "claimed" and error["claimed_by"] == "verifier_3216"
    assert any("verifier_3216" in d for d in error["details"])
    # the holder claiming again extends
    _at(api, start + timedelta(seconds=ttl - 10))
    again = claim(api, "verifier_3216", a).json()
    assert datetime.fromisoformat(again["expires_at"]) == start + timedelta(seconds=2 * ttl - 10)
    assert claim(api, other, a).status_code == 409
    # lapsed: the colleague may take it; the first verifier may no longer decide
    _at(api, start + timedelta(seconds=2 * ttl))
    assert claim(api, other, a).json()["claimed_by"] == other
    late = decide(api, "verifier_3216", a)
    assert late.status_code == 409 and late.json()["error"]["code"] == "not_claimed"
    assert len(_events(api, "claim.taken", a)) == 2  # an extension is not a new claim


def test_release_only_ones_own_claim(api: Api) -> None:
    a, other = flagged(api), _colleague(api)
    claim(api, "verifier_3216", a)
    refused = api.client.delete(f"/v1/applications/{a}/claim", headers=api.headers[other])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_claimed"
    mine = api.client.delete(f"/v1/applications/{a}/claim", headers=api.headers["verifier_3216"])
    assert mine.status_code == 204
    assert claim(api, other, a).status_code == 200


def test_accept_decides_once(api: Api) -> None:
    a = flagged(api, "mismatch")
    unclaimed = decide(api, "verifier_3216", a)
    assert unclaimed.status_code == 409 and unclaimed.json()["error"]["code"] == "not_claimed"
    claim(api, "verifier_3216", a)
    made = decide(api, "verifier_3216", a, note="cocok setelah dicek manual")
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["decision"], body["verifier"], body["corrects"], body["flag"]) == \
        ("accept", "verifier_3216", None, "mismatch")
    assert _status(api, a) == "decided"
    # the claim went with the decision; a second accept is refused whoever holds a claim
    assert claim(api, "verifier_3216", a).status_code == 200
    second = decide(api, "verifier_3216", a)
    assert second.status_code == 409 and second.json()["error"]["code"] == "already_decided"
    made_events = _events(api, "decision.made", a)
    assert len(made_events) == 1 and len(_events(api, "status.decided", a)) == 1
    payload = made_events[0].payload
    assert payload["decision_id"] == body["id"] and payload["flag"] == "mismatch"
    assert payload["has_note"] is True and "manual" not in str(payload)
    with api.stores.sessions() as session:
        assert audit.verify(session).ok


def test_return_needs_known_reason_codes(api: Api) -> None:
    a = flagged(api)
    claim(api, "verifier_3216", a)
    bare = decide(api, "verifier_3216", a, "return")
    assert bare.status_code == 422 and bare.json()["error"]["code"] == "invalid_decision"
    unknown = decide(api, "verifier_3216", a, "return", reason_codes=["foto_buram", "karena_saya"])
    assert unknown.status_code == 422 and unknown.json()["error"]["details"] == ["karena_saya"]
    bad_kind = decide(api, "verifier_3216", a, "tolak")
    assert bad_kind.status_code == 422
    assert _status(api, a) == "flagged" and _events(api, "decision.made", a) == []
    ok = decide(api, "verifier_3216", a, "return", reason_codes=["foto_buram", "foto_buram"])
    assert ok.status_code == 201 and ok.json()["reason_codes"] == ["foto_buram"]
    reasons = api.client.get("/v1/return-reasons", headers=api.headers["verifier_3216"]).json()
    assert 6 <= len(reasons) <= 10 and {"code", "label_id", "label_en"} <= set(reasons[0])
    assert "dokumen_tidak_terbaca" in {r["code"] for r in reasons}


def test_a_correction_chain(api: Api) -> None:
    a = flagged(api, "clear")
    claim(api, "verifier_3216", a)
    first = decide(api, "verifier_3216", a).json()["id"]
    # a correction needs a claim too
    refused = decide(api, "verifier_3216", a, "return", reason_codes=["data_tidak_sesuai"],
                     corrects=first)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_claimed"
    claim(api, "verifier_3216", a)
    second = decide(api, "verifier_3216", a, "return", reason_codes=["data_tidak_sesuai"],
                    corrects=first)
    assert second.status_code == 201 and second.json()["corrects"] == first
    assert _status(api, a) == "decided"
    claim(api, "verifier_3216", a)
    stale = decide(api, "verifier_3216", a, corrects=first)
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "not_decidable"
    foreign = decide(api, "verifier_3216", a, corrects="01ZZZZZZZZZZZZZZZZZZZZZZZZ")
    assert foreign.status_code == 422
    third = decide(api, "verifier_3216", a, corrects=second.json()["id"])
    assert third.status_code == 201
    listed = api.client.get(f"/v1/applications/{a}/decisions", headers=api.headers["auditor"])
    chain = [(d["decision"], d["corrects"]) for d in listed.json()]
    assert chain == [("accept", None), ("return", first), ("accept", second.json()["id"])]
    assert len(_events(api, "decision.made", a)) == 3
    assert len(_events(api, "status.decided", a)) == 1


def test_escalate_keeps_it_flagged_and_frees_it(api: Api) -> None:
    a, other = flagged(api, "mismatch"), _colleague(api)
    claim(api, "verifier_3216", a)
    made = decide(api, "verifier_3216", a, "escalate", note="perlu kepala seksi")
    assert made.status_code == 201 and _status(api, a) == "flagged"
    item = api.client.get("/v1/queue", headers=api.headers[other]).json()["items"][0]
    assert item["id"] == a and item["escalated"] is True and item["claimed_by"] is None
    claim(api, other, a)
    assert decide(api, other, a, "accept").status_code == 201
    assert _status(api, a) == "decided"


def test_only_a_person_with_the_verifier_role_decides(api: Api) -> None:
    a = flagged(api)
    with transaction(api.stores.sessions) as session:
        key = accounts.create_key(session, "robot", "verifier", "3216").key
    robot = api.client.post(f"/v1/applications/{a}/claim", headers={"X-API-Key": key})
    assert robot.status_code == 403
    assert claim(api, "auditor", a).status_code == 403
    assert claim(api, "verifier_3320", a).status_code == 404
    received = api.submit("intake_a").json()["id"]
    early = claim(api, "verifier_3216", received)
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_decidable"


def test_queue_order_and_fields(api: Api) -> None:
    clear, review = flagged(api, "clear"), flagged(api, "review")
    mismatch = flagged(api, "mismatch")
    old_clear = flagged(api, "clear")
    elsewhere = flagged(api, "mismatch", office="33.20", who="intake_b")
    undecided = api.submit("intake_a").json()["id"]  # received: not in the queue
    now = datetime.now(UTC)
    with transaction(api.stores.sessions) as session:
        session.execute(update(Application).where(Application.id == old_clear)
                        .values(created_at=now - timedelta(hours=30)))
    claim(api, "verifier_3216", review)
    answer = api.client.get("/v1/queue?lang=en", headers=api.headers["verifier_3216"]).json()
    ids = [i["id"] for i in answer["items"]]
    assert ids == [old_clear, mismatch, review, clear]
    assert elsewhere not in ids and undecided not in ids
    first = answer["items"][0]
    assert first["overdue"] is True and first["age_hours"] >= 30 and answer["target_hours"] == 24
    by_id = {i["id"]: i for i in answer["items"]}
    assert by_id[review]["claimed_by"] == "verifier_3216" and by_id[review]["claim_expires_at"]
    assert by_id[mismatch]["queue_flag_label"] == "Mismatch"
    everything = api.client.get("/v1/queue", headers=api.headers["auditor"]).json()
    assert {i["id"] for i in everything["items"]} == {clear, review, mismatch, old_clear, elsewhere}
    only = api.client.get("/v1/queue?flag=clear", headers=api.headers["verifier_3216"]).json()
    assert [i["id"] for i in only["items"]] == [old_clear, clear]
    aged = api.client.get("/v1/queue?min_age_h=24", headers=api.headers["verifier_3216"]).json()
    assert [i["id"] for i in aged["items"]] == [old_clear]
    # next: skips what another verifier holds, includes mine, wraps round
    nxt = lambda after: api.client.get(  # noqa: E731
        "/v1/queue/next", params={"after": after} if after else {},
        headers=api.headers["verifier_3216"]).json()["id"]
    assert nxt(None) == old_clear and nxt(old_clear) == mismatch and nxt(mismatch) == review
    other = _colleague(api)
    claim(api, other, mismatch)
    assert nxt(old_clear) == review and nxt(clear) == old_clear


def test_qa_sampling_share_all_and_none(api: Api) -> None:
    sampled = [flagged(api, "clear", qa_share=1.0) for _ in range(3)]
    not_clear = flagged(api, "mismatch", qa_share=1.0)
    unsampled = [flagged(api, "clear", qa_share=0.0) for _ in range(3)]
    with api.stores.sessions() as session:
        rows = set(session.scalars(select(QaSample.application_id)))
    assert rows == set(sampled)
    assert {e.application_id for e in _events(api, "qa.sampled")} == set(sampled)
    items = {i["id"]: i for i in api.client.get(
        "/v1/queue", headers=api.headers["verifier_3216"]).json()["items"]}
    for a in sampled:
        assert (items[a]["flag"], items[a]["queue_flag"], items[a]["qa_sample"]) == \
            ("clear", "review", True)
    for a in unsampled:
        assert (items[a]["queue_flag"], items[a]["qa_sample"]) == ("clear", False)
    assert items[not_clear]["qa_sample"] is False
    # the decision records that it decided a sample
    claim(api, "verifier_3216", sampled[0])
    assert decide(api, "verifier_3216", sampled[0]).json()["qa_sample"] is True


def test_sampling_is_deterministic_and_near_the_share() -> None:
    from storage.ids import new_id

    ids = [new_id() for _ in range(4000)]
    share = sum(in_sample(i, 0.05) for i in ids) / len(ids)
    assert 0.035 < share < 0.065
    assert [in_sample(i, 0.05) for i in ids[:50]] == [in_sample(i, 0.05) for i in ids[:50]]


def test_the_intake_service_learns_the_decision(api: Api) -> None:
    import json

    from web.callbacks import Dispatcher

    a = flagged(api, "mismatch", data={"callback_url": "http://127.0.0.1:9/hook"})
    before = api.client.get(f"/v1/applications/{a}", headers=api.headers["intake_a"]).json()
    assert before["decision"] is None
    claim(api, "verifier_3216", a)
    decide(api, "verifier_3216", a, "return", reason_codes=["foto_buram"], note="internal")
    seen = api.client.get(f"/v1/applications/{a}", headers=api.headers["intake_a"]).json()
    assert seen["status"] == "decided"
    assert (seen["decision"]["decision"], seen["decision"]["reason_codes"]) == \
        ("return", ["foto_buram"])
    assert "verifier" not in seen["decision"] and "note" not in seen["decision"]
    sent: list[dict] = []
    dispatcher = Dispatcher(api.stores, api.settings,
                            poster=lambda url, body, headers, timeout: sent.append(
                                json.loads(body)) or 204)
    dispatcher.run_once()
    decided = [b for b in sent if b["status"] == "decided"]
    assert [b["decision"] for b in decided] == [{"decision": "return",
                                                "reason_codes": ["foto_buram"]}]
