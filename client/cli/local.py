"""The commands that need no Temporal connection: the store's reports and schema, traces, the worker and the
local stack. Each takes the settings read once by ``main``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from browserflow.config import Settings
from browserflow.errors import RequestInvalid

__all__ = ["COMMANDS", "run_stack", "run_worker"]

_SPAN = {"m": 60, "h": 3600, "d": 86400, "w": 604800}


def _trace(args: argparse.Namespace, settings: Settings) -> int:
    folder = settings.data_dir / "artifacts" / args.task_id
    traces = sorted(folder.glob("trace-*.zip")) if folder.exists() else []
    if not traces:
        print(f"browserflow: no trace recorded for {args.task_id} under {folder}", file=sys.stderr)
        return 1
    for trace in traces:
        print(trace)
        print(f"    open with: playwright show-trace {trace}")
    return 0


def _store(settings: Settings) -> Any:
    from browserflow.store import Store

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Store.from_settings(settings)


def _db(args: argparse.Namespace, settings: Settings) -> int:
    from browserflow.store import migrate

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url()
    if args.action == "upgrade":
        migrate.upgrade(url)
        print(f"database at revision {migrate.current(url)} (head {migrate.head()})")
    else:
        current = migrate.current(url)
        behind = "" if current == migrate.head() else " — behind: run `browserflow db upgrade`"
        print(f"{current or 'empty'} (head {migrate.head()}){behind}")
    return 0


def _parse_since(text: str | None) -> timedelta | None:
    if not text:
        return None
    unit = text[-1]
    if unit not in _SPAN or not text[:-1].replace(".", "", 1).isdigit():
        raise ValueError(f"--since takes a number and a unit (m, h, d, w), e.g. 7d; got {text!r}")
    return timedelta(seconds=float(text[:-1]) * _SPAN[unit])


def _stats(args: argparse.Namespace, settings: Settings) -> int:
    stats = _store(settings).stats(since=_parse_since(args.since), site=args.site)
    print(stats.model_dump_json(indent=2))
    return 0


def _paths(args: argparse.Namespace, settings: Settings) -> int:
    """The site-path cache: what is known, how it is used; ``--forget SIGNATURE`` deletes one (with --site)."""
    from browserflow.store import MAX_PATH_FAILURES

    store = _store(settings)
    if args.forget:
        if not args.site:
            raise ValueError("--forget needs --site: a signature is only unique within its site")
        if not store.delete_path(args.site, args.forget):
            raise ValueError(f"no cached path {args.forget} on {args.site}")
        print(f"forgot the cached path {args.forget} on {args.site}; the next such task runs live and saves anew")
        return 0
    paths = store.list_paths(args.site)
    if not paths:
        print("no cached paths" + (f" on {args.site}" if args.site else ""))
        return 0
    now = datetime.now(UTC)
    for path in paths:
        state = "expired" if path.expires_at <= now else "ok"
        if path.consecutive_failures >= MAX_PATH_FAILURES:
            state = "invalidated"
        deep = f", deep link to {path.links[-1]}" if path.links else ""
        print(f"{path.site}  {path.goal_signature}  {state}")
        print(f"    {path.goal_template or '(no template)'}")
        print(
            f"    {len(path.steps)} actions{deep}; used {path.uses}x, {path.consecutive_failures} failures in a row,"
            f" expires {path.expires_at:%Y-%m-%d %H:%M} UTC"
        )
    return 0


def _cost(args: argparse.Namespace, settings: Settings) -> int:
    print(_store(settings).cost(args.task_id).model_dump_json(indent=2))
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "db": _db,
    "stats": _stats,
    "cost": _cost,
    "paths": _paths,
    "trace": _trace,
}


def run_worker(args: argparse.Namespace, settings: Settings) -> int:
    """``browserflow worker``: the flags override the settings handed to the worker (never the environment)."""
    updates: dict[str, Any] = {}
    if args.max_sessions is not None:
        if args.max_sessions < 1:
            raise RequestInvalid(f"--max-sessions: at least 1, got {args.max_sessions}")
        updates["max_sessions"] = args.max_sessions
    if args.task_queue:
        updates["task_queue"] = args.task_queue
    import worker

    worker.main(settings.model_copy(update=updates))
    return 0


def run_stack(args: argparse.Namespace, settings: Settings) -> int:
    """``server``, ``up``, ``down`` and ``demo``."""
    from client import stack

    command = args.command
    if command == "server":
        return stack.exec_server(settings)
    if command == "up":
        stack.up(settings)
        print(f"browserflow: stack running; Web UI {settings.web_ui_url}; `make down` stops it")
        return 0
    if command == "down":
        return stack.down(settings)
    return stack.demo(settings)
