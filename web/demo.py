"""`periksa demo`: a working office on this machine, for a first look at the pages.

It makes (or resets) three people for the demo office, verifier / auditor / admin, each with
a fresh random password printed once; ingests the committed sample applications into the
same database with their `office` set to the demo office (the samples name offices all over
Indonesia, a verifier sees one); then serves the web app. Re-running keeps what was
ingested (a sample whose reference is already there is not ingested again) and prints new
passwords. `--check` serves on a free port just long enough to log in as the verifier and
read the queue, and exits 0 when the queue shows the samples: `make demo-check`.

The data lives in the configured data dir (`make run` uses var/run). Everything here is
synthetic sample data.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

from pipeline.settings import Settings

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "applications"
DEMO_OFFICE = "3216"
DEMO_USERS = (("verifier", "verifier"), ("auditor", "auditor"), ("admin", "admin"))


@dataclass(frozen=True)
class Login:
    name: str
    role: str
    password: str


def add_command(sub: Any) -> None:
    demo = sub.add_parser("demo", help="demo users, the sample applications, then the web app")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--office", default=DEMO_OFFICE, help="kode wilayah of the demo office")
    demo.add_argument("--samples", type=Path, default=SAMPLES, metavar="DIR")
    demo.add_argument("--check", action="store_true",
                      help="serve on a free port, log in, read the queue, stop (exit 0 when it works)")
    demo.set_defaults(command=demo_command)


def demo_command(args: argparse.Namespace, settings: Settings) -> int:
    logins = reset_users(settings, args.office)
    for line in seed(settings, args.samples, args.office):
        print(line, flush=True)
    if args.check:
        return check(settings, logins[0])
    print(f"\nperiksa is serving on http://{args.host}:{args.port}/  (Ctrl+C stops it)")
    _print_logins(logins, args.office)
    import uvicorn

    from web.app import create_app

    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_config=None)
    return 0


def _print_logins(logins: list[Login], office: str) -> None:
    print(f"demo logins (office {office}; new passwords on every run):")
    for login in logins:
        print(f"  {login.role:<9} name {login.name:<9} password {login.password}")


def reset_users(settings: Settings, office: str) -> list[Login]:
    """The demo people with new random passwords (created the first time)."""
    from argon2 import PasswordHasher
    from sqlalchemy import select

    from storage import accounts
    from storage.db import transaction

    hasher, logins = PasswordHasher(), []
    with transaction(_stores(settings).sessions) as session:
        for name, role in DEMO_USERS:
            password = secrets.token_urlsafe(9)
            user = session.scalars(select(accounts.User).where(accounts.User.name == name)).first()
            if user is None:
                accounts.add_user(session, name, password, role,
                                  office if role == "verifier" else None)
            else:
                user.password_hash, user.active = hasher.hash(password), True
            logins.append(Login(name, role, password))
    return logins


def seed(settings: Settings, samples: Path, office: str) -> list[str]:
    """Ingest every sample not yet in the database, moved to the demo office; one line each."""
    from pipeline.batch import application_folders, ingest_folder

    known = _references(settings)
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="periksa-demo-") as tmp:
        staged = 0
        for folder in application_folders(samples):
            submission = json.loads((folder / "submission.json").read_text(encoding="utf-8"))
            if submission.get("reference") in known:
                lines.append(f"{folder.name:<28} already ingested")
                continue
            target = Path(tmp) / folder.name
            shutil.copytree(folder, target)
            (target / "submission.json").write_text(
                json.dumps(submission | {"office": office}, ensure_ascii=False), encoding="utf-8")
            staged += 1
        if staged:
            lines += list(ingest_folder(Path(tmp), settings))
    return lines


def _references(settings: Settings) -> set[str]:
    from sqlalchemy import select

    from storage.tables import Application

    with _stores(settings).sessions() as session:
        return {r for r in session.scalars(select(Application.reference)) if r}


def _stores(settings: Settings):  # type: ignore[no-untyped-def]
    from web.commands import _stores

    return _stores(settings)


def check(settings: Settings, verifier: Login) -> int:
    """Serve on a free port, log in as the verifier, read /login and the queue; stop."""
    import socket

    import uvicorn

    from web.app import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_up(base)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        page = opener.open(f"{base}/login", timeout=10).read().decode()
        request = urllib.request.Request(
            f"{base}/v1/session", method="POST", headers={"Content-Type": "application/json"},
            data=json.dumps({"name": verifier.name, "password": verifier.password}).encode())
        opener.open(request, timeout=10)
        queue = json.loads(opener.open(f"{base}/v1/queue", timeout=10).read())
        items, login_ok = len(queue.get("items", [])), 'id="login"' in page
        print(f"demo check: {base}/login {'ok' if login_ok else 'WRONG'}; "
              f"verifier logged in; queue has {items} applications")
        return 0 if login_ok and items > 0 else 1
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def _wait_up(base: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            urllib.request.urlopen(f"{base}/login", timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)

