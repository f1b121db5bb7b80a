"""Fake activities under the real activity names (the Temporal samples' pattern), for the task workflow's fast
tests: the real workflow on the real dev server, every activity answering from a script, no Chromium.

A ``Script`` says what each activity answers: the start page, the decisions in order, what each ``act`` leads to
(a page or an error), when the goal is met, the cached path. ``Rig`` runs the workflow's two workers (the shared
queue, which here also serves the page activities, and its ``.open`` queue) on a uuid task queue for one test,
and records what the workflow called.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from browserflow import errors
from browserflow.contracts import (
    ActInput,
    Action,
    ActionOutcome,
    CheckGoalInput,
    Checkpoint,
    CloseSessionInput,
    CloseSessionResult,
    CompilePlanInput,
    DecideInput,
    Decision,
    EscalateInput,
    ExtractInput,
    GoalCheck,
    NavigateInput,
    OpenSessionInput,
    PageSnapshot,
    ParkInput,
    ParkResult,
    ScreenshotInput,
    ScreenshotResult,
    SessionRef,
    StoreAck,
    TaskFinishInput,
    TaskStartInput,
    TaskStartResult,
    TaskStatusInput,
)
from browserflow.plan.model import GoalPlan
from browserflow.replay import ReplayInput, ReplayOutcome
from client.sdk import BrowserTasks
from workflows import BrowserTaskWorkflow

__all__ = ["HOME", "Rig", "Script", "click", "decision", "fail", "page", "rig"]

HOME = "https://shop.test/"
DONE = f"{HOME}done"


def page(url: str, state: str | None = None) -> PageSnapshot:
    """A page; its state hash is its URL unless given (the same hash three times in a row is a loop)."""
    return PageSnapshot(url=url, title=url.rsplit("/", 1)[-1] or "home", state_hash=state or url)


def click(label: str, *, irreversible: bool = False) -> Action:
    return Action(kind="click", selector=f"#{label}", label=label, irreversible=irreversible)


def decision(*actions: Action, **fields: Any) -> Decision:
    return Decision(actions=list(actions), confidence=fields.pop("confidence", 0.9), **fields)


def fail(
    error: type[errors.BrowserflowError], message: str = "", *, index: int | None = 0, **extra: Any
) -> ApplicationError:
    """What an activity raises for ``error`` (as ``activities/errors.py``): its type name, never retried here."""
    return ApplicationError(
        message or error.__name__, {"index": index, **extra}, type=error.type_name, non_retryable=True
    )


Answer = PageSnapshot | ApplicationError


@dataclass
class Script:
    start: list[Answer] = field(default_factory=list)  # navigate's answers in order; then the last URL again
    decisions: list[Decision | ApplicationError] = field(default_factory=list)  # then: click "next"
    acts: list[Answer | None] = field(default_factory=list)  # None: the element is not found; then step pages
    escalated: list[Decision | ApplicationError] = field(default_factory=list)
    done_url: str = DONE
    result_data: dict[str, str] = field(default_factory=lambda: {"order": "A-1"})
    check_error: ApplicationError | None = None
    started: TaskStartResult = field(default_factory=TaskStartResult)
    replay: ReplayOutcome | ApplicationError | None = None
    hold_act: asyncio.Event | None = None  # each act waits for it (a slow site)
    # what the workflow did
    calls: list[str] = field(default_factory=list)
    acted: list[list[Action]] = field(default_factory=list)
    decided: list[DecideInput] = field(default_factory=list)
    statuses: list[TaskStatusInput] = field(default_factory=list)
    finished: list[TaskFinishInput] = field(default_factory=list)
    sessions: int = 0
    parks: int = 0
    url: str = HOME

    def count(self, name: str) -> int:
        return self.calls.count(name)


class FakeActivities:
    """Every activity the task workflow calls, answering from ``script``."""

    def __init__(self, script: Script, queue: str) -> None:
        self.script = script
        self.queue = queue

    def _call(self, name: str) -> Script:
        self.script.calls.append(name)
        return self.script

    @activity.defn(name="compile_plan")
    async def compile_plan(self, inp: CompilePlanInput) -> GoalPlan:
        self._call("compile_plan")
        return GoalPlan(goal=inp.goal)

    @activity.defn(name="task_started")
    async def task_started(self, inp: TaskStartInput) -> TaskStartResult:
        return self._call("task_started").started

    @activity.defn(name="task_finished")
    async def task_finished(self, inp: TaskFinishInput) -> StoreAck:
        self._call("task_finished").finished.append(inp)
        return StoreAck()

    @activity.defn(name="task_status")
    async def task_status(self, inp: TaskStatusInput) -> StoreAck:
        self._call("task_status").statuses.append(inp)
        return StoreAck()

    @activity.defn(name="open_session")
    async def open_session(self, inp: OpenSessionInput) -> SessionRef:
        script = self._call("open_session")
        script.sessions += 1
        return SessionRef(session_id=f"s{script.sessions}", task_queue=self.queue, worker_id="fake")

    @activity.defn(name="navigate")
    async def navigate(self, inp: NavigateInput) -> PageSnapshot:
        script = self._call("navigate")
        answer = script.start.pop(0) if script.start else page(inp.url)
        if isinstance(answer, ApplicationError):
            raise answer
        script.url = answer.url
        return answer

    @activity.defn(name="extract")
    async def extract(self, inp: ExtractInput) -> PageSnapshot:
        return page(self._call("extract").url)

    @activity.defn(name="check_goal")
    async def check_goal(self, inp: CheckGoalInput) -> GoalCheck:
        script = self._call("check_goal")
        if script.check_error is not None:
            raise script.check_error
        if inp.snapshot.url == script.done_url:
            return GoalCheck(met=True, reason="the done page", result_data=script.result_data)
        return GoalCheck(met=False, reason="not yet")

    @activity.defn(name="decide")
    async def decide(self, inp: DecideInput) -> Decision:
        script = self._call("decide")
        script.decided.append(inp)
        answer = script.decisions.pop(0) if script.decisions else decision(click("next"))
        if isinstance(answer, ApplicationError):
            raise answer
        return answer

    @activity.defn(name="decide_escalated")
    async def decide_escalated(self, inp: EscalateInput) -> Decision:
        answer = self._call("decide_escalated").escalated.pop(0)
        if isinstance(answer, ApplicationError):
            raise answer
        return answer

    @activity.defn(name="act")
    async def act(self, inp: ActInput) -> ActionOutcome:
        script = self._call("act")
        script.acted.append(inp.actions)
        if script.hold_act is not None:
            while not script.hold_act.is_set():  # heartbeats, so a cancellation reaches it
                activity.heartbeat()
                await asyncio.sleep(0.05)
        answer = script.acts.pop(0) if script.acts else page(f"{HOME}step{len(script.acted)}")
        if isinstance(answer, ApplicationError):
            raise answer
        if answer is None:
            raise fail(errors.ElementNotFound, "no such element", index=0)
        before, script.url = script.url, answer.url
        return ActionOutcome(
            ok=True, executed=len(inp.actions), url_before=before, url=answer.url, snapshot=answer, storage_state={}
        )

    @activity.defn(name="replay")
    async def replay(self, inp: ReplayInput) -> ReplayOutcome:
        answer = self._call("replay").replay
        if isinstance(answer, ApplicationError):
            raise answer
        assert answer is not None, "the script has no replay"
        self.script.url = answer.snapshot.url
        return answer

    @activity.defn(name="close_session")
    async def close_session(self, inp: CloseSessionInput) -> CloseSessionResult:
        self._call("close_session")
        return CloseSessionResult(closed=True)

    @activity.defn(name="screenshot")
    async def screenshot(self, inp: ScreenshotInput) -> ScreenshotResult:
        self._call("screenshot")
        return ScreenshotResult(path=f"/tmp/{inp.name}.png")

    @activity.defn(name="park")
    async def park(self, inp: ParkInput) -> ParkResult:
        script = self._call("park")
        script.parks += 1
        return ParkResult(checkpoint=Checkpoint(url=script.url, storage_state={"cookies": []}))

    def all(self) -> list[Callable[..., Any]]:
        return [
            self.compile_plan,
            self.task_started,
            self.task_finished,
            self.task_status,
            self.navigate,
            self.extract,
            self.check_goal,
            self.decide,
            self.decide_escalated,
            self.act,
            self.replay,
            self.close_session,
            self.screenshot,
            self.park,
        ]


@dataclass
class Rig:
    client: Client
    queue: str
    script: Script
    tasks: BrowserTasks

    def request(self, **changes: Any) -> dict[str, Any]:
        request: dict[str, Any] = {
            "goal": "Order one blue mug",
            "start_url": HOME,
            "data": {"name": "Eden"},
            "success_text": "Thank you",
            "max_steps": 6,
            "review_policy": "never",
        }
        request.update(changes)
        return request


@asynccontextmanager
async def rig(client: Client, script: Script | None = None) -> AsyncIterator[Rig]:
    """The task workflow's workers with fake activities on a uuid task queue."""
    script = script or Script()
    queue = f"bf-fake-{uuid.uuid4().hex[:8]}"
    fakes = FakeActivities(script, queue)
    shared = Worker(client, task_queue=queue, workflows=[BrowserTaskWorkflow], activities=fakes.all())
    opener = Worker(client, task_queue=f"{queue}.open", activities=[fakes.open_session])
    async with shared, opener:
        yield Rig(client, queue, script, BrowserTasks(client, queue))
