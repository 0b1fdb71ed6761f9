"""Login sessions: cookie attributes, CSRF on unsafe calls, expiry, logout, throttle, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage import audit
from storage.tables import AuditEvent
from tests.web.support import PASSWORD, Api, flag_it


def _login(api: Api, name: str = "verifier_3216",
           password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return api.client.post("/v1/session", json={"name": name, "password": password})


def _kinds(api: Api) -> list[tuple[str, str]]:
    with api.stores.sessions() as session:
        return [tuple(r) for r in session.execute(
            select(AuditEvent.kind, AuditEvent.actor).order_by(AuditEvent.seq))]


def test_login_sets_a_strict_httponly_cookie_and_answers_who(api: Api) -> None:
    answer = _login(api)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["name"], body["role"], body["office"]) == ("verifier_3216", "verifier", "3216")
    assert len(body["csrf_token"]) >= 32
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("periksa_session=")
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=strict" in lowered and "path=/" in lowered
    assert "secure" not in lowered.replace("samesite", "")
    me = api.client.get("/v1/session")
    assert me.status_code == 200 and me.json()["csrf_token"] == body["csrf_token"]
    # the cookie is a principal for the API, scoped like Basic
    assert api.client.get("/v1/applications").status_code == 200
    assert ("session.opened", "user:verifier_3216") in _kinds(api)


def test_the_token_is_stored_hashed(api: Api) -> None:
    _login(api)
    token = api.client.cookies["periksa_session"]
    from storage.sessions import LoginSession

    with api.stores.sessions() as session:
        stored = session.scalars(select(LoginSession.token_hash)).one()
    assert token not in stored and len(stored) == 64


def test_unsafe_calls_with_the_cookie_need_the_csrf_header(api: Api) -> None:
    a = api.submit("intake_a").json()["id"]
    flag_it(api, a)
    csrf = _login(api).json()["csrf_token"]
    refused = api.client.post(f"/v1/applications/{a}/claim")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf"
    wrong = api.client.post(f"/v1/applications/{a}/claim", headers={"X-CSRF-Token": "x" * 43})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "csrf"
    ok = api.client.post(f"/v1/applications/{a}/claim", headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200, ok.text
    # reads need no token
    assert api.client.get(f"/v1/applications/{a}").status_code == 200


def test_logout_ends_the_session(api: Api) -> None:
    csrf = _login(api).json()["csrf_token"]
    token = api.client.cookies["periksa_session"]
    assert api.client.delete("/v1/session").status_code == 403  # no CSRF header
    assert api.client.delete("/v1/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert api.client.get("/v1/session").status_code == 401
    # the old token is dead even if a copy of the cookie survives
    api.client.cookies.set("periksa_session", token)
    answer = api.client.get("/v1/applications")
    assert answer.status_code == 401
    assert "Basic" not in answer.headers["www-authenticate"]  # no browser login dialog
    assert ("session.closed", "user:verifier_3216") in _kinds(api)


def test_a_session_expires(api: Api) -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    api.client.app.state.clock = lambda: start
    _login(api)
    ttl = api.settings.session_ttl_s
    api.client.app.state.clock = lambda: start + timedelta(seconds=ttl - 1)
    assert api.client.get("/v1/session").status_code == 200
    api.client.app.state.clock = lambda: start + timedelta(seconds=ttl)
    assert api.client.get("/v1/session").status_code == 401
    assert api.client.get("/v1/applications").status_code == 401


def test_wrong_passwords_are_audited_masked_and_throttled(api: Api) -> None:
    for _ in range(api.settings.login_max_failures):
        answer = _login(api, password="salah-sandi")
        assert answer.status_code == 401
        assert "Basic" not in answer.headers["www-authenticate"]
    throttled = _login(api)  # even the right password waits now
    assert throttled.status_code == 429 and throttled.json()["error"]["code"] == "too_many_attempts"
    assert int(throttled.headers["retry-after"]) == api.settings.login_window_s
    assert _login(api, name="auditor").status_code == 200  # per name, not global
    with api.stores.sessions() as session:
        failed = list(session.scalars(select(AuditEvent).where(AuditEvent.kind == "login.failed")))
        assert audit.verify(session).ok
    assert len(failed) == api.settings.login_max_failures + 1
    assert [e.payload["why"] for e in failed][-1] == "throttled"
    assert all("verifier_3216" not in str(e.payload) for e in failed)


def test_the_window_slides(api: Api) -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    api.client.app.state.clock = lambda: start
    for _ in range(api.settings.login_max_failures):
        _login(api, password="salah-sandi")
    assert _login(api).status_code == 429
    later = start + timedelta(seconds=api.settings.login_window_s + 1)
    api.client.app.state.clock = lambda: later
    assert _login(api).status_code == 200


def test_basic_still_works_and_needs_no_csrf(api: Api) -> None:
    answer = api.client.post("/v1/admin/users", headers=api.headers["admin"],
                             json={"name": "baru", "password": "panjang-sekali", "role": "auditor"})
    assert answer.status_code == 201
    assert api.client.get("/v1/applications", headers=api.headers["auditor"]).status_code == 200


def test_a_revoked_key_gets_401_on_its_next_call(api: Api) -> None:
    admin = api.headers["admin"]
    listed = api.client.get("/v1/admin/keys", headers=admin).json()
    assert {k["name"] for k in listed} >= {"intake_a", "intake_b", "admin"}
    assert all("key" not in k and "signing_secret" not in k for k in listed)
    assert api.client.get("/v1/applications", headers=api.headers["intake_a"]).status_code == 200
    key_id = api.key_ids["intake_a"]
    assert api.client.delete(f"/v1/admin/keys/{key_id}",
                             headers=api.headers["intake_b"]).status_code == 403
    revoked = api.client.delete(f"/v1/admin/keys/{key_id}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert api.client.get("/v1/applications", headers=api.headers["intake_a"]).status_code == 401
    assert api.client.get("/v1/applications", headers=api.headers["intake_b"]).status_code == 200
    assert api.client.delete("/v1/admin/keys/01ZZZZZZZZZZZZZZZZZZZZZZZZ",
                             headers=admin).status_code == 404
    events = [k for k in _kinds(api) if k[0] == "key.revoked"]
    assert events == [("key.revoked", "key:admin")]


def test_a_deactivated_person_loses_password_sessions_and_claims(api: Api) -> None:
    a = api.submit("intake_a").json()["id"]
    flag_it(api, a)
    csrf = _login(api).json()["csrf_token"]
    assert api.client.post(f"/v1/applications/{a}/claim",
                           headers={"X-CSRF-Token": csrf}).status_code == 200
    users = api.client.get("/v1/admin/users", headers=api.headers["admin"]).json()
    siti = next(u for u in users if u["name"] == "verifier_3216")
    gone = api.client.delete(f"/v1/admin/users/{siti['id']}", headers=api.headers["admin"])
    assert gone.status_code == 200 and gone.json()["active"] is False
    assert api.client.get("/v1/session").status_code == 401
    assert api.client.get("/v1/applications",
                          headers=api.headers["verifier_3216"]).status_code == 401
    assert _login(api).status_code == 401
    api.client.cookies.clear()
    queue = api.client.get("/v1/queue", headers=api.headers["auditor"]).json()["items"]
    assert [(i["id"], i["claimed_by"]) for i in queue] == [(a, None)]


def test_cli_revokes_keys_and_verifies_the_chain(
    tmp_path, monkeypatch, capsys,  # type: ignore[no-untyped-def]
) -> None:
    import re

    from pipeline.cli import main
    from storage.tables import AuditEvent as Event

    monkeypatch.setenv("PERIKSA_DATA_DIR", str(tmp_path / "var"))
    assert main(["keys", "create", "--name", "portal", "--role", "intake"]) == 0
    key_id = re.search(r"key id:\s+(\S+)", capsys.readouterr().out).group(1)
    assert main(["keys", "revoke", key_id]) == 0
    assert main(["keys", "revoke", "01ZZZZZZZZZZZZZZZZZZZZZZZZ"]) == 2
    assert main(["audit", "verify"]) == 0
    assert "audit chain ok: 1 events" in capsys.readouterr().out
    from pipeline.settings import Settings
    from pipeline.stores import open_stores

    stores = open_stores(Settings(data_dir=tmp_path / "var"))
    with stores.sessions() as session, session.begin():
        session.execute(Event.__table__.update().values(actor="cli:someone-else"))
    assert main(["audit", "verify"]) == 1
    assert "BROKEN at seq 1" in capsys.readouterr().out


def test_expired_sessions_do_not_pile_up(api: Api) -> None:
    from storage.sessions import LoginSession

    start = datetime(2030, 1, 1, tzinfo=UTC)
    for day in range(3):
        api.client.app.state.clock = lambda day=day: start + timedelta(days=day)
        assert _login(api).status_code == 200
    with api.stores.sessions() as session:
        assert len(session.scalars(select(LoginSession)).all()) == 1
