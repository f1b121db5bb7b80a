"""Callbacks on the real dev server: the task workflow with fake activities (``tests/workflows/fakes.py``) and the
real ``deliver_callback`` activity, POSTing to a real receiver on 127.0.0.1 that verifies the signature and keeps
each event once by its id. A task that ends sends one ``result`` event; a review sends one ``review`` event while
the task waits; a receiver that is down, drops the connection, answers 503 or loses its answer gets the event
later, exactly once; a receiver that refuses it (400) never changes how the task ends."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from functools import partial

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.worker import Replayer, Worker

from activities.callbacks import deliver_callback
from browserflow import errors
from browserflow.contracts import CallbackDelivery, GoalEngineResult, TaskResult, TaskStatus
from browserflow.temporal import policies
from browserflow.temporal.codec import data_converter
from client.sdk import BrowserTasks
from demo import DemoSite
from tests.browserflow.receiver import DROP, LOST_ACK, Receiver, receiving
from tests.conftest import Engine, eventually
from tests.workflows.fakes import DONE, FakeActivities, Rig, Script, click, decision, fail, page
from tests.workflows.test_task import demo_request
from workflows import BrowserTaskWorkflow, CallbackWorkflow
from workflows.callbacks import delivery_id

pytestmark = pytest.mark.integration

SECRET = "callback-test-key"
SUBMIT = decision(click("Place order", irreversible=True))


@pytest.fixture(autouse=True)
def signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSERFLOW_CALLBACK_SECRET", SECRET)  # read by the activity at each delivery


@asynccontextmanager
async def rig(client: Client, script: Script | None = None) -> AsyncIterator[Rig]:
    """The fakes' workers (``tests.workflows.fakes.rig``) with the real callback activity registered too."""
    script = script or Script(acts=[page(DONE)])  # one step to the done page
    queue = f"bf-callbacks-{uuid.uuid4().hex[:8]}"
    fakes = FakeActivities(script, queue)
    activities = [*fakes.all(), deliver_callback]
    shared = Worker(client, task_queue=queue, workflows=[BrowserTaskWorkflow, CallbackWorkflow], activities=activities)
    opener = Worker(client, task_queue=f"{queue}.open", activities=[fakes.open_session])
    async with shared, opener:
        yield Rig(client, queue, script, BrowserTasks(client, queue))


def message_of(result: TaskResult) -> dict[str, object]:
    return json.loads(GoalEngineResult.from_result(result).model_dump_json())


async def delivered(client: Client, event: str) -> CallbackDelivery | None:
    """The delivery workflow's answer for ``event`` (it runs on after the task: waited for here, not polled)."""
    return await client.get_workflow_handle(delivery_id(event), result_type=CallbackDelivery).result()


async def deliveries_scheduled(client: Client, event: str) -> int:
    """How many ``deliver_callback`` activities the event's delivery scheduled (retries are attempts of one)."""
    count = 0
    async for e in client.get_workflow_handle(delivery_id(event)).fetch_history_events():
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            count += e.activity_task_scheduled_event_attributes.activity_type.name == "deliver_callback"
    return count


async def replays(client: Client, task_id: str) -> None:
    history = await client.get_workflow_handle(task_id).fetch_history()
    replayed = await Replayer(workflows=[BrowserTaskWorkflow, CallbackWorkflow], data_converter=data_converter()).replay_workflow(
        history, raise_on_replay_failure=True
    )
    assert replayed.replay_failure is None


async def test_a_task_that_ends_posts_one_signed_result_event(client: Client) -> None:
    with receiving(SECRET) as receiver:
        async with rig(client) as r:
            handle = await r.tasks.submit(r.request(callback_url=receiver.url))
            result = await handle.result()
            assert result.status == TaskStatus.SUCCEEDED
            engine = await handle.goal_engine_result()
            got = await delivered(client, f"{handle.id}:result:1")
    assert got is not None and got.status_code == 200
    (request,) = receiver.requests
    assert request.signed and request.kind == "result" and request.answered == 200
    assert receiver.events == {f"{handle.id}:result:1": message_of(result)}
    assert receiver.events[f"{handle.id}:result:1"] == engine.model_dump()
    assert await deliveries_scheduled(client, f"{handle.id}:result:1") == 1
    await replays(client, handle.id)  # the new code path replays its own history


