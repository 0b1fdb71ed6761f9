"""schemathesis against /openapi.json: generated requests, as intake and as auditor, never a 500.

Hypothesis examples are capped (this runs in the ordinary suite); every answer below 500
must also be JSON in the error shape when it is an error.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given  # noqa: E402
from hypothesis import settings as hsettings  # noqa: E402

from pipeline.settings import Settings  # noqa: E402
from tests.web.support import Api, make_api  # noqa: E402


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    data = tmp_path_factory.mktemp("schema") / "var"
    yield from make_api(Settings(data_dir=data, max_file_bytes=200_000, max_pixels=4_000_000))


def test_no_server_errors(world: Api) -> None:
    """Every operation, 15 generated cases each, as three roles (schemathesis' pytest plugin
    does not run on this pytest, so hypothesis drives the operations' strategies directly)."""
    world.submit("intake_a")  # something to list and read
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.client.app)
    seen = []
    for result in schema.get_all_operations():
        operation = result.ok()
        seen.append(f"{operation.method.upper()} {operation.path}")

        @given(case=operation.as_strategy())
        @hsettings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck),
                   database=None)
        def check(case) -> None:  # type: ignore[no-untyped-def]
            for who in ("intake_a", "auditor", "admin"):
                response = case.call(headers=world.headers[who])
                assert response.status_code < 500, (who, case.method, case.path,
                                                     response.text[:300])
                if response.status_code >= 400 and "json" in str(
                        response.headers.get("content-type")):
                    assert set(response.json()["error"]) == {"code", "message", "details"}

        check()
    assert "POST /v1/applications" in seen and len(seen) >= 7
