"""A task's life in the store as plain functions (``browserflow.store.lifecycle``), on SQLite and PostgreSQL:
what the finish writes to the tasks, steps, decisions, recoveries and the site-path cache; the start's cache
offer; the status changes of a review."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from temporalio.testing import ActivityEnvironment

from activities.store import StoreActivities
from browserflow.contracts import (
    Action,
    DecisionAttempt,
    RecoveryAttempt,
    StepRecord,
    StoreAck,
    TaskFinishInput,
    TaskRequest,
    TaskResult,
    TaskStartInput,
    TaskStatus,
    TaskStatusInput,
)
from browserflow.store import MAX_PATH_FAILURES, Store, goal_signature, migrate
from browserflow.store.lifecycle import (
    decision_records,
    finish_task,
    group_steps,
    recovery_records,
    start_task,
    update_task_status,
)
from browserflow.temporal.policies import options

SITE = "swim.test"
REQUEST = TaskRequest(
    goal="Register Eden for the Tuesday evening swim class",
    start_url=f"http://{SITE}/",
    data={"student_name": "Eden"},
)
OPEN = Action(id="1.0", kind="click", selector="a[href='/register']", label="Register a student")
FILL = Action(id="2.0", kind="fill", selector="#student", label="Student", value="Eden", data_key="student_name")
SEND = Action(id="2.1", kind="click", selector="button[type=submit]", label="Register", irreversible=True)
DELETE = Action(id="2.1", kind="click", selector="#delete", label="Delete account", irreversible=True)
RELOAD = RecoveryAttempt(error_type="PageTimeout", strategy="reload", attempt=1, outcome="recovered")


def _steps(second: list[Action] | None = None, *, tier: str = "rules") -> list[StepRecord]:
    return [
        StepRecord(step=1, url=f"http://{SITE}/", decision="open the form", tier=tier, actions=[OPEN]),
        StepRecord(
            step=2,
            url=f"http://{SITE}/register",
            decision="fill and send",
            tier=tier,
            actions=second or [FILL, SEND],
            recoveries=[RELOAD],
        ),
    ]


def _finish(workflow_id: str, status: TaskStatus = TaskStatus.SUCCEEDED, **fields: object) -> TaskFinishInput:
    result = TaskResult(
        task_id=workflow_id,
        status=status,
        reason="done" if status == TaskStatus.SUCCEEDED else "stuck",
        goal_achieved=status == TaskStatus.SUCCEEDED,
        steps_taken=2,
        execution_time_seconds=8.0,
        cache_hit=bool(fields.get("cache_used")),
    )
    return TaskFinishInput.model_validate({"request": REQUEST, "result": result, "steps": _steps(), **fields})


def _start(workflow_id: str) -> TaskStartInput:
    return TaskStartInput(workflow_id=workflow_id, request=REQUEST, started_at=datetime.now(UTC))


def test_a_live_success_records_everything_and_becomes_the_cached_path(store: Store) -> None:
    asked = DecisionAttempt(tier="claude", provider="anthropic", outcome="chosen", cost_usd=0.01, confidence=0.9)
    inp = _finish("wf-live", attempts={2: [asked]}, recoveries={1: [RELOAD]})
    task = finish_task(store, inp)
    assert (task.status, task.goal_achieved, task.goal) == ("succeeded", True, REQUEST.goal)  # started late

    assert [(s.step, s.ok) for s in store.list_steps("wf-live")] == [(1, True), (2, True)]
    # step 1 consulted no tier: one local decision; step 2 the tier it asked
    assert [(d.step, d.tier, d.provider) for d in store.list_decisions("wf-live")] == [
        (1, "rules", "local"),
        (2, "claude", "anthropic"),
    ]
    assert [(r.step, r.attempt_no, r.outcome) for r in store.list_recoveries("wf-live")] == [
        (1, 1, "recovered"),
        (2, 1, "recovered"),
    ]
    path = store.lookup_task_path(REQUEST)
    assert path is not None and path.uses == 0 and path.median_seconds == 8.0
    assert [a.selector for a in path.steps] == [OPEN.selector, FILL.selector, SEND.selector]

    finish_task(store, inp)  # a retried activity: nothing doubles
    assert len(store.list_steps("wf-live")) == 2 and len(store.list_recoveries("wf-live")) == 2
    assert len(store.list_decisions("wf-live")) == 2 and len(store.list_paths(SITE)) == 1


def test_the_start_offers_the_cached_path_grouped_by_step(store: Store) -> None:
    assert start_task(store, _start("wf-cold")).path is None
    finish_task(store, _finish("wf-cold"))
    started = start_task(store, _start("wf-warm"))
    assert started.path is not None and started.site_median_seconds == 8.0
    assert [[a.selector for a in step] for step in started.path.steps] == [
        [OPEN.selector],
        [FILL.selector, SEND.selector],
    ]
    assert started.path.steps[1][0].value == "Eden"  # bound from the request's data
    assert store.get_task("wf-warm") is not None


def test_a_clean_replay_counts_a_success_once(store: Store) -> None:
    finish_task(store, _finish("wf-learn"))
    signature = goal_signature(REQUEST.goal, REQUEST.data)
    replay = _finish("wf-replay", cache_used=True, cache_signature=signature)
    finish_task(store, replay)
    finish_task(store, replay)
    path = store.get_path(SITE, signature)
    assert path is not None and path.uses == 1
    task = store.get_task("wf-replay")
    assert task is not None and task.cache_hit and task.time_saved_seconds == 0.0  # as fast as the live run


def test_broken_replays_invalidate_and_a_refused_deep_link_is_forgotten(store: Store) -> None:
    signature = goal_signature(REQUEST.goal, REQUEST.data)
    store.save_task_path(REQUEST, _steps(), workflow_id="wf-learn")
    store.save_path(SITE, signature, _steps(), ["student_name"], links=[f"http://{SITE}/register"])
    finish_task(store, _finish("wf-refused", cache_used=True, cache_signature=signature, deep_link_refused=True))
    path = store.get_path(SITE, signature)
    assert path is not None and path.links == [] and path.uses == 1

    for n in range(MAX_PATH_FAILURES):
        finish_task(store, _finish(f"wf-broken-{n}", TaskStatus.STUCK, cache_used=True, cache_broken=True))
    broken = store.get_path(SITE, signature)
    assert broken is not None and broken.consecutive_failures == MAX_PATH_FAILURES
    assert store.lookup_task_path(REQUEST) is None


def test_a_healed_replay_replaces_the_path_and_failures_never_cache(store: Store) -> None:
    finish_task(store, _finish("wf-stuck", TaskStatus.STUCK))
    assert store.list_paths(SITE) == []  # a failed live run teaches nothing
    finish_task(store, _finish("wf-learn"))
    healed = _finish("wf-healed", cache_used=True, cache_broken=True).model_copy(
        update={"steps": _steps([FILL, SEND.model_copy(update={"selector": "#send"})])}
    )
    finish_task(store, healed)
    path = store.lookup_task_path(REQUEST)
    assert path is not None and path.steps[-1].selector == "#send" and path.consecutive_failures == 0


def test_a_run_with_a_harmful_unasked_action_is_never_cached(store: Store) -> None:
    finish_task(store, _finish("wf-harm").model_copy(update={"steps": _steps([FILL, DELETE])}))
    assert store.list_paths(SITE) == []
    assert store.get_task("wf-harm") is not None


def test_a_review_sets_and_clears_the_status(store: Store) -> None:
    store.record_task_started("wf-review", REQUEST)
    review = TaskStatusInput(workflow_id="wf-review", status=TaskStatus.NEEDS_REVIEW, reason="confirm the class")
    assert update_task_status(store, review) and update_task_status(store, review)  # twice: the same row
    task = store.get_task("wf-review")
    assert task is not None and (task.status, task.reason) == ("needs_review", "confirm the class")
    assert update_task_status(store, TaskStatusInput(workflow_id="wf-review", status=TaskStatus.RUNNING))
    assert store.get_task("wf-review").status == "running"  # type: ignore[union-attr]

    refused = TaskStatusInput(workflow_id="wf-review", status=TaskStatus.SUCCEEDED)
    assert update_task_status(store, refused) is False  # only the finish records an ending
    assert store.get_task("wf-review").status == "running"  # type: ignore[union-attr]


def test_group_steps_and_numbering() -> None:
    assert group_steps([SEND, OPEN, FILL]) == [[OPEN], [SEND, FILL]]
    records = recovery_records("wf", _steps(), {2: [RELOAD], 5: [RELOAD]})
    assert [(r.step, r.attempt_no) for r in records] == [(2, 1), (2, 2), (5, 1)]
    cached = _finish("wf").model_copy(update={"steps": _steps(tier="cache")})
    assert decision_records("wf", cached) == []  # a replayed step decided nothing


@pytest.mark.parametrize("status", [TaskStatus.NEEDS_REVIEW, TaskStatus.PAUSED])
def test_a_finished_task_keeps_its_ending(store: Store, status: TaskStatus) -> None:
    finish_task(store, _finish("wf-done"))
    assert update_task_status(store, TaskStatusInput(workflow_id="wf-done", status=status))
    assert store.get_task("wf-done").status == "succeeded"  # type: ignore[union-attr]


def test_the_task_status_activity_on_sqlite(tmp_path: Path) -> None:
    """The activity as the worker registers it, through Temporal's activity environment."""
    url = f"sqlite:///{tmp_path / 'status.db'}"
    migrate.upgrade(url)
    store = Store.from_url(url)
    try:
        activities = StoreActivities(store)
        assert getattr(activities.task_status, "__temporal_activity_definition").name == "task_status"
        assert options("task_status")["retry_policy"].maximum_attempts > 1  # the workflow's call has a policy row
        env = ActivityEnvironment()
        env.run(activities.task_started, _start("wf-act"))
        review = TaskStatusInput(workflow_id="wf-act", status=TaskStatus.NEEDS_REVIEW, reason="confirm")
        assert env.run(activities.task_status, review) == StoreAck(ok=True)
        assert env.run(activities.task_status, review) == StoreAck(ok=True)  # idempotent
        assert store.get_task("wf-act").status == "needs_review"  # type: ignore[union-attr]
        ended = env.run(activities.task_status, review.model_copy(update={"status": TaskStatus.SUCCEEDED}))
        assert ended.ok is False and "finish" in ended.detail
        env.run(activities.task_status, review.model_copy(update={"status": TaskStatus.RUNNING}))
        assert store.get_task("wf-act").status == "running"  # type: ignore[union-attr]
        assert env.run(activities.task_finished, _finish("wf-act")) == StoreAck(ok=True)
        assert store.get_task("wf-act").status == "succeeded"  # type: ignore[union-attr]
    finally:
        store.close()
