"""One Settings object, built once at the edge (CLI, worker, web) from PERIKSA_* variables.

Stages receive it as an argument; nothing reads the environment at import time.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PERIKSA_", frozen=True, extra="ignore")

    data_dir: Path = Field(Path("var"), description="home of the embedded defaults")
    database_url: str = Field("", description="SQLAlchemy URL; empty: SQLite in data_dir")
    blob_url: str = Field("", description="file:///path or s3://bucket; empty: data_dir/blobs")
    broker_url: str = Field("", description="redis:// or amqp://; empty: in-process")
    s3_endpoint: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_secure: bool = False

    ruleset_path: Path | None = Field(None, description="a ruleset file other than the shipped one")

    # input limits: a hostile upload is refused before it costs memory or time
    max_file_bytes: int = 25 * 1024 * 1024
    max_pixels: int = 60_000_000
    max_pages: int = 20

    # OCR
    ocr_lang: str = "ind"
    ocr_timeout_s: float = 120.0
    ocr_processes: int = 2
    ocr_second_engine: str = Field(
        "rapidocr", pattern="^(none|rapidocr)$",
        description="engine for phone photos and low-confidence fields; none: tesseract only",
    )
    ocr_second_below: float = Field(
        0.7, ge=0, le=1, description="a field read below this confidence gets a second opinion",
    )

    # distributed path (dramatiq workers): retries, limits, sweep deadline
    task_max_retries: int = Field(5, description="retries of a transient error before FAILED")
    task_min_backoff_ms: int = 1_000
    task_max_backoff_ms: int = 60_000
    page_time_limit_s: float = Field(180.0, description="per OCR message; above ocr_timeout_s")
    conclude_time_limit_s: float = 600.0
    worker_processes: int = 1
    worker_threads: int = 2
    # 3 GB: a process that loaded rapidocr peaks at ~1.7 GB of address space (onnxruntime
    # maps its models and arenas) before dramatiq, the stores and a second thread's pages
    worker_memory_mb: int = Field(3072, description="address-space cap per worker process")
    sweep_deadline_s: float = Field(300.0, description="idle time after which work is re-sent")

    # intake HTTP API (web/): request limits and callbacks
    max_request_bytes: int = Field(60 * 1024 * 1024, description="whole multipart request")
    max_files: int = Field(10, description="files in one application")
    api_worker_threads: int = Field(2, description="in-process worker when broker_url is empty")
    callback_attempts: int = Field(5, description="tries per status change before giving up")
    callback_backoff_s: float = Field(1.0, description="first retry delay; doubles each time")
    callback_timeout_s: float = 5.0
    callback_poll_s: float = Field(1.0, description="how often the dispatcher reads the chain")

    # people: login sessions, claims, the verifier queue, QA sampling, NIK search (web/)
    session_ttl_s: int = Field(8 * 3600, description="a login session's lifetime")
    session_cookie_secure: bool = Field(False, description="Secure cookie (behind HTTPS)")
    login_max_failures: int = Field(5, description="failed logins per name per window -> 429")
    login_window_s: int = Field(300, description="window of the failed-login throttle")
    claim_ttl_s: int = Field(900, description="how long a verifier's claim holds")
    service_time_target_h: float = Field(24.0, description="upload to decision target (queue)")
    qa_sample_share: float = Field(0.05, ge=0.0, le=1.0, description="clear ones sampled for QA")
    nik_index_secret: str = Field("", description="HMAC key of the NIK search index; empty: "
                                  "a key file made once in data_dir (set it when distributed)")

    # dashboard and metrics (storage/stats.py, web/routes/dashboard.py, /metrics)
    local_timezone: str = Field("Asia/Jakarta", description="the offices' 'today' (WIB)")
    decision_norm_per_day: int = Field(30, description="decisions a verifier is expected to make")

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'periksa.db').resolve()}"

    def resolved_blob_url(self) -> str:
        return self.blob_url or (self.data_dir / "blobs").resolve().as_uri()
