"""Callbacks: signed, retried with backoff on a receiver that fails twice, every try recorded."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from pipeline.settings import Settings
from storage import callbacks as stored_callbacks
from web.callbacks import SIGNATURE_HEADER, Dispatcher, sign, verify
from tests.web.support import Api, flag_it, make_api


class Receiver:
    """A tiny HTTP receiver on 127.0.0.1 that answers 500 `fail_first` times, then 200."""

    def __init__(self, fail_first: int, secret: str) -> None:
        self.fail_first, self.secret = fail_first, secret
        self.hits: list[tuple[int, bool, dict]] = []  # (answer, signature valid, body)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                valid = verify(receiver.secret, body, self.headers.get(SIGNATURE_HEADER, ""))
                answer = 500 if len(receiver.hits) < receiver.fail_first else 200
                receiver.hits.append((answer, valid, json.loads(body)))
                self.send_response(answer)
                self.end_headers()

            def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    settings = Settings(data_dir=tmp_path / "var", callback_backoff_s=0.01, callback_attempts=4)
    yield from make_api(settings)


def test_signature_round_trip() -> None:
    header = sign("rahasia", b'{"a":1}', 1_900_000_000)
    assert header.startswith("t=1900000000,v1=") and len(header.split("v1=")[1]) == 64
    assert not verify("rahasia", b'{"a":1}', header)  # far from now: a replay is refused
    import time
    now = sign("rahasia", b'{"a":1}', int(time.time()))
    assert verify("rahasia", b'{"a":1}', now) and not verify("lain", b'{"a":1}', now)
    assert not verify("rahasia", b'{"a":2}', now)


def test_retries_until_accepted_and_records_every_attempt(api: Api) -> None:
    receiver = Receiver(fail_first=2, secret=api.secrets["intake_a"])
    try:
        created = api.submit("intake_a", data={"callback_url": receiver.url}).json()
        dispatcher = Dispatcher(api.stores, api.settings)
        assert dispatcher.run_once() == 1  # received: 2 failures, then accepted
        flag_it(api, created["id"])
        assert dispatcher.run_once() == 2  # processing, flagged
        assert dispatcher.run_once() == 0  # nothing left: the cursor moved
    finally:
        receiver.server.shutdown()
    answers = [(a, v, b["status"]) for a, v, b in receiver.hits]
    assert answers == [(500, True, "received"), (500, True, "received"), (200, True, "received"),
                       (200, True, "processing"), (200, True, "flagged")]
    assert receiver.hits[-1][2]["flag"] == "review"
    assert receiver.hits[-1][2]["application_id"] == created["id"]
    with api.stores.sessions() as session:
        rows = stored_callbacks.attempts(session, created["id"])
    assert [(r.attempt, r.ok, r.http_status) for r in rows] == [
        (1, False, 500), (2, False, 500), (3, True, 200), (1, True, 200), (1, True, 200)]


def test_gives_up_after_the_attempts_and_moves_on(api: Api) -> None:
    receiver = Receiver(fail_first=99, secret=api.secrets["intake_a"])
    try:
        created = api.submit("intake_a", data={"callback_url": receiver.url}).json()
        dispatcher = Dispatcher(api.stores, api.settings)
        assert dispatcher.run_once() == 1
        assert dispatcher.run_once() == 0
    finally:
        receiver.server.shutdown()
    assert len(receiver.hits) == api.settings.callback_attempts
    with api.stores.sessions() as session:
        rows = stored_callbacks.attempts(session, created["id"])
    assert [r.ok for r in rows] == [False] * api.settings.callback_attempts


def test_no_receiver_is_recorded_as_an_error(api: Api) -> None:
    created = api.submit("intake_a", data={"callback_url": "http://127.0.0.1:9/nothing"}).json()
    Dispatcher(api.stores, api.settings).run_once()
    with api.stores.sessions() as session:
        rows = stored_callbacks.attempts(session, created["id"])
    assert len(rows) == api.settings.callback_attempts
    assert all(r.http_status is None and r.error for r in rows)


def test_without_a_url_nothing_is_registered(api: Api) -> None:
    api.submit("intake_a")
    assert Dispatcher(api.stores, api.settings).run_once() == 0
