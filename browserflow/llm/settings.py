"""Settings of the decision tiers, from the environment, and ``build_router`` to wire them once per worker.

| variable                         | default                      |
|----------------------------------|------------------------------|
| BROWSERFLOW_TIERS                | rules,ollama,claude          |
| BROWSERFLOW_THRESHOLD_RULES      | 0.6                          |
| BROWSERFLOW_THRESHOLD_OLLAMA     | 0.6                          |
| BROWSERFLOW_THRESHOLD_CLAUDE     | 0.5                          |
| BROWSERFLOW_BUDGET_USD           | 0.50 (per task)              |
| BROWSERFLOW_BREAKER_FAILURES     | 3 consecutive faults         |
| BROWSERFLOW_BREAKER_COOLDOWN     | 60 seconds                   |
| BROWSERFLOW_LLM_TIMEOUT          | 60 seconds per provider call |
| BROWSERFLOW_LLM_MAX_TOKENS       | 600 (answer tokens)          |
| BROWSERFLOW_PROMPT_MAX_TOKENS    | 3000 (≈ chars / 4)           |
| BROWSERFLOW_PRICES               | built-in table (JSON or file)|
| OLLAMA_HOST                      | http://127.0.0.1:11434 ("off" disables the tier) |
| OLLAMA_MODEL                     | qwen2.5:7b-instruct          |
| ANTHROPIC_API_KEY                | unset: the claude tier is skipped |
| ANTHROPIC_MODEL                  | claude-sonnet-4-5            |
| ANTHROPIC_BASE_URL               | the SDK's default            |
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, Field, SecretStr, field_validator

from browserflow.llm.base import Tier
from browserflow.llm.breaker import CircuitBreaker
from browserflow.llm.claude_tier import DEFAULT_CLAUDE_MODEL, ClaudeTier
from browserflow.llm.ollama_tier import DEFAULT_OLLAMA_HOST, DEFAULT_OLLAMA_MODEL, OllamaTier
from browserflow.llm.pricing import PriceTable, load_overrides
from browserflow.llm.router import TierRouter
from browserflow.llm.rules_tier import RulesFn, RulesTier

__all__ = ["KNOWN_TIERS", "LLMSettings", "build_router"]

log = logging.getLogger(__name__)

KNOWN_TIERS = ("rules", "ollama", "claude")
_DISABLED = {"off", "none", "disabled", "false", "0"}


class LLMSettings(BaseModel):
    tiers: list[str] = Field(default_factory=lambda: list(KNOWN_TIERS), description="BROWSERFLOW_TIERS")
    thresholds: dict[str, float] = Field(
        default_factory=lambda: {"rules": 0.6, "ollama": 0.6, "claude": 0.5},
        description="BROWSERFLOW_THRESHOLD_<TIER>",
    )
    budget_usd: float = Field(default=0.50, ge=0, description="BROWSERFLOW_BUDGET_USD")
    breaker_failures: int = Field(default=3, ge=1, description="BROWSERFLOW_BREAKER_FAILURES")
    breaker_cooldown_s: float = Field(default=60.0, ge=0, description="BROWSERFLOW_BREAKER_COOLDOWN")
    timeout_s: float = Field(default=60.0, gt=0, description="BROWSERFLOW_LLM_TIMEOUT")
    max_tokens: int = Field(default=600, ge=64, description="BROWSERFLOW_LLM_MAX_TOKENS")
    max_prompt_tokens: int = Field(default=3000, ge=500, description="BROWSERFLOW_PROMPT_MAX_TOKENS")
    ollama_host: str | None = Field(default=DEFAULT_OLLAMA_HOST, description="OLLAMA_HOST (None: disabled)")
    ollama_model: str = Field(default=DEFAULT_OLLAMA_MODEL, description="OLLAMA_MODEL")
    anthropic_api_key: SecretStr | None = Field(default=None, description="ANTHROPIC_API_KEY")
    anthropic_model: str = Field(default=DEFAULT_CLAUDE_MODEL, description="ANTHROPIC_MODEL")
    anthropic_base_url: str | None = Field(default=None, description="ANTHROPIC_BASE_URL")
    prices: dict[str, Any] | None = Field(default=None, description="BROWSERFLOW_PRICES overrides (parsed JSON)")

    @field_validator("tiers")
    @classmethod
    def _known_tiers(cls, v: list[str]) -> list[str]:
        names = [t.strip().lower() for t in v if t.strip() and t.strip().lower() != "cache"]
        unknown = [t for t in names if t not in KNOWN_TIERS]
        if unknown:
            raise ValueError(f"unknown tier(s) {unknown}; known tiers are {', '.join(KNOWN_TIERS)}")
        if len(set(names)) != len(names):
            raise ValueError(f"a tier is listed twice in {names}")
        if not names:
            raise ValueError("at least one decision tier is needed")
        return names

    @field_validator("thresholds")
    @classmethod
    def _threshold_range(cls, v: dict[str, float]) -> dict[str, float]:
        for tier, value in v.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"threshold of {tier} must be within 0..1, not {value}")
        return v

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LLMSettings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            raw = env.get(name)
            return raw.strip() if raw is not None and raw.strip() else None

        values: dict[str, Any] = {}
        if tiers := get("BROWSERFLOW_TIERS"):
            values["tiers"] = tiers.split(",")
        thresholds = cls.model_fields["thresholds"].get_default(call_default_factory=True)
        for tier in KNOWN_TIERS:
            if raw := get(f"BROWSERFLOW_THRESHOLD_{tier.upper()}"):
                thresholds[tier] = float(raw)
        values["thresholds"] = thresholds
        for field, name in (
            ("budget_usd", "BROWSERFLOW_BUDGET_USD"),
            ("breaker_failures", "BROWSERFLOW_BREAKER_FAILURES"),
            ("breaker_cooldown_s", "BROWSERFLOW_BREAKER_COOLDOWN"),
            ("timeout_s", "BROWSERFLOW_LLM_TIMEOUT"),
            ("max_tokens", "BROWSERFLOW_LLM_MAX_TOKENS"),
            ("max_prompt_tokens", "BROWSERFLOW_PROMPT_MAX_TOKENS"),
            ("ollama_model", "OLLAMA_MODEL"),
            ("anthropic_api_key", "ANTHROPIC_API_KEY"),
            ("anthropic_model", "ANTHROPIC_MODEL"),
            ("anthropic_base_url", "ANTHROPIC_BASE_URL"),
        ):
            if (raw := get(name)) is not None:
                values[field] = raw
        host = get("OLLAMA_HOST")
        if host is not None:
            values["ollama_host"] = None if host.lower() in _DISABLED else host
        if prices := get("BROWSERFLOW_PRICES"):
            values["prices"] = load_overrides(prices)
        return cls.model_validate(values)

    def price_table(self) -> PriceTable:
        return PriceTable.from_json(self.prices) if self.prices else PriceTable()


def build_router(
    settings: LLMSettings | None = None,
    *,
    rules: RulesFn | None = None,
    extra_tiers: Mapping[str, Tier] | None = None,
    breaker_clock: Callable[[], float] = time.monotonic,
) -> TierRouter:
    """The router for one worker: build once, share across decide activities (breakers live in it).

    A provider tier that is not configured (no ``ANTHROPIC_API_KEY``; ``OLLAMA_HOST=off``) is left out with a
    log line saying so. ``rules`` replaces ``browserflow.rules.decide_rules``; ``extra_tiers`` replaces a
    tier by name (tests).
    """
    settings = settings or LLMSettings.from_env()
    prices = settings.price_table()
    tiers: list[Tier] = []
    for name in settings.tiers:
        if extra_tiers and name in extra_tiers:
            tiers.append(extra_tiers[name])
        elif name == "rules":
            tiers.append(RulesTier(rules))
        elif name == "ollama":
            if not settings.ollama_host:
                log.info("decision tier 'ollama' skipped: OLLAMA_HOST is off")
                continue
            tiers.append(
                OllamaTier(
                    host=settings.ollama_host,
                    model=settings.ollama_model,
                    timeout=settings.timeout_s,
                    max_tokens=settings.max_tokens,
                    max_prompt_tokens=settings.max_prompt_tokens,
                    prices=prices,
                )
            )
        elif name == "claude":
            if settings.anthropic_api_key is None:
                log.info("decision tier 'claude' skipped: ANTHROPIC_API_KEY is not set")
                continue
            tiers.append(
                ClaudeTier(
                    api_key=settings.anthropic_api_key.get_secret_value(),
                    model=settings.anthropic_model,
                    base_url=settings.anthropic_base_url,
                    timeout=settings.timeout_s,
                    max_tokens=settings.max_tokens,
                    max_prompt_tokens=settings.max_prompt_tokens,
                    prices=prices,
                )
            )
    breakers = {
        t.provider: CircuitBreaker(
            t.provider,
            failure_threshold=settings.breaker_failures,
            cooldown_s=settings.breaker_cooldown_s,
            clock=breaker_clock,
        )
        for t in tiers
        if t.provider != "local"
    }
    if not tiers:
        log.warning("no decision tier is usable (BROWSERFLOW_TIERS=%s): every decision will be empty", settings.tiers)
    log.info(
        "decision tiers: %s (budget $%.2f per task)",
        " -> ".join(f"{t.name}[{t.provider}]" for t in tiers) or "none",
        settings.budget_usd,
    )
    return TierRouter(tiers, settings.thresholds, breakers, settings.budget_usd)
