"""Callbacks: the messages the engine POSTs to a task's ``callback_url``, and the activity's input and output.

Two events per task at most kinds: ``result`` (the Goal Engine's result message, when the task ends) and
``review`` (a review message, each time the task starts waiting for a person). Each event has an id that is
stable for the task and the event (``<workflow id>:<kind>:<n>``): a retried delivery sends the same id and the
same bytes, so a receiver dedupes by it. Pure models and builders (the workflow builds the events; the
``deliver_callback`` activity signs and sends them, ``browserflow/callbacks.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from browserflow.contracts.progress import TaskResult
from browserflow.contracts.review import ReviewRequest
from browserflow.contracts.urls import without_userinfo

__all__ = [
    "CallbackDelivery",
    "CallbackInput",
    "CallbackKind",
    "GoalEngineResult",
    "ReviewMessage",
    "event_id",
    "result_event",
    "review_event",
]

CallbackKind = Literal["result", "review"]


class GoalEngineResult(BaseModel):
    """The Goal Engine's result message: ``{task_id, status, goal_achieved, execution_time_seconds,
    steps_taken, ai_cost, cache_hit, result_data}``."""

    task_id: str
    status: str
    goal_achieved: bool
    execution_time_seconds: float
    steps_taken: int
    ai_cost: float
    cache_hit: bool
    result_data: dict[str, str]

    @classmethod
    def from_result(cls, result: TaskResult) -> GoalEngineResult:
        return cls(
            task_id=result.task_id,
            status=result.status.value,
            goal_achieved=result.goal_achieved,
            execution_time_seconds=result.execution_time_seconds,
            steps_taken=result.steps_taken,
            ai_cost=result.ai_cost,
            cache_hit=result.cache_hit,
            result_data=result.result_data,
        )


class ReviewMessage(BaseModel):
    """A task waits for a person: what is asked, where, and what the engine proposes (no values, no paths)."""

    task_id: str
    status: Literal["needs_review"] = "needs_review"
    reason: str = Field(description="why a person is asked, e.g. before_irreversible, cannot_proceed")
    detail: str = ""
    step: int
    url: str = Field(description="the page the task is on (without credentials)")
    proposed: list[str] = Field(default_factory=list, description="the proposed actions, described, without values")
    requested_at: datetime

    @classmethod
    def from_review(cls, task_id: str, review: ReviewRequest) -> ReviewMessage:
        return cls(
            task_id=task_id,
            reason=review.reason,
            detail=review.detail,
            step=review.step,
            url=without_userinfo(review.url),
            proposed=[action.describe() for action in review.proposed],  # describe() never shows a typed value
            requested_at=review.requested_at,
        )


class CallbackInput(BaseModel):
    """One event to deliver: where, its stable id, and its message (``result`` or ``review``, per ``kind``)."""

    url: str
    event_id: str
    kind: CallbackKind
    result: GoalEngineResult | None = None
    review: ReviewMessage | None = None

    @model_validator(mode="after")
    def _message_of_its_kind(self) -> CallbackInput:
        if (self.result is None) == (self.review is None) or getattr(self, self.kind) is None:
            raise ValueError(f"a {self.kind!r} event carries exactly its own message")
        return self

    def body(self) -> bytes:
        """The raw body POSTed (and signed): the message as compact JSON; the same bytes on every retry."""
        message = self.result if self.result is not None else self.review
        assert message is not None
        return message.model_dump_json().encode()


class CallbackDelivery(BaseModel):
    """A delivered event: the receiver's HTTP status and the attempt that got through."""

    event_id: str
    status_code: int
    attempt: int = 1


def event_id(task_id: str, kind: CallbackKind, n: int = 1) -> str:
    """``<task id>:<kind>:<n>``: stable per task and event, the receiver's key for exactly-once."""
    return f"{task_id}:{kind}:{n}"


def result_event(url: str, result: TaskResult) -> CallbackInput:
    """The ``result`` event of a finished task (one per task)."""
    message = GoalEngineResult.from_result(result)
    return CallbackInput(url=url, event_id=event_id(result.task_id, "result"), kind="result", result=message)


def review_event(url: str, task_id: str, n: int, review: ReviewRequest) -> CallbackInput:
    """The ``n``-th ``review`` event of a task (1 for its first review)."""
    message = ReviewMessage.from_review(task_id, review)
    return CallbackInput(url=url, event_id=event_id(task_id, "review", n), kind="review", review=message)
