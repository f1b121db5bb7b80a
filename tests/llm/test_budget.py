"""The task budget (stop before a call that could pass it) and exact cost arithmetic from reported usage."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from browserflow.errors import BudgetExceeded
from browserflow.llm import ClaudeTier, PriceTable, attempts_from, build_prompt
from browserflow.llm.pricing import DEFAULT_PRICES
from tests.fakes.anthropic_server import AnthropicReply, FakeAnthropic
from tests.fakes.ollama_server import FakeOllama, OllamaReply
from tests.llm.conftest import API_KEY, LOW_RULES, RouterFactory, act, answer, decide_input

# -- pricing -----------------------------------------------------------------------------------------------


def test_default_prices_of_current_claude_models() -> None:
    table = PriceTable()
    assert table.price_for("claude-sonnet-4-5", "anthropic").input == 3
    assert table.price_for("claude-sonnet-4-5", "anthropic").output == 15
    assert table.price_for("claude-haiku-4-5", "anthropic").output == 5
    opus = table.price_for("claude-opus-4-1", "anthropic")
    assert (opus.input, opus.output) == (15, 75)
    # dated model ids are priced by their longest known prefix
    assert table.price_for("claude-sonnet-4-5-20250929", "anthropic") == DEFAULT_PRICES["claude-sonnet-4-5"]
    assert table.price_for("claude-opus-4-5-20251101", "anthropic") == DEFAULT_PRICES["claude-opus-4-5"]
    # local models are free, unknown Claude models priced like the costliest known one
    assert table.price_for("qwen2.5:7b-instruct", "ollama").free
    assert table.price_for("claude-future-9", "anthropic").output == 75


def test_cost_arithmetic_is_exact() -> None:
    table = PriceTable()
    # 1234 x 3 + 56 x 15 + 100 x 3.75 (cache write) + 1000 x 0.30 (cache read) = 5217 micro-dollars
    cost = table.cost(
        "claude-sonnet-4-5",
        "anthropic",
        input_tokens=1234,
        output_tokens=56,
        cache_creation_input_tokens=100,
        cache_read_input_tokens=1000,
    )
    assert cost == 0.005217
    assert table.cost("claude-haiku-4-5", "anthropic", input_tokens=1000, output_tokens=200) == 0.002
    assert table.cost("claude-opus-4-1", "anthropic", input_tokens=1, output_tokens=1) == 0.00009
    assert table.cost("qwen2.5:7b-instruct", "ollama", input_tokens=10**6, output_tokens=10**6) == 0.0
    assert table.estimate_max("claude-sonnet-4-5", "anthropic", prompt_tokens=2000, max_tokens=600) == 0.015


def test_prices_from_env_json_and_file(tmp_path: Path) -> None:
    inline = PriceTable.from_env({"BROWSERFLOW_PRICES": '{"qwen2.5:7b-instruct": [0.1, 0.4]}'})
    assert inline.cost("qwen2.5:7b-instruct", "ollama", input_tokens=120, output_tokens=40) == 0.000028
    assert inline.price_for("claude-sonnet-4-5", "anthropic").input == 3  # defaults kept

    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"claude-sonnet-4-5": {"input": 2.5, "output": 12, "cache_read": 0.25}}))
    from_file = PriceTable.from_env({"BROWSERFLOW_PRICES": str(path)})
    price = from_file.price_for("claude-sonnet-4-5", "anthropic")
    assert price.input == Decimal("2.5") and price.cache_read_price == Decimal("0.25")
    assert price.cache_write_price == Decimal("3.125")

    with pytest.raises(ValueError):
        PriceTable.from_env({"BROWSERFLOW_PRICES": '{"m": [1]}'})
    with pytest.raises(ValueError):
        PriceTable.from_env({"BROWSERFLOW_PRICES": '{"m": {"input": -1, "output": 2}}'})
    with pytest.raises(ValueError):
        PriceTable.from_env({"BROWSERFLOW_PRICES": '{"m": {"input": "cheap", "output": 2}}'})


# -- costs recorded from the providers' usage --------------------------------------------------------------


async def test_claude_cost_from_reported_usage(make_router: RouterFactory, fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(
        AnthropicReply.tool(
            answer([act("click", 2)], 0.9),
            input_tokens=1234,
            output_tokens=56,
            cache_creation_input_tokens=100,
            cache_read_input_tokens=1000,
            model="claude-sonnet-4-5-20250929",
        )
    )
    routed = await make_router(LOW_RULES, tiers=["rules", "claude"]).decide(decide_input(), 0.10)
    attempt = routed.attempts[-1]
    assert attempt.outcome == "chosen" and attempt.model == "claude-sonnet-4-5-20250929"
    assert attempt.cost_usd == 0.005217
    assert (attempt.input_tokens, attempt.output_tokens) == (2334, 56)
    assert (attempt.cache_creation_input_tokens, attempt.cache_read_input_tokens) == (100, 1000)
    assert attempt.latency_ms > 0
    assert routed.decision.cost_usd == 0.005217
    assert routed.decision.model == "claude-sonnet-4-5-20250929"


async def test_every_paid_attempt_is_summed(
    make_router: RouterFactory, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    fake_ollama.script(OllamaReply.text("nonsense", prompt_eval_count=120, eval_count=40))
    fake_anthropic.script(AnthropicReply.tool(answer([act("click", 2)], 0.9), input_tokens=1000, output_tokens=200))
    router = make_router(LOW_RULES, prices={"qwen2.5:7b-instruct": [0.1, 0.4]})
    routed = await router.decide(decide_input(), 0.0)
    costs = [(a.tier, a.outcome, a.cost_usd) for a in routed.attempts]
    assert costs == [("rules", "low_confidence", 0.0), ("ollama", "invalid", 0.000028), ("claude", "chosen", 0.006)]
    assert routed.decision.cost_usd == 0.006028
    assert routed.decision.input_tokens == 1120 and routed.decision.output_tokens == 240


# -- the budget ----------------------------------------------------------------------------------------------


async def test_budget_stops_before_the_call(
    make_router: RouterFactory, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    fake_ollama.script(OllamaReply.answer(answer([act("click", 1)], 0.3)))
    router = make_router(LOW_RULES, budget_usd=0.50)
    with pytest.raises(BudgetExceeded, match=r"budget \$0.50 reached") as info:
        await router.decide(decide_input(), spent_usd=0.495)
    assert fake_anthropic.requests == []  # stopped before calling
    attempts = attempts_from(info.value)
    assert [(a.tier, a.outcome) for a in attempts] == [
        ("rules", "low_confidence"),
        ("ollama", "low_confidence"),
        ("claude", "budget"),
    ]
    assert "could cost up to" in attempts[-1].detail and attempts[-1].model == "claude-sonnet-4-5"
    assert info.value.spent_usd == 0.0
    assert info.value.type_name == "BudgetExceeded" and info.value.retryable is False


async def test_budget_boundary_is_inclusive(make_router: RouterFactory, fake_anthropic: FakeAnthropic) -> None:
    inp = decide_input()
    tier = ClaudeTier(api_key=API_KEY, base_url=fake_anthropic.url)
    prompt = build_prompt(inp, max_tokens=tier.max_prompt_tokens, tool_mode=True)
    prompt_tokens = tier.estimate_prompt_tokens(prompt.system, prompt.user)
    estimate = tier.estimate_max_cost(prompt_tokens)
    await tier.aclose()
    # estimate = prompt tokens x $3 + 600 max tokens x $15, per million
    assert Decimal(str(estimate)) == (Decimal(prompt_tokens) * 3 + 600 * 15) / 1_000_000
    budget = 0.5
    exactly_enough = float(Decimal(str(budget)) - Decimal(str(estimate)))

    router = make_router(LOW_RULES, tiers=["rules", "claude"], budget_usd=budget)
    with pytest.raises(BudgetExceeded):
        await router.decide(inp, spent_usd=exactly_enough + 0.000001)
    assert fake_anthropic.requests == []

    fake_anthropic.script(AnthropicReply.tool(answer([act("click", 2)], 0.9)))
    routed = await router.decide(inp, spent_usd=exactly_enough)  # spent + estimate == budget: allowed
    assert routed.attempts[-1].outcome == "chosen"
    assert len(fake_anthropic.messages) == 1


async def test_per_call_budget_override_and_free_tiers(
    make_router: RouterFactory, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    fake_ollama.script(OllamaReply.answer(answer([act("click", 2)], 0.9)))
    router = make_router(LOW_RULES)
    # ollama is free: even with almost nothing left it may be asked
    routed = await router.decide(decide_input(), spent_usd=0.01, budget_usd=0.01)
    assert routed.attempts[-1].outcome == "chosen" and routed.chosen_tier == "ollama"
    with pytest.raises(BudgetExceeded):
        await router.decide(decide_input(), spent_usd=0.02, budget_usd=0.01)  # already over: nothing is called
    assert len(fake_ollama.chats) == 1
