"""What reaches the audit trail: no raw NIK, KK number, name or file name."""

from __future__ import annotations

import json

from storage.masking import mask_payload, mask_text, pii_type

NIK = "3201234567890001"  # synthetic


def test_personal_fields_are_masked_by_key():
    masked = mask_payload({
        "nik": NIK,
        "nomor_kk": "3201230101010001",
        "nama_kepala_keluarga": "BUDI SANTOSO",
        "nama_lengkap": "SITI",
        "alamat": "JL. MAWAR NO. 1",
        "tempat_lahir": "BANDUNG",
        "flag": "review",
        "count": 3,
    })
    assert masked["nik"] == "3201********0001"
    assert masked["nomor_kk"].startswith("3201") and "0101010" not in masked["nomor_kk"]
    assert masked["nama_kepala_keluarga"] == "[NAME]"
    assert masked["nama_lengkap"] == "[NAME]"
    assert masked["alamat"] == "[ADDRESS]"
    assert masked["tempat_lahir"] != "BANDUNG"
    assert (masked["flag"], masked["count"]) == ("review", 3)


def test_nested_members_and_file_names():
    masked = mask_payload({
        "filename": "KK_BUDI_SANTOSO.jpg",
        "anggota_keluarga": [{"nama_lengkap": "DEWI LESTARI", "nik": NIK, "agama": "ISLAM"}],
        "files": [{"sha256": "ab" * 32, "size_bytes": 10}],
    })
    text = json.dumps(masked)
    assert "filename" not in masked and "BUDI" not in text and "DEWI" not in text
    assert NIK not in text
    assert masked["files"] == [{"sha256": "ab" * 32, "size_bytes": 10}]


def test_free_text_loses_niks_and_names():
    text = mask_text(f"NIK {NIK} atas nama Budi Santoso; kode {NIK[:-1]}9")
    assert NIK not in text and "Budi" not in text
    assert "3201" in text  # still recognisable
    assert mask_text("ruleset diganti") == "ruleset diganti"


def test_pii_type_covers_periksa_field_names():
    assert pii_type("nik_ayah") == "NIK"
    assert pii_type("nama_ibu") == "NAME"
    assert pii_type("nama_pelapor") == "NAME"
    assert pii_type("ruleset_version") is None
    assert mask_payload(None) == {}
