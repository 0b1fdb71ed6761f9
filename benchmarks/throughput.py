"""Throughput of the distributed path: N generated applications through Redis + PostgreSQL +
local blobs with 1 and with 2 `periksa worker` processes, against raw tesseract on the same
pages in the same run.

    python -m benchmarks.throughput [--count 200] [--seed 41] [--workers 1,2] [--out DIR]

Per worker count: pages per minute (first `status.processing` to last `status.flagged`,
from the audit chain, so worker boot is not counted), upload -> flag median and p95 (every
application is submitted first, so this includes waiting in the backlog) and processing ->
flag (the time an application spends being worked on), peak RSS per worker process (VmHWM
of each worker's Python process; the tesseract it runs is counted separately), and rows
written to PostgreSQL per application (pg_stat_database). Raw tesseract: the same page
images, `tesseract IMG stdout -l ind --psm 3 --dpi D tsv` with OMP_THREAD_LIMIT=1, as many
at once as there are workers; overhead = raw pages/min / pipeline pages/min.

Services: a private redis-server on a free port (in memory only) and a fresh database on the
PostgreSQL of PERIKSA_BENCH_POSTGRES (default postgresql+psycopg://postgres@127.0.0.1:5432/
postgres), dropped afterwards. Results: DIR/throughput.md and DIR/throughput.json, with a
scale table (one office of 500 applications a day, 30 offices, 514 kabupaten/kota) derived
from the measured cost per page.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from benchmarks.flags import _generate, specs
from extractors.pages import load_pages
from pipeline.batch import uploads_in
from pipeline.broker import make_broker
from pipeline.run import accept
from pipeline.settings import Settings
from pipeline.tasks import bind, submit, wait_settled
from storage.stats import percentile
from storage.pages import failed
from storage.tables import Application, AuditEvent, Report
from storage.work import PageWork

PG_ADMIN = os.environ.get("PERIKSA_BENCH_POSTGRES",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
TYPES = ("kk", "akta_kelahiran")
GOALS = {"pages_per_min_2": 50.0, "scaling": 1.8, "overhead": 1.2, "rss_mb": 500.0,
         "minutes_for_500": 15.0}
# scale table: working day over which an office's intake arrives, and the peak-hour factor
WORKDAY_H, PEAK, TARGET_UTILISATION = 8.0, 2.0, 0.75
SCENARIOS = (("1 office", 1), ("30 offices", 30), ("514 kabupaten/kota", 514))
APPS_PER_OFFICE_DAY = 500


@dataclass
class Run:
    workers: int
    applications: int
    pages: int
    flagged: int
    failed: int
    submit_s: float
    window_s: float
    pages_per_min: float
    upload_to_flag_median_s: float | None
    upload_to_flag_p95_s: float | None
    processing_to_flag_median_s: float | None
    processing_to_flag_p95_s: float | None
    ocr_ms_median: float | None
    work_s_median: float | None  # OCR of its pages + extract and rules, from the report timings
    failure_codes: dict[str, int] = field(default_factory=dict)
    peak_rss_mb: list[float] = field(default_factory=list)
    peak_tesseract_rss_mb: float = 0.0
    rows_written_per_app: float | None = None
    transactions_per_app: float | None = None


@dataclass
class Raw:
    parallel: int
    pages: int
    wall_s: float
    pages_per_min: float


# --- services -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Redis:
    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server not found")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise SystemExit("redis-server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()


class Database:
    """A fresh database on the PostgreSQL server, dropped by drop()."""

    def __init__(self) -> None:
        self.admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        self.name = f"periksa_bench_{secrets.token_hex(4)}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.url = make_url(PG_ADMIN).set(database=self.name).render_as_string(hide_password=False)

    def counters(self) -> tuple[int, int]:
        """(rows inserted + updated + deleted in periksa's tables, transactions committed) so
        far. Rows come from pg_stat_user_tables, so the TOAST chunks of large JSON (a page's
        words) are not counted as rows; commits from pg_stat_database include autovacuum's."""
        time.sleep(1.2)  # statistics reach the views at most ~1 s after a transaction
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(text(
                    "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                    "FROM pg_stat_user_tables")).scalar()
                commits = connection.execute(text(
                    "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
                )).scalar()
        finally:
            engine.dispose()
        return int(rows), int(commits)

    def drop(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


# --- the set and its pages ------------------------------------------------------------


def generate_set(out: Path, count: int, seed: int, processes: int) -> list[Path]:
    """Mixed KK and akta, every tier (clean, scan, photo), truthful and contradicting."""
    jobs = [(out, spec, seed) for spec in specs(count, seed, types=TYPES)]
    with ProcessPoolExecutor(processes) as pool:
        return list(pool.map(_generate, jobs))


def page_images(folders: list[Path], out: Path) -> list[tuple[Path, int]]:
    """Every page as the upload decodes it (PNG file, dpi), for the raw tesseract runs."""
    settings, pages = Settings(), []
    out.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        _, checked = accept(uploads_in(folder), (folder / "submission.json").read_bytes(),
                            settings)
        for n, upload in enumerate(checked):
            for loaded in load_pages(upload.data, upload.media_type, settings):
                if loaded.text is not None:
                    continue  # a text layer: neither path OCRs it
                path = out / f"{folder.name}-{n}-{loaded.image.number}.png"
                cv2.imwrite(str(path), loaded.image.pixels)
                pages.append((path, loaded.image.dpi))
    return pages


# --- raw tesseract ----------------------------------------------------------------------


def raw_tesseract(pages: list[tuple[Path, int]], parallel: int, lang: str = "ind") -> Raw:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")

    def one(page: tuple[Path, int]) -> None:
        path, dpi = page
        subprocess.run(["tesseract", str(path), "stdout", "-l", lang, "--psm", "3", "--dpi",
                        str(dpi), "tsv"], env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    started = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(one, pages))
    wall = time.perf_counter() - started
    return Raw(parallel, len(pages), round(wall, 1), round(len(pages) / wall * 60, 1))


# --- the distributed path ---------------------------------------------------------------


class RssSampler(threading.Thread):
    """Peak VmHWM of each worker's Python process and peak RSS of any tesseract under it."""

    def __init__(self, root_pid: int, workers: int) -> None:
        super().__init__(daemon=True)
        self.root, self.workers = root_pid, workers
        self.python_peak: dict[int, float] = {}
        self.tesseract_peak = 0.0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.5):
            self.sample()

    def sample(self) -> None:
        tree = _descendants(self.root)
        pythons = [self.root] if self.workers == 1 else [p for p in tree if _is_python(p)]
        for pid in pythons:
            self.python_peak[pid] = max(self.python_peak.get(pid, 0.0), _status_mb(pid, "VmHWM"))
        for pid in tree:
            if not _is_python(pid):
                self.tesseract_peak = max(self.tesseract_peak, _status_mb(pid, "VmRSS"))


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _is_python(pid: int) -> bool:
    try:
        return "python" in Path(f"/proc/{pid}/comm").read_text()
    except OSError:
        return False


def _status_mb(pid: int, key: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def distributed(folders: list[Path], workers: int, redis: Redis, scratch: Path,
                timeout_s: float) -> Run:
    database = Database()
    try:
        settings = Settings(data_dir=scratch / f"var-{workers}", database_url=database.url,
                            broker_url=redis.url, blob_url=(scratch / f"blobs-{workers}").as_uri())
        pipeline = bind(make_broker(settings.broker_url), settings)
        pipeline.broker.flush_all()
        pipeline.stores  # noqa: B018 - schema now, not counted as work
        rows_before, commits_before = database.counters()
        started = time.perf_counter()
        ids = [submit(pipeline, uploads_in(f), (f / "submission.json").read_bytes(),
                      idempotency_key=f"bench-{workers}/{f.name}") for f in folders]
        submit_s = time.perf_counter() - started
        worker, sampler = _start_worker(settings, workers, scratch / f"worker-{workers}.log")
        try:
            found = wait_settled(pipeline.stores, ids, timeout_s=timeout_s, poll_s=1.0)
            sampler.sample()
        finally:
            sampler.stopped.set()
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=120)
            except subprocess.TimeoutExpired:
                worker.kill()
            pipeline.broker.close()
        rows_after, commits_after = database.counters()
        run = _measure(pipeline.stores, ids, workers, submit_s, found)
        run.peak_rss_mb = sorted(round(v, 1) for v in sampler.python_peak.values())
        run.peak_tesseract_rss_mb = round(sampler.tesseract_peak, 1)
        run.rows_written_per_app = round((rows_after - rows_before) / len(ids), 1)
        run.transactions_per_app = round((commits_after - commits_before) / len(ids), 1)
        return run
    finally:
        database.drop()


def _start_worker(settings: Settings, workers: int,
                  log_file: Path) -> tuple[subprocess.Popen[bytes], RssSampler]:
    env = dict(os.environ, OMP_THREAD_LIMIT="1", PERIKSA_DATA_DIR=str(settings.data_dir),
               PERIKSA_DATABASE_URL=settings.database_url, PERIKSA_BROKER_URL=settings.broker_url,
               PERIKSA_BLOB_URL=settings.blob_url)
    with log_file.open("ab") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "worker", "--processes", str(workers),
             "--threads", "1"], env=env, stdout=log, stderr=subprocess.STDOUT)
    sampler = RssSampler(worker.pid, workers)
    sampler.start()
    return worker, sampler


def _measure(stores: Any, ids: list[str], workers: int, submit_s: float,
             found: dict[str, str]) -> Run:
    with stores.sessions() as session:
        created = dict(session.execute(select(Application.id, Application.created_at)
                                       .where(Application.id.in_(ids))).all())
        events: dict[str, dict[str, Any]] = {}
        for application_id, kind, at in session.execute(
                select(AuditEvent.application_id, AuditEvent.kind, AuditEvent.at)
                .where(AuditEvent.application_id.in_(ids),
                       AuditEvent.kind.in_(["status.processing", "status.flagged"]))):
            events.setdefault(application_id, {}).setdefault(kind, at)
        pages = session.scalar(select(func.count()).select_from(PageWork)
                               .where(PageWork.application_id.in_(ids))) or 0
        ocr_ms = [float(ms) for ms in session.scalars(
            select(PageWork.ms).where(PageWork.application_id.in_(ids), PageWork.ms.is_not(None)))]
        work_s = [sum((body.get("timings_ms") or {}).values()) / 1000 for body in session.scalars(
            select(Report.body).where(Report.application_id.in_(ids)))]
        codes = Counter(code or "unknown" for application_id, _, code in failed(session)
                        if application_id in set(ids))
    flagged_at = {a: e["status.flagged"] for a, e in events.items() if "status.flagged" in e}
    processing_at = {a: e["status.processing"] for a, e in events.items()
                     if "status.processing" in e}
    window = ((max(flagged_at.values()) - min(processing_at.values())).total_seconds()
              if flagged_at and processing_at else float("nan"))
    upload = [(flagged_at[a] - created[a]).total_seconds() for a in flagged_at]
    working = [(flagged_at[a] - processing_at[a]).total_seconds() for a in flagged_at
               if a in processing_at]
    statuses = list(found.values())
    return Run(
        workers=workers, applications=len(ids), pages=pages, flagged=statuses.count("flagged"),
        failed=statuses.count("failed"), submit_s=round(submit_s, 1), window_s=round(window, 1),
        pages_per_min=round(pages / window * 60, 1) if window > 0 else 0.0,
        upload_to_flag_median_s=_r(percentile(upload, 50)),
        upload_to_flag_p95_s=_r(percentile(upload, 95)),
        processing_to_flag_median_s=_r(percentile(working, 50)),
        processing_to_flag_p95_s=_r(percentile(working, 95)),
        ocr_ms_median=_r(percentile(ocr_ms, 50)), work_s_median=_r(percentile(work_s, 50)),
        failure_codes=dict(codes),
    )


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- scale -----------------------------------------------------------------------------


def scale_table(best: Run, workers: int) -> list[dict[str, Any]]:
    """Workers, DB writes and broker messages for each scenario, from the measured costs."""
    core_s_per_page = workers * 60 / best.pages_per_min  # each worker process holds one core
    pages_per_app = best.pages / best.applications
    rows: list[dict[str, Any]] = []
    for name, offices in SCENARIOS:
        apps_day = APPS_PER_OFFICE_DAY * offices
        peak_apps_s = apps_day / (WORKDAY_H * 3600) * PEAK
        peak_pages_s = peak_apps_s * pages_per_app
        cores = max(1, math.ceil(peak_pages_s * core_s_per_page / TARGET_UTILISATION))
        rows.append({
            "scenario": name, "applications_per_day": apps_day,
            "pages_per_day": round(apps_day * pages_per_app),
            "peak_pages_per_s": round(peak_pages_s, 2),
            "worker_cores": cores,
            "db_rows_written_per_s": round(peak_apps_s * (best.rows_written_per_app or 0), 1),
            "db_transactions_per_s": round(peak_apps_s * (best.transactions_per_app or 0), 1),
            "broker_messages_per_s": round(peak_apps_s * (pages_per_app + 2), 2),
        })
    return rows


# --- report ----------------------------------------------------------------------------


def render(
    runs: list[Run], raws: list[Raw], scale: list[dict[str, Any]], meta: dict[str, Any],
) -> str:
    by = {r.workers: r for r in runs}
    raw_by = {r.parallel: r for r in raws}
    lines = [
        "# Throughput of the distributed path", "",
        f"{meta['count']} generated applications (seed {meta['seed']}; KK and akta kelahiran; "
        f"clean, scan and photo tiers; truthful and contradicting), {meta['pages']} pages, "
        f"through Redis + PostgreSQL + local blobs; `periksa worker --processes W --threads 1`. "
        f"Machine: {meta['cpus']} CPUs ({meta['note']}). Run {meta['date']}, "
        f"{meta['wall_s']:.0f} s in all.", "",
        "| workers | pages | flagged | failed | pages/min | raw tesseract pages/min | overhead "
        "| upload→flag median / p95 s | processing→flag median / p95 s | work s/app median "
        "| OCR ms/page median | peak RSS per worker MB | rows written / app | commits / app |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        raw = raw_by.get(run.workers)
        overhead = raw.pages_per_min / run.pages_per_min if raw and run.pages_per_min else None
        lines.append(
            f"| {run.workers} | {run.pages} | {run.flagged} | {run.failed} | {run.pages_per_min} "
            f"| {raw.pages_per_min if raw else '-'} | {overhead and f'{overhead:.2f}x' or '-'} "
            f"| {run.upload_to_flag_median_s} / {run.upload_to_flag_p95_s} "
            f"| {run.processing_to_flag_median_s} / {run.processing_to_flag_p95_s} "
            f"| {run.work_s_median} | {run.ocr_ms_median} | {', '.join(map(str, run.peak_rss_mb))} "
            f"(tesseract {run.peak_tesseract_rss_mb}) | {run.rows_written_per_app} "
            f"| {run.transactions_per_app} |")
    lines += ["", "Upload→flag includes waiting in the backlog (every application is submitted "
              "before the workers start); processing→flag too (all plan messages run before most "
              "pages); work s/app is the OCR of its pages plus extract and rules (report timings). "
              "Peak RSS is VmHWM of each worker's Python process (with 2 workers the first figure "
              "is the idle parent). Rows written: periksa's tables (pg_stat_user_tables); commits: "
              "pg_stat_database, which also counts autovacuum and read-only transactions that "
              "commit.", ""]
    for run in runs:
        if run.failure_codes:
            lines.append(f"Failed with {run.workers} worker(s): {run.failure_codes} "
                         f"(log: throughput-worker-{run.workers}.log).")
    lines.append("")
    lines += ["## Against the goals", "", "| goal | measured | met |", "|---|---|---|"]
    for goal, measured, met in goals(by, raw_by):
        lines.append(f"| {goal} | {measured} | {'yes' if met else 'no'} |")
    lines += ["", f"## Scale (from the {max(by)}-worker run's cost per page; intake over an "
              f"{WORKDAY_H:.0f}-hour day, peak hour {PEAK:.0f}x the average, cores kept "
              f"{TARGET_UTILISATION:.0%} busy)", "",
              "| scenario | applications/day | pages/day | peak pages/s | worker cores "
              "| DB rows written/s | DB transactions/s | broker messages/s |",
              "|---|---|---|---|---|---|---|---|"]
    for row in scale:
        lines.append(f"| {row['scenario']} | {row['applications_per_day']} "
                     f"| {row['pages_per_day']} "
                     f"| {row['peak_pages_per_s']} | {row['worker_cores']} "
                     f"| {row['db_rows_written_per_s']} | {row['db_transactions_per_s']} "
                     f"| {row['broker_messages_per_s']} |")
    return "\n".join(lines) + "\n"


def goals(by: dict[int, Run], raw_by: dict[int, Raw]) -> list[tuple[str, str, bool]]:
    out: list[tuple[str, str, bool]] = []
    two, one = by.get(2), by.get(1)
    if two:
        out.append((f">= {GOALS['pages_per_min_2']:.0f} pages/min on 2 cores",
                    f"{two.pages_per_min}", two.pages_per_min >= GOALS["pages_per_min_2"]))
        pages_per_app = two.pages / two.applications
        minutes = 500 * pages_per_app / two.pages_per_min if two.pages_per_min else math.inf
        out.append((f"500 applications in < {GOALS['minutes_for_500']:.0f} min (2 workers)",
                    f"{minutes:.1f} min (extrapolated)", minutes < GOALS["minutes_for_500"]))
    if one and two and one.pages_per_min:
        ratio = two.pages_per_min / one.pages_per_min
        out.append((f"1 -> 2 workers >= {GOALS['scaling']}x", f"{ratio:.2f}x",
                    ratio >= GOALS["scaling"]))
    for run in by.values():
        raw = raw_by.get(run.workers)
        if raw and run.pages_per_min:
            overhead = raw.pages_per_min / run.pages_per_min
            out.append((f"overhead <= {GOALS['overhead']}x raw tesseract ({run.workers} worker(s))",
                        f"{overhead:.2f}x", overhead <= GOALS["overhead"]))
    peak = max((max(r.peak_rss_mb, default=0.0) for r in by.values()), default=0.0)
    out.append((f"<= {GOALS['rss_mb']:.0f} MB RSS per worker", f"{peak:.0f} MB",
                peak <= GOALS["rss_mb"]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.throughput",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=41)
    parser.add_argument("--workers", default="1,2", help="worker process counts to measure")
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="per run, seconds")
    parser.add_argument("--note", default="", help="said in the report, e.g. 'shared machine'")
    args = parser.parse_args(argv)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    counts = [int(w) for w in args.workers.split(",") if w.strip()]
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="periksa-throughput-"))
    redis = Redis()
    try:
        folders = generate_set(scratch / "set", args.count, args.seed, max(counts))
        pages = page_images(folders, scratch / "pages")
        raws = [raw_tesseract(pages, n) for n in counts]
        runs = []
        for n in counts:
            runs.append(distributed(folders, n, redis, scratch, args.timeout))
            print(f"{n} worker(s): {runs[-1].pages_per_min} pages/min", file=sys.stderr)
    finally:
        redis.stop()
    best = max(runs, key=lambda r: r.workers)
    scale = scale_table(best, best.workers)
    meta = {"count": args.count, "seed": args.seed, "pages": len(pages), "cpus": os.cpu_count(),
            "note": args.note or "dedicated", "date": time.strftime("%Y-%m-%d %H:%M"),
            "wall_s": time.perf_counter() - started}
    args.out.mkdir(parents=True, exist_ok=True)
    for log in scratch.glob("worker-*.log"):  # masked logs (no personal data), for failures
        shutil.copy(log, args.out / f"throughput-{log.name}")
    report = render(runs, raws, scale, meta)
    (args.out / "throughput.md").write_text(report)
    (args.out / "throughput.json").write_text(json.dumps(
        {"meta": meta, "runs": [asdict(r) for r in runs],
         "raw_tesseract": [asdict(r) for r in raws],
         "goals": [{"goal": g, "measured": m, "met": ok} for g, m, ok in goals(
             {r.workers: r for r in runs}, {r.parallel: r for r in raws})],
         "scale": scale}, indent=2))
    shutil.rmtree(scratch, ignore_errors=True)
    print(report)
    return 0 if all(r.failed == 0 and r.flagged == r.applications for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
