"""Decision activities.

``compile_plan``, ``decide`` and ``check_goal`` run as *local* activities in the workflow's worker: the goal
compiler, the rules tier (grounding the plan's current intent, held to the write gate) and the goal predicates
(verifying each effect) are pure functions, so a remote round trip would only add latency. When the rules
tier is not confident and model tiers are configured, the workflow calls ``decide_escalated``, a regular
activity on the shared queue that runs the tier router (rules -> ollama -> claude) and heartbeats while a
model thinks; its answer is held to the same write gate as the rules tier's.
"""

from __future__ import annotations

import asyncio
import contextlib

from temporalio import activity

from browserflow.contracts import CheckGoalInput, CompilePlanInput, DecideInput, Decision, EscalateInput, GoalCheck
from browserflow.errors import BudgetExceeded, PatternTimeout
from browserflow.goals import check_goal as _check_goal
from browserflow.llm import TierRouter
from browserflow.patterns import run_bounded
from browserflow.plan.compiler import compile_goal
from browserflow.plan.decide import decide_plan, gate_decision
from browserflow.plan.model import GoalPlan

from .errors import to_application_error
from .metrics import record_breakers

__all__ = ["DecideActivities", "check_goal", "compile_plan"]

HEARTBEAT_SECONDS = 5.0


@activity.defn(name="check_goal")
async def check_goal(inp: CheckGoalInput) -> GoalCheck:
    # off the event loop and time-bounded: the request's extract patterns are untrusted (browserflow/patterns.py)
    try:
        return await run_bounded(_check_goal, inp, what="the goal check (with the request's extract patterns)")
    except PatternTimeout as exc:
        raise to_application_error(exc) from None


@activity.defn(name="compile_plan")
async def compile_plan(inp: CompilePlanInput) -> GoalPlan:
    """The goal compiled into a plan of intents (data values are named by key, never copied)."""
    return compile_goal(inp.goal, inp.data)


class DecideActivities:
    """The decision activities of one worker; ``router`` (shared: its circuit breakers live in it) may be None."""

    def __init__(self, router: TierRouter | None, rules_threshold: float = 0.6) -> None:
        self.router = router
        self.rules_threshold = rules_threshold
        self.escalation = router is not None and len(router.tier_names) > 1

    @activity.defn(name="decide")
    async def decide(self, inp: DecideInput) -> Decision:
        decision = decide_plan(inp)
        weak = not decision.actions or decision.confidence < self.rules_threshold
        return decision.model_copy(update={"escalate": self.escalation and weak})

    @activity.defn(name="decide_escalated")
    async def decide_escalated(self, inp: EscalateInput) -> Decision:
        if self.router is None:
            return decide_plan(inp.decide)
        beat = asyncio.create_task(self._heartbeat())
        try:
            routed = await self.router.decide(inp.decide, spent_usd=inp.spent_usd, budget_usd=inp.budget_usd)
        except BudgetExceeded as exc:  # its spend and the tiers it tried travel as the error's declared fields
            raise to_application_error(exc) from None
        finally:
            record_breakers(self.router.breaker_states())
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat
        # the model tiers' answer is held to the same rules: a write the goal does not call for waits for a person
        return gate_decision(inp.decide, routed.decision).model_copy(update={"escalate": False})

    @staticmethod
    async def _heartbeat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(HEARTBEAT_SECONDS)