async def test_every_ending_is_posted_with_its_status(client: Client) -> None:
    script = Script(start=[fail(errors.SiteDown, "connection refused")])
    with receiving(SECRET) as receiver:
        async with rig(client, script) as r:
            handle = await r.tasks.submit(r.request(callback_url=receiver.url))
            result = await handle.result()
            await delivered(client, f"{handle.id}:result:1")
    assert result.status == TaskStatus.SITE_DOWN
    message = receiver.events[f"{handle.id}:result:1"]
    assert message["status"] == "site_down" and message["goal_achieved"] is False and len(receiver.requests) == 1


async def test_a_review_posts_one_review_event_while_the_task_waits(client: Client) -> None:
    script = Script(decisions=[SUBMIT], acts=[page(DONE)])
    with receiving(SECRET) as receiver:
        async with rig(client, script) as r:
            handle = await r.tasks.submit(r.request(callback_url=receiver.url, review_policy="before_irreversible"))
            review_id = f"{handle.id}:review:1"
            await eventually(lambda: review_id in receiver.events, timeout=15, what="the review event")
            waiting = await handle.status()
            assert waiting.status == TaskStatus.NEEDS_REVIEW and script.count("act") == 0  # sent while it waits
            assert (await handle.approve("fine")).accepted
            result = await handle.result()
            await delivered(client, f"{handle.id}:result:1")
    assert result.status == TaskStatus.SUCCEEDED
    assert receiver.kinds() == ["review", "result"] and all(r.signed for r in receiver.requests)
    review = receiver.events[review_id]
    assert review["task_id"] == handle.id and review["status"] == "needs_review"
    assert review["reason"] == "before_irreversible" and review["proposed"] == ["click 'Place order'"]
    assert review["step"] == waiting.step and review["url"] == waiting.url
    assert "screenshot" not in review
    assert set(receiver.events) == {review_id, f"{handle.id}:result:1"}
    await replays(client, handle.id)


async def pending_attempt(client: Client, event: str) -> int:
    """The attempt the event's pending ``deliver_callback`` is on (0: none pending)."""
    try:
        described = await client.get_workflow_handle(delivery_id(event)).describe()
    except RPCError:
        return 0  # not started yet
    pending = [a for a in described.raw_description.pending_activities if a.activity_type.name == "deliver_callback"]
    return pending[0].attempt if pending else 0


async def test_a_receiver_that_is_down_gets_the_result_once_it_is_up(client: Client) -> None:
    """The port is closed for the first two attempts (the real retry row: 1 s, then 2 s): the task has
    completed ``succeeded`` at once, its delivery runs on; once the receiver is up it gets the event, once."""
    with socket.socket() as probe:  # a port nobody listens on yet
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with rig(client) as r:
        handle = await r.tasks.submit(r.request(callback_url=f"http://127.0.0.1:{port}/hooks/browserflow"))
        result = await handle.result()  # not held up by the receiver
        assert result.status == TaskStatus.SUCCEEDED
        event = f"{handle.id}:result:1"
        await eventually(partial(_at_least, client, event, 3), timeout=30, what="two failed deliveries")
        with receiving(SECRET, port=port) as receiver:
            got = await delivered(client, event)
    assert got is not None and got.attempt >= 3
    (request,) = receiver.requests
    assert request.signed and receiver.events == {event: message_of(result)}
    assert await deliveries_scheduled(client, event) == 1


async def _at_least(client: Client, event: str, attempt: int) -> bool:
    return await pending_attempt(client, event) >= attempt


