"""One base for the paid (or metered) model tiers, Ollama and Claude: the budget check before a call, the
pricing of what the call used, and the reading of its answer into actions. A tier says only how it builds its
prompt, how many tokens that prompt is, and how it calls its provider (``_call``: the provider's reply as a
``ProviderReply``, or ``ProviderFault``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from browserflow.contracts import Action, DecideInput
from browserflow.errors import BudgetExceeded
from browserflow.llm.base import InvalidAnswer, PricedDecision, Usage
from browserflow.llm.pricing import PriceTable
from browserflow.llm.prompt import Prompt, build_prompt
from browserflow.llm.schema import LLMAnswer
from browserflow.llm.validate import answer_to_actions, parse_answer

__all__ = ["ProviderReply", "ProviderTier"]


@dataclass(slots=True)
class ProviderReply:
    """What a provider call returned: its usage (tokens; the cost is filled in by the base), the raw answer
    (the JSON text or the tool input), why there is no answer at all (``missing``: no tool call, say), and a
    note to add when the answer is unusable because it was cut off at the token limit ("" when it was not)."""

    usage: Usage
    answer: Any
    missing: str = ""
    cut_off: str = ""


class ProviderTier(ABC):
    """A tier that calls a model provider. ``decide``: prompt -> budget check -> call -> price -> answer.

    Raises ``BudgetExceeded`` before calling when the most the call could cost is more than what is left,
    ``ProviderFault`` (from ``_call``) when the provider failed, ``InvalidAnswer`` (carrying the paid usage)
    when the answer is unusable.
    """

    name: str
    provider: str
    tool_mode = False  # the prompt asks for a tool call rather than JSON text

    def __init__(
        self,
        *,
        name: str,
        model: str,
        timeout: float,
        max_tokens: int,
        max_prompt_tokens: int,
        prices: PriceTable | None,
        owns_client: bool,
    ) -> None:
        self.name = name
        self.model = model
        self.timeout = timeout
        self.max_tokens = max_tokens
        self.max_prompt_tokens = max_prompt_tokens
        self.prices = prices or PriceTable()
        self._owns_client = owns_client

    # -- what a tier provides

    @abstractmethod
    def prompt_tokens(self, prompt: Prompt) -> int:
        """The estimated prompt size of a call, everything the provider adds included."""

    @abstractmethod
    async def _call(self, prompt: Prompt) -> ProviderReply:
        """Call the provider; ``ProviderFault`` for anything that is not an answer."""

    @abstractmethod
    async def _close_client(self) -> None: ...

    def budget_subject(self) -> str:
        """How the budget refusal names a call: 'a claude-sonnet-4-5 call'."""
        return f"a {self.model} call"

    # -- shared

    async def aclose(self) -> None:
        if self._owns_client:
            await self._close_client()

    def estimate_max_cost(self, prompt_tokens: int) -> float:
        return self.prices.estimate_max(
            self.model, self.provider, prompt_tokens=prompt_tokens, max_tokens=self.max_tokens
        )

    def check_budget(self, prompt: Prompt, budget_left_usd: float) -> None:
        estimate = self.estimate_max_cost(self.prompt_tokens(prompt))
        if estimate > budget_left_usd:
            raise BudgetExceeded(
                f"{self.budget_subject()} could cost up to ${estimate:.6f}; only ${max(budget_left_usd, 0):.6f} is left"
            )

    def price(self, usage: Usage) -> Usage:
        """``usage`` with its cost from the price table."""
        usage.cost_usd = self.prices.cost(
            usage.model,
            self.provider,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_creation_input_tokens=usage.cache_creation_input_tokens,
            cache_read_input_tokens=usage.cache_read_input_tokens,
        )
        return usage

    @staticmethod
    def read_answer(reply: ProviderReply, inp: DecideInput) -> tuple[LLMAnswer, list[Action]]:
        """The answer and its actions, validated against the page; ``InvalidAnswer`` (with the usage, what was
        proposed, and the cut-off note) otherwise."""
        try:
            if reply.missing:
                raise InvalidAnswer(reply.missing)
            answer = parse_answer(reply.answer)
            try:
                actions = answer_to_actions(answer, inp)
            except InvalidAnswer as exc:
                exc.proposed = answer.summary()
                raise
        except InvalidAnswer as exc:
            if reply.cut_off:
                exc.reason += f" ({reply.cut_off})"
            raise exc.with_usage(reply.usage) from None
        return answer, actions

    async def decide(self, inp: DecideInput, budget_left_usd: float) -> PricedDecision:
        prompt = build_prompt(inp, max_tokens=self.max_prompt_tokens, tool_mode=self.tool_mode)
        self.check_budget(prompt, budget_left_usd)
        reply = await self._call(prompt)
        usage = self.price(reply.usage)
        answer, actions = self.read_answer(reply, inp)
        return PricedDecision(
            actions=actions,
            confidence=answer.confidence,
            tier=self.name,
            model=usage.model,
            reason=(answer.reason + (" [done]" if answer.done else "")).strip(),
            input_tokens=usage.prompt_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=usage.cost_usd,
            cache_creation_input_tokens=usage.cache_creation_input_tokens,
            cache_read_input_tokens=usage.cache_read_input_tokens,
        )
