"""The ``Store`` facade: every read and write the engine makes to SQL, one method each, delegating to the
modules that hold them: ``tasks`` (task records), ``records`` (steps, decisions, recoveries), ``paths`` (the
site-path cache) and ``reports`` (stats, costs, medians), all over one ``db.Database``.

Synchronous by design: Temporal activities call it through a thread executor. Every write is an upsert on the
row's natural key, so an activity retried with the same arguments never duplicates a row; counters that a
retry could bump twice (site path successes and failures) take the workflow id and ignore its repeats.
Every database failure leaves as :class:`browserflow.errors.StoreError` (retryable).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import URL, Engine

from browserflow.config import Settings
from browserflow.contracts import Action, StepRecord, TaskRequest, TaskResult, TaskStatus
from browserflow.store import paths, records, reports, tasks
from browserflow.store.db import Database
from browserflow.store.engine import make_engine
from browserflow.store.models import (
    CostBreakdown,
    DecisionInfo,
    DecisionRecord,
    RecoveryInfo,
    RecoveryRecord,
    SitePath,
    Stats,
    StepInfo,
    TaskInfo,
)
from browserflow.store.paths import DEFAULT_PATH_TTL, MAX_PATH_FAILURES, RECENT_DURATIONS
from browserflow.store.reports import percentile

__all__ = ["DEFAULT_PATH_TTL", "MAX_PATH_FAILURES", "RECENT_DURATIONS", "Store", "percentile"]


class Store:
    """Tasks, steps, decisions, recoveries and the site-path cache, in SQLite or PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.db = Database(engine)
        self.engine = engine

    # -- construction ---------------------------------------------------------------------------------------

    @classmethod
    def from_url(cls, url: str | URL) -> Store:
        return cls(make_engine(url))

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Store:
        return cls.from_url((settings or Settings.from_env()).resolved_database_url())

    @property
    def url(self) -> str:
        """The database URL with the password masked."""
        return self.db.url

    def close(self) -> None:
        self.engine.dispose()

    def require_current(self) -> None:
        """:class:`StoreError` unless the database is reachable and its schema at the code's migration head."""
        from browserflow.store.migrate import require_current

        require_current(self.engine)

    # -- tasks (browserflow.store.tasks) ---------------------------------------------------------------------

    def record_task_started(
        self, workflow_id: str, request: TaskRequest, *, started_at: datetime | None = None
    ) -> None:
        tasks.record_task_started(self.db, workflow_id, request, started_at=started_at)

    def record_task_status(self, workflow_id: str, status: TaskStatus | str, reason: str = "") -> None:
        tasks.record_task_status(self.db, workflow_id, status, reason)

    def record_task_finished(
        self, result: TaskResult, *, finished_at: datetime | None = None, time_saved_seconds: float | None = None
    ) -> TaskInfo:
        return tasks.record_task_finished(
            self.db, result, finished_at=finished_at, time_saved_seconds=time_saved_seconds
        )

    def get_task(self, workflow_id: str) -> TaskInfo | None:
        return tasks.get_task(self.db, workflow_id)

    def list_tasks(self, *, status: str | None = None, site: str | None = None, limit: int = 50) -> list[TaskInfo]:
        return tasks.list_tasks(self.db, status=status, site=site, limit=limit)

    # -- steps, decisions, recoveries (browserflow.store.records) -------------------------------------------

    def record_step(self, record: StepRecord, workflow_id: str, attempt: int = 0) -> None:
        records.record_step(self.db, record, workflow_id, attempt)

    def list_steps(self, workflow_id: str) -> list[StepInfo]:
        return records.list_steps(self.db, workflow_id)

    def record_decision(self, record: DecisionRecord) -> None:
        records.record_decision(self.db, record)

    def list_decisions(self, workflow_id: str) -> list[DecisionInfo]:
        return records.list_decisions(self.db, workflow_id)

    def record_recoveries(self, recoveries: Sequence[RecoveryRecord]) -> None:
        records.record_recoveries(self.db, recoveries)

    def list_recoveries(self, workflow_id: str) -> list[RecoveryInfo]:
        return records.list_recoveries(self.db, workflow_id)

    # -- the site-path cache (browserflow.store.paths) -------------------------------------------------------

    def save_path(
        self,
        site: str,
        signature: str,
        steps: Sequence[Action | StepRecord],
        data_keys: Iterable[str] = (),
        *,
        ttl: timedelta = DEFAULT_PATH_TTL,
        duration_s: float | None = None,
        template: str = "",
        workflow_id: str | None = None,
        now: datetime | None = None,
        start_url: str = "",
        links: Sequence[str] = (),
    ) -> SitePath:
        return paths.save_path(
            self.db,
            site,
            signature,
            steps,
            data_keys,
            ttl=ttl,
            duration_s=duration_s,
            template=template,
            workflow_id=workflow_id,
            now=now,
            start_url=start_url,
            links=links,
        )

    def save_task_path(
        self,
        request: TaskRequest,
        steps: Sequence[Action | StepRecord],
        *,
        duration_s: float | None = None,
        workflow_id: str | None = None,
        ttl: timedelta = DEFAULT_PATH_TTL,
        now: datetime | None = None,
        deep_links: bool = True,
    ) -> SitePath:
        return paths.save_task_path(
            self.db,
            request,
            steps,
            duration_s=duration_s,
            workflow_id=workflow_id,
            ttl=ttl,
            now=now,
            deep_links=deep_links,
        )

    def lookup_task_path(self, request: TaskRequest, now: datetime | None = None) -> SitePath | None:
        return paths.lookup_task_path(self.db, request, now)

    def list_paths(self, site: str | None = None) -> list[SitePath]:
        return paths.list_paths(self.db, site)

    def get_path(self, site: str, signature: str) -> SitePath | None:
        return paths.get_path(self.db, site, signature)

    def mark_path_failure(
        self, site: str, signature: str, *, workflow_id: str | None = None, now: datetime | None = None
    ) -> int | None:
        return paths.mark_path_failure(self.db, site, signature, workflow_id=workflow_id, now=now)

    def mark_path_success(
        self,
        site: str,
        signature: str,
        *,
        duration_s: float | None = None,
        workflow_id: str | None = None,
        ttl: timedelta = DEFAULT_PATH_TTL,
        now: datetime | None = None,
    ) -> SitePath | None:
        return paths.mark_path_success(
            self.db, site, signature, duration_s=duration_s, workflow_id=workflow_id, ttl=ttl, now=now
        )

    def forget_links(self, site: str, signature: str) -> None:
        paths.forget_links(self.db, site, signature)

    def delete_path(self, site: str, signature: str) -> bool:
        return paths.delete_path(self.db, site, signature)

    # -- reports (browserflow.store.reports) -----------------------------------------------------------------

    def site_median_seconds(self, site: str) -> float | None:
        return reports.site_median_seconds(self.db, site)

    def stats(self, since: timedelta | None = None, site: str | None = None, *, now: datetime | None = None) -> Stats:
        return reports.stats(self.db, since, site, now=now)

    def cost(self, workflow_id: str) -> CostBreakdown:
        return reports.cost(self.db, workflow_id)
