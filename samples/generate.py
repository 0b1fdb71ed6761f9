"""Write synthetic applications: a document file, the submission, and the ground truth.

    python -m samples.generate --out DIR --count N --seed S [--tiers clean,scan,photo]
        [--types kk,akta_kelahiran,f2_01] [--formats png,jpg,tif,pdf,pdftext,pdfform]
        [--with-kk]
    python -m samples.generate --committed      # the small set in samples/applications/

Each application gets DIR/<app_id>/document.<ext>, submission.json and truth.json
({document_type, tier, generation, font, format, variant, fields[, change]}). Types, variants,
tiers and contradiction kinds rotate so even a small count covers them; everything else is
drawn from random generators seeded by (seed, app id, purpose), so one seed always gives the
same files and adding a renderer tweak never changes the truth.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import datetime, time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from PIL import Image

from pipeline.contract import load
from samples.fonts import available_fonts, font_name, font_path
from samples.submissions import KINDS, contradiction, truthful
from samples.truth import REFERENCE_DATE, make_birth, make_family

TIERS = ("clean", "scan", "photo")
TYPES = ("kk", "akta_kelahiran")  # the default rotation (kept: seeds must give the same sets)
ALL_TYPES = (*TYPES, "f2_01")  # F-2.01 only when asked for (--types f2_01)
FORMATS = ("png", "jpg", "tif", "pdf")
# born-digital F-2.01 PDFs: values as a text layer, or as filled AcroForm fields (no tier applies)
DIGITAL_FORMATS = ("pdftext", "pdfform")
GENERATIONS = ("digital", "blangko")
SHORT = {"kk": "kk", "akta_kelahiran": "akta", "f2_01": "f201"}
PREFERRED = {"clean": ("png", "tif", "pdf", "jpg"), "scan": ("jpg", "pdf", "tif", "png"),
             "photo": ("jpg", "png")}  # first is the most likely format for the tier
JPEG_QUALITY = {"clean": (88, 95), "scan": (70, 92), "photo": (55, 80)}
DPI = 300
A4_LONG_INCHES = 11.69
COMMITTED_SEED = 2025
COMMITTED_DIR = Path(__file__).with_name("applications")


@dataclass(frozen=True)
class Spec:
    """Everything that decides one application before any random draw."""

    app_id: str
    document_type: str
    generation: str | None  # KK generation; None for akta
    font: str  # font file stem, resolvable with samples.fonts.font_path
    tier: str
    fmt: str
    variant: str  # "truthful" or "contradict:<kind>"
    quality: int | None = None  # JPEG quality; None draws one from the tier's range
    with_kk: bool = False  # F-2.01 only: the family's KK is uploaded beside the form


@dataclass(frozen=True)
class Built:
    spec: Spec
    image: Image.Image
    submission: dict[str, Any]
    truth: dict[str, Any]
    pdf: bytes | None = None  # a born-digital document (DIGITAL_FORMATS) instead of `image`
    others: tuple[tuple[str, Image.Image], ...] = ()  # (file stem, page) uploaded beside it


def plan(count: int, seed: int, *, tiers: Sequence[str] = TIERS, types: Sequence[str] = TYPES,
         formats: Sequence[str] = FORMATS, with_kk: bool = False) -> list[Spec]:
    """Specs for applications 1..count: types alternate, then truthful/contradicting, and
    tiers and kinds rotate with an offset so every kind meets every tier."""
    _check(tiers, TIERS, "tier")
    _check(types, ALL_TYPES, "type")
    _check(formats, FORMATS + DIGITAL_FORMATS, "format")
    fonts = [font_name(p) for p in available_fonts()]
    if not fonts:
        raise FileNotFoundError("no TrueType fonts installed (see samples/fonts.py)")
    specs = []
    for i in range(count):
        kind_of = types[i % len(types)]
        j = i // len(types)
        kinds = KINDS[kind_of]
        tier = tiers[(j + j // (2 * len(kinds))) % len(tiers)]
        variant = "truthful" if j % 2 == 0 else f"contradict:{kinds[(j // 2) % len(kinds)]}"
        pick = random.Random(f"{seed}:plan:{i}")
        generation = pick.choice(GENERATIONS) if kind_of == "kk" else None
        specs.append(Spec(f"{SHORT[kind_of]}-{i + 1:04d}-{tier}", kind_of, generation,
                          pick.choice(fonts), tier, _format(pick, tier, _formats_for(kind_of, formats)),
                          variant, with_kk=with_kk and kind_of == "f2_01"))
    return specs


def _check(chosen: Sequence[str], allowed: Sequence[str], what: str) -> None:
    unknown = [c for c in chosen if c not in allowed]
    if unknown or not chosen:
        raise ValueError(f"{what} must be among {', '.join(allowed)}: got {list(chosen)}")


def _formats_for(kind: str, formats: Sequence[str]) -> Sequence[str]:
    """Born-digital formats exist only for F-2.01; other types keep the image formats."""
    if kind == "f2_01":
        return formats
    return [f for f in formats if f not in DIGITAL_FORMATS] or ["png"]


def _format(rng: random.Random, tier: str, formats: Sequence[str]) -> str:
    """The tier's likely format when allowed (PNG for clean, JPEG for scan/photo)."""
    allowed = [f for f in PREFERRED[tier] + DIGITAL_FORMATS if f in formats] or list(formats)
    weights = [3.0] + [1.0] * (len(allowed) - 1)
    return rng.choices(allowed, weights=weights)[0]


