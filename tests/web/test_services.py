"""The API on the real PostgreSQL (and Redis when it is there): scoping, idempotency, callbacks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.settings import Settings
from storage import callbacks as stored_callbacks
from tests.services import fresh_postgres_database
from tests.web.support import Api, flag_it, make_api
from web.callbacks import Dispatcher

pytestmark = pytest.mark.services
REDIS_URL = os.environ.get("PERIKSA_TEST_REDIS", "redis://127.0.0.1:6379/15")


@pytest.fixture
def pg_api(tmp_path: Path) -> Iterator[Api]:
    with fresh_postgres_database("periksa_web") as url:
        settings = Settings(data_dir=tmp_path / "var", database_url=url, callback_backoff_s=0.01,
                            callback_attempts=2)
        yield from make_api(settings)


def test_scoping_and_idempotency_on_postgres(pg_api: Api) -> None:
    a = pg_api.submit("intake_a", office="32.16", headers={"Idempotency-Key": "k1"}).json()
    again = pg_api.submit("intake_a", office="32.16", headers={"Idempotency-Key": "k1"}).json()
    pg_api.submit("intake_b", office="3320")
    assert again == a
    client, headers = pg_api.client, pg_api.headers
    assert client.get(a["status_url"], headers=headers["verifier_3216"]).status_code == 200
    assert client.get(a["status_url"], headers=headers["verifier_3320"]).status_code == 404
    listed = client.get("/v1/applications", headers=headers["verifier_3216"]).json()["items"]
    assert [i["id"] for i in listed] == [a["id"]]
    assert len(client.get("/v1/applications", headers=headers["auditor"]).json()["items"]) == 2
    assert client.get("/readyz").json()["checks"]["database"] == "ok"


def test_callback_cursor_on_postgres(pg_api: Api) -> None:
    created = pg_api.submit("intake_a", data={"callback_url": "http://127.0.0.1:9/x"}).json()
    flag_it(pg_api, created["id"])
    sent: list[bytes] = []
    dispatcher = Dispatcher(pg_api.stores, pg_api.settings,
                            poster=lambda url, body, headers, timeout: sent.append(body) or 204)
    assert dispatcher.run_once() == 3 and dispatcher.run_once() == 0
    with pg_api.stores.sessions() as session:
        assert len(stored_callbacks.attempts(session, created["id"])) == 3


def test_readyz_with_redis(tmp_path: Path) -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        from tests.services import service_missing
        service_missing(f"Redis at {REDIS_URL}")
    settings = Settings(data_dir=tmp_path / "var", broker_url=REDIS_URL)
    for api in make_api(settings, run_worker=False):
        assert api.client.get("/readyz").json() == {
            "status": "ready", "checks": {"database": "ok", "broker": "ok", "blob_store": "ok"}}
        try:
            created = api.submit("intake_a")
            assert created.status_code == 202  # enqueued on Redis for `periksa worker`
        finally:
            api.client.app.state.pipeline.broker.flush_all()  # leave no message behind
