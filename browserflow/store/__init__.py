"""The SQL memory of browserflow: tasks, steps, decisions, recoveries and the site-path cache.

Modules: ``db`` (engine, sessions, the StoreError boundary), ``tasks`` (task records), ``records`` (steps,
decisions, recoveries), ``paths`` (the site-path cache), ``reports`` (stats, costs, medians), ``lifecycle``
(what a task's start, status changes and finish write), behind the thin ``repository.Store`` facade.

Plain synchronous Python (SQLAlchemy 2 + Alembic), no Temporal imports: activities call it through a thread
executor. SQLite file by default, PostgreSQL through ``DATABASE_URL``.

    store = Store.from_settings()          # or Store.from_url("postgresql://...")
    store.require_current()                # refuses a database behind the code's migrations
    store.record_task_started(workflow_id, request)
"""

from __future__ import annotations

from browserflow.store.engine import make_engine, normalize_url, safe_url
from browserflow.store.models import (
    PROVIDER_BY_TIER,
    CostBreakdown,
    DecisionInfo,
    DecisionRecord,
    RecoveryInfo,
    RecoveryOutcome,
    RecoveryRecord,
    SitePath,
    Stats,
    StepInfo,
    TaskInfo,
)
from browserflow.store.paths import DEFAULT_PATH_TTL, MAX_PATH_FAILURES
from browserflow.store.reports import percentile
from browserflow.store.repository import Store
from browserflow.store.scrub import scrub_action
from browserflow.store.signature import goal_signature, goal_template

__all__ = [
    "DEFAULT_PATH_TTL",
    "MAX_PATH_FAILURES",
    "PROVIDER_BY_TIER",
    "CostBreakdown",
    "DecisionInfo",
    "DecisionRecord",
    "RecoveryInfo",
    "RecoveryOutcome",
    "RecoveryRecord",
    "SitePath",
    "Stats",
    "StepInfo",
    "Store",
    "TaskInfo",
    "goal_signature",
    "goal_template",
    "make_engine",
    "normalize_url",
    "percentile",
    "safe_url",
    "scrub_action",
]
