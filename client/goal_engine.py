"""The Goal Engine's message formats: its task message in, its result format out (``GoalEngineResult`` lives in
``browserflow.contracts``: the result callback POSTs it too)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator

from browserflow.contracts import GoalEngineResult, TaskRequest, check_http_url

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
    callback_url: str | None = None

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
            callback_url=self.callback_url,
        )
