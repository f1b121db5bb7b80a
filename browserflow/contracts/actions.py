"""Actions and decisions: one thing to do on a page, a decider's answer (with every tier consulted), what
acting did, and whether the goal is met."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from browserflow.contracts.faults import ErrorInfo, RecoveryAttempt
from browserflow.contracts.pages import PageSnapshot
from browserflow.plan.model import Expectation, Guard, PlanProgress

__all__ = [
    "Action",
    "ActionKind",
    "ActionOutcome",
    "AttemptOutcome",
    "Decision",
    "DecisionAttempt",
    "GoalCheck",
]

ActionKind = Literal[
    "click", "fill", "select", "select_add", "select_remove", "check", "uncheck", "press", "navigate", "wait",
    "hover", "scroll",
]


class Action(BaseModel):
    """One thing to do on a page. Values never leave the worker resolved: secrets stay ``env:`` refs."""

    kind: ActionKind
    ref: str | None = Field(default=None, description="element ref in the snapshot the action was decided on")
    selector: str | None = Field(default=None, description="durable selector of the target element")
    label: str = Field(default="", description="human-readable target, e.g. 'Student name'")
    value: str | None = Field(default=None, description="text, option, key or URL; may be an env: reference")
    data_key: str | None = Field(default=None, description="the task data key the value came from")
    irreversible: bool = Field(default=False, description="submit / pay / delete: executed at most once")
    id: str = Field(default="", description="stable id of this action within the task")
    intent: int | None = Field(default=None, description="the plan intent (0-based) this action serves")
    provenance: str = Field(default="", description="where the value came from: 'goal literal \"x\"', 'data.email'")
    expect: Expectation | None = Field(default=None, description="the effect checked on the page after acting")
    guard: Guard | None = Field(
        default=None, description="run only if this condition holds in the page at that moment (checked there)"
    )

    def describe(self) -> str:
        target = self.label or self.selector or self.ref or ""
        if self.kind == "navigate":
            return f"navigate to {self.value}"
        if self.kind == "press":
            return f"press {self.value} on '{target}'"
        if self.kind == "wait" and self.guard is not None:
            return f"wait up to {self.value} s until {self.guard.condition.describe()}"
        if self.kind == "wait":
            return f"wait {self.value} s"
        if self.guard is not None:
            return f"{self.kind} '{target}' once {self.guard.condition.describe()}"
        if self.kind in {"check", "uncheck", "select_add", "select_remove"} and self.provenance:
            return f"{self.kind} '{target}' <- {self.provenance}"
        if self.kind in {"fill", "select"}:
            if self.provenance:
                source = f" <- {self.provenance}"
            else:
                source = f" <- data.{self.data_key}" if self.data_key else ""
            return f"{self.kind} '{target}'{source}"
        if self.kind == "click" and self.provenance:  # why a click the goal does not name is made
            return f"click '{target}' ({self.provenance})"
        return f"{self.kind} '{target}'"


AttemptOutcome = Literal["chosen", "low_confidence", "repeat_failure", "fault", "invalid", "skipped_breaker", "budget"]


class DecisionAttempt(BaseModel):
    """One tier consulted while deciding a page: what it proposed, what it cost, and what the router did with it."""

    tier: str
    provider: str = ""
    model: str | None = None
    outcome: AttemptOutcome
    confidence: float | None = None
    input_tokens: int = Field(default=0, description="all prompt tokens, cache writes and reads included")
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0
    actions: str = Field(default="", description="human-readable summary of the proposed actions")
    detail: str = Field(default="", description="why this outcome: the fault, the validation error, ...")


class Decision(BaseModel):
    """A decider's answer for one page: the actions to take in order (empty when it cannot proceed)."""

    actions: list[Action] = Field(default_factory=list)
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    tier: str = "rules"
    model: str | None = None
    reason: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0
    attempts: list[DecisionAttempt] = Field(
        default_factory=list, description="every tier consulted for this decision (router output), costs included"
    )
    escalate: bool = Field(default=False, description="a costlier tier should be asked (set by the cheap tier)")
    review_reason: str = Field(
        default="", description="a person must decide before acting (e.g. 'unsure_write'); empty when not"
    )

    @property
    def can_proceed(self) -> bool:
        return bool(self.actions)

    def describe(self) -> str:
        if not self.actions:
            return "no action"
        if len(self.actions) == 1:
            return self.actions[0].describe()
        fills = sum(1 for a in self.actions if a.kind in {"fill", "select", "check", "uncheck"})
        last = self.actions[-1]
        head = f"fill {fills} fields" if fills else f"{len(self.actions) - 1} actions"
        return f"{head}, {last.describe()}"


class ActionOutcome(BaseModel):
    """What acting did: how far it got, where the page is now, and the page after the action."""

    storage_state: dict[str, Any] | None = Field(
        default=None, description="cookies and local storage after acting: the checkpoint to recover from"
    )
    ok: bool
    executed: int = Field(default=0, description="how many of the actions ran to completion")
    error: ErrorInfo | None = None
    failed_action: Action | None = None
    url_before: str = ""
    url: str = ""
    page_changed: bool = False
    snapshot: PageSnapshot | None = None
    duration_ms: float = 0.0
    recoveries: list[RecoveryAttempt] = Field(default_factory=list)


class GoalCheck(BaseModel):
    met: bool
    reason: str = ""
    result_data: dict[str, str] = Field(default_factory=dict)
    plan: PlanProgress | None = Field(default=None, description="the plan with the effects seen on this page")
