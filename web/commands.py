"""`periksa serve`, `periksa users add`, `periksa keys create`: added to pipeline/cli.py's parser.

Secrets go to stdout once (keys) or come from stdin (passwords), never from argv, where
`ps` and shell history would keep them.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from pipeline.settings import Settings

ROLES = ("intake", "verifier", "auditor", "admin")


def add_commands(sub: Any) -> None:
    serve = sub.add_parser("serve", help="run the intake HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(command=serve_command)
    users = sub.add_parser("users", help="manage people's accounts")
    user_sub = users.add_subparsers(required=True)
    add = user_sub.add_parser("add", help="add a person; the password is read from stdin")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--office", default=None, help="kode wilayah, e.g. 3216")
    add.set_defaults(command=users_add)
    keys = sub.add_parser("keys", help="manage API keys")
    key_sub = keys.add_subparsers(required=True)
    create = key_sub.add_parser("create", help="create an API key and print it once")
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--office", default=None)
    create.add_argument("--callback-url", default=None)
    create.set_defaults(command=keys_create)


def serve_command(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from web.app import create_app

    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_config=None)
    return 0


def users_add(args: argparse.Namespace, settings: Settings) -> int:
    from storage import accounts
    from storage.db import transaction

    password = getpass.getpass("password: ") if sys.stdin.isatty() \
        else sys.stdin.readline().rstrip("\r\n")
    with transaction(_stores(settings).sessions) as session:
        try:
            user = accounts.add_user(session, args.name, password, args.role, args.office)
        except ValueError as exc:
            print(f"periksa: {exc}", file=sys.stderr)
            return 2
        print(f"user {user.name} ({user.role}) created: {user.id}")
    return 0


def keys_create(args: argparse.Namespace, settings: Settings) -> int:
    from storage import accounts
    from storage.db import transaction
    from web.intake import check_callback_url

    url = check_callback_url(args.callback_url) if args.callback_url else None
    with transaction(_stores(settings).sessions) as session:
        made = accounts.create_key(session, args.name, args.role, args.office, url)
    print(f"key id:         {made.id}")
    print(f"api key:        {made.key}")
    print(f"signing secret: {made.signing_secret}")
    print("(shown once: only a hash of the key is kept)", file=sys.stderr)
    return 0


def _stores(settings: Settings):  # type: ignore[no-untyped-def]
    import storage.accounts  # noqa: F401 - tables registered before create_schema
    import storage.callbacks  # noqa: F401
    from pipeline.stores import open_stores

    return open_stores(settings)
