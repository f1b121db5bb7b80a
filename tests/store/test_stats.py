"""Stats and costs on known rows: medians, p95, rates, cost by provider, the time window and the site filter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from browserflow.contracts import StepRecord, TaskRequest, TaskResult, TaskStatus
from browserflow.store import DecisionRecord, RecoveryRecord, Store, percentile

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _task(
    store: Store,
    wf: str,
    *,
    seconds: float | None,
    status: TaskStatus = TaskStatus.SUCCEEDED,
    cost: float = 0.0,
    cache_hit: bool = False,
    site: str = "a.test",
    goal: str = "Register the student",
    age: timedelta = timedelta(hours=1),
) -> None:
    request = TaskRequest(goal=goal, start_url=f"http://{site}/", data={"student_name": f"name-{wf}"})
    store.record_task_started(wf, request, started_at=NOW - age)
    if seconds is None:
        return  # still running
    store.record_task_finished(
        TaskResult(
            task_id=wf,
            status=status,
            reason=status.value,
            goal_achieved=status == TaskStatus.SUCCEEDED,
            steps_taken=3,
            execution_time_seconds=seconds,
            ai_cost=cost,
            cache_hit=cache_hit,
        ),
        finished_at=NOW - age + timedelta(seconds=seconds),
    )


def test_percentile_definition() -> None:
    assert percentile([], 95) is None
    assert percentile([7.0], 95) == 7.0
    assert percentile([10, 20, 30, 40, 100], 95) == pytest.approx(88.0)
    assert percentile([10, 20, 30, 40, 100], 50) == 30.0
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)


def test_stats_arithmetic(store: Store) -> None:
    # five finished tasks on a.test, created in this order, same goal signature; one running; one failed
    _task(store, "t1", seconds=10, cost=0.01, age=timedelta(hours=5))
    _task(store, "t2", seconds=20, cost=0.00, cache_hit=True, age=timedelta(hours=4))
    _task(store, "t3", seconds=30, cost=0.02, age=timedelta(hours=3))
    _task(store, "t4", seconds=40, cost=0.03, status=TaskStatus.STUCK, age=timedelta(hours=2))
    _task(store, "t5", seconds=100, cost=0.04, cache_hit=True, age=timedelta(hours=1))
    _task(store, "t6", seconds=None, age=timedelta(minutes=5))

    for wf, step, tier, provider, cost in [
        ("t1", 1, "rules", "", 0.0),
        ("t1", 1, "claude", "", 0.01),
        ("t3", 1, "ollama", "", 0.0),
        ("t3", 2, "claude", "", 0.02),
        ("t4", 1, "claude", "anthropic", 0.03),
        ("t5", 1, "claude", "bedrock", 0.04),
    ]:
        store.record_decision(
            DecisionRecord(workflow_id=wf, step=step, tier=tier, provider=provider, cost_usd=cost, model="m")
        )
    for wf, step, tier in [("t1", 1, "claude"), ("t2", 1, "cache"), ("t2", 2, "cache"), ("t3", 1, "ollama")]:
        store.record_step(StepRecord(step=step, url="u", decision="d", tier=tier), wf)
    for step, outcome in [(1, "recovered"), (2, "recovered"), (3, "failed"), (4, "pending")]:
        store.record_recoveries(
            [
                RecoveryRecord(
                    workflow_id="t4", step=step, attempt_no=1, error_type="E", strategy="reload", outcome=outcome
                )
            ]
        )

    stats = store.stats(now=NOW)
    assert stats.tasks == 6
    assert stats.finished == 5
    assert stats.succeeded == 4
    assert stats.success_rate == pytest.approx(0.8)
    assert stats.by_status == {"succeeded": 4, "stuck": 1, "running": 1}
    assert stats.median_seconds == 30.0
    assert stats.p95_seconds == pytest.approx(88.0)
    # t2..t5 repeat t1's goal; t2 and t5 replayed the cached path
    assert stats.repeats == 4
    assert stats.repeat_cache_hits == 2
    assert stats.cache_hit_rate_on_repeats == pytest.approx(0.5)
    assert stats.total_cost_usd == pytest.approx(0.10)
    assert stats.cost_per_task_usd == pytest.approx(0.02)
    assert stats.cost_by_provider == pytest.approx({"rules": 0.0, "anthropic": 0.06, "ollama": 0.0, "bedrock": 0.04})
    assert stats.cost_by_tier == pytest.approx({"rules": 0.0, "claude": 0.10, "ollama": 0.0})
    assert stats.decisions_by_tier == {"rules": 1, "claude": 4, "ollama": 1}
    assert stats.steps_by_tier == {"claude": 1, "cache": 2, "ollama": 1}
    assert stats.tier_distribution == pytest.approx({"claude": 0.25, "cache": 0.5, "ollama": 0.25})
    assert stats.recoveries == 3  # the pending one has no outcome yet
    assert stats.recoveries_succeeded == 2
    assert stats.recovery_success_rate == pytest.approx(2 / 3)

    # the window: the last 150 minutes hold t4, t5 and t6 (t4 and t5 are repeats of earlier tasks)
    recent = store.stats(since=timedelta(minutes=150), now=NOW)
    assert recent.since == NOW - timedelta(minutes=150)
    assert (recent.tasks, recent.finished, recent.succeeded) == (3, 2, 1)
    assert recent.median_seconds == 70.0
    assert (recent.repeats, recent.repeat_cache_hits) == (2, 1)
    assert recent.cost_by_provider == pytest.approx({"anthropic": 0.03, "bedrock": 0.04})
    assert recent.recovery_success_rate == pytest.approx(2 / 3)


def test_stats_by_site_and_empty(store: Store) -> None:
    empty = store.stats(now=NOW)
    assert empty.tasks == 0
    assert empty.success_rate is None and empty.median_seconds is None and empty.p95_seconds is None
    assert empty.cache_hit_rate_on_repeats is None and empty.cost_per_task_usd is None
    assert empty.tier_distribution == {} and empty.recovery_success_rate is None

    _task(store, "a1", seconds=10, site="a.test")
    _task(store, "b1", seconds=50, site="b.test", status=TaskStatus.SITE_DOWN)
    _task(store, "b2", seconds=70, site="b.test", goal="Something else", age=timedelta(minutes=1))
    b = store.stats(site="b.test", now=NOW)
    assert (b.tasks, b.finished, b.succeeded) == (2, 2, 1)
    assert b.median_seconds == 60.0
    assert b.repeats == 0  # other goals are not repeats
    assert store.stats(site="nowhere.test", now=NOW).tasks == 0


def test_site_median_and_time_saved(store: Store) -> None:
    assert store.site_median_seconds("a.test") is None
    _task(store, "live1", seconds=30)
    _task(store, "live2", seconds=50)
    _task(store, "live3", seconds=60, status=TaskStatus.STUCK)  # failures do not count
    _task(store, "other", seconds=5, site="b.test")
    assert store.site_median_seconds("a.test") == 40.0

    _task(store, "cached", seconds=4, cache_hit=True)
    cached = store.get_task("cached")
    assert cached is not None and cached.time_saved_seconds == pytest.approx(36.0)
    assert store.site_median_seconds("a.test") == 40.0  # cache hits are not a baseline
    assert store.stats(site="a.test", now=NOW).time_saved_seconds == pytest.approx(36.0)

    request = TaskRequest(goal="g", start_url="http://c.test/")
    store.record_task_started("no-baseline", request)
    result = TaskResult(
        task_id="no-baseline",
        status=TaskStatus.SUCCEEDED,
        reason="ok",
        goal_achieved=True,
        steps_taken=1,
        execution_time_seconds=3.0,
        cache_hit=True,
    )
    assert store.record_task_finished(result).time_saved_seconds is None
    assert store.record_task_finished(result, time_saved_seconds=7.5).time_saved_seconds == 7.5


def test_cost_breakdown(store: Store) -> None:
    _task(store, "wf", seconds=12, cost=0.035)
    store.record_decision(DecisionRecord(workflow_id="wf", step=1, tier="rules", confidence=0.3))
    store.record_decision(
        DecisionRecord(workflow_id="wf", step=1, tier="ollama", model="qwen", input_tokens=1000, output_tokens=40)
    )
    store.record_decision(
        DecisionRecord(
            workflow_id="wf", step=1, tier="claude", model="sonnet", input_tokens=1200, output_tokens=60, cost_usd=0.02
        )
    )
    store.record_decision(
        DecisionRecord(
            workflow_id="wf", step=2, tier="claude", model="haiku", input_tokens=800, output_tokens=30, cost_usd=0.015
        )
    )
    cost = store.cost("wf")
    assert cost.decisions == 4
    assert cost.total_usd == pytest.approx(0.035)
    assert cost.recorded_task_cost_usd == pytest.approx(0.035)
    assert cost.by_provider == pytest.approx({"rules": 0.0, "ollama": 0.0, "anthropic": 0.035})
    assert cost.by_tier == pytest.approx({"rules": 0.0, "ollama": 0.0, "claude": 0.035})
    assert cost.by_model == pytest.approx({"rules": 0.0, "qwen": 0.0, "sonnet": 0.02, "haiku": 0.015})
    assert (cost.input_tokens, cost.output_tokens) == (3000, 130)
    assert store.cost("unknown").decisions == 0
