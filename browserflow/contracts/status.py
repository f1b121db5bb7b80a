"""Every state a task can be in, and which of them end it."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["TERMINAL_STATUSES", "TaskStatus"]


class TaskStatus(StrEnum):
    """Every state a task can be in. The terminal ones each name one distinct ending."""

    QUEUED = "queued"
    RUNNING = "running"
    NEEDS_REVIEW = "needs_review"
    PAUSED = "paused"
    SUCCEEDED = "succeeded"
    MAX_STEPS = "max_steps"
    LOOP_DETECTED = "loop_detected"
    STUCK = "stuck"  # the decider cannot proceed
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"
    SITE_DOWN = "site_down"
    ACCESS_DENIED = "access_denied"
    INVALID_URL = "invalid_url"
    BUDGET_EXCEEDED = "budget_exceeded"
    REJECTED = "rejected"
    REVIEW_TIMEOUT = "review_timeout"
    FAILED = "failed"  # an unexpected error; the reason says which


TERMINAL_STATUSES = frozenset(
    s
    for s in TaskStatus
    if s not in {TaskStatus.QUEUED, TaskStatus.RUNNING, TaskStatus.NEEDS_REVIEW, TaskStatus.PAUSED}
)
