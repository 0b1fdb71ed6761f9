"""The generator writes complete, deterministic applications that cover every case."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

from samples import generate as gen
from samples.submissions import KINDS


def fake_render(spec: gen.Spec, fields: dict[str, Any], rng: random.Random) -> Image.Image:
    """Test-only stand-in for the real renderers: small, fast, still depends on the data."""
    image = Image.new("L", (420, 300), 255)
    ImageDraw.Draw(image).text((10, 10), json.dumps(fields)[:60], fill=0)
    image.info["dpi"] = (300, 300)
    return image


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gen, "_render", fake_render)
    monkeypatch.setattr(gen, "_degrade", lambda image, tier, rng: image)


def test_plan_covers_types_tiers_variants_and_every_kind() -> None:
    specs = gen.plan(72, seed=3)
    assert len({s.app_id for s in specs}) == 72
    assert Counter(s.document_type for s in specs) == {"kk": 36, "akta_kelahiran": 36}
    assert Counter(s.variant == "truthful" for s in specs) == {True: 36, False: 36}
    for document_type in gen.TYPES:  # the default rotation; F-2.01 is planned on request
        kinds = KINDS[document_type]
        pairs = {(s.variant, s.tier) for s in specs if s.document_type == document_type}
        for kind in kinds:
            assert {t for v, t in pairs if v == f"contradict:{kind}"} == set(gen.TIERS), kind
    assert {s.generation for s in specs if s.document_type == "kk"} == {"digital", "blangko"}
    assert {s.generation for s in specs if s.document_type != "kk"} == {None}
    assert len({s.font for s in specs}) >= 3
    assert specs[0].app_id == "kk-0001-clean" and specs[1].app_id.startswith("akta-0002-")


def test_plan_respects_the_chosen_subsets() -> None:
    specs = gen.plan(10, seed=1, tiers=["photo"], types=["akta_kelahiran"], formats=["pdf"])
    assert {(s.document_type, s.tier, s.fmt) for s in specs} == {("akta_kelahiran", "photo", "pdf")}
    with pytest.raises(ValueError):
        gen.plan(2, seed=1, tiers=["blurry"])


def test_generate_writes_document_submission_and_truth(tmp_path: Path, fast: None) -> None:
    folders = gen.generate(tmp_path, 16, seed=11, tiers=["clean", "scan"])
    planned = gen.plan(16, seed=11, tiers=["clean", "scan"])
    assert [f.name for f in folders] == [s.app_id for s in planned]
    formats = {json.loads((f / "truth.json").read_text())["format"] for f in folders}
    assert len(formats) >= 3
    for folder in folders:
        truth = json.loads((folder / "truth.json").read_text())
        submission = json.loads((folder / "submission.json").read_text())
        assert set(truth) >= {"document_type", "tier", "generation", "font", "format",
                              "variant", "fields"}
        assert ("change" in truth) == (truth["variant"] != "truthful")
        assert submission["document_type"] == truth["document_type"]
        document = folder / f"document.{truth['format']}"
        if truth["format"] == "pdf":
            pdf = pdfium.PdfDocument(str(document))
            width_points = pdf[0].get_width()
            assert len(pdf) == 1 and width_points == pytest.approx(420 / 300 * 72, rel=0.01)
            continue
        with Image.open(document) as image:
            assert image.format == {"png": "PNG", "jpg": "JPEG", "tif": "TIFF"}[truth["format"]]
            assert image.size == (420, 300)
            assert round(image.info["dpi"][0]) == 300


def test_photos_carry_no_dpi(tmp_path: Path, fast: None) -> None:
    spec = gen.Spec("kk-0001-photo", "kk", "digital", "DejaVuSans", "photo", "jpg", "truthful")
    folder = gen.generate_one(tmp_path, spec, seed=1)
    with Image.open(folder / "document.jpg") as image:
        assert "dpi" not in image.info


def test_same_seed_gives_identical_files(tmp_path: Path, fast: None) -> None:
    first = gen.generate(tmp_path / "a", 6, seed=5)
    second = gen.generate(tmp_path / "b", 6, seed=5)
    other = gen.generate(tmp_path / "c", 6, seed=6)
    for a, b, c in zip(first, second, other):
        for name in ("truth.json", "submission.json"):
            assert (a / name).read_bytes() == (b / name).read_bytes()
            assert (a / name).read_bytes() != (c / name).read_bytes()
        doc = next(a.glob("document.*")).name
        assert (a / doc).read_bytes() == (b / doc).read_bytes()


def test_cli_writes_the_requested_count(tmp_path: Path, fast: None) -> None:
    assert gen.main(["--out", str(tmp_path), "--count", "3", "--seed", "2",
                     "--types", "kk", "--tiers", "scan", "--formats", "jpg"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "kk-0001-scan", "kk-0002-scan", "kk-0003-scan"]


def test_committed_set_covers_what_the_repository_promises() -> None:
    specs = gen.committed_specs()
    assert len(specs) == 10
    assert {s.document_type for s in specs} == {"kk", "akta_kelahiran", "f2_01"}
    assert {s.generation for s in specs if s.document_type == "kk"} == {"digital", "blangko"}
    assert Counter(s.tier for s in specs)["photo"] == 1
    assert {s.tier for s in specs} == set(gen.TIERS)
    assert Counter(s.variant == "truthful" for s in specs) == {True: 5, False: 5}
    scanned = [s for s in specs if s.fmt not in gen.DIGITAL_FORMATS]
    assert all(s.fmt == ("png" if s.tier == "clean" else "jpg") for s in scanned)
    forms = [s for s in specs if s.document_type == "f2_01"]
    assert {s.fmt for s in forms} == {"png", "pdftext"} and any(s.with_kk for s in forms)


def test_real_renderers_produce_a_page_at_300_dpi() -> None:
    spec = gen.Spec("kk-0001-clean", "kk", "blangko", "DejaVuSans", "clean", "png", "truthful")
    built = gen.build(spec, seed=1)
    assert built.image.mode == "L" and built.image.width > built.image.height > 2000
    akta = gen.build(gen.Spec("akta-0002-clean", "akta_kelahiran", None, "FreeSerif", "clean",
                              "png", "contradict:sex"), seed=1)
    assert akta.image.height > akta.image.width > 2000
    assert akta.truth["change"]["field"] == "jenis_kelamin"
