"""Crash recovery with real processes: kill -9 the worker that holds a task's browser mid-task; the task
continues on another worker from its checkpoint, and an irreversible submit is never executed twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from browserflow.contracts import TaskStatus
from browserflow.store import migrate
from client.sdk import BrowserTasks
from demo import DemoSite
from tests.conftest import eventually
from tests.workflows.test_task import demo_request

pytestmark = pytest.mark.integration


class WorkerProcess:
    """``python -m worker`` on a queue, started and ended by its own PID."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert self.proc.stdout is not None
        for line in self.proc.stdout:  # the readiness line, not a fixed wait
            if "browserflow worker ready" in line:
                break
        else:
            raise RuntimeError(f"worker exited early with {self.proc.wait()}")

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def worker_env(temporal_env: WorkflowEnvironment, tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path}/bf.db"
    migrate.upgrade(url)
    return {
        **os.environ,
        "DATABASE_URL": url,
        "BROWSERFLOW_DATA_DIR": str(tmp_path),
        "TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
        "BROWSERFLOW_TASK_QUEUE": f"bf-recovery-{uuid.uuid4().hex[:8]}",
        "OLLAMA_HOST": "off",
    }


@pytest.fixture
def workers(worker_env: dict[str, str]) -> Iterator[list[WorkerProcess]]:
    started: list[WorkerProcess] = []
    yield started
    for worker in started:
        worker.stop()


async def test_kill_9_mid_task_continues_on_another_worker(
    temporal_env: WorkflowEnvironment, worker_env: dict[str, str], workers: list[WorkerProcess], site: DemoSite
) -> None:
    tasks = BrowserTasks(temporal_env.client, worker_env["BROWSERFLOW_TASK_QUEUE"])
    workers.append(WorkerProcess(worker_env))
    site.faults.slow_ms = 1500  # every page takes a while, so the kill lands mid-task
    site.faults.slow_count = 1000
    handle = await tasks.submit(demo_request(site, use_cache=False))

    async def at_step_two() -> bool:
        return (await handle.status()).step >= 2

    await eventually(at_step_two, timeout=60, what="the task to reach step 2")
    killed_at = time.monotonic()
    workers[0].kill()
    workers.append(WorkerProcess(worker_env))
    site.faults.slow_count = 0

    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert site.registration_count() == 1
    assert result.result_data["confirmation_number"] == site.registrations[0].confirmation
    log = await handle.steps()
    lost = [s for s in log.steps if not s.ok]
    assert lost and lost[0].error is not None
    assert lost[0].error.type.startswith(("Timeout.", "SessionNotFound")), lost[0].error
    assert time.monotonic() - killed_at < 90


async def test_a_submit_interrupted_by_a_crash_is_never_repeated(
    temporal_env: WorkflowEnvironment, worker_env: dict[str, str], workers: list[WorkerProcess], site: DemoSite
) -> None:
    tasks = BrowserTasks(temporal_env.client, worker_env["BROWSERFLOW_TASK_QUEUE"])
    workers.append(WorkerProcess(worker_env))
    site.hold_confirmation = hold = __import__("threading").Event()
    handle = await tasks.submit(demo_request(site, use_cache=False))

    # the site recorded the registration; its reply is held, as if the worker died mid-submit
    assert await asyncio.to_thread(site.registered.wait, 60)
    workers[0].kill()
    hold.set()
    workers.append(WorkerProcess(worker_env))

    async def uncertain() -> bool:
        review = await handle.pending_review()
        return review is not None and review.reason == "uncertain_submission"

    await eventually(uncertain, timeout=90, what="an uncertain_submission review")
    assert site.registration_count() == 1  # not submitted again while asking
    confirmation = site.registrations[0].confirmation
    await handle.take_over({"confirmation_number": confirmation}, note="found it in the site's list")
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED
    assert result.result_data["confirmation_number"] == confirmation
    assert site.registration_count() == 1
