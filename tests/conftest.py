"""Fixtures shared by the whole suite: settings in a temporary data folder, generated samples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.settings import Settings

os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The embedded default (SQLite + local blobs) inside this test's own folder."""
    return Settings(data_dir=tmp_path / "var")


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A small synthetic set: KK and akta, clean and scanned, truthful and contradicting.

    Seed 11 differs from the committed set's seed and from the benchmark's, so the suite does
    not test on the data thresholds were tuned on.
    """
    from samples.generate import generate

    out = tmp_path_factory.mktemp("generated")
    return generate(out, count=16, seed=11, tiers=("clean", "scan"))
