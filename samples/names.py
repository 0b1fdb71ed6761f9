"""Synthetic Indonesian names by culture, from the word pools in names.yml.

Names vary the way real KKs do (single Javanese names, Sundanese pairs, MUHAMMAD / SITI / NUR
prefixes, Batak marga, Bugis ANDI, Chinese-Indonesian surnames, Balinese birth-order names,
Christian family names) because the comparison rules must be tested on that variety, not on
one tidy pattern. Every name is a random combination; no real person is described.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

_DATA = Path(__file__).with_name("names.yml")  # shipped as package data
MAX_LETTERS = 60  # Permendagri 73/2022: at most 60 letters including spaces
_MODERN_FROM = 2000  # births from this year often carry "modern" Arabic/Indonesian names
_COMMON = {"MUHAMMAD", "M.", "MOH.", "MUH.", "AHMAD", "SITI", "SITTI", "NUR", "NURUL", "I", "NI",
           "ANDI", "LUH", "WAYAN", "PUTU", "GEDE", "MADE", "KADEK", "NENGAH", "NYOMAN", "KOMANG",
           "KETUT", "NENG", "DWI", "TRI", "SRI"}


@cache
def data() -> dict[str, Any]:
    """names.yml, parsed once: pools, culture and province weights, titles, street words."""
    return yaml.safe_load(_DATA.read_text(encoding="utf-8"))


def _culture(name: str) -> dict[str, Any]:
    return data()["cultures"][name]


@dataclass(frozen=True)
class Lineage:
    """What a father passes to his children's names: culture, religion, family name."""

    culture: str
    religion: str
    family: str | None = None
    noble: bool = False


def _weighted(rng: random.Random, table: dict[str, float]) -> str:
    keys = list(table)
    return rng.choices(keys, weights=[float(table[k]) for k in keys])[0]


def pick_culture(rng: random.Random, province_code: str) -> str:
    """A culture weighted by who lives in the province (names.yml culture_by_province)."""
    table = data()["culture_by_province"]
    return _weighted(rng, table.get(province_code, table["default"]))


def make_lineage(rng: random.Random, culture: str, religion: str | None = None) -> Lineage:
    """A lineage: religion drawn from the culture unless given, plus a family name if used."""
    pool = _culture(culture)
    faith = religion or _weighted(rng, pool["religion"])
    family: str | None = None
    if culture == "batak":
        family = rng.choice(pool["family_muslim"] if faith == "ISLAM" else pool["family"])
    elif "family" in pool and rng.random() >= float(pool.get("no_family", 0)):
        family = rng.choice(pool["family"])
    noble = culture == "bugis" and rng.random() < float(pool["noble"])
    return Lineage(culture=culture, religion=faith, family=family, noble=noble)


def spouse_lineage(rng: random.Random, husband: Lineage, province_code: str) -> Lineage:
    """The wife's own lineage: usually the same culture, same religion, her own family name."""
    culture = husband.culture if rng.random() < 0.8 else pick_culture(rng, province_code)
    if husband.religion not in _culture(culture)["religion"]:
        culture = husband.culture
    return make_lineage(rng, culture, husband.religion)


def person_name(rng: random.Random, lineage: Lineage, sex: str, *, born: int,
                order: int = 1) -> str:
    """A full name for one person of a lineage; `order` is the birth order (Balinese names)."""
    for _ in range(20):
        name = " ".join(_tokens(rng, lineage, sex == "PEREMPUAN", born, order))
        if len(name) <= MAX_LETTERS:
            return name
    return name[:MAX_LETTERS].rsplit(" ", 1)[0]


def _tokens(rng: random.Random, lin: Lineage, female: bool, born: int, order: int) -> list[str]:
    """Given names by culture, then the inherited family name where the culture has one."""
    builders = {"balinese": _balinese, "malay": _malay, "bugis": _bugis}
    pool = _given_pool(lin, born, rng)
    builder = builders.get(lin.culture, _plain)
    tokens = builder(rng, pool, female, born, order, lin)
    if lin.family and not (lin.culture == "bugis"):
        tokens.append(lin.family)
    return tokens


def _given_pool(lin: Lineage, born: int, rng: random.Random) -> dict[str, Any]:
    """Muslim Batak and modern Javanese/Sundanese children often carry Malay-Arabic names."""
    if lin.culture == "batak" and lin.religion == "ISLAM":
        return _culture("malay")
    if lin.culture in ("javanese", "sundanese") and born >= _MODERN_FROM and rng.random() < 0.4:
        return _culture("malay")
    return _culture(lin.culture)


