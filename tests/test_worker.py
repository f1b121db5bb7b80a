"""The worker process's wiring: Prometheus metrics (SDK + browserflow) on one port; refusing a stale store."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import urllib.request
import uuid

import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from browserflow.browser.pool import BrowserPool
from browserflow.store import Store
from browserflow.temporal.connect import metrics_runtime
from client.sdk import BrowserTasks
from demo import DemoSite
from tests.conftest import eventually
from tests.workflows.test_task import demo_request
from worker import build_workers, report_pool

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


async def test_metrics_endpoint_has_sdk_and_engine_metrics(
    temporal_env: WorkflowEnvironment, pool: BrowserPool, engine_store: Store, site: DemoSite
) -> None:
    port = free_port()
    runtime = metrics_runtime(port)
    client = await Client.connect(
        temporal_env.client.service_client.config.target_host,
        data_converter=pydantic_data_converter,
        runtime=runtime,
    )
    queue = f"bf-metrics-{uuid.uuid4().hex[:8]}"
    workers = build_workers(client, pool, store=engine_store, task_queue=queue, drain_seconds=5)
    stop = asyncio.Event()
    running = asyncio.create_task(workers.run(stop))
    reporter = asyncio.create_task(report_pool(runtime, pool, every=0.1))
    try:
        result = await BrowserTasks(client, queue).run(demo_request(site))
        assert result.status == "succeeded"

        def exported() -> bool:
            body = scrape(port)
            return 'browserflow_tasks{status="succeeded"' in body or 'status="succeeded"' in body

        await eventually(exported, what="the task counter on the metrics endpoint")
        body = scrape(port)
        assert "browserflow_decisions" in body and 'tier="rules"' in body
        assert "browserflow_browser_capacity" in body
        assert "temporal_workflow_completed" in body  # the SDK runtime's own metrics
    finally:
        reporter.cancel()
        stop.set()
        await running


def test_worker_refuses_a_store_behind_the_code(tmp_path: pytest.TempPathFactory) -> None:
    empty = f"sqlite:///{tmp_path}/empty.db"
    proc = subprocess.run(
        [sys.executable, "-m", "worker"],
        env={"DATABASE_URL": empty, "BROWSERFLOW_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "browserflow db upgrade" in proc.stderr
