"""The SDK callers use: ``BrowserTasks`` to submit and find tasks, ``TaskHandle`` to follow one. What is
checked before anything is sent (requests, review payloads, digests, priority) is in ``client/payloads.py``
and re-exported here.

tasks = await BrowserTasks.connect()
handle = await tasks.submit({"goal": ..., "start_url": ..., "data": {...}})
print(await handle.status())
result = await handle.result()
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import CancelledError, WorkflowAlreadyStartedError
from temporalio.runtime import Runtime
from temporalio.service import RPCError, RPCStatusCode

from browserflow.config import Settings
from browserflow.contracts import (
    Action,
    Pause,
    Resume,
    ReviewAck,
    ReviewRequest,
    StepLog,
    TaskProgress,
    TaskRequest,
    TaskResult,
    TaskStatus,
    without_userinfo,
)
from browserflow.errors import RequestIdReused, TaskEnded, TaskNotFound, TaskUnanswered
from browserflow.store import CostBreakdown, Stats, Store
from browserflow.temporal.connect import connect
from browserflow.temporal.search_attributes import TASK_SITE, TASK_STATUS
from client.goal_engine import GoalEngineResult, GoalEngineTask
from client.payloads import (
    DIGEST_MEMO,
    MAX_REQUEST_BYTES,
    REVIEW_PAYLOADS,
    parse_request,
    request_digest,
    review_payload,
    same_request,
    temporal_priority,
)

__all__ = [
    "DIGEST_MEMO",
    "MAX_REQUEST_BYTES",
    "BrowserTasks",
    "ReviewRefused",
    "TaskHandle",
    "TaskSummary",
    "parse_request",
    "request_digest",
    "review_payload",
    "temporal_priority",
]

WORKFLOW = "BrowserTaskWorkflow"
_QUERY_TIMEOUT = timedelta(seconds=5)
_T = TypeVar("_T")


class ReviewRefused(Exception):
    """A review verb was refused: no review pending, already answered, or a malformed payload."""


class TaskSummary(BaseModel):
    task_id: str
    status: str
    site: str
    started_at: datetime | None = None
    closed_at: datetime | None = None


class TaskHandle:
    """One task. Every method is safe to call whether the task is running or finished."""

    def __init__(self, handle: WorkflowHandle[Any, TaskResult]) -> None:
        self._handle = handle

    @property
    def id(self) -> str:
        return self._handle.id

    async def _rpc(self, what: str, call: Callable[[], Awaitable[_T]]) -> _T:
        """``call`` with the server's refusals as named errors: ``TaskNotFound``, ``TaskEnded``,
        ``TaskUnanswered`` (a query nobody answered)."""
        try:
            return await call()
        except RPCError as exc:
            message = exc.message or str(exc)
            if exc.status == RPCStatusCode.NOT_FOUND and "not found" in message:
                raise TaskNotFound(f"no task {self.id!r} ({message})") from None
            if exc.status == RPCStatusCode.NOT_FOUND:
                raise TaskEnded(f"{what}: task {self.id} has already ended ({message})") from None
            if what.startswith("query") and exc.status in {
                RPCStatusCode.DEADLINE_EXCEEDED,
                RPCStatusCode.FAILED_PRECONDITION,
                RPCStatusCode.UNAVAILABLE,
            }:
                raise TaskUnanswered(
                    f"{what}: task {self.id} did not answer ({message}); is a worker running on its task queue?"
                ) from None
            raise

    async def describe(self) -> Any:
        return await self._rpc("describe", self._handle.describe)

    async def status(self) -> TaskProgress:
        desc = await self.describe()
        if desc.status == WorkflowExecutionStatus.RUNNING:
            return await self._rpc("query progress", lambda: self._handle.query("progress", result_type=TaskProgress))
        result = await self.result()
        final = TaskProgress(
            task_id=self.id,
            status=result.status,
            step=result.steps_taken,
            percent=100.0,
            url=result.final_url,
            detail=result.reason,
        )
        try:  # the plan as it ended (a closed run answers queries while a worker polls its queue)
            ended = await self._handle.query("progress", result_type=TaskProgress, rpc_timeout=_QUERY_TIMEOUT)
        except Exception:
            return final
        return final.model_copy(update={"intent": ended.intent, "plan": ended.plan})

    async def steps(self) -> StepLog:
        return await self._rpc(
            "query steps", lambda: self._handle.query("steps", result_type=StepLog, rpc_timeout=_QUERY_TIMEOUT)
        )

    async def result(self) -> TaskResult:
        """Wait for the task to end; a cancelled or terminated run is reported, not raised."""
        try:
            return await self._rpc("result", self._handle.result)
        except WorkflowFailureError as exc:
            desc = await self.describe()
            cancelled = isinstance(exc.cause, CancelledError)
            elapsed = 0.0
            if desc.start_time and desc.close_time:
                elapsed = (desc.close_time - desc.start_time).total_seconds()
            return TaskResult(
                task_id=self.id,
                status=TaskStatus.CANCELLED if cancelled else TaskStatus.FAILED,
                reason="cancelled by request"
                if cancelled
                else f"workflow {desc.status.name.lower() if desc.status else 'failed'}: {exc.cause}",
                goal_achieved=False,
                steps_taken=0,
                execution_time_seconds=elapsed,
            )

    # -- people in the loop: each verb is an update, answered at once (rejected with a reason when no review
    #    is pending or the payload is malformed); the same verbs exist as signals for the Web UI.

    async def pending_review(self) -> ReviewRequest | None:
        return (await self.status()).review

    async def approve(self, note: str = "") -> ReviewAck:
        return await self.send(review_payload("approve", note=note))

    async def reject(self, reason: str) -> ReviewAck:
        return await self.send(review_payload("reject", reason=reason))

    async def provide_input(self, values: Mapping[str, str]) -> ReviewAck:
        return await self.send(review_payload("provide_input", values=dict(values)))

    async def instruct(self, action: Action | Mapping[str, Any]) -> ReviewAck:
        raw = action.model_dump() if isinstance(action, Action) else dict(action)
        return await self.send(review_payload("instruct", action=raw))

    async def take_over(self, result: Mapping[str, str] | None = None, note: str = "") -> ReviewAck:
        return await self.send(review_payload("take_over", result=dict(result or {}), note=note))

    async def pause(self, reason: str = "") -> None:
        await self.signal(review_payload("pause", reason=reason))

    async def resume(self) -> None:
        await self.signal(review_payload("resume"))

    async def signal(self, payload: BaseModel) -> None:
        """Send a ``Pause`` or ``Resume``; ``TaskNotFound`` / ``TaskEnded`` when there is no running task."""
        name = {Pause: "pause", Resume: "resume"}[type(payload)]
        await self._rpc(name, lambda: self._handle.signal(name, payload))

    async def send(self, payload: BaseModel) -> ReviewAck:
        """Send a validated review payload (see ``review_payload``) as its update; ``ReviewRefused`` when the
        workflow refuses it or has ended, ``TaskNotFound`` for an unknown id."""
        name = {v: k for k, v in REVIEW_PAYLOADS.items()}[type(payload)]
        try:
            return await self._rpc(name, lambda: self._handle.execute_update(name, payload, result_type=ReviewAck))
        except WorkflowUpdateFailedError as exc:
            cause = exc.cause
            message = getattr(cause, "message", None) or str(cause or exc)
            raise ReviewRefused(f"{name} refused for {self.id}: {message}") from None
        except TaskEnded as exc:
            raise ReviewRefused(f"{name} refused for {self.id}: {exc.message}") from None

    async def goal_engine_result(self) -> GoalEngineResult:
        return GoalEngineResult.from_result(await self.result())

    async def cancel(self) -> None:
        """Request cancellation; ``TaskNotFound`` for an unknown id, ``TaskEnded`` when it has already ended."""
        desc = await self.describe()
        if desc.status != WorkflowExecutionStatus.RUNNING:
            state = desc.status.name.lower() if desc.status else "closed"
            raise TaskEnded(f"cancel: task {self.id} has already ended ({state})")
        await self._rpc("cancel", self._handle.cancel)


class BrowserTasks:
    """Submit, find and follow browser tasks on a Temporal cluster."""

    def __init__(self, client: Client, task_queue: str = "browserflow", store: Store | None = None) -> None:
        self.client = client
        self.task_queue = task_queue
        self._store_instance = store

    @classmethod
    async def connect(
        cls,
        address: str | None = None,
        namespace: str | None = None,
        *,
        task_queue: str | None = None,
        api_key: str | None = None,
        tls: bool | None = None,
        runtime: Runtime | None = None,
    ) -> BrowserTasks:
        """Connect with ``TEMPORAL_*`` environment settings, overridden by the arguments given.

        ``runtime``: the Temporal runtime (thread pool) to use - a short-lived process passes its own and
        drops it before exiting (see ``client/session.py``); default: the SDK's process-wide one."""
        settings = Settings.from_env()
        updates: dict[str, Any] = {
            "temporal_address": address,
            "temporal_namespace": namespace,
            "task_queue": task_queue,
            "temporal_api_key": api_key,
            "temporal_tls": tls,
        }
        settings = settings.model_copy(update={k: v for k, v in updates.items() if v is not None})
        return cls(await connect(settings, runtime=runtime), settings.task_queue)

    async def submit(self, request: TaskRequest | GoalEngineTask | Mapping[str, Any]) -> TaskHandle:
        """Validate and start a task.

        The same ``request_id`` with the same request yields the one existing task (running or finished); with
        a different request (goal, start URL, data, any field) it raises ``RequestIdReused`` and starts nothing.
        """
        req = parse_request(request)
        workflow_id = f"bf-{req.request_id}" if req.request_id else f"bf-{uuid.uuid4().hex}"
        try:
            handle: WorkflowHandle[Any, TaskResult] = await self.client.start_workflow(
                WORKFLOW,
                req,
                id=workflow_id,
                task_queue=self.task_queue,
                result_type=TaskResult,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                priority=temporal_priority(req.priority),
                search_attributes=TypedSearchAttributes(
                    [
                        SearchAttributePair(TASK_STATUS, TaskStatus.QUEUED.value),
                        SearchAttributePair(TASK_SITE, req.site),
                    ]
                ),
                static_summary=f"{req.goal} ({req.site})",
                static_details=f"start: {without_userinfo(req.start_url)}\n\ndata keys: {', '.join(sorted(req.data)) or 'none'}",
                memo={DIGEST_MEMO: request_digest(req)},
            )
        except WorkflowAlreadyStartedError:
            handle = self.client.get_workflow_handle(workflow_id, result_type=TaskResult)
        task = TaskHandle(handle)
        if req.request_id:  # ours or an existing run (USE_EXISTING / a finished one): the digest tells
            desc = await task.describe()
            if not same_request(req, await desc.memo_value(DIGEST_MEMO, None)):
                raise RequestIdReused(
                    f"invalid task request: request_id: {req.request_id!r} already names task {workflow_id},"
                    " started from a different request; use a new request_id for a new request"
                )
        return task

    def get(self, task_id: str) -> TaskHandle:
        return TaskHandle(self.client.get_workflow_handle(task_id, result_type=TaskResult))

    async def run(self, request: TaskRequest | GoalEngineTask | Mapping[str, Any]) -> TaskResult:
        return await (await self.submit(request)).result()

    async def stats(self, since: timedelta | None = None, site: str | None = None) -> Stats:
        """Aggregates from the SQL store (``DATABASE_URL``): success rate, times, cache hits, cost."""
        return await asyncio.to_thread(self._store().stats, since=since, site=site)

    async def cost(self, task_id: str) -> CostBreakdown:
        """One task's decision costs by provider, tier and model."""
        return await asyncio.to_thread(self._store().cost, task_id)

    def _store(self) -> Store:
        if self._store_instance is None:
            self._store_instance = Store.from_settings()
        return self._store_instance

    async def reviews(self, limit: int = 100) -> list[tuple[str, ReviewRequest]]:
        """Pending reviews, oldest first: (task id, what the reviewer is asked)."""
        pending: list[tuple[str, ReviewRequest]] = []
        for row in await self.list(status=TaskStatus.NEEDS_REVIEW.value, limit=limit):
            review = await self.get(row.task_id).pending_review()
            if review is not None:
                pending.append((row.task_id, review))
        return sorted(pending, key=lambda item: item[1].requested_at)

    async def list(self, status: str | None = None, site: str | None = None, limit: int = 50) -> list[TaskSummary]:
        """Tasks, newest first, filtered by ``TaskStatus`` and ``TaskSite``."""
        clauses = [f"WorkflowType = '{WORKFLOW}'"]
        if status:
            clauses.append(f"{TASK_STATUS.name} = '{TaskStatus(status).value}'")
        if site:
            clauses.append(f"{TASK_SITE.name} = '{site.replace(chr(39), '')}'")
        found: list[TaskSummary] = []
        async for wf in self.client.list_workflows(" AND ".join(clauses), limit=limit):
            attrs = wf.typed_search_attributes
            found.append(
                TaskSummary(
                    task_id=wf.id,
                    status=attrs.get(TASK_STATUS) or "unknown",
                    site=attrs.get(TASK_SITE) or "",
                    started_at=wf.start_time,
                    closed_at=wf.close_time,
                )
            )
        return found
