"""Callback delivery: sign, POST, retry with backoff, record every attempt.

A status change is POSTed as JSON with `X-Periksa-Signature: t=<unix>,v1=<hex>`, where hex is
HMAC-SHA256 over f"{t}.{body}" with the intake key's signing secret (the receiver checks it
and refuses an old t, which stops replays). Any answer other than 2xx, or no answer, is
retried after callback_backoff_s, doubling, up to callback_attempts tries; then the change
is given up on (the attempts stay recorded) and the cursor moves on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from pipeline.settings import Settings
from pipeline.stores import Stores
from storage import accounts, callbacks, decisions
from storage.callbacks import Notice
from storage.db import transaction
from storage.tables import Application

log = logging.getLogger("periksa.callbacks")
SIGNATURE_HEADER = "X-Periksa-Signature"
Poster = Callable[[str, bytes, dict[str, str], float], int]


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, body: bytes, header: str, tolerance_s: int = 300) -> bool:
    """What a receiver does: right MAC, and a timestamp no older than the tolerance."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    fresh = abs(time.time() - timestamp) <= tolerance_s
    return fresh and hmac.compare_digest(expected, parts.get("v1", ""))


def post(url: str, body: bytes, headers: dict[str, str], timeout_s: float) -> int:
    """The HTTP status of one POST; raises OSError when nothing answered."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:  # noqa: S310
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


class Dispatcher:
    """Reads pending status changes from the audit chain and delivers them, in order."""

    def __init__(self, stores: Stores, settings: Settings, poster: Poster = post) -> None:
        self.stores, self.settings, self.poster = stores, settings, poster
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="periksa-callbacks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.settings.callback_timeout_s + 1)

    def run_once(self) -> int:
        """Deliver what is pending now; the number of status changes handled."""
        with self.stores.sessions() as session:
            notices = callbacks.pending(session)
        for notice in notices:
            if self._stop.is_set():
                break
            self.deliver(notice)
        return len(notices)

    def deliver(self, notice: Notice) -> bool:
        body, secret = self._body(notice)
        delay = self.settings.callback_backoff_s
        for attempt in range(1, self.settings.callback_attempts + 1):
            ok, status, error = self._attempt(notice, body, secret)
            with transaction(self.stores.sessions) as session:
                callbacks.record_attempt(session, notice, attempt, ok=ok, http_status=status,
                                         error=error)
                if ok or attempt == self.settings.callback_attempts:
                    callbacks.advance(session, notice)
            if ok:
                return True
            if attempt < self.settings.callback_attempts and self._stop.wait(delay):
                return False  # shutting down: the cursor stays, the next start resumes
            delay *= 2
        log.warning("callback for %s gave up after %d attempts", notice.application_id,
                    self.settings.callback_attempts)
        return False

    def _attempt(self, notice: Notice, body: bytes, secret: str) -> tuple[bool, int | None, str | None]:
        headers = {"Content-Type": "application/json",
                   SIGNATURE_HEADER: sign(secret, body, int(time.time()))}
        try:
            status = self.poster(notice.url, body, headers, self.settings.callback_timeout_s)
        except (OSError, ValueError) as exc:
            return False, None, type(exc).__name__
        return 200 <= status < 300, status, None

    def _body(self, notice: Notice) -> tuple[bytes, str]:
        with self.stores.sessions() as session:
            application = session.get(Application, notice.application_id)
            secret = accounts.signing_secret(session, notice.key_id) or ""
            payload = {
                "application_id": notice.application_id, "status": notice.status,
                "flag": application.flag if notice.status == "flagged" else None,
                "reference": application.reference, "event_seq": notice.event_seq,
                "status_url": f"/v1/applications/{notice.application_id}",
            }
            if notice.status == "decided":  # what the applicant is told: decision and codes
                current = decisions.current_decision(session, notice.application_id)
                payload["decision"] = None if current is None else {
                    "decision": current.decision, "reason_codes": list(current.reason_codes)}
        return json.dumps(payload, separators=(",", ":")).encode(), secret

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception as exc:  # noqa: BLE001 - keep delivering after a database blip
                log.warning("callback dispatch failed: %s", type(exc).__name__)
            self._stop.wait(self.settings.callback_poll_s)
