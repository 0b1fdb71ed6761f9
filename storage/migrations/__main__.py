"""`python -m storage.migrations revision MESSAGE` autogenerates a revision (make migration).

The comparison runs against a scratch SQLite database brought to head first, so no server
is needed; the rendered operations come from the models, not from that database. Review
every generated file by hand: autogenerate misses renames and server-side defaults.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from storage.db import make_engine
from storage.migrations import HERE, make_config, upgrade


def next_revision_id() -> str:
    """0001, 0002, ...: numbered revisions read in order in the versions folder."""
    numbers = [int(p.name[:4]) for p in (HERE / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")]
    return f"{max(numbers, default=0) + 1:04d}"


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "revision" or not argv[1].strip():
        print('usage: python -m storage.migrations revision "MESSAGE"', file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'head.db'}")
        try:
            upgrade(engine, create_unmigrated=False)  # the scratch DB must lack new tables
            with engine.begin() as connection:
                config = make_config(connection=connection)
                config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
                command.revision(config, message=argv[1], autogenerate=True,
                                 rev_id=next_revision_id())
        finally:
            engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
