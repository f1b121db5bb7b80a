"""The circuit breaker alone (moved clock, no sleeps) and inside the router against a faulty fake provider."""

from __future__ import annotations

from browserflow.llm import BreakerState, CircuitBreaker
from tests.fakes.anthropic_server import AnthropicReply, FakeAnthropic
from tests.fakes.ollama_server import FakeOllama, OllamaReply
from tests.llm.conftest import LOW_RULES, ManualClock, RouterFactory, act, answer, decide_input


def test_opens_after_n_consecutive_faults_and_skips_during_cooldown() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker("ollama", failure_threshold=3, cooldown_s=60, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED and breaker.consecutive_failures == 2
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN and breaker.opened_count == 1
    assert not breaker.allow()
    clock.advance(59.9)
    assert not breaker.allow()
    assert abs(breaker.retry_in() - 0.1) < 1e-9


def test_success_resets_the_count() -> None:
    breaker = CircuitBreaker("x", failure_threshold=3, clock=ManualClock())
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED


def test_half_open_lets_one_trial_through_and_success_closes() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker("x", failure_threshold=1, cooldown_s=60, clock=clock)
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    clock.advance(60)
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()  # the trial
    assert not breaker.allow()  # a second caller while the trial runs
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()


def test_half_open_trial_fault_reopens_for_a_new_cooldown() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker("x", failure_threshold=3, cooldown_s=60, clock=clock)
    for _ in range(3):
        breaker.record_failure()
    clock.advance(61)
    assert breaker.allow()
    breaker.record_failure()  # one fault in half-open is enough
    assert breaker.state is BreakerState.OPEN and breaker.opened_count == 2
    clock.advance(30)
    assert not breaker.allow()
    clock.advance(30)
    assert breaker.allow()


def test_released_or_lost_trial_frees_the_slot() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker("x", failure_threshold=1, cooldown_s=10, clock=clock)
    breaker.record_failure()
    clock.advance(10)
    assert breaker.allow()
    breaker.release()  # the call was not made after all
    assert breaker.allow()
    assert not breaker.allow()
    clock.advance(10)  # that trial never reported back
    assert breaker.allow()


async def test_router_breaker_opens_skips_then_half_open_trial_closes(
    make_router: RouterFactory, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic, clock: ManualClock
) -> None:
    router = make_router(LOW_RULES, breaker_failures=3, breaker_cooldown_s=60)
    fake_ollama.script(*[OllamaReply.http(500, "boom")] * 3)
    fake_anthropic.script(*[AnthropicReply.tool(answer([act("click", 2)], 0.9))] * 5)
    inp = decide_input()

    for i in range(3):
        routed = await router.decide(inp, 0.0)
        assert [a.outcome for a in routed.attempts] == ["low_confidence", "fault", "chosen"]
        assert router.breaker_states()["ollama"] == ("open" if i == 2 else "closed")
    assert len(fake_ollama.chats) == 3

    # open: ollama is skipped without a request, claude answers
    clock.advance(30)
    routed = await router.decide(inp, 0.0)
    assert [(a.tier, a.outcome) for a in routed.attempts] == [
        ("rules", "low_confidence"),
        ("ollama", "skipped_breaker"),
        ("claude", "chosen"),
    ]
    assert "circuit open; next trial in 30s" in routed.attempts[1].detail
    assert len(fake_ollama.chats) == 3

    # cool-down over: half-open, one trial call; it succeeds and closes the circuit
    clock.advance(30)
    assert router.breaker_states()["ollama"] == "half_open"
    fake_ollama.script(OllamaReply.answer(answer([act("click", 2)], 0.9)))
    routed = await router.decide(inp, 0.0)
    assert [(a.tier, a.outcome) for a in routed.attempts][-1] == ("ollama", "chosen")
    assert router.breaker_states()["ollama"] == "closed"
    assert len(fake_ollama.chats) == 4
    assert router.breaker_states()["anthropic"] == "closed"


async def test_router_half_open_trial_fault_reopens(
    make_router: RouterFactory, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic, clock: ManualClock
) -> None:
    router = make_router(LOW_RULES, tiers=["rules", "ollama"], breaker_failures=2, breaker_cooldown_s=60)
    fake_ollama.script(*[OllamaReply.http(502, "bad gateway")] * 3)
    for _ in range(2):
        await router.decide(decide_input(), 0.0)
    assert router.breaker_states() == {"ollama": "open"}
    clock.advance(60)
    routed = await router.decide(decide_input(), 0.0)  # the trial, which faults again
    assert routed.attempts[-1].outcome == "fault"
    assert router.breaker_states() == {"ollama": "open"}
    routed = await router.decide(decide_input(), 0.0)
    assert routed.attempts[-1].outcome == "skipped_breaker"
    assert len(fake_ollama.chats) == 3


async def test_invalid_answers_do_not_open_the_breaker(make_router: RouterFactory, fake_ollama: FakeOllama) -> None:
    router = make_router(LOW_RULES, tiers=["rules", "ollama"], breaker_failures=2)
    fake_ollama.script(*[OllamaReply.text("not json")] * 3)
    for _ in range(3):
        routed = await router.decide(decide_input(), 0.0)
        assert routed.attempts[-1].outcome == "invalid"
    assert router.breaker_states() == {"ollama": "closed"}
