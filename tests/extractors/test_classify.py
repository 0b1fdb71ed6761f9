import pytest

from extractors.classify import classify
from pipeline.records import DocumentType, PageText, Word


def page(text: str) -> PageText:
    words = tuple(Word(text=w, confidence=0.9, bbox=(0, 0, 1, 1), line=i // 8)
                  for i, w in enumerate(text.split()))
    return PageText(page=1, width=100, height=100, source="ocr", words=words)


@pytest.mark.parametrize("text, expected, name", [
    ("KARTU KELUARGA No. 3201 Nama Kepala Keluarga : BUDI Jenis Pekerjaan Kewarganegaraan",
     DocumentType.KK, "kk"),
    ("KARTU KELUARCA Nama Kepala Keluarqa Status Hubungan Dalam Keluarga Dikeluarkan Tanggal",
     DocumentType.KK, "kk"),
    ("REPUBLIK INDONESIA PENCATATAN SIPIL KUTIPAN AKTA KELAHIRAN Berdasarkan Akta Kelahiran "
     "Nomor bahwa di telah lahir anak ke", DocumentType.AKTA_KELAHIRAN, "akta_kelahiran"),
    ("PROVINSI JAWA BARAT NIK Nama KARTU TANDA PENDUDUK Berlaku Hingga SEUMUR HIDUP Gol. Darah O",
     DocumentType.UNKNOWN, "ktp"),
    ("FORMULIR PELAPORAN PENCATATAN SIPIL DI DALAM WILAYAH NKRI F-2.01 DATA PELAPOR DATA SAKSI",
     DocumentType.F2_01, "f2_01"),
])
def test_classifies_by_keywords(text: str, expected: DocumentType, name: str) -> None:
    found = classify([page(text)])
    assert found.document_type == expected
    assert found.recognised_as == name
    assert 0 < found.confidence <= 1


def test_blank_and_unrelated_pages_are_unknown() -> None:
    assert classify([page("")]).recognised_as == "blank"
    unrelated = classify([page("Lorem ipsum dolor sit amet consectetur adipiscing elit sed do")])
    assert unrelated.document_type == DocumentType.UNKNOWN
    assert unrelated.recognised_as == "unrecognised"
    assert not unrelated.reads
