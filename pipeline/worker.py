"""`periksa worker`: dramatiq workers for the configured broker, N processes of T threads.

One process serves in the foreground (kill it and everything it was doing stops: the fault
tests rely on that). More processes are spawned children that die with their parent
(PR_SET_PDEATHSIG), so killing the parent never leaves orphans reading pages. Each process
caps its own address space (RLIMIT_AS, inherited by the tesseract it starts), so one hostile
file fails its message with `memory_limit` instead of taking the machine down.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import resource
import shutil
import signal
import threading

import dramatiq

from pipeline.broker import make_broker
from pipeline.errors import ConfigurationError
from pipeline.metrics import serve_worker_metrics
from pipeline.settings import Settings
from pipeline.tasks import bind

log = logging.getLogger("periksa.worker")
_PR_SET_PDEATHSIG = 1
_WORKER_TIMEOUT_MS = 1000  # how often an idle consumer looks at its queue


def run_workers(
    settings: Settings, processes: int | None = None, threads: int | None = None, *,
    metrics_port: int | None = None, metrics_addr: str = "127.0.0.1",
) -> int:
    """Serve until SIGTERM or SIGINT; returns an exit status.

    With `metrics_port` this process serves the workers' Prometheus metrics; with several
    processes it first sets up prometheus_client's multiprocess folder, which the spawned
    children inherit, and serves their sum (pipeline/metrics.py).
    """
    if not settings.broker_url:
        raise ConfigurationError("periksa worker needs PERIKSA_BROKER_URL (redis:// or amqp://)")
    processes = processes or settings.worker_processes
    threads = threads or settings.worker_threads
    scratch = serve_worker_metrics(metrics_port, metrics_addr, processes=processes) \
        if metrics_port else None
    try:
        return _run(settings, processes, threads)
    finally:
        if scratch is not None:  # the multiprocess folder this process made for its children
            shutil.rmtree(scratch, ignore_errors=True)


def _run(settings: Settings, processes: int, threads: int) -> int:
    if processes <= 1:
        serve(settings, threads)
        return 0
    context = multiprocessing.get_context("spawn")
    children = [context.Process(target=_child, args=(settings, threads), daemon=False)
                for _ in range(processes)]
    for child in children:
        child.start()
    _wait_for_signal()
    for child in children:
        child.terminate()  # SIGTERM: each child stops gracefully
    for child in children:
        child.join(timeout=30)
    return 0 if all(c.exitcode == 0 for c in children) else 1


def serve(settings: Settings, threads: int) -> None:
    """One worker process: memory cap, broker, actors, dramatiq Worker, until a signal."""
    limit_memory(settings.worker_memory_mb)
    broker = make_broker(settings.broker_url)
    bind(broker, settings)
    broker.emit_after("process_boot")  # starts the TimeLimit monitor, as dramatiq's CLI does
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=_WORKER_TIMEOUT_MS)
    worker.start()
    log.warning("worker ready: %d threads on %s", threads, type(broker).__name__)
    try:
        _wait_for_signal()
    finally:
        worker.stop(timeout=int(settings.page_time_limit_s * 1000))
        broker.close()


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space; 0 leaves it unlimited."""
    if megabytes <= 0:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = megabytes * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _child(settings: Settings, threads: int) -> None:
    _die_with_parent()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    serve(settings, threads)


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:  # not Linux: children outlive a killed parent; stop them by their pids
        log.warning("cannot tie worker children to their parent on this platform")


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
