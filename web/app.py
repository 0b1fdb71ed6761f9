"""`create_app(settings)`: the intake API on the configured database, blob store and broker.

With PERIKSA_BROKER_URL empty the work runs in this process: a StubBroker and a dramatiq
Worker started with the app (the embedded default, and most tests). With a URL the app only
enqueues; `periksa worker` processes do the work. Either way the callback dispatcher runs
here, reading status changes from the audit chain.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import dramatiq
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

import storage.accounts  # noqa: F401 - registers the accounts tables before create_schema
import storage.callbacks  # noqa: F401 - registers the callback tables before create_schema
import storage.sessions  # noqa: F401 - registers the login session tables before create_schema
from pipeline.broker import make_broker
from pipeline.errors import PeriksaError
from pipeline.settings import Settings
from pipeline.tasks import Pipeline, bind
from web import masklog, pages
from web.callbacks import Dispatcher, Poster, post
from web.errors import periksa_error, unexpected_error, validation_error
from web.routes import dashboard, metrics
from web.routes import admin, applications, audit, decisions, health, session

_HTTP_CODES = {400: "invalid_request", 401: "unauthenticated", 403: "forbidden",
               404: "not_found", 405: "method_not_allowed"}


def create_app(
    settings: Settings | None = None, *, pipeline: Pipeline | None = None,
    run_worker: bool | None = None, callbacks: bool = True, poster: Poster = post,
) -> FastAPI:
    """The app; `run_worker` defaults to True exactly when the broker is in-process."""
    settings = settings or Settings()
    masklog.install()
    pipeline = pipeline or bind(make_broker(settings.broker_url, install=False), settings)
    in_process = not settings.broker_url if run_worker is None else run_worker

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pipeline.stores  # noqa: B018 - opens the stores and creates the schema now, not mid-request
        worker = _start_worker(pipeline, settings) if in_process else None
        dispatcher = Dispatcher(pipeline.stores, settings, poster) if callbacks else None
        if dispatcher is not None:
            dispatcher.start()
        app.state.dispatcher = dispatcher
        try:
            yield
        finally:
            if dispatcher is not None:
                dispatcher.stop()
            if worker is not None:
                worker.stop(timeout=int(settings.page_time_limit_s * 1000))

    app = FastAPI(title="periksa intake API", version="1", lifespan=lifespan,
                  description="Hand periksa an application; learn what happened to it.")
    app.state.pipeline = pipeline
    app.state.settings = settings
    for router in (applications.router, admin.router, health.router, session.router,
                   decisions.router, audit.router):
        app.include_router(router)
    app.include_router(dashboard.router)
    app.include_router(metrics.router)
    app.add_exception_handler(PeriksaError, periksa_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, unexpected_error)
    pages.install(app)
    return app


def _start_worker(pipeline: Pipeline, settings: Settings) -> dramatiq.Worker:
    worker = dramatiq.Worker(pipeline.broker, worker_threads=settings.api_worker_threads,
                             worker_timeout=100)
    worker.start()
    return worker


async def _http_error(request, exc):  # type: ignore[no-untyped-def]
    """Starlette's own errors (unknown route, bad multipart) in the same JSON shape."""
    error = PeriksaError(str(exc.detail))
    error.http_status = exc.status_code
    error.code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    response = await periksa_error(request, error)
    if exc.headers:
        response.headers.update(exc.headers)
    return response
