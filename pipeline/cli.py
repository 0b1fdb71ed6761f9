"""`periksa`: the command line. The one place (with web/) that turns errors into exit codes.

    periksa verify FILE [FILE ...] --submitted SUBMISSION.json [--json]
    periksa ingest DIR
    periksa replay SUBMISSION_ID [--ruleset FILE] [--json]

Exit status (contract): 0 a report was produced, 2 the input was refused (one line on
stderr says why), 1 an internal error.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline.errors import InputRefused, PeriksaError
from pipeline.ingest import Upload
from pipeline.records import Report
from pipeline.settings import Settings

RET_OK = 0
RET_INTERNAL = 1
RET_REFUSED = 2

log = logging.getLogger("periksa")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    command: Callable[[argparse.Namespace, Settings], int] = args.command
    try:
        return command(args, Settings())
    except InputRefused as exc:
        print(f"periksa: refused ({exc.code}): {exc.message}", file=sys.stderr)
        return RET_REFUSED
    except PeriksaError as exc:
        print(f"periksa: error ({exc.code}): {exc.message}", file=sys.stderr)
        return exc.exit_code
    except Exception:
        log.exception("internal error")
        return RET_INTERNAL


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.run import verify
    from pipeline.stores import open_stores

    uploads = [_read_upload(Path(f)) for f in args.files]
    submission = _read_bytes(Path(args.submitted), "submission")
    report = verify(uploads, submission, settings, open_stores(settings))
    print(json.dumps(report.to_contract(), ensure_ascii=False, indent=2) if args.json
          else _summary(report))
    return RET_OK


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.batch import ingest_folder

    for line in ingest_folder(Path(args.folder), settings, workers=args.workers):
        print(line, flush=True)
    return RET_OK


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.replay import replay
    from pipeline.stores import open_stores
    from rules import load_ruleset

    ruleset = load_ruleset(Path(args.ruleset)) if args.ruleset else None
    result = replay(open_stores(settings), args.submission_id, ruleset)
    if args.json:
        body = {"report": result.replayed.to_contract(), "differences": result.differences}
        print(json.dumps(body, ensure_ascii=False, indent=2))
        return RET_OK
    print(_summary(result.replayed))
    print("\ndifferences from the stored report:")
    print("\n".join(f"  {line}" for line in result.differences) or "  none")
    return RET_OK


def _read_upload(path: Path) -> Upload:
    return Upload(filename=path.name, data=_read_bytes(path, "file"))


def _read_bytes(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputRefused(f"cannot read {what} {path.name}: {exc.strerror}") from exc


def _summary(report: Report) -> str:
    """A verifier-readable summary: flag, reasons, then submitted / read / outcome."""
    lines = [f"flag: {report.flag.value if report.flag else '-'}   ({report.submission_id})"]
    lines += [f"  - {reason}" for reason in report.reasons] or ["  (no reasons: all agrees)"]
    lines.append("")
    lines.append(f"{'field':<50} {'submitted':<28} {'read':<28} outcome")
    for c in report.comparisons:
        lines.append(f"{c.field:<50} {_cell(c.submitted):<28} {_cell(c.extracted):<28} {c.outcome.value}")
    failing = [c for c in report.checks if c.outcome.value in {"fail", "warn"}]
    if failing:
        lines.append("")
        lines += [f"check {c.rule} [{c.subject}]: {c.outcome.value} {c.message}" for c in failing]
    lines.append(f"\nruleset {report.ruleset_version[:19]}  timings {report.timings_ms}")
    return "\n".join(lines)


def _cell(value: object) -> str:
    text = "-" if value is None else str(value)
    return text if len(text) <= 27 else text[:26] + "…"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="periksa", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(required=True)
    verify = sub.add_parser("verify", help="check files against what the applicant submitted")
    verify.add_argument("files", nargs="+", metavar="FILE")
    verify.add_argument("--submitted", required=True, metavar="SUBMISSION.json")
    verify.add_argument("--json", action="store_true", help="print the contract's report as JSON")
    verify.set_defaults(command=_verify)
    ingest = sub.add_parser("ingest", help="process every application folder under DIR")
    ingest.add_argument("folder", metavar="DIR")
    ingest.add_argument("--workers", type=int, default=None, help="reading processes (default: settings)")
    ingest.set_defaults(command=_ingest)
    replay = sub.add_parser("replay", help="re-run the rules on a stored extraction (no OCR)")
    replay.add_argument("submission_id", metavar="SUBMISSION_ID")
    replay.add_argument("--ruleset", metavar="FILE", help="another ruleset (default: the report's own)")
    replay.add_argument("--json", action="store_true")
    replay.set_defaults(command=_replay)
    return parser


if __name__ == "__main__":
    sys.exit(main())
