"""Scale out (issue 6): a worker's session cap holds, priorities order a backlog, two worker processes share
a batch and a SIGTERMed one drains. Real dev server, real Chromium, the demo site."""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.worker import Worker

from bench.harness import demo_request
from bench.procs import WorkerProc, migrated_store_url, server_address
from browserflow.browser.pool import BrowserPool
from browserflow.contracts import TaskResult, TaskStatus
from browserflow.store import Store
from client.sdk import BrowserTasks, TaskHandle
from demo import DemoSite
from tests.conftest import chromium_path, eventually

pytestmark = pytest.mark.integration


@asynccontextmanager
async def running(*workers: Worker) -> AsyncIterator[None]:
    runs = [asyncio.create_task(w.run()) for w in workers]
    try:
        yield
    finally:
        await asyncio.gather(*(w.shutdown() for w in workers), return_exceptions=True)
        await asyncio.gather(*runs, return_exceptions=True)


async def results(handles: list[TaskHandle], timeout: float) -> list[TaskResult]:
    return list(await asyncio.wait_for(asyncio.gather(*(h.result() for h in handles)), timeout=timeout))


async def session_identities(client: Client, task_id: str) -> set[str]:
    """Identities of the workers that ran this task's page activities (``<worker id>@session``)."""
    found: set[str] = set()
    async for event in client.get_workflow_handle(task_id).fetch_history_events():
        if event.HasField("activity_task_started_event_attributes"):
            identity = event.activity_task_started_event_attributes.identity
            if identity.endswith("@session"):
                found.add(identity)
    return found


# -- (i) capacity ----------------------------------------------------------------------------------------


async def test_a_worker_never_holds_more_sessions_than_its_cap(
    client: Client, site: DemoSite, engine_store: Store
) -> None:
    from worker import build_workers

    async with BrowserPool(chromium_path=chromium_path(), max_sessions=2) as pool:
        queue = f"bf-cap-{uuid.uuid4().hex[:8]}"
        workers = build_workers(client, pool, store=engine_store, task_queue=queue, drain_seconds=5)
        tasks = BrowserTasks(client, queue)
        samples: list[int] = []
        done = asyncio.Event()

        async def sample() -> None:  # a sampling cadence, not synchronisation
            while not done.is_set():
                samples.append(pool.in_use)
                await asyncio.sleep(0.005)

        stop = asyncio.Event()
        run = asyncio.create_task(workers.run(stop))
        sampler = asyncio.create_task(sample())
        try:
            handles = list(await asyncio.gather(*(tasks.submit(demo_request(site, i)) for i in range(5))))
            ended = await results(handles, timeout=180)
        finally:
            done.set()
            await sampler
            stop.set()
            await run

    assert [r.status for r in ended] == [TaskStatus.SUCCEEDED] * 5, [r.reason for r in ended]
    assert site.registration_count() == 5
    assert 1 <= max(samples) <= 2, max(samples)
    assert pool.in_use == 0


# -- (ii) priority ---------------------------------------------------------------------------------------


async def test_high_priority_tasks_overtake_a_backlog(client: Client, site: DemoSite, engine_store: Store) -> None:
    queue = f"bf-prio-{uuid.uuid4().hex[:8]}"
    tasks = BrowserTasks(client, queue)
    low = [await tasks.submit({**demo_request(site, i), "priority": 1}) for i in range(6)]
    high = [await tasks.submit({**demo_request(site, 100 + i), "priority": 10}) for i in range(2)]

    from worker import build_workers

    # one browser slot: every task's open_session waits in the `.open` queue, served by priority
    async with BrowserPool(chromium_path=chromium_path(), max_sessions=1) as pool:
        workers = build_workers(client, pool, store=engine_store, task_queue=queue, drain_seconds=5)
        stop = asyncio.Event()
        runner = asyncio.create_task(workers.run(stop))
        try:
            ended = await results(low + high, timeout=240)
        finally:
            stop.set()
            await runner
    assert all(r.status == TaskStatus.SUCCEEDED for r in ended), [r.reason for r in ended]

    async def closed(h: TaskHandle) -> float:
        desc = await client.get_workflow_handle(h.id).describe()
        assert desc.close_time is not None
        return desc.close_time.timestamp()

    low_closed = [await closed(h) for h in low]
    high_closed = [await closed(h) for h in high]
    for t in high_closed:
        overtaken = sum(1 for lt in low_closed if t < lt)
        # submitted last, so FIFO would give 0; a busy machine may match a few low ones first
        assert overtaken >= 3, f"a high-priority task closed before only {overtaken} of 6 low-priority ones"


