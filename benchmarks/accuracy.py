"""Benchmark: field accuracy by degradation tier, flags against ground truth, seconds per document.

    python -m benchmarks.accuracy --count 60 --seed 7 --out bench-results

Generates a fresh synthetic set (samples/generate.py) from the seed, reads every document
with the real pipeline (no storage: reading and rules only), and writes
`accuracy.md` (tables quoted in issue notes) and `accuracy.json` under --out.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from pipeline.batch import application_folders, uploads_in
from pipeline.read import read_document
from pipeline.records import Field, Flag
from pipeline.run import accept
from pipeline.settings import Settings
from rules import evaluate, load_ruleset


def run_one(app_dir: Path) -> dict[str, Any]:
    """Read and check one generated application; compare with its truth."""
    settings = Settings()
    truth = json.loads((app_dir / "truth.json").read_text())
    started = time.perf_counter()
    submission, checked = accept(uploads_in(app_dir), (app_dir / "submission.json").read_bytes(), settings)
    documents = [read_document(upload, settings).document for upload in checked]
    evaluation = evaluate(submission, documents, load_ruleset())
    seconds = time.perf_counter() - started
    fields = documents[0].fields if documents else {}
    return {
        "app": app_dir.name, "type": truth["document_type"], "tier": truth["tier"],
        "variant": truth["variant"], "flag": evaluation.flag.value, "seconds": seconds,
        "classified": documents[0].document_type.value if documents else None,
        "fields": list(compare_fields(truth["fields"], fields)),
    }


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
        confidence = read.confidence if isinstance(read, Field) else 0.0
        # a printed "-" is an empty cell: the right reading is no value at all
        yield (path, None if truth == "-" else truth, value, confidence)


def field_name(path: str) -> str:
    """`anggota_keluarga[3].nik` -> `anggota_keluarga[].nik`, to pool rows."""
    import re

    return re.sub(r"\[\d+\]", "[]", path)


def summarise(results: list[dict[str, Any]], floor: float) -> dict[str, Any]:
    by_tier: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # right, total, confident-wrong
    by_field: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in results:
        for path, truth, value, confidence in r["fields"]:
            right = str(value) == str(truth)
            key = f"{r['type']}/{r['tier']}"
            by_tier[key][0] += right
            by_tier[key][1] += 1
            by_tier[key][2] += (not right) and confidence >= floor
            by_field[(r["type"], field_name(path))][0] += right
            by_field[(r["type"], field_name(path))][1] += 1
    flags: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in results:
        kind = "truthful" if r["variant"] == "truthful" else "contradicting"
        flags[f"{kind}/{r['tier']}"][r["flag"]] += 1
    return {"by_tier": by_tier, "by_field": by_field, "flags": flags}


def render(results: list[dict[str, Any]], summary: dict[str, Any], wall: float) -> str:
    seconds = [r["seconds"] for r in results]
    lines = [f"# periksa accuracy benchmark\n\n{len(results)} applications, "
             f"wall {wall:.0f} s, per document median {statistics.median(seconds):.2f} s, "
             f"max {max(seconds):.2f} s (1 process each, OMP_THREAD_LIMIT=1)\n",
             "## Field exact-match accuracy by document type and tier\n",
             "| type/tier | fields | exact | accuracy | confident but wrong |", "|---|---|---|---|---|"]
    for key, (right, total, wrong_conf) in sorted(summary["by_tier"].items()):
        lines.append(f"| {key} | {total} | {right} | {100 * right / total:.1f} % | {wrong_conf} |")
    lines += ["\n## Flags\n", "| submissions/tier | n | clear | review | mismatch |", "|---|---|---|---|---|"]
    for key, counts in sorted(summary["flags"].items()):
        n = sum(counts.values())
        lines.append(f"| {key} | {n} | {counts['clear']} | {counts['review']} | {counts['mismatch']} |")
    contradicting = [r for r in results if r["variant"] != "truthful"]
    false_clear = [r["app"] for r in contradicting if r["flag"] == Flag.CLEAR.value]
    truthful = [r for r in results if r["variant"] == "truthful"]
    cleared = [r for r in truthful if r["flag"] == Flag.CLEAR.value]
    lines += [f"\ncontradicting caught (not clear): {len(contradicting) - len(false_clear)}/{len(contradicting)}"
              f"; false clear: {len(false_clear)} {false_clear}",
              f"truthful cleared: {len(cleared)}/{len(truthful)}\n",
              "## Field accuracy (lowest first)\n", "| type | field | n | accuracy |", "|---|---|---|---|"]
    rows = sorted(summary["by_field"].items(), key=lambda kv: kv[1][0] / kv[1][1])
    for (doc_type, name), (right, total) in rows[:25]:
        lines.append(f"| {doc_type} | {name} | {total} | {100 * right / total:.1f} % |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--set", type=Path, default=None, help="an existing generated set")
    args = parser.parse_args()
    from samples.generate import generate

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.set or Path(tmp)
        if args.set is None:
            generate(folder, count=args.count, seed=args.seed)
        started = time.perf_counter()
        with ProcessPoolExecutor(args.workers) as pool:
            results = list(pool.map(run_one, application_folders(folder)))
        wall = time.perf_counter() - started
    summary = summarise(results, load_ruleset().thresholds.confidence.review_below)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "accuracy.md").write_text(render(results, summary, wall))
    (args.out / "accuracy.json").write_text(json.dumps(results, indent=1, default=str))
    print((args.out / "accuracy.md").read_text())


if __name__ == "__main__":
    main()
