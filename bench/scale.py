"""Scale: throughput and latency by concurrency, memory per session, CPU per task, task time vs steps.

(a) concurrency 1, 4, 8, 16, 32: the engine (in-process worker, max_sessions = concurrency) vs a plain
    Playwright script doing the same demo registration, in the same run: tasks/s, median/p95, ratios.
(b) memory: PSS (``/proc/<pid>/smaps_rollup``) of an idle worker subprocess (python, Playwright driver,
    Chromium), and per open session: a pool with 0, 1, 4, 8 contexts each on the registration form.
(c) CPU seconds per task (utime+stime per process tree): worker subprocess, Temporal server, Chromium,
    the submitting client; vs plain Playwright.
(d) task time vs steps: generated 3, 10, 30-step flows (``/gen/<n>/1``), least-squares slope in s/step.

Small task counts at high concurrency keep the whole run under ~10 minutes on 2 cores; the table says how
many tasks each figure comes from.

    .venv/bin/python -m bench.scale [--quick] [--only a,b,c,d]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, async_playwright
from temporalio.testing import WorkflowEnvironment

from bench.harness import demo_request, plain_registration, run_concurrently, start_dev_server, summarise
from bench.procs import (
    WorkerProc,
    all_procs,
    cpu_seconds,
    descendants,
    is_chromium,
    migrated_store_url,
    now_ticks,
    pss_kib,
    server_address,
    temporal_server_pid,
)
from browserflow.browser.chromium import chromium_args, find_chromium
from browserflow.browser.pool import BrowserPool, Session
from browserflow.contracts import TaskStatus
from browserflow.store import Store
from client.sdk import BrowserTasks
from demo import DemoSite

CONTEXT_FLOOR_MB = 70.0


@asynccontextmanager
async def engine(env: WorkflowEnvironment, store: Store, max_sessions: int) -> AsyncIterator[BrowserTasks]:
    """An in-process worker pair (as bench.harness.stack) with its own pool and queue."""
    from worker import build_workers

    async with BrowserPool(chromium_path=find_chromium(), max_sessions=max_sessions) as pool:
        queue = f"scale-{uuid.uuid4().hex[:8]}"
        workers = build_workers(env.client, pool, store=store, task_queue=queue, drain_seconds=5)
        stop = asyncio.Event()
        running = asyncio.create_task(workers.run(stop))
        try:
            yield BrowserTasks(env.client, queue)
        finally:
            stop.set()
            await running


async def engine_task(tasks: BrowserTasks, request: dict[str, Any]) -> float:
    result = await tasks.run(request)
    if result.status != TaskStatus.SUCCEEDED:
        raise RuntimeError(f"engine task ended {result.status}: {result.reason}")
    return result.execution_time_seconds


# -- (a) -------------------------------------------------------------------------------------------------


async def throughput(
    env: WorkflowEnvironment, store: Store, site: DemoSite, browser: Browser, levels: list[tuple[int, int]]
) -> list[dict[str, Any]]:
    rows = []
    for concurrency, n in levels:
        plain_wall, plain = await run_concurrently(n, concurrency, lambda i: plain_registration(browser, site, i))
        async with engine(env, store, concurrency) as tasks:
            await engine_task(tasks, demo_request(site, -1))  # warm: first context of this pool
            engine_wall, eng = await run_concurrently(
                n, concurrency, lambda i: engine_task(tasks, demo_request(site, i))
            )
        p, e = summarise(plain), summarise(eng)
        rows.append(
            {
                "c": concurrency,
                "n": n,
                "plain_tps": n / plain_wall,
                "engine_tps": n / engine_wall,
                "plain_med": p["median"],
                "plain_p95": p["p95"],
                "engine_med": e["median"],
                "engine_p95": e["p95"],
            }
        )
        r = rows[-1]
        print(
            f"  c={concurrency:>2} n={n:>3}  plain {r['plain_tps']:.2f} t/s med {r['plain_med']:.2f} s"
            f"  engine {r['engine_tps']:.2f} t/s med {r['engine_med']:.2f} s",
            flush=True,
        )
    return rows


def print_throughput(rows: list[dict[str, Any]]) -> None:
    print("\n(a) throughput and latency, engine vs plain Playwright (demo registration, 3 steps)")
    print("  conc  tasks | plain t/s  med s  p95 s | engine t/s  med s  p95 s | t/s plain/engine  med engine/plain")
    for r in rows:
        print(
            f"  {r['c']:>4}  {r['n']:>5} | {r['plain_tps']:>9.2f} {r['plain_med']:>6.2f} {r['plain_p95']:>6.2f}"
            f" | {r['engine_tps']:>10.2f} {r['engine_med']:>6.2f} {r['engine_p95']:>6.2f}"
            f" | {r['plain_tps'] / r['engine_tps']:>16.2f} {r['engine_med'] / r['plain_med']:>17.2f}"
        )


# -- (b) -------------------------------------------------------------------------------------------------


def _split_tree(root: int) -> dict[str, list[int]]:
    procs = all_procs()
    tree = descendants(root, procs)
    chromium = [p for p in tree if is_chromium(p)]
    others = [p for p in tree if p != root and p not in chromium]
    return {"python": [root], "driver": others, "chromium": chromium}


async def memory(address: str, db: str, data_dir: Path, site: DemoSite, sizes: list[int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    worker = await WorkerProc.start(
        address=address,
        task_queue=f"mem-{uuid.uuid4().hex[:6]}",
        max_sessions=8,
        database_url=db,
        data_dir=data_dir,
        name="mem-worker",
    )
    try:
        await asyncio.sleep(2.0)  # let the fresh process settle before reading PSS (a measurement, not a sync)
        parts = _split_tree(worker.pid)
        out["idle_worker_mb"] = {k: pss_kib(v) / 1024 for k, v in parts.items()}
    finally:
        await worker.stop()
    # per session: a pool in this process (no spare page: it would sit in the 0-session point only), N contexts
    # each on the registration form
    per_n: dict[int, float] = {}
    before = now_ticks()
    async with BrowserPool(chromium_path=find_chromium(), max_sessions=max(sizes), warm_sessions=0) as pool:
        me = os.getpid()
        procs = all_procs()
        ours = [p for p in descendants(me, procs) if procs[p].start_ticks >= before and is_chromium(p)]
        assert ours, "no Chromium process found for the pool"
        opened: list[Session] = []
        for n in sizes:
            while len(opened) < n:
                session = await pool.open(f"mem-{len(opened)}")
                await session.page.goto(site.url("/register?class=tue-evening-swim"))
                opened.append(session)
            await asyncio.sleep(1.0)
            procs = all_procs()
            ours = [p for p in descendants(me, procs) if procs[p].start_ticks >= before and is_chromium(p)]
            per_n[n] = pss_kib(ours) / 1024
        for s in opened:
            await pool.close(s.id)
    out["pool_chromium_mb"] = per_n
    xs = sorted(per_n)
    out["per_session_mb"] = _slope([float(x) for x in xs], [per_n[x] for x in xs])
    return out


def print_memory(m: dict[str, Any]) -> None:
    idle = m["idle_worker_mb"]
    print("\n(b) memory (PSS, MiB)")
    print(
        f"  idle worker subprocess: python {idle['python']:.0f} + playwright driver {idle['driver']:.0f}"
        f" + chromium {idle['chromium']:.0f} = {sum(idle.values()):.0f}"
    )
    print(
        "  pool chromium tree by open sessions: " + ", ".join(f"{n}: {v:.0f}" for n, v in m["pool_chromium_mb"].items())
    )
    print(
        f"  per active session (least-squares slope): {m['per_session_mb']:.1f} MiB vs ~{CONTEXT_FLOOR_MB:.0f} MiB floor"
    )


# -- (c) -------------------------------------------------------------------------------------------------


async def cpu(
    address: str, db: str, data_dir: Path, env: WorkflowEnvironment, site: DemoSite, n: int
) -> dict[str, Any]:
    server = temporal_server_pid(address)
    me = os.getpid()
    worker = await WorkerProc.start(
        address=address,
        task_queue=f"cpu-{uuid.uuid4().hex[:6]}",
        max_sessions=4,
        database_url=db,
        data_dir=data_dir,
        name="cpu-worker",
    )
    tasks = BrowserTasks(env.client, worker.task_queue)
    try:
        await engine_task(tasks, demo_request(site, -1))

        def sample() -> dict[str, float]:
            parts = _split_tree(worker.pid)
            return {
                "worker python": cpu_seconds(parts["python"], with_reaped_children=False),
                "playwright driver": cpu_seconds(parts["driver"]),
                "chromium": cpu_seconds(parts["chromium"]),
                "temporal server": cpu_seconds([server]) if server else float("nan"),
                "client (bench)": cpu_seconds([me], with_reaped_children=False),
            }

        s0 = sample()
        await run_concurrently(n, 4, lambda i: engine_task(tasks, demo_request(site, i)))
        s1 = sample()
    finally:
        await worker.stop()
    eng = {k: (s1[k] - s0[k]) / n for k in s0}
    # plain: its own driver and Chromium below this process, started now
    before = now_ticks()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=find_chromium(), args=chromium_args())
        await plain_registration(browser, site, -1)

        def plain_sample() -> dict[str, float]:
            procs = all_procs()
            mine = [p for p in descendants(me, procs) if p != me and procs[p].start_ticks >= before]
            chromium = [p for p in mine if is_chromium(p)]
            driver = [p for p in mine if p not in chromium]
            return {
                "python": cpu_seconds([me], with_reaped_children=False),
                "playwright driver": cpu_seconds(driver),
                "chromium": cpu_seconds(chromium),
            }

        p0 = plain_sample()
        await run_concurrently(n, 4, lambda i: plain_registration(browser, site, i))
        p1 = plain_sample()
        await browser.close()
    plain = {k: (p1[k] - p0[k]) / n for k in p0}
    return {"n": n, "engine": eng, "plain": plain}


def print_cpu(c: dict[str, Any]) -> None:
    print(f"\n(c) CPU seconds per task (demo registration, concurrency 4, {c['n']} tasks each)")
    eng, plain = c["engine"], c["plain"]
    for k, v in eng.items():
        print(f"  engine  {k:<18} {v:6.3f}")
    print(f"  engine  {'TOTAL':<18} {sum(eng.values()):6.3f}")
    for k, v in plain.items():
        print(f"  plain   {k:<18} {v:6.3f}")
    print(f"  plain   {'TOTAL':<18} {sum(plain.values()):6.3f}")
    print(f"  engine/plain total: {sum(eng.values()) / sum(plain.values()):.2f}")


# -- (d) -------------------------------------------------------------------------------------------------


def flow_request(site: DemoSite, n: int) -> dict[str, Any]:
    return {
        "goal": "Complete the flow",
        "start_url": site.url(f"/gen/{n}/1"),
        "data": {f"answer_{i}": f"a{i}" for i in range(1, n + 1)},
        "success_text": "Flow complete",
        "extract": {"code": r"GEN-\d{6}"},
        "max_steps": n + 5,
    }


async def steps(env: WorkflowEnvironment, store: Store, site: DemoSite, sizes: list[int], reps: int) -> dict[str, Any]:
    times: dict[int, list[float]] = {}
    async with engine(env, store, 1) as tasks:
        await engine_task(tasks, flow_request(site, 2))
        for n in sizes:
            times[n] = [await engine_task(tasks, flow_request(site, n)) for _ in range(reps)]
    xs = [float(n) for n in sizes for _ in times[n]]
    ys = [t for n in sizes for t in times[n]]
    return {"times": times, "slope": _slope(xs, ys), "intercept": _intercept(xs, ys)}


def print_steps(d: dict[str, Any]) -> None:
    print("\n(d) task time vs steps (generated flows, concurrency 1)")
    for n, ts in d["times"].items():
        print(
            f"  {n:>3} steps: median {statistics.median(ts):6.2f} s  ({len(ts)} runs, {statistics.median(ts) / n:.3f} s/step)"
        )
    print(f"  least-squares fit: {d['slope']:.3f} s/step + {d['intercept']:.2f} s fixed")


def _slope(xs: list[float], ys: list[float]) -> float:
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else float("nan")


def _intercept(xs: list[float], ys: list[float]) -> float:
    return statistics.fmean(ys) - _slope(xs, ys) * statistics.fmean(xs)


# -- main ------------------------------------------------------------------------------------------------


async def main_async(quick: bool, only: set[str]) -> None:
    t0 = time.perf_counter()
    env = await start_dev_server()
    site = DemoSite(port=0)
    site.start()
    data_dir = Path(tempfile.mkdtemp(prefix="bf-scale-"))
    db = migrated_store_url(data_dir)
    store = Store.from_url(db)
    address = server_address(env.client)
    try:
        if "b" in only:
            print_memory(await memory(address, db, data_dir, site, [0, 1, 4] if quick else [0, 1, 4, 8]))
        if "c" in only:
            print_cpu(await cpu(address, db, data_dir, env, site, 4 if quick else 12))
        if "a" in only:
            levels = [(1, 2), (4, 4), (8, 8)] if quick else [(1, 5), (4, 12), (8, 16), (16, 24), (32, 32)]
            print("\n(a) running (each level: plain, then engine on a fresh pool of max_sessions = concurrency)")
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=find_chromium(), args=chromium_args())
                await plain_registration(browser, site, -1)
                rows = await throughput(env, store, site, browser, levels)
                await browser.close()
            print_throughput(rows)
        if "d" in only:
            print_steps(await steps(env, store, site, [3, 10] if quick else [3, 10, 30], 1 if quick else 2))
    finally:
        store.close()
        site.stop()
        await env.shutdown()
    print(f"\nscale bench took {time.perf_counter() - t0:.0f} s{' (--quick)' if quick else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run: small counts, fewer levels")
    parser.add_argument("--only", default="a,b,c,d", help="sections to run, e.g. a,d")
    args = parser.parse_args()
    from client.session import run_program

    run_program(lambda: main_async(args.quick, set(args.only.split(","))))  # exits, runtime shut down first


if __name__ == "__main__":
    main()
