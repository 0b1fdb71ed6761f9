"""Benchmark: does the flag tell a verifier the truth? False clears, catches, truthful clears.

    python -m benchmarks.flags --count 300 --seed 21 --out bench-results
    python -m benchmarks.flags --calibrate            # small tuning set, seed 5, never seed 21

Generates synthetic applications (samples.generate: tiers clean/scan/photo, KK and akta),
with every fourth contradicting application of a type turned into one of the extra kinds
(samples.submissions.EXTRA_KINDS: a wrong kecamatan typed, a document contradicting itself),
reads each with the real pipeline (accept + read_document + evaluate, no storage, 2 worker
processes) and writes flags.md + flags.json: false clears with their change, contradictions
caught, truthful cleared per tier against the goals, the truthful/contradicting x flag table
per tier, and for each contradiction kind what caught it. Thresholds are tuned on the
calibration seed only; the measurement seed is never used for tuning.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.batch import uploads_in
from pipeline.read import read_document
from pipeline.records import CheckOutcome, Outcome, Severity
from pipeline.run import accept
from pipeline.settings import Settings
from rules import evaluate, load_ruleset
from samples.generate import TYPES as DEFAULT_TYPES, Spec, generate_one, plan
from samples.submissions import EXTRA_KINDS

MEASURE_SEED = 21
CALIBRATION_SEED = 5
CALIBRATION_COUNT = 24
EXTRA_EVERY = 4  # every 4th contradicting application of a type gets an extra kind
GOALS = {"clean": 95.0, "scan": 90.0, "photo": 75.0}  # truthful cleared, percent
TIERS = ("clean", "scan", "photo")
FLAGS = ("clear", "review", "mismatch")
_INDEX = re.compile(r"\[\d+\]")


def specs(count: int, seed: int, types: tuple[str, ...] = DEFAULT_TYPES,
          with_kk: bool = False) -> list[Spec]:
    """plan()'s applications, with every EXTRA_EVERY-th contradiction of a type replaced by
    the next extra kind of that type (deterministic: the same seed gives the same set)."""
    seen: Counter[str] = Counter()
    out = []
    for spec in plan(count, seed, types=types, with_kk=with_kk):
        if spec.variant != "truthful":
            seen[spec.document_type] += 1
            n = seen[spec.document_type]
            extra = EXTRA_KINDS.get(spec.document_type, ())
            if extra and n % EXTRA_EVERY == 0:
                kind = extra[(n // EXTRA_EVERY - 1) % len(extra)]
                spec = replace(spec, variant=f"contradict:{kind}")
        out.append(spec)
    return out


def _generate(args: tuple[Path, Spec, int]) -> Path:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    return generate_one(*args)


def run_one(app_dir: Path) -> dict[str, Any]:
    """Read and check one application; the flag and every signal that moved it."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    settings = Settings()
    truth = json.loads((app_dir / "truth.json").read_text())
    started = time.perf_counter()
    submission, checked = accept(uploads_in(app_dir),
                                 (app_dir / "submission.json").read_bytes(), settings)
    documents = [read_document(upload, settings).document for upload in checked]
    evaluation = evaluate(submission, documents, load_ruleset())
    comparisons = {c.field: c.outcome.value for c in evaluation.comparisons
                   if c.outcome != Outcome.MATCH}
    checks = sorted({f"{c.rule}:{c.outcome.value}" for c in evaluation.checks
                     if c.outcome in (CheckOutcome.FAIL, CheckOutcome.WARN)
                     and c.severity != Severity.INFO})
    return {
        "app": app_dir.name, "type": truth["document_type"], "tier": truth["tier"],
        "variant": truth["variant"], "change": truth.get("change"),
        "flag": evaluation.flag.value, "seconds": round(time.perf_counter() - started, 2),
        "comparisons": comparisons, "checks": checks, "reasons": evaluation.reasons,
    }


def caught_by(result: dict[str, Any]) -> list[str]:
    """What flagged a contradiction: the changed field's comparison, then failing checks."""
    change = result.get("change") or {}
    signals = []
    outcome = result["comparisons"].get(change.get("field", ""))
    if outcome:
        signals.append(f"comparison {outcome}")
    signals += [f"check {c}" for c in result["checks"]]
    return signals


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[str, dict[str, Any]] = defaultdict(lambda: {"flags": Counter(),
                                                            "signals": Counter()})
    truthful_causes: Counter[str] = Counter()
    for r in results:
        truthful = r["variant"] == "truthful"
        table[f"{'truthful' if truthful else 'contradicting'}/{r['tier']}"][r["flag"]] += 1
        if truthful:
            if r["flag"] != "clear":
                truthful_causes.update({_INDEX.sub("[]", f"{f}: {o}")
                                        for f, o in r["comparisons"].items()})
                truthful_causes.update(f"check {c}" for c in r["checks"])
            continue
        kind = f"{r['type']}/{r['variant'].split(':', 1)[1]}"
        kinds[kind]["flags"][r["flag"]] += 1
        kinds[kind]["signals"].update(set(caught_by(r)))
    false_clear = [r for r in results if r["variant"] != "truthful" and r["flag"] == "clear"]
    return {"table": table, "kinds": kinds, "false_clear": false_clear,
            "truthful_causes": truthful_causes}


