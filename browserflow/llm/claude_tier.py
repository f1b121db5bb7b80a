"""The Claude tier: the Messages API through ``anthropic.AsyncAnthropic`` with one forced tool,
``choose_action``, whose input schema is the answer schema. ``max_retries=0``: the router handles faults.
Budget, pricing and answer reading: ``ProviderTier``."""

from __future__ import annotations

import json
import logging
from typing import Any

import anthropic
from anthropic.types import Message, ToolChoiceToolParam, ToolParam
from pydantic import ValidationError

from browserflow.errors import ProviderFault
from browserflow.llm.base import Usage
from browserflow.llm.pricing import PriceTable
from browserflow.llm.prompt import Prompt, estimate_tokens
from browserflow.llm.provider import ProviderReply, ProviderTier
from browserflow.llm.schema import answer_json_schema

__all__ = ["DEFAULT_CLAUDE_MODEL", "TOOL_NAME", "TOOL_OVERHEAD_TOKENS", "ClaudeTier"]

log = logging.getLogger(__name__)

DEFAULT_CLAUDE_MODEL = "claude-sonnet-4-5"
TOOL_NAME = "choose_action"
# tokens the API adds for tool use (its own system prompt for tools), on top of our text
TOOL_OVERHEAD_TOKENS = 350


class ClaudeTier(ProviderTier):
    name = "claude"
    provider = "anthropic"
    tool_mode = True

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
        super().__init__(
            name=name,
            model=model,
            timeout=timeout,
            max_tokens=max_tokens,
            max_prompt_tokens=max_prompt_tokens,
            prices=prices,
            owns_client=client is None,
        )
        self._client = client or anthropic.AsyncAnthropic(
            api_key=api_key, base_url=base_url or None, max_retries=0, timeout=timeout
        )
        self._tool: ToolParam = {
            "name": TOOL_NAME,
            "description": "Choose the next browser actions on the current page (elements by [index]).",
            "input_schema": answer_json_schema(),
        }
        self._tool_tokens = estimate_tokens(json.dumps(self._tool))

    async def _close_client(self) -> None:
        await self._client.close()

    def estimate_prompt_tokens(self, system: str, user: str) -> int:
        return estimate_tokens(system) + estimate_tokens(user) + self._tool_tokens + TOOL_OVERHEAD_TOKENS

    def prompt_tokens(self, prompt: Prompt) -> int:
        return self.estimate_prompt_tokens(prompt.system, prompt.user)

    async def _call(self, prompt: Prompt) -> ProviderReply:
        message = await self._create(prompt)
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
        tool_input: Any = None
        for block in message.content or []:
            if getattr(block, "type", None) == "tool_use" and getattr(block, "name", None) == TOOL_NAME:
                tool_input = getattr(block, "input", None)
                break
        return ProviderReply(
            usage=usage,
            answer=tool_input,
            missing=f"no {TOOL_NAME} tool call in the answer (stop_reason {message.stop_reason})"
            if tool_input is None
            else "",
            cut_off="the answer was cut off at max_tokens" if message.stop_reason == "max_tokens" else "",
        )

    async def _create(self, prompt: Prompt) -> Message:
        try:
            return await self._client.messages.create(
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