def build(spec: Spec, seed: int) -> Built:
    """Truth, submission and degraded page image for one spec, in memory."""
    def rng(purpose: str) -> random.Random:
        return random.Random(f"{seed}:{spec.app_id}:{purpose}")

    family = None
    if spec.document_type == "kk":
        fields = make_family(rng("truth"), generation=spec.generation or "digital")
    elif spec.document_type == "f2_01":
        fields, family = _birth_report(spec, rng("truth"))
    else:
        fields = make_birth(rng("truth"))
    change = None
    if spec.variant == "truthful":
        submission = truthful(spec.document_type, fields, rng("submission"))
    else:
        kind = spec.variant.split(":", 1)[1]
        submission, change = contradiction(spec.document_type, fields, kind, rng("submission"))
    _validate(submission)
    _validate({"document_type": spec.document_type, "data": fields})
    truth = {"document_type": spec.document_type, "tier": spec.tier,
             "generation": spec.generation, "font": spec.font, "format": spec.fmt,
             "variant": spec.variant, "fields": fields}
    if change is not None:
        truth["change"] = change
    if spec.fmt in DIGITAL_FORMATS:
        from samples.render_f201 import render_f201_pdf

        pdf = render_f201_pdf(fields, font=font_path(spec.font), rng=rng("render"),
                              acroform=spec.fmt == "pdfform")
        return Built(spec, Image.new("L", (1, 1), 255), submission, truth, pdf=pdf)
    page = _render(spec, fields, rng("render"))
    image = _degrade(page, spec.tier, rng("degrade"))
    others: tuple[tuple[str, Image.Image], ...] = ()
    if family is not None:
        from samples.render_kk import render_kk

        kk_page = render_kk(family, generation="digital", font=font_path(spec.font),
                            rng=rng("render_kk"))
        others = (("kk", _degrade(kk_page, spec.tier, rng("degrade_kk"))),)
        truth["others"] = {f"kk.{spec.fmt}": {"document_type": "kk", "fields": family}}
    return Built(spec, image, submission, truth, others=others)


def _birth_report(spec: Spec, rng: random.Random) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """F-2.01 truth, and the family's KK truth when the KK is uploaded too (both agree)."""
    from samples.birth_report import make_birth_application, make_f201

    if not spec.with_kk:
        return make_f201(rng), None
    documents = make_birth_application(rng)
    _validate({"document_type": "kk", "data": documents["kk"]})
    return documents["f2_01"], documents["kk"]


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load("submission.schema.json"))


def _validate(submission: dict[str, Any]) -> None:
    """A sample that breaks the contract is a generator bug: fail loudly, write nothing."""
    errors = sorted(_validator().iter_errors(submission), key=lambda e: list(e.path))
    if errors:
        raise ValueError(f"sample breaks submission.schema.json: {errors[0].message}")


def _render(spec: Spec, fields: dict[str, Any], rng: random.Random) -> Image.Image:
    """The renderers are imported lazily: they are heavier and owned by other modules."""
    font = font_path(spec.font)
    if spec.document_type == "kk":
        from samples.render_kk import render_kk

        return render_kk(fields, generation=spec.generation or "digital", font=font, rng=rng)
    if spec.document_type == "f2_01":
        from samples.render_f201 import render_f201

        return render_f201(fields, font=font, rng=rng)
    from samples.render_akta import render_akta

    return render_akta(fields, font=font, rng=rng)


def _degrade(image: Image.Image, tier: str, rng: random.Random) -> Image.Image:
    from samples.degrade import degrade

    return degrade(image, tier, rng)  # type: ignore[arg-type]


def save_image(image: Image.Image, path: Path, fmt: str, tier: str, rng: random.Random, *,
               quality: int | None = None) -> None:
    """Encode as an applicant's file would be: 300 dpi for scans, no dpi for photos."""
    dpi = {} if tier == "photo" else {"dpi": (DPI, DPI)}
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    if fmt == "png":
        image.save(path, "PNG", **dpi)
    elif fmt == "tif":
        image.save(path, "TIFF", compression="tiff_lzw", **dpi)
    elif fmt == "jpg":
        image.save(path, "JPEG", quality=quality or rng.randint(*JPEG_QUALITY[tier]), **dpi)
    elif fmt == "pdf":
        resolution = DPI if tier != "photo" else max(image.size) / A4_LONG_INCHES
        stamp = datetime.combine(REFERENCE_DATE, time()).timetuple()  # not the clock
        image.save(path, "PDF", resolution=float(resolution), creationDate=stamp, modDate=stamp)
    else:
        raise ValueError(f"unknown format {fmt!r}")


