"""A folder of applications, processed the way an intake service would send them.

Each application is a sub-folder holding its files and a `submission.json` (a `truth.json`
beside them, as the sample generator writes, is ignored). Reading runs in worker processes;
records are written here, in this process, in arrival order of the results.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from pipeline.errors import InputRefused, PeriksaError
from pipeline.ingest import Upload
from pipeline.records import Report, Submission
from pipeline.read import ReadResult
from pipeline.run import accept, conclude, fail, read_all, receive, start
from pipeline.settings import Settings
from pipeline.stores import Stores, open_stores
from rules import Ruleset, load_ruleset

NOT_UPLOADS = {"submission.json", "truth.json"}


def application_folders(folder: Path) -> list[Path]:
    """Sub-folders with a submission.json, sorted; the folder itself if it is one."""
    if (folder / "submission.json").is_file():
        return [folder]
    return sorted(p.parent for p in folder.glob("*/submission.json"))


def uploads_in(folder: Path) -> list[Upload]:
    return [
        Upload(filename=p.name, data=p.read_bytes())
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name not in NOT_UPLOADS and not p.name.startswith(".")
    ]


def ingest_folder(folder: Path, settings: Settings, *, workers: int | None = None) -> Iterator[str]:
    """Process every application under `folder`; yield one line per application."""
    stores = open_stores(settings)
    ruleset = load_ruleset(settings.ruleset_path)
    workers = workers or settings.ocr_processes
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: list[tuple[Path, str, Submission, Future[list[ReadResult]]]] = []
        for app_dir in application_folders(folder):
            try:
                submission, checked = accept(
                    uploads_in(app_dir), (app_dir / "submission.json").read_bytes(), settings)
            except InputRefused as exc:
                yield f"{app_dir.name:<28} refused   {exc.code}: {exc.message}"
                continue
            application_id = receive(stores, submission, checked)
            start(stores, application_id)
            pending.append((app_dir, application_id, submission,
                            pool.submit(read_all, checked, settings)))
            while len(pending) > 2 * workers:
                yield _finish(stores, ruleset, settings, *pending.pop(0))
        for item in pending:
            yield _finish(stores, ruleset, settings, *item)


def _finish(
    stores: Stores, ruleset: Ruleset, settings: Settings, app_dir: Path, application_id: str,
    submission: Submission, future: Future[list[ReadResult]],
) -> str:
    """Conclude one application; a failure is recorded and reported, the batch goes on."""
    try:
        results = future.result()
    except Exception as exc:  # the worker's error, already typed where periksa raised it
        fail(stores, application_id, exc)
        return _failed_line(app_dir, exc)
    try:
        report = conclude(stores, application_id, submission, results, ruleset,
                          qa_share=settings.qa_sample_share)
    except Exception as exc:  # conclude has recorded the failure
        return _failed_line(app_dir, exc)
    return f"{app_dir.name:<28} {report.flag.value if report.flag else '-':<9} {main_reason(report)}"


def _failed_line(app_dir: Path, exc: Exception) -> str:
    code = exc.code if isinstance(exc, PeriksaError) else "internal_error"
    return f"{app_dir.name:<28} failed    {code}: {exc}"


def main_reason(report: Report) -> str:
    return report.reasons[0] if report.reasons else "semua data sesuai dokumen"
