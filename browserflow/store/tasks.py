"""Task records: one row per workflow, from its start through any review to its result.

Keys only, never values: a task keeps its data *keys*; its goal signature abstracts the values away.
"""

from __future__ import annotations

import statistics
from datetime import datetime

from sqlalchemy import Connection, case, func, select, update

from browserflow.contracts import TERMINAL_STATUSES, TaskRequest, TaskResult, TaskStatus, without_userinfo
from browserflow.store.db import TERMINAL, Database, aware, tasks, utcnow
from browserflow.store.models import TaskInfo
from browserflow.store.schema import TaskRow
from browserflow.store.signature import goal_signature

__all__ = [
    "SITE_MEDIAN_WINDOW",
    "get_task",
    "list_tasks",
    "record_task_finished",
    "record_task_started",
    "record_task_status",
    "site_median",
]

#: How many recent tasks of a site its median time is taken over.
SITE_MEDIAN_WINDOW = 200


def record_task_started(
    db: Database, workflow_id: str, request: TaskRequest, *, started_at: datetime | None = None
) -> None:
    """Record (or re-record, identically) that ``workflow_id`` started on ``request``."""
    now = utcnow()
    started = aware(started_at) if started_at else now
    stmt = db.insert(tasks).values(
        workflow_id=workflow_id,
        request_id=request.request_id,
        goal=request.goal,
        site=request.site,
        start_url=without_userinfo(request.start_url),
        goal_signature=goal_signature(request.goal, request.data),
        status=TaskStatus.RUNNING.value,
        created_at=started,
        started_at=started,
        data_keys=sorted(request.data),
    )
    excluded = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=["workflow_id"],
        set_={
            "request_id": excluded.request_id,
            "goal": excluded.goal,
            "site": excluded.site,
            "start_url": excluded.start_url,
            "goal_signature": excluded.goal_signature,
            "data_keys": excluded.data_keys,
            "started_at": func.coalesce(tasks.c.started_at, excluded.started_at),
            # A late retry must not turn a finished task back into a running one.
            "status": case((tasks.c.status.in_(TERMINAL), tasks.c.status), else_=excluded.status),
        },
    )
    with db.write("record_task_started") as conn:
        conn.execute(stmt)


def record_task_status(db: Database, workflow_id: str, status: TaskStatus | str, reason: str = "") -> None:
    """Record a non-terminal status change (needs_review, paused, running); the same change twice is a no-op.

    A finished task keeps its ending; a terminal ``status`` is refused (:func:`record_task_finished` records
    those, with the result).
    """
    if TaskStatus(status) in TERMINAL_STATUSES:
        raise ValueError(f"{status} is a terminal status: record_task_finished records it")
    now = utcnow()
    with db.write("record_task_status") as conn:
        db.ensure_task(conn, workflow_id, now)
        conn.execute(
            update(tasks)
            .where(tasks.c.workflow_id == workflow_id, tasks.c.status.not_in(TERMINAL))
            .values(status=str(status), reason=reason)
        )


def record_task_finished(
    db: Database, result: TaskResult, *, finished_at: datetime | None = None, time_saved_seconds: float | None = None
) -> TaskInfo:
    """Record a task's result (``result.task_id`` is the workflow id) and return the stored task.

    For a successful cache hit without ``time_saved_seconds``, the time saved is the site's median time of
    live (uncached) successful runs minus this run's time, at least 0 (``None`` with no such runs).
    """
    now = utcnow()
    finished = aware(finished_at) if finished_at else now
    workflow_id = result.task_id
    with db.write("record_task_finished") as conn:
        db.ensure_task(conn, workflow_id, now)
        if time_saved_seconds is None and result.cache_hit and result.goal_achieved:
            site = conn.execute(select(tasks.c.site).where(tasks.c.workflow_id == workflow_id)).scalar_one()
            baseline = site_median(conn, site, exclude=workflow_id) if site else None
            if baseline is not None:
                time_saved_seconds = max(0.0, baseline - result.execution_time_seconds)
        conn.execute(
            update(tasks)
            .where(tasks.c.workflow_id == workflow_id)
            .values(
                status=result.status.value,
                reason=result.reason,
                goal_achieved=result.goal_achieved,
                steps_taken=result.steps_taken,
                final_url=result.final_url,
                finished_at=finished,
                execution_time_seconds=result.execution_time_seconds,
                ai_cost_usd=result.ai_cost,
                cache_hit=result.cache_hit,
                time_saved_seconds=time_saved_seconds,
                result_data=dict(result.result_data),
            )
        )
    task = get_task(db, workflow_id)
    assert task is not None
    return task


def get_task(db: Database, workflow_id: str) -> TaskInfo | None:
    with db.read("get_task") as session:
        row = session.get(TaskRow, workflow_id)
        return TaskInfo.model_validate(row, from_attributes=True) if row else None


def list_tasks(db: Database, *, status: str | None = None, site: str | None = None, limit: int = 50) -> list[TaskInfo]:
    """Newest first."""
    query = select(TaskRow).order_by(TaskRow.created_at.desc(), TaskRow.workflow_id).limit(limit)
    if status:
        query = query.where(TaskRow.status == status)
    if site:
        query = query.where(TaskRow.site == site)
    with db.read("list_tasks") as session:
        return [TaskInfo.model_validate(r, from_attributes=True) for r in session.scalars(query)]


def site_median(conn: Connection, site: str, *, exclude: str | None = None) -> float | None:
    """Median time of the site's recent successful live (uncached) tasks; ``None`` if there are none."""
    query = (
        select(tasks.c.execution_time_seconds)
        .where(
            tasks.c.site == site,
            tasks.c.status == TaskStatus.SUCCEEDED.value,
            tasks.c.cache_hit.is_(False),
            tasks.c.execution_time_seconds.is_not(None),
        )
        .order_by(tasks.c.finished_at.desc())
        .limit(SITE_MEDIAN_WINDOW)
    )
    if exclude is not None:
        query = query.where(tasks.c.workflow_id != exclude)
    values = [float(v) for v in conn.execute(query).scalars()]
    return statistics.median(values) if values else None
