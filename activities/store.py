"""Store activities: the workflow's two writes to SQL (the second one with every recovery attempt), thin adapters over ``browserflow.store.Store``.

Synchronous (SQLAlchemy is), so the worker runs them in a thread pool. Every write is an upsert on natural
keys, so a retried activity never duplicates a row; ``StoreError`` is retryable and the retry table backs
off. A store that stays down never fails the browser task: the workflow gives up on the write, not the task.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from temporalio import activity

from browserflow.contracts import (
    Action,
    CachedPath,
    RecoveryAttempt,
    StepRecord,
    StoreAck,
    TaskFinishInput,
    TaskStartInput,
    TaskStartResult,
    TaskStatus,
)
from browserflow.errors import BrowserflowError
from browserflow.replay import harmful_actions
from browserflow.store import DecisionRecord, RecoveryRecord, Store, goal_signature

from .errors import to_application_error
from .metrics import record_task

__all__ = ["StoreActivities", "group_steps", "recovery_records"]


def group_steps(actions: list[Action]) -> list[list[Action]]:
    """Cached actions back into their steps, by the step part of each action id (``"3.1"`` -> step 3)."""
    steps: dict[str, list[Action]] = defaultdict(list)
    for action in actions:
        steps[action.id.split(".", 1)[0] if action.id else ""].append(action)
    return [steps[k] for k in sorted(steps, key=lambda k: int(k) if k.isdigit() else 0)]


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


class StoreActivities:
    def __init__(self, store: Store) -> None:
        self.store = store

    @activity.defn(name="task_started")
    def task_started(self, inp: TaskStartInput) -> TaskStartResult:
        """Record the start, and look up a cached path for this site and goal."""
        req = inp.request
        try:
            self.store.record_task_started(inp.workflow_id, req, started_at=inp.started_at)
            found = self.store.lookup_task_path(req) if req.use_cache else None
            median = self.store.site_median_seconds(req.site)
        except BrowserflowError as exc:
            raise to_application_error(exc) from None
        path = None
        if found is not None and found.steps and not harmful_actions(found.steps, req.goal):  # never replay those
            path = CachedPath(
                signature=found.goal_signature,
                steps=group_steps(found.bind(req.data)),
                start_url=found.start_url,
                links=found.links,
            )
        return TaskStartResult(path=path, site_median_seconds=median)

    @activity.defn(name="task_finished")
    def task_finished(self, inp: TaskFinishInput) -> StoreAck:
        """Record the steps, decisions and result; keep the site-path cache in step with what happened."""
        req, result = inp.request, inp.result
        workflow_id = result.task_id
        signature = inp.cache_signature or goal_signature(req.goal, req.data)
        try:
            if self.store.get_task(workflow_id) is None:  # the store was down at the start: record it now
                started = datetime.now(UTC) - timedelta(seconds=result.execution_time_seconds)
                self.store.record_task_started(workflow_id, req, started_at=started)
            for record in inp.steps:
                self.store.record_step(record, workflow_id)
                for number, attempt in enumerate(inp.attempts.get(record.step, [])):
                    self.store.record_decision(DecisionRecord.from_attempt(workflow_id, record.step, number, attempt))
                if record.tier not in {"cache"} and not inp.attempts.get(record.step):
                    self.store.record_decision(
                        DecisionRecord(
                            workflow_id=workflow_id,
                            step=record.step,
                            attempt=0,
                            tier=record.tier,
                            provider="local",
                            cost_usd=record.cost_usd,
                            confidence=record.confidence,
                            outcome="chosen",
                        )
                    )
            self.store.record_recoveries(recovery_records(workflow_id, inp.steps, inp.recoveries))
            succeeded = result.status == TaskStatus.SUCCEEDED
            if inp.cache_used and inp.deep_link_refused:
                self.store.forget_links(req.site, signature)
            if inp.cache_used and inp.cache_broken:
                self.store.mark_path_failure(req.site, signature, workflow_id=workflow_id)
            if inp.cache_used and succeeded and not inp.cache_broken:
                self.store.mark_path_success(
                    req.site, signature, duration_s=result.execution_time_seconds, workflow_id=workflow_id
                )
            elif succeeded and req.use_cache and not harmful_actions([a for s in inp.steps for a in s.actions], req.goal):
                # a live run (or a healed replay) becomes the cached path (never one with a harmful unasked action)
                ok_steps = [s for s in inp.steps if s.ok]
                self.store.save_task_path(
                    req,
                    ok_steps,
                    duration_s=result.execution_time_seconds,
                    workflow_id=workflow_id,
                    deep_links=req.deep_links and not inp.deep_link_refused,
                )
            self.store.record_task_finished(result, time_saved_seconds=result.time_saved_seconds)
        except BrowserflowError as exc:
            raise to_application_error(exc) from None
        record_task(result)
        return StoreAck(ok=True)
