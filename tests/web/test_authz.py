"""Every role against every endpoint, another office and another intake key included.

Application A belongs to intake_a, office 3216; B to intake_b, office 3320. Out of scope
answers 404 exactly like a missing id, in reads, page images and lists.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from pipeline.settings import Settings
from storage.tables import AuditEvent
from tests.web.support import Api, flag_it, make_api

WHO = ("intake_a", "intake_b", "verifier_3216", "verifier_3320", "auditor", "admin", "anonymous")

# endpoint -> expected status per caller (in WHO's order)
MATRIX = {
    "create":      (202, 202, 403, 403, 403, 403, 401),
    "read_a":      (200, 404, 200, 404, 200, 403, 401),
    "page_a":      (200, 404, 200, 404, 200, 403, 401),
    "read_b":      (404, 200, 404, 200, 200, 403, 401),
    "missing":     (404, 404, 404, 404, 404, 403, 401),
    "list":        (200, 200, 200, 200, 200, 403, 401),
    "create_key":  (403, 403, 403, 403, 403, 201, 401),
    "create_user": (403, 403, 403, 403, 403, 201, 401),
    "list_keys":   (403, 403, 403, 403, 403, 200, 401),
    "list_users":  (403, 403, 403, 403, 403, 200, 401),
    "revoke_missing": (403, 403, 403, 403, 403, 404, 401),
    # verifiers at work (A is flagged in 3216; B received in 33.20)
    "claim_a":     (403, 403, 200, 404, 403, 403, 401),
    "claim_b":     (403, 403, 404, 409, 403, 403, 401),
    "release_b":   (403, 403, 404, 409, 403, 403, 401),
    "decide_a":    (403, 403, 422, 404, 403, 403, 401),
    "decisions_a": (403, 403, 200, 404, 200, 403, 401),
    "queue":       (403, 403, 200, 200, 200, 403, 401),
    "queue_next":  (403, 403, 200, 200, 403, 403, 401),
    "reasons":     (403, 403, 200, 200, 200, 403, 401),
    # auditors
    "timeline_a":  (403, 403, 200, 404, 200, 403, 401),
    "timeline_b":  (403, 403, 404, 200, 200, 403, 401),
    "replay_missing": (403, 403, 403, 403, 404, 403, 401),
    "search":      (403, 403, 403, 403, 200, 403, 401),
    "search_nik":  (403, 403, 403, 403, 200, 403, 401),
    "chain":       (403, 403, 403, 403, 200, 403, 401),
    "rules":       (403, 403, 403, 403, 200, 403, 401),
    "export":      (403, 403, 403, 403, 200, 403, 401),
}
MISSING = "01ZZZZZZZZZZZZZZZZZZZZZZZZ"
CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}
CASES = [(endpoint, who, row[i]) for endpoint, row in MATRIX.items() for i, who in enumerate(WHO)]


def _two(api: Api) -> tuple[Api, str, str]:
    a = api.submit("intake_a", office="3216").json()["id"]
    b = api.submit("intake_b", office="33.20").json()["id"]
    flag_it(api, a)
    return api, a, b


@pytest.fixture
def two(api: Api) -> tuple[Api, str, str]:
    return _two(api)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, str, str]]:
    """One world for the whole matrix (its only writes are creations no row depends on)."""
    for api in make_api(Settings(data_dir=tmp_path_factory.mktemp("authz") / "var")):
        yield _two(api)


def _call(api: Api, endpoint: str, who: str, a: str, b: str):  # type: ignore[no-untyped-def]
    headers, client = api.headers[who], api.client
    if endpoint == "create":
        return api.submit(who) if who != "anonymous" else client.post("/v1/applications")
    paths = {"read_a": f"/v1/applications/{a}", "read_b": f"/v1/applications/{b}",
             "page_a": f"/v1/applications/{a}/documents/1/pages/1.png",
             "missing": "/v1/applications/01ZZZZZZZZZZZZZZZZZZZZZZZZ", "list": "/v1/applications"}
    if endpoint in paths:
        return client.get(paths[endpoint], headers=headers)
    if endpoint == "create_key":
        return client.post("/v1/admin/keys", headers=headers,
                           json={"name": f"k-{who}", "role": "intake"})
    if endpoint == "create_user":
        return client.post("/v1/admin/users", headers=headers, json={
            "name": f"u-{who}", "password": "panjang-sekali", "role": "auditor"})
    return _call_people(api, endpoint, headers, a, b)


def _call_people(api: Api, endpoint: str, headers: dict[str, str],  # type: ignore[no-untyped-def]
                 a: str, b: str):
    """The verifier, auditor and admin endpoints; none of these calls changes what others see
    (a decision without a reason code is refused before anything is written)."""
    client = api.client
    gets = {"list_keys": "/v1/admin/keys", "list_users": "/v1/admin/users",
            "decisions_a": f"/v1/applications/{a}/decisions", "queue": "/v1/queue",
            "queue_next": "/v1/queue/next", "reasons": "/v1/return-reasons",
            "timeline_a": f"/v1/applications/{a}/timeline",
            "timeline_b": f"/v1/applications/{b}/timeline",
            "replay_missing": f"/v1/applications/{MISSING}/replay",
            "search": "/v1/audit/search?reference=nothing",
            "search_nik": "/v1/audit/search?nik=3216010101010001", "chain": "/v1/audit/chain",
            "rules": "/v1/audit/rules", "export": "/v1/audit/export"}
    if endpoint in gets:
        return client.get(gets[endpoint], headers=headers)
    if endpoint == "revoke_missing":
        return client.delete(f"/v1/admin/keys/{MISSING}", headers=headers)
    if endpoint in ("claim_a", "claim_b"):
        return client.post(f"/v1/applications/{a if endpoint == 'claim_a' else b}/claim",
                           headers=headers)
    if endpoint == "release_b":  # nobody ever claims B (received): 409 not_claimed in its office
        return client.delete(f"/v1/applications/{b}/claim", headers=headers)
    return client.post(f"/v1/applications/{a}/decisions", headers=headers,
                       json={"decision": "return", "reason_codes": []})


@pytest.mark.parametrize(("endpoint", "who", "expected"), CASES,
                         ids=[f"{e}-{w}" for e, w, _ in CASES])
def test_matrix(shared: tuple[Api, str, str], endpoint: str, who: str, expected: int) -> None:
    api, a, b = shared
    answer = _call(api, endpoint, who, a, b)
    assert answer.status_code == expected, answer.text
    if expected in CODES:
        assert answer.json()["error"]["code"] == CODES[expected]


@pytest.mark.parametrize(("who", "sees"), [
    ("intake_a", {"a"}), ("intake_b", {"b"}), ("verifier_3216", {"a"}),
    ("verifier_3320", {"b"}), ("auditor", {"a", "b"}),
])
def test_lists_are_scoped(two: tuple[Api, str, str], who: str, sees: set[str]) -> None:
    api, a, b = two
    names = {a: "a", b: "b"}
    found = api.client.get("/v1/applications", headers=api.headers[who]).json()["items"]
    assert {names[i["id"]] for i in found} == sees
    # an office filter cannot widen the scope
    other = api.client.get("/v1/applications", params={"office": "33.20"},
                           headers=api.headers[who]).json()["items"]
    assert {names[i["id"]] for i in other} <= sees


def test_filters(two: tuple[Api, str, str]) -> None:
    api, a, b = two
    auditor = api.headers["auditor"]
    flagged = api.client.get("/v1/applications?status=flagged&flag=review", headers=auditor)
    assert [i["id"] for i in flagged.json()["items"]] == [a]
    later = api.client.get("/v1/applications?since=2999-01-01T00:00:00Z", headers=auditor)
    assert later.json()["items"] == []
    bad = api.client.get("/v1/applications?status=lost", headers=auditor)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"


def test_report_shown_once_flagged(two: tuple[Api, str, str]) -> None:
    api, a, b = two
    read_a = api.client.get(f"/v1/applications/{a}", headers=api.headers["intake_a"]).json()
    read_b = api.client.get(f"/v1/applications/{b}", headers=api.headers["intake_b"]).json()
    assert read_a["status"] == "flagged" and read_a["report"]["flag"] == "review"
    assert read_b["status"] == "received" and read_b["report"] is None


def test_person_reads_are_audited(two: tuple[Api, str, str]) -> None:
    api, a, _ = two
    api.client.get(f"/v1/applications/{a}", headers=api.headers["intake_a"])
    api.client.get(f"/v1/applications/{a}", headers=api.headers["verifier_3216"])
    api.client.get(f"/v1/applications/{a}/documents/1/pages/1.png", headers=api.headers["auditor"])
    api.client.get(f"/v1/applications/{a}", headers=api.headers["verifier_3320"])  # 404: no event
    with api.stores.sessions() as session:
        rows = session.execute(select(AuditEvent.kind, AuditEvent.actor)
                               .where(AuditEvent.kind.in_(["report.viewed", "page.viewed"]))
                               .order_by(AuditEvent.seq)).all()
    assert rows == [("report.viewed", "user:verifier_3216"), ("page.viewed", "user:auditor")]


def test_wrong_password_and_unknown_key(api: Api) -> None:
    from tests.web.support import basic

    for headers in (basic("auditor", "salah-sandi"), basic("nobody"),
                    {"Authorization": "Bearer pk_nope"}, {"X-API-Key": "pk_nope"},
                    {"Authorization": "Basic !!!"}):
        answer = api.client.get("/v1/applications", headers=headers)
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthenticated"


def test_page_image_is_the_preprocessed_page(two: tuple[Api, str, str]) -> None:
    import cv2
    import numpy as np

    api, a, _ = two
    answer = api.client.get(f"/v1/applications/{a}/documents/1/pages/1.png",
                            headers=api.headers["intake_a"])
    image = cv2.imdecode(np.frombuffer(answer.content, np.uint8), cv2.IMREAD_UNCHANGED)
    assert answer.headers["content-type"] == "image/png" and image.ndim == 2
    assert min(image.shape) > 500
    missing = api.client.get(f"/v1/applications/{a}/documents/1/pages/2.png",
                             headers=api.headers["intake_a"])
    assert missing.status_code == 404


@pytest.mark.parametrize("who", ["verifier_3216", "verifier_3320", "auditor"])
def test_a_login_cookie_is_scoped_like_basic(two: tuple[Api, str, str], who: str) -> None:
    """The same person through a session cookie gets exactly the Basic answers."""
    from tests.web.support import PASSWORD

    api, a, b = two
    checks = [("GET", f"/v1/applications/{a}"), ("GET", f"/v1/applications/{b}/timeline"),
              ("GET", "/v1/queue"), ("GET", "/v1/audit/chain"),
              ("POST", f"/v1/applications/{b}/claim")]
    with_basic = [api.client.request(m, p, headers=api.headers[who]).status_code
                  for m, p in checks]
    csrf = api.client.post("/v1/session", json={"name": who, "password": PASSWORD}) \
        .json()["csrf_token"]
    with_cookie = [api.client.request(m, p, headers={"X-CSRF-Token": csrf}).status_code
                   for m, p in checks]
    api.client.cookies.clear()
    assert with_cookie == with_basic