def _plain(rng: random.Random, pool: dict[str, Any], female: bool, born: int, order: int,
           lin: Lineage) -> list[str]:
    """Given name plus optional second names; older Javanese often have a single name."""
    key = "female" if female else "male"
    tokens = [rng.choice(pool[key])]
    single_before = pool.get("single_name_before")
    if single_before and born < single_before and rng.random() < 0.45:
        return tokens
    seconds = pool.get(f"{key}_second") or []
    share = 0.45 if lin.family else (0.95 if born >= _MODERN_FROM - 10 else 0.8)
    if seconds and rng.random() < share:
        tokens.append(_other(rng, seconds, tokens))
    if seconds and born >= _MODERN_FROM and not lin.family and rng.random() < 0.35:
        tokens.append(_other(rng, seconds, tokens))
    return tokens


def _malay(rng: random.Random, pool: dict[str, Any], female: bool, born: int, order: int,
           lin: Lineage) -> list[str]:
    """Malay-Muslim names: MUHAMMAD / SITI / NUR prefixes are common, not universal."""
    key = "female" if female else "male"
    tokens = _plain(rng, pool, female, born, order, lin)
    prefixes = pool.get(f"{key}_prefix") or []
    if prefixes and rng.random() < 0.33 and tokens[0] not in prefixes:
        tokens.insert(0, rng.choice(prefixes))
    return tokens


def _bugis(rng: random.Random, pool: dict[str, Any], female: bool, born: int, order: int,
           lin: Lineage) -> list[str]:
    """Bugis names; noble families put ANDI before the given name of every child."""
    tokens = _plain(rng, pool, female, born, order, lin)
    if lin.noble and tokens[0] not in ("MUH.", "MUHAMMAD"):
        tokens.insert(0, "ANDI")
    return tokens


def _balinese(rng: random.Random, pool: dict[str, Any], female: bool, born: int, order: int,
              lin: Lineage) -> list[str]:
    """I/NI + birth-order name (WAYAN, MADE, NYOMAN, KETUT, then again) + given names."""
    key = "female" if female else "male"
    orders = pool[f"order_{key}"]
    tokens = ["NI" if female else "I", rng.choice(orders[(max(order, 1) - 1) % len(orders)])]
    tokens.append(rng.choice(pool[key]))
    if rng.random() < 0.6:
        tokens.append(_other(rng, pool[f"{key}_second"], tokens))
    return tokens


def _other(rng: random.Random, words: list[str], taken: list[str]) -> str:
    """A word not already in the name (no 'LESTARI LESTARI')."""
    choices = [w for w in words if w not in taken] or words
    return rng.choice(choices)


def distinctive(name: str) -> set[str]:
    """Tokens that tell people apart (not MUHAMMAD, SITI, I, NI, birth-order words...)."""
    return {t for t in name.upper().replace(",", " ").split() if t not in _COMMON}


def guess_culture(name: str) -> str:
    """The culture whose pools share most tokens with a name (for look-alike fake names)."""
    tokens = set(name.upper().split())
    best, score = "malay", 0
    for culture, pool in data()["cultures"].items():
        words = {w for v in pool.values() if isinstance(v, list) for w in _flat(v)}
        hits = len(tokens & words)
        if hits > score:
            best, score = culture, hits
    return best


def _flat(values: list[Any]) -> list[str]:
    out: list[str] = []
    for value in values:
        out.extend(_flat(value) if isinstance(value, list) else [str(value)])
    return out


def fresh_name(rng: random.Random, sex: str, like: str, *, born: int = 1990) -> str:
    """Another person's name in the same style as `like` that shares no distinctive token.

    Used for the 'name' contradiction: it must read as a different person, never as an
    abbreviation, title or spelling variant of the true name.
    """
    culture = guess_culture(like)
    keep_family = like.split()[-1] if len(like.split()) > 1 else None
    own = distinctive(like)
    for _ in range(200):
        lineage = make_lineage(rng, culture)
        if keep_family and lineage.family and rng.random() < 0.5:
            lineage = Lineage(culture, lineage.religion, keep_family, lineage.noble)
        name = person_name(rng, lineage, sex, born=born, order=rng.randint(1, 4))
        mine = distinctive(name) - ({keep_family} if keep_family else set())
        if mine and not (mine & own):
            return name
    raise RuntimeError("could not draw a distinct name")
