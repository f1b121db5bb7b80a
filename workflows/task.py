"""BrowserTaskWorkflow: one browser task, driven step by step until the goal is met or a clear ending.

Deterministic orchestration only: every browser, decision, store and clock-dependent action is an activity.
Per step: ``check_goal`` and ``decide`` run as local activities (pure functions of the page snapshot),
``act`` as a remote activity on the worker holding the browser, returning the snapshot after acting, so a
step costs one remote round trip. A cached path for the site and goal is replayed with no decisions at all;
each replayed step is verified, and a mismatch hands over to live decisions from that page on.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception
from temporalio.exceptions import TimeoutError as TemporalTimeout

with workflow.unsafe.imports_passed_through():
    from activities.browser import BrowserActivities
    from activities.decide import DecideActivities, check_goal
    from activities.store import StoreActivities
    from browserflow.contracts import (
        ActInput,
        Action,
        ActionOutcome,
        CachedPath,
        CheckGoalInput,
        CloseSessionInput,
        DecideInput,
        Decision,
        DecisionAttempt,
        ErrorInfo,
        EscalateInput,
        ExtractInput,
        NavigateInput,
        OpenSessionInput,
        PageSnapshot,
        SessionRef,
        StepLog,
        StepRecord,
        TaskFinishInput,
        TaskProgress,
        TaskRequest,
        TaskResult,
        TaskStartInput,
        TaskStartResult,
        TaskStatus,
    )
    from browserflow.goals import probe_selectors
    from browserflow.temporal.policies import options
    from browserflow.temporal.search_attributes import TASK_SITE, TASK_STATUS

__all__ = ["BrowserTaskWorkflow"]

# error types (ApplicationError.type) that end the task, with the status they end it in
_TERMINAL_ERRORS: dict[str, TaskStatus] = {
    "SiteDown": TaskStatus.SITE_DOWN,
    "AccessDenied": TaskStatus.ACCESS_DENIED,
    "InvalidUrl": TaskStatus.INVALID_URL,
    "SecretUnavailable": TaskStatus.FAILED,
    "SessionNotFound": TaskStatus.FAILED,
    "BudgetExceeded": TaskStatus.BUDGET_EXCEEDED,
}
_LOOP_REPEATS = 3
_HISTORY_FOR_DECIDER = 6
_STORE_FINISH_WAIT_SECONDS = 10.0


@dataclass
class _Ending:
    status: TaskStatus
    reason: str
    result_data: dict[str, str] = field(default_factory=dict)


class _Stop(Exception):
    def __init__(self, ending: _Ending) -> None:
        super().__init__(ending.reason)
        self.ending = ending


class _ActFailed(Exception):
    def __init__(self, error: ErrorInfo, index: int | None) -> None:
        super().__init__(error.message)
        self.error = error
        self.index = index


def _failure(err: ActivityError) -> ErrorInfo:
    cause = err.cause
    if isinstance(cause, ApplicationError):
        return ErrorInfo(
            type=cause.type or "ApplicationError", message=cause.message, retryable=not cause.non_retryable
        )
    if isinstance(cause, TemporalTimeout):
        return ErrorInfo(type=f"Timeout.{cause.type.name if cause.type else 'UNKNOWN'}", message=str(cause))
    return ErrorInfo(type=type(cause).__name__ if cause else "ActivityError", message=str(cause or err))


def _detail(err: ActivityError, key: str) -> Any:
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.details and isinstance(cause.details[0], dict):
        return cause.details[0].get(key)
    return None


@workflow.defn(name="BrowserTaskWorkflow")
class BrowserTaskWorkflow:
    @workflow.init
    def __init__(self, request: TaskRequest) -> None:
        self._request = request
        self._status = TaskStatus.RUNNING
        self._steps: list[StepRecord] = []
        self._attempts: dict[int, list[DecisionAttempt]] = {}
        self._step = 0
        self._url = request.start_url
        self._last_action = ""
        self._detail = "starting"
        self._session: SessionRef | None = None
        self._opening: asyncio.Future[SessionRef] | None = None
        self._spent = 0.0
        self._cache: CachedPath | None = None
        self._cache_broken = False
        self._site_median: float | None = None

    # -- queries -----------------------------------------------------------------------------------------

    @workflow.query
    def progress(self) -> TaskProgress:
        max_steps = self._request.max_steps
        done = self._status not in {TaskStatus.RUNNING, TaskStatus.NEEDS_REVIEW, TaskStatus.PAUSED}
        planned = len(self._cache.steps) if self._cache and not self._cache_broken else max_steps
        percent = 100.0 if done else round(min(99.0, 100.0 * self._step / max(planned, 1)), 1)
        return TaskProgress(
            task_id=workflow.info().workflow_id,
            status=self._status,
            step=self._step,
            max_steps=max_steps,
            percent=percent,
            url=self._url,
            last_action=self._last_action,
            detail=self._detail,
        )

    @workflow.query
    def steps(self) -> StepLog:
        return StepLog(task_id=workflow.info().workflow_id, steps=list(self._steps))

    # -- run ---------------------------------------------------------------------------------------------

    @workflow.run
    async def run(self, request: TaskRequest) -> TaskResult:
        started = workflow.now()
        workflow.upsert_search_attributes(
            [TASK_STATUS.value_set(TaskStatus.RUNNING.value), TASK_SITE.value_set(request.site)]
        )
        try:
            ending = await asyncio.wait_for(self._drive(request), timeout=request.timeout)
        except TimeoutError:
            ending = _Ending(TaskStatus.TIMEOUT, f"the task did not finish within its timeout of {request.timeout:g} s")
        except asyncio.CancelledError:
            self._set_status(TaskStatus.CANCELLED, "cancelled by request")
            await self._close_session()
            await self._record_finish(
                request, self._result(request, _Ending(TaskStatus.CANCELLED, "cancelled"), started)
            )
            raise
        self._set_status(ending.status, ending.reason)
        await self._close_session()
        result = self._result(request, ending, started)
        await self._record_finish(request, result)
        return result

    def _result(self, request: TaskRequest, ending: _Ending, started: Any) -> TaskResult:
        decisions: dict[str, int] = {}
        for record in self._steps:
            decisions[record.tier] = decisions.get(record.tier, 0) + 1
        elapsed = round((workflow.now() - started).total_seconds(), 3)
        cache_hit = self._cache is not None and not self._cache_broken and ending.status == TaskStatus.SUCCEEDED
        saved = None
        if cache_hit and self._site_median is not None:
            saved = round(self._site_median - elapsed, 3)
        return TaskResult(
            task_id=workflow.info().workflow_id,
            status=ending.status,
            reason=ending.reason,
            goal_achieved=ending.status == TaskStatus.SUCCEEDED,
            steps_taken=len(self._steps),
            execution_time_seconds=elapsed,
            final_url=self._url,
            result_data=ending.result_data,
            ai_cost=round(self._spent, 6),
            cache_hit=cache_hit,
            time_saved_seconds=saved,
            decisions_by_tier=decisions,
        )

    async def _drive(self, request: TaskRequest) -> _Ending:
        try:
            return await self._loop(request)
        except _Stop as stop:
            return stop.ending

    async def _start(self, request: TaskRequest) -> TaskStartResult:
        """Record the start and look up a cached path. The store is optional: a failure means no cache."""
        try:
            return await workflow.execute_activity_method(
                StoreActivities.task_started,
                TaskStartInput(workflow_id=workflow.info().workflow_id, request=request, started_at=workflow.now()),
                summary="record start, look up cached path",
                **options("task_started"),
            )
        except ActivityError as err:
            if is_cancelled_exception(err):
                raise asyncio.CancelledError() from err
            workflow.logger.warning("store unavailable at start; running without the path cache: %s", err.cause)
            return TaskStartResult()

    async def _loop(self, request: TaskRequest) -> _Ending:
        probes = probe_selectors(request.indicators())
        domains = request.domains()
        self._detail = "opening a browser session"
        # shielded: a cancellation while the session opens must still learn its id, to close it
        self._opening = asyncio.ensure_future(
            workflow.execute_activity_method(
                BrowserActivities.open_session,
                OpenSessionInput(task_id=workflow.info().workflow_id, site=request.site),
                summary="open browser session",
                **options("open_session"),
            )
        )
        started = await self._start(request)
        self._session = await asyncio.shield(self._opening)
        self._site_median = started.site_median_seconds
        self._cache = started.path
        replay: list[list[Action]] = [list(s) for s in self._cache.steps] if self._cache else []
        snapshot: PageSnapshot = await self._page(
            BrowserActivities.navigate,
            NavigateInput(
                session_id=self._session.session_id,
                url=request.start_url,
                allowed_domains=domains,
                probe_selectors=probes,
            ),
            "navigate",
            f"open {request.start_url}",
        )
        self._url = snapshot.url
        hashes = [snapshot.state_hash]
        failed: list[Action] = []
        submitted = False
        while True:
            check = await workflow.execute_local_activity(
                check_goal,
                CheckGoalInput(
                    goal=request.goal,
                    snapshot=snapshot,
                    indicators=request.indicators(),
                    extract=request.extract,
                    submitted=submitted,
                    start_url=request.start_url,
                ),
                summary="check goal",
                **options("check_goal"),
            )
            if check.met:
                return _Ending(TaskStatus.SUCCEEDED, f"goal reached: {check.reason}", check.result_data)
            if self._step >= request.max_steps:
                return _Ending(TaskStatus.MAX_STEPS, f"goal not reached after max_steps={request.max_steps} steps")
            if replay:
                decision = Decision(actions=replay.pop(0), confidence=1.0, tier="cache", reason="cached path")
            else:
                decision = await self._decide(request, snapshot, failed, domains)
            if not decision.actions:
                reason = decision.reason or "no decider could say what to do next"
                return _Ending(TaskStatus.STUCK, f"cannot proceed on {snapshot.url}: {reason}")
            self._step += 1
            actions = [a.model_copy(update={"id": f"{self._step}.{i}"}) for i, a in enumerate(decision.actions)]
            summary = decision.describe()
            self._last_action = summary
            self._detail = f"step {self._step}/{request.max_steps}: {summary}"
            workflow.set_current_details(f"**Step {self._step}/{request.max_steps}**: {summary}\n\n{snapshot.url}")
            outcome, error, index = await self._act(actions, domains, probes, summary)
            self._steps.append(
                StepRecord(
                    step=self._step,
                    url=snapshot.url,
                    decision=summary,
                    tier=decision.tier,
                    confidence=decision.confidence,
                    actions=actions,
                    ok=error is None,
                    error=error,
                    url_after=outcome.url if outcome else snapshot.url,
                    cost_usd=decision.cost_usd,
                    duration_ms=outcome.duration_ms if outcome else 0.0,
                )
            )
            if decision.attempts:
                self._attempts[self._step] = list(decision.attempts)
            if outcome is None or outcome.snapshot is None:
                failed.append(actions[index if index is not None and index < len(actions) else -1])
                snapshot = await self._page(
                    BrowserActivities.extract,
                    ExtractInput(session_id=self._require_session().session_id, probe_selectors=probes),
                    "extract",
                    "extract page",
                )
            else:
                if outcome.snapshot.state_hash != snapshot.state_hash:
                    failed = []
                elif decision.tier == "cache":
                    error = ErrorInfo(type="CacheMismatch", message="the page did not react to the cached step")
                submitted = any(a.irreversible for a in actions)
                snapshot = outcome.snapshot
            if decision.tier == "cache" and error is not None:
                self._cache_broken = True  # self-heal: live decisions from this page on
                replay = []
            self._url = snapshot.url
            hashes.append(snapshot.state_hash)
            if len(hashes) >= _LOOP_REPEATS and len(set(hashes[-_LOOP_REPEATS:])) == 1:
                return _Ending(
                    TaskStatus.LOOP_DETECTED,
                    f"the page did not change over {_LOOP_REPEATS} observations in a row at {snapshot.url}",
                )

    async def _decide(
        self, request: TaskRequest, snapshot: PageSnapshot, failed: list[Action], domains: list[str]
    ) -> Decision:
        inp = DecideInput(
            goal=request.goal,
            data=request.data,
            snapshot=snapshot,
            history=self._steps[-_HISTORY_FOR_DECIDER:],
            failed_actions=failed,
            allowed_domains=domains,
        )
        decision: Decision = await workflow.execute_local_activity_method(
            DecideActivities.decide, inp, summary="decide (rules)", **options("decide")
        )
        if not decision.escalate:
            return decision
        try:
            escalated: Decision = await workflow.execute_activity_method(
                DecideActivities.decide_escalated,
                EscalateInput(decide=inp, spent_usd=self._spent, budget_usd=request.budget_usd),
                summary="decide (model tiers)",
                **options("decide_escalated"),
            )
        except ActivityError as err:
            if is_cancelled_exception(err):
                raise asyncio.CancelledError() from err
            error = _failure(err)
            self._spent += float(_detail(err, "spent_usd") or 0.0)
            if error.type == "BudgetExceeded":
                raise _Stop(_Ending(TaskStatus.BUDGET_EXCEEDED, error.message)) from None
            workflow.logger.warning("model tiers failed (%s); using the rules decision", error.message)
            return decision
        self._spent += escalated.cost_usd
        return escalated

    async def _act(
        self, actions: list[Action], domains: list[str], probes: list[str], summary: str
    ) -> tuple[ActionOutcome | None, ErrorInfo | None, int | None]:
        try:
            outcome: ActionOutcome = await self._page(
                BrowserActivities.act,
                ActInput(
                    session_id=self._require_session().session_id,
                    actions=actions,
                    allowed_domains=domains,
                    probe_selectors=probes,
                ),
                "act",
                summary,
            )
        except _ActFailed as failed:
            return None, failed.error, failed.index
        return outcome, None, None

    async def _page(self, method: Any, arg: Any, policy: str, summary: str) -> Any:
        """Run a page activity on the session's worker; terminal error types end the task."""
        session = self._require_session()
        try:
            return await workflow.execute_activity_method(
                method, arg, task_queue=session.task_queue, summary=summary[:200], **options(policy)
            )
        except ActivityError as err:
            if is_cancelled_exception(err):  # the task is being cancelled or timed out
                raise asyncio.CancelledError() from err
            error = _failure(err)
            status = _TERMINAL_ERRORS.get(error.type)
            if status is not None:
                raise _Stop(_Ending(status, error.message)) from None
            if error.type.startswith("Timeout.SCHEDULE_TO_START"):
                raise _Stop(_Ending(TaskStatus.FAILED, "the worker holding the browser session is gone")) from None
            if method is BrowserActivities.act:
                index = _detail(err, "index")
                raise _ActFailed(error, index if isinstance(index, int) else None) from None
            raise _Stop(_Ending(TaskStatus.FAILED, f"{policy} failed: {error.type}: {error.message}")) from None

    def _require_session(self) -> SessionRef:
        if self._session is None:
            raise _Stop(_Ending(TaskStatus.FAILED, "no browser session"))
        return self._session

    async def _close_session(self) -> None:
        session, self._session = self._session, None
        opening, self._opening = self._opening, None
        if session is None and opening is not None:
            try:  # cancelled while the session was opening: wait for it, then close it
                session = await opening
            except ActivityError:
                return
        if session is None:
            return
        try:
            await workflow.execute_activity_method(
                BrowserActivities.close_session,
                CloseSessionInput(session_id=session.session_id),
                task_queue=session.task_queue,
                summary="close browser session",
                **options("close_session"),
            )
        except ActivityError:
            workflow.logger.warning("closing the browser session failed; the worker's reaper will close it")

    async def _record_finish(self, request: TaskRequest, result: TaskResult) -> None:
        """Write steps, decisions, result and cache updates; a store outage delays this, never fails the task."""
        write = asyncio.ensure_future(
            workflow.execute_activity_method(
                StoreActivities.task_finished,
                TaskFinishInput(
                    request=request,
                    result=result,
                    steps=self._steps,
                    attempts=self._attempts,
                    cache_signature=self._cache.signature if self._cache else "",
                    cache_used=self._cache is not None,
                    cache_broken=self._cache_broken,
                ),
                summary=f"record result ({result.status.value})",
                **options("task_finished"),
            )
        )
        done, _ = await workflow.wait([write], timeout=_STORE_FINISH_WAIT_SECONDS)
        if not done:
            workflow.logger.warning("the store did not take the result in time; the task result stands")
        elif write.exception() is not None:
            workflow.logger.warning("recording the result failed: %s", write.exception())

    def _set_status(self, status: TaskStatus, detail: str) -> None:
        self._status = status
        self._detail = detail
        workflow.upsert_search_attributes([TASK_STATUS.value_set(status.value)])
        workflow.set_current_details(f"**{status.value}**: {detail}")
