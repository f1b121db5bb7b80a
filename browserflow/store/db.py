"""The store's plumbing: one engine, its sessions, dialect-aware upserts and the ``StoreError`` boundary.

Every record, cache and report module takes a :class:`Database`; none opens a connection any other way, so
every database failure leaves as :class:`browserflow.errors.StoreError` (retryable) with the password masked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from browserflow.contracts import TERMINAL_STATUSES, TaskStatus
from browserflow.errors import StoreError
from browserflow.store.engine import describe_db_error, safe_url
from browserflow.store.schema import DecisionRow, RecoveryRow, SitePathRow, StepRow, TaskRow

__all__ = ["TERMINAL", "Database", "aware", "decisions", "paths", "recoveries", "steps", "tasks", "utcnow"]

#: The terminal status values, as stored.
TERMINAL = sorted(s.value for s in TERMINAL_STATUSES)

tasks = cast(Table, TaskRow.__table__)
steps = cast(Table, StepRow.__table__)
decisions = cast(Table, DecisionRow.__table__)
recoveries = cast(Table, RecoveryRow.__table__)
paths = cast(Table, SitePathRow.__table__)


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime:
    """``value`` in UTC (naive values are taken as UTC); now when ``None``."""
    if value is None:
        return utcnow()
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Database:
    """An engine on SQLite or PostgreSQL, with the two ways in: a write transaction and a read session."""

    def __init__(self, engine: Engine) -> None:
        dialect = engine.dialect.name
        if dialect not in {"sqlite", "postgresql"}:
            raise StoreError(f"unsupported database {dialect!r}: use SQLite or PostgreSQL")
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.insert: Callable[[Table], Any] = postgresql.insert if dialect == "postgresql" else sqlite.insert

    @property
    def url(self) -> str:
        """The database URL with the password masked."""
        return safe_url(self.engine.url)

    def error(self, op: str, exc: SQLAlchemyError) -> StoreError:
        return StoreError(f"store {op} failed on {self.url}: {describe_db_error(exc)}")

    @contextmanager
    def write(self, op: str) -> Iterator[Connection]:
        """One transaction, committed on leaving; ``op`` names the operation in the error."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise self.error(op, exc) from exc

    @contextmanager
    def connect(self, op: str) -> Iterator[Connection]:
        """A plain connection for aggregate reads."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise self.error(op, exc) from exc

    @contextmanager
    def read(self, op: str) -> Iterator[Session]:
        """An ORM session for reading rows into models."""
        try:
            with self._sessions() as session:
                yield session
        except SQLAlchemyError as exc:
            raise self.error(op, exc) from exc

    def ensure_task(self, conn: Connection, workflow_id: str, now: datetime) -> None:
        """A placeholder task row, so child rows recorded before the task's start still satisfy the FK."""
        stmt = self.insert(tasks).values(workflow_id=workflow_id, created_at=now, status=TaskStatus.RUNNING.value)
        conn.execute(stmt.on_conflict_do_nothing(index_elements=["workflow_id"]))
