"""Benchmark: how well periksa reads each field, per type and tier, against a naive baseline.

    python -m benchmarks.accuracy --count 450 --seed 7 --out bench-results   # make bench-accuracy

Generates a fresh synthetic set (samples/generate.py) from the seed (clean scan, degraded
scan, phone photo; every document type the generator makes), reads every document with the
real pipeline (no storage: reading and rules only) and writes `accuracy.md` (the tables
quoted in issue notes) and `accuracy.json` (every field of every document) under --out.

Per field and per tier it reports exact-match accuracy, character error rate, the share
marked low-confidence (below the ruleset's review floor), and calibration: how often a
low-confidence mark hid a correct value, and how often a confident value was wrong. The
same documents are also read the naive way (`pytesseract.image_to_string` on the raw image,
fields found by regular expressions) so the gain is visible in the same run. Seconds per
page and peak memory (the worker process and the OCR processes it started) close the file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from pipeline.batch import application_folders, uploads_in
from pipeline.read import read_document
from pipeline.records import Field, Flag
from pipeline.run import accept
from pipeline.settings import Settings
from rules import evaluate, load_ruleset

TIER_ORDER = ("clean", "scan", "photo")
GOALS = {"clean": 99.5, "scan": 98.0, "photo": 95.0}  # issue 4, % fields exact
CONFIDENT_WRONG_GOAL = 0.5  # % of fields


# --- one document ----------------------------------------------------------------------


def run_one(app_dir: Path, baseline: bool = True) -> dict[str, Any]:
    """Read and check one generated application; compare with its truth (and the baseline)."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    settings = Settings()
    truth = json.loads((app_dir / "truth.json").read_text())
    started = time.perf_counter()
    raw_submission = (app_dir / "submission.json").read_bytes()
    submission, checked = accept(uploads_in(app_dir), raw_submission, settings)
    results = [read_document(upload, settings) for upload in checked]
    documents = [r.document for r in results]
    evaluation = evaluate(submission, documents, load_ruleset())
    seconds = time.perf_counter() - started
    fields = documents[0].fields if documents else {}
    out = {
        "app": app_dir.name, "type": truth["document_type"], "tier": truth["tier"],
        "variant": truth["variant"], "flag": evaluation.flag.value, "seconds": seconds,
        "pages": sum(d.pages for d in documents) or 1,
        "timings_ms": _sum_timings([r.timings_ms for r in results]),
        "steps": sorted({s for d in documents for s in d.steps}),
        "classified": documents[0].document_type.value if documents else None,
        "fields": list(compare_fields(truth["fields"], fields)),
    }
    if baseline:
        started = time.perf_counter()
        naive = naive_fields(app_dir, truth["document_type"])
        out["baseline_seconds"] = time.perf_counter() - started
        out["baseline"] = [(path, want, naive.get(path)) for path, want, _, _ in out["fields"]]
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _sum_timings(laps: list[dict[str, float]]) -> dict[str, float]:
    total: dict[str, float] = defaultdict(float)
    for lap in laps:
        for key, ms in lap.items():
            total[key] += ms
    return dict(total)


def compare_fields(truth: Any, read: Any, path: str = "") -> Any:
    """(path, truth value, read value, confidence) for every leaf of the truth."""
    if isinstance(truth, dict):
        for key, value in truth.items():
            sub = read.get(key) if isinstance(read, dict) else None
            yield from compare_fields(value, sub, f"{path}.{key}" if path else key)
    elif isinstance(truth, list):
        for i, value in enumerate(truth):
            sub = read[i] if isinstance(read, list) and i < len(read) else None
            yield from compare_fields(value, sub, f"{path}[{i}]")
    else:
        value = read.value if isinstance(read, Field) else None
        # a printed "-" is an empty cell: the right reading is no value at all, and an
        # extractor that left the key out decided so (it found the dash), not guessed
        printed_empty = truth in ("-", None)
        confidence = read.confidence if isinstance(read, Field) else (1.0 if printed_empty else 0.0)
        yield (path, None if printed_empty else truth, value, confidence)


def field_name(path: str) -> str:
    """`anggota_keluarga[3].nik` -> `anggota_keluarga[].nik`, to pool rows."""
    return re.sub(r"\[\d+\]", "[]", path)


