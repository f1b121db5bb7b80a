"""Deep links for cached paths: the start URL a path was learned from and where its leading link steps led.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # batch mode: SQLite rebuilds the table, PostgreSQL alters it in place; existing paths get no deep links
    with op.batch_alter_table("site_paths") as batch:
        batch.add_column(sa.Column("start_url", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("links", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("site_paths") as batch:
        batch.drop_column("links")
        batch.drop_column("start_url")
