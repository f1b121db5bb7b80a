"""The free tier: the deterministic rules decider with the goal plan (``browserflow.plan.decide.decide_plan``:
the grounded current intent, else the page-plan rules, held to the write gate) behind the Tier protocol."""

from __future__ import annotations

from collections.abc import Callable

from browserflow.contracts import DecideInput, Decision

__all__ = ["RulesTier"]

RulesFn = Callable[[DecideInput], Decision]


def _default_rules() -> RulesFn:
    from browserflow.plan.decide import decide_plan  # imported late: the rules modules are optional here

    return decide_plan


class RulesTier:
    name = "rules"
    provider = "local"

    def __init__(self, fn: RulesFn | None = None, *, name: str = "rules") -> None:
        self.name = name
        self._fn = fn

    async def decide(self, inp: DecideInput, budget_left_usd: float) -> Decision:
        fn = self._fn or _default_rules()
        decision = fn(inp)
        return decision.model_copy(update={"tier": self.name, "cost_usd": 0.0})
