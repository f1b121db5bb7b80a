"""The Goal Engine's message formats: its task message in, its result format out."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator

from browserflow.contracts import TaskRequest, TaskResult, check_http_url

__all__ = ["GoalEngineResult", "GoalEngineTask"]


class GoalEngineTask(BaseModel):
    """``{"type": "browser_task", "goal", "site_url", "data", "priority", "timeout_minutes"}``."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["browser_task"]
    goal: str
    site_url: str
    data: dict[str, StrictStr] = Field(default_factory=dict)
    priority: int = 5
    timeout_minutes: float = Field(default=10.0, gt=0)
    request_id: str | None = None
    success_text: str | None = None
    extract: dict[str, str] = Field(default_factory=dict)

    @field_validator("site_url")
    @classmethod
    def _site_url_http(cls, v: str) -> str:
        return check_http_url(v, "site_url")

    def to_request(self) -> TaskRequest:
        return TaskRequest(
            goal=self.goal,
            start_url=self.site_url,
            data=self.data,
            priority=self.priority,
            timeout=self.timeout_minutes * 60,
            request_id=self.request_id,
            success_text=self.success_text,
            extract=self.extract,
        )


class GoalEngineResult(BaseModel):
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
