"""Steps, progress and results: the step log, what the progress query answers, and how a task ended."""

from __future__ import annotations

from pydantic import BaseModel, Field

from browserflow.contracts.actions import Action
from browserflow.contracts.faults import ErrorInfo, RecoveryAttempt
from browserflow.contracts.review import ReviewRequest
from browserflow.contracts.status import TaskStatus

__all__ = ["StepLog", "StepRecord", "TaskProgress", "TaskResult"]


class StepRecord(BaseModel):
    """One step of a task as recorded in the step log: what was decided, done and seen."""

    step: int
    url: str
    decision: str = Field(description="human-readable summary of the actions")
    tier: str = ""
    confidence: float = 0.0
    actions: list[Action] = Field(default_factory=list)
    ok: bool = True
    error: ErrorInfo | None = None
    url_after: str = ""
    cost_usd: float = 0.0
    duration_ms: float = 0.0
    recoveries: list[RecoveryAttempt] = Field(default_factory=list)
    link: str = Field(default="", description="the URL a step that only followed a link (a GET) led to")
    deep_linked: bool = Field(default=False, description="replayed by loading a later page of the path directly")


class StepLog(BaseModel):
    task_id: str
    steps: list[StepRecord] = Field(default_factory=list)


class TaskProgress(BaseModel):
    task_id: str
    status: TaskStatus
    step: int = 0
    max_steps: int = 0
    percent: float = 0.0
    url: str = ""
    last_action: str = ""
    detail: str = ""
    eta_seconds: float | None = Field(default=None, description="from past runs of the same site")
    review: ReviewRequest | None = None
    intent: str = Field(default="", description="'intent 2/4: set 'Last name' <- data.last_name'")
    plan: list[str] = Field(default_factory=list, description="each intent with its state: '[x] 1. click ...'")
    refused_messages: int = Field(
        default=0, description="signals refused as malformed (no input, null, wrong types, extra keys); ignored"
    )


class TaskResult(BaseModel):
    task_id: str
    status: TaskStatus
    reason: str
    goal_achieved: bool
    steps_taken: int
    execution_time_seconds: float
    final_url: str = ""
    result_data: dict[str, str] = Field(default_factory=dict)
    ai_cost: float = 0.0
    cache_hit: bool = False
    time_saved_seconds: float | None = Field(default=None, description="site's uncached median minus this run")
    decisions_by_tier: dict[str, int] = Field(default_factory=dict)
