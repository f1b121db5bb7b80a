"""Pydantic models going into and coming out of the store.

Inputs reuse the contracts where one fits (``TaskRequest``, ``StepRecord``, ``DecisionAttempt``, ``TaskResult``);
the models here add what only the store needs. All of them are plain data, safe as Temporal payloads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from browserflow.contracts import Action, DecisionAttempt, RecoveryAttempt

__all__ = [
    "PROVIDER_BY_TIER",
    "RECOVERY_OUTCOMES",
    "CostBreakdown",
    "DecisionInfo",
    "DecisionRecord",
    "RecoveryInfo",
    "RecoveryOutcome",
    "RecoveryRecord",
    "SitePath",
    "Stats",
    "StepInfo",
    "TaskInfo",
]

RecoveryOutcome = Literal["pending", "recovered", "failed"]
RECOVERY_OUTCOMES: tuple[str, ...] = ("pending", "recovered", "failed")

#: The provider recorded for a decision when none is given.
PROVIDER_BY_TIER: dict[str, str] = {"cache": "cache", "rules": "rules", "ollama": "ollama", "claude": "anthropic"}


class DecisionRecord(BaseModel):
    """One decider call to record: unique per (workflow_id, step, attempt, tier)."""

    workflow_id: str
    step: int
    attempt: int = 0
    tier: str
    provider: str = Field(default="", description="'' = derived from the tier (PROVIDER_BY_TIER)")
    model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    latency_ms: float = 0.0
    cost_usd: float = 0.0
    confidence: float = 0.0
    outcome: str = Field(default="chosen", description="chosen | escalated | error | over_budget | ...")

    @classmethod
    def from_attempt(cls, workflow_id: str, step: int, number: int, attempt: DecisionAttempt) -> DecisionRecord:
        """One tier consulted by the router (its ``number``-th attempt on this step)."""
        return cls(
            workflow_id=workflow_id,
            step=step,
            attempt=number,
            tier=attempt.tier,
            provider=attempt.provider,
            model=attempt.model,
            input_tokens=attempt.input_tokens,
            output_tokens=attempt.output_tokens,
            latency_ms=attempt.latency_ms,
            cost_usd=attempt.cost_usd,
            confidence=attempt.confidence or 0.0,
            outcome=attempt.outcome,
        )

    def resolved_provider(self) -> str:
        return self.provider or PROVIDER_BY_TIER.get(self.tier, self.tier)


class RecoveryRecord(BaseModel):
    """One recovery attempt: unique per (workflow_id, step, attempt_no); record 'pending', then the outcome."""

    workflow_id: str
    step: int
    attempt_no: int
    error_type: str
    strategy: str = Field(description="e.g. retry, reload, restore_session, escalate_tier, ask_human")
    outcome: RecoveryOutcome = "pending"
    detail: str = ""

    @classmethod
    def from_attempt(cls, workflow_id: str, step: int, number: int, attempt: RecoveryAttempt) -> RecoveryRecord:
        """One recovery attempt as reported by an activity or the workflow (its ``number``-th on this step)."""
        return cls(
            workflow_id=workflow_id,
            step=step,
            attempt_no=number,
            error_type=attempt.error_type,
            strategy=attempt.strategy,
            outcome=attempt.outcome,
            detail=f"attempt {attempt.attempt}" + (f": {attempt.detail}" if attempt.detail else ""),
        )


class TaskInfo(BaseModel):
    """A task as the store holds it (data keys only, never values)."""

    workflow_id: str
    request_id: str | None = None
    goal: str = ""
    site: str = ""
    start_url: str = ""
    goal_signature: str | None = None
    status: str
    reason: str = ""
    goal_achieved: bool = False
    steps_taken: int = 0
    final_url: str = ""
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    execution_time_seconds: float | None = None
    ai_cost_usd: float = 0.0
    cache_hit: bool = False
    time_saved_seconds: float | None = None
    result_data: dict[str, Any] = Field(default_factory=dict)
    data_keys: list[str] = Field(default_factory=list)


class StepInfo(BaseModel):
    """A recorded step (actions with data-bound values stripped)."""

    workflow_id: str
    step: int
    attempt: int = 0
    url: str = ""
    url_after: str = ""
    decision: str = ""
    tier: str = ""
    confidence: float = 0.0
    actions: list[Action] = Field(default_factory=list)
    ok: bool = True
    error_type: str | None = None
    error_message: str | None = None
    duration_ms: float = 0.0
    cost_usd: float = 0.0
    recorded_at: datetime


class DecisionInfo(DecisionRecord):
    recorded_at: datetime


class RecoveryInfo(BaseModel):
    workflow_id: str
    step: int
    attempt_no: int
    error_type: str
    strategy: str
    outcome: str
    detail: str = ""
    recorded_at: datetime


class SitePath(BaseModel):
    """A cached path to a goal on a site: the actions to replay, data-bound ones carrying only their data key."""

    site: str
    goal_signature: str
    goal_template: str = ""
    data_keys: list[str] = Field(default_factory=list)
    steps: list[Action] = Field(default_factory=list)
    start_url: str = Field(default="", description="the start URL the path was learned from")
    links: list[str] = Field(
        default_factory=list, description="where the path's leading link-following steps led (deep links)"
    )
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    uses: int = 0
    consecutive_failures: int = 0
    last_success_at: datetime | None = None
    median_seconds: float | None = None

    def bind(self, data: dict[str, str]) -> list[Action]:
        """The steps with each data-bound value filled from ``data`` (secret refs stay refs); KeyError if missing."""
        return [a.model_copy(update={"value": data[a.data_key]}) if a.data_key else a for a in self.steps]


class CostBreakdown(BaseModel):
    """What one task's decisions cost."""

    workflow_id: str
    total_usd: float = 0.0
    recorded_task_cost_usd: float | None = Field(default=None, description="ai_cost the task result reported")
    by_provider: dict[str, float] = Field(default_factory=dict)
    by_tier: dict[str, float] = Field(default_factory=dict)
    by_model: dict[str, float] = Field(default_factory=dict)
    decisions: int = 0
    input_tokens: int = 0
    output_tokens: int = 0


