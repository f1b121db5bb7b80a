"""Every activity's timeouts and retry policy, declared in one table.

Read a row as: how long one attempt may take, how long the task may wait for a worker (only page
activities, which are pinned to the worker holding the browser: a short wait means that worker is gone),
how often it must heartbeat, how it retries, and (callbacks) how long all its attempts may take together.
Error types listed in ``PERMANENT`` are never retried; errors raised with ``non_retryable=True`` by the
activity are not retried either.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from temporalio.common import RetryPolicy

from browserflow.errors import PERMANENT_TYPES

__all__ = ["PAGE_HEARTBEAT", "PAGE_PICKUP", "PERMANENT", "POLICIES", "ActivityPolicy", "configure", "options"]

PERMANENT: tuple[str, ...] = tuple(sorted(PERMANENT_TYPES))  # derived from the classes in browserflow.errors


@dataclass(frozen=True)
class ActivityPolicy:
    start_to_close: timedelta
    retry: RetryPolicy
    schedule_to_start: timedelta | None = None
    heartbeat: timedelta | None = None
    schedule_to_close: timedelta | None = None  # all attempts together (retries stop after it)


def _retry(first: float, attempts: int, *, backoff: float = 2.0, cap: float = 10.0) -> RetryPolicy:
    return RetryPolicy(
        initial_interval=timedelta(seconds=first),
        backoff_coefficient=backoff,
        maximum_interval=timedelta(seconds=cap),
        maximum_attempts=attempts,
        non_retryable_error_types=list(PERMANENT),
    )


_S = timedelta(seconds=1)
# how fast a lost session worker is noticed: recovery starts within PAGE_HEARTBEAT + PAGE_PICKUP (~20 s); a
# worker sets its own with configure() at start (BROWSERFLOW_PAGE_HEARTBEAT / BROWSERFLOW_PAGE_PICKUP)
PAGE_HEARTBEAT = 8 * _S
PAGE_PICKUP = 10 * _S
_PAGE = ("navigate", "extract", "act", "replay")
_PINNED = ("close_session", "screenshot", "park")

POLICIES: dict[str, ActivityPolicy] = {
    # shared queue: any worker with room in its pool opens the session (PoolExhausted retries until one has)
    "open_session": ActivityPolicy(30 * _S, _retry(0.5, 0, cap=5.0)),
    # session queue: pinned to the worker that holds the page
    # (page activities heartbeat every 2 s while they run: a worker that stops is noticed within
    #  PAGE_HEARTBEAT, and a retry on its queue that nobody polls fails after PAGE_PICKUP -> recovery)
    "navigate": ActivityPolicy(45 * _S, _retry(1.0, 3), schedule_to_start=PAGE_PICKUP, heartbeat=PAGE_HEARTBEAT),
    "extract": ActivityPolicy(30 * _S, _retry(0.5, 3), schedule_to_start=PAGE_PICKUP, heartbeat=PAGE_HEARTBEAT),
    "act": ActivityPolicy(60 * _S, _retry(1.0, 3), schedule_to_start=PAGE_PICKUP, heartbeat=PAGE_HEARTBEAT),
    # a cached path's reversible prefix: a retry replays it from the start (nothing in it is irreversible)
    "replay": ActivityPolicy(120 * _S, _retry(1.0, 3), schedule_to_start=PAGE_PICKUP, heartbeat=PAGE_HEARTBEAT),
    "close_session": ActivityPolicy(20 * _S, _retry(0.5, 2), schedule_to_start=PAGE_PICKUP),
    "screenshot": ActivityPolicy(20 * _S, _retry(0.5, 2), schedule_to_start=PAGE_PICKUP),
    "park": ActivityPolicy(20 * _S, _retry(0.5, 2), schedule_to_start=PAGE_PICKUP),
    # model tiers on the shared queue: heartbeats while a model thinks; provider faults are handled inside
    "decide_escalated": ActivityPolicy(180 * _S, _retry(1.0, 2), heartbeat=30 * _S),
    # the store: writes retry with backoff; the workflow stops waiting long before a store outage ends
    "task_started": ActivityPolicy(10 * _S, _retry(0.5, 3, cap=2.0)),
    "task_finished": ActivityPolicy(20 * _S, _retry(1.0, 8, cap=30.0)),
    "task_status": ActivityPolicy(10 * _S, _retry(0.5, 3, cap=2.0)),
    # callbacks: a receiver down for a while gets the event later (1 s doubling to 60 s, for up to an hour);
    # the task never waits on a review callback, and waits on its result callback only to finish delivering it
    "deliver_callback": ActivityPolicy(15 * _S, _retry(1.0, 0, cap=60.0), schedule_to_close=3600 * _S),
    # local activities, run inside the workflow's worker
    "compile_plan": ActivityPolicy(10 * _S, _retry(0.2, 3)),
    "check_goal": ActivityPolicy(10 * _S, _retry(0.2, 3)),
    "decide": ActivityPolicy(20 * _S, _retry(0.5, 3)),
}


def configure(*, page_heartbeat: timedelta, page_pickup: timedelta) -> None:
    """Set the page activities' heartbeat and pickup timeouts of this process (the worker, from its settings,
    before its workers start)."""
    for name in (*_PAGE, *_PINNED):
        row = POLICIES[name]
        POLICIES[name] = replace(
            row, schedule_to_start=page_pickup, heartbeat=page_heartbeat if row.heartbeat is not None else None
        )


def options(name: str) -> dict[str, Any]:
    """Keyword arguments for ``workflow.execute_activity*`` from the table row ``name``."""
    row = POLICIES[name]
    found: dict[str, Any] = {"start_to_close_timeout": row.start_to_close, "retry_policy": row.retry}
    if row.schedule_to_start is not None:
        found["schedule_to_start_timeout"] = row.schedule_to_start
    if row.heartbeat is not None:
        found["heartbeat_timeout"] = row.heartbeat
    if row.schedule_to_close is not None:
        found["schedule_to_close_timeout"] = row.schedule_to_close
    return found
