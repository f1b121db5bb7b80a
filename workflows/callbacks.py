"""Callbacks, as the workflow sees them: each event delivered by its own small workflow, never in the task's way.

When the request has a ``callback_url``: each review opened sends a ``review`` event and the task's end sends
the ``result`` event. Each event is a child workflow (``CallbackDelivery``, id ``callback-<event id>``) started
with ``ParentClosePolicy.ABANDON``: the task does not wait for the delivery and completes at once with its own
result, while the child runs the ``deliver_callback`` activity with its backoff (up to an hour) however long
the receiver is down. The child's id is the event's, so an event is started once. A delivery that fails for
good is logged by its workflow; the task's status and result stay what they were.
Behind ``workflow.patched(CALLBACK_PATCH)`` (histories recorded before it carry no callback URL anyway).
"""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.exceptions import ActivityError
from temporalio.workflow import ParentClosePolicy

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

__all__ = ["CALLBACK_PATCH", "CallbackWorkflow", "Callbacks", "delivery_id"]

CALLBACK_PATCH = "callbacks-v1"


def delivery_id(event_id: str) -> str:
    """The id of the workflow that delivers the event ``event_id``."""
    return f"callback-{event_id}"


@workflow.defn(name="CallbackDelivery")
class CallbackWorkflow:
    """One callback event, delivered by the ``deliver_callback`` activity with its retry row; outlives the task."""

    @workflow.run
    async def run(self, event: CallbackInput) -> CallbackDelivery | None:
        try:
            return await workflow.execute_activity(
                "deliver_callback",
                event,
                result_type=CallbackDelivery,
                summary=f"callback {event.kind} ({event.event_id})",
                **options("deliver_callback"),
            )
        except ActivityError as err:
            workflow.logger.warning("callback %s was not delivered: %s", event.event_id, err.cause)
            return None


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
        """Start the ``result`` event's delivery (and let any review event's start finish); the deliveries run
        on after the task completes."""
        url = self._url()
        if url is not None:
            self._send(result_event(url, result))
        if self._sending:
            await workflow.wait(self._sending)

    def _send(self, event: CallbackInput) -> None:
        self._sending.append(asyncio.create_task(self._start(event)))

    @staticmethod
    async def _start(event: CallbackInput) -> None:
        await workflow.start_child_workflow(
            CallbackWorkflow.run,
            event,
            id=delivery_id(event.event_id),
            task_queue=workflow.info().task_queue,
            parent_close_policy=ParentClosePolicy.ABANDON,
            static_summary=f"callback {event.kind} to the Goal Engine ({event.event_id})",
        )
