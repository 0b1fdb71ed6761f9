"""Per-person attributes for synthetic KK rows: education, occupation, blood type, titles.

Values come from the official lists in enums.json and are drawn with age-aware weights so
a card reads like a real one (a toddler is never a PNS, a grandmother rarely has an S2).
"""

from __future__ import annotations

import random

from samples.names import data

NONE_EDU = "TIDAK/BELUM SEKOLAH"
NO_JOB = "BELUM/TIDAK BEKERJA"
STUDENT = "PELAJAR/MAHASISWA"
HOUSEWIFE = "MENGURUS RUMAH TANGGA"
RETIRED = "PENSIUNAN"

_CHILD_EDU = ((5, NONE_EDU), (12, "BELUM TAMAT SD/SEDERAJAT"), (15, "TAMAT SD/SEDERAJAT"),
              (18, "SLTP/SEDERAJAT"))  # (max age, education)
_ADULT_EDU_OLD = {"TIDAK/BELUM SEKOLAH": 8, "BELUM TAMAT SD/SEDERAJAT": 15,
                  "TAMAT SD/SEDERAJAT": 38, "SLTP/SEDERAJAT": 15, "SLTA/SEDERAJAT": 16,
                  "DIPLOMA I/II": 2, "AKADEMI/DIPLOMA III/S. MUDA": 2, "DIPLOMA IV/STRATA I": 4}
_ADULT_EDU_NEW = {"BELUM TAMAT SD/SEDERAJAT": 3, "TAMAT SD/SEDERAJAT": 18, "SLTP/SEDERAJAT": 20,
                  "SLTA/SEDERAJAT": 38, "DIPLOMA I/II": 3, "AKADEMI/DIPLOMA III/S. MUDA": 5,
                  "DIPLOMA IV/STRATA I": 11, "STRATA II": 1.5, "STRATA III": 0.5}
_OLD_BORN_BEFORE = 1970
_HIGHER = {"AKADEMI/DIPLOMA III/S. MUDA", "DIPLOMA IV/STRATA I", "STRATA II", "STRATA III"}
_JOBS_BASIC = {"PETANI/PEKEBUN": 14, "BURUH HARIAN LEPAS": 14, "WIRASWASTA": 18,
               "KARYAWAN SWASTA": 16, "PEDAGANG": 6, "PERDAGANGAN": 3, "SOPIR": 4,
               "NELAYAN/PERIKANAN": 3, "BURUH TANI/PERKEBUNAN": 5, "TUKANG BATU": 3,
               "TUKANG KAYU": 2, "KARYAWAN HONORER": 3, "MEKANIK": 2, "TUKANG JAHIT": 1,
               "TRANSPORTASI": 1, "PETERNAK": 1}
_JOBS_HIGHER = {"PEGAWAI NEGERI SIPIL (PNS)": 18, "GURU": 14, "KARYAWAN SWASTA": 22,
                "KARYAWAN BUMN": 6, "WIRASWASTA": 14, "PERAWAT": 4, "BIDAN": 3, "DOSEN": 2,
                "DOKTER": 2, "TENTARA NASIONAL INDONESIA (TNI)": 3, "KEPOLISIAN RI (POLRI)": 3,
                "PERANGKAT DESA": 2, "AKUNTAN": 1}
_WOMEN_ONLY = {"BIDAN"}
_FEMALE_RARE = {"SOPIR", "TUKANG BATU", "TUKANG KAYU", "NELAYAN/PERIKANAN", "MEKANIK",
                "TENTARA NASIONAL INDONESIA (TNI)", "TRANSPORTASI"}
_BLOOD = {"TIDAK TAHU": 55, "O": 14, "A": 10, "B": 12, "AB": 4, "O+": 2, "A+": 1, "B+": 1,
          "AB+": 0.5, "O-": 0.3, "A-": 0.1, "B-": 0.1}
_HOUSEWIFE_SHARE = 0.55
_RETIRE_AGE = 58
_TITLE_MIN_AGE = 25
_HAJI_MIN_AGE = 35
_OLD_TITLE_BORN_BEFORE = 1975


def _weighted(rng: random.Random, table: dict[str, float]) -> str:
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def education(rng: random.Random, age: int, born_year: int, floor: str | None = None) -> str:
    """Pendidikan (pendidikan_kk list); children by age, adults by generation."""
    if floor:
        return floor
    for max_age, value in _CHILD_EDU:
        if age <= max_age:
            return value
    table = _ADULT_EDU_OLD if born_year < _OLD_BORN_BEFORE else _ADULT_EDU_NEW
    value = _weighted(rng, table)
    if age < 22 and value in _HIGHER:  # too young to have finished a degree
        return "SLTA/SEDERAJAT"
    return value


def occupation(rng: random.Random, sex: str, age: int, edu: str, *, wife: bool = False) -> str:
    """Jenis pekerjaan consistent with age, sex and education."""
    if age < 5:
        return NO_JOB
    if age <= 18 or (age <= 22 and rng.random() < 0.6):
        return STUDENT
    if wife and rng.random() < _HOUSEWIFE_SHARE:
        return HOUSEWIFE
    table = dict(_JOBS_HIGHER if edu in _HIGHER else _JOBS_BASIC)
    if sex == "LAKI-LAKI":
        table = {k: v for k, v in table.items() if k not in _WOMEN_ONLY}
    else:
        table = {k: v / 10 if k in _FEMALE_RARE else v for k, v in table.items()}
    job = _weighted(rng, table)
    if age >= _RETIRE_AGE and (edu in _HIGHER or rng.random() < 0.3):
        return RETIRED
    return job


def blood_type(rng: random.Random) -> str:
    """Golongan darah as printed on new KKs; most people's is recorded as TIDAK TAHU."""
    return _weighted(rng, _BLOOD)


def add_title(rng: random.Random, name: str, sex: str, religion: str, age: int,
              born_year: int) -> tuple[str, str | None]:
    """(name as printed on the KK, education the title implies or None).

    Titles appear on KK and KTP-el but never on akta (Permendagri 73/2022), so only the
    KK's nama_lengkap carries them; children's nama_ayah/nama_ibu stay plain.
    """
    spec = data()["titles"]
    if age < _TITLE_MIN_AGE or rng.random() >= float(spec["probability"]):
        return name, None
    roll = rng.random()
    if religion == "ISLAM" and age >= _HAJI_MIN_AGE and roll < 0.4:
        key = "prefix_muslim_female" if sex == "PEREMPUAN" else "prefix_muslim_male"
        return f"{rng.choice(spec[key])} {name}", None
    if born_year < _OLD_TITLE_BORN_BEFORE and roll < 0.55:
        prefix = rng.choice(sorted(spec["prefix_any"]))
        implied = spec["prefix_any"][prefix]
        if prefix == "DRS." and sex == "PEREMPUAN":
            prefix = "DRA."
        return f"{prefix} {name}", implied
    suffix = rng.choice(sorted(spec["suffix"]))
    return f"{name}, {suffix}", spec["suffix"][suffix]
