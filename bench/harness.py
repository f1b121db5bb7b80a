"""What every benchmark shares: the real stack in one process (dev server, demo site, pool, workers) and
the plain-Playwright baseline doing the same demo registration by hand-written steps."""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, async_playwright
from temporalio.testing import WorkflowEnvironment

from browserflow.browser.chromium import chromium_args, find_chromium
from browserflow.browser.pool import BrowserPool
from browserflow.store import Store, migrate
from browserflow.temporal.codec import data_converter, new_key_entry
from browserflow.temporal.search_attributes import ALL as SEARCH_ATTRIBUTES
from client.sdk import BrowserTasks
from demo import DemoSite

__all__ = ["Stack", "demo_request", "plain_registration", "run_concurrently", "stack", "start_dev_server", "summarise"]


def demo_request(site: DemoSite, i: int) -> dict[str, Any]:
    """The demo task for student ``i``, decided live (no path cache): like for like with the plain script.
    ``bench.cache`` turns the cache on for its cached runs."""
    return {
        "use_cache": False,
        "goal": "Register Eden for the Tuesday evening swim class",
        "start_url": site.url("/"),
        "data": {
            "student_name": f"Eden Bench {i}",
            "email": f"eden{i}@example.com",
            "class_id": "Tuesday evening swim",
            "level": "Beginner",
            "date_of_birth": "2015-04-12",
        },
        "success_text": "Registration confirmed",
        "extract": {"confirmation_number": r"[A-Z]{3}-\d{6}"},
    }


async def plain_registration(browser: Browser, site: DemoSite, i: int, *, from_form: bool = False) -> str:
    """The same task as a plain Playwright script: the floor the engine is measured against.

    ``from_form``: start at the registration form's address instead of clicking there from the landing page
    (what a perfect replay with a deep link would do).
    """
    context = await browser.new_context()
    try:
        page = await context.new_page()
        if from_form:
            await page.goto(site.url("/register?class=tue-evening-swim"))
        else:
            await page.goto(site.url("/"))
            await page.get_by_role("link", name="Class schedule").click()
            row = page.get_by_role("row").filter(has_text="Tuesday evening swim")
            await row.get_by_role("link", name="Register").click()
        await page.get_by_label("Student name").fill(f"Eden Plain {i}")
        await page.get_by_label("Email").fill(f"plain{i}@example.com")
        await page.get_by_label("Class").select_option("tue-evening-swim")
        await page.get_by_label("Beginner").check()
        await page.get_by_label("Date of birth").fill("2015-04-12")
        await page.get_by_label("I agree to the pool rules").check()
        await page.get_by_role("button", name="Register").click()
        await page.get_by_text("Registration confirmed").wait_for()
        return await page.inner_text("body")
    finally:
        await context.close()


async def run_concurrently(n: int, concurrency: int, job: Callable[[int], Awaitable[Any]]) -> tuple[float, list[float]]:
    """Run ``job(i)`` for i < n with at most ``concurrency`` at once: (wall seconds, per-job seconds)."""
    gate = asyncio.Semaphore(concurrency)
    durations: list[float] = []

    async def one(i: int) -> None:
        async with gate:
            t0 = time.perf_counter()
            await job(i)
            durations.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    return time.perf_counter() - t0, durations


def summarise(durations: list[float]) -> dict[str, float]:
    ordered = sorted(durations)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": statistics.median(ordered), "p95": p95, "mean": statistics.fmean(ordered)}


async def start_dev_server() -> WorkflowEnvironment:
    """The embedded Temporal dev server of the project's venv, with the search attributes registered."""
    # one key ring for the bench's clients and the worker processes it spawns (they inherit the environment)
    os.environ.setdefault("BROWSERFLOW_ENCRYPTION_KEYS", new_key_entry(f"bench-{uuid.uuid4().hex[:8]}"))
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(Path(__file__).resolve().parent.parent / ".venv" / "bin" / "temporal"),
        data_converter=data_converter(),
        search_attributes=SEARCH_ATTRIBUTES,
        dev_server_log_level="error",
    )


@dataclass
class Stack:
    env: WorkflowEnvironment
    site: DemoSite
    pool: BrowserPool
    tasks: BrowserTasks
    browser: Browser  # for the plain baseline: same Chromium binary and flags
    store: Store


@asynccontextmanager
async def stack(max_sessions: int = 8) -> AsyncIterator[Stack]:
    from worker import build_workers

    env = await start_dev_server()
    chromium = find_chromium()
    scratch = tempfile.mkdtemp(prefix="bf-bench-")
    store_url = f"sqlite:///{scratch}/browserflow.db"
    migrate.upgrade(store_url)
    store = Store.from_url(store_url)
    site = DemoSite(port=0)
    site.start()
    try:
        async with BrowserPool(chromium_path=chromium, max_sessions=max_sessions) as pool, async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium, args=chromium_args())
            queue = f"bench-{uuid.uuid4().hex[:8]}"
            workers = build_workers(env.client, pool, store=store, task_queue=queue, drain_seconds=5)
            stop = asyncio.Event()
            running = asyncio.create_task(workers.run(stop))
            try:
                yield Stack(env, site, pool, BrowserTasks(env.client, queue, store=store), browser, store)
            finally:
                stop.set()
                await running
                await browser.close()
    finally:
        site.stop()
        store.close()
        await env.shutdown()
        shutil.rmtree(scratch, ignore_errors=True)
