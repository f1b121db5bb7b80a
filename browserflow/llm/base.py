"""What every tier shares: the ``Tier`` protocol, the decision a priced tier returns, and the invalid-answer error."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from browserflow.contracts import DecideInput, Decision

__all__ = ["InvalidAnswer", "PricedDecision", "Tier", "Usage"]


@runtime_checkable
class Tier(Protocol):
    """One decider. ``provider`` names the circuit breaker it shares (``local`` for tiers that cannot fault).

    ``decide`` returns a Decision (empty actions when it has no idea) or raises:

    - ``browserflow.errors.BudgetExceeded`` *before* calling out, when the most the call could cost is more
      than ``budget_left_usd``;
    - ``browserflow.errors.ProviderFault`` when the provider failed (HTTP 429/5xx/529, timeout, refused,
      malformed response);
    - ``InvalidAnswer`` when the provider answered but the answer is unusable (the call is still paid for).
    """

    name: str
    provider: str

    async def decide(self, inp: DecideInput, budget_left_usd: float) -> Decision: ...


class Usage:
    """Tokens and cost of one provider call."""

    __slots__ = (
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
        "cost_usd",
        "input_tokens",
        "model",
        "output_tokens",
    )

    def __init__(
        self,
        model: str | None = None,
        input_tokens: int = 0,
        output_tokens: int = 0,
        cache_creation_input_tokens: int = 0,
        cache_read_input_tokens: int = 0,
        cost_usd: float = 0.0,
    ) -> None:
        self.model = model
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens
        self.cache_creation_input_tokens = cache_creation_input_tokens
        self.cache_read_input_tokens = cache_read_input_tokens
        self.cost_usd = cost_usd

    @property
    def prompt_tokens(self) -> int:
        """Every prompt token, cache writes and reads included."""
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens

    def __repr__(self) -> str:
        return (
            f"Usage(model={self.model!r}, in={self.input_tokens}, out={self.output_tokens}, "
            f"cache_w={self.cache_creation_input_tokens}, cache_r={self.cache_read_input_tokens}, "
            f"cost={self.cost_usd})"
        )


class PricedDecision(Decision):
    """A Decision from a paid tier, with the cache-token breakdown of its call (the router copies it out)."""

    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0


class InvalidAnswer(Exception):
    """The provider answered, but the answer cannot be used (malformed JSON, unknown element, refused URL...)."""

    def __init__(self, reason: str, usage: Usage | None = None, *, proposed: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.usage = usage
        self.proposed = proposed

    def with_usage(self, usage: Usage) -> InvalidAnswer:
        self.usage = usage
        return self