# --- the naive baseline ------------------------------------------------------------------

_ID = re.compile(r"(?<!\d)\d{16}(?!\d)")
_DATE = re.compile(r"(?<!\d)(\d{2})-(\d{2})-(\d{4})(?!\d)")
_AKTA_NUMBER = re.compile(r"\d{4}-L[UT]-\d{8}-\d{4}")
_LABEL_LINE = r"^.*?{label}\s*[:;]\s*(.+?)\s*$"
_KK_HEADER = {
    "nama_kepala_keluarga": "Nama Kepala Keluarga", "alamat": "Alamat",
    "desa_kelurahan": "Desa/Kelurahan", "kecamatan": "Kecamatan",
    "kabupaten_kota": "Kabupaten/Kota", "provinsi": "Provinsi",
}


def naive_fields(app_dir: Path, document_type: str) -> dict[str, Any]:
    """Fields the way a first attempt would find them: raw image_to_string plus regexes.

    No preprocessing, no layout: tesseract's default page segmentation on the file as
    uploaded (first page), then the obvious regular expression per field. Values are
    normalised like periksa's (ISO dates, uppercase names) so only the reading differs.
    """
    import pytesseract
    from PIL import Image

    files = [p for p in uploads_in(app_dir)]
    path = app_dir / files[0].filename
    if path.suffix.lower() == ".pdf":
        import pypdfium2

        image = pypdfium2.PdfDocument(str(path))[0].render(scale=300 / 72).to_pil()
    else:
        image = Image.open(path)
    text = pytesseract.image_to_string(image.convert("L"), lang="ind", timeout=120)
    if document_type == "kk":
        return naive_kk(text)
    return naive_f201(text) if document_type == "f2_01" else naive_akta(text)


def _iso(match: re.Match[str]) -> str:
    day, month, year = match.groups()
    return f"{year}-{month}-{day}"


def _after_label(text: str, label: str) -> str | None:
    found = re.search(_LABEL_LINE.format(label=re.escape(label)), text, re.I | re.M)
    if not found:
        return None
    value = re.split(r"\s{2,}|\s[A-Z][a-z]+/?[A-Za-z]*\s*:", found.group(1))[0]
    return " ".join(value.upper().split()) or None


