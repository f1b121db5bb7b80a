"""A task's life in the store (start, status changes, finish): plain functions the store activities adapt to Temporal.

At the start: record the task and offer the cached path for its goal (never one that would do something
harmful the goal did not ask for). At the finish: record every step, the tiers each step consulted and every
recovery attempt, then keep the site-path cache in step with what happened (a refused deep link forgets the
path's links, a broken replay counts a failure, a clean replay a success, a successful live or healed run
becomes the cached path), and record the result last. Every write is an upsert, so a retried call is safe.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from browserflow.contracts import (
    TERMINAL_STATUSES,
    Action,
    CachedPath,
    RecoveryAttempt,
    StepRecord,
    TaskFinishInput,
    TaskStartInput,
    TaskStartResult,
    TaskStatus,
    TaskStatusInput,
)
from browserflow.replay import harmful_actions
from browserflow.store.models import DecisionRecord, RecoveryRecord, TaskInfo
from browserflow.store.repository import Store
from browserflow.store.signature import goal_signature

__all__ = [
    "decision_records",
    "finish_task",
    "group_steps",
    "recovery_records",
    "start_task",
    "update_cache",
    "update_task_status",
]


def group_steps(actions: list[Action]) -> list[list[Action]]:
    """Cached actions back into their steps, by the step part of each action id (``"3.1"`` -> step 3)."""
    steps: dict[str, list[Action]] = defaultdict(list)
    for action in actions:
        steps[action.id.split(".", 1)[0] if action.id else ""].append(action)
    return [steps[k] for k in sorted(steps, key=lambda k: int(k) if k.isdigit() else 0)]


def start_task(store: Store, inp: TaskStartInput) -> TaskStartResult:
    """Record the start, and look up a cached path for this site and goal (none with a harmful unasked action)."""
    req = inp.request
    store.record_task_started(inp.workflow_id, req, started_at=inp.started_at)
    found = store.lookup_task_path(req) if req.use_cache else None
    median = store.site_median_seconds(req.site)
    path = None
    if found is not None and found.steps and not harmful_actions(found.steps, req.goal):
        path = CachedPath(
            signature=found.goal_signature,
            steps=group_steps(found.bind(req.data)),
            start_url=found.start_url,
            links=found.links,
        )
    return TaskStartResult(path=path, site_median_seconds=median)


def update_task_status(store: Store, inp: TaskStatusInput) -> bool:
    """Record a non-terminal status (a task entering or leaving review); ``False`` for a terminal one, which
    only :func:`finish_task` records. Setting the same status twice changes nothing; a finished task keeps
    its ending."""
    if inp.status in TERMINAL_STATUSES:
        return False
    store.record_task_status(inp.workflow_id, inp.status, inp.reason)
    return True


def decision_records(workflow_id: str, inp: TaskFinishInput) -> list[DecisionRecord]:
    """Each step's consulted tiers; a step that consulted none (and is no replay) as one local decision."""
    records: list[DecisionRecord] = []
    for step in inp.steps:
        attempts = inp.attempts.get(step.step, [])
        records.extend(DecisionRecord.from_attempt(workflow_id, step.step, n, a) for n, a in enumerate(attempts))
        if step.tier != "cache" and not attempts:
            records.append(
                DecisionRecord(
                    workflow_id=workflow_id,
                    step=step.step,
                    attempt=0,
                    tier=step.tier,
                    provider="local",
                    cost_usd=step.cost_usd,
                    confidence=step.confidence,
                    outcome="chosen",
                )
            )
    return records


def recovery_records(
    workflow_id: str, steps: list[StepRecord], extra: dict[int, list[RecoveryAttempt]]
) -> list[RecoveryRecord]:
    """Every recovery attempt of a task as store rows: each step's own (from ``act`` / ``replay``) and the
    workflow's (session rebuilds, page loads), numbered 1.. within their step, so a retried write upserts."""
    by_step: dict[int, list[RecoveryAttempt]] = defaultdict(list)
    for record in steps:
        by_step[record.step].extend(record.recoveries)
    for step, attempts in extra.items():
        by_step[int(step)].extend(attempts)
    return [
        RecoveryRecord.from_attempt(workflow_id, step, number, attempt)
        for step in sorted(by_step)
        for number, attempt in enumerate(by_step[step], 1)
    ]


def update_cache(store: Store, inp: TaskFinishInput) -> None:
    """Keep the site-path cache in step with how the task went (see the module's rule)."""
    req, result = inp.request, inp.result
    workflow_id = result.task_id
    signature = inp.cache_signature or goal_signature(req.goal, req.data)
    succeeded = result.status == TaskStatus.SUCCEEDED
    if inp.cache_used and inp.deep_link_refused:
        store.forget_links(req.site, signature)
    if inp.cache_used and inp.cache_broken:
        store.mark_path_failure(req.site, signature, workflow_id=workflow_id)
    if inp.cache_used and succeeded and not inp.cache_broken:
        store.mark_path_success(req.site, signature, duration_s=result.execution_time_seconds, workflow_id=workflow_id)
    elif succeeded and req.use_cache and not harmful_actions([a for s in inp.steps for a in s.actions], req.goal):
        # a live run (or a healed replay) becomes the cached path (never one with a harmful unasked action)
        store.save_task_path(
            req,
            [s for s in inp.steps if s.ok],
            duration_s=result.execution_time_seconds,
            workflow_id=workflow_id,
            deep_links=req.deep_links and not inp.deep_link_refused,
        )


def finish_task(store: Store, inp: TaskFinishInput) -> TaskInfo:
    """Record the steps, decisions, recoveries and result; keep the cache in step. Returns the stored task."""
    req, result = inp.request, inp.result
    workflow_id = result.task_id
    if store.get_task(workflow_id) is None:  # the store was down at the start: record it now
        started = datetime.now(UTC) - timedelta(seconds=result.execution_time_seconds)
        store.record_task_started(workflow_id, req, started_at=started)
    for record in inp.steps:
        store.record_step(record, workflow_id)
    for decision in decision_records(workflow_id, inp):
        store.record_decision(decision)
    store.record_recoveries(recovery_records(workflow_id, inp.steps, inp.recoveries))
    update_cache(store, inp)
    return store.record_task_finished(result, time_saved_seconds=result.time_saved_seconds)
