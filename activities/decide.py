"""Decision activities.

``decide`` and ``check_goal`` run as *local* activities in the workflow's worker: the rules tier and the goal
predicates are pure functions of the snapshot, so a remote round trip would only add latency. When the rules
tier is not confident and model tiers are configured, the workflow calls ``decide_escalated``, a regular
activity on the shared queue that runs the tier router (rules -> ollama -> claude) and heartbeats while a
model thinks.
"""

from __future__ import annotations

import asyncio
import contextlib

from temporalio import activity
from temporalio.exceptions import ApplicationError

from browserflow.contracts import CheckGoalInput, DecideInput, Decision, EscalateInput, GoalCheck
from browserflow.errors import BudgetExceeded
from browserflow.goals import check_goal as _check_goal
from browserflow.llm import TierRouter, attempts_from
from browserflow.rules import decide_rules

from .metrics import record_breakers

__all__ = ["DecideActivities", "check_goal"]

HEARTBEAT_SECONDS = 5.0


@activity.defn(name="check_goal")
async def check_goal(inp: CheckGoalInput) -> GoalCheck:
    return _check_goal(inp)


class DecideActivities:
    """The decision activities of one worker; ``router`` (shared: its circuit breakers live in it) may be None."""

    def __init__(self, router: TierRouter | None, rules_threshold: float = 0.6) -> None:
        self.router = router
        self.rules_threshold = rules_threshold
        self.escalation = router is not None and len(router.tier_names) > 1

    @activity.defn(name="decide")
    async def decide(self, inp: DecideInput) -> Decision:
        decision = decide_rules(inp)
        weak = not decision.actions or decision.confidence < self.rules_threshold
        return decision.model_copy(update={"escalate": self.escalation and weak})

    @activity.defn(name="decide_escalated")
    async def decide_escalated(self, inp: EscalateInput) -> Decision:
        if self.router is None:
            return decide_rules(inp.decide)
        beat = asyncio.create_task(self._heartbeat())
        try:
            routed = await self.router.decide(inp.decide, spent_usd=inp.spent_usd, budget_usd=inp.budget_usd)
        except BudgetExceeded as exc:
            spent = float(getattr(exc, "spent_usd", 0.0) or 0.0)
            tried = [a.model_dump(mode="json") for a in attempts_from(exc)]
            raise ApplicationError(
                exc.message, {"spent_usd": spent, "attempts": tried}, type=exc.type_name, non_retryable=True
            ) from None
        finally:
            record_breakers(self.router.breaker_states())
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat
        return routed.decision.model_copy(update={"escalate": False})

    @staticmethod
    async def _heartbeat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(HEARTBEAT_SECONDS)
