"""``main``: read the settings once, validate the input, run one command, return its exit status."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence

from browserflow.config import Settings
from browserflow.errors import BrowserflowError
from client.cli import local, remote
from client.cli.exits import EXIT
from client.cli.parser import build_parser
from client.cli.request import prepare

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit status (see the package docstring).

    Called as the program (``argv`` None: the ``browserflow`` script or ``python -m client.cli``) and a Temporal
    runtime could not be shut down (a reference leak, never seen in the exit-status test), the process ends
    with ``os._exit`` after flushing, rather than let the interpreter's teardown race the runtime's threads.
    """
    code = _main(argv)
    if argv is None and remote.UNRELEASED:
        print(
            f"browserflow: note: the Temporal runtime of {remote.UNRELEASED[0]} was still referenced at exit",
            file=sys.stderr,
        )
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _main(argv: Sequence[str] | None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == ["codec-server"]:  # its own options (client/codec_server.py), passed on as they are
        from client import codec_server

        return codec_server.main(given[1:])
    if given[:1] == ["console"]:  # its own options (client/console/cli.py)
        from client.console import cli as console

        return console.main(given[1:])
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()  # the one read of the environment; passed down from here
        if args.command in remote.COMMANDS:
            args.prepared = prepare(args)  # validate first: nothing is connected for bad input
            return asyncio.run(remote.run_remote(args, settings))
        if args.command == "worker":
            return local.run_worker(args, settings)
        if args.command in local.COMMANDS:
            return local.COMMANDS[args.command](args, settings)
        return local.run_stack(args, settings)
    except BrowserflowError as exc:  # RequestInvalid, ConfigInvalid, the key ring: bad input
        print(f"browserflow: {exc.message}", file=sys.stderr)
        return EXIT["bad_input"]
    except ConnectionError as exc:
        print(f"browserflow: {exc}", file=sys.stderr)
        return EXIT["unavailable"]
    except (FileNotFoundError, ValueError) as exc:
        print(f"browserflow: {exc}", file=sys.stderr)
        return EXIT["bad_input"]
    except KeyboardInterrupt:
        return EXIT["interrupted"]
