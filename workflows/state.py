"""Everything a task's workflow knows, in one pydantic model, and what people see of it (pure functions).

``TaskState`` is the whole of the task as the workflow holds it: the request and its data, the plan, the
step count and the step log, the page last seen, the browser session and its checkpoint, the cached path and
how much of it is left, the review in progress, the AI spend and the status. The workflow's helpers
(``workflows/session.py``, ``workflows/steps.py``, ``workflows/people.py``, ``Status`` in ``workflows/task.py``)
each hold a reference to the one state and change it; the transitions between steps are pure functions of it
(``workflows/machine.py``), and so are the progress query and the result (below). Nothing here imports
Temporal: it is deterministic and testable as plain Python.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from browserflow.contracts import (
    Action,
    CachedPath,
    Checkpoint,
    Decision,
    DecisionAttempt,
    ErrorInfo,
    PageSnapshot,
    RecoveryAttempt,
    ReviewRequest,
    ReviewResponse,
    SessionRef,
    StepRecord,
    TaskFinishInput,
    TaskProgress,
    TaskRequest,
    TaskResult,
    TaskStatus,
)
from browserflow.plan.model import PlanProgress

__all__ = [
    "OPEN_STATUSES",
    "Ending",
    "TaskState",
    "finish_input",
    "intent_details",
    "intent_headline",
    "plan_lines",
    "progress",
    "progress_of",
    "result",
    "result_of",
    "split_headline",
]

OPEN_STATUSES = frozenset({TaskStatus.RUNNING, TaskStatus.NEEDS_REVIEW, TaskStatus.PAUSED})


class Ending(BaseModel):
    """How a task ends: its status, why, and the result data (for ``succeeded``)."""

    status: TaskStatus
    reason: str
    result_data: dict[str, str] = Field(default_factory=dict)


class TaskState(BaseModel):
    """The task as the workflow knows it. Fields are grouped as the helpers that change them."""

    request: TaskRequest
    data: dict[str, str]
    started: datetime
    deadline: datetime
    # what people see
    status: TaskStatus = TaskStatus.RUNNING
    detail: str = "starting"
    last_action: str = ""
    url: str = ""
    # steps
    step: int = 0
    steps: list[StepRecord] = Field(default_factory=list)
    attempts: dict[int, list[DecisionAttempt]] = Field(default_factory=dict)
    spent: float = 0.0
    # the page and what the next decision must know of it
    snapshot: PageSnapshot | None = None
    hashes: list[str] = Field(default_factory=list, description="page states seen since the last reset (loops)")
    failed: list[Action] = Field(default_factory=list, description="actions that failed on this page")
    submitted: bool = Field(default=False, description="the last step ran an irreversible action")
    forced: Decision | None = Field(default=None, description="what a reviewer told the task to do next")
    # the plan: the next goal check verifies what ran (``acted``) against the page it was decided on
    plan: PlanProgress | None = None
    acted: list[Action] = Field(default_factory=list)
    before: PageSnapshot | None = None
    # the cached path
    cache: CachedPath | None = None
    cache_broken: bool = False
    deep_link_refused: bool = False
    replay: list[list[Action]] = Field(default_factory=list, description="cached steps still to run one by one")
    site_median: float | None = None
    # the browser session
    session: SessionRef | None = None
    checkpoint: Checkpoint | None = None
    recoveries: int = Field(default=0, description="lost sessions rebuilt (a parked session's rebuild is not one)")
    recovery_log: dict[int, list[RecoveryAttempt]] = Field(default_factory=dict)
    last_failure: ErrorInfo | None = None
    # people
    review: ReviewRequest | None = None
    response: ReviewResponse | None = None
    paused: bool = False
    pause_reason: str = ""
    refused: int = 0
    reviews_sent: int = Field(default=0, description="review callbacks sent (numbers their event ids)")
    waiting_since: datetime | None = Field(default=None, description="set while a person is awaited")

    @classmethod
    def start(cls, request: TaskRequest, now: datetime) -> TaskState:
        return cls(
            request=request,
            data=dict(request.data),
            started=now,
            deadline=now + timedelta(seconds=request.timeout),
            url=request.start_url,
        )

    @property
    def done(self) -> bool:
        return self.status not in OPEN_STATUSES

    @property
    def replaying(self) -> bool:
        """A cached path is in use and has not broken."""
        return self.cache is not None and not self.cache_broken

    def person_wait(self, waiting: bool, now: datetime) -> None:
        """Time spent waiting for a person does not count against the task's timeout."""
        if waiting and self.waiting_since is None:
            self.waiting_since = now
        elif not waiting and self.waiting_since is not None:
            self.deadline += now - self.waiting_since
            self.waiting_since = None

    def note_recoveries(self, attempts: list[RecoveryAttempt], step: int | None = None) -> None:
        """Keep recovery attempts for the store, under ``step`` (default: the current one; 0 before the first)."""
        if attempts:
            self.recovery_log.setdefault(self.step if step is None else step, []).extend(attempts)

    def acted_on(self, actions: list[Action], before: PageSnapshot | None) -> None:
        """Remember what just ran, for the next goal check to verify."""
        self.acted = list(actions)
        self.before = before

    def take_acted(self) -> tuple[list[Action], PageSnapshot | None]:
        acted, before = self.acted, self.before
        self.acted, self.before = [], None
        return acted, before


