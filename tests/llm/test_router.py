"""Escalation through the tiers with the real client libraries against the fake providers."""

from __future__ import annotations

from browserflow.contracts import Action, Decision
from browserflow.llm import answer_json_schema
from tests.fakes.anthropic_server import AnthropicReply, FakeAnthropic
from tests.fakes.ollama_server import FakeOllama, OllamaReply
from tests.llm.conftest import (
    CONFIDENT_RULES,
    LOW_RULES,
    FixedRules,
    RouterFactory,
    act,
    answer,
    decide_input,
    members_page,
)


def outcomes(routed: object) -> list[tuple[str, str]]:
    return [(a.tier, a.outcome) for a in routed.attempts]  # type: ignore[attr-defined]


async def test_members_page_rules_unsure_ollama_picks_book_a_slot(
    make_router: RouterFactory, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    fake_ollama.script(OllamaReply.answer(answer([act("click", 2)], 0.86, "'Book a slot' leads to class registration")))
    router = make_router(LOW_RULES)
    inp = decide_input(members_page())

    routed = await router.decide(inp, spent_usd=0.0)

    assert outcomes(routed) == [("rules", "low_confidence"), ("ollama", "chosen")]
    decision = routed.decision
    assert decision.tier == "ollama" and decision.model == "qwen2.5:7b-instruct"
    assert decision.confidence == 0.86
    [action] = decision.actions
    book = inp.snapshot.elements[2]
    assert (action.kind, action.ref, action.selector, action.label) == ("click", "e3", book.selector, "Book a slot")
    assert action.irreversible is False
    assert decision.input_tokens == 120 and decision.output_tokens == 40 and decision.cost_usd == 0.0
    assert decision.attempts == routed.attempts and routed.chosen_tier == "ollama" and not routed.fallback
    assert fake_anthropic.messages == []  # claude never asked while ollama was confident

    [request] = fake_ollama.chats
    body = request.json()
    assert body["model"] == "qwen2.5:7b-instruct"
    assert body["stream"] is False
    assert body["format"] == answer_json_schema()
    assert body["options"]["temperature"] == 0
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["system", "user"]
    user = body["messages"][1]["content"]
    assert '[2] link "Book a slot" href=/register?class=swim' in user
    assert "GOAL: Register Ana Lopez for the beginner swim class" in user


async def test_confident_rules_make_no_llm_request(
    make_router: RouterFactory, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    rules = FixedRules(CONFIDENT_RULES)
    routed = await make_router(rules).decide(decide_input(), 0.0)
    assert outcomes(routed) == [("rules", "chosen")]
    assert routed.decision.actions == CONFIDENT_RULES.actions and routed.decision.tier == "rules"
    assert routed.decision.cost_usd == 0.0
    assert rules.calls == 1
    assert fake_ollama.requests == [] and fake_anthropic.requests == []


async def test_ollama_low_confidence_escalates_to_claude(
    make_router: RouterFactory, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    fake_ollama.script(OllamaReply.answer(answer([act("click", 1)], 0.3)))
    fake_anthropic.script(AnthropicReply.tool(answer([act("click", 2)], 0.92, "registration link")))
    routed = await make_router(LOW_RULES).decide(decide_input(), 0.0)

    assert outcomes(routed) == [("rules", "low_confidence"), ("ollama", "low_confidence"), ("claude", "chosen")]
    assert routed.decision.tier == "claude" and routed.decision.model == "claude-sonnet-4-5"
    assert routed.decision.actions[0].ref == "e3"
    assert len(fake_ollama.chats) == 1 and len(fake_anthropic.messages) == 1

    body = fake_anthropic.messages[0].json()
    assert body["model"] == "claude-sonnet-4-5"
    assert body["tool_choice"] == {"type": "tool", "name": "choose_action"}
    [tool] = body["tools"]
    assert tool["name"] == "choose_action" and tool["input_schema"] == answer_json_schema()
    assert body["max_tokens"] == 600
    assert "untrusted" in body["system"].lower()
    assert body["messages"][0]["role"] == "user"


async def test_ollama_fault_escalates_to_claude(
    make_router: RouterFactory, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    fake_ollama.script(OllamaReply.http(500, "llama runner process has terminated"))
    fake_anthropic.script(AnthropicReply.tool(answer([act("click", 2)], 0.9)))
    routed = await make_router(LOW_RULES).decide(decide_input(), 0.0)
    assert outcomes(routed) == [("rules", "low_confidence"), ("ollama", "fault"), ("claude", "chosen")]
    fault = routed.attempts[1]
    assert "500" in fault.detail and "llama runner" in fault.detail
    assert fault.provider == "ollama"


async def test_configured_order_rules_then_claude(
    make_router: RouterFactory, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.script(AnthropicReply.tool(answer([act("click", 2)], 0.9)))
    router = make_router(LOW_RULES, tiers=["rules", "claude"])
    assert router.tier_names == ["rules", "claude"]
    routed = await router.decide(decide_input(), 0.0)
    assert outcomes(routed) == [("rules", "low_confidence"), ("claude", "chosen")]
    assert fake_ollama.requests == []


async def test_repeated_failure_is_not_chosen_again(
    make_router: RouterFactory, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    page = members_page()
    book = page.elements[2]
    failed = [Action(kind="click", ref=book.ref, selector=book.selector, label="Book a slot")]
    fake_ollama.script(OllamaReply.answer(answer([act("click", 2)], 0.95)))  # the same click again
    fake_anthropic.script(AnthropicReply.tool(answer([act("fill", 4, "swim"), act("click", 5)], 0.8)))
    # the rules tier is confident but proposes exactly the action that failed on this page
    routed = await make_router(CONFIDENT_RULES).decide(decide_input(page, failed=failed), 0.0)
    assert outcomes(routed) == [("rules", "repeat_failure"), ("ollama", "repeat_failure"), ("claude", "chosen")]
    assert "already failed" in routed.attempts[1].detail
    assert [a.kind for a in routed.decision.actions] == ["fill", "click"]
    assert routed.decision.actions[0].value == "swim"


async def test_no_confident_tier_returns_best_low_confidence(
    make_router: RouterFactory, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    fake_ollama.script(OllamaReply.answer(answer([act("click", 2)], 0.45, "maybe the booking link")))
    fake_anthropic.script(AnthropicReply.tool(answer([act("click", 0)], 0.3, "home?")))
    routed = await make_router(LOW_RULES).decide(decide_input(), 0.0)
    assert routed.fallback is True and routed.chosen_tier == "ollama"
    assert outcomes(routed) == [("rules", "low_confidence"), ("ollama", "chosen"), ("claude", "low_confidence")]
    assert routed.decision.actions[0].ref == "e3"
    assert routed.decision.reason.startswith("low confidence (0.45)")
    # the decision's cost covers every attempt, not only the chosen one
    assert routed.decision.cost_usd == sum(a.cost_usd for a in routed.attempts) > 0


async def test_nobody_can_decide_gives_empty_decision_with_reason(
    make_router: RouterFactory, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    fake_ollama.script(OllamaReply.answer(answer([], 0.9, "nothing to do", done=True)))
    fake_anthropic.script(AnthropicReply.overloaded())
    routed = await make_router(Decision(reason="no rule applies")).decide(decide_input(), 0.0)
    assert outcomes(routed) == [("rules", "low_confidence"), ("ollama", "low_confidence"), ("claude", "fault")]
    decision = routed.decision
    assert decision.actions == [] and not decision.can_proceed and decision.tier == "none"
    assert "no tier could decide" in decision.reason and "claude: fault" in decision.reason
    assert "no actions proposed" in routed.attempts[1].detail and "[done]" in routed.attempts[1].detail


async def test_thresholds_per_tier(
    make_router: RouterFactory, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    fake_ollama.script(OllamaReply.answer(answer([act("click", 2)], 0.65)))
    router = make_router(LOW_RULES, thresholds={"rules": 0.1, "ollama": 0.6, "claude": 0.5})
    routed = await router.decide(decide_input(), 0.0)  # rules' 0.2 clears its 0.1 threshold
    assert outcomes(routed) == [("rules", "chosen")]
    assert fake_ollama.requests == []

    router = make_router(LOW_RULES, thresholds={"rules": 0.6, "ollama": 0.6, "claude": 0.5})
    routed = await router.decide(decide_input(), 0.0)
    assert outcomes(routed) == [("rules", "low_confidence"), ("ollama", "chosen")]


async def test_a_crashing_tier_is_recorded_as_fault_not_raised(
    make_router: RouterFactory, fake_ollama: FakeOllama
) -> None:
    class Broken(FixedRules):
        def __call__(self, inp: object) -> Decision:
            raise RuntimeError("bug in the rules")

    fake_ollama.script(OllamaReply.answer(answer([act("click", 2)], 0.9)))
    routed = await make_router(Broken(Decision())).decide(decide_input(), 0.0)
    assert outcomes(routed) == [("rules", "fault"), ("ollama", "chosen")]
    assert "bug in the rules" in routed.attempts[0].detail


async def test_real_rules_tier_cannot_solve_members_page_ollama_can(
    make_router: RouterFactory, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    """End to end with the real rules decider (the goal says 'Register', the page only offers 'Book a slot')."""
    fake_ollama.script(OllamaReply.answer(answer([act("click", 2)], 0.8, "booking a slot registers for a class")))
    router = make_router("real")
    routed = await router.decide(decide_input(members_page()), 0.0)
    assert outcomes(routed) == [("rules", "low_confidence"), ("ollama", "chosen")]
    assert routed.decision.actions[0].label == "Book a slot"
    assert fake_anthropic.requests == []
