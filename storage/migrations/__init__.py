"""Schema migrations (Alembic), configured in code: no alembic.ini, no working directory.

`upgrade(engine)` is what `storage.db.create_schema` runs at every start:

- a database at head is left alone (one cheap version read);
- an empty database is brought to head by the revisions in versions/;
- a database made by `create_all` before migrations existed (tables present, no
  alembic_version) gets any missing tables and is stamped at head instead of failing on
  "table already exists";
- on PostgreSQL the whole step runs in one transaction under an advisory lock, so several
  workers starting at once queue behind the first instead of racing to create tables
  (PostgreSQL DDL is transactional: the others then find the database at head). On SQLite
  the transaction starts with BEGIN IMMEDIATE, which serialises writers the same way.

New revisions: `make migration MSG="..."` (python -m storage.migrations revision MSG)
autogenerates against a scratch SQLite database at head; review the file by hand.
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, inspect, text

HERE = Path(__file__).resolve().parent
# Every module that declares tables on storage.tables.Base: the migrations and the
# comparison test must see all of them, whatever the caller happened to import.
MODEL_MODULES = (
    "storage.tables",
    "storage.work",
    "storage.accounts",
    "storage.callbacks",
)
_LOCK_KEY = 0x7065726B_6D696772  # "perkmigr": one advisory lock for schema changes
_VERSION_TABLE = "alembic_version"


def target_metadata() -> MetaData:
    """The models' metadata with every table module imported."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
    from storage.tables import Base

    return Base.metadata


def make_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic Config pointing at this package; `connection` is used as is when given."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(HERE / "versions"))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head() -> str:
    """The newest revision id (the versions folder is read once per process)."""
    found = ScriptDirectory.from_config(make_config()).get_current_head()
    if found is None:
        raise RuntimeError("no migration revisions found")
    return found


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> str:
    """Bring the database to head (see the module docstring); what was done, for logs/tests."""
    with _locked(engine) as connection:
        if current(connection) == head():
            return "at_head"
        tables = set(inspect(connection).get_table_names())
        if _VERSION_TABLE not in tables and tables & set(target_metadata().tables):
            target_metadata().create_all(connection)  # what create_schema used to do
            command.stamp(make_config(connection=connection), "head")
            return "stamped"
        command.upgrade(make_config(connection=connection), "head")
        return "upgraded"


def downgrade(engine: Engine, revision: str = "base") -> None:
    with _locked(engine) as connection:
        command.downgrade(make_config(connection=connection), revision)


def drop_version_table(connection: Connection) -> None:
    connection.execute(text(f"DROP TABLE IF EXISTS {_VERSION_TABLE}"))


class _locked:
    """A connection in one transaction, holding the schema lock until it commits."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __enter__(self) -> Connection:
        from storage.db import WRITE_LOCK

        self.connection = self.engine.connect().execution_options(**{WRITE_LOCK: True})
        self.transaction = self.connection.begin()
        if self.connection.dialect.name == "postgresql":
            self.connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                    {"key": _LOCK_KEY})
        return self.connection

    def __exit__(self, exc_type, exc, tb) -> None:  # type: ignore[no-untyped-def]
        try:
            if exc_type is None:
                self.transaction.commit()
            else:
                self.transaction.rollback()
        finally:
            self.connection.close()
