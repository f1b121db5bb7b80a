"""The activities of one step as the workflow calls them: the goal check, the deciders, acting on the page, and
the store's two writes. ``Steps`` holds a reference to the task's ``TaskState`` and its ``Session``.

``check_goal`` and ``decide`` run as local activities (pure functions of the page snapshot), ``act`` as a remote
activity on the worker holding the browser, returning the snapshot after acting, so a step costs one remote round
trip. The goal is compiled into a plan of intents at the start: each decision serves the current intent and each
goal check verifies the last step's effects and advances the plan.
"""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from browserflow import errors
    from browserflow.contracts import (
        ActInput,
        ActionOutcome,
        CheckGoalInput,
        CompilePlanInput,
        DecideInput,
        Decision,
        EscalateInput,
        GoalCheck,
        StoreAck,
        TaskResult,
        TaskStartInput,
        TaskStartResult,
        TaskStatus,
    )
    from browserflow.plan.model import GoalPlan, PlanProgress
    from browserflow.secrets import credentials_from
    from browserflow.temporal.policies import options
    from workflows.machine import Acted, begin_step, is_lost
    from workflows.session import ActFailed, Session, SessionLost, detail, failure, stop
    from workflows.state import TaskState, finish_input, intent_details

__all__ = ["PLAN_PATCH", "Steps"]

PLAN_PATCH = "goal-plan-v1"
HISTORY_FOR_DECIDER = 6
STORE_FINISH_WAIT_SECONDS = 10.0


def _cancelled(err: ActivityError) -> None:
    if is_cancelled_exception(err):
        raise asyncio.CancelledError() from err


