"""A 24-hour review timeout, on the dev server with per-workflow time skipping (so it takes seconds)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

from browserflow.browser.pool import BrowserPool
from browserflow.contracts import TaskStatus
from browserflow.store import Store
from browserflow.temporal.codec import data_converter
from browserflow.temporal.search_attributes import ALL as SEARCH_ATTRIBUTES
from client.sdk import BrowserTasks
from demo import DemoSite
from tests.conftest import temporal_binary
from tests.workflows.test_task import demo_request

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_time_skipping_v2(
        dev_server_existing_path=temporal_binary(),
        dev_server_extra_args=["--dynamic-config-value", "frontend.WorkflowTimeSkippingEnabled=true"],
        data_converter=data_converter(),
        search_attributes=SEARCH_ATTRIBUTES,
        dev_server_log_level="error",
    )
    yield env
    await env.shutdown()


async def test_default_24h_review_timeout_fails_the_task(
    skipping_env: WorkflowEnvironment, pool: BrowserPool, engine_store: Store, site: DemoSite
) -> None:
    from worker import build_workers

    queue = f"bf-skip-{uuid.uuid4().hex[:8]}"
    workers = build_workers(skipping_env.client, pool, store=engine_store, task_queue=queue, drain_seconds=5)
    stop = asyncio.Event()
    running = asyncio.create_task(workers.run(stop))
    try:
        tasks = BrowserTasks(skipping_env.client, queue)
        request = demo_request(site, review_policy="before_irreversible", use_cache=False)
        assert "review_timeout" not in request  # the default: 24 hours
        result = await asyncio.wait_for(tasks.run(request), timeout=120)
    finally:
        stop.set()
        await running
    assert result.status == TaskStatus.REVIEW_TIMEOUT, result.reason
    assert "86400 s" in result.reason
    assert site.registration_count() == 0
    assert pool.held_for(result.task_id) == 0  # parked, then closed