def write(built: Built, out: Path, seed: int) -> Path:
    """DIR/<app_id>/ with document.<ext>, submission.json and truth.json."""
    folder = Path(out) / built.spec.app_id
    folder.mkdir(parents=True, exist_ok=True)
    encode_rng = random.Random(f"{seed}:{built.spec.app_id}:encode")
    if built.pdf is not None:
        (folder / "document.pdf").write_bytes(built.pdf)
    else:
        save_image(built.image, folder / f"document.{built.spec.fmt}", built.spec.fmt,
                   built.spec.tier, encode_rng, quality=built.spec.quality)
    for stem, image in built.others:
        save_image(image, folder / f"{stem}.{built.spec.fmt}", built.spec.fmt, built.spec.tier,
                   encode_rng, quality=built.spec.quality)
    for name, payload in (("submission.json", built.submission), ("truth.json", built.truth)):
        text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def generate_one(out: Path, spec: Spec, seed: int) -> Path:
    """Build and write one application; returns its folder."""
    return write(build(spec, seed), out, seed)


def generate(out: Path, count: int, seed: int, *, tiers: Sequence[str] = TIERS,
             types: Sequence[str] = TYPES, formats: Sequence[str] = FORMATS,
             with_kk: bool = False) -> list[Path]:
    """Write `count` applications under `out`; returns their folders in order."""
    return [generate_one(Path(out), spec, seed)
            for spec in plan(count, seed, tiers=tiers, types=types, formats=formats,
                             with_kk=with_kk)]


def committed_specs() -> list[Spec]:
    """The 8 applications kept in git: both types, both KK generations, clean, scan and one
    photo, four truthful and four contradicting. PNG for clean, JPEG at the low end of the
    tier's quality range otherwise, to keep the set near 3 MB."""
    low = {tier: JPEG_QUALITY[tier][0] for tier in TIERS}
    rows = [
        ("kk-0001-clean", "kk", "digital", "DejaVuSans", "clean", "png", "truthful"),
        ("kk-0002-clean", "kk", "blangko", "LiberationSans-Regular", "clean", "png",
         "contradict:nik_digit"),
        ("kk-0003-scan", "kk", "blangko", "LiberationSerif-Regular", "scan", "jpg",
         "contradict:name", low["scan"]),
        ("kk-0004-photo", "kk", "digital", "DejaVuSans", "photo", "jpg", "truthful",
         low["photo"]),
        ("akta-0005-clean", "akta_kelahiran", None, "DejaVuSerif", "clean", "png", "truthful"),
        ("akta-0006-clean", "akta_kelahiran", None, "LiberationSans-Regular", "clean", "png",
         "contradict:date_shift"),
        ("akta-0007-scan", "akta_kelahiran", None, "FreeSerif", "scan", "jpg",
         "contradict:letter", low["scan"]),
        ("kk-0008-clean", "kk", "blangko", "FreeSans", "clean", "png", "truthful"),
        # a birth application: the F-2.01 with the family's KK beside it (cross-document checks)
        ("f201-0009-clean", "f2_01", None, "DejaVuSans", "clean", "png", "truthful", None, True),
        ("f201-0010-clean", "f2_01", None, "LiberationSans-Regular", "clean", "pdftext",
         "contradict:date_shift"),
    ]
    return [Spec(*row) for row in rows]


def generate_committed(out: Path = COMMITTED_DIR) -> list[Path]:
    """Regenerate exactly the committed set (`make samples`)."""
    return [generate_one(Path(out), spec, COMMITTED_SEED) for spec in committed_specs()]


def _csv(text: str) -> list[str]:
    aliases = {"akta": "akta_kelahiran", "jpeg": "jpg", "tiff": "tif", "f201": "f2_01"}
    return [aliases.get(t.strip(), t.strip()) for t in text.split(",") if t.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samples.generate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tiers", type=_csv, default=list(TIERS))
    parser.add_argument("--types", type=_csv, default=list(TYPES))
    parser.add_argument("--formats", type=_csv, default=list(FORMATS))
    parser.add_argument("--with-kk", action="store_true",
                        help="F-2.01 applications also upload the family's KK")
    parser.add_argument("--committed", action="store_true",
                        help="regenerate the committed set (default --out samples/applications)")
    args = parser.parse_args(argv)
    if args.committed:
        folders = generate_committed(args.out or COMMITTED_DIR)
    elif args.out is None:
        parser.error("--out is required unless --committed")
    else:
        folders = generate(args.out, args.count, args.seed, tiers=args.tiers,
                           types=args.types, formats=args.formats, with_kk=args.with_kk)
    print(f"wrote {len(folders)} applications under {folders[0].parent if folders else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
