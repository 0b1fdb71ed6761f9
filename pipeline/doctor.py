"""`periksa doctor`: check every configured service once and say plainly what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipeline.settings import Settings


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name:<10} {self.detail}"


def diagnose(settings: Settings) -> list[Finding]:
    """One finding per service: database, blob store, broker, OCR engine."""
    checks: list[tuple[str, str, Callable[[Settings], None]]] = [
        ("database", _redact(settings.resolved_database_url()), _database),
        ("blobs", settings.resolved_blob_url(), _blobs),
        ("broker", _redact(settings.broker_url) or "in-process (no workers needed)", _broker),
        ("ocr", f"tesseract lang={settings.ocr_lang}", _ocr),
    ]
    findings = []
    for name, where, check in checks:
        try:
            check(settings)
        except Exception as exc:  # noqa: BLE001 - the doctor reports every failure, raises none
            message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            findings.append(Finding(name, False, f"{where}: {message}"))
        else:
            findings.append(Finding(name, True, where))
    return findings


def _database(settings: Settings) -> None:
    from storage.db import check_connection, make_engine

    engine = make_engine(settings.resolved_database_url())
    try:
        check_connection(engine)
    finally:
        engine.dispose()


def _blobs(settings: Settings) -> None:
    from storage.blobs import open_blob_store

    store = open_blob_store(settings.resolved_blob_url(), settings)  # creates bucket / folder
    store.exists("0" * 64)


def _broker(settings: Settings) -> None:
    if not settings.broker_url:
        return
    from pipeline.broker import make_broker, ping

    broker = make_broker(settings.broker_url, install=False)
    try:
        ping(broker)
    finally:
        broker.close()


def _ocr(settings: Settings) -> None:
    from pipeline.read import ocr_engine

    ocr_engine(settings)  # tesseract and its language pack; the second engine's model files


def _redact(url: str) -> str:
    """The URL without its password: the doctor's output may be pasted into a ticket."""
    if not url:
        return url
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a SQLAlchemy URL (redis://, amqp://)
        head, sep, tail = url.partition("@")
        has_password = sep and ":" in head.split("//")[-1]
        return f"{head.rsplit(':', 1)[0]}:***@{tail}" if has_password else url
