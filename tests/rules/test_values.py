"""Per-kind value comparison: IDs, dates, integers, vocabulary, free text."""

from __future__ import annotations

import pytest

from pipeline.records import Outcome
from rules.values import compare_value, confusable

HIGH, LOW = 0.97, 0.60  # around confusable_trusted_from (0.90); both above unreadable_below


@pytest.mark.parametrize(
    ("kind", "key", "submitted", "extracted", "confidence", "outcome"),
    [
        ("id", "nik", "3216095203850004", "3216095203850004", HIGH, Outcome.MATCH),
        ("id", "nomor_akta", "3320-LT-02092023-0041", "3320LT020920230041", HIGH, Outcome.MATCH),
        ("id", "nomor_akta", "3320-LT-02092023-0041", "3320.LT.02092023.0041", HIGH, Outcome.MATCH),
        ("id", "kode_wilayah", "3216092001", "32.16.09.2001", HIGH, Outcome.MATCH),
        # one OCR-confusable character (0 read as 8): unsure reading -> near, sure -> mismatch
        ("id", "nik", "3216095203850004", "3216095203858004", LOW, Outcome.NEAR),
        ("id", "nik", "3216095203850004", "3216095203858004", HIGH, Outcome.MISMATCH),
        ("id", "nik", "3216095203810004", "3216095203870004", LOW, Outcome.NEAR),  # 1 / 7
        ("id", "nik", "3216095203850004", "32160952038S0004", LOW, Outcome.NEAR),  # 5 / S
        # not a confusable pair, or two characters: a different number however unsure
        ("id", "nik", "3216095203850004", "3216095203850005", LOW, Outcome.MISMATCH),
        ("id", "nik", "3216095203850004", "3216095203858008", LOW, Outcome.MISMATCH),
        ("id", "kode_pos", "17534", "17530", HIGH, Outcome.MISMATCH),
        ("date", "tanggal_lahir", "2020-08-17", "2020-08-17", HIGH, Outcome.MATCH),
        ("date", "tanggal_lahir", "2020-08-17", "17-08-2020", HIGH, Outcome.MATCH),
        ("date", "tanggal_lahir", "2020-08-17", "17/08/2020", HIGH, Outcome.MATCH),
        ("date", "tanggal_lahir", "2020-08-17", "2020-08-11", LOW, Outcome.NEAR),
        ("date", "tanggal_lahir", "2020-08-17", "2020-08-11", HIGH, Outcome.MISMATCH),
        ("date", "tanggal_lahir", "2020-08-17", "2020-09-17", LOW, Outcome.MISMATCH),
        ("date", "tanggal_lahir", "2020-08-17", "17 AGUSTUS", HIGH, Outcome.UNREADABLE),
        ("integer", "rt", "001", "1", HIGH, Outcome.MATCH),
        ("integer", "rw", "7", "007", HIGH, Outcome.MATCH),
        ("integer", "rt", "003", "004", HIGH, Outcome.MISMATCH),
        ("integer", "anak_ke", 2, 2, HIGH, Outcome.MATCH),
        ("integer", "anak_ke", 2, "2", HIGH, Outcome.MATCH),
        ("integer", "anak_ke", 2, 3, HIGH, Outcome.MISMATCH),
        ("integer", "rt", "001", "O0l", HIGH, Outcome.UNREADABLE),
        ("number", "berat_gram", 3100, "3100", HIGH, Outcome.MATCH),
        ("number", "panjang_cm", 49, 48, HIGH, Outcome.MISMATCH),
        ("time", "pukul", "04:15", "04.15", HIGH, Outcome.MATCH),
        ("vocabulary", "agama", "KATOLIK", "KATHOLIK", HIGH, Outcome.MATCH),
        ("vocabulary", "agama", "BUDDHA", "BUDHA", HIGH, Outcome.MATCH),
        ("vocabulary", "agama", "ISLAM", "KRISTEN", HIGH, Outcome.MISMATCH),
        ("vocabulary", "status_perkawinan", "KAWIN", "KAWIN TERCATAT", HIGH, Outcome.MATCH),
        ("vocabulary", "status_perkawinan", "CERAI HIDUP", "CERAI HIDUP BELUM TERCATAT", HIGH,
         Outcome.MATCH),
        ("vocabulary", "status_perkawinan", "KAWIN TERCATAT", "KAWIN BELUM TERCATAT", HIGH,
         Outcome.MISMATCH),
        ("vocabulary", "status_perkawinan", "KAWIN", "CERAI MATI", HIGH, Outcome.MISMATCH),
        ("vocabulary", "jenis_pekerjaan", "PETANI / PEKEBUN", "PETANI/PEKEBUN", HIGH, Outcome.MATCH),
        ("vocabulary", "jenis_pekerjaan", "PNS", "PEGAWAI NEGERI SIPIL (PNS)", HIGH, Outcome.MATCH),
        ("vocabulary", "golongan_darah", "O", "0", HIGH, Outcome.MATCH),
        ("vocabulary", "golongan_darah", "A", "AB", HIGH, Outcome.MISMATCH),
        ("vocabulary", "kewarganegaraan", "WNI", "INDONESIA", HIGH, Outcome.MATCH),
        ("vocabulary", "jenis_kelamin", "LAKI-LAKI", "LAKI LAKI", HIGH, Outcome.MATCH),
        ("vocabulary", "jenis_kelamin", "LAKI-LAKI", "PEREMPUAN", HIGH, Outcome.MISMATCH),
        ("vocabulary", "status_hubungan_dalam_keluarga", "ISTRI", "ISTERI", HIGH, Outcome.MATCH),
        ("vocabulary", "jenis_kelahiran", "TUNGGAL", "TUNGGAL", HIGH, Outcome.MATCH),
        ("vocabulary", "penolong_kelahiran", "BIDAN/PERAWAT", "DUKUN", HIGH, Outcome.MISMATCH),
        ("text", "alamat", "KP. PASIRGOMBONG", "KAMPUNG PASIRGOMBONG", HIGH, Outcome.MATCH),
        ("text", "alamat", "JL. MERDEKA NO. 5", "JALAN MERDEKA NOMOR 5", HIGH, Outcome.MATCH),
        ("text", "alamat", "JL. MERDEKA NO. 5", "JL. MERDEKA NO. 6", HIGH, Outcome.NEAR),
        ("text", "alamat", "JL. MERDEKA NO. 5", "DUSUN KRAJAN", HIGH, Outcome.MISMATCH),
        ("name", "nama", "SUPRIYADI", "SUPRIYANTI", HIGH, Outcome.NEAR),
        ("place", "tempat_lahir", "KAB. BEKASI", "BEKASI", HIGH, Outcome.MATCH),
    ],
)
def test_compare_value(ruleset, kind, key, submitted, extracted, confidence, outcome):
    found = compare_value(kind, key, submitted, extracted, confidence, ruleset)
    assert found.outcome == outcome, found
    if outcome == Outcome.MATCH:
        assert found.score == 100.0 or kind == "text"


def test_example_nik_score_is_the_contracts(ruleset):
    found = compare_value("id", "nik", "3216095203850004", "3216095203850005", 0.97, ruleset)
    assert (found.outcome, found.score) == (Outcome.MISMATCH, 93.75)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("10", "1O", True), ("8", "B", True), ("0", "D", True), ("1", "I", True), ("1", "l", True),
     ("7", "1", True), ("5", "S", True), ("2", "Z", True), ("6", "G", True),
     ("3", "8", False), ("12", "1", False), ("00", "88", False), ("4", "4", False)],
)
def test_confusable_pairs(ruleset, a, b, expected):
    assert confusable(a, b, ruleset.confusables) is expected
