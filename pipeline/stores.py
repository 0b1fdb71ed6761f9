"""Open the configured blob store and database once, at the edge, from Settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from pipeline.settings import Settings
from storage.blobs import BlobStore, open_blob_store
from storage.db import create_schema, make_engine, make_session_factory


@dataclass(frozen=True)
class Stores:
    blobs: BlobStore
    sessions: sessionmaker[Session]


def open_stores(settings: Settings) -> Stores:
    """Blob store and database of these settings, schema created on the embedded default."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url())
    create_schema(engine)
    return Stores(
        blobs=open_blob_store(settings.resolved_blob_url(), settings),
        sessions=make_session_factory(engine),
    )
