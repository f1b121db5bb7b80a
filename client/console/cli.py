"""``browserflow console [--host HOST] [--port PORT] [--token TOKEN | --token-file FILE] [--viewer-token TOKEN]
[--insecure-no-auth]``

The token comes from ``--token``, ``--token-file`` or ``BROWSERFLOW_CONSOLE_TOKEN``; without one the console refuses to start,
unless ``--insecure-no-auth`` is given and it binds to 127.0.0.1 (nobody else can reach it). An optional viewer
token (``--viewer-token`` / ``BROWSERFLOW_CONSOLE_VIEWER_TOKEN``) may see every page but answer nothing. A users
file (``--users FILE`` / ``BROWSERFLOW_CONSOLE_USERS``, ``client/console/users.py``) lets people sign in by name
and password, with or without a token; ``browserflow console hash-password`` prints a password's hash for it.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from browserflow.config import Settings
from browserflow.errors import BrowserflowError
from client.console.app import make_app
from client.console.auth import Access
from client.console.users import hash_password, load_users

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "access_for", "build_parser", "hash_password_main", "main"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8234  # the codec server is on 8081 (BROWSERFLOW_CODEC_SERVER, docker-compose.yml)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="browserflow console", description="The review console, in the browser.")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, help=f"port (default: BROWSERFLOW_CONSOLE_PORT, {DEFAULT_PORT})")
    parser.add_argument("--token", help="the reviewer token (default: BROWSERFLOW_CONSOLE_TOKEN)")
    parser.add_argument("--token-file", type=Path, help="a file holding the reviewer token (what `make up` writes)")
    parser.add_argument(
        "--viewer-token", help="a token that may look but not act (default: BROWSERFLOW_CONSOLE_VIEWER_TOKEN)"
    )
    parser.add_argument(
        "--users", type=Path, help="a TOML or JSON file of users: name, role, password hash (BROWSERFLOW_CONSOLE_USERS)"
    )
    parser.add_argument(
        "--insecure-no-auth", action="store_true", help="run without a token (only when bound to 127.0.0.1)"
    )
    return parser


def access_for(args: argparse.Namespace, settings: Settings) -> Access:
    """The console's access rule; ``ValueError`` when it must not start."""
    token = args.token or ""
    if not token and args.token_file is not None:
        try:
            token = args.token_file.read_text()
        except OSError as exc:
            raise ValueError(f"cannot read the token file {args.token_file}: {exc.strerror}") from exc
    token = token or (settings.console_token.get_secret_value() if settings.console_token else "")
    token = token.strip()
    viewer = args.viewer_token or (
        settings.console_viewer_token.get_secret_value() if settings.console_viewer_token else ""
    )
    viewer = viewer.strip() or None
    users_file = args.users or settings.console_users
    users = load_users(users_file) if users_file is not None else ()
    if viewer and viewer == token:
        raise ValueError("the viewer token must differ from the reviewer token")
    if token or users:
        return Access(token or None, viewer, users)
    if not args.insecure_no_auth:
        raise ValueError(
            "no console token: set BROWSERFLOW_CONSOLE_TOKEN or --token, or give --users FILE"
            " (or --insecure-no-auth on 127.0.0.1)"
        )
    if args.host not in LOOPBACK:
        raise ValueError(f"--insecure-no-auth binds to 127.0.0.1 only, not {args.host}")
    return Access(None)


def hash_password_main(argv: Sequence[str], stdin: TextIO | None = None) -> int:
    """``browserflow console hash-password``: a password read without echo (or the first line of a piped stdin)
    printed as the hash line a users file keeps."""
    parser = argparse.ArgumentParser(
        prog="browserflow console hash-password",
        description="Print the scrypt hash of a password for the console's users file (password from stdin).",
    )
    parser.parse_args(list(argv))
    stream = stdin if stdin is not None else sys.stdin
    if stream.isatty():
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            print("browserflow console: the two passwords differ", file=sys.stderr)
            return 2
    else:
        password = stream.readline().rstrip("\r\n")
    if not password:
        print("browserflow console: an empty password", file=sys.stderr)
        return 2
    print(hash_password(password))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    import uvicorn

    from client.session import ClientSession

    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == ["hash-password"]:
        return hash_password_main(given[1:])
    args = build_parser().parse_args(given)
    try:
        settings = Settings.from_env()
        access = access_for(args, settings)
    except BrowserflowError as exc:
        print(f"browserflow console: {exc.message}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"browserflow console: {exc}", file=sys.stderr)
        return 2
    port = args.port if args.port is not None else settings.console_port
    session = ClientSession(settings)
    app = make_app(session.tasks, access, close=session.close, settings=settings)
    auth = "no credential (insecure)" if access.open else "token required"
    if access.users:
        auth = f"{len(access.users)} users" + (" or a token" if access.token else "")
    print(
        f"browserflow: console on http://{args.host}:{port} ({auth}; Temporal {settings.temporal_address})",
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=port, log_level="warning", access_log=False)
    return 0
