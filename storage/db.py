"""Engine and sessions from a SQLAlchemy URL: SQLite in data_dir by default, PostgreSQL by URL.

SQLite runs in WAL mode with foreign keys on. Units of work opened with `transaction()`
start with `BEGIN IMMEDIATE`: writers queue on the database write lock (busy timeout)
instead of failing half-way with "database is locked", and the audit chain is read and
extended under that lock. Plain sessions start deferred, so readers never wait for writers
(nor for each other: two sessions in one thread cannot deadlock). A deferred session that
writes is still safe: SQLite refuses to write from a stale snapshot, it just may fail
under contention instead of waiting.
PostgreSQL must stay at READ COMMITTED (its default): the audit chain relies on each
statement seeing rows committed before its advisory lock was granted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from pipeline.errors import ConfigurationError, ServiceUnavailable


_SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_LOCK = "periksa_write_lock"  # connection execution option read by _sqlite_on_begin
_PG_CONNECT_TIMEOUT_S = 5


def make_engine(url: str) -> Engine:
    """An engine for `url`: sqlite:///path or postgresql+psycopg://user@host/db."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    if parsed.get_backend_name() == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        connect_args = {"connect_timeout": _PG_CONNECT_TIMEOUT_S}
        return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
    raise ConfigurationError(f"unsupported database URL backend: {parsed.get_backend_name()}")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (handy for returning them)."""
    return sessionmaker(engine, expire_on_commit=False)


def create_schema(engine: Engine) -> str:
    """Bring the database to the newest migration (storage/migrations; locked, idempotent).

    Returns what was done: "at_head", "upgraded", or "stamped" for a database made by
    create_all before migrations existed.
    """
    from storage.migrations import upgrade

    with _translate():
        return upgrade(engine)


def drop_schema(engine: Engine) -> None:
    """Drop every table and the migration version (tests start again from an empty database)."""
    from storage.migrations import drop_version_table, target_metadata

    with _translate():
        target_metadata().drop_all(engine)
        with engine.begin() as connection:
            drop_version_table(connection)


def check_connection(engine: Engine) -> None:
    """Round-trip once; raise ServiceUnavailable when the database cannot be reached."""
    with _translate(), engine.connect() as connection:
        connection.execute(text("SELECT 1"))


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One writing unit of work: commit on success, roll back on any error, outages as 503.

    On SQLite it holds the write lock from its first statement (see the module docstring).
    """
    with _translate(), factory() as session, session.begin():
        session.connection(execution_options={WRITE_LOCK: True})
        yield session


@contextmanager
def _translate() -> Iterator[None]:
    try:
        yield
    except (OperationalError, InterfaceError) as exc:
        raise ServiceUnavailable("database unavailable or busy") from exc


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": _SQLITE_BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy so that _sqlite_on_begin decides how BEGIN reads.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get(WRITE_LOCK, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
