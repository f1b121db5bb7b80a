"""No message can wedge a workflow (issue 14, high-severity case 3): every signal, update and query handler is
sent no input, ``null``, wrong types, extra keys and too many inputs through the real ``temporal`` CLI while a
real task waits for review; the task keeps answering, counts the refused signals, and completes when approved
properly."""

from __future__ import annotations

import asyncio
import subprocess
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError

from browserflow.contracts import TaskProgress, TaskStatus
from demo import DemoSite
from tests.conftest import Engine, eventually, temporal_binary
from tests.workflows.test_review import wait_for_review
from tests.workflows.test_task import demo_request

pytestmark = pytest.mark.integration

# per handler: a payload whose one field has the wrong type (resume has no fields: a string instead of {})
WRONG_TYPE = {
    "approve": '{"note": 5}',
    "reject": '{"reason": ["no"]}',
    "provide_input": '{"values": "email=x"}',
    "instruct": '{"action": 5}',
    "take_over": '{"result": [1, 2]}',
    "pause": '{"reason": {"why": 1}}',
    "resume": '"resume"',
}
VERBS = ["approve", "reject", "provide_input", "instruct", "take_over"]
SIGNALS = [*VERBS, "pause", "resume"]


def malformed(name: str) -> list[list[str]]:
    """The --input arguments of each malformed message for handler ``name``."""
    return [
        [],  # no input at all
        ["--input", "null"],
        ["--input", '"approve"'],
        ["--input", "5"],
        ["--input", "[]"],
        ["--input", '{"unexpected": true}'],
        ["--input", WRONG_TYPE[name]],
        ["--input", "{}", "--input", "{}"],  # two inputs for a one-argument handler
    ]


async def cli(engine: Engine, *args: str) -> subprocess.CompletedProcess[str]:
    address = engine.client.service_client.config.target_host
    command = [temporal_binary(), "workflow", *args, "--address", address, "--namespace", "default"]
    return await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, timeout=60)


async def test_malformed_messages_are_refused_and_the_task_completes(engine: Engine, site: DemoSite) -> None:
    handle = await engine.tasks.submit(demo_request(site, review_policy="before_irreversible", use_cache=False))
    await wait_for_review(handle, "before_irreversible")
    before = await handle.pending_review()
    assert before is not None

    sent = 0
    for name in SIGNALS:
        for inputs in malformed(name):
            done = await cli(engine, "signal", "--workflow-id", handle.id, "--name", name, *inputs)
            assert done.returncode == 0, done.stderr  # a signal is always delivered; the workflow refuses it
            sent += 1

    for name in VERBS:
        for inputs in malformed(name):
            done = await cli(engine, "update", "execute", "--workflow-id", handle.id, "--name", name, *inputs)
            assert done.returncode != 0, f"update {name} {inputs} was accepted: {done.stdout}"
            # the failure's message is encoded (encode_common_attributes); its type is not
            assert "ValueError" in done.stdout + done.stderr, f"update {name} {inputs}: {done.stdout}{done.stderr}"

    # the same refusals through the Python client, where the failure's message is decoded
    raw = engine.client.get_workflow_handle(handle.id)
    cases: list[tuple[list[Any], str]] = [
        ([], "no input or null was sent"),
        ([None], "no input or null was sent"),
        (["approve"], "not str"),
        ([{"note": "ok", "unexpected": 1}], "unexpected: Extra inputs are not permitted"),
        ([{"note": 5}], "note: Input should be a valid string"),
        ([{}, {}], "2 inputs were sent"),
    ]
    for args, expected in cases:
        with pytest.raises(WorkflowUpdateFailedError) as info:
            await raw.execute_update("approve", args=args)
        message = getattr(info.value.cause, "message", "")
        assert "update 'approve' refused" in message and expected in message, message

    for query in ("progress", "steps"):
        for inputs in ([], ["--input", "null"], ["--input", '{"unexpected": 1}'], ["--input", "1", "--input", "2"]):
            done = await cli(engine, "query", "--workflow-id", handle.id, "--name", query, *inputs, "--output", "json")
            assert done.returncode == 0, f"query {query} {inputs}: {done.stderr}"
            assert "queryResult" in done.stdout  # answered (its payload is encrypted for the CLI)
    for args in ([None], [{"unexpected": 1}], [1, 2]):
        answered = await raw.query("progress", args=args, result_type=TaskProgress)
        assert answered.task_id == handle.id and answered.status == TaskStatus.NEEDS_REVIEW

    async def all_counted() -> bool:
        return (await handle.status()).refused_messages == sent

    await eventually(all_counted, timeout=30, what=f"{sent} refused signals to be counted")
    progress = await handle.status()
    assert progress.status == TaskStatus.NEEDS_REVIEW  # nothing was answered, paused or changed
    assert progress.review is not None and progress.review.requested_at == before.requested_at
    assert site.registration_count() == 0

    ack = await handle.approve("checked by the security test")
    assert ack.accepted
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert site.registration_count() == 1

    failed_tasks = [
        e
        async for e in engine.client.get_workflow_handle(handle.id).fetch_history_events()
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
    ]
    assert failed_tasks == []  # no message ever failed a workflow task
    after = await raw.query("progress", result_type=TaskProgress)  # replayed from history: the same count
    assert after.status == TaskStatus.SUCCEEDED and after.refused_messages == sent
