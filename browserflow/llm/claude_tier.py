"""The Claude tier: the Messages API through ``anthropic.AsyncAnthropic`` with one forced tool,
``choose_action``, whose input schema is the answer schema. ``max_retries=0``: the router handles faults."""

from __future__ import annotations

import json
import logging
from typing import Any

import anthropic
from anthropic.types import ToolChoiceToolParam, ToolParam
from pydantic import ValidationError

from browserflow.contracts import DecideInput
from browserflow.errors import BudgetExceeded, ProviderFault
from browserflow.llm.base import InvalidAnswer, PricedDecision, Usage
from browserflow.llm.pricing import PriceTable
from browserflow.llm.prompt import build_prompt, estimate_tokens
from browserflow.llm.schema import answer_json_schema
from browserflow.llm.validate import answer_to_actions, parse_answer

__all__ = ["DEFAULT_CLAUDE_MODEL", "TOOL_NAME", "TOOL_OVERHEAD_TOKENS", "ClaudeTier"]

log = logging.getLogger(__name__)

DEFAULT_CLAUDE_MODEL = "claude-sonnet-4-5"
TOOL_NAME = "choose_action"
# tokens the API adds for tool use (its own system prompt for tools), on top of our text
TOOL_OVERHEAD_TOKENS = 350


class ClaudeTier:
    name = "claude"
    provider = "anthropic"

    def __init__(
        self,
        *,
        api_key: str,
        model: str = DEFAULT_CLAUDE_MODEL,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_tokens: int = 600,
        max_prompt_tokens: int = 3000,
        prices: PriceTable | None = None,
        client: anthropic.AsyncAnthropic | None = None,
        name: str = "claude",
    ) -> None:
        self.name = name
        self.model = model
        self.timeout = timeout
        self.max_tokens = max_tokens
        self.max_prompt_tokens = max_prompt_tokens
        self.prices = prices or PriceTable()
        self._owns_client = client is None
        self._client = client or anthropic.AsyncAnthropic(
            api_key=api_key, base_url=base_url or None, max_retries=0, timeout=timeout
        )
        self._tool: ToolParam = {
            "name": TOOL_NAME,
            "description": "Choose the next browser actions on the current page (elements by [index]).",
            "input_schema": answer_json_schema(),
        }
        self._tool_tokens = estimate_tokens(json.dumps(self._tool))

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.close()

    def estimate_prompt_tokens(self, system: str, user: str) -> int:
        return estimate_tokens(system) + estimate_tokens(user) + self._tool_tokens + TOOL_OVERHEAD_TOKENS

    def estimate_max_cost(self, prompt_tokens: int) -> float:
        return self.prices.estimate_max(
            self.model, self.provider, prompt_tokens=prompt_tokens, max_tokens=self.max_tokens
        )

    async def decide(self, inp: DecideInput, budget_left_usd: float) -> PricedDecision:
        prompt = build_prompt(inp, max_tokens=self.max_prompt_tokens, tool_mode=True)
        estimate = self.estimate_max_cost(self.estimate_prompt_tokens(prompt.system, prompt.user))
        if estimate > budget_left_usd:
            raise BudgetExceeded(
                f"a {self.model} call could cost up to ${estimate:.6f}; only ${max(budget_left_usd, 0):.6f} is left"
            )
        try:
            message = await self._client.messages.create(
                model=self.model,
                max_tokens=self.max_tokens,
                system=prompt.system,
                tools=[self._tool],
                tool_choice=ToolChoiceToolParam(type="tool", name=TOOL_NAME),
                messages=[{"role": "user", "content": prompt.user}],
            )
        except anthropic.APITimeoutError:
            raise ProviderFault(f"anthropic did not answer within {self.timeout:g}s") from None
        except anthropic.APIConnectionError as exc:
            raise ProviderFault(f"anthropic cannot be reached: {exc.message}") from None
        except anthropic.APIStatusError as exc:
            kind = f" {exc.type}" if getattr(exc, "type", None) else ""
            detail = getattr(exc, "api_message", None) or exc.message
            retry = exc.response.headers.get("retry-after")
            after = f" (retry-after {retry}s)" if retry else ""
            raise ProviderFault(
                f"anthropic answered HTTP {exc.status_code}{kind}: {str(detail)[:200]}{after}"
            ) from None
        except (anthropic.AnthropicError, ValidationError, json.JSONDecodeError, ValueError, TypeError) as exc:
            raise ProviderFault(f"anthropic sent a malformed response: {type(exc).__name__}: {exc}"[:300]) from None

        try:
            usage_in = message.usage
            usage = Usage(
                model=message.model or self.model,
                input_tokens=int(usage_in.input_tokens or 0),
                output_tokens=int(usage_in.output_tokens or 0),
                cache_creation_input_tokens=int(usage_in.cache_creation_input_tokens or 0),
                cache_read_input_tokens=int(usage_in.cache_read_input_tokens or 0),
            )
        except (AttributeError, TypeError, ValueError):
            raise ProviderFault("anthropic sent a response without usage") from None
        usage.cost_usd = self.prices.cost(
            usage.model,
            self.provider,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_creation_input_tokens=usage.cache_creation_input_tokens,
            cache_read_input_tokens=usage.cache_read_input_tokens,
        )

        tool_input: Any = None
        for block in message.content or []:
            if getattr(block, "type", None) == "tool_use" and getattr(block, "name", None) == TOOL_NAME:
                tool_input = getattr(block, "input", None)
                break
        try:
            if tool_input is None:
                raise InvalidAnswer(f"no {TOOL_NAME} tool call in the answer (stop_reason {message.stop_reason})")
            answer = parse_answer(tool_input)
            try:
                actions = answer_to_actions(answer, inp)
            except InvalidAnswer as exc:
                exc.proposed = answer.summary()
                raise
        except InvalidAnswer as exc:
            if message.stop_reason == "max_tokens":
                exc.reason += " (the answer was cut off at max_tokens)"
            raise exc.with_usage(usage) from None
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
