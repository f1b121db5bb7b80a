"""BrowserTaskWorkflow: one browser task, driven step by step until the goal is met or a clear ending.

Deterministic orchestration only: every browser, decision, store and clock-dependent action is an activity.
Per step: ``check_goal`` and ``decide`` run as local activities (pure functions of the page snapshot),
``act`` as a remote activity on the worker holding the browser, returning the snapshot after acting, so a
step costs one remote round trip. The goal is compiled into a plan of intents at the start
(``workflows/plan.py``): each decision serves the current intent, each goal check verifies the last step's
effects and advances the plan, and a decision the write gate holds back (``review_reason``) waits for a
person. A cached path is replayed with no decisions; a mismatch hands over to
live decisions. People step in through review verbs (``workflows/review.py``); a lost worker's session is
rebuilt elsewhere from the last checkpoint (``workflows/session.py``).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from activities.browser import BrowserActivities
    from activities.decide import DecideActivities, check_goal
    from activities.store import StoreActivities
    from browserflow.browser.recovery import credentials_from
    from browserflow.contracts import (
        ActInput,
        Action,
        ActionOutcome,
        CachedPath,
        CheckGoalInput,
        Checkpoint,
        DecideInput,
        Decision,
        DecisionAttempt,
        ErrorInfo,
        EscalateInput,
        ExtractInput,
        GoalCheck,
        PageSnapshot,
        ReviewRequest,
        ReviewResponse,
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
    from browserflow.plan.verify import INSTRUCTED
    from browserflow.replay import link_target
    from browserflow.store.scrub import mask_steps
    from browserflow.temporal.policies import options
    from browserflow.temporal.search_attributes import TASK_SITE, TASK_STATUS
    from workflows.replay import ReplayMixin
    from workflows.review import ReviewMixin
    from workflows.session import ActFailed, Ending, SessionLost, Stop, detail, failure

__all__ = ["BrowserTaskWorkflow"]

_LOOP_REPEATS = 3
_HISTORY_FOR_DECIDER = 6
_STORE_FINISH_WAIT_SECONDS = 10.0
_UNCERTAIN = "SubmissionUncertain"
_PATTERN_TIMEOUT = "PatternTimeout"  # browserflow.errors.PatternTimeout: an extract pattern past its limit


@workflow.defn(name="BrowserTaskWorkflow")
class BrowserTaskWorkflow(ReviewMixin, ReplayMixin):
    @workflow.init
    def __init__(self, request: TaskRequest) -> None:
        self._request = request
        self._data = dict(request.data)
        self._status = TaskStatus.RUNNING
        self._steps: list[StepRecord] = []
        self._attempts: dict[int, list[DecisionAttempt]] = {}
        self._step = 0
        self._url = request.start_url
        self._last_action = ""
        self._detail = "starting"
        self._spent = 0.0
        self._cache: CachedPath | None = None
        self._cache_broken = False
        self._deep_link_refused = False
        self._site_median: float | None = None
        self._started = workflow.now()
        self._deadline = self._started + timedelta(seconds=request.timeout)
        self._waiting_since: Any = None  # set while a person is awaited: that time does not count
        self._init_review()
        self._init_session()
        self._init_plan()

    # -- queries -----------------------------------------------------------------------------------------

    # Queries take no input; anything sent along is ignored, so a query always answers (workflows/review.py).

    @workflow.query
    def progress(self, arg: Any = None, *extra: Any) -> TaskProgress:
        max_steps = self._request.max_steps
        done = self._status not in {TaskStatus.RUNNING, TaskStatus.NEEDS_REVIEW, TaskStatus.PAUSED}
        planned = len(self._cache.steps) if self._cache and not self._cache_broken else max_steps
        percent = 100.0 if done else round(min(99.0, 100.0 * self._step / max(planned, 1)), 1)
        eta = None
        if not done and self._site_median is not None:
            eta = max(0.0, round(self._site_median - (workflow.now() - self._started).total_seconds(), 1))
        intent = self._intent_headline()
        shown = self._detail
        if intent and not done and not shown.startswith(intent):  # while open, the detail leads with the intent
            shown = f"{intent} | {shown}"
        return TaskProgress(
            task_id=workflow.info().workflow_id,
            status=self._status,
            step=self._step,
            max_steps=max_steps,
            percent=percent,
            url=self._url,
            last_action=self._last_action,
            detail=shown,
            eta_seconds=eta,
            review=self._review,
            intent=intent,
            plan=self._plan_view(),
            refused_messages=self._refused,
        )

    @workflow.query
    def steps(self, arg: Any = None, *extra: Any) -> StepLog:
        return StepLog(task_id=workflow.info().workflow_id, steps=mask_steps(self._steps))  # clear secrets: ***

    # -- run ---------------------------------------------------------------------------------------------

    @workflow.run
    async def run(self, request: TaskRequest) -> TaskResult:
        workflow.upsert_search_attributes(
            [TASK_STATUS.value_set(TaskStatus.RUNNING.value), TASK_SITE.value_set(request.site)]
        )
        drive = asyncio.ensure_future(self._drive(request))
        watchdog = asyncio.ensure_future(self._watchdog())
        try:
            await workflow.wait([drive, watchdog], return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            for task in (drive, watchdog):
                task.cancel()
            await workflow.wait([drive, watchdog])
            self._set_status(TaskStatus.CANCELLED, "cancelled by request")
            await self._close_session(keep_trace=True)
            await self._record_finish(request, self._result(request, Ending(TaskStatus.CANCELLED, "cancelled")))
            raise
        if drive.done():
            watchdog.cancel()
            ending = drive.result()
        else:
            drive.cancel()
            await workflow.wait([drive])
            ending = Ending(TaskStatus.TIMEOUT, f"the task did not finish within its timeout of {request.timeout:g} s")
        self._set_status(ending.status, ending.reason)
        await self._close_session(keep_trace=ending.status != TaskStatus.SUCCEEDED)
        result = self._result(request, ending)
        await self._record_finish(request, result)
        return result

    async def _watchdog(self) -> None:
        """Returns when the task's own time is up; time spent waiting for a person does not count."""
        while True:
            if self._waiting_since is not None:
                await workflow.wait_condition(lambda: self._waiting_since is None)
                continue
            remaining = (self._deadline - workflow.now()).total_seconds()
            if remaining <= 0:
                return
            try:
                await workflow.wait_condition(lambda: self._waiting_since is not None, timeout=remaining)
            except TimeoutError:
                continue

    def _person_wait(self, waiting: bool) -> None:
        if waiting and self._waiting_since is None:
            self._waiting_since = workflow.now()
        elif not waiting and self._waiting_since is not None:
            self._deadline += workflow.now() - self._waiting_since
            self._waiting_since = None

    def _result(self, request: TaskRequest, ending: Ending) -> TaskResult:
        decisions: dict[str, int] = {}
        for record in self._steps:
            decisions[record.tier] = decisions.get(record.tier, 0) + 1
        elapsed = round((workflow.now() - self._started).total_seconds(), 3)
        cache_hit = self._cache is not None and not self._cache_broken and ending.status == TaskStatus.SUCCEEDED
        saved = round(self._site_median - elapsed, 3) if cache_hit and self._site_median is not None else None
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

    async def _drive(self, request: TaskRequest) -> Ending:
        try:
            return await self._loop(request)
        except Stop as stop:
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

    async def _loop(self, request: TaskRequest) -> Ending:
        probes = probe_selectors(request.indicators())
        domains = request.domains()
        self._detail = "opening a browser session"
        self._open_future()
        self._start_compile()  # the goal compiles while the session opens and the store is asked
        started = await self._start(request)
        await self._await_open()
        await self._await_plan()
        self._site_median = started.site_median_seconds
        self._cache = started.path
        replay: list[list[Action]] = [list(s) for s in self._cache.steps] if self._cache else []
        failed: list[Action] = []
        replayed = None
        if replay and request.review_policy != "always":  # "always" reviews each step: no replay in one go
            replayed = await self._replay_prefix(request, replay, probes, domains)
            replay, failed = replayed.remaining, replayed.failed
        if replayed is not None and replayed.snapshot is not None:
            snapshot = replayed.snapshot
        else:
            try:
                snapshot = await self._navigate(request.start_url, probes, domains)
            except SessionLost as lost:
                snapshot = await self._restore(probes, domains, lost.error.message)
            self._checkpoint = Checkpoint(url=snapshot.url)
        self._url = snapshot.url
        hashes = [snapshot.state_hash]
        submitted = False
        forced: Decision | None = None  # what a reviewer told us to do next
        while True:
            snapshot = await self._pause_point(probes, domains) or snapshot
            check = await self._check_goal(request, snapshot, submitted, "check goal")
            if check.met:
                return Ending(TaskStatus.SUCCEEDED, f"goal reached: {check.reason}", check.result_data)
            if self._step >= request.max_steps:
                return Ending(TaskStatus.MAX_STEPS, f"goal not reached after max_steps={request.max_steps} steps")
            if forced is not None:
                decision, forced = forced, None
            elif replay:
                decision = Decision(actions=replay.pop(0), confidence=1.0, tier="cache", reason="cached path")
            else:
                if self._cache is not None and not self._cache_broken:
                    self._cache_broken = True  # the path ran out before the goal: heal it from here on
                decision = await self._decide(request, snapshot, failed, domains)
            gate = self._gate(decision)
            if gate is not None:
                outcome_of_review = await self._ask(
                    gate[0], gate[1], decision, probes, domains, allowed_without_review=not decision.review_reason
                )
                if isinstance(outcome_of_review, Ending):
                    return outcome_of_review
                if outcome_of_review is None:  # re-decide on the (possibly rebuilt) page
                    snapshot = await self._ensure_session(probes, domains) or snapshot
                    hashes = [snapshot.state_hash]
                    continue
                decision = outcome_of_review
                snapshot = await self._ensure_session(probes, domains) or snapshot
            self._step += 1
            actions = [a.model_copy(update={"id": f"{self._step}.{i}"}) for i, a in enumerate(decision.actions)]
            summary = decision.describe()
            self._last_action = summary
            self._detail = f"step {self._step}/{request.max_steps}: {summary}"
            intent = self._intent_details()
            workflow.set_current_details(
                (f"{intent}\n\n" if intent else "")
                + f"**Step {self._step}/{request.max_steps}**: {summary}\n\n{snapshot.url}"
            )
            outcome, error, index = await self._act(actions, domains, probes, summary)
            # the next goal check verifies the effects of what ran (only what ran: a failed action and those
            # after it had none)
            ran = actions if error is None else actions[:index] if index is not None else []
            self._acted_on(ran, snapshot)
            self._record(decision, actions, snapshot, outcome, error)
            irreversible = any(a.irreversible for a in actions)
            if error is not None and (
                error.type.startswith(("SessionNotFound", "Timeout.")) or error.type == _UNCERTAIN
            ):
                # the worker holding the page is gone, or a submit's outcome is unknown: rebuild, then look
                if decision.tier == "cache":
                    replay.insert(0, decision.actions)
                snapshot = await self._restore(probes, domains, error.message)
                hashes = [snapshot.state_hash]
                if irreversible:
                    if (await self._check_goal(request, snapshot, False, "did the submission take effect?")).met:
                        continue  # it took effect: the loop's check ends the task
                    answer = await self._ask(
                        "uncertain_submission",
                        f"'{summary}' may or may not have taken effect before the failure ({error.message})",
                        decision,
                        probes,
                        domains,
                        allowed_without_review=False,
                    )
                    if isinstance(answer, Ending):
                        return answer
                    forced = answer if isinstance(answer, Decision) else None
                    snapshot = await self._ensure_session(probes, domains) or snapshot
                continue
            if outcome is None or outcome.snapshot is None:
                failed.append(actions[index if index is not None and index < len(actions) else -1])
                snapshot = await self._extract(probes, domains)
            else:
                if outcome.snapshot.state_hash != snapshot.state_hash:
                    failed = []
                elif decision.tier == "cache":
                    self._steps[-1].ok = False
                    self._steps[-1].error = ErrorInfo(type="CacheMismatch", message="the page did not react")
                submitted = irreversible
                snapshot = outcome.snapshot
                self._checkpoint = Checkpoint(url=snapshot.url, storage_state=outcome.storage_state)
            if decision.tier == "cache" and not self._steps[-1].ok:
                self._cache_broken = True  # self-heal: live decisions from this page on
                replay = []
            self._url = snapshot.url
            hashes.append(snapshot.state_hash)
            if len(hashes) >= _LOOP_REPEATS and len(set(hashes[-_LOOP_REPEATS:])) == 1:
                reason = f"the page did not change over {_LOOP_REPEATS} observations in a row at {snapshot.url}"
                if request.review_policy == "never":
                    return Ending(TaskStatus.LOOP_DETECTED, reason)
                answer = await self._ask("loop_detected", reason, Decision(), probes, domains)
                if isinstance(answer, Ending):
                    return answer
                snapshot = await self._ensure_session(probes, domains) or snapshot
                hashes = [snapshot.state_hash]
                failed = []
                forced = answer if isinstance(answer, Decision) and answer.actions else None

    # -- steps -------------------------------------------------------------------------------------------

    def _gate(self, decision: Decision) -> tuple[str, str] | None:
        """Whether a person must look before this decision is acted on: (reason, detail) or None. A decision
        held back by its decider (``review_reason``, e.g. ``unsure_write``) is never acted on without one."""
        policy = self._request.review_policy
        if not decision.actions:
            reason = decision.reason or "no decider could say what to do next"
            if policy == "never":
                raise Stop(Ending(TaskStatus.STUCK, f"cannot proceed on {self._url}: {reason}"))
            return "cannot_proceed", reason
        if decision.tier == "human":
            return None
        if decision.review_reason:
            return decision.review_reason, decision.reason or decision.describe()
        if policy == "always":
            return "review_every_step", decision.describe()
        if policy == "before_irreversible" and any(a.irreversible for a in decision.actions):
            return "before_irreversible", decision.describe()
        return None

    async def _ask(
        self,
        reason: str,
        why: str,
        decision: Decision,
        probes: list[str],
        domains: list[str],
        *,
        allowed_without_review: bool = True,
    ) -> Decision | Ending | None:
        """Ask a person; returns the decision to act on, an ending, or None to decide again."""
        request = self._request
        if request.review_policy == "never" and allowed_without_review:
            return decision
        if request.review_policy == "never":
            return Ending(TaskStatus.FAILED, f"{reason}: {why} (review policy 'never' forbids acting again)")
        response = await self._await_review(reason, why, decision.actions)
        if response is None:
            reversible = decision.actions and not any(a.irreversible for a in decision.actions)
            held_back = reason == "uncertain_submission" or bool(decision.review_reason)
            if request.review_timeout_action == "approve" and reversible and not held_back:
                return decision
            return Ending(
                TaskStatus.REVIEW_TIMEOUT, f"no reviewer answered within {request.review_timeout:g} s ({reason})"
            )
        return self._apply(response, decision)

    def _apply(self, response: ReviewResponse, decision: Decision) -> Decision | Ending | None:
        if response.verb == "approve":
            return decision if decision.actions else None
        if response.verb == "reject":
            return Ending(TaskStatus.REJECTED, f"rejected by a reviewer: {response.reason}")
        if response.verb == "provide_input":
            self._data.update(response.values)
            return None
        if response.verb == "instruct" and response.action is not None:
            action = response.action.model_copy(update={"provenance": INSTRUCTED})
            return Decision(actions=[action], confidence=1.0, tier="human", reason="instructed by a reviewer")
        note = f": {response.reason}" if response.reason else ""
        return Ending(TaskStatus.SUCCEEDED, f"completed by a reviewer{note}", dict(response.result))

    async def _await_review(self, reason: str, why: str, proposed: list[Action]) -> ReviewResponse | None:
        shot = await self._screenshot(f"step{self._step}-{reason}")
        self._review = ReviewRequest(
            reason=reason,
            detail=why,
            step=self._step,
            url=self._url,
            proposed=proposed,
            screenshot=shot,
            requested_at=workflow.now(),
        )
        self._response = None
        self._set_status(TaskStatus.NEEDS_REVIEW, f"{reason}: {why}")
        self._person_wait(True)
        try:
            answered = await self._wait_for(lambda: self._response is not None, self._request.review_timeout)
        finally:
            self._person_wait(False)
        response = self._response if answered else None
        self._review = None
        self._response = None
        self._set_status(TaskStatus.RUNNING, f"review answered: {response.verb}" if response else "review timed out")
        return response

    async def _wait_for(self, condition: Any, timeout: float) -> bool:
        """Wait for ``condition`` up to ``timeout`` seconds, parking the browser after ``park_after``."""
        park_after = min(self._request.park_after, timeout)
        try:
            await workflow.wait_condition(condition, timeout=park_after)
            return True
        except TimeoutError:
            pass
        await self._park()
        try:
            await workflow.wait_condition(condition, timeout=max(timeout - park_after, 0.001))
            return True
        except TimeoutError:
            return bool(condition())

    async def _pause_point(self, probes: list[str], domains: list[str]) -> PageSnapshot | None:
        if not self._paused:
            return None
        self._set_status(TaskStatus.PAUSED, self._pause_reason)
        self._person_wait(True)
        try:
            await self._wait_for(lambda: not self._paused, float(365 * 24 * 3600))
        finally:
            self._person_wait(False)
        self._set_status(TaskStatus.RUNNING, "resumed")
        return await self._ensure_session(probes, domains)

    async def _check_goal(
        self, request: TaskRequest, snapshot: PageSnapshot, submitted: bool, summary: str
    ) -> GoalCheck:
        """The goal check on ``snapshot``; it also verifies the effects of what ran since the last check (once)
        and the plan advances with what it saw."""
        acted, before = self._take_acted()
        try:
            check: GoalCheck = await workflow.execute_local_activity(
                check_goal,
                CheckGoalInput(
                    goal=request.goal,
                    snapshot=snapshot,
                    indicators=request.indicators(),
                    extract=request.extract,
                    submitted=submitted,
                    start_url=request.start_url,
                    plan=self._plan,
                    acted=acted,
                    before=before,
                    step=self._step,
                    data=self._data,
                ),
                summary=summary,
                **options("check_goal"),
            )
        except (ActivityError, ApplicationError) as err:  # a local activity's failure may arrive unwrapped
            cause = err.cause if isinstance(err, ActivityError) else err
            if not (isinstance(cause, ApplicationError) and cause.type == _PATTERN_TIMEOUT):
                raise
            raise Stop(Ending(TaskStatus.FAILED, f"{cause.type} at step {self._step}: {cause.message}")) from None
        self._advance_plan(check)
        return check

    def _record(
        self,
        decision: Decision,
        actions: list[Action],
        snapshot: PageSnapshot,
        outcome: ActionOutcome | None,
        error: ErrorInfo | None,
    ) -> None:
        self._steps.append(
            StepRecord(
                step=self._step,
                url=snapshot.url,
                decision=decision.describe(),
                tier=decision.tier,
                confidence=decision.confidence,
                actions=actions,
                ok=error is None,
                error=error,
                url_after=outcome.url if outcome else snapshot.url,
                cost_usd=decision.cost_usd,
                duration_ms=outcome.duration_ms if outcome else 0.0,
                recoveries=outcome.recoveries if outcome else [],
                link=link_target(actions, snapshot, outcome.url) if outcome and error is None else "",
            )
        )
        if decision.attempts:
            self._attempts[self._step] = list(decision.attempts)

    async def _decide(
        self, request: TaskRequest, snapshot: PageSnapshot, failed: list[Action], domains: list[str]
    ) -> Decision:
        inp = DecideInput(
            goal=request.goal,
            data=self._data,
            snapshot=snapshot,
            history=self._steps[-_HISTORY_FOR_DECIDER:],
            failed_actions=failed,
            allowed_domains=domains,
            plan=self._plan,
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
            error = failure(err)
            self._spent += float(detail(err, "spent_usd") or 0.0)
            if error.type == "BudgetExceeded":
                raise Stop(Ending(TaskStatus.BUDGET_EXCEEDED, error.message)) from None
            workflow.logger.warning("model tiers failed (%s); using the rules decision", error.message)
            return decision
        self._spent += escalated.cost_usd
        return escalated

    async def _act(
        self, actions: list[Action], domains: list[str], probes: list[str], summary: str
    ) -> tuple[ActionOutcome | None, ErrorInfo | None, int | None]:
        try:
            outcome: ActionOutcome = await self._call(
                BrowserActivities.act,
                lambda sid: ActInput(
                    session_id=sid,
                    actions=actions,
                    allowed_domains=domains,
                    probe_selectors=probes,
                    credentials=credentials_from(self._data, self._request.review_policy),
                ),
                "act",
                summary,
            )
        except ActFailed as failed:
            return None, failed.error, failed.index
        except SessionLost as lost:
            return None, lost.error, None
        return outcome, None, None

    async def _extract(self, probes: list[str], domains: list[str]) -> PageSnapshot:
        try:
            return await self._call(
                BrowserActivities.extract,
                lambda sid: ExtractInput(session_id=sid, probe_selectors=probes),
                "extract",
                "extract page",
            )
        except SessionLost as lost:
            return await self._restore(probes, domains, lost.error.message)

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
                    recoveries=self._recovery_log,
                    cache_signature=self._cache.signature if self._cache else "",
                    cache_used=self._cache is not None,
                    cache_broken=self._cache_broken,
                    # a deep link refused, or followed by a broken replay: suspect, so the path stops deep-linking
                    deep_link_refused=self._deep_link_refused
                    or (self._cache_broken and any(s.deep_linked for s in self._steps)),
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

    def _set_status(self, status: TaskStatus, detail_text: str) -> None:
        self._status = status
        self._detail = detail_text
        workflow.upsert_search_attributes([TASK_STATUS.value_set(status.value)])
        intent = self._intent_details()
        workflow.set_current_details(f"**{status.value}**: {detail_text}" + (f"\n\n{intent}" if intent else ""))
