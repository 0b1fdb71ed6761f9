"""The contract's data files, shipped inside the package so an installed periksa is whole.

`submission.schema.json` and `result.schema.json` are copies of shared/contract/;
`enums.json` is a copy of shared/domain/enums.json (official value lists). A test keeps
the copies equal to shared/ when it is present.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> dict[str, Any]:
    """One of the contract's JSON files by name, parsed once per process."""
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))


def enums() -> dict[str, Any]:
    return load("enums.json")


def vocabulary(name: str) -> list[str]:
    """Canonical values of one official list in enums.json (e.g. 'agama', 'jenis_pekerjaan')."""
    entry = enums()[name]
    values = entry.get("values") or entry.get("siak_2019") or entry.get("classic") or []
    return [v["value"] for v in values]
