"""`periksa`: the command line. The one place (with web/) that turns errors into exit codes.

    periksa verify FILE [FILE ...] --submitted SUBMISSION.json [--json]
    periksa ingest DIR
    periksa replay SUBMISSION_ID [--ruleset FILE] [--json]
    periksa serve | users add NAME --role R [--office O] | keys create --name N --role R

Exit status (contract): 0 a report was produced, 2 the input was refused (one line on
stderr says why), 1 an internal error.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
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

    from pipeline.submission import parse_submission
    from pipeline.translate import in_language
    from rules import load_ruleset

    uploads = [_read_upload(Path(f)) for f in args.files]
    submission = _read_bytes(Path(args.submitted), "submission")
    ruleset = load_ruleset(settings.ruleset_path)
    report = verify(uploads, submission, settings, open_stores(settings), ruleset=ruleset)
    if args.lang != ruleset.language:  # stored as the ruleset says; shown re-rendered
        report = in_language(report, parse_submission(submission), ruleset, args.lang)
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


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.worker import run_workers

    logging.getLogger().setLevel(logging.INFO if args.verbose else logging.WARNING)
    return run_workers(settings, args.processes, args.threads, metrics_port=args.metrics_port,
                       metrics_addr=args.metrics_addr)


def _doctor(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.doctor import diagnose

    findings = diagnose(settings)
    for finding in findings:
        print(finding.line())
    return RET_OK if all(f.ok for f in findings) else RET_INTERNAL


def _sweep(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.broker import make_broker
    from pipeline.sweep import failed_lines, rerun_failed, sweep
    from pipeline.tasks import bind

    pipeline = bind(make_broker(settings.broker_url), settings)
    if args.failed:
        print("\n".join(failed_lines(pipeline)) or "no failed applications")
    elif args.rerun is not None:
        print(f"re-sent {len(rerun_failed(pipeline, args.rerun))} failed applications")
    else:
        print(sweep(pipeline, args.older_than).line())
    return RET_OK


def _submit(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.batch import application_folders, uploads_in
    from pipeline.broker import make_broker
    from pipeline.tasks import bind, submit, wait_settled

    pipeline = bind(make_broker(settings.broker_url), settings)
    ids = []
    for app_dir in application_folders(Path(args.folder)):
        submitted = (app_dir / "submission.json").read_bytes()
        key = f"{args.key_prefix}{app_dir.name}" if args.key_prefix else None
        try:
            ids.append(submit(pipeline, uploads_in(app_dir), submitted, idempotency_key=key))
        except InputRefused as exc:
            print(f"{app_dir.name:<28} refused   {exc.code}: {exc.message}")
            continue
        print(f"{app_dir.name:<28} submitted {ids[-1]}", flush=True)
    if args.wait:
        found = wait_settled(pipeline.stores, ids, args.wait)
        print(" ".join(f"{s}={n}" for s, n in sorted(Counter(found.values()).items())))
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
    verify.add_argument("--lang", choices=("id", "en"), default="id",
                        help="language of reasons and check messages (default: id)")
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
    worker = sub.add_parser("worker", help="run dramatiq workers for PERIKSA_BROKER_URL")
    worker.add_argument("--processes", type=int, default=None)
    worker.add_argument("--threads", type=int, default=None)
    worker.add_argument("-v", "--verbose", action="store_true")
    worker.add_argument("--metrics-port", type=int, default=None, metavar="PORT",
                        help="serve the workers' Prometheus metrics on this port")
    worker.add_argument("--metrics-addr", default="127.0.0.1", metavar="ADDR",
                        help="address of the metrics server (default loopback)")
    worker.set_defaults(command=_worker)
    doctor = sub.add_parser("doctor", help="check every configured service")
    doctor.set_defaults(command=_doctor)
    sweep = sub.add_parser("sweep", help="re-send stuck work; list or re-run failed applications")
    sweep.add_argument("--older-than", type=float, default=None, metavar="SECONDS",
                       help="idle time that counts as stuck (default: settings)")
    sweep.add_argument("--failed", action="store_true", help="list the failed applications")
    sweep.add_argument("--rerun", nargs="*", default=None, metavar="ID",
                       help="re-run these failed applications (all when none given)")
    sweep.set_defaults(command=_sweep)
    submit = sub.add_parser("submit", help="store every application under DIR and enqueue it")
    submit.add_argument("folder", metavar="DIR")
    submit.add_argument("--wait", type=float, default=0, metavar="SECONDS",
                        help="then wait this long for every one to be flagged or failed")
    submit.add_argument("--key-prefix", default="", help="idempotency key = prefix + folder name")
    submit.set_defaults(command=_submit)
    from web.commands import add_commands  # serve, users add, keys create (the intake API)

    add_commands(sub)
    from web.demo import add_command as add_demo  # demo users + samples + the web app

    add_demo(sub)
    return parser


if __name__ == "__main__":
    sys.exit(main())
