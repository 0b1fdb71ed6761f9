"""Synthetic truth is valid contract data and internally plausible, like a real card."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from functools import cache

import jsonschema
import lokal
import pytest
from lokal import wilayah

from pipeline.contract import enums, load, vocabulary
from samples.region import short_kabkota
from samples.submissions import strip_title
from samples.truth import REFERENCE_DATE, make_birth, make_family

SEEDS = range(40)


@cache
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load("submission.schema.json"))


def family(seed: int) -> tuple[str, dict]:
    generation = ("blangko", "digital")[seed % 2]
    return generation, make_family(random.Random(seed), generation=generation)


@cache
def kabkota_names() -> set[str]:
    provinces = wilayah.list_wilayah()
    return {short_kabkota(k.name) for p in provinces for k in wilayah.list_wilayah(p.code)}


def years_between(earlier: str, later: str) -> float:
    return (date.fromisoformat(later) - date.fromisoformat(earlier)).days / 365.25


@pytest.mark.parametrize("seed", SEEDS)
def test_family_validates_against_the_contract(seed: int) -> None:
    _, data = family(seed)
    errors = list(validator().iter_errors({"document_type": "kk", "data": data}))
    assert errors == []


@pytest.mark.parametrize("seed", SEEDS)
def test_every_nik_encodes_birth_date_sex_and_a_real_kecamatan(seed: int) -> None:
    _, data = family(seed)
    niks = [m["nik"] for m in data["anggota_keluarga"]]
    assert len(set(niks)) == len(niks)
    for member in data["anggota_keluarga"]:
        info = lokal.parse_nik(member["nik"], lookup_wilayah=wilayah.wilayah_name,
                               reference_date=REFERENCE_DATE)
        assert info.valid and not info.warnings, info
        assert info.birth_date == member["tanggal_lahir"]
        assert info.gender == ("L" if member["jenis_kelamin"] == "LAKI-LAKI" else "P")
        assert info.district and info.serial != "0000"


@pytest.mark.parametrize("seed", SEEDS)
def test_header_is_a_real_region_chain_with_its_kode_pos(seed: int) -> None:
    _, data = family(seed)
    kk = data["nomor_kk"]
    kec_code = f"{kk[:2]}.{kk[2:4]}.{kk[4:6]}"
    assert wilayah.wilayah_name(kec_code).upper() == data["kecamatan"]
    assert short_kabkota(wilayah.wilayah_name(kec_code[:5])) == data["kabupaten_kota"]
    assert wilayah.wilayah_name(kk[:2]).upper() == data["provinsi"]
    desa = [d for d in wilayah.list_wilayah(kec_code) if d.name.upper() == data["desa_kelurahan"]]
    assert desa and data["kode_pos"] in {d.postal_code for d in desa}
    issued = date(2000 + int(kk[10:12]), int(kk[8:10]), int(kk[6:8]))
    assert issued <= date.fromisoformat(data["tanggal_dikeluarkan"]) <= REFERENCE_DATE
    assert re.fullmatch(r"\d{3}", data["rt"]) and re.fullmatch(r"\d{3}", data["rw"])


@pytest.mark.parametrize("seed", SEEDS)
def test_values_come_from_the_official_lists(seed: int) -> None:
    generation, data = family(seed)
    marital = (vocabulary("status_perkawinan") if generation == "digital"
               else [v["value"] for v in enums()["status_perkawinan"]["classic"]])
    for m in data["anggota_keluarga"]:
        assert m["agama"] in vocabulary("agama")
        assert m["pendidikan"] in vocabulary("pendidikan_kk")
        assert m["jenis_pekerjaan"] in vocabulary("jenis_pekerjaan")
        assert m["status_hubungan_dalam_keluarga"] in vocabulary("status_hubungan_dalam_keluarga")
        assert m["kewarganegaraan"] in vocabulary("kewarganegaraan")
        assert m["status_perkawinan"] in marital
        assert m["tempat_lahir"] in kabkota_names()
        assert m["nama_lengkap"] == m["nama_lengkap"].upper() and len(m["nama_lengkap"]) <= 60
        if generation == "digital":
            assert m["golongan_darah"] in vocabulary("golongan_darah")
            assert ("tanggal_perkawinan" in m) == (m["status_perkawinan"] == "KAWIN TERCATAT")
        else:
            assert "golongan_darah" not in m and "tanggal_perkawinan" not in m


@pytest.mark.parametrize("seed", SEEDS)
def test_family_timeline_is_plausible(seed: int) -> None:
    _, data = family(seed)
    rows = data["anggota_keluarga"]
    roles = [m["status_hubungan_dalam_keluarga"] for m in rows]
    assert roles[0] == "KEPALA KELUARGA" and roles.count("KEPALA KELUARGA") == 1
    assert data["nama_kepala_keluarga"] == rows[0]["nama_lengkap"]
    couple = ("KEPALA KELUARGA", "ISTRI")
    parents = [m for m in rows if m["status_hubungan_dalam_keluarga"] in couple]
    for m in rows:
        assert m["tanggal_lahir"] <= data["tanggal_dikeluarkan"]
        if "tanggal_perkawinan" in m:
            assert m["tanggal_lahir"] < m["tanggal_perkawinan"] <= data["tanggal_dikeluarkan"]
    for child in (m for m in rows if m["status_hubungan_dalam_keluarga"] == "ANAK"):
        for parent in parents:
            assert years_between(parent["tanggal_lahir"], child["tanggal_lahir"]) >= 18
            if "tanggal_perkawinan" in parent:
                assert parent["tanggal_perkawinan"] < child["tanggal_lahir"]
        names = {strip_title(p["nama_lengkap"]) for p in parents}
        assert child["nama_ayah"] in names or child["nama_ibu"] in names
        assert "," not in child["nama_ayah"] + child["nama_ibu"]


def test_children_name_the_couple_as_parents() -> None:
    checked = 0
    for seed in range(60):
        rows = make_family(random.Random(seed), generation="digital", members=4)["anggota_keluarga"]
        head, wife, *children = rows
        for child in children:
            assert child["nama_ayah"] == strip_title(head["nama_lengkap"])
            assert child["nama_ibu"] == strip_title(wife["nama_lengkap"])
            checked += 1
    assert checked == 120


@pytest.mark.parametrize("members", range(1, 13))
def test_members_fixes_the_number_of_rows(members: int) -> None:
    data = make_family(random.Random(members), generation="digital", members=members)
    assert len(data["anggota_keluarga"]) == members
    assert list(validator().iter_errors({"document_type": "kk", "data": data})) == []


def test_impossible_requests_are_refused() -> None:
    with pytest.raises(ValueError):
        make_family(random.Random(0), generation="digital", members=13)
    with pytest.raises(ValueError):
        make_family(random.Random(0), generation="ktp")  # type: ignore[arg-type]


def test_names_and_titles_vary_like_real_cards() -> None:
    heads, everyone = [], []
    for seed in range(300):
        rows = make_family(random.Random(seed), generation="digital")["anggota_keluarga"]
        heads.append(rows[0])
        everyone += [m["nama_lengkap"] for m in rows]
    titled = [h for h in heads if strip_title(h["nama_lengkap"]) != h["nama_lengkap"]]
    assert 0.03 < len(titled) / len(heads) < 0.25
    text = " | ".join(everyone)
    styles = ("MUHAMMAD ", "SITI ", "NUR", "ANDI ", "I WAYAN ", "NI ", "ASEP ", "EUIS ", "DA ")
    assert sum(style in text for style in styles) >= 7
    marga = ("SIMANJUNTAK", "SIREGAR", "SITUMORANG", "NASUTION", "LUBIS", "HUTAGALUNG")
    assert any(m in text for m in marga)
    assert len(set(everyone)) > 0.8 * len(everyone)
    assert {"ISLAM", "KRISTEN", "KATHOLIK", "HINDU", "BUDHA"} <= {h["agama"] for h in heads}


@pytest.mark.parametrize("seed", SEEDS)
def test_birth_validates_and_numbers_are_consistent(seed: int) -> None:
    data = make_birth(random.Random(seed))
    assert list(validator().iter_errors({"document_type": "akta_kelahiran", "data": data})) == []
    pattern = enums()["akta_kelahiran_number"]["pattern"]
    match = re.fullmatch(pattern, data["nomor_akta"])
    assert match, data["nomor_akta"]
    office, kind, dd, mm, yyyy, _ = match.groups()
    registered = date(int(yyyy), int(mm), int(dd))
    born = date.fromisoformat(data["tanggal_lahir"])
    issuer = wilayah.wilayah_name(f"{office[:2]}.{office[2:]}")
    assert short_kabkota(issuer) == data["tempat_terbit"]
    assert born <= registered <= date.fromisoformat(data["tanggal_terbit"]) <= REFERENCE_DATE
    assert (registered - born <= timedelta(days=60)) == (kind == "LU")
    info = lokal.parse_nik(data["nik"], lookup_wilayah=wilayah.wilayah_name,
                           reference_date=REFERENCE_DATE)
    assert info.valid and info.birth_date == data["tanggal_lahir"]
    assert isinstance(data["anak_ke"], int) and data["anak_ke"] >= 1
    assert data["nama"] == data["nama"].upper() and "," not in data["nama"]


def test_birth_of_a_given_family_uses_its_child_and_office() -> None:
    fam = make_family(random.Random(7), generation="digital", members=5)
    data = make_birth(random.Random(8), family=fam)
    children = [m for m in fam["anggota_keluarga"] if m["status_hubungan_dalam_keluarga"] == "ANAK"]
    child = children[data["anak_ke"] - 1]
    assert (child["nik"], child["nama_lengkap"], child["tanggal_lahir"]) == (
        data["nik"], data["nama"], data["tanggal_lahir"])
    assert data["nama_ayah"] == strip_title(fam["anggota_keluarga"][0]["nama_lengkap"])
    assert data["nomor_akta"][:4] == fam["nomor_kk"][:4]
    with pytest.raises(ValueError):
        make_birth(random.Random(1), family=make_family(random.Random(1), generation="digital",
                                                        members=2))


def test_same_seed_same_truth_other_seed_other_truth() -> None:
    assert make_family(random.Random(5), generation="blangko") == make_family(
        random.Random(5), generation="blangko")
    assert make_birth(random.Random(5)) == make_birth(random.Random(5))
    assert make_family(random.Random(5), generation="digital") != make_family(
        random.Random(6), generation="digital")
