"""Recovery time after a worker kill (kill -9 -> the task running again on another worker), median over N
kills, and the time to park and unpark a browser while a task waits for a person.

    .venv/bin/python -m bench.recovery [--kills 10]

"Running again" is the completion of the restoring navigation on the surviving worker (the page reloaded
from the checkpoint), read from the workflow's history. A standby worker is running when the kill happens
(a fleet always has others); a replacement is started after each kill so two workers stay up.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle

from bench.harness import demo_request, stack, start_dev_server
from bench.procs import WorkerProc, migrated_store_url, server_address
from browserflow.contracts import TaskStatus
from browserflow.temporal.codec import data_converter
from client.sdk import BrowserTasks
from client.session import exit_cleanly, run_async
from demo import DemoSite


async def _activities(handle: WorkflowHandle[Any, Any]) -> list[tuple[str, str, datetime, datetime | None]]:
    """(type, identity of the attempt that started, scheduled time, completed time) per activity."""
    scheduled: dict[int, tuple[str, datetime]] = {}
    started: dict[int, str] = {}
    rows: list[tuple[str, str, datetime, datetime | None]] = []
    async for event in handle.fetch_history_events():
        at = event.event_time.ToDatetime()
        if event.HasField("activity_task_scheduled_event_attributes"):
            scheduled[event.event_id] = (event.activity_task_scheduled_event_attributes.activity_type.name, at)
        elif event.HasField("activity_task_started_event_attributes"):
            attrs = event.activity_task_started_event_attributes
            started[attrs.scheduled_event_id] = attrs.identity
        elif event.HasField("activity_task_completed_event_attributes"):
            sid = event.activity_task_completed_event_attributes.scheduled_event_id
            name, when = scheduled[sid]
            rows.append((name, started.get(sid, ""), when, at))
    return rows


async def one_kill(tasks: BrowserTasks, site: DemoSite, workers: list[WorkerProc], spawn: Any) -> float:
    site.faults.slow_ms = 700
    site.faults.slow_count = 1000
    handle = await tasks.submit(demo_request(site, 0) | {"use_cache": False})
    raw = tasks.client.get_workflow_handle(handle.id)
    while (await handle.status()).step < 2:  # noqa: ASYNC110 - mid-task: the second page is being worked on
        await asyncio.sleep(0.05)
    holder_identity = next(
        identity for name, identity, *_ in reversed(await _activities(raw)) if name in {"act", "navigate"}
    )
    holder = next(w for w in workers if w.session_identity == holder_identity)
    killed_at = datetime.utcnow()
    await holder.kill()
    workers.remove(holder)
    workers.append(await spawn())
    site.faults.slow_count = 0
    result = await handle.result()
    if result.status != TaskStatus.SUCCEEDED:
        raise RuntimeError(f"task ended {result.status}: {result.reason}")
    restored = [
        done for name, identity, _, done in await _activities(raw)
        if name == "navigate" and done is not None and done > killed_at and identity != holder_identity
    ]  # fmt: skip
    return (min(restored) - killed_at).total_seconds()


async def kills(n: int) -> list[float]:
    env = await start_dev_server()
    scratch = Path(tempfile.mkdtemp(prefix="bf-recovery-"))
    url = migrated_store_url(scratch)
    queue = f"bench-recovery-{uuid.uuid4().hex[:8]}"
    site = DemoSite(port=0)
    site.start()
    counter = 0

    async def spawn() -> WorkerProc:
        nonlocal counter
        counter += 1
        return await WorkerProc.start(
            address=server_address(env.client), task_queue=queue, max_sessions=2, database_url=url,
            data_dir=scratch, name=f"worker{counter}",
        )  # fmt: skip

    workers = [await spawn(), await spawn()]
    times: list[float] = []
    try:
        client = await Client.connect(server_address(env.client), data_converter=data_converter())
        tasks = BrowserTasks(client, queue)
        for i in range(n):
            times.append(await one_kill(tasks, site, workers, spawn))
            print(f"  kill {i + 1}/{n}: running again after {times[-1]:.2f} s", flush=True)
    finally:
        for w in workers:
            await w.stop()
        site.stop()
        await env.shutdown()
    return times


async def park_unpark(runs: int) -> tuple[float, float]:
    parks, unparks = [], []
    async with stack(max_sessions=2) as s:
        for i in range(runs):
            request = demo_request(s.site, i) | {
                "review_policy": "before_irreversible",
                "park_after": 0,
                "use_cache": False,
            }
            handle = await s.tasks.submit(request)
            while (await handle.pending_review()) is None or s.pool.held_for(handle.id):  # noqa: ASYNC110
                await asyncio.sleep(0.02)
            approved_at = datetime.utcnow()
            await handle.approve()
            result = await handle.result()
            assert result.status == TaskStatus.SUCCEEDED, result.reason
            rows = await _activities(s.tasks.client.get_workflow_handle(handle.id))
            park = next((done - sched).total_seconds() for name, _, sched, done in rows if name == "park" and done)
            restored = min(done for name, _, _, done in rows if name == "navigate" and done and done > approved_at)
            parks.append(park)
            unparks.append((restored - approved_at).total_seconds())
    return statistics.median(parks), statistics.median(unparks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--parks", type=int, default=5)
    args = parser.parse_args()
    t0 = time.monotonic()
    recovered = run_async(lambda: kills(args.kills))
    park, unpark = run_async(lambda: park_unpark(args.parks))
    print(
        f"recovery after kill -9 (median of {len(recovered)}): {statistics.median(recovered):.2f} s "
        f"(min {min(recovered):.2f}, max {max(recovered):.2f}; target: within 30 s)"
    )
    print(f"park a browser (save state, free the slot), median: {park * 1000:.0f} ms")
    print(f"unpark (approval -> page restored on a new context), median: {unpark * 1000:.0f} ms")
    print(f"bench time {time.monotonic() - t0:.0f} s")


if __name__ == "__main__":
    exit_cleanly(main)
