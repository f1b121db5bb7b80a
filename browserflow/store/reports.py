"""Reports over the records: aggregate stats for a window and site, one task's cost, a site's median time."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, and_, case, exists, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from browserflow.contracts import TaskStatus
from browserflow.store.db import TERMINAL, Database, aware, decisions, recoveries, steps, tasks
from browserflow.store.models import CostBreakdown, Stats
from browserflow.store.records import list_decisions
from browserflow.store.schema import TaskRow
from browserflow.store.tasks import get_task, site_median

__all__ = ["cost", "percentile", "site_median_seconds", "stats"]


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


def site_median_seconds(db: Database, site: str) -> float | None:
    """Median time of the site's recent successful live (uncached) tasks; ``None`` if there are none."""
    with db.connect("site_median_seconds") as conn:
        return site_median(conn, site)


def _count_by(conn: Connection, child: Table, column: str, window: ColumnElement[bool]) -> dict[str, int]:
    """Rows of ``child`` whose task is in the window, counted by ``column``."""
    col = child.c[column]
    joined = child.join(tasks, child.c.workflow_id == tasks.c.workflow_id)
    query = select(col, func.count()).select_from(joined).where(window).group_by(col)
    return {str(k): int(n) for k, n in conn.execute(query)}


def _task_figures(conn: Connection, window: ColumnElement[bool]) -> dict[str, Any]:
    """By status, finished times, cost and time saved, repeats and their cache hits, over the window's tasks."""
    finished = tasks.c.status.in_(TERMINAL)
    status_query = select(tasks.c.status, func.count()).where(window).group_by(tasks.c.status)
    times_query = select(tasks.c.execution_time_seconds).where(
        window, finished, tasks.c.execution_time_seconds.is_not(None)
    )
    cost_sum, cost_n, saved = conn.execute(
        select(
            func.coalesce(func.sum(tasks.c.ai_cost_usd), 0.0),
            func.count(),
            func.coalesce(func.sum(tasks.c.time_saved_seconds), 0.0),
        ).where(window, finished)
    ).one()
    earlier = aliased(TaskRow)
    is_repeat = exists(
        select(1).where(
            earlier.site == tasks.c.site,
            earlier.goal_signature == tasks.c.goal_signature,
            earlier.created_at < tasks.c.created_at,
        )
    )
    repeats, repeat_hits = conn.execute(
        select(func.count(), func.coalesce(func.sum(case((tasks.c.cache_hit.is_(True), 1), else_=0)), 0)).where(
            window, finished, tasks.c.goal_signature.is_not(None), is_repeat
        )
    ).one()
    return {
        "by_status": {str(s): int(n) for s, n in conn.execute(status_query)},
        "times": [float(v) for v in conn.execute(times_query).scalars()],
        "cost_sum": float(cost_sum),
        "cost_n": int(cost_n),
        "saved": float(saved),
        "repeats": int(repeats),
        "repeat_hits": int(repeat_hits),
    }


def _decision_figures(conn: Connection, window: ColumnElement[bool]) -> dict[str, Any]:
    """Decision cost by provider, cost and count by tier, over the window's tasks."""
    joined = decisions.join(tasks, decisions.c.workflow_id == tasks.c.workflow_id)
    by_provider = conn.execute(
        select(decisions.c.provider, func.sum(decisions.c.cost_usd))
        .select_from(joined)
        .where(window)
        .group_by(decisions.c.provider)
    )
    tier_rows = conn.execute(
        select(decisions.c.tier, func.sum(decisions.c.cost_usd), func.count())
        .select_from(joined)
        .where(window)
        .group_by(decisions.c.tier)
    ).all()
    return {
        "cost_by_provider": {str(p): float(c) for p, c in by_provider},
        "cost_by_tier": {str(t): float(c) for t, c, _ in tier_rows},
        "decisions_by_tier": {str(t): int(n) for t, _, n in tier_rows},
    }


def stats(
    db: Database, since: timedelta | None = None, site: str | None = None, *, now: datetime | None = None
) -> Stats:
    """Aggregates over tasks created within ``since`` of ``now`` (all when ``None``), on ``site`` if given."""
    cutoff = aware(now) - since if since is not None else None
    conds: list[ColumnElement[bool]] = []
    if cutoff is not None:
        conds.append(tasks.c.created_at >= cutoff)
    if site:
        conds.append(tasks.c.site == site)
    window = and_(True, *conds)
    with db.connect("stats") as conn:
        t = _task_figures(conn, window)
        d = _decision_figures(conn, window)
        steps_by_tier = _count_by(conn, steps, "tier", window)
        outcomes = _count_by(conn, recoveries, "outcome", window)
    by_status: dict[str, int] = t["by_status"]
    times: list[float] = t["times"]
    n_finished = sum(n for s, n in by_status.items() if s in TERMINAL)
    succeeded = by_status.get(TaskStatus.SUCCEEDED.value, 0)
    total_steps = sum(steps_by_tier.values())
    recovered = outcomes.get("recovered", 0)
    decided = recovered + outcomes.get("failed", 0)
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
        repeats=t["repeats"],
        repeat_cache_hits=t["repeat_hits"],
        cache_hit_rate_on_repeats=_ratio(t["repeat_hits"], t["repeats"]),
        time_saved_seconds=t["saved"],
        total_cost_usd=t["cost_sum"],
        cost_per_task_usd=t["cost_sum"] / t["cost_n"] if t["cost_n"] else None,
        **d,
        steps_by_tier=steps_by_tier,
        tier_distribution={k: n / total_steps for k, n in steps_by_tier.items()} if total_steps else {},
        recoveries=decided,
        recoveries_succeeded=recovered,
        recovery_success_rate=_ratio(recovered, decided),
    )


def cost(db: Database, workflow_id: str) -> CostBreakdown:
    """What the decisions of one task cost, by provider, tier and model."""
    decided = list_decisions(db, workflow_id)
    task = get_task(db, workflow_id)
    breakdown = CostBreakdown(
        workflow_id=workflow_id,
        recorded_task_cost_usd=task.ai_cost_usd if task and task.finished_at else None,
        decisions=len(decided),
    )
    for d in decided:
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