# -- what people see ---------------------------------------------------------------------------------------


def plan_lines(plan: PlanProgress) -> list[str]:
    """One line per intent, with the evidence of the done ones (``PlanProgress.lines``)."""
    return plan.lines()


def split_headline(headline: str) -> tuple[str, str]:
    """``'intent 2/4: set …'`` -> ``('intent 2/4', 'set …')``, for a bold lead in the Web UI's details."""
    head, sep, rest = headline.partition(": ")
    return (head, rest) if sep else (headline, "")


def intent_headline(state: TaskState) -> str:
    return state.plan.headline() if state.plan is not None and state.plan.states else ""


def intent_details(state: TaskState) -> str:
    """The intent as the Web UI shows it: ``**intent 2/4**: set 'Last name' <- data.last_name``."""
    headline = intent_headline(state)
    if not headline:
        return ""
    head, rest = split_headline(headline)
    return f"**{head}**: {rest}" if rest else f"**{head}**"


def progress(state: TaskState, task_id: str, now: datetime) -> TaskProgress:
    """The ``progress`` query's answer: a pure function of the state and the clock."""
    max_steps = state.request.max_steps
    planned = len(state.cache.steps) if state.cache is not None and state.replaying else max_steps
    percent = 100.0 if state.done else round(min(99.0, 100.0 * state.step / max(planned, 1)), 1)
    eta = None
    if not state.done and state.site_median is not None:
        eta = max(0.0, round(state.site_median - (now - state.started).total_seconds(), 1))
    intent = intent_headline(state)
    shown = state.detail
    if intent and not state.done and not shown.startswith(intent):  # while open, the detail leads with the intent
        shown = f"{intent} | {shown}"
    return TaskProgress(
        task_id=task_id,
        status=state.status,
        step=state.step,
        max_steps=max_steps,
        percent=percent,
        url=state.url,
        last_action=state.last_action,
        detail=shown,
        eta_seconds=eta,
        review=state.review,
        intent=intent,
        plan=plan_lines(state.plan) if state.plan is not None else [],
        refused_messages=state.refused,
    )


def result(state: TaskState, ending: Ending, task_id: str, now: datetime) -> TaskResult:
    """The task's result: how it ended, what it cost, whether the cached path carried it."""
    decisions: dict[str, int] = {}
    for record in state.steps:
        decisions[record.tier] = decisions.get(record.tier, 0) + 1
    elapsed = round((now - state.started).total_seconds(), 3)
    cache_hit = state.replaying and ending.status == TaskStatus.SUCCEEDED
    saved = round(state.site_median - elapsed, 3) if cache_hit and state.site_median is not None else None
    return TaskResult(
        task_id=task_id,
        status=ending.status,
        reason=ending.reason,
        goal_achieved=ending.status == TaskStatus.SUCCEEDED,
        steps_taken=len(state.steps),
        execution_time_seconds=elapsed,
        final_url=state.url,
        result_data=ending.result_data,
        ai_cost=round(state.spent, 6),
        cache_hit=cache_hit,
        time_saved_seconds=saved,
        decisions_by_tier=decisions,
    )


progress_of = progress  # the names the workflow uses (its own query is called ``progress``)
result_of = result


def finish_input(state: TaskState, outcome: TaskResult) -> TaskFinishInput:
    """What the store keeps of a finished task: steps, decisions, recoveries and the cache's fate."""
    return TaskFinishInput(
        request=state.request,
        result=outcome,
        steps=state.steps,
        attempts=state.attempts,
        recoveries=state.recovery_log,
        cache_signature=state.cache.signature if state.cache else "",
        cache_used=state.cache is not None,
        cache_broken=state.cache_broken,
        # a deep link refused, or followed by a broken replay: suspect, so the path stops deep-linking
        deep_link_refused=state.deep_link_refused or (state.cache_broken and any(s.deep_linked for s in state.steps)),
    )
