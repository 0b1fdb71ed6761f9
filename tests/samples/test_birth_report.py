"""F-2.01 ground truth: valid against the contract and consistent with its KK and akta."""

from __future__ import annotations

import random
from datetime import date

import jsonschema
import pytest

from pipeline.contract import load
from samples import generate as gen
from samples.birth_report import MAX_BOXES, make_birth_application, make_f201, subject_index
from samples.render_f201 import SECTIONS, layout
from samples.fonts import available_fonts
from samples.submissions import strip_title

SEEDS = range(15)


def _valid(document_type: str, data: dict) -> None:
    validator = jsonschema.Draft202012Validator(load("submission.schema.json"))
    assert list(validator.iter_errors({"document_type": document_type, "data": data})) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_birth_application_documents_agree(seed: int) -> None:
    docs = make_birth_application(random.Random(seed))
    form, kk, akta = docs["f2_01"], docs["kk"], docs["akta_kelahiran"]
    _valid("f2_01", form)
    _valid("kk", kk)
    _valid("akta_kelahiran", akta)
    rows = kk["anggota_keluarga"]
    child = rows[subject_index(kk)]
    assert child["status_hubungan_dalam_keluarga"] == "ANAK"
    assert form["anak"]["nama"] == akta["nama"] == child["nama_lengkap"]
    assert form["anak"]["tanggal_lahir"] == akta["tanggal_lahir"] == child["tanggal_lahir"]
    assert form["subjek_akta_1"]["nik"] == akta["nik"] == child["nik"]
    assert form["ayah"]["nama"] == rows[0]["nama_lengkap"]  # as the KK prints it, titles too
    assert strip_title(form["ayah"]["nama"]) == akta["nama_ayah"] == child["nama_ayah"]
    assert strip_title(form["ibu"]["nama"]) == akta["nama_ibu"] == child["nama_ibu"]
    assert form["pelapor"]["nomor_kk"] == kk["nomor_kk"]
    assert form["anak"]["kelahiran_ke"] == akta["anak_ke"]


@pytest.mark.parametrize("seed", SEEDS)
def test_form_values_fit_their_boxes_and_witnesses_are_other_people(seed: int) -> None:
    form = make_f201(random.Random(seed))
    people = ("pelapor", "subjek_akta_1", "saksi_1", "saksi_2", "ayah", "ibu", "anak")
    assert all(len(form[p]["nama"]) <= MAX_BOXES for p in people)
    assert form["saksi_1"]["nik"] not in {form["pelapor"]["nik"], form["saksi_2"]["nik"]}
    born = date.fromisoformat(form["anak"]["tanggal_lahir"])
    for witness in ("saksi_1", "saksi_2"):
        yy = int(form[witness]["nik"][10:12])
        assert (born.year - yy) % 100 >= 21  # an adult at the birth
    assert form["kode_wilayah"].startswith(form["pelapor"]["nomor_kk"][:6])


def test_layout_puts_every_value_in_boxes() -> None:
    form = make_f201(random.Random(3))
    placed = layout(form, random.Random(1), available_fonts()[0])
    names = {comb.name: comb.value for comb in placed.combs}
    assert names["anak.nama"] == form["anak"]["nama"]
    assert names["ayah.tanggal_lahir.thn"] == form["ayah"]["tanggal_lahir"][:4]
    assert names["anak.jenis_kelamin"] in {"1", "2"}
    assert len([c for c in placed.cells if c.char]) == sum(len(c.value) - c.value.count(" ")
                                                          for c in placed.combs)
    assert len({c.name.split(".")[0] for c in placed.combs if "." in c.name}) == len(SECTIONS) - 1


def test_digital_formats_and_kk_beside_the_form() -> None:
    spec = gen.Spec("f201-0001-clean", "f2_01", None, "DejaVuSans", "clean", "pdfform",
                    "truthful")
    built = gen.build(spec, seed=1)
    assert built.pdf is not None and built.pdf.startswith(b"%PDF-") and b"/AcroForm" in built.pdf
    bundle = gen.build(gen.Spec("f201-0002-clean", "f2_01", None, "DejaVuSans", "clean", "png",
                                "contradict:name", with_kk=True), seed=1)
    assert [stem for stem, _ in bundle.others] == ["kk"]
    kk = bundle.truth["others"]["kk.png"]["fields"]
    assert kk["nomor_kk"] == bundle.truth["fields"]["pelapor"]["nomor_kk"]
    assert bundle.truth["change"]["field"].endswith(".nama")
