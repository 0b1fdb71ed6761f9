"""Ground truth for synthetic documents, in the contract's submission `data` shape.

`make_family` is a KK's data, `make_birth` a Kutipan Akta Kelahiran's. Everything is drawn
from the `random.Random` passed in and from a fixed reference date, never from the clock,
so one seed always gives the same family. Values are the official spellings (enums.json);
the renderers print them as they are and the extractors must read them back.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any, Literal

from samples import ids, people
from samples.family import Household, Person, age_on, between, populate, shape, years
from samples.names import data
from samples.region import Region, birthplace, pick_kecamatan, pick_region

Generation = Literal["blangko", "digital"]

REFERENCE_DATE = date(2025, 6, 30)  # "today" for synthetic data; never the clock
PERIODS: dict[str, tuple[date, date]] = {
    "blangko": (date(2009, 1, 1), date(2020, 6, 30)),  # blue security paper
    "digital": (date(2020, 7, 1), REFERENCE_DATE),  # Permendagri 109/2019 plain paper + QR
}
NO_KK_FROM = date(2005, 1, 1)  # earliest issue date encoded in a synthetic No. KK
AKTA_FROM = date(2016, 1, 1)  # the current kutipan layout
AKTA_CHILD_FROM = date(1995, 1, 1)  # children born since then are picked for an akta first
LU_DAYS = 60  # a birth reported within 60 days is "lahir umum"
NIK_AT_HOME = 0.65  # share of adults whose NIK carries the current kecamatan
BORN_AT_HOME_ADULT = 0.55
BORN_AT_HOME_CHILD = 0.85
RECORDED_SHARE = 0.85  # KAWIN TERCATAT vs KAWIN BELUM TERCATAT on digital prints
LATE_SHARE = 0.2
REISSUE_SHARE = 0.2
NONE = "-"  # empty cell as printed (passport, KITAS/KITAP of a citizen)

_SIAK = {"KAWIN": ("KAWIN TERCATAT", "KAWIN BELUM TERCATAT"),
         "CERAI HIDUP": ("CERAI HIDUP TERCATAT", "CERAI HIDUP BELUM TERCATAT")}


def make_family(rng: random.Random, *, generation: Generation,
                members: int | None = None) -> dict[str, Any]:
    """KK data: header plus one row per member, every key filled.

    For "blangko" the keys golongan_darah and tanggal_perkawinan are absent (the old blank
    has no such columns); on "digital" prints tanggal_perkawinan is present only for
    KAWIN TERCATAT members, since the schema allows no empty date.
    """
    if generation not in PERIODS:
        raise ValueError(f"unknown KK generation {generation!r}")
    home = pick_region(rng)
    as_of = between(rng, *PERIODS[generation])
    house = populate(rng, home, shape(rng, members), as_of)
    _decorate(rng, house)
    recorded = rng.random() < RECORDED_SHARE
    nik_serials: set[str] = set()
    rows = [_row(rng, house, p, generation, recorded, nik_serials) for p in house.people]
    head = house.people[0]
    kk_day = as_of if rng.random() < 0.55 else between(rng, _kk_floor(house), as_of)
    return {
        "nomor_kk": ids.nomor_kk(home.kecamatan_code, kk_day, ids.serial(rng)),
        "nama_kepala_keluarga": head.printed,
        "alamat": _alamat(rng, home),
        "rt": f"{rng.randint(1, 15):03d}",
        "rw": f"{rng.randint(1, 12):03d}",
        "desa_kelurahan": home.desa_kelurahan,
        "kecamatan": home.kecamatan,
        "kabupaten_kota": home.kabupaten_kota,
        "provinsi": home.provinsi,
        "kode_pos": home.kode_pos,
        "tanggal_dikeluarkan": as_of.isoformat(),
        "anggota_keluarga": rows,
    }


def make_birth(rng: random.Random, *, family: dict[str, Any] | None = None,
               child_index: int | None = None) -> dict[str, Any]:
    """Kutipan akta data for a child of `family` (a fresh digital-KK family when None);
    `child_index` names the member row to register (default: a recent child drawn by rng).

    The number's KKKK is the issuing Disdukcapil (the family's kab/kota), its date is the
    registration day: within 60 days of birth for LU, later for LT, never before birth.
    """
    family = family or make_family(rng, generation="digital", members=rng.randint(3, 7))
    rows = family["anggota_keluarga"]
    children = [r for r in rows if r["status_hubungan_dalam_keluarga"] == "ANAK"]
    if not children:
        raise ValueError("the family has no child to register")
    if child_index is not None:
        child = rows[child_index]
    else:
        recent = [c for c in children if c["tanggal_lahir"] >= AKTA_CHILD_FROM.isoformat()]
        child = rng.choice(recent) if recent else children[-1]
    born = date.fromisoformat(child["tanggal_lahir"])
    late, registered = _registration(rng, born)
    issued = registered
    if rng.random() < REISSUE_SHARE:
        issued = between(rng, registered, REFERENCE_DATE)
    return {
        "nomor_akta": ids.nomor_akta(family["nomor_kk"][:4], late, registered, ids.serial(rng)),
        "nik": child["nik"],
        "nama": child["nama_lengkap"],
        "jenis_kelamin": child["jenis_kelamin"],
        "tempat_lahir": child["tempat_lahir"],
        "tanggal_lahir": child["tanggal_lahir"],
        "anak_ke": children.index(child) + 1,
        "nama_ayah": child["nama_ayah"],
        "nama_ibu": child["nama_ibu"],
        "tempat_terbit": family["kabupaten_kota"],
        "tanggal_terbit": issued.isoformat(),
    }


def _registration(rng: random.Random, born: date) -> tuple[bool, date]:
    """(late?, registration day): LU within 60 days of birth, LT after; 2016 layout or later."""
    on_time = born >= AKTA_FROM and rng.random() >= LATE_SHARE
    if on_time or born + timedelta(days=LU_DAYS + 1) > REFERENCE_DATE:
        return False, min(born + timedelta(days=rng.randint(1, LU_DAYS)), REFERENCE_DATE)
    start = max(born + timedelta(days=LU_DAYS + 1), AKTA_FROM)
    return True, between(rng, start, REFERENCE_DATE)


def _kk_floor(house: Household) -> date:
    """Earliest plausible issue date of the No. KK: after the marriage (or adulthood)."""
    head = house.people[0]
    event = house.marriage or head.born + years(17)
    return min(max(event, NO_KK_FROM), house.as_of)


def _decorate(rng: random.Random, house: Household) -> None:
    """Birthplaces for everyone and an occasional title on the head's or wife's printed name."""
    for person in house.people:
        share = BORN_AT_HOME_CHILD if person.role == "ANAK" else BORN_AT_HOME_ADULT
        person.birthplace = birthplace(rng, house.region, local_share=share)
    for person in house.people:
        if person.role in ("KEPALA KELUARGA", "ISTRI"):
            age = age_on(person.born, house.as_of)
            person.printed, person.edu_floor = people.add_title(
                rng, person.plain, person.sex, person.lineage.religion, age, person.born.year)


def _row(rng: random.Random, house: Household, person: Person, generation: str,
         recorded: bool, taken: set[str]) -> dict[str, Any]:
    """One member as the contract's anggota_keluarga item, keys in column order."""
    age = age_on(person.born, house.as_of)
    edu = people.education(rng, age, person.born.year, person.edu_floor)
    job = people.occupation(rng, person.sex, age, edu, wife=person.role == "ISTRI")
    place = person.birthplace or (house.region.kabupaten_code, house.region.kabupaten_kota)
    row: dict[str, Any] = {
        "nama_lengkap": person.printed,
        "nik": _unique_nik(rng, house.region, person, taken),
        "jenis_kelamin": person.sex,
        "tempat_lahir": place[1],
        "tanggal_lahir": person.born.isoformat(),
        "agama": person.lineage.religion,
        "pendidikan": edu,
        "jenis_pekerjaan": job,
    }
    if generation == "digital":
        row["golongan_darah"] = people.blood_type(rng)
    row["status_perkawinan"] = _marital(person.marital, generation, recorded)
    if generation == "digital" and row["status_perkawinan"] == "KAWIN TERCATAT" and house.marriage:
        row["tanggal_perkawinan"] = house.marriage.isoformat()
    row.update({"status_hubungan_dalam_keluarga": person.role, "kewarganegaraan": "WNI",
                "no_paspor": NONE, "no_kitap": NONE, "nama_ayah": person.father,
                "nama_ibu": person.mother})
    return row