# -- (iii) two worker processes ------------------------------------------------------------------------


@pytest.fixture
async def two_workers(client: Client, tmp_path: Path) -> AsyncIterator[tuple[str, list[WorkerProc]]]:
    db = migrated_store_url(tmp_path)
    queue = f"bf-two-{uuid.uuid4().hex[:8]}"
    address = server_address(client)
    procs = list(
        await asyncio.gather(
            *(
                WorkerProc.start(
                    address=address,
                    task_queue=queue,
                    max_sessions=3,
                    database_url=db,
                    data_dir=tmp_path,
                    name=f"worker-{i}",
                )
                for i in range(2)
            )
        )
    )
    try:
        yield queue, procs
    finally:
        for p in procs:
            await p.stop(timeout=60)


async def test_two_worker_processes_share_a_batch(
    client: Client, site: DemoSite, two_workers: tuple[str, list[WorkerProc]]
) -> None:
    queue, procs = two_workers
    tasks = BrowserTasks(client, queue)
    handles = list(await asyncio.gather(*(tasks.submit(demo_request(site, i)) for i in range(10))))
    ended = await results(handles, timeout=180)

    assert [r.status for r in ended] == [TaskStatus.SUCCEEDED] * 10, [r.reason for r in ended]
    assert site.registration_count() == 10
    ran_on: dict[str, int] = {}
    for h in handles:
        identities = await session_identities(client, h.id)
        assert len(identities) == 1, identities  # every page activity of a task on one worker
        (identity,) = identities
        ran_on[identity] = ran_on.get(identity, 0) + 1
    assert set(ran_on) == {p.session_identity for p in procs}, ran_on


async def test_a_sigtermed_worker_drains_and_the_batch_still_succeeds(
    client: Client, site: DemoSite, two_workers: tuple[str, list[WorkerProc]]
) -> None:
    queue, procs = two_workers
    tasks = BrowserTasks(client, queue)
    handles = list(await asyncio.gather(*(tasks.submit(demo_request(site, i)) for i in range(10))))

    async def some_finished() -> bool:
        finished = 0
        for h in handles:
            desc = await client.get_workflow_handle(h.id).describe()
            finished += desc.status == WorkflowExecutionStatus.COMPLETED
        return finished >= 2

    await eventually(some_finished, timeout=120, what="two tasks to finish")
    leaving = procs[0]
    leaving.signal(signal.SIGTERM)
    in_flight = [
        h
        for h in handles
        if (await client.get_workflow_handle(h.id).describe()).status == WorkflowExecutionStatus.RUNNING
    ]
    code = await asyncio.wait_for(leaving.process.wait(), timeout=60)
    assert code == 0, leaving.log_path.read_text()[-3000:]

    ended = await results(handles, timeout=180)
    assert [r.status for r in ended] == [TaskStatus.SUCCEEDED] * 10, [r.reason for r in ended]
    assert site.registration_count() == 10
    # the drain mattered: some task still running at SIGTERM had its browser session on the leaving worker
    drained = [h for h in in_flight if leaving.session_identity in await session_identities(client, h.id)]
    assert drained, "no task was in flight on the SIGTERMed worker; the test did not exercise the drain"
