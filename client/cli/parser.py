"""The ``browserflow`` command line's arguments."""

from __future__ import annotations

import argparse

__all__ = ["build_parser"]


def _with_request(p: argparse.ArgumentParser) -> None:
    p.add_argument("request", help="task request JSON file (- for stdin)")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="override a field")


def _task_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser("run", help="start a task and wait for its result")
    _with_request(run)
    run.add_argument("--json", action="store_true", help="print only the result, as JSON")
    _with_request(sub.add_parser("submit", help="start a task and print its id"))
    status = sub.add_parser("status", help="a task's progress: step, current intent, the plan")
    status.add_argument("task_id")
    status.add_argument("--json", action="store_true")
    sub.add_parser("cancel", help="cancel a task").add_argument("task_id")
    steps = sub.add_parser("steps", help="a task's step log")
    steps.add_argument("task_id")
    steps.add_argument("--json", action="store_true")
    lister = sub.add_parser("list", help="tasks, newest first")
    lister.add_argument("--status", help="e.g. running, succeeded, needs_review")
    lister.add_argument("--site", help="host[:port] of the start URL")
    lister.add_argument("--limit", type=int, default=50)
    sub.add_parser("watch", help="stream a task's progress until it ends").add_argument("task_id")
    sub.add_parser("trace", help="the task's Playwright trace files").add_argument("task_id")


def _review_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser("reviews", help="pending reviews, oldest first")
    approve = sub.add_parser("approve", help="approve the proposed action of a pending review")
    approve.add_argument("task_id")
    approve.add_argument("--note")
    reject = sub.add_parser("reject", help="reject: the task ends with status rejected")
    reject.add_argument("task_id")
    reject.add_argument("--reason", required=True)
    give = sub.add_parser("input", help="supply task data and let the engine decide again")
    give.add_argument("task_id")
    give.add_argument("values", nargs="+", metavar="FIELD=VALUE")
    instruct = sub.add_parser("instruct", help="tell the engine exactly what to do next")
    instruct.add_argument("task_id")
    instruct.add_argument(
        "action", nargs="+", metavar="KIND SELECTOR [VALUE]", help="e.g. click 'text=Book a slot' | fill '#email' x@y.z"
    )
    over = sub.add_parser("take-over", help="a person finished the task by hand")
    over.add_argument("task_id")
    over.add_argument("values", nargs="*", metavar="FIELD=VALUE", help="result data")
    over.add_argument("--note")
    pause = sub.add_parser("pause", help="pause at the next step boundary")
    pause.add_argument("task_id")
    pause.add_argument("--reason")
    sub.add_parser("resume", help="resume a paused task").add_argument("task_id")


def _operator_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    work = sub.add_parser("worker", help="run a worker")
    work.add_argument("--max-sessions", type=int, help="browser sessions this worker holds at most")
    work.add_argument("--task-queue", help="shared task queue (default browserflow)")
    db = sub.add_parser("db", help="the SQL store's schema")
    db.add_argument("action", choices=["upgrade", "current"])
    stats = sub.add_parser("stats", help="success rate, task times, cache hits, cost")
    stats.add_argument("--since", help="window, e.g. 7d, 12h")
    stats.add_argument("--site", help="host[:port]")
    sub.add_parser("cost", help="one task's decision cost breakdown").add_argument("task_id")
    paths = sub.add_parser("paths", help="the site-path cache (what replays), or --forget one")
    paths.add_argument("--site", help="host[:port]")
    paths.add_argument("--forget", metavar="SIGNATURE", help="delete this cached path (needs --site)")
    sub.add_parser("server", help="run the embedded Temporal dev server in the foreground")
    sub.add_parser("up", help="start the local stack (server, demo site, worker) in the background")
    sub.add_parser("down", help="stop what `up` started")
    sub.add_parser("demo", help="run the bundled demo task end to end")
    sub.add_parser("codec-server", help="decode encrypted payloads for the Web UI and the temporal CLI", add_help=False)
    sub.add_parser("console", help="the review console in the browser (127.0.0.1:8234)", add_help=False)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="browserflow", description="durable browser tasks on Temporal")
    sub = parser.add_subparsers(dest="command", required=True)
    _task_commands(sub)
    _review_commands(sub)
    _operator_commands(sub)
    return parser
