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


async def test_kill_9_during_a_cached_replay_replays_step_by_step_elsewhere(
    temporal_env: WorkflowEnvironment, worker_env: dict[str, str], workers: list[WorkerProcess], site: DemoSite
) -> None:
    tasks = BrowserTasks(temporal_env.client, worker_env["BROWSERFLOW_TASK_QUEUE"])
    workers.append(WorkerProcess(worker_env))
    goal = f"Register Eden for the Tuesday evening swim class ({uuid.uuid4().hex[:6]})"
    primed = await tasks.run(demo_request(site, goal=goal))  # learns the path (and its deep link)
    assert primed.status == TaskStatus.SUCCEEDED and not primed.cache_hit
    site.faults.slow_ms = 3000  # the replay's first page load takes a while, so the kill lands inside it
    site.faults.slow_count = 1000
    data = {**demo_request(site)["data"], "student_name": "Noa Cohen", "email": "noa@example.com"}
    handle = await tasks.submit(demo_request(site, goal=goal, data=data))

    async def replaying() -> bool:
        return "replay" in (await handle.status()).detail

    await eventually(replaying, timeout=60, what="the cached replay to start")
    workers[0].kill()
    workers.append(WorkerProcess(worker_env))
    site.faults.slow_count = 0

    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert result.cache_hit and set(result.decisions_by_tier) == {"cache"}  # still no decisions
    assert site.registration_count() == 2 and site.registrations[-1].student_name == "Noa Cohen"
    log = (await handle.steps()).steps
    assert len(log) == 3 and all(s.ok and s.tier == "cache" for s in log)  # the path as recorded
    assert not any(s.deep_linked for s in log)  # rebuilt at the start URL, then replayed one step at a time


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


class DevServer:
    """``temporal server start-dev`` on a database file, so it can be stopped and started again."""

    def __init__(self, db: Path, port: int) -> None:
        from browserflow.temporal.search_attributes import cli_flags
        from tests.conftest import temporal_binary

        self.port = port
        self.command = [
            temporal_binary(), "server", "start-dev", "--db-filename", str(db), "--ip", "127.0.0.1",
            "--port", str(port), "--headless", "--log-level", "error", *cli_flags(),
        ]  # fmt: skip
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        import socket

        self.proc = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self.proc.poll() is not None:
                raise RuntimeError("the dev server exited")
            time.sleep(0.1)  # polling a port with a deadline, not synchronising on time
        raise RuntimeError("the dev server did not open its port")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)


async def test_restarting_the_dev_server_mid_run_loses_nothing(tmp_path: Path, site: DemoSite) -> None:
    import socket

    from temporalio.client import Client

    from browserflow.temporal.codec import data_converter

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = DevServer(tmp_path / "temporal.db", port)
    server.start()
    url = f"sqlite:///{tmp_path}/bf.db"
    migrate.upgrade(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "BROWSERFLOW_DATA_DIR": str(tmp_path),
        "TEMPORAL_ADDRESS": f"127.0.0.1:{port}",
        "BROWSERFLOW_TASK_QUEUE": f"bf-restart-{uuid.uuid4().hex[:8]}",
        "OLLAMA_HOST": "off",
    }
    worker = WorkerProcess(env)
    try:
        client = await Client.connect(f"127.0.0.1:{port}", data_converter=data_converter())
        tasks = BrowserTasks(client, env["BROWSERFLOW_TASK_QUEUE"])
        site.faults.slow_ms = 1000
        site.faults.slow_count = 1000
        handle = await tasks.submit(demo_request(site, use_cache=False))

        async def at_step_one() -> bool:
            return (await handle.status()).step >= 1

        await eventually(at_step_one, timeout=60, what="the task to be under way")
        server.stop()
        server.start()
        site.faults.slow_count = 0
        client = await Client.connect(f"127.0.0.1:{port}", data_converter=data_converter())
        result = await BrowserTasks(client, env["BROWSERFLOW_TASK_QUEUE"]).get(handle.id).result()
        assert result.status == TaskStatus.SUCCEEDED, result.reason
        assert site.registration_count() == 1
    finally:
        worker.stop()
        server.stop()


async def test_a_crashed_chromium_is_replaced_and_the_task_recovers(
    temporal_env: WorkflowEnvironment, engine_store: object, site: DemoSite
) -> None:
    from browserflow.browser.pool import BrowserPool
    from tests.browser.test_pool import chromium_children
    from tests.conftest import chromium_path
    from worker import build_workers

    before = chromium_children()
    async with BrowserPool(chromium_path=chromium_path(), max_sessions=2) as pool:
        ours = chromium_children() - before
        queue = f"bf-crash-{uuid.uuid4().hex[:8]}"
        workers = build_workers(temporal_env.client, pool, store=engine_store, task_queue=queue, drain_seconds=5)  # type: ignore[arg-type]
        stop = asyncio.Event()
        running = asyncio.create_task(workers.run(stop))
        try:
            site.faults.slow_ms = 800
            site.faults.slow_count = 1000
            handle = await BrowserTasks(temporal_env.client, queue).submit(demo_request(site, use_cache=False))

            async def under_way() -> bool:
                return (await handle.status()).step >= 1

            await eventually(under_way, timeout=60, what="the task to be under way")
            ours |= chromium_children() - before
            for pid in ours:  # the browser process dies under the task
                with __import__("contextlib").suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            site.faults.slow_count = 0
            result = await handle.result()
        finally:
            stop.set()
            await running
        assert result.status == TaskStatus.SUCCEEDED, result.reason
        assert pool.stats().launches == 2  # replaced
        assert site.registration_count() == 1
