"""Run app tasks through the real engine and judge each from the application's own database.

Per task: restore the pristine database, snapshot it, run the Goal Engine request through the SDK, snapshot
again, diff minus the app's bookkeeping, judge against the task's expected change. The engine's own status
is kept beside the verdict, to count false successes (engine says succeeded, the database disagrees).
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from typing import Any

from bench.apps.base import App, AppTask, log
from bench.apps.expect import Judgement, judge
from browserflow.contracts import TaskStatus
from client.sdk import BrowserTasks

__all__ = ["TaskRun", "engine_stack", "request_for", "run_task", "summary_lines", "table_lines"]

MAX_STEPS = 15
TIMEOUT = 90.0


@dataclass(frozen=True)
class TaskRun:
    app: str
    task: str
    kind: str
    engine_status: str
    engine_reason: str
    steps: int
    verdict: str
    unexpected: tuple[str, ...]
    missing: tuple[str, ...]
    changes: tuple[str, ...]
    seconds: float
    final_url: str = ""
    step_log: tuple[str, ...] = ()  # per step: the decision summary and the page it was made on
    plan: tuple[str, ...] = ()  # the engine's compiled plan, each intent with its state

    @property
    def wrong_write(self) -> bool:
        return self.verdict == "wrong_write"

    @property
    def false_success(self) -> bool:
        return self.engine_status == TaskStatus.SUCCEEDED.value and self.verdict != "success"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "wrong_write": self.wrong_write, "false_success": self.false_success}


def request_for(app: App, task: AppTask) -> dict[str, Any]:
    """The Goal Engine request: goal, start URL and data as a caller would send them; decided live."""
    return {
        "goal": task.goal,
        "start_url": app.url(task.start_path),
        "data": dict(task.data),
        "use_cache": False,
        "review_policy": "never",
        "max_steps": MAX_STEPS,
        "timeout": TIMEOUT,
    }


async def run_task(tasks: BrowserTasks, app: App, task: AppTask) -> TaskRun:
    app.restore()
    os.environ.update(task.env)  # the worker runs in this process: its environment holds the secrets
    before = app.snapshot()
    t0 = time.perf_counter()
    status, reason, steps, final_url = "error", "", 0, ""
    step_log: tuple[str, ...] = ()
    plan: tuple[str, ...] = ()
    seconds = 0.0
    try:
        handle = await tasks.submit(request_for(app, task))
        result = await handle.result()
        seconds = time.perf_counter() - t0
        status, reason, steps, final_url = result.status.value, result.reason, result.steps_taken, result.final_url
        log_ = await handle.steps()
        step_log = tuple(f"{s.step}: {s.decision} @ {s.url}" + ("" if s.ok else " [failed]") for s in log_.steps)
        plan = tuple((await handle.status()).plan)
    except Exception as exc:  # the bench records any engine failure as a result
        reason = reason or f"{type(exc).__name__}: {exc}"
    seconds = seconds or time.perf_counter() - t0
    verdict: Judgement = judge(app.diff(before), task.expect, before)
    return TaskRun(
        app.name,
        task.name,
        task.kind,
        status,
        reason,
        steps,
        verdict.verdict,
        verdict.unexpected,
        verdict.missing,
        verdict.changes,
        round(seconds, 1),
        final_url,
        step_log,
        plan,
    )


@asynccontextmanager
async def engine_stack(max_sessions: int = 2) -> AsyncIterator[BrowserTasks]:
    """The real engine in this process, as every bench runs it (``bench.harness.stack``: Temporal dev server,
    Chromium pool, the worker pair with the rules tier, a SQLite store)."""
    from bench.harness import stack

    async with stack(max_sessions=max_sessions) as s:
        yield s.tasks


async def run_all(apps: Iterable[App], task_names: set[str] | None = None) -> list[TaskRun]:
    """Prepare and start every app, run its (selected) tasks one by one, stop the apps."""
    apps = list(apps)
    runs: list[TaskRun] = []
    try:
        for app in apps:
            app.prepare()
            app.start()
        async with engine_stack() as tasks:
            for app in apps:
                chosen = [t for t in app.tasks() if task_names is None or t.name in task_names]
                for i, task in enumerate(chosen, 1):
                    log(f"{app.name} {i}/{len(chosen)} {task.name}: {task.goal}")
                    run = await run_task(tasks, app, task)
                    flag = "  WRONG WRITE: " + "; ".join(run.unexpected) if run.wrong_write else ""
                    log(f"  -> engine {run.engine_status} ({run.steps} steps, {run.seconds}s), db {run.verdict}{flag}")
                    runs.append(run)
    finally:
        for app in apps:
            app.stop()
    return runs


def table_lines(runs: list[TaskRun]) -> list[str]:
    header = ("app", "task", "engine status", "DB verdict", "wrong write?", "time s")
    rows = [
        (r.app, r.task, r.engine_status, r.verdict, "YES" if r.wrong_write else "no", f"{r.seconds:.1f}") for r in runs
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*header), fmt.format(*("-" * w for w in widths)), *(fmt.format(*row) for row in rows)]


def summary_lines(runs: list[TaskRun]) -> list[str]:
    out = []
    for app in dict.fromkeys(r.app for r in runs):
        mine = [r for r in runs if r.app == app]
        ok = sum(r.verdict == "success" for r in mine)
        out.append(
            f"{app}: success {ok}/{len(mine)} ({100 * ok / len(mine):.0f}%), "
            f"wrong writes {sum(r.wrong_write for r in mine)}, false successes {sum(r.false_success for r in mine)}"
        )
    for r in runs:
        if r.wrong_write or r.false_success:
            what = "; ".join(r.unexpected or r.missing)
            out.append(f"  {r.app}/{r.task}: {'wrong write' if r.wrong_write else 'false success'}: {what}")
    return out
