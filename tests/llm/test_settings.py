"""Settings from the environment and ``build_router``'s wiring."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from browserflow.contracts import Decision
from browserflow.llm import ClaudeTier, LLMSettings, OllamaTier, RulesTier, build_router
from tests.llm.conftest import CONFIDENT_RULES, FixedRules, decide_input


def test_defaults() -> None:
    s = LLMSettings.from_env({})
    assert s.tiers == ["rules", "ollama", "claude"]
    assert s.thresholds == {"rules": 0.6, "ollama": 0.6, "claude": 0.5}
    assert s.budget_usd == 0.50 and s.breaker_failures == 3 and s.breaker_cooldown_s == 60.0
    assert s.ollama_host == "http://127.0.0.1:11434" and s.ollama_model == "qwen2.5:7b-instruct"
    assert s.anthropic_api_key is None and s.anthropic_model == "claude-sonnet-4-5"


def test_from_env() -> None:
    s = LLMSettings.from_env(
        {
            "BROWSERFLOW_TIERS": "rules, claude",
            "BROWSERFLOW_THRESHOLD_RULES": "0.7",
            "BROWSERFLOW_THRESHOLD_CLAUDE": "0.4",
            "BROWSERFLOW_BUDGET_USD": "1.25",
            "BROWSERFLOW_BREAKER_FAILURES": "5",
            "BROWSERFLOW_BREAKER_COOLDOWN": "10",
            "BROWSERFLOW_LLM_TIMEOUT": "12.5",
            "OLLAMA_HOST": "http://gpu-box:11434",
            "OLLAMA_MODEL": "llama3.1:8b",
            "ANTHROPIC_API_KEY": "sk-ant-xyz",
            "ANTHROPIC_MODEL": "claude-haiku-4-5",
            "ANTHROPIC_BASE_URL": "http://proxy.local:8080",
            "BROWSERFLOW_PRICES": '{"llama3.1:8b": [0.05, 0.1]}',
        }
    )
    assert s.tiers == ["rules", "claude"]
    assert s.thresholds == {"rules": 0.7, "ollama": 0.6, "claude": 0.4}
    assert (s.budget_usd, s.breaker_failures, s.breaker_cooldown_s, s.timeout_s) == (1.25, 5, 10.0, 12.5)
    assert s.ollama_host == "http://gpu-box:11434" and s.ollama_model == "llama3.1:8b"
    assert s.anthropic_api_key is not None and s.anthropic_api_key.get_secret_value() == "sk-ant-xyz"
    assert "sk-ant-xyz" not in repr(s)  # the key never shows in logs
    assert s.price_table().cost("llama3.1:8b", "ollama", input_tokens=1000, output_tokens=1000) == 0.00015


@pytest.mark.parametrize(
    "env",
    [
        {"BROWSERFLOW_TIERS": "rules,gpt"},
        {"BROWSERFLOW_TIERS": "rules,rules"},
        {"BROWSERFLOW_THRESHOLD_OLLAMA": "1.5"},
        {"BROWSERFLOW_BUDGET_USD": "-1"},
    ],
)
def test_bad_settings_are_rejected(env: dict[str, str]) -> None:
    with pytest.raises((ValidationError, ValueError)):
        LLMSettings.from_env(env)


async def test_build_router_skips_claude_without_key(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="browserflow.llm.settings"):
        router = build_router(LLMSettings.from_env({}), rules=FixedRules(Decision()))
    try:
        assert router.tier_names == ["rules", "ollama"]
        assert isinstance(router.tiers[0], RulesTier) and isinstance(router.tiers[1], OllamaTier)
        assert "decision tier 'claude' skipped: ANTHROPIC_API_KEY is not set" in caplog.text
        assert "decision tiers: rules[local] -> ollama[ollama]" in caplog.text
        assert router.breaker_states() == {"ollama": "closed"}
        assert router.budget_usd == 0.5
    finally:
        await router.aclose()


async def test_build_router_order_and_disabled_ollama(caplog: pytest.LogCaptureFixture) -> None:
    env = {"BROWSERFLOW_TIERS": "claude,rules,ollama", "ANTHROPIC_API_KEY": "sk-ant-x", "OLLAMA_HOST": "off"}
    with caplog.at_level(logging.INFO, logger="browserflow.llm.settings"):
        router = build_router(LLMSettings.from_env(env), rules=FixedRules(Decision()))
    try:
        assert router.tier_names == ["claude", "rules"]
        assert isinstance(router.tiers[0], ClaudeTier)
        assert "decision tier 'ollama' skipped: OLLAMA_HOST is off" in caplog.text
        assert router.breaker_states() == {"anthropic": "closed"}
    finally:
        await router.aclose()


async def test_rules_tier_wraps_a_function() -> None:
    tier = RulesTier(FixedRules(CONFIDENT_RULES))
    decision = await tier.decide(decide_input(), 0.0)
    assert decision.tier == "rules" and decision.cost_usd == 0.0 and decision.actions == CONFIDENT_RULES.actions


async def test_rules_tier_uses_the_rules_module_by_default() -> None:
    pytest.importorskip("browserflow.rules")
    decision = await RulesTier().decide(decide_input(), 0.0)
    assert isinstance(decision, Decision) and decision.tier == "rules"
