"""Workflow changes cannot break running tasks: recorded histories of every main path replay against the code.

The fixtures (``tests/fixtures/histories/*.json``, made by ``python -m tests.workflows.record_histories``) are
replayed by Temporal's ``Replayer`` with the project's workflow and the converter the tests use. A change that
alters the commands an existing history recorded (a new activity, timer or an order change not behind
``workflow.patched``) fails here, before it can fail a task that is running in production.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner
from temporalio.workflow import NondeterminismError

from browserflow.contracts import TaskRequest, TaskResult, TaskStartResult
from browserflow.temporal.codec import data_converter
from tests.workflows.record_histories import FIXTURES, PATHS
from workflows.task import BrowserTaskWorkflow

pytestmark = pytest.mark.integration  # no server needed, but the same selection as the other workflow tests


def converter() -> DataConverter:
    return data_converter()  # as tests/conftest.py: the fixtures' clear payloads pass its codec unchanged


def history(name: str) -> WorkflowHistory:
    path = FIXTURES / f"{name}.json"
    raw = json.loads(path.read_text())
    started = raw["events"][0]["workflowExecutionStartedEventAttributes"]
    assert started["workflowType"]["name"] == "BrowserTaskWorkflow"
    return WorkflowHistory.from_json(f"fixture-{name}", raw)


def test_every_main_path_has_a_fixture() -> None:
    on_disk = {p.stem for p in Path(FIXTURES).glob("*.json")}
    assert set(PATHS) <= on_disk, f"missing: {set(PATHS) - on_disk}; run python -m tests.workflows.record_histories"


@pytest.mark.parametrize("name", PATHS)
async def test_recorded_history_replays(name: str) -> None:
    result = await Replayer(workflows=[BrowserTaskWorkflow], data_converter=converter()).replay_workflow(
        history(name), raise_on_replay_failure=True
    )
    assert result.replay_failure is None


# -- the guard itself: a non-deterministic change fails, the same change behind a patch replays ----------------


@workflow.defn(name="BrowserTaskWorkflow")
class TimerFirst(BrowserTaskWorkflow):
    """A deliberately non-deterministic edit: a timer before the start is recorded (a new command)."""

    @workflow.run
    async def run(self, request: TaskRequest) -> TaskResult:
        return await super().run(request)

    async def _start(self, request: TaskRequest) -> TaskStartResult:
        await workflow.sleep(timedelta(milliseconds=1))
        started: TaskStartResult = await super()._start(request)
        return started


@workflow.defn(name="BrowserTaskWorkflow")
class PatchedTimerFirst(BrowserTaskWorkflow):
    """The same edit shipped the safe way: only new runs take the timer."""

    @workflow.run
    async def run(self, request: TaskRequest) -> TaskResult:
        return await super().run(request)

    async def _start(self, request: TaskRequest) -> TaskStartResult:
        if workflow.patched("timer-before-start-v1"):
            await workflow.sleep(timedelta(milliseconds=1))
        started: TaskStartResult = await super()._start(request)
        return started


@pytest.mark.parametrize("name", ["success", "crash_recovery"])
async def test_a_non_deterministic_change_fails_replay(name: str) -> None:
    # unsandboxed: the sandbox would re-import this test module (pytest) to validate the variant class
    replayer = Replayer(workflows=[TimerFirst], data_converter=converter(), workflow_runner=UnsandboxedWorkflowRunner())
    with pytest.raises(NondeterminismError):
        await replayer.replay_workflow(history(name))


@pytest.mark.parametrize("name", ["success", "crash_recovery"])
async def test_the_same_change_behind_workflow_patched_replays(name: str) -> None:
    # unsandboxed: the sandbox would re-import this test module (pytest) to validate the variant class
    replayer = Replayer(
        workflows=[PatchedTimerFirst], data_converter=converter(), workflow_runner=UnsandboxedWorkflowRunner()
    )
    result = await replayer.replay_workflow(history(name))
    assert result.replay_failure is None
