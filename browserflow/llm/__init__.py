"""Decisions that escalate by cost: rules (free) → a local Ollama model → Claude.

Plain Python, no Temporal imports. Build one router per worker with ``build_router(LLMSettings.from_env())``
and call ``await router.decide(inp, spent_usd)`` per decision.
"""

from browserflow.llm.base import InvalidAnswer, PricedDecision, Tier, Usage
from browserflow.llm.breaker import BreakerState, CircuitBreaker
from browserflow.llm.claude_tier import ClaudeTier
from browserflow.llm.ollama_tier import OllamaTier
from browserflow.llm.pricing import DEFAULT_PRICES, Price, PriceTable
from browserflow.llm.prompt import Prompt, build_prompt
from browserflow.llm.provider import ProviderReply, ProviderTier
from browserflow.llm.router import RoutedDecision, TierRouter, attempts_from
from browserflow.llm.rules_tier import RulesTier
from browserflow.llm.schema import LLMAction, LLMAnswer, answer_json_schema
from browserflow.llm.settings import LLMSettings, build_router
from browserflow.llm.validate import answer_to_actions, parse_answer

__all__ = [
    "DEFAULT_PRICES",
    "BreakerState",
    "CircuitBreaker",
    "ClaudeTier",
    "InvalidAnswer",
    "LLMAction",
    "LLMAnswer",
    "LLMSettings",
    "OllamaTier",
    "Price",
    "PriceTable",
    "PricedDecision",
    "Prompt",
    "ProviderReply",
    "ProviderTier",
    "RoutedDecision",
    "RulesTier",
    "Tier",
    "TierRouter",
    "Usage",
    "answer_json_schema",
    "answer_to_actions",
    "attempts_from",
    "build_prompt",
    "build_router",
    "parse_answer",
]
