"""The worker process's wiring: Prometheus metrics (SDK + browserflow) on one port; refusing a stale store."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from browserflow.browser.pool import BrowserPool
from browserflow.store import Store
from browserflow.temporal.codec import data_converter
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
        data_converter=data_converter(),
        runtime=runtime,
    )
    queue = f"bf-metrics-{uuid.uuid4().hex[:8]}"
    workers = build_workers(client, pool, store=engine_store, task_queue=queue, drain_seconds=5)
    stop = asyncio.Event()
    running = asyncio.create_task(workers.run(stop))
    reporter = asyncio.create_task(report_pool(runtime, pool, every=0.1))
    try:
        result = await BrowserTasks(client, queue).run(demo_request(site, use_cache=False))  # live decisions
        assert result.status == "succeeded"

        def exported() -> bool:
            body = scrape(port)
            return 'browserflow_tasks{status="succeeded"' in body or 'status="succeeded"' in body

        await eventually(exported, what="the task counter on the metrics endpoint")
        # the SDK counts a completed workflow once the server has acknowledged the completion, which can be
        # after the client already holds the result: wait for it rather than read it once
        await eventually(lambda: "temporal_workflow_completed" in scrape(port), what="the SDK runtime's own metrics")
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


def test_sigterm_drains_the_worker_and_leaves_no_chromium(temporal_env: WorkflowEnvironment, tmp_path: Any) -> None:
    from browserflow.store import migrate
    from tests.browser.test_pool import descendants

    url = f"sqlite:///{tmp_path}/bf.db"
    migrate.upgrade(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "BROWSERFLOW_DATA_DIR": str(tmp_path),
        "TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
        "BROWSERFLOW_TASK_QUEUE": f"bf-sigterm-{uuid.uuid4().hex[:8]}",
        "OLLAMA_HOST": "off",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # wait for the readiness line, not a fixed time
            if "browserflow worker ready" in line:
                break
        chromium = {p for p in descendants(proc.pid) if b"chrom" in Path(f"/proc/{p}/cmdline").read_bytes()}
        assert chromium, "the worker should hold a Chromium"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        alive = {
            p for p in chromium if Path(f"/proc/{p}").exists() and b"chrom" in Path(f"/proc/{p}/cmdline").read_bytes()
        }
        assert not alive, f"Chromium processes left behind: {alive}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
