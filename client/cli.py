"""``browserflow``: the command line for callers, reviewers and operators.

browserflow run REQUEST.json [--json]     start a task and wait; exit 0 only when the goal was reached
browserflow submit REQUEST.json           start a task, print its id
browserflow status ID [--json] | steps ID [--json] | cancel ID
                                          (status and watch show the current intent and the plan;
                                           steps shows each action with where its value came from)
browserflow list [--status S] [--site S]
browserflow worker [--max-sessions N]     run a worker (browser pool + Temporal workers)
browserflow server                        run the embedded Temporal dev server (Web UI on :8233)
browserflow up | down | demo              the local stack (what `make up/down/demo` call)
browserflow codec-server [--port N] [--new-key ID]   decode encrypted payloads for the Web UI
browserflow paths [--site S] [--forget SIGNATURE]   the site-path cache; forget one path

Exit statuses (every command): 0 done (``run``/``watch``: the goal was reached); 1 the task ended without
reaching its goal (``trace``: none recorded); 2 bad input - the request, a verb's arguments or the
configuration, checked before any connection; 3 refused - no review pending, already answered, or the task has
already ended; 4 no task with that id; 5 Temporal unreachable, or the task did not answer (no worker); 130
interrupted. Each Temporal command owns its runtime and shuts it down before exiting (``client/session.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from temporalio.service import RPCError

from browserflow.config import Settings
from browserflow.contracts import StepLog, TaskProgress, TaskResult
from browserflow.errors import (
    BrowserflowError,
    RequestInvalid,
    TaskEnded,
    TaskNotFound,
    TaskUnanswered,
)
from client.session import ClientSession

__all__ = ["EXIT", "main"]

EXIT = {
    "ok": 0,
    "goal_not_reached": 1,
    "bad_input": 2,
    "refused": 3,
    "not_found": 4,
    "unavailable": 5,
    "internal": 70,
    "interrupted": 130,
}
_MAX_FILE_BYTES = 4 * 256 * 1024  # the raw file, before parsing: 4x the request limit (JSON escapes, spacing)


def _read(path: str) -> str:
    if path == "-":
        text = sys.stdin.read(_MAX_FILE_BYTES + 1)
    else:
        file = Path(path)
        if file.is_dir():
            raise RequestInvalid(f"{path} is a directory, not a request file")
        try:
            with file.open("rb") as fh:
                data = fh.read(_MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise RequestInvalid(f"cannot read the request {path}: {exc.strerror or exc}") from None
        try:
            text = data.decode()
        except UnicodeDecodeError:
            raise RequestInvalid(f"{path} is not UTF-8 text") from None
    if len(text) > _MAX_FILE_BYTES:
        raise RequestInvalid(f"{path} is over {_MAX_FILE_BYTES:,} bytes: a request is at most 262,144 bytes of JSON")
    return text


def _load_request(path: str, overrides: Sequence[str]) -> dict[str, Any]:
    text = _read(path)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RequestInvalid(f"{path} is not valid JSON: {exc}") from None
    except RecursionError:
        raise RequestInvalid(f"{path} is nested too deeply to be a task request") from None
    if not isinstance(raw, dict):
        raise RequestInvalid(f"{path} must hold a JSON object")
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise RequestInvalid(f"--set takes FIELD=VALUE, got {item!r}")
        raw[key] = value
    return raw


def _print_steps(log: StepLog) -> None:
    if not log.steps:
        print("  (no steps)")
    for s in log.steps:
        mark = "ok " if s.ok else "ERR"
        error = f"  [{s.error.type}: {s.error.message}]" if s.error else ""
        print(f"  {s.step:>3} {mark} {s.tier:<6} {s.decision}{error}")
        print(f"          {s.url} -> {s.url_after}")
        for a in s.actions:
            intent = f"  [intent {a.intent + 1}]" if a.intent is not None else ""
            print(f"          - {a.describe()}{intent}")


def _print_plan(plan: Sequence[str], indent: str = "  ") -> None:
    for line in plan:
        print(f"{indent}{line}")


def _print_progress(p: TaskProgress) -> None:
    print(f"status:   {p.status.value}  step {p.step}/{p.max_steps} ({p.percent:g}%)")
    print(f"url:      {p.url}")
    if p.intent:
        print(f"intent:   {p.intent}")
    if p.last_action:
        print(f"last:     {p.last_action}")
    print(f"detail:   {p.detail}")
    if p.eta_seconds is not None:
        print(f"eta:      {p.eta_seconds:g} s")
    if p.review is not None:
        print(f"review:   {p.review.reason}: {p.review.detail}")
    if p.plan:
        print("plan:")
        _print_plan(p.plan)


def _print_result(result: TaskResult) -> None:
    print(f"status:   {result.status.value}")
    print(f"reason:   {result.reason}")
    print(f"steps:    {result.steps_taken} in {result.execution_time_seconds:.2f} s, AI cost ${result.ai_cost:.4f}")
    for key, value in result.result_data.items():
        print(f"result:   {key} = {value}")


def web_ui_link(settings: Settings, task_id: str) -> str:
    return f"{settings.web_ui_url}/namespaces/{settings.temporal_namespace}/workflows/{task_id}"


async def _follow(handle: Any, quiet: bool) -> TaskResult:
    """Wait for the result, printing progress changes unless ``quiet``."""
    waiter = asyncio.create_task(handle.result())
    shown = ""
    plan: list[str] = []
    try:
        while not waiter.done():
            if not quiet:
                try:
                    p = await handle.status()
                    line = f"  [{p.status.value}] step {p.step}/{p.max_steps} {p.last_action or p.detail}"
                    if p.intent:
                        line = f"  [{p.status.value}] {p.intent}\n{line}"
                    if line != shown:
                        print(line, flush=True)
                        shown = line
                    if p.plan and p.plan != plan:
                        print("  plan:")
                        _print_plan(p.plan, "    ")
                        plan = list(p.plan)
                except (TaskNotFound, asyncio.CancelledError):
                    raise
                except Exception:  # the run may close between the check and the query
                    pass
            await asyncio.wait([waiter], timeout=0.25)
        result: TaskResult = waiter.result()
        return result
    finally:
        if not waiter.done():
            waiter.cancel()
        await asyncio.gather(waiter, return_exceptions=True)


def _prepare(args: argparse.Namespace) -> dict[str, Any]:
    """Everything a Temporal command sends, parsed and validated before any connection (``RequestInvalid``,
    exit 2, naming each bad field)."""
    from client.sdk import parse_request, review_payload

    if getattr(args, "task_id", None) is not None:
        task_id = args.task_id
        if not task_id.strip() or len(task_id) > 1000 or any(not c.isprintable() or c.isspace() for c in task_id):
            raise RequestInvalid(f"task id: {task_id!r} is not a task id (printable, no spaces, 1-1000 characters)")
    command = args.command
    if command in {"run", "submit"}:
        return {"request": parse_request(_load_request(args.request, args.set))}
    if command == "approve":
        return {"payload": review_payload("approve", note=args.note or "")}
    if command == "reject":
        return {"payload": review_payload("reject", reason=(args.reason or "").strip())}
    if command == "input":
        return {"payload": review_payload("provide_input", values=_pairs(args.values, "values"))}
    if command == "take-over":
        return {"payload": review_payload("take_over", result=_pairs(args.values, "result"), note=args.note or "")}
    if command == "instruct":
        if len(args.action) > 3:
            raise RequestInvalid("invalid instruct: action: give KIND SELECTOR [VALUE] (quote a selector with spaces)")
        kind, *rest = args.action
        if kind == "navigate":
            if len(rest) != 1:
                raise RequestInvalid("invalid instruct: action.value: navigate takes one URL")
            action: dict[str, Any] = {"kind": "navigate", "value": rest[0]}
        else:
            if not rest:
                raise RequestInvalid(f"invalid instruct: action.selector: {kind} needs a SELECTOR")
            action = {"kind": kind, "selector": rest[0], "label": rest[0], "value": rest[1] if rest[1:] else None}
        return {"payload": review_payload("instruct", action=action)}
    if command == "pause":
        return {"payload": review_payload("pause", reason=args.reason or "")}
    if command == "resume":
        return {"payload": review_payload("resume")}
    if command == "list" and args.status:
        from browserflow.contracts import TaskStatus

        if args.status not in {s.value for s in TaskStatus}:
            known = ", ".join(s.value for s in TaskStatus)
            raise RequestInvalid(f"--status: {args.status!r} is not a task status ({known})")
    return {}


async def _cmd_run(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    tasks = await session.tasks()
    handle = await tasks.submit(args.prepared["request"])
    if not args.json:
        print(f"task {handle.id} started; Web UI: {web_ui_link(settings, handle.id)}", flush=True)
    result = await _follow(handle, quiet=args.json)
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        print("steps:")
        try:
            _print_steps(await handle.steps())
        except Exception as exc:
            print(f"  (step log unavailable: {exc})")
        _print_result(result)
        print(f"Web UI:   {web_ui_link(settings, handle.id)}")
    return EXIT["ok"] if result.goal_achieved else EXIT["goal_not_reached"]


async def _cmd_submit(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    handle = await (await session.tasks()).submit(args.prepared["request"])
    print(handle.id)
    return 0


async def _cmd_status(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    progress = await (await session.tasks()).get(args.task_id).status()
    if args.json:
        print(progress.model_dump_json(indent=2))
    else:
        _print_progress(progress)
    return 0


async def _cmd_steps(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    log = await (await session.tasks()).get(args.task_id).steps()
    if args.json:
        print(log.model_dump_json(indent=2))
    else:
        _print_steps(log)
    return 0


async def _cmd_list(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    rows = await (await session.tasks()).list(status=args.status, site=args.site, limit=args.limit)
    for row in rows:
        started = row.started_at.isoformat(timespec="seconds") if row.started_at else "-"
        print(f"{row.task_id:<40} {row.status:<14} {row.site:<24} {started}")
    if not rows:
        print("no tasks", file=sys.stderr)
    return 0


async def _cmd_cancel(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    await (await session.tasks()).get(args.task_id).cancel()
    print(f"cancellation requested for {args.task_id}")
    return 0


def _pairs(items: Sequence[str], field: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise RequestInvalid(f"{field}: expected FIELD=VALUE, got {item!r}")
        found[key] = value
    return found


async def _cmd_reviews(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    pending = await (await session.tasks()).reviews()
    for task_id, review in pending:
        proposed = "; ".join(a.describe() for a in review.proposed) or "-"
        print(f"{task_id}  {review.requested_at.isoformat(timespec='seconds')}  {review.reason}: {review.detail}")
        print(f"    step {review.step} at {review.url}\n    proposed: {proposed}")
        print(f"    screenshot: {review.screenshot or '(none)'}")
    if not pending:
        print("no pending reviews", file=sys.stderr)
    return 0


async def _cmd_verb(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    ack = await (await session.tasks()).get(args.task_id).send(args.prepared["payload"])
    print(ack.detail)
    return 0


async def _cmd_pause(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    handle = (await session.tasks()).get(args.task_id)
    await handle.describe()  # an unknown id is named as such, not as an ended task
    await handle.signal(args.prepared["payload"])
    if args.command == "pause":
        print(f"{args.task_id} will pause at its next step boundary")
    else:
        print(f"{args.task_id} resumed")
    return 0


async def _cmd_watch(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    handle = (await session.tasks()).get(args.task_id)
    await handle.describe()  # an unknown id: exit 4 at once
    result = await _follow(handle, quiet=False)
    _print_result(result)
    try:
        final = await handle.status()
    except Exception:  # the plan is a courtesy: the result above stands
        final = None
    if final is not None and final.plan:
        print("plan:")
        _print_plan(final.plan)
    return EXIT["ok"] if result.goal_achieved else EXIT["goal_not_reached"]


def _fail(code: str, message: str) -> int:
    print(f"browserflow: {message}", file=sys.stderr)
    return EXIT[code]


async def _run_async(args: argparse.Namespace, settings: Settings) -> int:
    """One Temporal command on its own runtime: errors become exit statuses *here*, so that no traceback keeps
    the client alive, then the runtime is shut down before ``asyncio.run`` returns."""
    from client.sdk import ReviewRefused

    session = ClientSession()
    try:
        try:
            return await _ASYNC[args.command](args, settings, session)
        except RequestInvalid as exc:
            return _fail("bad_input", exc.message)
        except (ReviewRefused, TaskEnded) as exc:
            return _fail("refused", str(exc))
        except TaskNotFound as exc:
            return _fail("not_found", exc.message)
        except (TaskUnanswered, ConnectionError) as exc:
            return _fail("unavailable", str(exc))
        except BrowserflowError as exc:  # configuration (e.g. the encryption key ring)
            return _fail("bad_input", exc.message)
        except RPCError as exc:
            return _fail("unavailable", f"Temporal refused the call: {exc.status.name if exc.status else ''} {exc}")
        except asyncio.CancelledError:
            return EXIT["interrupted"]
        except Exception:  # a bug: say so with its traceback, but still shut the runtime down
            import traceback

            return _fail("internal", "internal error, please report:\n" + traceback.format_exc())
    finally:
        if not await session.close():
            _UNRELEASED.append(args.command)


_UNRELEASED: list[str] = []


def _cmd_trace(args: argparse.Namespace, settings: Settings) -> int:
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


def _cmd_db(args: argparse.Namespace, settings: Settings) -> int:
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


_SPAN = {"m": 60, "h": 3600, "d": 86400, "w": 604800}


def _parse_since(text: str | None) -> Any:
    from datetime import timedelta

    if not text:
        return None
    unit = text[-1]
    if unit not in _SPAN or not text[:-1].replace(".", "", 1).isdigit():
        raise ValueError(f"--since takes a number and a unit (m, h, d, w), e.g. 7d; got {text!r}")
    return timedelta(seconds=float(text[:-1]) * _SPAN[unit])


def _cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    stats = _store(settings).stats(since=_parse_since(args.since), site=args.site)
    print(stats.model_dump_json(indent=2))
    return 0


def _cmd_paths(args: argparse.Namespace, settings: Settings) -> int:
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


def _cmd_cost(args: argparse.Namespace, settings: Settings) -> int:
    print(_store(settings).cost(args.task_id).model_dump_json(indent=2))
    return 0


def _cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    if args.max_sessions:
        os.environ["BROWSERFLOW_MAX_SESSIONS"] = str(args.max_sessions)
    if args.task_queue:
        os.environ["BROWSERFLOW_TASK_QUEUE"] = args.task_queue
    import worker

    worker.main()
    return 0


def _cmd_stack(args: argparse.Namespace, settings: Settings) -> int:
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="browserflow", description="durable browser tasks on Temporal")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_request(p: argparse.ArgumentParser) -> None:
        p.add_argument("request", help="task request JSON file (- for stdin)")
        p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="override a field")

    run = sub.add_parser("run", help="start a task and wait for its result")
    with_request(run)
    run.add_argument("--json", action="store_true", help="print only the result, as JSON")
    submit = sub.add_parser("submit", help="start a task and print its id")
    with_request(submit)
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
    sub.add_parser("watch", help="stream a task's progress until it ends").add_argument("task_id")
    sub.add_parser("trace", help="the task's Playwright trace files").add_argument("task_id")
    sub.add_parser("server", help="run the embedded Temporal dev server in the foreground")
    sub.add_parser("up", help="start the local stack (server, demo site, worker) in the background")
    sub.add_parser("down", help="stop what `up` started")
    sub.add_parser("demo", help="run the bundled demo task end to end")
    sub.add_parser("codec-server", help="decode encrypted payloads for the Web UI and the temporal CLI", add_help=False)
    return parser


_ASYNC = {
    "run": _cmd_run,
    "submit": _cmd_submit,
    "status": _cmd_status,
    "steps": _cmd_steps,
    "list": _cmd_list,
    "cancel": _cmd_cancel,
    "reviews": _cmd_reviews,
    "approve": _cmd_verb,
    "reject": _cmd_verb,
    "input": _cmd_verb,
    "instruct": _cmd_verb,
    "take-over": _cmd_verb,
    "pause": _cmd_pause,
    "resume": _cmd_pause,
    "watch": _cmd_watch,
}


_SYNC = {"db": _cmd_db, "stats": _cmd_stats, "cost": _cmd_cost, "paths": _cmd_paths, "trace": _cmd_trace}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit status (see the module docstring).

    Called as the program (``argv`` None: the ``browserflow`` script or ``python -m client.cli``) and a Temporal
    runtime could not be shut down (a reference leak, never seen in the exit-status test), the process ends
    with ``os._exit`` after flushing, rather than let the interpreter's teardown race the runtime's threads.
    """
    code = _main(argv)
    if argv is None and _UNRELEASED:
        print(
            f"browserflow: note: the Temporal runtime of {_UNRELEASED[0]} was still referenced at exit", file=sys.stderr
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
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command in _ASYNC:
            args.prepared = _prepare(args)  # validate first: nothing is connected for bad input
            return asyncio.run(_run_async(args, settings))
        if args.command == "worker":
            return _cmd_worker(args, settings)
        if args.command in _SYNC:
            return _SYNC[args.command](args, settings)
        return _cmd_stack(args, settings)
    except RequestInvalid as exc:
        print(f"browserflow: {exc.message}", file=sys.stderr)
        return 2
    except BrowserflowError as exc:
        print(f"browserflow: {exc.message}", file=sys.stderr)
        return 2
    except ConnectionError as exc:
        print(f"browserflow: {exc}", file=sys.stderr)
        return EXIT["unavailable"]
    except (FileNotFoundError, ValueError) as exc:
        print(f"browserflow: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
