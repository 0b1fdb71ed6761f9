"""Engines, sessions and the schema on SQLite (always) and PostgreSQL (when reachable)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from pipeline.errors import ConfigurationError, ServiceUnavailable
from storage.db import (
    check_connection,
    create_schema,
    make_engine,
    transaction,
)
from storage.tables import Application, Document


def test_sqlite_defaults_wal_foreign_keys_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'p.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    assert (tmp_path / "nested" / "dir" / "p.db").exists()
    engine.dispose()


def test_schema_has_named_constraints_and_indexes(engine):
    inspector = inspect(engine)
    tables = set(inspector.get_table_names())
    assert {"applications", "documents", "reports", "audit_events"} <= tables
    unique = {u["name"] for u in inspector.get_unique_constraints("applications")}
    assert "uq_applications_idempotency_key" in unique
    indexes = {i["name"] for i in inspector.get_indexes("documents")}
    assert {"ix_documents_application_id_position", "ix_documents_sha256"} <= indexes
    fks = {f["name"] for f in inspector.get_foreign_keys("documents")}
    assert "fk_documents_application_id_applications" in fks
    create_schema(engine)  # idempotent


def test_foreign_keys_are_enforced(factory):
    with pytest.raises(IntegrityError), factory() as session, session.begin():
        session.add(Document(application_id="NOPE", position=0, filename="x.jpg",
                             sha256="0" * 64, media_type="image/jpeg", size_bytes=1))


def test_check_constraint_refuses_unknown_status(factory):
    with pytest.raises(IntegrityError), factory() as session, session.begin():
        session.add(Application(document_type="kk", submission={}, status="approved"))


def test_timestamps_come_back_as_aware_utc(factory):
    jakarta = timezone(timedelta(hours=7))
    created = datetime(2026, 1, 2, 10, 30, 15, 123456, tzinfo=jakarta)
    with transaction(factory) as session:
        session.add(Application(id="A1", document_type="kk", submission={"data": {}},
                                created_at=created))
    with factory() as session:
        loaded = session.get(Application, "A1")
        assert loaded.created_at == created
        assert loaded.created_at.tzinfo is not None
        assert loaded.created_at.utcoffset() == timedelta(0)
        assert loaded.created_at.hour == 3


def test_transaction_rolls_back_on_error(factory):
    with pytest.raises(RuntimeError), transaction(factory) as session:
        session.add(Application(id="A2", document_type="kk", submission={}))
        session.flush()
        raise RuntimeError("boom")
    with factory() as session:
        assert session.get(Application, "A2") is None


def test_unreachable_postgres_is_service_unavailable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    engine = make_engine(f"postgresql://postgres@127.0.0.1:{port}/none")
    assert engine.dialect.driver == "psycopg"
    with pytest.raises(ServiceUnavailable):
        check_connection(engine)


def test_unsupported_database_url_is_a_configuration_error():
    with pytest.raises(ConfigurationError):
        make_engine("mysql://root@localhost/periksa")


def test_session_objects_stay_readable_after_commit(factory):
    with transaction(factory) as session:
        application = Application(document_type="kk", submission={"data": {}})
        session.add(application)
    assert application.status == "received"
    assert len(application.id) == 26
    assert application.created_at.tzinfo == UTC
