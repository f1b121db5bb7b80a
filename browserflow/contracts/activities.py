"""Activity payloads: one model in and one model out for each browser, goal and decide activity."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from browserflow.contracts.actions import Action
from browserflow.contracts.pages import PageSnapshot
from browserflow.contracts.progress import StepRecord
from browserflow.contracts.requests import SuccessIndicator
from browserflow.plan.model import PlanProgress

__all__ = [
    "ActInput",
    "CheckGoalInput",
    "Checkpoint",
    "CloseSessionInput",
    "CloseSessionResult",
    "CompilePlanInput",
    "DecideInput",
    "EscalateInput",
    "ExtractInput",
    "NavigateInput",
    "OpenSessionInput",
    "ParkInput",
    "ParkResult",
    "ScreenshotInput",
    "ScreenshotResult",
    "SessionRef",
]


class OpenSessionInput(BaseModel):
    task_id: str
    site: str = ""
    storage_state: dict[str, Any] | None = Field(default=None, description="restore a parked or lost session")


class SessionRef(BaseModel):
    session_id: str
    task_queue: str
    worker_id: str = ""


class NavigateInput(BaseModel):
    session_id: str
    url: str
    allowed_domains: list[str] = Field(default_factory=list)
    probe_selectors: list[str] = Field(default_factory=list)


class ExtractInput(BaseModel):
    session_id: str
    probe_selectors: list[str] = Field(default_factory=list)


class ActInput(BaseModel):
    session_id: str
    actions: list[Action]
    credentials: dict[str, str] = Field(
        default_factory=dict, description="credential data (refs): for re-authentication, resolved only when typed"
    )
    allowed_domains: list[str] = Field(default_factory=list)
    probe_selectors: list[str] = Field(default_factory=list)


class CheckGoalInput(BaseModel):
    goal: str
    snapshot: PageSnapshot
    indicators: list[SuccessIndicator] = Field(default_factory=list)
    extract: dict[str, str] = Field(default_factory=dict)
    submitted: bool = Field(default=False, description="an irreversible action ran on the previous step")
    start_url: str = ""
    plan: PlanProgress | None = Field(default=None, description="the plan as it stood before the last step")
    acted: list[Action] = Field(default_factory=list, description="the actions of the last step (their effects)")
    before: PageSnapshot | None = Field(default=None, description="the page the last step acted on")
    step: int = 0
    data: dict[str, str] = Field(default_factory=dict, description="task data (refs for secrets) to verify values")


class CompilePlanInput(BaseModel):
    goal: str
    data: dict[str, str] = Field(default_factory=dict, description="task data; env: references stay references")


class DecideInput(BaseModel):
    goal: str
    data: dict[str, str]
    snapshot: PageSnapshot
    history: list[StepRecord] = Field(default_factory=list)
    failed_actions: list[Action] = Field(default_factory=list, description="actions that failed on this page")
    allowed_domains: list[str] = Field(default_factory=list)
    plan: PlanProgress | None = Field(default=None, description="the compiled goal and which intent is current")


class CloseSessionInput(BaseModel):
    session_id: str
    keep_trace: bool | None = Field(default=None, description="keep the Playwright trace (BROWSERFLOW_TRACE=failed)")


class CloseSessionResult(BaseModel):
    closed: bool


class EscalateInput(BaseModel):
    """Ask the costlier tiers: the page, and what the task has spent of its budget so far."""

    decide: DecideInput
    spent_usd: float = 0.0
    budget_usd: float | None = None


class Checkpoint(BaseModel):
    """What a session is rebuilt from on another worker: where it was and its cookies/storage."""

    url: str
    storage_state: dict[str, Any] | None = None


class ScreenshotInput(BaseModel):
    session_id: str
    task_id: str
    name: str


class ScreenshotResult(BaseModel):
    path: str


class ParkInput(BaseModel):
    session_id: str


class ParkResult(BaseModel):
    checkpoint: Checkpoint
