"""The dramatiq broker a URL names, always set explicitly (never dramatiq's implicit default).

    redis://host:6379/0   RedisBroker
    amqp://user:pass@host RabbitmqBroker (messages of a killed worker come back at once)
    ""                    StubBroker, in-process (tests and the embedded default)

Middleware is chosen here, in one place: Retries (backoff for transient errors), TimeLimit
(per message), CurrentMessage (the actors read their retry count from it), plus dramatiq's
shutdown notifications, and StageMetrics (pipeline/metrics.py: per-stage timings and error
codes for Prometheus; dramatiq's own exporter is left out, periksa serves its own).
"""

from __future__ import annotations

from urllib.parse import urlparse

import dramatiq
from dramatiq import Broker
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    CurrentMessage,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from pipeline.errors import ConfigurationError, ServiceUnavailable
from pipeline.metrics import StageMetrics

# A worker whose heartbeat stops this long is presumed dead; Redis then requeues its messages.
REDIS_HEARTBEAT_TIMEOUT_MS = 30_000


def middleware() -> list[dramatiq.Middleware]:
    return [AgeLimit(), TimeLimit(), ShutdownNotifications(), Callbacks(), Pipelines(),
            Retries(), CurrentMessage(), StageMetrics()]


def make_broker(url: str, *, install: bool = True) -> Broker:
    """The broker of `url`, installed with dramatiq.set_broker unless install=False."""
    scheme = urlparse(url).scheme if url else ""
    if not url:
        from dramatiq.brokers.stub import StubBroker

        broker: Broker = StubBroker(middleware=middleware())
        broker.emit_after("process_boot")
    elif scheme in ("redis", "rediss", "unix"):
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(url=url, middleware=middleware(),
                             heartbeat_timeout=REDIS_HEARTBEAT_TIMEOUT_MS)
    elif scheme in ("amqp", "amqps"):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url, middleware=middleware(), confirm_delivery=True)
    else:
        raise ConfigurationError(f"unsupported broker URL scheme: {scheme}")
    if install:
        dramatiq.set_broker(broker)
    return broker


def ping(broker: Broker) -> None:
    """One round-trip to the broker; ServiceUnavailable when it cannot be reached."""
    name = type(broker).__name__
    try:
        if name == "RedisBroker":
            broker.client.ping()  # type: ignore[attr-defined]
        elif name == "RabbitmqBroker":
            broker.connection  # type: ignore[attr-defined]  # opens (or reuses) a connection
    except Exception as exc:  # noqa: BLE001 - any client error means "not reachable"
        raise ServiceUnavailable(f"broker unreachable ({type(exc).__name__})") from exc
