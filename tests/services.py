"""Real services for tests: a fresh PostgreSQL database, moto's S3 server on loopback.

Service helpers ping first: a missing service skips its tests on a laptop and fails them
when CI=true (a CI run must never pass by skipping its services).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_ADMIN_URL = os.environ.get(
    "PERIKSA_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def service_missing(what: str) -> None:
    """Skip on a laptop, fail in CI."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is required when CI=true")
    pytest.skip(f"{what} not reachable")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def fresh_postgres_database(prefix: str) -> Iterator[str]:
    """The URL of a new, empty database on the test server; dropped afterwards."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 3})
    name = f"{prefix}_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure here means "no server"
        admin.dispose()
        service_missing(f"PostgreSQL at {PG_ADMIN_URL} ({type(exc).__name__})")
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def moto_s3_endpoint() -> Iterator[str]:
    """host:port of moto's S3 server on loopback, for the minio client."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop()
