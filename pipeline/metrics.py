"""Prometheus metrics: worker-side timings, and the database's numbers computed at scrape time.

Two sources, because they answer different questions:

- **The database** is the source of truth for the state of the work. `DatabaseCollector`
  computes, at each scrape, applications by status and flag, pending pages, the oldest
  pending page, pages done in the last 5 minutes (-> pages per minute), failures by error
  code, and the dashboard's numbers (storage/stats.py). It is right for any number of
  worker processes on any number of machines, and a restarted process loses nothing.
- **Worker processes** time each message (`periksa_stage_seconds{stage}`: plan, ocr_page,
  conclude; `verify` for the in-process path), count the stage runs that did work
  (`periksa_stage_runs_total{stage}`; stage="ocr_page" is pages OCR'd) and the messages that
  raised, by error code. With several processes these live in prometheus_client's
  multiprocess mode (PROMETHEUS_MULTIPROC_DIR, one mmap file per process, summed at
  scrape), as dramatiq's own Prometheus middleware does; `periksa worker --metrics-port P`
  sets that up and serves them.

Nothing here has a personal label: no NIK, no name, no file name, no verifier name (the
per-verifier numbers are on /v1/dashboard, behind a login); only stages, flags, statuses
and stable error codes.
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import dramatiq
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger("periksa.metrics")
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
# a page takes seconds; planning and concluding from well under one to tens of seconds
BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120, 300)

STAGE_SECONDS = Histogram("periksa_stage_seconds", "time one stage message (or one in-process "
                          "verify) took, by stage", ["stage"], buckets=BUCKETS)
STAGE_RUNS = Counter("periksa_stage_runs", "stage runs that did work (stage=ocr_page: pages "
                     "OCR'd); redelivered work found done is not counted", ["stage"])
MESSAGE_ERRORS = Counter("periksa_message_errors", "messages that raised, by stage and stable "
                         "error code (retried, or dead-lettered once retries are spent)",
                         ["stage", "code"])
F = TypeVar("F", bound=Callable[..., Any])


def stage_ran(stage: str) -> None:
    STAGE_RUNS.labels(stage).inc()


@contextmanager
def timed(stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        STAGE_SECONDS.labels(stage).observe(time.perf_counter() - started)


def timed_stage(stage: str) -> Callable[[F], F]:
    """Decorator form of `timed`."""
    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            with timed(stage):
                return fn(*args, **kwargs)
        return inner  # type: ignore[return-value]
    return wrap


def stage_of(actor_name: str) -> str:
    """'periksa.ocr_page' -> 'ocr_page'."""
    return actor_name.removeprefix("periksa.")


class StageMetrics(dramatiq.Middleware):
    """Times every message of the periksa actors and counts the ones that raised."""

    def __init__(self) -> None:
        self._started: dict[str, float] = {}
        self._lock = threading.Lock()

    def before_process_message(self, broker: dramatiq.Broker, message: dramatiq.Message) -> None:
        with self._lock:
            self._started[message.message_id] = time.perf_counter()

    def after_process_message(
        self, broker: dramatiq.Broker, message: dramatiq.Message, *, result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        with self._lock:
            started = self._started.pop(message.message_id, None)
        stage = stage_of(message.actor_name)
        if started is not None:
            STAGE_SECONDS.labels(stage).observe(time.perf_counter() - started)
        if exception is not None:
            from pipeline.tasks import error_code

            MESSAGE_ERRORS.labels(stage, error_code(exception)).inc()

    def after_skip_message(self, broker: dramatiq.Broker, message: dramatiq.Message) -> None:
        with self._lock:
            self._started.pop(message.message_id, None)


# --- the database's numbers, at scrape time ---------------------------------------------


class DatabaseCollector(Collector):
    """Gauges computed from the database on each scrape (see the module docstring)."""

    def __init__(self, sessions: Any, timezone: str = "Asia/Jakarta", norm: int = 30,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 min_interval_s: float = 5.0) -> None:
        self.sessions, self.tz, self.norm, self.clock = sessions, ZoneInfo(timezone), norm, clock
        # several scrapers (or a dashboard refreshing /metrics) within this interval share one
        # computation: the queries scan the applications table, keep their rate bounded
        self.min_interval_s = min_interval_s
        self._cached: tuple[float, list[GaugeMetricFamily]] | None = None
        self._lock = threading.Lock()

    def describe(self) -> list:  # nothing at registration: never query the database then
        return []

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            if self._cached is None or time.monotonic() - self._cached[0] >= self.min_interval_s:
                self._cached = (time.monotonic(), list(self._compute()))
            families = self._cached[1]
        yield from families

    def _compute(self) -> Iterator[GaugeMetricFamily]:
        from storage import stats

        up = GaugeMetricFamily("periksa_database_up", "1 when the numbers below could be read")
        try:
            now = self.clock()
            with self.sessions() as session:
                numbers = stats.pipeline_numbers(session, now)
                board = stats.dashboard(session, now, self.tz, norm=self.norm)
        except Exception as exc:  # noqa: BLE001 - a scrape must answer even with the DB down
            log.warning("metrics: database unreadable (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from pipeline_families(numbers)
        yield from dashboard_families(board)


def pipeline_families(numbers: Any) -> Iterator[GaugeMetricFamily]:
    apps = GaugeMetricFamily("periksa_applications", "applications by status and flag",
                             labels=["status", "flag"])
    for (status, flag), count in sorted(numbers.applications.items()):
        apps.add_metric([status, flag], count)
    yield apps
    yield _gauge("periksa_pages_pending", "pages waiting for OCR (the queue depth, from the DB)",
                 numbers.pages_pending)
    yield _gauge("periksa_oldest_pending_page_seconds", "age of the oldest page waiting for OCR",
                 numbers.oldest_pending_page_s)
    yield _gauge("periksa_oldest_unsettled_application_seconds",
                 "age of the oldest application still received or processing",
                 numbers.oldest_unsettled_s)
    yield _gauge("periksa_pages_done_last_5m", "pages OCR'd in the last 5 minutes",
                 numbers.pages_done_recent)
    yield _gauge("periksa_pages_per_minute", "pages OCR'd per minute over the last 5 minutes",
                 numbers.pages_per_minute)
    failures = GaugeMetricFamily("periksa_failures", "status.failed events ever, by error code",
                                 labels=["code"])
    for code, count in sorted(numbers.failures_by_code.items()):
        failures.add_metric([code], count)
    yield failures
    failed_now = GaugeMetricFamily("periksa_failed_applications",
                                   "applications in FAILED now (dead letter), by error code",
                                   labels=["code"])
    for code, count in sorted(numbers.failed_now_by_code.items()):
        failed_now.add_metric([code], count)
    yield failed_now


def dashboard_families(board: Any) -> Iterator[GaugeMetricFamily]:
    """The dashboard's numbers for every office together, without any verifier's name."""
    yield _gauge("periksa_intake_today", "applications received since local midnight",
                 board.intake_today)
    queue = GaugeMetricFamily("periksa_flagged_undecided", "flagged, not yet decided, by flag",
                              labels=["flag"])
    for flag, count in board.queue.items():
        if flag != "total":
            queue.add_metric([flag], count)
    yield queue
    for name, what, windows in (
        ("periksa_upload_to_flag_seconds", "upload to first flag", board.upload_to_flag),
        ("periksa_flag_to_decision_seconds", "latest flag to decision", board.flag_to_decision),
    ):
        family = GaugeMetricFamily(name, f"{what}, by window and quantile",
                                   labels=["window", "quantile"])
        for window, found in windows.items():
            for quantile, value in (("0.5", found.median_s), ("0.9", found.p90_s)):
                if value is not None:
                    family.add_metric([window, quantile], value)
        yield family
    today = board.decision_days[-1] if board.decision_days else None
    per_verifier_today = [v.per_day.get(today, 0) for v in board.decisions]
    deciding = [n for n in per_verifier_today if n > 0]
    yield _gauge("periksa_decisions_today", "decisions made today", sum(per_verifier_today))
    yield _gauge("periksa_verifiers_deciding_today", "verifiers with a decision today",
                 len(deciding))
    yield _gauge("periksa_verifiers_at_norm_today", "verifiers who reached the norm today",
                 sum(1 for n in deciding if n >= board.decision_norm_per_day))
    yield _gauge("periksa_decision_norm_per_day", "decisions per verifier per day expected",
                 board.decision_norm_per_day)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


# --- exposition ---------------------------------------------------------------------------


def process_registry() -> CollectorRegistry:
    """This host's worker metrics: the multiprocess files when configured, else this process."""
    directory = os.environ.get(MULTIPROC_ENV)
    if not directory:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)
    return registry


def exposition(database: DatabaseCollector | None) -> bytes:
    """The text format of the process metrics followed by the database's gauges."""
    text = generate_latest(process_registry())
    if database is not None:
        registry = CollectorRegistry()
        registry.register(database)
        text += generate_latest(registry)
    return text


def serve_worker_metrics(port: int, addr: str = "127.0.0.1", *, processes: int = 1) -> str | None:
    """Serve the worker metrics on addr:port; with several processes, set up the shared
    multiprocess folder first (before the children start, which inherit it). Returns that
    folder when this call made it (the caller removes it at exit), else None."""
    made = None
    if processes > 1 and not os.environ.get(MULTIPROC_ENV):
        made = tempfile.mkdtemp(prefix="periksa-metrics-")
        os.environ[MULTIPROC_ENV] = made
    start_http_server(port, addr=addr, registry=process_registry())
    log.warning("worker metrics on http://%s:%d/metrics", addr, port)
    return made
