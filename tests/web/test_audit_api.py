"""The auditor's API: timeline and chain (tampering shows), replay, search, rule numbers, export."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import func, select, update

from pipeline.records import Flag, Report, Status
from pipeline.run import save_flagged, start
from rules import load_ruleset
from storage.search import NikDigest
from storage.tables import AuditEvent
from storage.tables import Report as ReportRow
from tests.web.people import claim, decide, flagged
from tests.web.support import Api, submission

NIK = submission()["data"]["nik"]  # the sample akta's child
CHECKS = [{"rule": "nik.wilayah", "subject": "nik", "outcome": "pass"},
          {"rule": "nik.tanggal_lahir", "subject": "nik", "outcome": "fail"}]


def _decided(api: Api, flag: str, decision: str, **kw) -> str:  # type: ignore[no-untyped-def]
    a = flagged(api, flag, checks=CHECKS, **kw)
    claim(api, "verifier_3216", a)
    codes = ["data_tidak_sesuai"] if decision == "return" else []
    assert decide(api, "verifier_3216", a, decision, reason_codes=codes).status_code == 201
    return a


def _get(api: Api, path: str, who: str = "auditor", **params):  # type: ignore[no-untyped-def]
    return api.client.get(path, headers=api.headers[who], params=params)


def test_timeline_shows_every_event_and_tampering(api: Api) -> None:
    a = _decided(api, "review", "accept")
    answer = _get(api, f"/v1/applications/{a}/timeline")
    assert answer.status_code == 200 and answer.json()["chain_ok"] is True
    kinds = [e["kind"] for e in answer.json()["events"]]
    assert kinds == ["application.received", "status.processing", "report.flagged",
                     "status.flagged", "claim.taken", "status.decided", "decision.made"]
    events = answer.json()["events"]
    assert all(len(e["hash"]) == 64 and len(e["prev_hash"]) == 64 for e in events)
    assert _get(api, f"/v1/applications/{a}/timeline", "verifier_3216").status_code == 200
    assert _get(api, f"/v1/applications/{a}/timeline", "verifier_3320").status_code == 404
    chain = _get(api, "/v1/audit/chain").json()
    assert chain["ok"] is True and chain["length"] >= len(events)
    assert chain["head_hash"] and chain["first_broken_seq"] is None
    # someone edits the stored decision event: both views say so
    target = events[-1]["seq"]
    with api.stores.sessions() as session, session.begin():
        session.execute(update(AuditEvent).where(AuditEvent.seq == target)
                        .values(payload={"decision": "return"}))
    assert _get(api, f"/v1/applications/{a}/timeline").json()["chain_ok"] is False
    broken = _get(api, "/v1/audit/chain").json()
    assert broken["ok"] is False and broken["first_broken_seq"] == target
    assert "altered" in broken["message"]


def test_timeline_notices_a_removed_event(api: Api) -> None:
    a = flagged(api)
    b = flagged(api)
    events = _get(api, f"/v1/applications/{a}/timeline").json()["events"]
    with api.stores.sessions() as session, session.begin():
        session.execute(AuditEvent.__table__.delete().where(AuditEvent.seq == events[1]["seq"]))
    assert _get(api, f"/v1/applications/{a}/timeline").json()["chain_ok"] is False
    assert _get(api, f"/v1/applications/{b}/timeline").json()["chain_ok"] is True


def test_replay_compares_without_writing_a_report(api: Api) -> None:
    ruleset = load_ruleset()
    api.stores.blobs.put(ruleset.source)
    a = api.submit("intake_a").json()["id"]
    start(api.stores, a)
    stored = Report(submission_id=a, status=Status.FLAGGED, flag=Flag.CLEAR, reasons=[],
                    ruleset_version=ruleset.version, documents=[], comparisons=[], checks=[])
    save_flagged(api.stores, a, stored, qa_share=0.0)
    assert _get(api, f"/v1/applications/{a}/replay", "verifier_3216").status_code == 403
    answer = _get(api, f"/v1/applications/{a}/replay")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["stored"]["flag"] == "clear"
    assert body["ruleset_version_stored"] == body["ruleset_version_current"] == ruleset.version
    assert body["replayed"]["ruleset_version"] == ruleset.version
    # no document was read: the replayed rules cannot call it clear, and say so
    assert body["replayed"]["flag"] != "clear"
    assert any(line.startswith("flag: clear ->") for line in body["differences"])
    with api.stores.sessions() as session:
        reports = session.scalar(select(func.count()).select_from(ReportRow)
                                 .where(ReportRow.application_id == a))
        replayed = session.scalars(select(AuditEvent.actor)
                                   .where(AuditEvent.kind == "report.replayed")).all()
    assert reports == 1 and replayed == ["user:auditor"]
    missing = _get(api, "/v1/applications/01ZZZZZZZZZZZZZZZZZZZZZZZZ/replay")
    assert missing.status_code == 404


def test_search_by_fields_and_exact_nik(api: Api) -> None:
    accepted = _decided(api, "review", "accept")
    returned = _decided(api, "clear", "return")
    other = flagged(api, "mismatch", office="33.20", who="intake_b")
    def found(**params: str) -> list[str]:
        return [i["id"] for i in _get(api, "/v1/audit/search", **params).json()["items"]]

    assert set(found(nik=NIK)) == {accepted, returned, other}
    assert found(nik="3201010101010001") == []
    assert found(decision="return") == [returned]
    assert found(verifier="verifier_3216", flag="review") == [accepted]
    assert found(flag="mismatch") == [other]
    assert found(until="2000-01-01T00:00:00Z") == []
    item = _get(api, "/v1/audit/search", decision="accept").json()["items"][0]
    assert (item["decision"]["decision"], item["decision"]["verifier"]) == \
        ("accept", "verifier_3216")
    for partial in (NIK[:6], NIK + "0", "abcdefghijklmnop"):
        refused = _get(api, "/v1/audit/search", nik=partial)
        assert refused.status_code == 422, partial
    assert _get(api, "/v1/audit/search", "verifier_3216", nik=NIK).status_code == 403
    with api.stores.sessions() as session:
        searches = list(session.scalars(select(AuditEvent).where(AuditEvent.kind == "search.nik")))
        digests = list(session.scalars(select(NikDigest.digest)))
    assert len(searches) == 2  # the refused ones never ran
    assert all(NIK not in json.dumps(e.payload) for e in searches)
    assert searches[0].payload["nik"].startswith(NIK[:4]) and searches[0].payload["results"] == 3
    assert digests and all(NIK not in d for d in digests)


def test_the_nik_index_is_keyed(api: Api) -> None:
    from storage.search import digest, load_secret, numbers_in

    secret = load_secret("", api.settings.data_dir)
    assert load_secret("", api.settings.data_dir) == secret  # made once
    assert digest(secret, NIK) != digest(b"another key", NIK)
    kk = {"data": {"nomor_kk": "1224061805230030", "alamat": "1224061805230031",
                   "anggota_keluarga": [{"nik": "1278011806940029"}, {"nik": "12780118"}]}}
    assert numbers_in(kk) == {"1224061805230030", "1278011806940029"}


def test_rule_numbers_overrides_and_qa(api: Api) -> None:
    _decided(api, "clear", "return")
    _decided(api, "clear", "accept")
    _decided(api, "mismatch", "accept")
    _decided(api, "mismatch", "return")
    _decided(api, "mismatch", "return")
    sampled = _decided(api, "clear", "return", qa_share=1.0)
    flagged(api, "review", checks=CHECKS)  # undecided
    body = _get(api, "/v1/audit/rules").json()
    assert body["applications"] == 7
    rules = {r["rule"]: r for r in body["rules"]}
    assert rules["nik.wilayah"]["counts"] == {"pass": 7}
    assert rules["nik.tanggal_lahir"]["counts"] == {"fail": 7}
    assert body["overrides"]["clear_returned"] == {"count": 2, "decided": 3, "rate": 0.6667}
    assert body["overrides"]["mismatch_accepted"] == {"count": 1, "decided": 3, "rate": 0.3333}
    assert body["qa"] == {"sampled": 1, "returned": 1, "decided": 1, "rate": 1.0}
    assert sampled
    later = _get(api, "/v1/audit/rules", since="2999-01-01T00:00:00Z").json()
    assert later["applications"] == 0 and later["rules"] == []
    assert _get(api, "/v1/audit/rules", "verifier_3216").status_code == 403


def test_export_csv_and_json(api: Api) -> None:
    a = _decided(api, "mismatch", "return")
    b = flagged(api, "review")  # no checks, no decision: one row without a rule
    answer = _get(api, "/v1/audit/export", format="csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert list(rows[0]) == ["application_id", "reference", "office", "flag", "ruleset_version",
                             "rule", "subject", "outcome", "decision", "verifier", "decided_at"]
    mine = [r for r in rows if r["application_id"] == a]
    assert {(r["rule"], r["outcome"]) for r in mine} == {("nik.wilayah", "pass"),
                                                       ("nik.tanggal_lahir", "fail")}
    assert all(r["decision"] == "return" and r["verifier"] == "verifier_3216" and r["decided_at"]
               for r in mine)
    assert [(r["rule"], r["decision"]) for r in rows if r["application_id"] == b] == [("", "")]
    as_json = _get(api, "/v1/audit/export", format="json").json()
    assert len(as_json["rows"]) == len(rows)
    assert _get(api, "/v1/audit/export", "verifier_3216").status_code == 403
    with api.stores.sessions() as session:
        exports = list(session.scalars(select(AuditEvent.payload)
                                       .where(AuditEvent.kind == "export.downloaded")))
    assert [e["format"] for e in exports] == ["csv", "json"] and exports[0]["rows"] == len(rows)


def test_export_cells_cannot_be_formulas(api: Api) -> None:
    from web.routes.audit import _csv

    text = _csv([{"application_id": "x", "reference": "=HYPERLINK(\"http://x\")"}])
    assert "'=HYPERLINK" in text
