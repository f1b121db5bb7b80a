"""Tasks, steps, decisions and recoveries: idempotent writes, values never stored. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from browserflow.contracts import Action, ErrorInfo, StepRecord, TaskRequest, TaskResult, TaskStatus
from browserflow.store import DecisionRecord, RecoveryRecord, Store, goal_signature
from browserflow.store.schema import DecisionRow, RecoveryRow, StepRow, TaskRow

from .conftest import TABLES

SECRET_NAME = "Zebulon-Quixote"
SECRET_REF = "env:SITE_PASSWORD"


def _request(**overrides: object) -> TaskRequest:
    values: dict[str, object] = {
        "goal": "Register the student for the Tuesday evening swim class",
        "start_url": "http://demo.test:8000/classes",
        "data": {"student_name": SECRET_NAME, "password": SECRET_REF, "class_id": "Tuesday evening swim"},
        "request_id": "req-1",
    }
    values.update(overrides)
    return TaskRequest.model_validate(values)


def _step(step: int = 1, **overrides: object) -> StepRecord:
    values: dict[str, object] = {
        "step": step,
        "url": "http://demo.test:8000/register",
        "decision": "fill 2 fields, click 'Register'",
        "tier": "rules",
        "confidence": 0.9,
        "actions": [
            Action(kind="fill", selector="#name", label="Student name", value=SECRET_NAME, data_key="student_name"),
            Action(kind="fill", selector="#pw", label="Password", value=SECRET_REF, data_key="password"),
            Action(kind="select", selector="#when", label="Class", value="tue-pm"),
            Action(kind="click", selector="button[type=submit]", label="Register", irreversible=True),
        ],
        "url_after": "http://demo.test:8000/done",
        "duration_ms": 120.0,
    }
    values.update(overrides)
    return StepRecord.model_validate(values)


def _result(workflow_id: str = "wf-1", **overrides: object) -> TaskResult:
    values: dict[str, object] = {
        "task_id": workflow_id,
        "status": TaskStatus.SUCCEEDED,
        "reason": "goal reached: text 'Registered' visible",
        "goal_achieved": True,
        "steps_taken": 2,
        "execution_time_seconds": 12.5,
        "final_url": "http://demo.test:8000/done",
        "result_data": {"confirmation": "C-123"},
        "ai_cost": 0.02,
    }
    values.update(overrides)
    return TaskResult.model_validate(values)


def _count(store: Store, model: type) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def test_task_lifecycle(store: Store) -> None:
    started = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    store.record_task_started("wf-1", _request(), started_at=started)
    task = store.get_task("wf-1")
    assert task is not None
    assert task.status == "running"
    assert task.site == "demo.test:8000"
    assert task.request_id == "req-1"
    assert task.started_at == started and task.created_at == started
    assert task.data_keys == ["class_id", "password", "student_name"]
    assert task.goal_signature == goal_signature(_request().goal, _request().data)

    store.record_task_status("wf-1", TaskStatus.NEEDS_REVIEW, "confirm the payment")
    store.record_task_status("wf-1", TaskStatus.NEEDS_REVIEW, "confirm the payment")  # a retry: the same row
    reviewing = store.get_task("wf-1")
    assert reviewing is not None and (reviewing.status, reviewing.reason) == ("needs_review", "confirm the payment")
    with pytest.raises(ValueError, match="terminal"):
        store.record_task_status("wf-1", TaskStatus.SUCCEEDED)  # only the result records an ending

    finished = store.record_task_finished(_result(), finished_at=started + timedelta(seconds=13))
    assert finished.status == "succeeded"
    assert finished.goal_achieved is True
    assert finished.steps_taken == 2
    assert finished.execution_time_seconds == 12.5
    assert finished.ai_cost_usd == 0.02
    assert finished.result_data == {"confirmation": "C-123"}
    assert finished.finished_at == started + timedelta(seconds=13)
    assert finished.time_saved_seconds is None  # not a cache hit

    # a non-terminal status and a late retry of the start never reopen a finished task
    store.record_task_status("wf-1", TaskStatus.RUNNING)
    store.record_task_started("wf-1", _request(), started_at=started + timedelta(hours=1))
    again = store.get_task("wf-1")
    assert again is not None and again.status == "succeeded" and again.started_at == started
    assert _count(store, TaskRow) == 1
    assert store.get_task("nope") is None


def test_list_tasks_filters_newest_first(store: Store) -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for i, url in enumerate(["http://a.test/", "http://b.test/", "http://a.test/x"]):
        store.record_task_started(f"wf-{i}", _request(start_url=url), started_at=t0 + timedelta(minutes=i))
    store.record_task_finished(_result("wf-0"))
    assert [t.workflow_id for t in store.list_tasks()] == ["wf-2", "wf-1", "wf-0"]
    assert [t.workflow_id for t in store.list_tasks(site="a.test")] == ["wf-2", "wf-0"]
    assert [t.workflow_id for t in store.list_tasks(status="succeeded")] == ["wf-0"]
    assert len(store.list_tasks(limit=1)) == 1


def test_credentials_in_a_start_url_are_never_stored(store: Store) -> None:
    store.record_task_started("wf-auth", _request(start_url="http://eden:s3cret@a.test:8080/login"))
    task = store.get_task("wf-auth")
    assert task is not None and task.start_url == "http://a.test:8080/login" and task.site == "a.test:8080"
    assert "s3cret" not in task.model_dump_json()


def test_same_step_twice_is_one_row(store: Store) -> None:
    store.record_task_started("wf-1", _request())
    store.record_step(_step(1), "wf-1")
    store.record_step(_step(1, confidence=0.95), "wf-1")  # an activity retry, same keys
    assert _count(store, StepRow) == 1
    assert store.list_steps("wf-1")[0].confidence == 0.95

    store.record_step(_step(1, ok=False, error=ErrorInfo(type="ElementNotFound", message="#x")), "wf-1", attempt=1)
    store.record_step(_step(2), "wf-1")
    steps = store.list_steps("wf-1")
    assert [(s.step, s.attempt) for s in steps] == [(1, 0), (1, 1), (2, 0)]
    assert steps[1].ok is False and steps[1].error_type == "ElementNotFound" and steps[1].error_message == "#x"
    assert steps[1].actions[0].data_key == "student_name" and steps[1].actions[0].value is None


def test_children_before_the_task_start_are_kept(store: Store) -> None:
    store.record_step(_step(1), "wf-early")
    store.record_decision(DecisionRecord(workflow_id="wf-early", step=1, tier="rules"))
    store.record_task_started("wf-early", _request())
    task = store.get_task("wf-early")
    assert task is not None and task.goal.startswith("Register") and task.status == "running"
    assert len(store.list_steps("wf-early")) == 1


def test_decisions_and_recoveries_are_idempotent(store: Store) -> None:
    store.record_task_started("wf-1", _request())
    record = DecisionRecord(
        workflow_id="wf-1",
        step=1,
        tier="claude",
        model="claude-x",
        input_tokens=900,
        output_tokens=50,
        latency_ms=800.0,
        cost_usd=0.004,
        confidence=0.8,
    )
    store.record_decision(record)
    store.record_decision(record)
    store.record_decision(record.model_copy(update={"tier": "ollama", "cost_usd": 0.0}))
    assert _count(store, DecisionRow) == 2
    decisions = store.list_decisions("wf-1")
    assert {d.tier: d.provider for d in decisions} == {"claude": "anthropic", "ollama": "ollama"}

    pending = RecoveryRecord(workflow_id="wf-1", step=3, attempt_no=1, error_type="PageTimeout", strategy="reload")
    store.record_recoveries([pending])
    store.record_recoveries([pending.model_copy(update={"outcome": "recovered"})])
    assert _count(store, RecoveryRow) == 1
    (recovery,) = store.list_recoveries("wf-1")
    assert recovery.outcome == "recovered" and recovery.strategy == "reload"


def test_concurrent_retries_write_one_row(store: Store) -> None:
    store.record_task_started("wf-1", _request())
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def write() -> None:
        try:
            barrier.wait(timeout=10)
            store.record_step(_step(4), "wf-1")
            store.record_decision(DecisionRecord(workflow_id="wf-1", step=4, tier="rules"))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert _count(store, StepRow) == 1
    assert _count(store, DecisionRow) == 1


def test_data_values_and_secret_refs_are_never_stored(store: Store) -> None:
    request = _request()
    store.record_task_started("wf-1", request)
    store.record_step(_step(1), "wf-1")
    store.record_task_finished(_result())
    saved = store.save_task_path(request, [_step(1)], duration_s=12.5, workflow_id="wf-1")
    # only the keys the path binds become placeholders; class_id only steered the choice of a row
    assert "{class_id}" not in saved.goal_template and saved.goal_template.startswith("register the student")

    (step,) = store.list_steps("wf-1")
    fills = [a for a in step.actions if a.data_key]
    assert fills and all(a.value is None for a in fills)
    # a value not bound to task data is kept: it is part of the path, not of the task's data
    assert [a.value for a in step.actions if a.kind == "select"] == ["tue-pm"]

    dump: list[str] = []
    with store.engine.connect() as conn:
        for table in TABLES:
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                dump.append(json.dumps([str(v) for v in row]))
    everything = "\n".join(dump)
    assert SECRET_NAME not in everything
    assert SECRET_REF not in everything
    assert "student_name" in everything  # the keys are there