def _marital(classic: str, generation: str, recorded: bool) -> str:
    """Classic value on the old blank; SIAK 2019 (TERCATAT / BELUM TERCATAT) on new prints."""
    if generation != "digital" or classic not in _SIAK:
        return classic
    tercatat, belum = _SIAK[classic]
    return tercatat if recorded else belum


def _unique_nik(rng: random.Random, home: Region, person: Person, taken: set[str]) -> str:
    """A NIK from the kecamatan of first registration, unique within the card."""
    kecamatan = home.kecamatan_code
    if person.role != "ANAK" and person.birthplace and rng.random() >= NIK_AT_HOME:
        kecamatan = pick_kecamatan(rng, person.birthplace[0])
    while True:
        nik = ids.nik(kecamatan, person.born, person.sex, ids.serial(rng))
        if nik not in taken:
            taken.add(nik)
            return nik


def _alamat(rng: random.Random, home: Region) -> str:
    """Street address styles seen on KKs: kampung, dusun, jalan, gang, perumahan."""
    words = data()
    number = rng.randint(1, 120)
    styles = [
        f"KP. {rng.choice(words['hamlets'])}",
        f"DUSUN {rng.choice(words['hamlets'])}",
        f"JL. {rng.choice(words['streets'])} NO. {number}",
        f"JL. {rng.choice(words['streets'])} GG. {rng.choice(words['streets'])} NO. {number}",
        f"PERUM {rng.choice(words['housing'])} BLOK {rng.choice('ABCDEFGH')}{rng.randint(1, 20)}"
        f" NO. {number}",
        f"JL. RAYA {home.desa_kelurahan} NO. {number}",
    ]
    return rng.choice(styles)


__all__ = ["REFERENCE_DATE", "make_birth", "make_family"]
