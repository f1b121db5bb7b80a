"""browserflow's own metrics, emitted through the Temporal runtime's meter so that they come out on the same
Prometheus endpoint as the SDK's (``BROWSERFLOW_METRICS_PORT``). Called from inside activities only."""

from __future__ import annotations

from collections.abc import Mapping

from temporalio import activity

from browserflow.contracts import TaskResult

__all__ = ["record_breakers", "record_task"]

_BREAKER_VALUE = {"closed": 0, "half_open": 1, "open": 2}


def record_task(result: TaskResult) -> None:
    meter = activity.metric_meter()
    meter.create_counter("browserflow_tasks", "tasks finished, by status").add(1, {"status": result.status.value})
    decisions = meter.create_counter("browserflow_decisions", "decisions, by tier")
    for tier, count in result.decisions_by_tier.items():
        decisions.add(count, {"tier": tier})
    if result.cache_hit:
        meter.create_counter("browserflow_cache_hits", "tasks replayed from the site-path cache").add(1)
    micro_usd = round(result.ai_cost * 1_000_000)
    if micro_usd:
        meter.create_counter("browserflow_ai_cost_micro_usd", "AI spend in millionths of a USD").add(micro_usd)


def record_breakers(states: Mapping[str, str]) -> None:
    gauge = activity.metric_meter().create_gauge(
        "browserflow_provider_breaker", "circuit breaker per provider: 0 closed, 1 half open, 2 open"
    )
    for provider, state in states.items():
        gauge.set(_BREAKER_VALUE.get(state, 2), {"provider": provider})
