"""Step, decision and recovery records: what each step of a task did, which tiers it asked, how it recovered.

Each write is an upsert on the row's natural key, so a retried activity overwrites, never duplicates. Steps
lose their data-bound values on the way in (see ``browserflow.store.scrub``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from browserflow.contracts import StepRecord
from browserflow.store.db import Database, decisions, recoveries, steps, utcnow
from browserflow.store.models import DecisionInfo, DecisionRecord, RecoveryInfo, RecoveryRecord, StepInfo
from browserflow.store.schema import DecisionRow, RecoveryRow, StepRow
from browserflow.store.scrub import scrubbed_json

__all__ = [
    "list_decisions",
    "list_recoveries",
    "list_steps",
    "record_decision",
    "record_recoveries",
    "record_step",
]


def record_step(db: Database, record: StepRecord, workflow_id: str, attempt: int = 0) -> None:
    """Record one step; the same (workflow_id, step, attempt) again overwrites, never duplicates."""
    now = utcnow()
    values: dict[str, Any] = {
        "url": record.url,
        "url_after": record.url_after,
        "decision": record.decision,
        "tier": record.tier,
        "confidence": record.confidence,
        "actions": scrubbed_json(record.actions),
        "ok": record.ok,
        "error_type": record.error.type if record.error else None,
        "error_message": record.error.message if record.error else None,
        "duration_ms": record.duration_ms,
        "cost_usd": record.cost_usd,
        "recorded_at": now,
    }
    stmt = db.insert(steps).values(workflow_id=workflow_id, step=record.step, attempt=attempt, **values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["workflow_id", "step", "attempt"], set_={k: stmt.excluded[k] for k in values}
    )
    with db.write("record_step") as conn:
        db.ensure_task(conn, workflow_id, now)
        conn.execute(stmt)


def list_steps(db: Database, workflow_id: str) -> list[StepInfo]:
    query = select(StepRow).where(StepRow.workflow_id == workflow_id).order_by(StepRow.step, StepRow.attempt)
    with db.read("list_steps") as session:
        return [StepInfo.model_validate(r, from_attributes=True) for r in session.scalars(query)]


def record_decision(db: Database, record: DecisionRecord) -> None:
    """Record one decider call; unique per (workflow_id, step, attempt, tier)."""
    now = utcnow()
    values: dict[str, Any] = {
        "provider": record.resolved_provider(),
        "model": record.model,
        "input_tokens": record.input_tokens,
        "output_tokens": record.output_tokens,
        "latency_ms": record.latency_ms,
        "cost_usd": record.cost_usd,
        "confidence": record.confidence,
        "outcome": record.outcome,
        "recorded_at": now,
    }
    stmt = db.insert(decisions).values(
        workflow_id=record.workflow_id, step=record.step, attempt=record.attempt, tier=record.tier, **values
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["workflow_id", "step", "attempt", "tier"], set_={k: stmt.excluded[k] for k in values}
    )
    with db.write("record_decision") as conn:
        db.ensure_task(conn, record.workflow_id, now)
        conn.execute(stmt)


def list_decisions(db: Database, workflow_id: str) -> list[DecisionInfo]:
    query = (
        select(DecisionRow)
        .where(DecisionRow.workflow_id == workflow_id)
        .order_by(DecisionRow.step, DecisionRow.attempt, DecisionRow.id)
    )
    with db.read("list_decisions") as session:
        return [DecisionInfo.model_validate(r, from_attributes=True) for r in session.scalars(query)]


def record_recoveries(db: Database, records: Sequence[RecoveryRecord]) -> None:
    """Record recovery attempts in one transaction; each an upsert on (workflow_id, step, attempt_no), so
    recording one again (e.g. 'pending' then 'recovered') updates its row."""
    if not records:
        return
    now = utcnow()
    keys = ("error_type", "strategy", "outcome", "detail", "recorded_at")
    with db.write("record_recoveries") as conn:
        for workflow_id in sorted({r.workflow_id for r in records}):
            db.ensure_task(conn, workflow_id, now)
        for r in records:
            stmt = db.insert(recoveries).values(**r.model_dump(), recorded_at=now)
            stmt = stmt.on_conflict_do_update(
                index_elements=["workflow_id", "step", "attempt_no"], set_={k: stmt.excluded[k] for k in keys}
            )
            conn.execute(stmt)


def list_recoveries(db: Database, workflow_id: str) -> list[RecoveryInfo]:
    query = (
        select(RecoveryRow)
        .where(RecoveryRow.workflow_id == workflow_id)
        .order_by(RecoveryRow.step, RecoveryRow.attempt_no)
    )
    with db.read("list_recoveries") as session:
        return [RecoveryInfo.model_validate(r, from_attributes=True) for r in session.scalars(query)]
