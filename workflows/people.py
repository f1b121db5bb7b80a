"""People in the loop, the waits: asking a reviewer (with a masked screenshot, the browser parked after
``park_after``), pause points, and the task's status as people see it (search attribute, the Web UI's current
details, and the store's task row while a review is open).

``Status`` and ``People`` hold a reference to the task's ``TaskState`` (and ``People`` to its ``Session``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from browserflow.contracts import Action, PageSnapshot, ReviewRequest, ReviewResponse, TaskStatus
    from browserflow.temporal.policies import POLICIES, options
    from browserflow.temporal.search_attributes import TASK_STATUS
    from workflows.machine import Answer, AskPerson, apply_response, timed_out, unattended
    from workflows.session import Session
    from workflows.state import TaskState, intent_details

__all__ = ["STATUS_PATCH", "People", "Status", "TaskStatusInput"]

# new runs tell the store when a review opens and closes; runs recorded before replay without those writes
STATUS_PATCH = "task-status-v1"
REVIEW_STATUSES = frozenset({TaskStatus.NEEDS_REVIEW, TaskStatus.PAUSED})
STATUS_WAIT_SECONDS = 10.0
FOREVER = float(365 * 24 * 3600)


# MERGE: defined by the store helper as ``browserflow.contracts.TaskStatusInput`` (same fields); import it from
# there and delete this local copy once it lands.
class TaskStatusInput(BaseModel):
    workflow_id: str
    status: TaskStatus
    reason: str = ""


class Status:
    """The task's status: ``state.status``/``state.detail``, the ``TaskStatus`` search attribute, the current
    details, and (entering or leaving a review or a pause) the ``task_status`` store activity, in order."""

    def __init__(self, state: TaskState) -> None:
        self.state = state
        self._writes: asyncio.Future[None] | None = None

    def set(self, status: TaskStatus, detail: str) -> None:
        previous = self.state.status
        self.state.status = status
        self.state.detail = detail
        workflow.upsert_search_attributes([TASK_STATUS.value_set(status.value)])
        intent = intent_details(self.state)
        workflow.set_current_details(f"**{status.value}**: {detail}" + (f"\n\n{intent}" if intent else ""))
        opens_or_closes = status in REVIEW_STATUSES or (previous in REVIEW_STATUSES and status == TaskStatus.RUNNING)
        if status != previous and opens_or_closes and workflow.patched(STATUS_PATCH):
            self._write(TaskStatusInput(workflow_id=workflow.info().workflow_id, status=status, reason=detail))

    def _write(self, inp: TaskStatusInput) -> None:
        """One write after the other (never out of order), without holding up the task."""
        self._writes = asyncio.ensure_future(self._send(self._writes, inp))

    @staticmethod
    async def _send(previous: asyncio.Future[None] | None, inp: TaskStatusInput) -> None:
        if previous is not None:
            await previous
        policy = "task_status" if "task_status" in POLICIES else "task_started"  # a short store write
        try:
            await workflow.execute_activity(
                "task_status", inp, summary=f"record status ({inp.status.value})", **options(policy)
            )
        except ActivityError as err:
            workflow.logger.warning("recording the status %s failed: %s", inp.status.value, err.cause)

    async def flush(self) -> None:
        """Let the status writes in flight land before the result is recorded (bounded: the store is optional)."""
        if self._writes is not None and not self._writes.done():
            await workflow.wait([self._writes], timeout=STATUS_WAIT_SECONDS)


class People:
    """Asking a person and pausing: the time spent waiting does not count against the task's timeout."""

    def __init__(self, state: TaskState, session: Session, status: Status) -> None:
        self.state = state
        self.session = session
        self.status = status

    async def ask(self, ask: AskPerson) -> Answer:
        """Ask a person; the answer: a decision to act on, an ending, or None to decide again."""
        without = unattended(self.state, ask)
        if without is not None:
            return without
        response = await self._review(ask.reason, ask.why, ask.decision.actions)
        if response is None:
            return timed_out(self.state, ask)
        return apply_response(self.state, response, ask.decision)

    async def _review(self, reason: str, why: str, proposed: list[Action]) -> ReviewResponse | None:
        state = self.state
        shot = await self.session.screenshot(f"step{state.step}-{reason}")
        state.review = ReviewRequest(
            reason=reason,
            detail=why,
            step=state.step,
            url=state.url,
            proposed=proposed,
            screenshot=shot,
            requested_at=workflow.now(),
        )
        state.response = None
        self.status.set(TaskStatus.NEEDS_REVIEW, f"{reason}: {why}")
        state.person_wait(True, workflow.now())
        try:
            answered = await self._wait_for(lambda: state.response is not None, state.request.review_timeout)
        finally:
            state.person_wait(False, workflow.now())
        response = state.response if answered else None
        state.review = None
        state.response = None
        self.status.set(TaskStatus.RUNNING, f"review answered: {response.verb}" if response else "review timed out")
        return response

    async def _wait_for(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait for ``condition`` up to ``timeout`` seconds, parking the browser after ``park_after``."""
        park_after = min(self.state.request.park_after, timeout)
        try:
            await workflow.wait_condition(condition, timeout=park_after)
            return True
        except TimeoutError:
            pass
        await self.session.park()
        try:
            await workflow.wait_condition(condition, timeout=max(timeout - park_after, 0.001))
            return True
        except TimeoutError:
            return bool(condition())

    async def pause_point(self) -> PageSnapshot | None:
        """While paused, wait (the browser parked); the page rebuilt on resume, if it was parked."""
        state = self.state
        if not state.paused:
            return None
        self.status.set(TaskStatus.PAUSED, state.pause_reason)
        state.person_wait(True, workflow.now())
        try:
            await self._wait_for(lambda: not state.paused, FOREVER)
        finally:
            state.person_wait(False, workflow.now())
        self.status.set(TaskStatus.RUNNING, "resumed")
        return await self.session.ensure()
