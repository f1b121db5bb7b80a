"""BrowserTaskWorkflow end to end: the real dev server, real Chromium, the demo site."""

from __future__ import annotations

import asyncio
import re
import socket
import uuid
from typing import Any

import pytest
from temporalio.client import WorkflowExecutionStatus

from browserflow.contracts import TaskStatus
from demo import DemoSite
from tests.conftest import Engine, eventually

pytestmark = pytest.mark.integration

CONFIRMATION = re.compile(r"^[A-Z]{3}-\d{6}$")


def demo_request(site: DemoSite, **changes: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "goal": "Register Eden for the Tuesday evening swim class",
        "start_url": site.url("/"),
        "data": {
            "student_name": "Eden Levi",
            "email": "eden@example.com",
            "class_id": "Tuesday evening swim",
            "level": "Beginner",
            "date_of_birth": "2015-04-12",
        },
        "success_text": "Registration confirmed",
        "extract": {"confirmation_number": r"[A-Z]{3}-\d{6}"},
    }
    request.update(changes)
    return request


async def test_demo_registration_succeeds_end_to_end(engine: Engine, site: DemoSite) -> None:
    handle = await engine.tasks.submit(demo_request(site, use_cache=False))  # live decisions, whatever ran before
    result = await handle.result()

    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert result.goal_achieved
    assert site.registration_count() == 1
    registration = site.registrations[0]
    assert result.result_data["confirmation_number"] == registration.confirmation
    assert CONFIRMATION.match(registration.confirmation)
    assert registration.student_name == "Eden Levi"
    assert registration.class_id == "tue-evening-swim"
    assert registration.level == "beginner"
    # landing -> schedule -> registration form (filled and submitted in one step)
    assert result.steps_taken == 3
    log = await handle.steps()
    assert [s.ok for s in log.steps] == [True, True, True]
    assert "Class schedule" in log.steps[0].decision
    assert log.steps[-1].actions[-1].irreversible
    # secrets and values never needed in the log: actions carry their data keys
    assert {a.data_key for a in log.steps[-1].actions if a.kind == "fill"} >= {"student_name", "email"}
    progress = await handle.status()
    assert progress.status == TaskStatus.SUCCEEDED


async def test_search_attributes_and_summaries_are_set(engine: Engine, site: DemoSite) -> None:
    handle = await engine.tasks.submit(demo_request(site, use_cache=False))
    await handle.result()
    desc = await engine.client.get_workflow_handle(handle.id).describe()
    attrs = desc.typed_search_attributes
    from browserflow.temporal.search_attributes import TASK_SITE, TASK_STATUS

    assert attrs.get(TASK_STATUS) == "succeeded"
    assert attrs.get(TASK_SITE) == site.url("/").split("//")[1].rstrip("/")
    summary = await desc.static_summary()
    assert summary is not None and "Tuesday evening swim" in summary

    async def listed() -> bool:
        rows = await engine.tasks.list(status="succeeded", site=attrs.get(TASK_SITE))
        return handle.id in {r.task_id for r in rows}

    await eventually(listed, what="the task to be listed by status and site")
    # activity summaries make the history readable in the Web UI (through the codec server: they are encrypted)
    summaries: list[str] = []
    converter = engine.client.data_converter
    async for event in engine.client.get_workflow_handle(handle.id).fetch_history_events():
        if event.user_metadata and event.user_metadata.HasField("summary"):
            raw = event.user_metadata.summary
            assert b"Class schedule" not in raw.data, "a summary is stored encrypted"
            [text] = await converter.decode([raw], [str])
            summaries.append(text)
    assert any("click 'Class schedule'" in s for s in summaries), summaries
    assert any("fill 5 fields" in s or "fill" in s for s in summaries)


async def test_five_parallel_tasks_each_get_their_own_confirmation(engine: Engine, site: DemoSite) -> None:
    names = [f"Student {i} {uuid.uuid4().hex[:4]}" for i in range(5)]
    handles = [
        await engine.tasks.submit(
            demo_request(site, data={**demo_request(site)["data"], "student_name": n, "email": f"s{i}@example.com"})
        )
        for i, n in enumerate(names)
    ]
    results = await asyncio.gather(*(h.result() for h in handles))

    assert [r.status for r in results] == [TaskStatus.SUCCEEDED] * 5
    by_name = {r.student_name: r.confirmation for r in site.registrations}
    assert sorted(by_name) == sorted(names)
    confirmations = [r.result_data["confirmation_number"] for r in results]
    assert confirmations == [by_name[n] for n in names]
    assert len(set(confirmations)) == 5


