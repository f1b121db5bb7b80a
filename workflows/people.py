"""People in the loop, the waits: asking a reviewer (with a masked screenshot, the browser parked after
``park_after``) and pause points. ``People`` holds a reference to the task's ``TaskState`` and its ``Session``,
and sets the task's status through the workflow's ``Status`` (``workflows/task.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from browserflow.contracts import Action, PageSnapshot, ReviewRequest, ReviewResponse, TaskStatus
    from browserflow.contracts.review import review_elements
    from workflows.machine import Answer, AskPerson, apply_response, timed_out, unattended
    from workflows.session import Session
    from workflows.state import TaskState

__all__ = ["People", "SetStatus"]

SetStatus = Callable[[TaskStatus, str], None]

FOREVER = float(365 * 24 * 3600)


class People:
    """Asking a person and pausing: the time spent waiting does not count against the task's timeout."""

    def __init__(self, state: TaskState, session: Session, set_status: SetStatus) -> None:
        self.state = state
        self.session = session
        self.set_status = set_status

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
            elements=review_elements(state.snapshot.elements if state.snapshot else [], hide=state.data.values()),
        )
        state.response = None
        self.set_status(TaskStatus.NEEDS_REVIEW, f"{reason}: {why}")
        state.person_wait(True, workflow.now())
        try:
            answered = await self._wait_for(lambda: state.response is not None, state.request.review_timeout)
        finally:
            state.person_wait(False, workflow.now())
        response = state.response if answered else None
        state.review = None
        state.response = None
        self.set_status(TaskStatus.RUNNING, f"review answered: {response.verb}" if response else "review timed out")
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
        self.set_status(TaskStatus.PAUSED, state.pause_reason)
        state.person_wait(True, workflow.now())
        try:
            await self._wait_for(lambda: not state.paused, FOREVER)
        finally:
            state.person_wait(False, workflow.now())
        self.set_status(TaskStatus.RUNNING, "resumed")
        return await self.session.ensure()
