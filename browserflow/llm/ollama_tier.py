"""The local-model tier: Ollama's ``/api/chat`` through ``ollama.AsyncClient`` with the answer's JSON schema as
``format`` (constrained decoding), temperature 0."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import ollama
from pydantic import ValidationError

from browserflow.contracts import DecideInput
from browserflow.errors import BudgetExceeded, ProviderFault
from browserflow.llm.base import InvalidAnswer, PricedDecision, Usage
from browserflow.llm.pricing import PriceTable
from browserflow.llm.prompt import build_prompt
from browserflow.llm.schema import answer_json_schema
from browserflow.llm.validate import answer_to_actions, parse_answer

__all__ = ["DEFAULT_OLLAMA_HOST", "DEFAULT_OLLAMA_MODEL", "OllamaTier"]

log = logging.getLogger(__name__)

DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434"
DEFAULT_OLLAMA_MODEL = "qwen2.5:7b-instruct"


class OllamaTier:
    name = "ollama"
    provider = "ollama"

    def __init__(
        self,
        *,
        host: str = DEFAULT_OLLAMA_HOST,
        model: str = DEFAULT_OLLAMA_MODEL,
        timeout: float = 60.0,
        max_tokens: int = 600,
        max_prompt_tokens: int = 3000,
        prices: PriceTable | None = None,
        client: ollama.AsyncClient | None = None,
        name: str = "ollama",
    ) -> None:
        self.name = name
        self.host = host
        self.model = model
        self.timeout = timeout
        self.max_tokens = max_tokens
        self.max_prompt_tokens = max_prompt_tokens
        self.prices = prices or PriceTable()
        self._owns_client = client is None
        self._client = client or ollama.AsyncClient(host=host, timeout=timeout)
        self._schema = answer_json_schema()

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.close()

    async def health(self) -> dict[str, Any]:
        """Is the server up and is the model pulled? (``GET /api/tags``). Raises ``ProviderFault``."""
        try:
            listed = await self._client.list()
        except (ollama.ResponseError, ConnectionError, httpx.HTTPError, ValidationError, ValueError) as exc:
            raise ProviderFault(f"ollama at {self.host} is not usable: {type(exc).__name__}: {exc}") from None
        names = [m.model or "" for m in listed.models]
        return {"host": self.host, "model": self.model, "model_available": self.model in names, "models": names}

    def estimate_max_cost(self, prompt_tokens: int) -> float:
        return self.prices.estimate_max(
            self.model, self.provider, prompt_tokens=prompt_tokens, max_tokens=self.max_tokens
        )

    async def decide(self, inp: DecideInput, budget_left_usd: float) -> PricedDecision:
        prompt = build_prompt(inp, max_tokens=self.max_prompt_tokens)
        estimate = self.estimate_max_cost(prompt.estimated_tokens + 200)
        if estimate > budget_left_usd:
            raise BudgetExceeded(
                f"an ollama call could cost up to ${estimate:.6f}; only ${max(budget_left_usd, 0):.6f} is left"
            )
        try:
            response = await self._client.chat(
                model=self.model,
                messages=[{"role": "system", "content": prompt.system}, {"role": "user", "content": prompt.user}],
                format=self._schema,
                options={"temperature": 0, "num_predict": self.max_tokens},
                stream=False,
            )
        except ollama.ResponseError as exc:
            raise ProviderFault(f"ollama answered HTTP {exc.status_code}: {str(exc.error)[:200]}") from None
        except ConnectionError as exc:
            raise ProviderFault(f"ollama at {self.host} cannot be reached: {exc}") from None
        except httpx.TimeoutException:
            raise ProviderFault(f"ollama did not answer within {self.timeout:g}s") from None
        except httpx.HTTPError as exc:
            raise ProviderFault(f"ollama transport error: {type(exc).__name__}: {exc}") from None
        except (ValidationError, json.JSONDecodeError, ValueError, TypeError) as exc:
            raise ProviderFault(f"ollama sent a malformed response: {type(exc).__name__}") from None

        model = response.model or self.model
        usage = Usage(
            model=model,
            input_tokens=int(response.prompt_eval_count or 0),
            output_tokens=int(response.eval_count or 0),
        )
        usage.cost_usd = self.prices.cost(
            model, self.provider, input_tokens=usage.input_tokens, output_tokens=usage.output_tokens
        )
        content = response.message.content if response.message else None
        try:
            answer = parse_answer(content)
            try:
                actions = answer_to_actions(answer, inp)
            except InvalidAnswer as exc:
                exc.proposed = answer.summary()
                raise
        except InvalidAnswer as exc:
            if response.done_reason == "length":
                exc.reason += " (the answer was cut off at max tokens)"
            raise exc.with_usage(usage) from None
        return PricedDecision(
            actions=actions,
            confidence=answer.confidence,
            tier=self.name,
            model=model,
            reason=(answer.reason + (" [done]" if answer.done else "")).strip(),
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=usage.cost_usd,
        )