def render(results: list[dict[str, Any]], summary: dict[str, Any], seed: int, wall: float,
           calibration: bool) -> str:
    contradicting = [r for r in results if r["variant"] != "truthful"]
    false_clear = summary["false_clear"]
    purpose = "calibration (threshold tuning)" if calibration else "measurement"
    lines = [
        "# periksa flag benchmark\n",
        f"{len(results)} applications, seed {seed} ({purpose}); calibration seed "
        f"{CALIBRATION_SEED}, measurement seed {MEASURE_SEED} (never the same). "
        f"Wall {wall:.0f} s with 2 worker processes, OMP_THREAD_LIMIT=1.\n",
        f"**False clears: {len(false_clear)}** (goal 0)" + ("" if not false_clear else ":"),
    ]
    lines += [f"- {r['app']} {r['variant']} change {json.dumps(r['change'], ensure_ascii=False)}"
              for r in false_clear]
    lines.append(f"\nContradictions caught (review or mismatch): "
                 f"{len(contradicting) - len(false_clear)}/{len(contradicting)}\n")
    lines += ["## Truthful applications cleared, per tier\n",
              "| tier | truthful | cleared | % | goal | met |", "|---|---|---|---|---|---|"]
    for tier in TIERS:
        counts = summary["table"].get(f"truthful/{tier}", Counter())
        n = sum(counts.values())
        pct = 100 * counts["clear"] / n if n else 0.0
        met = "yes" if n and pct >= GOALS[tier] else "no"
        lines.append(f"| {tier} | {n} | {counts['clear']} | {pct:.1f} | "
                     f">= {GOALS[tier]:.0f} | {met} |")
    lines += ["\n## Flags by submission and tier\n",
              "| submissions/tier | n | clear | review | mismatch |", "|---|---|---|---|---|"]
    for kind in ("truthful", "contradicting"):
        for tier in TIERS:
            counts = summary["table"].get(f"{kind}/{tier}", Counter())
            lines.append(f"| {kind}/{tier} | {sum(counts.values())} | "
                         + " | ".join(str(counts[f]) for f in FLAGS) + " |")
    lines += ["\n## How each contradiction kind was flagged\n",
              "| kind | n | clear | review | mismatch | caught by (apps) |",
              "|---|---|---|---|---|---|"]
    for kind, data in sorted(summary["kinds"].items()):
        flags = data["flags"]
        top = ", ".join(f"{s} ({n})" for s, n in data["signals"].most_common(4))
        lines.append(f"| {kind} | {sum(flags.values())} | "
                     + " | ".join(str(flags[f]) for f in FLAGS) + f" | {top} |")
    lines += ["\n## Why truthful applications were not cleared (signals, apps)\n"]
    lines += [f"- {cause}: {n}" for cause, n in summary["truthful_causes"].most_common(15)]
    return "\n".join(lines) + "\n"


def run(count: int, seed: int, out: Path, workers: int, calibration: bool,
        types: tuple[str, ...] = DEFAULT_TYPES, with_kk: bool = False) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        with ProcessPoolExecutor(workers) as pool:
            folders = list(pool.map(_generate, [(folder, s, seed)
                                                for s in specs(count, seed, types, with_kk)]))
            results = list(pool.map(run_one, folders))
        wall = time.perf_counter() - started
    summary = summarise(results)
    name = "flags-calibration" if calibration else "flags"
    out.mkdir(parents=True, exist_ok=True)
    text = render(results, summary, seed, wall, calibration)
    (out / f"{name}.md").write_text(text)
    (out / f"{name}.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.flags", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--types", default=",".join(DEFAULT_TYPES),
                        help="document types, e.g. f2_01 (default: kk,akta_kelahiran)")
    parser.add_argument("--with-kk", action="store_true",
                        help="F-2.01 applications also upload the family's KK")
    parser.add_argument("--calibrate", action="store_true",
                        help=f"tuning run on seed {CALIBRATION_SEED} (flags-calibration.md)")
    args = parser.parse_args(argv)
    if args.calibrate:
        seed, count = args.seed or CALIBRATION_SEED, args.count or CALIBRATION_COUNT
        if seed == MEASURE_SEED:
            parser.error(f"seed {MEASURE_SEED} is the measurement seed: never tune on it")
    else:
        seed, count = (MEASURE_SEED if args.seed is None else args.seed), args.count or 300
        if seed == CALIBRATION_SEED:
            parser.error(f"seed {CALIBRATION_SEED} is the calibration seed: measure on another")
    types = tuple(t.strip() for t in args.types.split(",") if t.strip())
    print(run(count, seed, args.out, args.workers, args.calibrate, types, args.with_kk))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