async def test_max_steps_ends_the_task(engine: Engine, site: DemoSite) -> None:
    result = await engine.tasks.run(demo_request(site, max_steps=1))
    assert result.status == TaskStatus.MAX_STEPS
    assert result.steps_taken == 1
    assert "max_steps=1" in result.reason
    assert site.registration_count() == 0


async def test_repeated_page_state_is_a_loop(engine: Engine, site: DemoSite) -> None:
    # an email the server rejects: the form comes back unchanged after every submit
    data = {**demo_request(site)["data"], "email": "not-an-email"}
    result = await engine.tasks.run(
        demo_request(site, start_url=site.url("/register?class=tue-evening-swim"), data=data, review_policy="never")
    )
    assert result.status == TaskStatus.LOOP_DETECTED, result.reason
    assert "did not change" in result.reason
    assert site.registration_count() == 0


async def test_nothing_to_do_is_stuck(engine: Engine, site: DemoSite) -> None:
    result = await engine.tasks.run(
        {
            "goal": "Buy a kayak paddle",
            "start_url": site.url("/confirmation-unknown"),
            "data": {},
            "review_policy": "never",
        }
    )
    assert result.status == TaskStatus.STUCK, result.reason
    assert "cannot proceed" in result.reason


async def test_task_timeout(engine: Engine, site: DemoSite) -> None:
    site.faults.slow_ms = 4000
    site.faults.slow_count = 10
    result = await engine.tasks.run(demo_request(site, timeout=2))
    assert result.status == TaskStatus.TIMEOUT, result.reason
    assert "timeout of 2 s" in result.reason
    await eventually(lambda: engine.pool.in_use == 0, what="the session to be closed")


async def test_site_down_is_terminal_not_a_hang(engine: Engine) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = await engine.tasks.run({"goal": "Register", "start_url": f"http://127.0.0.1:{port}/", "data": {}})
    assert result.status == TaskStatus.SITE_DOWN
    assert "cannot be reached" in result.reason
    assert result.steps_taken == 0


async def test_cancellation_mid_task_closes_the_browser_context(engine: Engine, site: DemoSite) -> None:
    site.faults.slow_ms = 3000
    site.faults.slow_count = 100
    handle = await engine.tasks.submit(demo_request(site, max_steps=5))

    async def browsing() -> bool:
        return engine.pool.in_use >= 1 and (await handle.status()).status == TaskStatus.RUNNING

    await eventually(browsing, what="the task to hold a browser session")
    await handle.cancel()
    result = await handle.result()

    assert result.status == TaskStatus.CANCELLED
    desc = await engine.client.get_workflow_handle(handle.id).describe()
    assert desc.status == WorkflowExecutionStatus.CANCELED
    await eventually(lambda: engine.pool.in_use == 0, what="the cancelled task's context to close")
    assert site.registration_count() == 0


async def test_a_twenty_step_task_keeps_history_and_snapshots_small(engine: Engine, site: DemoSite) -> None:
    steps = 19  # 19 form pages and the completion page: 20 snapshots
    data = {f"answer_{i}": f"answer number {i}" for i in range(1, steps + 1)}
    result = await engine.tasks.run(
        {
            "goal": "Complete the flow",
            "start_url": site.url(f"/gen/{steps}/1"),
            "data": data,
            "success_text": "Flow complete",
            "max_steps": 20,
            "use_cache": False,
        }
    )
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert result.steps_taken == steps
    total = 0
    largest = 0
    async for event in engine.client.get_workflow_handle(result.task_id).fetch_history_events():
        size = event.ByteSize()
        total += size
        largest = max(largest, size)
    assert total <= 2 * 1024 * 1024, f"history is {total} bytes"
    assert largest <= 40 * 1024, f"largest event is {largest} bytes (a snapshot should stay <= 32 KB)"
