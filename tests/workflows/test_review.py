"""People in the loop on the real dev server and Chromium: review gates, every verb as an update and as a
signal, refusals, parking while waiting, review timeouts, pause and resume."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowUpdateFailedError

from browserflow.contracts import Approve, Reject, TaskStatus
from browserflow.errors import RequestInvalid
from browserflow.temporal.search_attributes import TASK_STATUS
from client.sdk import ReviewRefused, TaskHandle
from demo import DemoSite
from tests.conftest import Engine, eventually
from tests.workflows.test_task import demo_request

pytestmark = pytest.mark.integration


async def wait_for_review(handle: TaskHandle, reason: str) -> None:
    async def pending() -> bool:
        review = await handle.pending_review()
        return review is not None and review.reason == reason

    await eventually(pending, timeout=30, what=f"a '{reason}' review")


async def stuck_for_instructions(engine: Engine, site: DemoSite) -> TaskHandle:
    """A task stuck on a page it cannot read (review ``cannot_proceed``), done once it reaches the schedule."""
    handle = await engine.tasks.submit(
        {
            "goal": "Buy a kayak paddle",
            "start_url": site.url("/confirmation-unknown"),
            "data": {},
            "success": [{"url_contains": "/schedule"}],
            "use_cache": False,
        }
    )
    await wait_for_review(handle, "cannot_proceed")
    return handle


async def test_before_irreversible_waits_then_an_approval_submits_once(engine: Engine, site: DemoSite) -> None:
    handle = await engine.tasks.submit(demo_request(site, review_policy="before_irreversible"))
    await wait_for_review(handle, "before_irreversible")

    review = await handle.pending_review()
    assert review is not None
    assert review.proposed[-1].irreversible and "Register" in review.proposed[-1].label
    assert review.url.endswith("/register?class=tue-evening-swim")
    assert Path(review.screenshot).is_file() and Path(review.screenshot).stat().st_size > 1000
    assert site.registration_count() == 0  # nothing submitted while waiting
    desc = await engine.client.get_workflow_handle(handle.id).describe()
    assert desc.typed_search_attributes.get(TASK_STATUS) == "needs_review"
    rows = await engine.tasks.reviews()
    assert handle.id in [task_id for task_id, _ in rows]

    ack = await handle.approve("looks right")
    assert ack.accepted

    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert site.registration_count() == 1
    with pytest.raises(ReviewRefused, match="already ended"):
        await handle.approve()


async def test_reject_by_signal_ends_the_task_without_submitting(engine: Engine, site: DemoSite) -> None:
    handle = await engine.tasks.submit(demo_request(site, review_policy="before_irreversible"))
    await wait_for_review(handle, "before_irreversible")
    # the Web UI's "send signal" path: a plain signal with a JSON body
    await engine.client.get_workflow_handle(handle.id).signal("reject", Reject(reason="wrong class"))
    result = await handle.result()
    assert result.status == TaskStatus.REJECTED
    assert "wrong class" in result.reason
    assert site.registration_count() == 0


async def test_malformed_or_unexpected_verbs_are_refused_and_change_nothing(engine: Engine, site: DemoSite) -> None:
    handle = await engine.tasks.submit(demo_request(site, review_policy="before_irreversible"))
    with pytest.raises(ReviewRefused, match="no review is pending"):
        await handle.reject("too early")  # a review is not pending yet (or never was)
    await wait_for_review(handle, "before_irreversible")
    raw = engine.client.get_workflow_handle(handle.id)
    with pytest.raises(WorkflowUpdateFailedError, match="update failed") as info:
        await raw.execute_update("reject", {"reason": ""})  # a malformed payload is refused by the worker
    assert "reject' refused: malformed payload: reason" in str(info.value.cause)
    with pytest.raises(RequestInvalid, match="reason"):  # the SDK names the field before sending
        await handle.reject("")
    with pytest.raises(ReviewRefused, match="selector"):
        await handle.instruct({"kind": "click", "label": "somewhere"})
    assert (await handle.pending_review()) is not None  # still pending, unchanged
    await raw.signal("approve", Approve())
    assert (await handle.result()).status == TaskStatus.SUCCEEDED
    assert site.registration_count() == 1


async def test_stuck_task_asks_and_a_person_takes_over(engine: Engine, site: DemoSite) -> None:
    handle = await engine.tasks.submit(
        {"goal": "Buy a kayak paddle", "start_url": site.url("/confirmation-unknown"), "data": {}}
    )
    await wait_for_review(handle, "cannot_proceed")
    ack = await handle.take_over({"order": "KAY-123456"}, note="bought it by phone")
    assert ack.accepted
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED
    assert result.result_data == {"order": "KAY-123456"}
    assert "completed by a reviewer" in result.reason


async def test_provide_input_after_a_loop_lets_the_engine_finish(engine: Engine, site: DemoSite) -> None:
    data = {**demo_request(site)["data"], "email": "not-an-email"}
    handle = await engine.tasks.submit(
        demo_request(site, start_url=site.url("/register?class=tue-evening-swim"), data=data, use_cache=False)
    )
    await wait_for_review(handle, "loop_detected")
    assert site.registration_count() == 0
    await handle.provide_input({"email": "eden@example.com"})
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert site.registrations[0].email == "eden@example.com"


async def test_instruct_runs_the_persons_action(engine: Engine, site: DemoSite) -> None:
    handle = await stuck_for_instructions(engine, site)
    await handle.instruct({"kind": "navigate", "value": site.url("/schedule")})
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED
    assert result.decisions_by_tier == {"human": 1}


async def test_a_long_wait_parks_the_browser_and_times_out(engine: Engine, site: DemoSite) -> None:
    handle = await engine.tasks.submit(
        demo_request(site, review_policy="before_irreversible", park_after=0.5, review_timeout=3, use_cache=False)
    )
    await wait_for_review(handle, "before_irreversible")
    await eventually(lambda: engine.pool.held_for(handle.id) == 0, what="the waiting task's browser to be parked")
    result = await handle.result()
    assert result.status == TaskStatus.REVIEW_TIMEOUT
    assert site.registration_count() == 0


async def test_approval_after_parking_rebuilds_the_session(engine: Engine, site: DemoSite) -> None:
    handle = await engine.tasks.submit(
        demo_request(site, review_policy="before_irreversible", park_after=0.2, use_cache=False)
    )
    await wait_for_review(handle, "before_irreversible")
    await eventually(lambda: engine.pool.held_for(handle.id) == 0, what="the browser to be parked")
    await handle.approve()
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert site.registration_count() == 1
    assert site.registrations[0].student_name == "Eden Levi"


async def test_pause_stops_at_a_step_boundary_and_resume_finishes(engine: Engine, site: DemoSite) -> None:
    site.faults.slow_ms = 800
    site.faults.slow_count = 2
    handle = await engine.tasks.submit(demo_request(site, park_after=0.3, use_cache=False))
    await handle.pause("operator is checking the site")

    async def paused() -> bool:
        return (await handle.status()).status == TaskStatus.PAUSED

    await eventually(paused, what="the task to pause")
    steps_when_paused = (await handle.status()).step
    await eventually(lambda: engine.pool.held_for(handle.id) == 0, what="the paused browser to be parked")
    assert (await handle.status()).step == steps_when_paused
    await handle.resume()
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert site.registration_count() == 1
