"""The local-model tier: Ollama's ``/api/chat`` through ``ollama.AsyncClient`` with the answer's JSON schema as
``format`` (constrained decoding), temperature 0. Budget, pricing and answer reading: ``ProviderTier``."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import ollama
from pydantic import ValidationError

from browserflow.errors import ProviderFault
from browserflow.llm.base import Usage
from browserflow.llm.pricing import PriceTable
from browserflow.llm.prompt import Prompt
from browserflow.llm.provider import ProviderReply, ProviderTier
from browserflow.llm.schema import answer_json_schema

__all__ = ["DEFAULT_OLLAMA_HOST", "DEFAULT_OLLAMA_MODEL", "OllamaTier"]

log = logging.getLogger(__name__)

DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434"
DEFAULT_OLLAMA_MODEL = "qwen2.5:7b-instruct"
# tokens the chat template adds around our messages, on top of the prompt's own estimate
_TEMPLATE_TOKENS = 200


class OllamaTier(ProviderTier):
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
        super().__init__(
            name=name,
            model=model,
            timeout=timeout,
            max_tokens=max_tokens,
            max_prompt_tokens=max_prompt_tokens,
            prices=prices,
            owns_client=client is None,
        )
        self.host = host
        self._client = client or ollama.AsyncClient(host=host, timeout=timeout)
        self._schema = answer_json_schema()

    async def _close_client(self) -> None:
        await self._client.close()

    async def health(self) -> dict[str, Any]:
        """Is the server up and is the model pulled? (``GET /api/tags``). Raises ``ProviderFault``."""
        try:
            listed = await self._client.list()
        except (ollama.ResponseError, ConnectionError, httpx.HTTPError, ValidationError, ValueError) as exc:
            raise ProviderFault(f"ollama at {self.host} is not usable: {type(exc).__name__}: {exc}") from None
        names = [m.model or "" for m in listed.models]
        return {"host": self.host, "model": self.model, "model_available": self.model in names, "models": names}

    def budget_subject(self) -> str:
        return "an ollama call"

    def prompt_tokens(self, prompt: Prompt) -> int:
        return prompt.estimated_tokens + _TEMPLATE_TOKENS

    async def _call(self, prompt: Prompt) -> ProviderReply:
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
        usage = Usage(
            model=response.model or self.model,
            input_tokens=int(response.prompt_eval_count or 0),
            output_tokens=int(response.eval_count or 0),
        )
        return ProviderReply(
            usage=usage,
            answer=response.message.content if response.message else None,
            cut_off="the answer was cut off at max tokens" if response.done_reason == "length" else "",
        )
