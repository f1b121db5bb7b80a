"""Callbacks, as the workflow sees them: the ``deliver_callback`` activity started by name, never in the task's way.

When the request has a ``callback_url``: each review opened sends a ``review`` event, fire and forget (the task
does not wait for it); the task's end sends the ``result`` event, and the workflow waits for its delivery (and
for any review event still retrying) before it completes, since a completed workflow abandons its running
activities (a cancellation during that wait abandons the deliveries, not the result). A delivery that fails for
good is logged; the task's status and result stay what they were.
Behind ``workflow.patched(CALLBACK_PATCH)`` (histories recorded before it carry no callback URL anyway).
"""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from browserflow.contracts import (
        CallbackDelivery,
        CallbackInput,
        TaskResult,
        TaskStatus,
        result_event,
        review_event,
    )
    from browserflow.temporal.policies import options
    from workflows.state import TaskState

__all__ = ["CALLBACK_PATCH", "Callbacks"]

CALLBACK_PATCH = "callbacks-v1"


class Callbacks:
    """The task's callback events: one ``review`` per review opened, one ``result`` at the end."""

    def __init__(self, state: TaskState) -> None:
        self.state = state
        self._sending: list[asyncio.Task[None]] = []

    def _url(self) -> str | None:
        url = self.state.request.callback_url
        return url if url is not None and workflow.patched(CALLBACK_PATCH) else None

    def status_changed(self, previous: TaskStatus, status: TaskStatus) -> None:
        """A review opened (the status became ``needs_review`` with a review request): send its event."""
        review = self.state.review
        if status != TaskStatus.NEEDS_REVIEW or previous == status or review is None:
            return
        url = self._url()
        if url is None:
            return
        self.state.reviews_sent += 1
        self._send(review_event(url, workflow.info().workflow_id, self.state.reviews_sent, review))

    async def finished(self, result: TaskResult) -> None:
        """Send the ``result`` event and wait until every event of the task is delivered or given up. A
        cancellation meanwhile stops the wait, not the task: its result stands (the deliveries are abandoned)."""
        url = self._url()
        if url is not None:
            self._send(result_event(url, result))
        if not self._sending:
            return
        try:
            await workflow.wait(self._sending)
        except asyncio.CancelledError:
            left = sum(not sending.done() for sending in self._sending)
            workflow.logger.warning("cancelled while delivering callbacks: %d event(s) abandoned", left)

    def _send(self, event: CallbackInput) -> None:
        self._sending.append(asyncio.create_task(self._deliver(event)))

    @staticmethod
    async def _deliver(event: CallbackInput) -> None:
        try:
            await workflow.execute_activity(
                "deliver_callback",
                event,
                result_type=CallbackDelivery,
                summary=f"callback {event.kind} ({event.event_id})",
                **options("deliver_callback"),
            )
        except ActivityError as err:
            workflow.logger.warning("callback %s was not delivered: %s", event.event_id, err.cause)
