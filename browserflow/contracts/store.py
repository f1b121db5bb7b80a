"""Store payloads: the workflow's writes to the SQL store (at start, with the cache lookup, and at the end)
and the cached path a start may return."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from browserflow.contracts.actions import Action, DecisionAttempt
from browserflow.contracts.faults import RecoveryAttempt
from browserflow.contracts.progress import StepRecord, TaskResult
from browserflow.contracts.requests import TaskRequest
from browserflow.contracts.status import TaskStatus

__all__ = ["CachedPath", "StoreAck", "TaskFinishInput", "TaskStartInput", "TaskStartResult", "TaskStatusInput"]


class CachedPath(BaseModel):
    signature: str
    steps: list[list[Action]] = Field(description="per step, the actions with values bound from the task data")
    start_url: str = Field(default="", description="the start URL the path was learned from")
    links: list[str] = Field(
        default_factory=list, description="where each of the leading link-following steps led (deep links)"
    )


class TaskStartInput(BaseModel):
    workflow_id: str
    request: TaskRequest
    started_at: datetime


class TaskStartResult(BaseModel):
    path: CachedPath | None = None
    site_median_seconds: float | None = None


class TaskFinishInput(BaseModel):
    request: TaskRequest
    result: TaskResult
    steps: list[StepRecord] = Field(default_factory=list)
    attempts: dict[int, list[DecisionAttempt]] = Field(default_factory=dict, description="step -> tiers consulted")
    cache_signature: str = ""
    cache_used: bool = False
    cache_broken: bool = False
    deep_link_refused: bool = Field(default=False, description="the path's entry URL did not lead where it used to")
    recoveries: dict[int, list[RecoveryAttempt]] = Field(
        default_factory=dict, description="step -> recoveries not in that step's record (session rebuilds, page loads)"
    )


class StoreAck(BaseModel):
    ok: bool = True
    detail: str = ""


class TaskStatusInput(BaseModel):
    """A task's non-terminal status change (entering or leaving review), for the store's ``task_status``."""

    workflow_id: str
    status: TaskStatus
    reason: str = ""
