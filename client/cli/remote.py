"""The commands that talk to Temporal, each on the command's own runtime (``client/session.py``): errors become
exit statuses here, so that no traceback keeps the client alive, then the runtime is shut down before
``asyncio.run`` returns."""

from __future__ import annotations

import argparse
import asyncio
import sys
import traceback
from collections.abc import Awaitable, Callable

from temporalio.service import RPCError

from browserflow.config import Settings
from browserflow.errors import BrowserflowError, RequestInvalid, TaskEnded, TaskNotFound, TaskUnanswered
from client.cli.exits import EXIT, fail
from client.progress import follow, print_plan, print_progress, print_result, print_steps, run_and_report
from client.session import ClientSession

__all__ = ["COMMANDS", "UNRELEASED", "run_remote"]

Command = Callable[[argparse.Namespace, Settings, ClientSession], Awaitable[int]]

UNRELEASED: list[str] = []
"""Commands whose Temporal runtime was still referenced after they ended (``main`` then exits hard)."""


async def _run(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    result = await run_and_report(await session.tasks(), args.prepared["request"], settings, as_json=args.json)
    return EXIT["ok"] if result.goal_achieved else EXIT["goal_not_reached"]


async def _submit(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    handle = await (await session.tasks()).submit(args.prepared["request"])
    print(handle.id)
    return 0


async def _status(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    progress = await (await session.tasks()).get(args.task_id).status()
    if args.json:
        print(progress.model_dump_json(indent=2))
    else:
        print_progress(progress)
    return 0


async def _steps(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    log = await (await session.tasks()).get(args.task_id).steps()
    if args.json:
        print(log.model_dump_json(indent=2))
    else:
        print_steps(log)
    return 0


async def _list(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    rows = await (await session.tasks()).list(status=args.status, site=args.site, limit=args.limit)
    for row in rows:
        started = row.started_at.isoformat(timespec="seconds") if row.started_at else "-"
        print(f"{row.task_id:<40} {row.status:<14} {row.site:<24} {started}")
    if not rows:
        print("no tasks", file=sys.stderr)
    return 0


async def _cancel(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    await (await session.tasks()).get(args.task_id).cancel()
    print(f"cancellation requested for {args.task_id}")
    return 0


async def _reviews(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    pending = await (await session.tasks()).reviews()
    for task_id, review in pending:
        proposed = "; ".join(a.describe() for a in review.proposed) or "-"
        print(f"{task_id}  {review.requested_at.isoformat(timespec='seconds')}  {review.reason}: {review.detail}")
        print(f"    step {review.step} at {review.url}\n    proposed: {proposed}")
        print(f"    screenshot: {review.screenshot or '(none)'}")
    if not pending:
        print("no pending reviews", file=sys.stderr)
    return 0


async def _verb(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    ack = await (await session.tasks()).get(args.task_id).send(args.prepared["payload"])
    print(ack.detail)
    return 0


async def _pause(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    handle = (await session.tasks()).get(args.task_id)
    await handle.describe()  # an unknown id is named as such, not as an ended task
    await handle.signal(args.prepared["payload"])
    if args.command == "pause":
        print(f"{args.task_id} will pause at its next step boundary")
    else:
        print(f"{args.task_id} resumed")
    return 0


async def _watch(args: argparse.Namespace, settings: Settings, session: ClientSession) -> int:
    handle = (await session.tasks()).get(args.task_id)
    await handle.describe()  # an unknown id: exit 4 at once
    result = await follow(handle, quiet=False)
    print_result(result)
    try:
        final = await handle.status()
    except Exception:  # the plan is a courtesy: the result above stands
        final = None
    if final is not None and final.plan:
        print("plan:")
        print_plan(final.plan)
    return EXIT["ok"] if result.goal_achieved else EXIT["goal_not_reached"]


COMMANDS: dict[str, Command] = {
    "run": _run,
    "submit": _submit,
    "status": _status,
    "steps": _steps,
    "list": _list,
    "cancel": _cancel,
    "reviews": _reviews,
    "approve": _verb,
    "reject": _verb,
    "input": _verb,
    "instruct": _verb,
    "take-over": _verb,
    "pause": _pause,
    "resume": _pause,
    "watch": _watch,
}


async def run_remote(args: argparse.Namespace, settings: Settings) -> int:
    """One Temporal command on its own runtime; its exit status."""
    from client.sdk import ReviewRefused

    session = ClientSession(settings)
    try:
        try:
            return await COMMANDS[args.command](args, settings, session)
        except RequestInvalid as exc:
            return fail("bad_input", exc.message)
        except (ReviewRefused, TaskEnded) as exc:
            return fail("refused", str(exc))
        except TaskNotFound as exc:
            return fail("not_found", exc.message)
        except (TaskUnanswered, ConnectionError) as exc:
            return fail("unavailable", str(exc))
        except BrowserflowError as exc:  # configuration (e.g. the encryption key ring)
            return fail("bad_input", exc.message)
        except RPCError as exc:
            return fail("unavailable", f"Temporal refused the call: {exc.status.name if exc.status else ''} {exc}")
        except asyncio.CancelledError:
            return EXIT["interrupted"]
        except Exception:  # a bug: say so with its traceback, but still shut the runtime down
            return fail("internal", "internal error, please report:\n" + traceback.format_exc())
    finally:
        if not await session.close():
            UNRELEASED.append(args.command)