class Stats(BaseModel):
    """Aggregates over the tasks created in a window (and on a site, when given).

    Rates are ``None`` when nothing was there to divide by. Times are over *finished* tasks that recorded an
    execution time; ``p95_seconds`` interpolates linearly between closest ranks (the "inclusive" method of
    ``statistics.quantiles``). A task is a *repeat* when an earlier task had the same site and goal signature;
    ``cache_hit_rate_on_repeats`` is the share of finished repeats that replayed a cached path. Decisions, steps
    and recoveries count when their task is in the window.
    """

    since: datetime | None = None
    site: str | None = None
    tasks: int = 0
    finished: int = 0
    succeeded: int = 0
    success_rate: float | None = None
    by_status: dict[str, int] = Field(default_factory=dict)
    median_seconds: float | None = None
    p95_seconds: float | None = None
    repeats: int = 0
    repeat_cache_hits: int = 0
    cache_hit_rate_on_repeats: float | None = None
    time_saved_seconds: float = 0.0
    total_cost_usd: float = 0.0
    cost_per_task_usd: float | None = None
    cost_by_provider: dict[str, float] = Field(default_factory=dict)
    cost_by_tier: dict[str, float] = Field(default_factory=dict)
    decisions_by_tier: dict[str, int] = Field(default_factory=dict)
    steps_by_tier: dict[str, int] = Field(default_factory=dict)
    tier_distribution: dict[str, float] = Field(default_factory=dict, description="share of steps by tier")
    recoveries: int = 0
    recoveries_succeeded: int = 0
    recovery_success_rate: float | None = None
