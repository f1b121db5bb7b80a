"""Store activities: the workflow's writes to SQL, thin adapters over ``browserflow.store.lifecycle``.

Synchronous (SQLAlchemy is), so the worker runs them in a thread pool. Every write is an upsert on natural
keys, so a retried activity never duplicates a row; ``StoreError`` is retryable and the retry table backs
off. A store that stays down never fails the browser task: the workflow gives up on the write, not the task.
"""

from __future__ import annotations

from temporalio import activity

from browserflow.contracts import StoreAck, TaskFinishInput, TaskStartInput, TaskStartResult, TaskStatusInput
from browserflow.errors import BrowserflowError
from browserflow.store import Store
from browserflow.store.lifecycle import finish_task, group_steps, recovery_records, start_task, update_task_status

from .errors import to_application_error
from .metrics import record_task

__all__ = ["StoreActivities", "group_steps", "recovery_records"]


class StoreActivities:
    def __init__(self, store: Store) -> None:
        self.store = store

    @activity.defn(name="task_started")
    def task_started(self, inp: TaskStartInput) -> TaskStartResult:
        """Record the start, and look up a cached path for this site and goal."""
        try:
            return start_task(self.store, inp)
        except BrowserflowError as exc:
            raise to_application_error(exc) from None

    @activity.defn(name="task_status")
    def task_status(self, inp: TaskStatusInput) -> StoreAck:
        """Record a non-terminal status change (into or out of review); the same status twice is a no-op.
        A terminal status is not recorded here (``task_finished`` records it): ``ok=False``."""
        try:
            recorded = update_task_status(self.store, inp)
        except BrowserflowError as exc:
            raise to_application_error(exc) from None
        return StoreAck(ok=True) if recorded else StoreAck(ok=False, detail=f"{inp.status} is recorded at the finish")

    @activity.defn(name="task_finished")
    def task_finished(self, inp: TaskFinishInput) -> StoreAck:
        """Record the steps, decisions and result; keep the site-path cache in step with what happened."""
        try:
            finish_task(self.store, inp)
        except BrowserflowError as exc:
            raise to_application_error(exc) from None
        record_task(inp.result)
        return StoreAck(ok=True)
