"""Alembic environment: the models' metadata, and the connection handed over by the caller.

storage.migrations builds the Config in code (no alembic.ini, no working directory needed)
and passes an open connection in `config.attributes["connection"]`, so the caller's lock
and transaction cover the whole upgrade. SQLite gets batch mode (ALTER TABLE there cannot
change or drop most things; batch mode copies the table instead).
"""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from alembic import context

from storage.migrations import target_metadata

config = context.config


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Render the project's column types as plain SQLAlchemy, so a revision never depends
    on today's storage.tables (a later change there must not change an old migration)."""
    from storage.tables import UtcDateTime

    if type_ != "type":
        return False
    if isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    variants = getattr(obj, "_variant_mapping", {})
    if isinstance(obj, sa.JSON) and "postgresql" in variants:
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return "sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')"
    return False


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    batch = config.attributes.get("render_as_batch", connection.dialect.name == "sqlite")
    context.configure(
        connection=connection,
        target_metadata=target_metadata(),
        render_as_batch=batch,
        compare_type=True,
        render_item=render_item,
    )


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from storage.db import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.begin() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; pass a database URL")
run()