class Steps:
    def __init__(self, state: TaskState, session: Session) -> None:
        self.state = state
        self.session = session
        self._compiling: asyncio.Future[GoalPlan] | None = None

    # -- the start ---------------------------------------------------------------------------------------------

    async def start(self) -> TaskStartResult:
        """Record the start and look up a cached path. The store is optional: a failure means no cache."""
        state = self.state
        try:
            return await workflow.execute_activity(
                "task_started",
                TaskStartInput(
                    workflow_id=workflow.info().workflow_id, request=state.request, started_at=workflow.now()
                ),
                summary="record start, look up cached path",
                result_type=TaskStartResult,
                **options("task_started"),
            )
        except ActivityError as err:
            _cancelled(err)
            workflow.logger.warning("store unavailable at start; running without the path cache: %s", err.cause)
            return TaskStartResult()

    def start_compile(self) -> None:
        """Start compiling the goal (a local activity); it runs while the browser session opens. Runs started
        before the plan existed replay without one (``workflow.patched``), so a deploy never breaks them."""
        if not workflow.patched(PLAN_PATCH):
            return
        self._compiling = asyncio.ensure_future(
            workflow.execute_local_activity(
                "compile_plan",
                CompilePlanInput(goal=self.state.request.goal, data=self.state.data),
                summary="compile the goal into a plan",
                result_type=GoalPlan,
                **options("compile_plan"),
            )
        )

    async def plan(self) -> None:
        """Keep the compiled plan; a compiler fault leaves the task without one (the rules and the indicators
        still decide), it never fails the task."""
        compiling, self._compiling = self._compiling, None
        if compiling is None:
            return
        try:
            plan = await compiling
        except ActivityError as err:
            _cancelled(err)
            workflow.logger.warning("compiling the goal failed (%s); running without a plan", err.cause)
            return
        self.state.plan = PlanProgress.start(plan)

    # -- each step ---------------------------------------------------------------------------------------------

    async def check_goal(self, summary: str = "check goal", *, submitted: bool | None = None) -> GoalCheck:
        """The goal check on the current page; it also verifies the effects of what ran since the last check
        (once) and the plan advances with what it saw."""
        state = self.state
        assert state.snapshot is not None
        request = state.request
        acted, before = state.take_acted()
        try:
            check = await workflow.execute_local_activity(
                "check_goal",
                CheckGoalInput(
                    goal=request.goal,
                    snapshot=state.snapshot,
                    indicators=request.indicators(),
                    extract=request.extract,
                    submitted=state.submitted if submitted is None else submitted,
                    start_url=request.start_url,
                    plan=state.plan,
                    acted=acted,
                    before=before,
                    step=state.step,
                    data=state.data,
                ),
                summary=summary,
                result_type=GoalCheck,
                **options("check_goal"),
            )
        except (ActivityError, ApplicationError) as err:  # a local activity's failure may arrive unwrapped
            cause = err.cause if isinstance(err, ActivityError) else err
            if not (isinstance(cause, ApplicationError) and cause.type == errors.PatternTimeout.type_name):
                raise
            raise stop(TaskStatus.FAILED, f"{cause.type} at step {state.step}: {cause.message}") from None
        if check.plan is not None:
            state.plan = check.plan
        return check

    async def decide(self) -> Decision:
        """The rules tier's decision, escalated to the model tiers when it is weak and they are configured."""
        state = self.state
        assert state.snapshot is not None
        inp = DecideInput(
            goal=state.request.goal,
            data=state.data,
            snapshot=state.snapshot,
            history=state.steps[-HISTORY_FOR_DECIDER:],
            failed_actions=state.failed,
            allowed_domains=self.session.domains,
            plan=state.plan,
        )
        decision = await workflow.execute_local_activity(
            "decide", inp, summary="decide (rules)", result_type=Decision, **options("decide")
        )
        if not decision.escalate:
            return decision
        try:
            escalated = await workflow.execute_activity(
                "decide_escalated",
                EscalateInput(decide=inp, spent_usd=state.spent, budget_usd=state.request.budget_usd),
                summary="decide (model tiers)",
                result_type=Decision,
                **options("decide_escalated"),
            )
        except ActivityError as err:
            _cancelled(err)
            error = failure(err)
            state.spent += float(detail(err, "spent_usd") or 0.0)
            if error.type == errors.BudgetExceeded.type_name:
                raise stop(TaskStatus.BUDGET_EXCEEDED, error.message) from None
            workflow.logger.warning("model tiers failed (%s); using the rules decision", error.message)
            return decision
        state.spent += escalated.cost_usd
        return escalated

    async def act(self, decision: Decision) -> Acted:
        """Act on ``decision``; the page after it (looked at again when the act brought none back)."""
        state = self.state
        before = state.snapshot
        assert before is not None
        actions = begin_step(state, decision)
        summary = decision.describe()
        intent = intent_details(state)
        workflow.set_current_details(
            (f"{intent}\n\n" if intent else "")
            + f"**Step {state.step}/{state.request.max_steps}**: {summary}\n\n{before.url}"
        )
        acted = Acted(decision=decision, actions=actions, before=before)
        try:
            acted.outcome = await self.session.call(
                "act",
                lambda sid: ActInput(
                    session_id=sid,
                    actions=actions,
                    allowed_domains=self.session.domains,
                    probe_selectors=self.session.probes,
                    credentials=credentials_from(state.data, state.request.review_policy),
                ),
                ActionOutcome,
                summary,
            )
        except ActFailed as failed:
            acted.error, acted.index = failed.error, failed.index
        except SessionLost as lost:
            acted.error = lost.error
        if not is_lost(acted.error) and not _has_page(acted.outcome):
            acted.after = await self.session.extract()
        return acted

    # -- the end -----------------------------------------------------------------------------------------------

    async def record_finish(self, result: TaskResult) -> None:
        """Write steps, decisions, result and cache updates; a store outage delays this, never fails the task."""
        write = asyncio.ensure_future(
            workflow.execute_activity(
                "task_finished",
                finish_input(self.state, result),
                summary=f"record result ({result.status.value})",
                result_type=StoreAck,
                **options("task_finished"),
            )
        )
        done, _ = await workflow.wait([write], timeout=STORE_FINISH_WAIT_SECONDS)
        if not done:
            workflow.logger.warning("the store did not take the result in time; the task result stands")
        elif write.exception() is not None:
            workflow.logger.warning("recording the result failed: %s", write.exception())


def _has_page(outcome: ActionOutcome | None) -> bool:
    return outcome is not None and outcome.snapshot is not None
