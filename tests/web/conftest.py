"""The `api` fixture: the intake API on SQLite in this test's folder (see support.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.settings import Settings
from tests.web.support import Api, make_api


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    yield from make_api(Settings(data_dir=tmp_path / "var"))
