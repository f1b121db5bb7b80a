"""Load: many demo registrations at once on worker subprocesses; nothing lost, nothing left running.

Submits ``--tasks`` demo registration tasks at once to ``--workers`` worker subprocesses (``python -m worker``,
each ``--max-sessions``) on a fresh dev server, waits for every result (bounded by ``--cap`` seconds), then
stops the workers and checks: every task ended, counts by status, registrations on the demo site, and no
Chromium process left behind (every Chromium seen below a worker during the run must be gone).

``--kill-one`` SIGKILLs one worker after about a third of the tasks completed and starts a replacement.
The tasks whose browser lived on the killed worker are recovered on the survivors from their checkpoints
(issue 3); a submit that was in flight asks a reviewer (``uncertain_submission``) rather than repeating, so
the counts by status show any such task as ``needs_review``, never as a second registration.

    .venv/bin/python -m bench.load [--tasks 200] [--workers 2] [--max-sessions 6] [--kill-one] [--cap 600]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.harness import demo_request, start_dev_server, summarise
from bench.procs import (
    WorkerProc,
    chromium_pids,
    cpu_seconds,
    migrated_store_url,
    now_ticks,
    server_address,
    temporal_server_pid,
)
from browserflow.contracts import TaskResult, TaskStatus
from client.sdk import BrowserTasks, TaskHandle
from client.session import exit_cleanly, run_async
from demo import DemoSite


async def _sample_chromium(workers: list[WorkerProc], seen: set[int], stop: asyncio.Event) -> None:
    """Record every Chromium process below any of our workers while the run goes on."""
    while not stop.is_set():
        for w in list(workers):
            if w.process.returncode is None:
                seen.update(chromium_pids(under=w.pid))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=0.5)


async def run(
    n_tasks: int, n_workers: int, max_sessions: int, kill_one: bool, cap: float, keep: bool
) -> dict[str, Any]:
    env = await start_dev_server()
    site = DemoSite(port=0)
    site.start()
    data_dir = Path(tempfile.mkdtemp(prefix="bf-load-"))
    workers: list[WorkerProc] = []
    report: dict[str, Any] = {"tasks": n_tasks, "workers": n_workers, "max_sessions": max_sessions}
    try:
        address = server_address(env.client)
        server_pid = temporal_server_pid(address)
        db = migrated_store_url(data_dir)
        queue = f"load-{uuid.uuid4().hex[:8]}"
        run_started_ticks = now_ticks()

        async def spawn(i: int) -> WorkerProc:
            return await WorkerProc.start(
                address=address,
                task_queue=queue,
                max_sessions=max_sessions,
                database_url=db,
                data_dir=data_dir,
                name=f"worker-{i}",
            )

        workers.extend(await asyncio.gather(*(spawn(i) for i in range(n_workers))))
        seen: set[int] = set()
        stop_sampling = asyncio.Event()
        sampler = asyncio.create_task(_sample_chromium(workers, seen, stop_sampling))
        server_cpu0 = cpu_seconds([server_pid]) if server_pid else 0.0

        tasks = BrowserTasks(env.client, queue)
        run_id = uuid.uuid4().hex[:6]
        t0 = time.perf_counter()
        handles: list[TaskHandle] = list(
            await asyncio.gather(
                *(tasks.submit({**demo_request(site, i), "request_id": f"load-{run_id}-{i}"}) for i in range(n_tasks))
            )
        )
        submitted_s = time.perf_counter() - t0
        done: list[tuple[float, TaskResult]] = []
        kill_at = n_tasks // 3 if kill_one else None
        killed: dict[str, Any] = {}
        reached_kill_point = asyncio.Event()

        async def one(h: TaskHandle) -> None:
            result = await h.result()
            done.append((time.perf_counter() - t0, result))
            if kill_at is not None and len(done) >= kill_at:
                reached_kill_point.set()

        async def killer() -> None:
            assert kill_at is not None
            await reached_kill_point.wait()
            victim = workers[0]
            killed.update(worker=victim.worker_id, at_completed=len(done), at_s=round(time.perf_counter() - t0, 1))
            await victim.kill()
            killed["exit_code"] = victim.process.returncode
            workers.append(await spawn(n_workers))
            killed["replacement"] = workers[-1].worker_id

        reviewed: list[str] = []
        all_done = asyncio.Event()

        async def reviewer() -> None:
            """What a person does with an uncertain submission: look it up on the site, then take over
            with its confirmation (it did go through) or approve submitting again (it did not)."""
            while not all_done.is_set():
                for task_id, review in await tasks.reviews():
                    if review.reason != "uncertain_submission" or task_id in reviewed:
                        continue
                    i = int(task_id.rsplit("-", 1)[-1])
                    name = demo_request(site, i)["data"]["student_name"]
                    found = [r.confirmation for r in site.registrations if r.student_name == name]
                    handle = tasks.get(task_id)
                    if found:
                        await handle.take_over({"confirmation_number": found[0]}, note="found on the site")
                    else:
                        await handle.approve("not on the site: submit again")
                    reviewed.append(task_id)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(all_done.wait(), timeout=1.0)

        waiters = [asyncio.create_task(one(h)) for h in handles]
        extra = [asyncio.create_task(killer())] if kill_at is not None else []
        review_task = asyncio.create_task(reviewer())
        _, pending = await asyncio.wait([*waiters, *extra], timeout=cap)
        wall = time.perf_counter() - t0
        all_done.set()
        await review_task
        for p in pending:
            p.cancel()
        server_cpu = (cpu_seconds([server_pid]) - server_cpu0) if server_pid else float("nan")
        worker_cpu = {w.worker_id: round(cpu_seconds(w.tree()), 1) for w in workers if w.process.returncode is None}

        by_status = collections.Counter(r.status.value for _, r in done)
        reasons = collections.Counter(r.reason for _, r in done if r.status != TaskStatus.SUCCEEDED)
        end_to_end = [t for t, _ in done]
        in_workflow = [r.execution_time_seconds for _, r in done if r.status == TaskStatus.SUCCEEDED]
        report.update(
            submit_s=round(submitted_s, 2),
            wall_s=round(wall, 1),
            capped=bool(pending),
            completed=len(done),
            not_completed=n_tasks - len(done),
            by_status=dict(by_status),
            failure_reasons=dict(reasons),
            registrations=site.registration_count(),
            throughput_tasks_per_s=round(by_status.get("succeeded", 0) / wall, 2),
            end_to_end_s={k: round(v, 2) for k, v in summarise(end_to_end).items()} if end_to_end else {},
            in_workflow_s={k: round(v, 2) for k, v in summarise(in_workflow).items()} if in_workflow else {},
            temporal_server_cpu_s=round(server_cpu, 1),
            worker_tree_cpu_s=worker_cpu,
            killed=killed or None,
            resolved_by_reviewer=len(reviewed),
        )

        stop_sampling.set()
        await sampler
        exit_codes = {w.worker_id: await w.stop() for w in workers}
        report["exit_codes"] = exit_codes
        # every Chromium seen below a worker must be gone (zombies awaiting their reaper count as gone)
        deadline = time.monotonic() + 15
        left = [p for p in seen if _alive(p)]
        while left and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            left = [p for p in left if _alive(p)]
        report.update(chromium_seen=len(seen), chromium_left=sorted(left))
        report["chromium_started_since_run_alive"] = len(
            [p for p in chromium_pids(started_after_ticks=run_started_ticks) if _alive(p)]
        )
    finally:
        for w in workers:
            if w.process.returncode is None:
                await w.stop(timeout=30)
        site.stop()
        await env.shutdown()
        if not keep:
            import shutil

            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            report["data_dir"] = str(data_dir)
    return report


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def print_report(r: dict[str, Any]) -> None:
    print(
        f"load: {r['tasks']} demo registrations at once on {r['workers']} worker subprocesses "
        f"x {r['max_sessions']} sessions"
    )
    if r.get("killed"):
        k = r["killed"]
        print(
            f"  SIGKILLed {k['worker']} after {k['at_completed']} completions ({k['at_s']} s, exit {k.get('exit_code')});"
            f" replacement {k.get('replacement')}"
        )
    print(f"  submitted in {r['submit_s']} s; wall {r['wall_s']} s{' (HIT THE CAP)' if r['capped'] else ''}")
    print(f"  completed {r['completed']}/{r['tasks']}  (not completed: {r['not_completed']})")
    print("  by status: " + ", ".join(f"{k}={v}" for k, v in sorted(r["by_status"].items())))
    if r.get("resolved_by_reviewer"):
        print(f"  uncertain submissions resolved by the scripted reviewer: {r['resolved_by_reviewer']}")
    for reason, count in r["failure_reasons"].items():
        print(f"    {count} x {reason}")
    print(f"  demo site registrations: {r['registrations']}")
    print(f"  throughput: {r['throughput_tasks_per_s']} succeeded tasks/s")
    e2e, wf = r["end_to_end_s"], r["in_workflow_s"]
    if e2e:
        print(f"  submit->result latency: median {e2e['median']} s, p95 {e2e['p95']} s (includes queueing)")
    if wf:
        print(f"  in-workflow time (succeeded): median {wf['median']} s, p95 {wf['p95']} s")
    print(f"  CPU: temporal server {r['temporal_server_cpu_s']} s; worker trees {r['worker_tree_cpu_s']}")
    print(f"  worker exit codes (SIGTERM drain): {r['exit_codes']}")
    left = r["chromium_left"]
    print(f"  chromium processes seen below workers: {r['chromium_seen']}; left afterwards: {len(left)} {left or ''}")
    print(
        f"  chromium processes started on this machine since the run began, still alive: "
        f"{r['chromium_started_since_run_alive']} (includes other users' browsers, if any)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-sessions", type=int, default=6)
    parser.add_argument("--kill-one", action="store_true")
    parser.add_argument("--cap", type=float, default=600.0, help="hard wall-clock cap for the tasks, seconds")
    parser.add_argument("--keep", action="store_true", help="keep the data dir (worker logs, SQLite)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not 1 <= args.tasks <= 1000:
        parser.error("--tasks must be 1..1000")
    report = run_async(lambda: run(args.tasks, args.workers, args.max_sessions, args.kill_one, args.cap, args.keep))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    ok = (
        report["completed"] == report["tasks"]
        and not report["chromium_left"]
        and (args.kill_one or report["by_status"].get("succeeded") == report["tasks"] == report["registrations"])
    )
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    exit_cleanly(main)
