"""Official value lists (enums.json) as canonical forms, for comparing vocabulary fields.

A card prints SIAK spellings (KATHOLIK, BUDHA), an applicant types others (KATOLIK, BUDDHA);
both name the same value. Status perkawinan has two codings: SIAK 2019's six values
(KAWIN TERCATAT ...) and the classic four (KAWIN ...); a SIAK value equals its classic value
when the other side only has the classic one, but two different SIAK values stay different.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from rules.ruleset import vocabulary_entry

_ANNOTATION = re.compile(r"\s*\([a-z][^)]*\)")  # "IBU RUMAH TANGGA (not official)": a note


@dataclass(frozen=True)
class Canonical:
    """An official value; ``specific`` is the SIAK 2019 value when it refines a classic one."""

    value: str
    classic: str
    specific: bool


def normalise(text: str) -> str:
    """Uppercase, collapsed spaces, no spaces around '/' (enums.json's matching rule)."""
    text = _ANNOTATION.sub("", str(text))
    text = " ".join(text.upper().split())
    return re.sub(r"\s*/\s*", "/", text)


def canonical(list_name: str, value: str,
              extra: tuple[tuple[str, str], ...] = ()) -> Canonical | None:
    """The official value ``value`` names in the list, or None when it is not on the list."""
    index = _index(list_name)
    key = normalise(value)
    key = dict(extra).get(key, key)
    return index.get(key)


@cache
def _index(list_name: str) -> dict[str, Canonical]:
    entry = vocabulary_entry(list_name)
    index: dict[str, Canonical] = {}
    if isinstance(entry, list):
        _add_all(index, entry, specific_source=False)
    elif isinstance(entry, dict):
        _add_all(index, entry.get("values") or entry.get("classic") or [], specific_source=False)
        _add_all(index, entry.get("siak_2019") or [], specific_source=True)
    return index


def _add_all(index: dict[str, Canonical], items: list[Any], *, specific_source: bool) -> None:
    for item in items:
        if isinstance(item, str):
            item = {"value": item}
        value = normalise(item["value"])
        classic = normalise(item.get("classic") or item["value"])
        found = Canonical(value, classic, specific_source and value != classic)
        spellings = [item["value"], item.get("opensid"), *item.get("variants", [])]
        for spelling in filter(None, spellings):
            index.setdefault(normalise(spelling), found)


def same(a: Canonical, b: Canonical) -> bool:
    """Equal values, or one side only classic and the classic values equal."""
    if a.value == b.value:
        return True
    return a.classic == b.classic and not (a.specific and b.specific)
