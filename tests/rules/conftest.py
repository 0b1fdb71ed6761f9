"""Builders for the rules tests: synthetic NIKs, Fields and documents (no OCR, no real people)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from pipeline.records import DocumentType, ExtractedDocument, Field, Submission
from rules.ruleset import Ruleset, load_ruleset

CIKARANG_UTARA = "321609"  # 32.16.09 Kabupaten Bekasi / Cikarang Utara, a current kecamatan


def make_nik(birth: dt.date, sex: str, *, district: str = CIKARANG_UTARA,
             serial: str = "0001") -> str:
    """A synthetic NIK: PP KK CC DDMMYY SSSS with day + 40 for women."""
    day = birth.day + (40 if sex == "PEREMPUAN" else 0)
    return f"{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial}"


def fld(value: Any, confidence: float = 0.97, raw: str | None = None) -> Field:
    return Field(value=value, raw=raw if raw is not None else (None if value is None else str(value)),
                 confidence=confidence, page=1, bbox=(0.0, 0.0, 10.0, 10.0))


def tree(data: Any, confidence: float = 0.97) -> Any:
    """The FieldTree a perfect extractor would return for this submission data."""
    if isinstance(data, dict):
        return {k: tree(v, confidence) for k, v in data.items()}
    if isinstance(data, list):
        return [tree(v, confidence) for v in data]
    return fld(data, confidence)


def doc(fields: dict[str, Any], kind: str = "kk", confidence: float = 0.95) -> ExtractedDocument:
    return ExtractedDocument(file=f"{kind}.png", sha256="0" * 64, document_type=DocumentType(kind),
                             classification_confidence=confidence, fields=fields)


def submission(data: dict[str, Any], kind: str = "kk") -> Submission:
    return Submission(document_type=kind, data=data)


@pytest.fixture(scope="session")
def ruleset() -> Ruleset:
    return load_ruleset()


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """The builders above, for test modules (importlib mode: they cannot import conftest)."""
    return SimpleNamespace(make_nik=make_nik, fld=fld, tree=tree, doc=doc, submission=submission)


@pytest.fixture
def kk_data() -> dict[str, Any]:
    """A synthetic, self-consistent KK submission (NIKs agree with dates and sexes)."""
    return {
        "nomor_kk": "3216091812120003",
        "nama_kepala_keluarga": "AHMAD SUBARJO",
        "alamat": "KP. PASIRGOMBONG",
        "rt": "003",
        "rw": "007",
        "desa_kelurahan": "PASIRGOMBONG",
        "kecamatan": "CIKARANG UTARA",
        "kabupaten_kota": "BEKASI",
        "provinsi": "JAWA BARAT",
        "kode_pos": "17534",
        "tanggal_dikeluarkan": "2012-12-20",
        "anggota_keluarga": [
            {"nama_lengkap": "AHMAD SUBARJO", "nik": make_nik(dt.date(1980, 7, 5), "LAKI-LAKI", serial="0011"),
             "jenis_kelamin": "LAKI-LAKI", "tempat_lahir": "BEKASI", "tanggal_lahir": "1980-07-05",
             "agama": "ISLAM", "status_perkawinan": "KAWIN",
             "status_hubungan_dalam_keluarga": "KEPALA KELUARGA"},
            {"nama_lengkap": "SITI NURHALIZA", "nik": make_nik(dt.date(1985, 3, 12), "PEREMPUAN", serial="0004"),
             "jenis_kelamin": "PEREMPUAN", "tempat_lahir": "KARAWANG", "tanggal_lahir": "1985-03-12",
             "agama": "ISLAM", "status_hubungan_dalam_keluarga": "ISTRI"},
            {"nama_lengkap": "MUHAMMAD RIZKY PRATAMA",
             "nik": make_nik(dt.date(2010, 11, 20), "LAKI-LAKI", serial="0002"),
             "jenis_kelamin": "LAKI-LAKI", "tempat_lahir": "BEKASI", "tanggal_lahir": "2010-11-20",
             "nama_ayah": "AHMAD SUBARJO", "nama_ibu": "SITI NURHALIZA"},
        ],
    }