def naive_kk(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    ids = _ID.findall(text)
    number = re.search(r"No\.?\s*[:.]?\s*(\d{16})", text)
    if number:
        out["nomor_kk"] = number.group(1)
        ids = [i for i in ids if i != number.group(1)]
    for key, label in _KK_HEADER.items():
        value = _after_label(text, label)
        if value:
            out[key] = value
    rt_rw = re.search(r"RT/RW\s*[:;]?\s*(\d{3})\s*/\s*(\d{3})", text)
    if rt_rw:
        out["rt"], out["rw"] = rt_rw.groups()
    postal = re.search(r"Kode\s*Pos\s*[:;]?\s*(\d{5})", text, re.I)
    if postal:
        out["kode_pos"] = postal.group(1)
    issued = re.search(r"Dikeluarkan\s+Tanggal\s*[:;]?\s*(\d{2}-\d{2}-\d{4})", text, re.I)
    if issued:
        out["tanggal_dikeluarkan"] = _iso(_DATE.search(issued.group(1)))  # type: ignore[arg-type]
    dates = [_iso(m) for m in _DATE.finditer(text)]
    for i, nik in enumerate(ids):  # members in the order their NIKs appear
        out[f"anggota_keluarga[{i}].nik"] = nik
    for i, when in enumerate(d for d in dates if d != out.get("tanggal_dikeluarkan")):
        out.setdefault(f"anggota_keluarga[{i}].tanggal_lahir", when)
    return out


def naive_akta(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    number = _AKTA_NUMBER.search(text)
    if number:
        out["nomor_akta"] = number.group(0)
    nik = _ID.search(text)
    if nik:
        out["nik"] = nik.group(0)
    flat = " ".join(text.split())
    for key, pattern in {
        "tempat_lahir": r"bahwa di\s*:?\s*([A-Z][A-Z .'-]+?)\s+pada",
        "nama": r"telah lahir\s*:?\s*([A-Z][A-Z .,'-]+?)\s+(?:anak|Name|$)",
        "nama_ayah": r"dari ayah\s*:?\s*([A-Z][A-Z .,'-]+?)\s+(?:dan|$)",
        "nama_ibu": r"dan ibu\s*:?\s*([A-Z][A-Z .,'-]+?)\s+(?:Kutipan|[a-z]|$)",
    }.items():
        found = re.search(pattern, flat)
        if found:
            out[key] = found.group(1).strip()
    sex = re.search(r"LAKI-LAKI|PEREMPUAN", flat)
    if sex:
        out["jenis_kelamin"] = sex.group(0)
    return out


F201_PEOPLE = ("pelapor", "subjek_akta_1", "saksi_1", "saksi_2", "ayah", "ibu")


def naive_f201(text: str) -> dict[str, Any]:
    """The form's people in print order: the n-th `NIK` and `Nama` lines are person n's."""
    out: dict[str, Any] = {}
    niks = re.findall(r"NIK\b[^\n\d]*(\d{16})", text)
    names = re.findall(r"^\s*Nama\b[^:\n]*[:;]\s*([A-Z][A-Z .,'-]+?)\s*$", text, re.M)
    for person, nik in zip(F201_PEOPLE, niks):
        out[f"{person}.nik"] = nik
    for person, name in zip(F201_PEOPLE, names):
        out[f"{person}.nama"] = " ".join(name.split())
    return out


# --- summaries --------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts for one group of fields (a tier, or one field of one type and tier)."""

    n: int = 0
    exact: int = 0
    low: int = 0  # below the floor
    low_right: int = 0  # below the floor, value right: review time spent for nothing
    confident_wrong: int = 0  # at or above the floor, value wrong: the dangerous case
    edits: int = 0  # Levenshtein distance summed
    chars: int = 0  # truth characters summed
    base_exact: int = 0
    base_edits: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, truth: Any, value: Any, confidence: float, floor: float,
            base: Any = None) -> None:
        right = _same(value, truth)
        self.n += 1
        self.exact += right
        low = confidence < floor
        self.low += low
        self.low_right += low and right
        self.confident_wrong += (not low) and not right
        self.edits += _edits(truth, value)
        self.chars += max(len(_text(truth)), 1)
        self.base_exact += _same(base, truth)
        self.base_edits += _edits(truth, base)
        if not right and not low and len(self.examples) < 3:
            self.examples.append(f"{_text(truth)!r} read {_text(value)!r} at {confidence:.2f}")

    def pct(self, part: int) -> float:
        return 100.0 * part / self.n if self.n else 0.0

    def cer(self, edits: int) -> float:
        return 100.0 * edits / self.chars if self.chars else 0.0


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _same(value: Any, truth: Any) -> bool:
    return _text(value) == _text(truth)


def _edits(truth: Any, value: Any) -> int:
    return Levenshtein.distance(_text(truth), _text(value))


def summarise(results: list[dict[str, Any]], floor: float) -> dict[str, Any]:
    by_tier: dict[str, Tally] = defaultdict(Tally)
    by_field: dict[tuple[str, str, str], Tally] = defaultdict(Tally)
    by_type_field: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for r in results:
        base = {path: value for path, _, value in r.get("baseline", [])}
        for path, truth, value, confidence in r["fields"]:
            naive = base.get(path)
            key = f"{r['type']}/{r['tier']}"
            for tally in (by_tier[key], by_tier[f"all/{r['tier']}"],
                          by_field[(r["type"], field_name(path), r["tier"])],
                          by_type_field[(r["type"], field_name(path))]):
                tally.add(truth, value, confidence, floor, naive)
    flags: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in results:
        kind = "truthful" if r["variant"] == "truthful" else "contradicting"
        flags[f"{kind}/{r['tier']}"][r["flag"]] += 1
    return {"by_tier": by_tier, "by_field": by_field, "by_type_field": by_type_field,
            "flags": flags}


def _tier_key(key: str) -> tuple[bool, str, int]:
    """Types first, the all-types rows last; tiers clean, scan, photo within each."""
    kind, tier = key.split("/")
    return kind == "all", kind, TIER_ORDER.index(tier) if tier in TIER_ORDER else 9


def render(results: list[dict[str, Any]], summary: dict[str, Any], wall: float, floor: float,
           workers: int) -> str:
    has_base = any("baseline" in r for r in results)
    lines = [
        "# periksa accuracy benchmark\n",
        f"{len(results)} documents, {workers} worker processes, wall {wall:.0f} s. "
        f"Low confidence = below the ruleset's review floor {floor:.2f}. "
        "CER = character error rate (Levenshtein edits / truth characters; an unread value "
        "counts all its characters). Baseline = `pytesseract.image_to_string` on the raw "
        "upload + regexes, same documents.\n",
        "## By document type and tier\n",
        "| type/tier | docs | fields | exact | CER | low conf | low but right | "
        "confident but wrong | baseline exact | baseline CER | goal |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    docs = defaultdict(int)
    for r in results:
        docs[f"{r['type']}/{r['tier']}"] += 1
        docs[f"all/{r['tier']}"] += 1
    for key in sorted(summary["by_tier"], key=_tier_key):
        t = summary["by_tier"][key]
        tier = key.split("/")[1]
        goal = GOALS.get(tier)
        met = "" if goal is None else (f"{goal} % {'met' if t.pct(t.exact) >= goal else 'NOT met'}")
        base = (f"{t.pct(t.base_exact):.1f} % | {t.cer(t.base_edits):.1f} %" if has_base
                else "- | -")
        lines.append(
            f"| {key} | {docs[key]} | {t.n} | {t.pct(t.exact):.1f} % | {t.cer(t.edits):.2f} % | "
            f"{t.pct(t.low):.1f} % | {t.low_right} ({t.pct(t.low_right):.1f} %) | "
            f"{t.confident_wrong} ({t.pct(t.confident_wrong):.2f} %) | {base} | {met} |")
    every = Tally()
    for key, t in summary["by_tier"].items():
        if key.startswith("all/"):
            for name in ("n", "exact", "low", "low_right", "confident_wrong"):
                setattr(every, name, getattr(every, name) + getattr(t, name))
    lines.append(
        f"\nAll fields: {every.n}; confident but wrong {every.confident_wrong} "
        f"({every.pct(every.confident_wrong):.2f} %, goal < {CONFIDENT_WRONG_GOAL} %); "
        f"low confidence {every.low} ({every.pct(every.low):.1f} %), of which right "
        f"{every.low_right}.\n")
    lines += _speed(results)
    lines += _flags(results, summary)
    lines += ["## Per field (type, field, tier): worst first\n",
              "| type | field | tier | n | exact | CER | low conf | low but right | "
              "confident but wrong | baseline exact |", "|---|---|---|---|---|---|---|---|---|---|"]
    rows = sorted(summary["by_field"].items(),
                  key=lambda kv: (kv[1].exact / kv[1].n, kv[0]))
    for (doc_type, name, tier), t in rows:
        if t.exact == t.n and t.low == 0 and len(rows) > 60:
            continue  # perfect rows are summarised below to keep the table readable
        lines.append(f"| {doc_type} | {name} | {tier} | {t.n} | {t.pct(t.exact):.1f} % | "
                     f"{t.cer(t.edits):.2f} % | {t.pct(t.low):.1f} % | {t.low_right} | "
                     f"{t.confident_wrong} | {t.pct(t.base_exact):.1f} % |")
    perfect = [f"{d}:{n}:{tier}" for (d, n, tier), t in rows if t.exact == t.n and t.low == 0]
    if perfect and len(rows) > 60:
        lines.append(f"\nEvery field exact and confident ({len(perfect)} type/field/tier rows): "
                     + ", ".join(perfect) + "\n")
    wrong = [(k, t) for k, t in summary["by_field"].items() if t.examples]
    if wrong:
        lines += ["\n## Confident but wrong: examples\n"]
        for (doc_type, name, tier), t in sorted(wrong):
            lines.append(f"- {doc_type} {name} ({tier}): " + "; ".join(t.examples))
    return "\n".join(lines) + "\n"


def _speed(results: list[dict[str, Any]]) -> list[str]:
    lines = ["## Speed and memory\n",
             "| tier | docs | s/page median | s/page p90 | s/page max | baseline s/page median | "
             "ocr ms median | preprocess ms median |", "|---|---|---|---|---|---|---|---|"]
    others = sorted({r["tier"] for r in results} - set(TIER_ORDER))
    for tier in (*TIER_ORDER, *others):
        rows = [r for r in results if r["tier"] == tier]
        if not rows:
            continue
        per_page = sorted(r["seconds"] / r["pages"] for r in rows)
        base = [r["baseline_seconds"] for r in rows if "baseline_seconds" in r]
        ocr = [r["timings_ms"].get("ocr", 0.0) for r in rows]
        prep = [r["timings_ms"].get("preprocess", 0.0) for r in rows]
        lines.append(
            f"| {tier} | {len(rows)} | {statistics.median(per_page):.2f} | "
            f"{per_page[int(0.9 * (len(per_page) - 1))]:.2f} | {per_page[-1]:.2f} | "
            f"{statistics.median(base) if base else float('nan'):.2f} | "
            f"{statistics.median(ocr):.0f} | {statistics.median(prep):.0f} |")
    rss = max(r["rss_mb"] for r in results)
    lines.append(f"\nPeak resident memory of a worker process: {rss:.0f} MB (the pipeline, and "
                 "rapidocr's models once a photo or a low-confidence field needed them; "
                 "tesseract runs as a separate process of ~100-200 MB). "
                 "Seconds are wall time of one document in one process with OMP_THREAD_LIMIT=1 "
                 "and one onnxruntime thread, while the other workers run beside it.\n")
    return lines


def _flags(results: list[dict[str, Any]], summary: dict[str, Any]) -> list[str]:
    lines = ["## Flags against ground truth\n",
             "| submissions/tier | n | clear | review | mismatch |", "|---|---|---|---|---|"]
    for key, counts in sorted(summary["flags"].items()):
        n = sum(counts.values())
        lines.append(f"| {key} | {n} | {counts['clear']} | {counts['review']} | "
                     f"{counts['mismatch']} |")
    contradicting = [r for r in results if r["variant"] != "truthful"]
    false_clear = [r["app"] for r in contradicting if r["flag"] == Flag.CLEAR.value]
    truthful = [r for r in results if r["variant"] == "truthful"]
    cleared = [r for r in truthful if r["flag"] == Flag.CLEAR.value]
    return lines + [
        f"\ncontradicting caught (not clear): {len(contradicting) - len(false_clear)}/"
        f"{len(contradicting)}; false clear: {len(false_clear)} {false_clear}",
        f"truthful cleared: {len(cleared)}/{len(truthful)}\n"]


def as_json(results: list[dict[str, Any]], summary: dict[str, Any]) -> dict[str, Any]:
    def tally(t: Tally) -> dict[str, Any]:
        return {"n": t.n, "exact": t.exact, "cer": round(t.cer(t.edits), 3), "low": t.low,
                "low_but_right": t.low_right, "confident_but_wrong": t.confident_wrong,
                "baseline_exact": t.base_exact, "baseline_cer": round(t.cer(t.base_edits), 3)}

    return {
        "by_tier": {k: tally(t) for k, t in summary["by_tier"].items()},
        "by_field": [{"type": d, "field": n, "tier": tier, **tally(t)}
                     for (d, n, tier), t in sorted(summary["by_field"].items())],
        "documents": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=450, help="documents (150 per tier)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--set", type=Path, default=None, help="an existing generated set")
    parser.add_argument("--types", default="kk,akta_kelahiran,f2_01",
                        help="comma list of document types to generate")
    parser.add_argument("--no-baseline", action="store_true", help="skip the naive baseline")
    args = parser.parse_args()
    from samples.generate import generate

    os.environ["OMP_THREAD_LIMIT"] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.set or Path(tmp)
        if args.set is None:
            generate(folder, count=args.count, seed=args.seed, types=args.types.split(","))
        started = time.perf_counter()
        folders = application_folders(folder)
        with ProcessPoolExecutor(args.workers) as pool:
            results = list(pool.map(run_one, folders, [not args.no_baseline] * len(folders)))
        wall = time.perf_counter() - started
    floor = load_ruleset().thresholds.confidence.review_below
    summary = summarise(results, floor)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "accuracy.md").write_text(render(results, summary, wall, floor, args.workers))
    (args.out / "accuracy.json").write_text(
        json.dumps(as_json(results, summary), indent=1, default=str))
    print((args.out / "accuracy.md").read_text())


if __name__ == "__main__":
    main()
