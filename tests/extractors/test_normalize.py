"""extractors.normalize: OCR text -> contract values (pure, no tesseract)."""

from __future__ import annotations

import pytest

from extractors.normalize import clean_name, digits, iso_date, snap


@pytest.mark.parametrize(("text", "expected"), [
    ("17-08-2020", "2020-08-17"),
    ("17/08/2020", "2020-08-17"),
    ("17.08.2020", "2020-08-17"),
    ("O5-O7-198O", "1980-07-05"),  # O read for 0
    ("l2 - 1l - 2O10", "2010-11-12"),
    ("20112010", "2010-11-20"),
])
def test_iso_date_reads_printed_dates_with_ocr_noise(text: str, expected: str) -> None:
    assert iso_date(text) == expected


@pytest.mark.parametrize("text", ["31-02-2000", "", None, "KAWIN", "12-13-2001"])
def test_iso_date_refuses_impossible_or_missing_dates(text: str | None) -> None:
    assert iso_date(text) is None


def test_digits_repairs_lookalike_letters_and_checks_length() -> None:
    assert digits("32l6O9O5O78OOO1I", 16) == "3216090507800011"
    assert digits("3216 0905 0780 0011", 16) == "3216090507800011"
    assert digits("321609050780001", 16) is None  # 15 digits: needs another look
    assert digits("003") == "003"
    assert digits("-") is None


def test_clean_name_keeps_titles_and_drops_ruling_noise() -> None:
    assert clean_name(" |drs. h. ahmad  subarjo,| ") == "DRS. H. AHMAD SUBARJO"
    assert clean_name("ALFATIH SAPUTRA, S.KOM.") == "ALFATIH SAPUTRA, S.KOM."
    assert clean_name("MA'RUF_AMIN") == "MA'RUF AMIN"
    assert clean_name(None) == ""


@pytest.mark.parametrize(("text", "vocabulary", "expected"), [
    ("PELAJAR / MAHASISWA", "jenis_pekerjaan", "PELAJAR/MAHASISWA"),
    ("KATOLIK", "agama", "KATHOLIK"),  # a variant maps to the canonical spelling
    ("KAWIN", "status_perkawinan", "KAWIN"),  # the classic value stays classic
    ("KAWIN TERCATAT", "status_perkawinan", "KAWIN TERCATAT"),
    ("0", "golongan_darah", "O"),
    ("LAKI-LAKI", "jenis_kelamin", "LAKI-LAKI"),
])
def test_snap_exact_values(text: str, vocabulary: str, expected: str) -> None:
    assert snap(text, vocabulary) == (expected, 100.0)


def test_snap_near_value_scores_below_100_and_cutoff_refuses() -> None:
    value, score = snap("PETANl/PEKEBUN", "jenis_pekerjaan")
    assert value == "PETANI/PEKEBUN" and 85 <= score < 100
    assert snap("ZZZZZZZZ", "agama", cutoff=60)[0] is None
