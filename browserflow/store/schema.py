"""The SQL tables, as a typed SQLAlchemy 2 ORM. ``migrations/versions`` creates exactly these tables.

Every timestamp is stored in UTC and read back timezone-aware (see :class:`UTCDateTime`). No column ever
holds a task data value or a secret: tasks keep the data *keys*, steps and site paths keep actions whose
data-bound values are stripped (see ``browserflow.store.scrub``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = ["Base", "DecisionRow", "RecoveryRow", "SitePathRow", "StepRow", "TaskRow", "UTCDateTime"]


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every dialect (SQLite stores it naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class TaskRow(Base):
    """One task (one workflow run)."""

    __tablename__ = "tasks"

    workflow_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(128), index=True)
    goal: Mapped[str] = mapped_column(Text, default="")
    site: Mapped[str] = mapped_column(String(255), default="")
    start_url: Mapped[str] = mapped_column(Text, default="")
    goal_signature: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), default="running", index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    goal_achieved: Mapped[bool] = mapped_column(Boolean, default=False)
    steps_taken: Mapped[int] = mapped_column(Integer, default=0)
    final_url: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    execution_time_seconds: Mapped[float | None] = mapped_column(Float)
    ai_cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    cache_hit: Mapped[bool] = mapped_column(Boolean, default=False)
    time_saved_seconds: Mapped[float | None] = mapped_column(Float)
    result_data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    data_keys: Mapped[list[Any]] = mapped_column(JSON, default=list)

    __table_args__ = (Index("ix_tasks_site_signature", "site", "goal_signature"),)


class StepRow(Base):
    """One executed step of a task; unique per (workflow, step, attempt)."""

    __tablename__ = "steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workflow_id: Mapped[str] = mapped_column(String(255), ForeignKey("tasks.workflow_id", ondelete="CASCADE"))
    step: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str] = mapped_column(Text, default="")
    url_after: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(Text, default="")
    tier: Mapped[str] = mapped_column(String(32), default="")
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    actions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    ok: Mapped[bool] = mapped_column(Boolean, default=True)
    error_type: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("workflow_id", "step", "attempt", name="uq_steps_workflow_step_attempt"),)


class RecoveryRow(Base):
    """One recovery attempt after a failed step; unique per (workflow, step, attempt_no)."""

    __tablename__ = "recovery_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workflow_id: Mapped[str] = mapped_column(String(255), ForeignKey("tasks.workflow_id", ondelete="CASCADE"))
    step: Mapped[int] = mapped_column(Integer)
    attempt_no: Mapped[int] = mapped_column(Integer)
    error_type: Mapped[str] = mapped_column(String(64), default="")
    strategy: Mapped[str] = mapped_column(String(64), default="")
    outcome: Mapped[str] = mapped_column(String(32), default="pending")
    detail: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("workflow_id", "step", "attempt_no", name="uq_recovery_workflow_step_attempt"),)


class DecisionRow(Base):
    """One decider call (one tier asked for one step); unique per (workflow, step, attempt, tier)."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workflow_id: Mapped[str] = mapped_column(String(255), ForeignKey("tasks.workflow_id", ondelete="CASCADE"))
    step: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    tier: Mapped[str] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(64), default="")
    model: Mapped[str | None] = mapped_column(String(128))
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    outcome: Mapped[str] = mapped_column(String(32), default="chosen")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("workflow_id", "step", "attempt", "tier", name="uq_decisions_workflow_step_attempt_tier"),
    )


class SitePathRow(Base):
    """A known path to a goal on a site (the site-knowledge cache); unique per (site, goal_signature)."""

    __tablename__ = "site_paths"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site: Mapped[str] = mapped_column(String(255))
    goal_signature: Mapped[str] = mapped_column(String(64))
    goal_template: Mapped[str] = mapped_column(Text, default="")
    data_keys: Mapped[list[Any]] = mapped_column(JSON, default=list)
    steps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    start_url: Mapped[str] = mapped_column(Text, default="", server_default="")
    links: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_by: Mapped[str | None] = mapped_column(String(255))
    last_failure_by: Mapped[str | None] = mapped_column(String(255))
    median_seconds: Mapped[float | None] = mapped_column(Float)
    recent_seconds: Mapped[list[Any]] = mapped_column(JSON, default=list)

    __table_args__ = (UniqueConstraint("site", "goal_signature", name="uq_site_paths_site_signature"),)
