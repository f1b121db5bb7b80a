"""Initial schema: tasks, steps, recovery_attempts, decisions, site_paths.

Written by hand to match ``browserflow/store/schema.py`` (the tests compare the migrated database against the
ORM metadata on SQLite and PostgreSQL).

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def _task_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workflow_id"], ["tasks.workflow_id"], name=f"fk_{table}_workflow_id_tasks", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("workflow_id", sa.String(255), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("site", sa.String(255), nullable=False),
        sa.Column("start_url", sa.Text(), nullable=False),
        sa.Column("goal_signature", sa.String(64), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("goal_achieved", sa.Boolean(), nullable=False),
        sa.Column("steps_taken", sa.Integer(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("started_at", TZ, nullable=True),
        sa.Column("finished_at", TZ, nullable=True),
        sa.Column("execution_time_seconds", sa.Float(), nullable=True),
        sa.Column("ai_cost_usd", sa.Float(), nullable=False),
        sa.Column("cache_hit", sa.Boolean(), nullable=False),
        sa.Column("time_saved_seconds", sa.Float(), nullable=True),
        sa.Column("result_data", sa.JSON(), nullable=False),
        sa.Column("data_keys", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("workflow_id", name="pk_tasks"),
    )
    op.create_index("ix_tasks_request_id", "tasks", ["request_id"])
    op.create_index("ix_tasks_status", "tasks", ["status"])
    op.create_index("ix_tasks_created_at", "tasks", ["created_at"])
    op.create_index("ix_tasks_site_signature", "tasks", ["site", "goal_signature"])

    op.create_table(
        "steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workflow_id", sa.String(255), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_after", sa.Text(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("tier", sa.String(32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error_type", sa.String(64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_steps"),
        _task_fk("steps"),
        sa.UniqueConstraint("workflow_id", "step", "attempt", name="uq_steps_workflow_step_attempt"),
    )

    op.create_table(
        "recovery_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workflow_id", sa.String(255), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("attempt_no", sa.Integer(), nullable=False),
        sa.Column("error_type", sa.String(64), nullable=False),
        sa.Column("strategy", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_recovery_attempts"),
        _task_fk("recovery_attempts"),
        sa.UniqueConstraint("workflow_id", "step", "attempt_no", name="uq_recovery_workflow_step_attempt"),
    )

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workflow_id", sa.String(255), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(32), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("model", sa.String(128), nullable=True),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
        _task_fk("decisions"),
        sa.UniqueConstraint("workflow_id", "step", "attempt", "tier", name="uq_decisions_workflow_step_attempt_tier"),
    )

    op.create_table(
        "site_paths",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site", sa.String(255), nullable=False),
        sa.Column("goal_signature", sa.String(64), nullable=False),
        sa.Column("goal_template", sa.Text(), nullable=False),
        sa.Column("data_keys", sa.JSON(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("last_success_at", TZ, nullable=True),
        sa.Column("last_failure_at", TZ, nullable=True),
        sa.Column("last_success_by", sa.String(255), nullable=True),
        sa.Column("last_failure_by", sa.String(255), nullable=True),
        sa.Column("median_seconds", sa.Float(), nullable=True),
        sa.Column("recent_seconds", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_site_paths"),
        sa.UniqueConstraint("site", "goal_signature", name="uq_site_paths_site_signature"),
    )
    op.create_index("ix_site_paths_expires_at", "site_paths", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_site_paths_expires_at", table_name="site_paths")
    op.drop_table("site_paths")
    op.drop_table("decisions")
    op.drop_table("recovery_attempts")
    op.drop_table("steps")
    op.drop_index("ix_tasks_site_signature", table_name="tasks")
    op.drop_index("ix_tasks_created_at", table_name="tasks")
    op.drop_index("ix_tasks_status", table_name="tasks")
    op.drop_index("ix_tasks_request_id", table_name="tasks")
    op.drop_table("tasks")
