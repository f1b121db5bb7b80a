"""Recoveries on record: faulted demo tasks through the real engine write every recovery attempt to the store,
and ``stats`` (and ``browserflow stats``) report the recovery rate from those rows.

The module has its own store file and worker set, so the rates read back are exactly this module's tasks.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client

from browserflow.browser.pool import BrowserPool
from browserflow.contracts import TaskStatus
from browserflow.store import RecoveryInfo, Store, migrate
from client.sdk import BrowserTasks
from demo import DemoSite
from tests.conftest import eventually
from tests.workflows.test_task import demo_request

pytestmark = pytest.mark.integration


class Recorded:
    def __init__(self, tasks: BrowserTasks, store: Store, url: str, pool: BrowserPool) -> None:
        self.tasks, self.store, self.url, self.pool = tasks, store, url, pool

    async def run(self, site: DemoSite, **changes: Any) -> tuple[str, list[RecoveryInfo]]:
        request = demo_request(site, use_cache=False, max_steps=8, timeout=90, **changes)
        result = await self.tasks.run(request)
        assert result.status == TaskStatus.SUCCEEDED, result.reason
        assert site.registration_count() == 1
        return result.task_id, await self.rows(result.task_id)

    async def rows(self, task_id: str) -> list[RecoveryInfo]:
        # task_finished is the workflow's last activity: its rows are there once the result is
        found: list[RecoveryInfo] = []

        def written() -> bool:
            task = self.store.get_task(task_id)
            if task is None or task.finished_at is None:
                return False
            found[:] = self.store.list_recoveries(task_id)
            return True

        await eventually(written, timeout=20, what=f"the result of {task_id} in the store")
        return found


@pytest.fixture(scope="module")
async def recorded(
    client: Client, pool: BrowserPool, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Recorded]:
    from worker import build_workers

    url = f"sqlite:///{tmp_path_factory.mktemp('recoveries') / 'bf.db'}"
    migrate.upgrade(url)
    store = Store.from_url(url)
    queue = f"bf-recoveries-{uuid.uuid4().hex[:8]}"
    workers = build_workers(client, pool, store=store, task_queue=queue, drain_seconds=5)
    stop = asyncio.Event()
    running = asyncio.create_task(workers.run(stop))
    yield Recorded(BrowserTasks(client, queue), store, url, pool)
    stop.set()
    await running
    store.close()


def _kinds(rows: list[RecoveryInfo]) -> set[tuple[str, str, str]]:
    return {(r.error_type, r.strategy, r.outcome) for r in rows}


async def test_a_late_element_wait_is_recorded(recorded: Recorded, site: DemoSite) -> None:
    site.faults.late_element_ms = 1200  # the form's Register button appears 1.2 s after load
    task_id, rows = await recorded.run(site)
    waits = [r for r in rows if r.strategy == "wait_for_element"]
    assert waits, rows
    assert all(r.error_type == "ElementNotFound" for r in waits)
    assert waits[-1].outcome == "recovered"
    assert all(r.workflow_id == task_id and r.step >= 1 for r in waits)
    assert all(r.detail.startswith("attempt ") for r in waits)


async def test_a_covering_modal_closed_is_recorded(recorded: Recorded, site: DemoSite) -> None:
    site.faults.modal = True  # a promo dialog covers every page
    _, rows = await recorded.run(site)
    closes = [r for r in rows if r.strategy == "close_modal"]
    assert closes and ("ModalBlocking", "close_modal", "recovered") in _kinds(closes), rows
    assert sorted({r.step for r in closes}) == sorted({r.step for r in closes if r.step >= 1})


async def test_a_page_load_timeout_reload_in_navigate_is_recorded(recorded: Recorded, site: DemoSite) -> None:
    site.faults.set(slow_ms=3000, slow_count=1)  # the first page load (the start URL) takes 3 s
    saved = recorded.pool.navigation_timeout_ms
    recorded.pool.navigation_timeout_ms = 1500
    try:
        _, rows = await recorded.run(site)
    finally:
        recorded.pool.navigation_timeout_ms = saved
    assert site.faults.served["slow"] == 1
    # the navigate activity's reload, before the first step (step 0), carried back in its snapshot
    assert ("PageTimeout", "reload", "recovered") in _kinds([r for r in rows if r.step == 0]), rows


async def test_a_lost_session_rebuilt_elsewhere_is_recorded(recorded: Recorded, site: DemoSite) -> None:
    site.faults.set(slow_ms=1200, slow_count=1000)  # every page is slow, so the loss lands mid-task
    handle = await recorded.tasks.submit(demo_request(site, use_cache=False, max_steps=8, timeout=120))

    async def at_step_two() -> bool:
        return (await handle.status()).step >= 2

    await eventually(at_step_two, timeout=60, what="the task to reach step 2")
    held = [s.id for s in recorded.pool._sessions.values() if s.task_id == handle.id]
    assert len(held) == 1
    assert await recorded.pool.close(held[0])  # the session is gone under the task, as with a dead worker
    site.faults.slow_count = 0
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert site.registration_count() == 1  # rebuilt from the checkpoint, nothing done twice
    rows = await recorded.rows(handle.id)
    restores = [r for r in rows if r.strategy == "restore_session"]
    assert len(restores) == 1, rows
    assert restores[0].outcome == "recovered"
    assert restores[0].error_type == "SessionNotFound"
    assert restores[0].step == 2
    assert "new session from the checkpoint" in restores[0].detail


async def test_stats_and_the_cli_report_the_recovery_rate(recorded: Recorded, site: DemoSite) -> None:
    site.faults.modal = True
    await recorded.run(site)  # at least one recovered attempt, whatever ran before
    every = [r for t in recorded.store.list_tasks(limit=1000) for r in recorded.store.list_recoveries(t.workflow_id)]
    decided = [r for r in every if r.outcome in {"recovered", "failed"}]
    recovered = [r for r in decided if r.outcome == "recovered"]
    assert recovered
    stats = recorded.store.stats()
    assert stats.recoveries == len(decided)
    assert stats.recoveries_succeeded == len(recovered)
    assert stats.recovery_success_rate == pytest.approx(len(recovered) / len(decided))

    env = {**os.environ, "DATABASE_URL": recorded.url}
    out = await asyncio.to_thread(
        subprocess.run,
        [str(Path(sys.executable).parent / "browserflow"), "stats"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    shown = json.loads(out.stdout)
    assert shown["recoveries"] == len(decided)
    assert shown["recovery_success_rate"] == pytest.approx(len(recovered) / len(decided))
