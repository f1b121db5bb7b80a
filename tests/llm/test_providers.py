"""Provider faults and bad answers, through the real ``ollama`` and ``anthropic`` clients."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from browserflow.errors import ProviderFault
from browserflow.llm import ClaudeTier, InvalidAnswer, OllamaTier
from tests.fakes.anthropic_server import AnthropicReply, FakeAnthropic
from tests.fakes.ollama_server import FakeOllama, OllamaReply
from tests.llm.conftest import API_KEY, LOW_RULES, RouterFactory, act, answer, decide_input


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def outcomes(routed: object) -> list[tuple[str, str]]:
    return [(a.tier, a.outcome) for a in routed.attempts]  # type: ignore[attr-defined]


# -- malformed answers -------------------------------------------------------------------------------------


async def test_ollama_prose_instead_of_json_is_invalid_and_escalates(
    make_router: RouterFactory, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    fake_ollama.script(OllamaReply.text("Sure! I would click on the booking link."))
    fake_anthropic.script(AnthropicReply.tool(answer([act("click", 2)], 0.9)))
    routed = await make_router(LOW_RULES).decide(decide_input(), 0.0)
    assert outcomes(routed) == [("rules", "low_confidence"), ("ollama", "invalid"), ("claude", "chosen")]
    invalid = routed.attempts[1]
    assert "not JSON" in invalid.detail
    assert invalid.model == "qwen2.5:7b-instruct" and invalid.input_tokens == 120 and invalid.output_tokens == 40


async def test_ollama_json_in_code_fence_is_accepted(make_router: RouterFactory, fake_ollama: FakeOllama) -> None:
    fenced = "```json\n" + '{"actions": [{"kind": "click", "element": 2}], "confidence": 0.8, "reason": "r"}' + "\n```"
    fake_ollama.script(OllamaReply.text(fenced))
    routed = await make_router(LOW_RULES).decide(decide_input(), 0.0)
    assert outcomes(routed)[-1] == ("ollama", "chosen")


@pytest.mark.parametrize(
    "bad",
    [
        {"actions": [{"kind": "click", "element": 2}], "confidence": 1.7, "reason": "", "done": False},
        {"actions": [{"kind": "hover", "element": 2}], "confidence": 0.9, "reason": "", "done": False},
        {"actions": [{"kind": "click", "element": "two"}], "confidence": 0.9, "reason": "", "done": False},
        {"actions": "click 2", "confidence": 0.9},
        ["not", "an", "object"],
    ],
)
async def test_schema_violations_are_invalid(
    make_router: RouterFactory, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic, bad: object
) -> None:
    import json

    fake_ollama.script(OllamaReply.text(json.dumps(bad)))
    fake_anthropic.script(AnthropicReply.tool(answer([act("click", 2)], 0.9)))
    routed = await make_router(LOW_RULES).decide(decide_input(), 0.0)
    assert outcomes(routed)[1] == ("ollama", "invalid")
    assert outcomes(routed)[2] == ("claude", "chosen")


async def test_ollama_garbled_http_body_is_a_fault(make_router: RouterFactory, fake_ollama: FakeOllama) -> None:
    fake_ollama.script(OllamaReply(raw_body=b'{"model": "qwen2.5:7b-instruct", "message": {"role"'))
    routed = await make_router(LOW_RULES, tiers=["rules", "ollama"]).decide(decide_input(), 0.0)
    # nobody was confident: the rules' low-confidence answer is the best there is, and is marked chosen
    assert outcomes(routed) == [("rules", "chosen"), ("ollama", "fault")]
    assert routed.fallback and "best of low-confidence answers" in routed.attempts[0].detail
    assert "malformed" in routed.attempts[1].detail


async def test_claude_without_tool_call_is_invalid(make_router: RouterFactory, fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(
        AnthropicReply(text="I think you should click Book a slot.", input_tokens=900, output_tokens=20)
    )
    routed = await make_router(LOW_RULES, tiers=["rules", "claude"]).decide(decide_input(), 0.0)
    assert outcomes(routed) == [("rules", "chosen"), ("claude", "invalid")]
    invalid = routed.attempts[1]
    assert "no choose_action tool call" in invalid.detail
    # the call is paid for even though the answer was useless: 900 x $3 + 20 x $15 per million
    assert invalid.cost_usd == 0.003 and routed.decision.cost_usd == 0.003


async def test_claude_tool_input_with_bad_element_is_invalid(
    make_router: RouterFactory, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.script(AnthropicReply.tool(answer([act("click", 42)], 0.9)))
    routed = await make_router(LOW_RULES, tiers=["rules", "claude"]).decide(decide_input(), 0.0)
    assert outcomes(routed)[-1] == ("claude", "invalid")
    assert "unknown element [42]" in routed.attempts[-1].detail


async def test_claude_garbled_http_body_is_a_fault(make_router: RouterFactory, fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(AnthropicReply(raw_body=b"<html>502 Bad Gateway</html>"))
    routed = await make_router(LOW_RULES, tiers=["rules", "claude"]).decide(decide_input(), 0.0)
    assert outcomes(routed)[-1] == ("claude", "fault")


# -- HTTP faults -------------------------------------------------------------------------------------------


async def test_claude_429_is_a_fault_with_retry_after(
    make_router: RouterFactory, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.script(AnthropicReply.rate_limited(retry_after="7"))
    routed = await make_router(LOW_RULES, tiers=["rules", "claude"]).decide(decide_input(), 0.0)
    fault = routed.attempts[-1]
    assert (fault.tier, fault.outcome) == ("claude", "fault")
    assert "429" in fault.detail and "rate_limit_error" in fault.detail and "retry-after 7" in fault.detail
    assert len(fake_anthropic.messages) == 1  # max_retries=0: the router, not the SDK, handles faults
    assert routed.decision.actions == LOW_RULES.actions  # best low-confidence answer is what is left


async def test_claude_529_overloaded_is_a_fault(make_router: RouterFactory, fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(AnthropicReply.overloaded())
    routed = await make_router(LOW_RULES, tiers=["rules", "claude"]).decide(decide_input(), 0.0)
    fault = routed.attempts[-1]
    assert fault.outcome == "fault" and "529" in fault.detail and "overloaded_error" in fault.detail
    assert len(fake_anthropic.messages) == 1


async def test_ollama_503_and_missing_model_are_faults(make_router: RouterFactory, fake_ollama: FakeOllama) -> None:
    fake_ollama.script(OllamaReply.http(503, "server busy"))
    routed = await make_router(LOW_RULES, tiers=["rules", "ollama"]).decide(decide_input(), 0.0)
    assert outcomes(routed)[-1] == ("ollama", "fault") and "503" in routed.attempts[-1].detail

    routed = await make_router(LOW_RULES, tiers=["rules", "ollama"], ollama_model="llama-nope").decide(
        decide_input(), 0.0
    )
    assert outcomes(routed)[-1] == ("ollama", "fault") and "not found" in routed.attempts[-1].detail


async def test_wrong_api_key_is_a_fault(fake_anthropic: FakeAnthropic) -> None:
    tier = ClaudeTier(api_key="sk-ant-wrong", base_url=fake_anthropic.url, timeout=5)
    try:
        with pytest.raises(ProviderFault, match="401 authentication_error"):
            await tier.decide(decide_input(), 1.0)
    finally:
        await tier.aclose()
    request = fake_anthropic.messages[0]
    assert request.headers.get("anthropic-version")
    assert "sk-ant-wrong" in (request.headers.get("x-api-key", "") + request.headers.get("authorization", ""))


# -- timeouts and unreachable providers ----------------------------------------------------------------------


async def test_ollama_timeout_is_a_fault(fake_ollama: FakeOllama) -> None:
    fake_ollama.script(OllamaReply.answer(answer([act("click", 2)], 0.9), hang=True))
    tier = OllamaTier(host=fake_ollama.url, timeout=0.5)
    started = time.monotonic()
    try:
        with pytest.raises(ProviderFault, match=r"did not answer within 0.5s"):
            await tier.decide(decide_input(), 1.0)
    finally:
        await tier.aclose()
    assert time.monotonic() - started < 4.0
    assert fake_ollama.pending == 0  # the request did reach the server


async def test_claude_timeout_is_a_fault(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(AnthropicReply.tool(answer([act("click", 2)], 0.9), hang=True))
    tier = ClaudeTier(api_key=API_KEY, base_url=fake_anthropic.url, timeout=0.5)
    started = time.monotonic()
    try:
        with pytest.raises(ProviderFault, match=r"did not answer within 0.5s"):
            await tier.decide(decide_input(), 1.0)
    finally:
        await tier.aclose()
    assert time.monotonic() - started < 4.0
    assert len(fake_anthropic.messages) == 1


async def test_slow_but_in_time_answer_is_used(fake_ollama: FakeOllama) -> None:
    fake_ollama.script(OllamaReply.answer(answer([act("click", 2)], 0.9), delay=0.1))
    tier = OllamaTier(host=fake_ollama.url, timeout=5)
    try:
        decision = await tier.decide(decide_input(), 1.0)
    finally:
        await tier.aclose()
    assert decision.actions[0].ref == "e3"


async def test_connection_refused_is_a_fault() -> None:
    port = free_port()
    ollama_tier = OllamaTier(host=f"http://127.0.0.1:{port}", timeout=2)
    claude_tier = ClaudeTier(api_key=API_KEY, base_url=f"http://127.0.0.1:{port}", timeout=2)
    try:
        with pytest.raises(ProviderFault, match="cannot be reached"):
            await ollama_tier.decide(decide_input(), 1.0)
        with pytest.raises(ProviderFault, match="cannot be reached"):
            await claude_tier.decide(decide_input(), 1.0)
    finally:
        await ollama_tier.aclose()
        await claude_tier.aclose()


async def test_dropped_connection_is_a_fault(fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic) -> None:
    fake_ollama.script(OllamaReply(drop=True))
    fake_anthropic.script(AnthropicReply(drop=True))
    ollama_tier = OllamaTier(host=fake_ollama.url, timeout=2)
    claude_tier = ClaudeTier(api_key=API_KEY, base_url=fake_anthropic.url, timeout=2)
    try:
        with pytest.raises(ProviderFault):
            await ollama_tier.decide(decide_input(), 1.0)
        with pytest.raises(ProviderFault):
            await claude_tier.decide(decide_input(), 1.0)
    finally:
        await ollama_tier.aclose()
        await claude_tier.aclose()


# -- odds and ends -------------------------------------------------------------------------------------------


async def test_ollama_health_lists_models(fake_ollama: FakeOllama) -> None:
    tier = OllamaTier(host=fake_ollama.url, timeout=2)
    try:
        health = await tier.health()
    finally:
        await tier.aclose()
    assert health["model_available"] is True and "qwen2.5:7b-instruct" in health["models"]
    async with httpx.AsyncClient(base_url=fake_ollama.url) as client:
        assert (await client.get("/api/version")).json()["version"]


async def test_router_readiness_names_a_missing_model_and_an_unreachable_server(
    make_router: RouterFactory, caplog: pytest.LogCaptureFixture
) -> None:
    ready = await make_router(LOW_RULES).readiness()
    assert ready == {"ollama": "ready"}  # rules and claude have no health check
    missing = await make_router(LOW_RULES, ollama_model="llama3:70b").readiness()
    assert missing == {"ollama": "model 'llama3:70b' is not pulled"}
    assert "decision tier 'ollama' is not ready: model 'llama3:70b' is not pulled" in caplog.text
    down = await make_router(LOW_RULES, ollama_host=f"http://127.0.0.1:{free_port()}").readiness()
    assert down["ollama"].startswith("ollama at http://127.0.0.1:") and "is not usable" in down["ollama"]


async def test_router_readiness_gives_up_on_a_server_that_never_answers(make_router: RouterFactory) -> None:
    with socket.socket() as silent:  # accepts connections (the backlog) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        host = f"http://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        found = await make_router(LOW_RULES, ollama_host=host).readiness(timeout_s=0.5)
    assert found == {"ollama": "no answer to the health check within 0.5s"}
    assert time.monotonic() - started < 4.0


async def test_ollama_cut_off_answer_is_invalid_with_note(fake_ollama: FakeOllama) -> None:
    fake_ollama.script(OllamaReply.text('{"actions": [{"kind": "cli', done_reason="length"))
    tier = OllamaTier(host=fake_ollama.url, timeout=2)
    try:
        with pytest.raises(InvalidAnswer, match="not JSON") as info:
            await tier.decide(decide_input(), 1.0)
    finally:
        await tier.aclose()
    assert "cut off" in info.value.reason and info.value.usage is not None
