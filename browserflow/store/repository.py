"""The store's repository: every read and write the engine makes to SQL.

Synchronous by design: Temporal activities call it through a thread executor. Every write is an upsert on the
row's natural key, so an activity retried with the same arguments never duplicates a row; counters that a
retry could bump twice (site path successes and failures) take the workflow id and ignore its repeats.
Every database failure leaves as :class:`browserflow.errors.StoreError` (retryable).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Engine, Table, and_, case, delete, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, aliased, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from browserflow.config import Settings
from browserflow.contracts import (
    TERMINAL_STATUSES,
    Action,
    StepRecord,
    TaskRequest,
    TaskResult,
    TaskStatus,
    without_userinfo,
)
from browserflow.errors import StoreError
from browserflow.replay import entry_point
from browserflow.store.engine import describe_db_error, make_engine, safe_url
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
from browserflow.store.schema import DecisionRow, RecoveryRow, SitePathRow, StepRow, TaskRow
from browserflow.store.scrub import path_actions, scrubbed_json
from browserflow.store.signature import goal_signature, goal_template

__all__ = ["DEFAULT_PATH_TTL", "MAX_PATH_FAILURES", "RECENT_DURATIONS", "Store", "percentile"]

DEFAULT_PATH_TTL = timedelta(days=7)
#: This many consecutive failed replays invalidate a cached path.
MAX_PATH_FAILURES = 3
#: How many recent durations of a path its median is taken over.
RECENT_DURATIONS = 20
#: How many recent tasks of a site its median time is taken over.
SITE_MEDIAN_WINDOW = 200

_TERMINAL = sorted(s.value for s in TERMINAL_STATUSES)
_tasks = cast(Table, TaskRow.__table__)
_steps = cast(Table, StepRow.__table__)
_decisions = cast(Table, DecisionRow.__table__)
_recoveries = cast(Table, RecoveryRow.__table__)
_paths = cast(Table, SitePathRow.__table__)

T = TypeVar("T")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime:
    if value is None:
        return _utcnow()
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) by linear interpolation between closest ranks; ``None`` for no values."""
    data = sorted(values)
    if not data:
        return None
    if len(data) == 1:
        return float(data[0])
    pos = (len(data) - 1) * q / 100.0
    low = int(pos)
    high = min(low + 1, len(data) - 1)
    return float(data[low] + (data[high] - data[low]) * (pos - low))


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


