"""The pydantic models that cross every boundary: caller -> workflow -> activities -> store.

One model in and one model out for every workflow, activity, signal, query and update. These models are
imported by workflow code (through ``imports_passed_through``), so this module must stay free of I/O and
import-time side effects.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AllowInfNan,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictStr,
    field_validator,
    model_validator,
)

from browserflow.css import css_selector_problem
from browserflow.patterns import check_pattern
from browserflow.plan.model import Expectation, PlanProgress

__all__ = [
    "TERMINAL_STATUSES",
    "ActInput",
    "Action",
    "ActionKind",
    "ActionOutcome",
    "Approve",
    "CachedPath",
    "CheckGoalInput",
    "Checkpoint",
    "CloseSessionInput",
    "CloseSessionResult",
    "CompilePlanInput",
    "Count",
    "DecideInput",
    "Decision",
    "DecisionAttempt",
    "Element",
    "ErrorInfo",
    "EscalateInput",
    "ExtractInput",
    "GoalCheck",
    "Instruct",
    "NavigateInput",
    "Number",
    "OpenSessionInput",
    "Option",
    "PageSnapshot",
    "ParkInput",
    "ParkResult",
    "Pause",
    "ProvideInput",
    "RecoveryAttempt",
    "Reject",
    "Resume",
    "ReviewAck",
    "ReviewPolicy",
    "ReviewRequest",
    "ReviewResponse",
    "ReviewVerb",
    "ScreenshotInput",
    "ScreenshotResult",
    "SessionRef",
    "StepLog",
    "StepRecord",
    "StoreAck",
    "SuccessIndicator",
    "TakeOver",
    "TaskFinishInput",
    "TaskProgress",
    "TaskRequest",
    "TaskResult",
    "TaskStartInput",
    "TaskStartResult",
    "TaskStatus",
    "allowed_host",
    "check_http_url",
    "site_of",
    "without_userinfo",
]

# what callers and operators send (requests, review verbs): unknown fields are an error, and so are non-finite
# numbers (Infinity, NaN: JSON cannot carry them to the worker)
_FORBID = ConfigDict(extra="forbid", allow_inf_nan=False)


def _not_a_bool(value: Any) -> Any:
    if isinstance(value, bool):  # JSON true/false is not a number (pydantic would take true as 1)
        raise ValueError("must be a number, not true/false")
    return value


# numbers a caller gives: never true/false, and finite (Infinity and NaN are refused; "10" from --set is fine)
Count = Annotated[int, BeforeValidator(_not_a_bool)]
Number = Annotated[float, BeforeValidator(_not_a_bool), AllowInfNan(False)]
_DATA_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


ReviewPolicy = Literal["never", "on_escalation", "before_irreversible", "always"]


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


def site_of(url: str) -> str:
    """The site a URL belongs to: its host (with a non-default port), lower-cased; never its credentials."""
    parts = urlsplit(url)
    return (parts.netloc or "").rsplit("@", 1)[-1].lower()


def without_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` removed: what may be recorded (store, Web UI summary, search
    attributes) of a start URL that carries HTTP credentials."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


def check_http_url(value: str, field: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme.lower() not in {"http", "https"}:
        shown = parts.scheme or "none"
        raise ValueError(f"{field} must be an http(s) URL; scheme {shown!r} is not allowed")
    if not parts.hostname:
        raise ValueError(f"{field} must include a host")
    return value


_HOST = re.compile(r"^(?:[a-z0-9_](?:[a-z0-9_-]{0,62})?)(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62})?)*$")


def allowed_host(entry: str) -> str:
    """An ``allowed_domains`` entry as the host it names: lower-cased, without a port, scheme, path or trailing
    dot (``127.0.0.1:8765`` -> ``127.0.0.1``, ``https://Example.com/x`` -> ``example.com``; ``*.example.com``
    and ``.example.com`` -> ``example.com``, whose subdomains are allowed anyway)."""
    text = entry.strip().lower()
    if text.startswith("*."):
        text = text[2:]
    text = text.lstrip(".")
    try:
        parts = urlsplit(text if "://" in text else f"//{text}")
        host = (parts.hostname or "").rstrip(".")
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        host = ""
    if not host or not (_HOST.match(host) or ":" in host):  # ':' is an IPv6 literal from [..]
        raise ValueError(f"allowed_domains entry {entry!r} is not a host name (e.g. example.com or 127.0.0.1:8080)")
    return host


class SuccessIndicator(BaseModel):
    """One way to tell the goal is reached. Exactly one of the three fields is set."""

    model_config = _FORBID

    text: str | None = Field(default=None, min_length=1, description="text visible on the page")
    url_contains: str | None = Field(default=None, min_length=1, description="substring of the page URL")
    selector: str | None = Field(default=None, min_length=1, description="CSS selector present on the page")

    @field_validator("selector")
    @classmethod
    def _selector_css(cls, v: str | None) -> str | None:
        problem = css_selector_problem(v) if v is not None else None
        if problem:
            raise ValueError(f"selector {v!r} is not a valid CSS selector: {problem}")
        return v

    @model_validator(mode="after")
    def _exactly_one(self) -> SuccessIndicator:
        given = [n for n in ("text", "url_contains", "selector") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("a success indicator sets exactly one of text, url_contains, selector")
        return self

    def describe(self) -> str:
        if self.text is not None:
            return f"text {self.text!r} visible"
        if self.url_contains is not None:
            return f"url contains {self.url_contains!r}"
        return f"selector {self.selector!r} present"


class TaskRequest(BaseModel):
    """What a caller hands the engine. Unknown fields are an error."""

    model_config = _FORBID

    goal: str = Field(min_length=1, max_length=2000, description="what the task must achieve, in words")
    start_url: str = Field(description="http(s) URL the browser opens first")
    data: dict[str, StrictStr] = Field(
        default_factory=dict, description="task data; values of the form env:NAME are secret references"
    )
    success_text: str | None = Field(default=None, min_length=1, description="shorthand for one text indicator")
    success: list[SuccessIndicator] = Field(default_factory=list)
    extract: dict[str, str] = Field(default_factory=dict, description="result name -> regular expression")
    max_steps: Count = Field(default=20, ge=1, le=200)
    timeout: Number = Field(default=600.0, gt=0, le=7 * 24 * 3600, description="seconds for the whole task")
    priority: Count = Field(default=5, ge=1, le=10, description="1 (lowest) .. 10 (highest)")
    request_id: str | None = Field(default=None, description="caller's id; makes submission idempotent")
    allowed_domains: list[str] = Field(
        default_factory=list, description="hosts navigation may reach; default: the start URL's host"
    )
    budget_usd: Number | None = Field(default=None, ge=0, description="AI spend cap; default BROWSERFLOW_BUDGET_USD")
    use_cache: bool = Field(default=True, description="replay a cached path for this site and goal when one exists")
    deep_links: bool = Field(
        default=True,
        description="a replay may load the page a cached path's leading link-following steps lead to directly",
    )
    review_policy: ReviewPolicy = Field(default="on_escalation", description="when a person is asked")
    review_timeout: Number = Field(default=24 * 3600, gt=0, description="seconds to wait for a reviewer")
    review_timeout_action: Literal["fail", "approve"] = Field(
        default="fail", description="after the timeout: fail (review_timeout), or approve a reversible action"
    )
    park_after: Number = Field(default=60.0, ge=0, description="seconds of waiting before the browser is parked")

    @field_validator("goal")
    @classmethod
    def _goal_not_blank(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("goal must not be empty")
        return v

    @field_validator("start_url")
    @classmethod
    def _start_url_http(cls, v: str) -> str:
        return check_http_url(v, "start_url")

    @field_validator("data")
    @classmethod
    def _data_keys(cls, v: dict[str, str]) -> dict[str, str]:
        for key in v:
            if not _DATA_KEY.match(key):
                raise ValueError(f"data key {key!r} must be an identifier (letters, digits, _ . -)")
        return v

    @field_validator("extract")
    @classmethod
    def _patterns_compile(cls, v: dict[str, str]) -> dict[str, str]:
        for name, pattern in v.items():
            check_pattern(name, pattern)  # RE2 syntax (linear-time matching): browserflow/patterns.py
        return v

    @field_validator("allowed_domains")
    @classmethod
    def _hosts(cls, v: list[str]) -> list[str]:
        return [allowed_host(entry) for entry in v]

    @field_validator("request_id")
    @classmethod
    def _request_id_shape(cls, v: str | None) -> str | None:
        if v is not None and not _REQUEST_ID.match(v):
            raise ValueError("request_id must be 1-128 characters of letters, digits and . _ : -")
        return v

    @property
    def site(self) -> str:
        return site_of(self.start_url)

    def indicators(self) -> list[SuccessIndicator]:
        """All success indicators, the success_text shorthand included."""
        found = list(self.success)
        if self.success_text:
            found.insert(0, SuccessIndicator(text=self.success_text))
        return found

    def domains(self) -> list[str]:
        """Hosts navigation may reach (the start URL's host when none were given)."""
        hosts = [d.lower() for d in self.allowed_domains] or [urlsplit(self.start_url).hostname or ""]
        return hosts


# ---------------------------------------------------------------------------------------------------------
# Pages


class Option(BaseModel):
    value: str
    label: str
    selected: bool = False


class Element(BaseModel):
    """One visible interactive element of a page, as the decider sees it."""

    ref: str = Field(description="handle valid for this page state, e.g. 'e7'")
    selector: str = Field(description="durable Playwright selector, reusable on a later visit")
    tag: str
    role: str = ""
    name: str = Field(default="", description="accessible name")
    type: str = ""
    html_id: str = ""
    html_name: str = ""
    label: str = ""
    placeholder: str = ""
    autocomplete: str = ""
    value: str = Field(default="", description="current value; never filled for password fields")
    checked: bool | None = None
    required: bool = False
    disabled: bool = False
    options: list[Option] = Field(default_factory=list)
    href: str = ""
    context: str = Field(default="", description="nearby text: the table row, list item or fieldset legend")
    form: int | None = Field(default=None, description="index of the form the element belongs to")
    error: str = Field(default="", description="validation message shown for this field, if any")
    static: bool = Field(default=False, description="no interactive role: a short text or a pointer-cursor element")
    pointer: bool = Field(default=False, description="styled or wired to be clicked (cursor, onclick, tabindex)")
    dialog: bool = Field(default=False, description="inside a dialog, modal or popup")
    readonly: bool = Field(default=False, description="a read-only field (a date picker's input, say)")
    expanded: bool | None = Field(default=None, description="aria-expanded, when the element has it")
    selected: bool | None = Field(default=None, description="aria-selected, when the element has it")


class PageSnapshot(BaseModel):
    """A compact picture of a page: what is needed to decide, small enough for workflow history."""

    url: str
    title: str = ""
    elements: list[Element] = Field(default_factory=list)
    text: str = Field(default="", description="excerpt of the visible text")
    state_hash: str = ""
    present_selectors: list[str] = Field(default_factory=list, description="probed selectors found")
    errors: list[str] = Field(default_factory=list, description="visible error messages (alerts, field errors)")
    status_code: int | None = None
    truncated: bool = False
    active: str = Field(default="", description="ref of the focused element, when it is listed")
    recoveries: list[RecoveryAttempt] = Field(
        default_factory=list, description="recovery attempts made while loading/taking this page (navigate, extract)"
    )


# ---------------------------------------------------------------------------------------------------------
# Actions and decisions

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

    def describe(self) -> str:
        target = self.label or self.selector or self.ref or ""
        if self.kind == "navigate":
            return f"navigate to {self.value}"
        if self.kind == "press":
            return f"press {self.value} on '{target}'"
        if self.kind == "wait":
            return f"wait {self.value} s"
        if self.kind in {"check", "uncheck", "select_add", "select_remove"} and self.provenance:
            return f"{self.kind} '{target}' <- {self.provenance}"
        if self.kind in {"fill", "select"}:
            if self.provenance:
                source = f" <- {self.provenance}"
            else:
                source = f" <- data.{self.data_key}" if self.data_key else ""
            return f"{self.kind} '{target}'{source}"
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


class RecoveryAttempt(BaseModel):
    """One attempt of the recovery table (``browserflow/browser/recovery.py``): what failed, what was tried."""

    error_type: str
    strategy: str
    attempt: int
    outcome: Literal["recovered", "failed"]
    detail: str = ""


class ErrorInfo(BaseModel):
    type: str
    message: str
    retryable: bool = True


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


# ---------------------------------------------------------------------------------------------------------
# Activity payloads


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


# ---------------------------------------------------------------------------------------------------------
# Progress, steps, results


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


DecideInput.model_rebuild()


# ---------------------------------------------------------------------------------------------------------
# Store payloads (the workflow's two writes: at start, with the cache lookup, and at the end)


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


class EscalateInput(BaseModel):
    """Ask the costlier tiers: the page, and what the task has spent of its budget so far."""

    decide: DecideInput
    spent_usd: float = 0.0
    budget_usd: float | None = None


# ---------------------------------------------------------------------------------------------------------
# People in the loop: review requests and the reviewer's verbs (each a signal and an update)


class ReviewRequest(BaseModel):
    """What a reviewer is asked to decide. The screenshot is a file on the worker, never in history."""

    reason: str
    detail: str = ""
    step: int
    url: str
    proposed: list[Action] = Field(default_factory=list)
    screenshot: str = ""
    requested_at: datetime


class Approve(BaseModel):
    model_config = _FORBID
    note: str = ""


class Reject(BaseModel):
    model_config = _FORBID
    reason: str = Field(min_length=1)


class ProvideInput(BaseModel):
    model_config = _FORBID
    values: dict[str, StrictStr] = Field(min_length=1, description="task data to add or replace")


class Instruct(BaseModel):
    model_config = _FORBID
    action: Action


class TakeOver(BaseModel):
    model_config = _FORBID
    result: dict[str, StrictStr] = Field(default_factory=dict, description="result data the person obtained")
    note: str = ""


class Pause(BaseModel):
    model_config = _FORBID
    reason: str = ""


class Resume(BaseModel):
    model_config = _FORBID


ReviewVerb = Literal["approve", "reject", "provide_input", "instruct", "take_over"]


class ReviewResponse(BaseModel):
    """A reviewer's answer, as the workflow keeps it."""

    verb: ReviewVerb
    reason: str = ""
    values: dict[str, str] = Field(default_factory=dict)
    action: Action | None = None
    result: dict[str, str] = Field(default_factory=dict)


class ReviewAck(BaseModel):
    """The immediate answer of a review update."""

    accepted: bool
    detail: str


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
