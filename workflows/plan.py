"""The goal plan as the workflow keeps it: compiled once at the start, carried into every decision, advanced by
each goal check from the effects seen on the page, and shown in the progress query and the Web UI.

The plan is task state in workflow history, so it holds no secret values: data is referenced by its key.
"""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.exceptions import ActivityError, is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from activities.decide import compile_plan
    from browserflow.contracts import Action, CompilePlanInput, GoalCheck, PageSnapshot, TaskRequest
    from browserflow.plan.model import GoalPlan, PlanProgress
    from browserflow.temporal.policies import options

__all__ = ["PLAN_PATCH", "PlanMixin", "plan_lines", "split_headline"]

PLAN_PATCH = "goal-plan-v1"

def plan_lines(progress: PlanProgress) -> list[str]:
    """One line per intent, with the evidence of the done ones (``PlanProgress.lines``)."""
    return progress.lines()


def split_headline(headline: str) -> tuple[str, str]:
    """``'intent 2/4: set …'`` -> ``('intent 2/4', 'set …')``, for a bold lead in the Web UI's details."""
    head, sep, rest = headline.partition(": ")
    return (head, rest) if sep else (headline, "")


class PlanMixin:
    """Mixed into the task workflow. ``_acted``/``_before``: the last step's actions and the page they were
    decided on, handed to the next goal check (once) so it can verify their effects."""

    _request: TaskRequest
    _data: dict[str, str]
    _step: int

    def _init_plan(self) -> None:
        self._plan: PlanProgress | None = None
        self._compiling: asyncio.Future[GoalPlan] | None = None
        self._acted: list[Action] = []
        self._before: PageSnapshot | None = None

    def _start_compile(self) -> None:
        """Start compiling the goal (a local activity); it runs while the browser session opens. Runs started
        before the plan existed replay without one (``workflow.patched``), so a deploy never breaks them."""
        if not workflow.patched(PLAN_PATCH):
            return
        self._compiling = asyncio.ensure_future(
            workflow.execute_local_activity(
                compile_plan,
                CompilePlanInput(goal=self._request.goal, data=self._data),
                summary="compile the goal into a plan",
                **options("compile_plan"),
            )
        )

    async def _await_plan(self) -> None:
        """Keep the compiled plan; a compiler fault leaves the task without one (the rules and the indicators
        still decide), it never fails the task."""
        compiling, self._compiling = self._compiling, None
        if compiling is None:
            return
        try:
            plan = await compiling
        except ActivityError as err:
            if is_cancelled_exception(err):
                raise asyncio.CancelledError() from err
            workflow.logger.warning("compiling the goal failed (%s); running without a plan", err.cause)
            return
        self._plan = PlanProgress.start(plan)

    def _acted_on(self, actions: list[Action], before: PageSnapshot | None) -> None:
        """Remember what just ran, for the next goal check to verify."""
        self._acted = list(actions)
        self._before = before

    def _take_acted(self) -> tuple[list[Action], PageSnapshot | None]:
        acted, before = self._acted, self._before
        self._acted, self._before = [], None
        return acted, before

    def _advance_plan(self, check: GoalCheck) -> None:
        if check.plan is not None:
            self._plan = check.plan

    # -- what people see -----------------------------------------------------------------------------------

    def _intent_headline(self) -> str:
        return self._plan.headline() if self._plan is not None and self._plan.states else ""

    def _plan_view(self) -> list[str]:
        return plan_lines(self._plan) if self._plan is not None else []

    def _intent_details(self) -> str:
        """The intent as the Web UI shows it: ``**intent 2/4**: set 'Last name' <- data.last_name``."""
        headline = self._intent_headline()
        if not headline:
            return ""
        head, rest = split_headline(headline)
        return f"**{head}**: {rest}" if rest else f"**{head}**"