class Store:
    """Tasks, steps, decisions, recoveries and the site-path cache, in SQLite or PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        dialect = engine.dialect.name
        if dialect not in {"sqlite", "postgresql"}:
            raise StoreError(f"unsupported database {dialect!r}: use SQLite or PostgreSQL")
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._insert = postgresql.insert if dialect == "postgresql" else sqlite.insert

    # -- construction ---------------------------------------------------------------------------------------

    @classmethod
    def from_url(cls, url: str) -> Store:
        return cls(make_engine(url))

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Store:
        return cls.from_url((settings or Settings.from_env()).resolved_database_url())

    @property
    def url(self) -> str:
        """The database URL with the password masked."""
        return safe_url(self.engine.url)

    def close(self) -> None:
        self.engine.dispose()

    def ping(self) -> None:
        """Connect once; :class:`StoreError` when the database cannot be reached."""
        with self._write("ping") as conn:
            conn.execute(select(1))

    def require_current(self) -> None:
        """:class:`StoreError` unless the schema is at the code's migration head."""
        from browserflow.store.migrate import require_current

        require_current(self.engine)

    # -- plumbing -------------------------------------------------------------------------------------------

    def _error(self, op: str, exc: SQLAlchemyError) -> StoreError:
        return StoreError(f"store {op} failed on {self.url}: {describe_db_error(exc)}")

    @contextmanager
    def _write(self, op: str) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise self._error(op, exc) from exc

    @contextmanager
    def _read(self, op: str) -> Iterator[Session]:
        try:
            with self._sessions() as session:
                yield session
        except SQLAlchemyError as exc:
            raise self._error(op, exc) from exc

    def _ensure_task(self, conn: Connection, workflow_id: str, now: datetime) -> None:
        """A placeholder task row, so child rows recorded before the task's start still satisfy the FK."""
        stmt = self._insert(_tasks).values(workflow_id=workflow_id, created_at=now, status=TaskStatus.RUNNING.value)
        conn.execute(stmt.on_conflict_do_nothing(index_elements=["workflow_id"]))

    # -- tasks ----------------------------------------------------------------------------------------------

    def record_task_started(
        self, workflow_id: str, request: TaskRequest, *, started_at: datetime | None = None
    ) -> None:
        """Record (or re-record, identically) that ``workflow_id`` started on ``request``. Keys only, no values."""
        now = _utcnow()
        started = _aware(started_at) if started_at else now
        stmt = self._insert(_tasks).values(
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
                "started_at": func.coalesce(_tasks.c.started_at, excluded.started_at),
                # A late retry must not turn a finished task back into a running one.
                "status": case((_tasks.c.status.in_(_TERMINAL), _tasks.c.status), else_=excluded.status),
            },
        )
        with self._write("record_task_started") as conn:
            conn.execute(stmt)

    def record_task_status(self, workflow_id: str, status: TaskStatus | str, reason: str = "") -> None:
        """Record a non-terminal status change (needs_review, paused, running)."""
        now = _utcnow()
        with self._write("record_task_status") as conn:
            self._ensure_task(conn, workflow_id, now)
            conn.execute(
                update(_tasks)
                .where(_tasks.c.workflow_id == workflow_id, _tasks.c.status.not_in(_TERMINAL))
                .values(status=str(status), reason=reason)
            )

    def record_task_finished(
        self,
        result: TaskResult,
        *,
        finished_at: datetime | None = None,
        time_saved_seconds: float | None = None,
    ) -> TaskInfo:
        """Record a task's result (``result.task_id`` is the workflow id) and return the stored task.

        For a successful cache hit without ``time_saved_seconds``, the time saved is the site's median time of
        live (uncached) successful runs minus this run's time, at least 0 (``None`` with no such runs).
        """
        now = _utcnow()
        finished = _aware(finished_at) if finished_at else now
        workflow_id = result.task_id
        with self._write("record_task_finished") as conn:
            self._ensure_task(conn, workflow_id, now)
            if time_saved_seconds is None and result.cache_hit and result.goal_achieved:
                site = conn.execute(select(_tasks.c.site).where(_tasks.c.workflow_id == workflow_id)).scalar_one()
                baseline = self._site_median(conn, site, exclude=workflow_id) if site else None
                if baseline is not None:
                    time_saved_seconds = max(0.0, baseline - result.execution_time_seconds)
            conn.execute(
                update(_tasks)
                .where(_tasks.c.workflow_id == workflow_id)
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
        task = self.get_task(workflow_id)
        assert task is not None
        return task

    def get_task(self, workflow_id: str) -> TaskInfo | None:
        with self._read("get_task") as session:
            row = session.get(TaskRow, workflow_id)
            return TaskInfo.model_validate(row, from_attributes=True) if row else None

    def list_tasks(self, *, status: str | None = None, site: str | None = None, limit: int = 50) -> list[TaskInfo]:
        """Newest first."""
        query = select(TaskRow).order_by(TaskRow.created_at.desc(), TaskRow.workflow_id).limit(limit)
        if status:
            query = query.where(TaskRow.status == status)
        if site:
            query = query.where(TaskRow.site == site)
        with self._read("list_tasks") as session:
            return [TaskInfo.model_validate(r, from_attributes=True) for r in session.scalars(query)]

    # -- steps, decisions, recoveries ------------------------------------------------------------------------

    def record_step(self, record: StepRecord, workflow_id: str, attempt: int = 0) -> None:
        """Record one step; the same (workflow_id, step, attempt) again overwrites, never duplicates.

        Data-bound actions lose their value (see ``browserflow.store.scrub``).
        """
        now = _utcnow()
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
        stmt = self._insert(_steps).values(workflow_id=workflow_id, step=record.step, attempt=attempt, **values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["workflow_id", "step", "attempt"], set_={k: stmt.excluded[k] for k in values}
        )
        with self._write("record_step") as conn:
            self._ensure_task(conn, workflow_id, now)
            conn.execute(stmt)

    def list_steps(self, workflow_id: str) -> list[StepInfo]:
        query = select(StepRow).where(StepRow.workflow_id == workflow_id).order_by(StepRow.step, StepRow.attempt)
        with self._read("list_steps") as session:
            return [StepInfo.model_validate(r, from_attributes=True) for r in session.scalars(query)]

    def record_decision(self, record: DecisionRecord) -> None:
        """Record one decider call; unique per (workflow_id, step, attempt, tier)."""
        now = _utcnow()
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
        stmt = self._insert(_decisions).values(
            workflow_id=record.workflow_id, step=record.step, attempt=record.attempt, tier=record.tier, **values
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["workflow_id", "step", "attempt", "tier"], set_={k: stmt.excluded[k] for k in values}
        )
        with self._write("record_decision") as conn:
            self._ensure_task(conn, record.workflow_id, now)
            conn.execute(stmt)

    def list_decisions(self, workflow_id: str) -> list[DecisionInfo]:
        query = (
            select(DecisionRow)
            .where(DecisionRow.workflow_id == workflow_id)
            .order_by(DecisionRow.step, DecisionRow.attempt, DecisionRow.id)
        )
        with self._read("list_decisions") as session:
            return [DecisionInfo.model_validate(r, from_attributes=True) for r in session.scalars(query)]

    def record_recovery(self, record: RecoveryRecord) -> None:
        """Record a recovery attempt; recording it again (e.g. 'pending' then 'recovered') updates the row."""
        self.record_recoveries([record])

    def record_recoveries(self, records: Sequence[RecoveryRecord]) -> None:
        """Record several recovery attempts in one transaction; each an upsert on (workflow_id, step, attempt_no)."""
        if not records:
            return
        now = _utcnow()
        rows = [
            {
                "workflow_id": r.workflow_id,
                "step": r.step,
                "attempt_no": r.attempt_no,
                "error_type": r.error_type,
                "strategy": r.strategy,
                "outcome": r.outcome,
                "detail": r.detail,
                "recorded_at": now,
            }
            for r in records
        ]
        keys = ("error_type", "strategy", "outcome", "detail", "recorded_at")
        with self._write("record_recoveries") as conn:
            for workflow_id in sorted({r.workflow_id for r in records}):
                self._ensure_task(conn, workflow_id, now)
            for row in rows:
                stmt = self._insert(_recoveries).values(**row)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["workflow_id", "step", "attempt_no"], set_={k: stmt.excluded[k] for k in keys}
                )
                conn.execute(stmt)

    def list_recoveries(self, workflow_id: str) -> list[RecoveryInfo]:
        query = (
            select(RecoveryRow)
            .where(RecoveryRow.workflow_id == workflow_id)
            .order_by(RecoveryRow.step, RecoveryRow.attempt_no)
        )
        with self._read("list_recoveries") as session:
            return [RecoveryInfo.model_validate(r, from_attributes=True) for r in session.scalars(query)]

    # -- the site-path cache --------------------------------------------------------------------------------

    @staticmethod
    def goal_signature(goal: str, data: dict[str, str] | Iterable[str] | None = None) -> str:
        """See :mod:`browserflow.store.signature` for the normalisation rule."""
        return goal_signature(goal, data)

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
        """Save (or replace) the path to ``signature`` on ``site``, valid for ``ttl`` from now.

        ``steps`` are the actions in order, or the task's step records (the actions of the ok steps are used).
        Data-bound values and page-local refs are dropped. ``template`` is the readable goal kept beside the
        signature: ``goal_template(goal, data)``, which has placeholders where the values were (never pass the
        raw goal). Saving resets the failure count; ``duration_s`` joins the path's recent durations (once per
        ``workflow_id``). ``start_url`` and ``links``: where the path was learned from and where its leading
        link-following steps led (a replay may deep-link there; see ``browserflow.replay``). See
        :meth:`save_task_path` for the usual call.
        """
        at = _aware(now)
        actions = path_actions(steps)
        keys = sorted(set(data_keys))
        base = self._insert(_paths).values(
            site=site,
            goal_signature=signature,
            goal_template=template,
            data_keys=keys,
            steps=[a.model_dump(mode="json") for a in actions],
            start_url=start_url,
            links=list(links),
            created_at=at,
            updated_at=at,
            expires_at=at + ttl,
        )
        where = and_(_paths.c.site == site, _paths.c.goal_signature == signature)
        with self._write("save_path") as conn:
            conn.execute(base.on_conflict_do_nothing(index_elements=["site", "goal_signature"]))
            row = conn.execute(select(_paths).where(where).with_for_update()).one()
            values: dict[str, Any] = {
                "goal_template": template or row.goal_template,
                "data_keys": keys,
                "steps": [a.model_dump(mode="json") for a in actions],
                "start_url": start_url,
                "links": list(links),
                "updated_at": at,
                "expires_at": at + ttl,
                "consecutive_failures": 0,
                "last_failure_by": None,
                "last_success_at": at,
                "last_success_by": workflow_id,
            }
            repeat = workflow_id is not None and row.last_success_by == workflow_id
            if duration_s is not None and not repeat:
                values.update(self._with_duration(row.recent_seconds, duration_s))
            conn.execute(update(_paths).where(where).values(**values))
        found = self.get_path(site, signature)
        assert found is not None
        return found

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
        """:meth:`save_path` for ``request``, keyed by the signature that abstracts only the data keys the
        path binds (see ``browserflow.store.signature``). The deep links come from the step records (when
        ``deep_links`` and the request allows them)."""
        bound = sorted({a.data_key for a in path_actions(steps) if a.data_key and a.data_key in request.data})
        signature = goal_signature(request.goal, request.data, bound=bound)
        replaced = self.lookup_task_path(request, now)
        if replaced is not None and replaced.goal_signature != signature:
            self.delete_path(request.site, replaced.goal_signature)  # what this request replayed: superseded
        return self.save_path(
            request.site,
            signature,
            steps,
            bound,
            ttl=ttl,
            duration_s=duration_s,
            template=goal_template(request.goal, {k: request.data[k] for k in bound} or None),
            workflow_id=workflow_id,
            now=now,
            start_url=without_userinfo(request.start_url),
            links=entry_point([s for s in steps if isinstance(s, StepRecord)]) if deep_links else [],
        )

    def lookup_task_path(self, request: TaskRequest, now: datetime | None = None) -> SitePath | None:
        """The usable path on ``request``'s site whose signature matches the request's goal and data, with
        the data keys that path binds abstracted (each path records its own)."""
        at = _aware(now)
        query = (
            select(SitePathRow)
            .where(
                SitePathRow.site == request.site,
                SitePathRow.expires_at > at,
                SitePathRow.consecutive_failures < MAX_PATH_FAILURES,
            )
            .order_by(SitePathRow.updated_at.desc())
        )
        with self._read("lookup_path") as session:
            for row in session.scalars(query):
                path = SitePath.model_validate(row, from_attributes=True)
                if not set(path.data_keys) <= set(request.data):
                    continue
                if goal_signature(request.goal, request.data, bound=path.data_keys) == path.goal_signature:
                    return path
        return None

    def list_paths(self, site: str | None = None) -> list[SitePath]:
        """Every stored path (expired and invalidated included), by site, most recently updated first."""
        query = select(SitePathRow).order_by(SitePathRow.site, SitePathRow.updated_at.desc())
        if site is not None:
            query = query.where(SitePathRow.site == site)
        with self._read("list_paths") as session:
            return [SitePath.model_validate(row, from_attributes=True) for row in session.scalars(query)]

    def get_path(self, site: str, signature: str) -> SitePath | None:
        """The stored path whatever its state (expired or invalidated included)."""
        query = select(SitePathRow).where(SitePathRow.site == site, SitePathRow.goal_signature == signature)
        with self._read("get_path") as session:
            row = session.scalars(query).first()
            return SitePath.model_validate(row, from_attributes=True) if row else None

    def lookup_path(self, site: str, signature: str, now: datetime | None = None) -> SitePath | None:
        """The path to replay: present, not expired and with fewer than ``MAX_PATH_FAILURES`` failures in a row."""
        at = _aware(now)
        query = select(SitePathRow).where(
            SitePathRow.site == site,
            SitePathRow.goal_signature == signature,
            SitePathRow.expires_at > at,
            SitePathRow.consecutive_failures < MAX_PATH_FAILURES,
        )
        with self._read("lookup_path") as session:
            row = session.scalars(query).first()
            return SitePath.model_validate(row, from_attributes=True) if row else None

    def mark_path_failure(
        self, site: str, signature: str, *, workflow_id: str | None = None, now: datetime | None = None
    ) -> int | None:
        """Count a failed replay; returns the consecutive failures (``None``: no such path).

        At ``MAX_PATH_FAILURES`` the path stops being returned by :meth:`lookup_path` until saved again.
        A repeated call for the same ``workflow_id`` counts once.
        """
        at = _aware(now)
        where = and_(_paths.c.site == site, _paths.c.goal_signature == signature)
        guard: ColumnElement[bool] | None = None
        if workflow_id is not None:
            guard = or_(_paths.c.last_failure_by.is_(None), _paths.c.last_failure_by != workflow_id)
        stmt = update(_paths).where(where if guard is None else and_(where, guard))
        stmt = stmt.values(
            consecutive_failures=_paths.c.consecutive_failures + 1,
            last_failure_at=at,
            last_failure_by=workflow_id,
            updated_at=at,
        )
        with self._write("mark_path_failure") as conn:
            conn.execute(stmt)
            return cast(int | None, conn.execute(select(_paths.c.consecutive_failures).where(where)).scalar())

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
        """Count a successful replay: uses + 1, failures reset, validity extended by ``ttl``.

        A repeated call for the same ``workflow_id`` counts once. ``None`` when there is no such path.
        """
        at = _aware(now)
        where = and_(_paths.c.site == site, _paths.c.goal_signature == signature)
        with self._write("mark_path_success") as conn:
            row = conn.execute(select(_paths).where(where).with_for_update()).first()
            if row is None:
                return None
            if workflow_id is None or row.last_success_by != workflow_id:
                values: dict[str, Any] = {
                    "uses": _paths.c.uses + 1,
                    "consecutive_failures": 0,
                    "last_failure_by": None,
                    "last_success_at": at,
                    "last_success_by": workflow_id,
                    "updated_at": at,
                    "expires_at": at + ttl,
                }
                if duration_s is not None:
                    values.update(self._with_duration(row.recent_seconds, duration_s))
                conn.execute(update(_paths).where(where).values(**values))
        return self.get_path(site, signature)

    def forget_links(self, site: str, signature: str) -> None:
        """Stop deep-linking on this path (its entry URL no longer led where it used to); it replays in full."""
        where = and_(_paths.c.site == site, _paths.c.goal_signature == signature)
        with self._write("forget_links") as conn:
            conn.execute(update(_paths).where(where).values(links=[]))

    def delete_path(self, site: str, signature: str) -> bool:
        with self._write("delete_path") as conn:
            result = conn.execute(delete(_paths).where(_paths.c.site == site, _paths.c.goal_signature == signature))
            return bool(result.rowcount)

    @staticmethod
    def _with_duration(recent: list[Any] | None, duration_s: float) -> dict[str, Any]:
        durations = [*[float(x) for x in recent or []][-(RECENT_DURATIONS - 1) :], float(duration_s)]
        return {"recent_seconds": durations, "median_seconds": statistics.median(durations)}

    # -- times, stats, costs --------------------------------------------------------------------------------

    def _site_median(self, conn: Connection, site: str, *, exclude: str | None = None) -> float | None:
        query = (
            select(_tasks.c.execution_time_seconds)
            .where(
                _tasks.c.site == site,
                _tasks.c.status == TaskStatus.SUCCEEDED.value,
                _tasks.c.cache_hit.is_(False),
                _tasks.c.execution_time_seconds.is_not(None),
            )
            .order_by(_tasks.c.finished_at.desc())
            .limit(SITE_MEDIAN_WINDOW)
        )
        if exclude is not None:
            query = query.where(_tasks.c.workflow_id != exclude)
        values = [float(v) for v in conn.execute(query).scalars()]
        return statistics.median(values) if values else None

    def site_median_seconds(self, site: str) -> float | None:
        """Median time of the site's recent successful live (uncached) tasks; ``None`` if there are none."""
        try:
            with self.engine.connect() as conn:
                return self._site_median(conn, site)
        except SQLAlchemyError as exc:
            raise self._error("site_median_seconds", exc) from exc

    def stats(self, since: timedelta | None = None, site: str | None = None, *, now: datetime | None = None) -> Stats:
        """Aggregates over tasks created within ``since`` of ``now`` (all when ``None``), on ``site`` if given."""
        cutoff = _aware(now) - since if since is not None else None
        conds: list[ColumnElement[bool]] = []
        if cutoff is not None:
            conds.append(_tasks.c.created_at >= cutoff)
        if site:
            conds.append(_tasks.c.site == site)
        finished = _tasks.c.status.in_(_TERMINAL)
        in_window = and_(True, *conds)
        try:
            with self.engine.connect() as conn:
                by_status = {
                    str(s): int(n)
                    for s, n in conn.execute(
                        select(_tasks.c.status, func.count()).where(in_window).group_by(_tasks.c.status)
                    )
                }
                times = [
                    float(v)
                    for v in conn.execute(
                        select(_tasks.c.execution_time_seconds).where(
                            in_window, finished, _tasks.c.execution_time_seconds.is_not(None)
                        )
                    ).scalars()
                ]
                cost_sum, cost_n, saved = conn.execute(
                    select(
                        func.coalesce(func.sum(_tasks.c.ai_cost_usd), 0.0),
                        func.count(),
                        func.coalesce(func.sum(_tasks.c.time_saved_seconds), 0.0),
                    ).where(in_window, finished)
                ).one()
                earlier = aliased(TaskRow)
                is_repeat = exists(
                    select(1).where(
                        earlier.site == _tasks.c.site,
                        earlier.goal_signature == _tasks.c.goal_signature,
                        earlier.created_at < _tasks.c.created_at,
                    )
                )
                repeats, repeat_hits = conn.execute(
                    select(
                        func.count(),
                        func.coalesce(func.sum(case((_tasks.c.cache_hit.is_(True), 1), else_=0)), 0),
                    ).where(in_window, finished, _tasks.c.goal_signature.is_not(None), is_repeat)
                ).one()
                joined = _decisions.join(_tasks, _decisions.c.workflow_id == _tasks.c.workflow_id)
                by_provider = {
                    str(p): float(c)
                    for p, c in conn.execute(
                        select(_decisions.c.provider, func.sum(_decisions.c.cost_usd))
                        .select_from(joined)
                        .where(in_window)
                        .group_by(_decisions.c.provider)
                    )
                }
                tier_rows = conn.execute(
                    select(_decisions.c.tier, func.sum(_decisions.c.cost_usd), func.count())
                    .select_from(joined)
                    .where(in_window)
                    .group_by(_decisions.c.tier)
                ).all()
                steps_by_tier = {
                    str(t): int(n)
                    for t, n in conn.execute(
                        select(_steps.c.tier, func.count())
                        .select_from(_steps.join(_tasks, _steps.c.workflow_id == _tasks.c.workflow_id))
                        .where(in_window)
                        .group_by(_steps.c.tier)
                    )
                }
                recovery_rows = {
                    str(o): int(n)
                    for o, n in conn.execute(
                        select(_recoveries.c.outcome, func.count())
                        .select_from(_recoveries.join(_tasks, _recoveries.c.workflow_id == _tasks.c.workflow_id))
                        .where(in_window)
                        .group_by(_recoveries.c.outcome)
                    )
                }
        except SQLAlchemyError as exc:
            raise self._error("stats", exc) from exc

        n_finished = sum(n for s, n in by_status.items() if s in _TERMINAL)
        succeeded = by_status.get(TaskStatus.SUCCEEDED.value, 0)
        total_steps = sum(steps_by_tier.values())
        recovered = recovery_rows.get("recovered", 0)
        decided = recovered + recovery_rows.get("failed", 0)
        return Stats(
            since=cutoff,
            site=site,
            tasks=sum(by_status.values()),
            finished=n_finished,
            succeeded=succeeded,
            success_rate=_ratio(succeeded, n_finished),
            by_status=by_status,
            median_seconds=statistics.median(times) if times else None,
            p95_seconds=percentile(times, 95),
            repeats=int(repeats),
            repeat_cache_hits=int(repeat_hits),
            cache_hit_rate_on_repeats=_ratio(int(repeat_hits), int(repeats)),
            time_saved_seconds=float(saved),
            total_cost_usd=float(cost_sum),
            cost_per_task_usd=float(cost_sum) / int(cost_n) if cost_n else None,
            cost_by_provider=by_provider,
            cost_by_tier={str(t): float(c) for t, c, _ in tier_rows},
            decisions_by_tier={str(t): int(n) for t, _, n in tier_rows},
            steps_by_tier=steps_by_tier,
            tier_distribution={t: n / total_steps for t, n in steps_by_tier.items()} if total_steps else {},
            recoveries=decided,
            recoveries_succeeded=recovered,
            recovery_success_rate=_ratio(recovered, decided),
        )

    def cost(self, workflow_id: str) -> CostBreakdown:
        """What the decisions of one task cost, by provider, tier and model."""
        decisions = self.list_decisions(workflow_id)
        task = self.get_task(workflow_id)
        breakdown = CostBreakdown(
            workflow_id=workflow_id,
            recorded_task_cost_usd=task.ai_cost_usd if task and task.finished_at else None,
            decisions=len(decisions),
        )
        for d in decisions:
            breakdown.total_usd += d.cost_usd
            breakdown.input_tokens += d.input_tokens
            breakdown.output_tokens += d.output_tokens
            for bucket, key in (
                (breakdown.by_provider, d.provider),
                (breakdown.by_tier, d.tier),
                (breakdown.by_model, d.model or d.tier),
            ):
                bucket[key] = bucket.get(key, 0.0) + d.cost_usd
        return breakdown
