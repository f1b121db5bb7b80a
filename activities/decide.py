"""Decision activities. Both run as local activities in the workflow's worker: they are pure functions of
their input (the rules tier and the goal predicates), so a remote round trip would only add latency."""

from __future__ import annotations

from browserflow.goals import check_goal as _check_goal
from temporalio import activity

from browserflow.contracts import CheckGoalInput, DecideInput, Decision, GoalCheck
from browserflow.rules import decide_rules

__all__ = ["check_goal", "decide"]


@activity.defn(name="decide")
async def decide(inp: DecideInput) -> Decision:
    return decide_rules(inp)


@activity.defn(name="check_goal")
async def check_goal(inp: CheckGoalInput) -> GoalCheck:
    return _check_goal(inp)
