"""Migrations against the models: an empty SQLite and an empty PostgreSQL database upgraded
to head must match the models exactly (alembic's compare_metadata finds nothing), downgrade
to base must leave no table behind, and a database made by create_all before migrations is
stamped rather than failing. Several processes starting on one PostgreSQL at once must not
race (the advisory lock)."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from storage import migrations
from storage.db import create_schema, make_engine
from tests.services import fresh_postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
    else:
        with fresh_postgres_database("periksa_migrate") as url:
            yield url


def _differences(engine: Engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, migrations.target_metadata())


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_upgrade_matches_the_models_and_downgrade_removes_everything(empty_url: str) -> None:
    engine = make_engine(empty_url)
    try:
        # the revisions alone, without create_schema's net for tables no revision creates yet
        assert migrations.upgrade(engine, create_unmigrated=False) == "upgraded"
        assert _differences(engine) == []
        assert _tables(engine) == set(migrations.target_metadata().tables) | {"alembic_version"}
        with engine.connect() as connection:
            assert migrations.current(connection) == migrations.head()
        assert create_schema(engine) == "at_head"  # a second start changes nothing
        migrations.downgrade(engine, "base")
        assert _tables(engine) <= {"alembic_version"}
        assert migrations.upgrade(engine, create_unmigrated=False) == "upgraded"  # and back up
        assert _differences(engine) == []
    finally:
        engine.dispose()


def test_a_database_made_by_create_all_is_stamped_not_recreated(empty_url: str) -> None:
    engine = make_engine(empty_url)
    try:
        metadata = migrations.target_metadata()
        legacy = [t for name, t in metadata.tables.items() if name != "callback_attempts"]
        metadata.create_all(engine, tables=legacy)  # an older create_all: one table missing
        assert create_schema(engine) == "stamped"
        assert "callback_attempts" in _tables(engine)
        assert _differences(engine) == []
        with engine.connect() as connection:
            assert migrations.current(connection) == migrations.head()
    finally:
        engine.dispose()


@pytest.mark.services
def test_workers_starting_together_on_postgres_do_not_race() -> None:
    with fresh_postgres_database("periksa_migrate_race") as url:
        engines = [make_engine(url) for _ in range(4)]
        try:
            with concurrent.futures.ThreadPoolExecutor(len(engines)) as pool:
                outcomes = sorted(pool.map(create_schema, engines))
            assert outcomes == ["at_head"] * 3 + ["upgraded"]
            assert _differences(engines[0]) == []
        finally:
            for engine in engines:
                engine.dispose()


def test_tables_made_by_the_net_before_their_revision_are_kept(tmp_path: Path) -> None:
    """A database at 0001 that got issue 7's tables from create_schema's net (before revision
    0002 existed) upgrades to head without "table already exists"."""
    from alembic import command

    engine = make_engine(f"sqlite:///{tmp_path / 'net.db'}")
    try:
        with engine.begin() as connection:
            command.upgrade(migrations.make_config(connection=connection), "0001")
            migrations.target_metadata().create_all(connection)  # what the net did
        assert create_schema(engine) == "upgraded"
        assert _differences(engine) == []
    finally:
        engine.dispose()
