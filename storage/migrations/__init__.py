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
import logging
import pkgutil
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, inspect, text

log = logging.getLogger("periksa.migrations")
HERE = Path(__file__).resolve().parent
_LOCK_KEY = 0x7065726B_6D696772  # "perkmigr": one advisory lock for schema changes
_VERSION_TABLE = "alembic_version"


@cache
def model_modules() -> tuple[str, ...]:
    """Every module of the storage package: any of them may declare tables on Base, and the
    migrations and the comparison test must see all, whatever the caller imported."""
    import storage

    return tuple(f"storage.{m.name}" for m in pkgutil.iter_modules(storage.__path__)
                 if not m.ispkg and not m.name.startswith("_"))


def target_metadata() -> MetaData:
    """The models' metadata with every table module imported."""
    for name in model_modules():
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


def upgrade(engine: Engine, *, create_unmigrated: bool = True) -> str:
    """Bring the database to head (see the module docstring); what was done, for logs/tests.

    `create_unmigrated`: tables a model declares but no revision creates yet (a model added
    during development, before `make migration`) are created directly, with a warning, so
    the running code is not broken by the gap; the comparison test passes False and fails.
    """
    with _locked(engine) as connection:
        tables = set(inspect(connection).get_table_names())
        if current(connection) == head():
            done = "at_head"
        elif _VERSION_TABLE not in tables and tables & set(target_metadata().tables):
            target_metadata().create_all(connection)  # what create_schema used to do
            command.stamp(make_config(connection=connection), "head")
            return "stamped"
        else:
            command.upgrade(make_config(connection=connection), "head")
            done = "upgraded"
        if create_unmigrated:
            # at head nothing changed since `tables` was read; otherwise read them again
            _create_unmigrated(connection, tables if done == "at_head" else None)
        return done


def _create_unmigrated(connection: Connection, known: set[str] | None) -> None:
    present = known if known is not None else set(inspect(connection).get_table_names())
    metadata = target_metadata()
    missing = [t for name, t in metadata.tables.items() if name not in present]
    if missing:
        log.warning("tables without a migration revision, created directly: %s "
                    "(run make migration)", ", ".join(sorted(t.name for t in missing)))
        metadata.create_all(connection, tables=missing)


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