async def test_a_flaky_receiver_gets_each_event_exactly_once(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dropped, 503, kept but answered 500: the same event id is sent again each time and kept once."""
    row = policies.POLICIES["deliver_callback"]
    fast = replace(row, retry=replace(row.retry, initial_interval=timedelta(milliseconds=100)))
    monkeypatch.setitem(policies.POLICIES, "deliver_callback", fast)  # the table the workflow reads
    with receiving(SECRET, [DROP, 503, LOST_ACK]) as receiver:
        async with rig(client) as r:
            handle = await r.tasks.submit(r.request(callback_url=receiver.url))
            result = await handle.result()
            await delivered(client, f"{handle.id}:result:1")
    assert result.status == TaskStatus.SUCCEEDED
    assert [q.answered for q in receiver.requests] == [0, 503, 500, 200]
    assert {q.event_id for q in receiver.requests} == {f"{handle.id}:result:1"}
    assert len({q.body for q in receiver.requests}) == 1 and all(q.signed for q in receiver.requests)
    assert receiver.events == {f"{handle.id}:result:1": message_of(result)}  # once


async def test_a_refusing_receiver_never_fails_the_task(client: Client) -> None:
    script = Script(decisions=[SUBMIT], acts=[page(DONE)])
    with receiving(SECRET, [400, 400]) as receiver:
        async with rig(client, script) as r:
            handle = await r.tasks.submit(r.request(callback_url=receiver.url, review_policy="before_irreversible"))
            await eventually(lambda: len(receiver.requests) == 1, timeout=15, what="the refused review event")
            await handle.approve()
            result = await handle.result()
            assert await delivered(client, f"{handle.id}:result:1") is None  # refused: given up, not retried
    assert result.status == TaskStatus.SUCCEEDED and result.result_data == {"order": "A-1"}
    assert [(q.kind, q.answered) for q in receiver.requests] == [("review", 400), ("result", 400)]  # not retried
    assert receiver.events == {}
    assert script.finished[0].result.status == TaskStatus.SUCCEEDED  # the store got the task's own result


async def test_a_goal_engine_task_on_the_real_worker_posts_its_result(engine: Engine, site: DemoSite) -> None:
    """The whole way: the Goal Engine's message with a callback URL, the worker of ``build_workers`` (real
    Chromium, the demo site), one signed ``result`` event equal to ``goal_engine_result()``."""
    with receiving(SECRET) as receiver:
        message = {
            "type": "browser_task",
            "goal": "Register Eden for the Tuesday evening swim class",
            "site_url": site.url("/"),
            "data": demo_request(site)["data"],
            "success_text": "Registration confirmed",
            "extract": {"confirmation_number": r"[A-Z]{3}-\d{6}"},
            "callback_url": receiver.url,
        }
        handle = await engine.tasks.submit(message)
        engine_result = await handle.goal_engine_result()
        await delivered(engine.tasks.client, f"{handle.id}:result:1")
    assert engine_result.status == "succeeded"
    (request,) = receiver.requests
    assert request.signed and request.kind == "result"
    assert receiver.events == {f"{handle.id}:result:1": engine_result.model_dump()}
    assert engine_result.result_data["confirmation_number"] == site.registrations[0].confirmation


def _has(receiver: Receiver, event: str) -> bool:
    return event in receiver.events


async def test_each_review_has_its_own_event(client: Client) -> None:
    """Two reviews in one task: ``review:1`` and ``review:2``, then ``result:1``."""
    script = Script(
        decisions=[decision(reason="which colour?"), decision(reason="which size?"), decision(click("blue"))],
        acts=[page(DONE)],
    )
    with receiving(SECRET) as receiver:
        async with rig(client, script) as r:
            handle = await r.tasks.submit(r.request(callback_url=receiver.url, review_policy="on_escalation"))
            for n, values in ((1, {"colour": "blue"}), (2, {"size": "L"})):
                await eventually(partial(_has, receiver, f"{handle.id}:review:{n}"), timeout=15, what=f"review {n}")
                assert (await handle.provide_input(values)).accepted
            result = await handle.result()
            await delivered(client, f"{handle.id}:result:1")
    assert result.status == TaskStatus.SUCCEEDED
    assert [q.event_id for q in receiver.requests] == [f"{handle.id}:{e}" for e in ("review:1", "review:2", "result:1")]
    assert [receiver.events[f"{handle.id}:review:{n}"]["reason"] for n in (1, 2)] == ["cannot_proceed"] * 2
