"""What a person sees of a task on a terminal: its progress, step log, plan and result, and ``follow``, which
prints progress changes until the result arrives. Used by ``browserflow run`` / ``watch`` and by the demo."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from browserflow.config import Settings
from browserflow.contracts import StepLog, TaskProgress, TaskResult
from browserflow.errors import TaskNotFound

__all__ = ["follow", "print_plan", "print_progress", "print_result", "print_steps", "run_and_report", "web_ui_link"]


def print_steps(log: StepLog) -> None:
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


def print_plan(plan: Sequence[str], indent: str = "  ") -> None:
    for line in plan:
        print(f"{indent}{line}")


def print_progress(p: TaskProgress) -> None:
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
        print_plan(p.plan)


def print_result(result: TaskResult) -> None:
    print(f"status:   {result.status.value}")
    print(f"reason:   {result.reason}")
    print(f"steps:    {result.steps_taken} in {result.execution_time_seconds:.2f} s, AI cost ${result.ai_cost:.4f}")
    for key, value in result.result_data.items():
        print(f"result:   {key} = {value}")


def web_ui_link(settings: Settings, task_id: str) -> str:
    return f"{settings.web_ui_url}/namespaces/{settings.temporal_namespace}/workflows/{task_id}"


async def follow(handle: Any, quiet: bool) -> TaskResult:
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
                        print_plan(p.plan, "    ")
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


async def run_and_report(tasks: Any, request: Any, settings: Settings, *, as_json: bool = False) -> TaskResult:
    """Submit ``request`` through ``tasks`` (a ``BrowserTasks``), follow it and print the steps and the result
    (what ``browserflow run`` and the demo show)."""
    handle = await tasks.submit(request)
    if not as_json:
        print(f"task {handle.id} started; Web UI: {web_ui_link(settings, handle.id)}", flush=True)
    result = await follow(handle, quiet=as_json)
    if as_json:
        print(result.model_dump_json(indent=2))
        return result
    print("steps:")
    try:
        print_steps(await handle.steps())
    except Exception as exc:
        print(f"  (step log unavailable: {exc})")
    print_result(result)
    print(f"Web UI:   {web_ui_link(settings, handle.id)}")
    return result
