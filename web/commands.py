"""`periksa serve`, `users add|deactivate`, `keys create|revoke`, `audit verify`: added to
pipeline/cli.py's parser.

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
    revoke = key_sub.add_parser("revoke", help="make a key inactive (its next call gets 401)")
    revoke.add_argument("key_id", metavar="ID")
    revoke.set_defaults(command=keys_revoke)
    deactivate = user_sub.add_parser("deactivate", help="lock a person out (sessions end too)")
    deactivate.add_argument("name")
    deactivate.set_defaults(command=users_deactivate)
    audit_cmd = sub.add_parser("audit", help="the audit chain")
    audit_sub = audit_cmd.add_subparsers(required=True)
    verify = audit_sub.add_parser("verify", help="walk the chain; exit 1 when a link is broken")
    verify.set_defaults(command=audit_verify)


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


def keys_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from storage import accounts, audit
    from storage.db import transaction

    with transaction(_stores(settings).sessions) as session:
        key = accounts.revoke_key(session, args.key_id)
        if key is None:
            print(f"periksa: no key {args.key_id}", file=sys.stderr)
            return 2
        audit.append(session, "key.revoked", actor="cli", payload={"key_id": key.id})
    print(f"key {args.key_id} revoked")
    return 0


def users_deactivate(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import select

    from storage import accounts, audit, decisions, sessions
    from storage.db import transaction

    with transaction(_stores(settings).sessions) as session:
        user = session.scalars(select(accounts.User).where(accounts.User.name == args.name)).first()
        if user is None:
            print("periksa: no such user", file=sys.stderr)
            return 2
        accounts.deactivate_user(session, user.id)
        ended = sessions.close_user_sessions(session, user.id)
        released = decisions.release_all(session, user.id)
        audit.append(session, "user.deactivated", actor="cli",
                     payload={"user_id": user.id, "sessions_ended": ended,
                              "claims_released": released})
    print(f"user {user.id} deactivated ({ended} sessions ended, {released} claims released)")
    return 0


def audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when every link holds, 1 with the first broken seq otherwise."""
    from storage import audit

    with _stores(settings).sessions() as session:
        found = audit.verify(session)
    if found.ok:
        print(f"audit chain ok: {found.events} events, head {found.head}")
        return 0
    print(f"audit chain BROKEN at seq {found.first_broken_seq}: {found.reason} "
          f"({found.events} events)")
    return 1


def _stores(settings: Settings):  # type: ignore[no-untyped-def]
    import storage.accounts  # noqa: F401 - tables registered before create_schema
    import storage.callbacks  # noqa: F401
    import storage.decisions  # noqa: F401
    import storage.sessions  # noqa: F401
    from pipeline.stores import open_stores

    return open_stores(settings)
