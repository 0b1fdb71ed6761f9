"""NIK, No. KK and akta numbers built the way Dukcapil builds them.

NIK = kecamatan code (6) + DDMMYY of birth, day + 40 for women + serial 0001-9999;
No. KK = kecamatan code (6) + DDMMYY of issue + serial; akta = KKKK-LU|LT-DDMMYYYY-NNNN.
The rules check exactly these structures, so the generator must get them right.
"""

from __future__ import annotations

import random
from datetime import date

from samples.region import digits

FEMALE_DAY_OFFSET = 40
_SERIAL_BANDS = ((0.70, 1, 60), (0.95, 61, 999), (1.0, 1000, 9999))  # (cumulative, lo, hi)


def serial(rng: random.Random) -> int:
    """A serial 1..9999, mostly small: few people share a birth date in one kecamatan."""
    roll = rng.random()
    for cumulative, low, high in _SERIAL_BANDS:
        if roll < cumulative:
            return rng.randint(low, high)
    return rng.randint(1, 9999)


def nik(kecamatan_code: str, born: date, sex: str, number: int) -> str:
    """16-digit NIK for a person first registered in `kecamatan_code` (dotted or not)."""
    day = born.day + (FEMALE_DAY_OFFSET if sex == "PEREMPUAN" else 0)
    return f"{_kec(kecamatan_code)}{day:02d}{born.month:02d}{born.year % 100:02d}{number:04d}"


def nomor_kk(kecamatan_code: str, issued: date, number: int) -> str:
    """16-digit No. KK: the issue date is encoded without the +40 rule."""
    return f"{_kec(kecamatan_code)}{issued:%d%m%y}{number:04d}"


def nomor_akta(kabupaten_code: str, late: bool, registered: date, number: int) -> str:
    """`KKKK-LU-DDMMYYYY-NNNN` (LT when the birth was reported late)."""
    kind = "LT" if late else "LU"
    return f"{digits(kabupaten_code)}-{kind}-{registered:%d%m%Y}-{number:04d}"


def _kec(code: str) -> str:
    plain = digits(code)
    if len(plain) != 6 or not plain.isdigit():
        raise ValueError("a kecamatan code has 6 digits")
    return plain
