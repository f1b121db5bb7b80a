"""The browser session as the workflow sees it: page activities pinned to the worker that holds the page,
checkpoints, parking, and recovery on another worker when that worker is gone.

Every recovery is kept for the store (``_recovery_log``, step -> attempts, written by ``task_finished``): the
session rebuilds made here (strategy ``restore_session``) and the attempts the ``navigate`` / ``extract``
activities report with their snapshot. The attempts ``act`` and ``replay`` report travel in their step's record.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception
from temporalio.exceptions import TimeoutError as TemporalTimeout

with workflow.unsafe.imports_passed_through():
    from activities.browser import BrowserActivities
    from activities.review import ReviewActivities
    from browserflow.contracts import (
        Checkpoint,
        CloseSessionInput,
        ErrorInfo,
        NavigateInput,
        OpenSessionInput,
        PageSnapshot,
        ParkInput,
        RecoveryAttempt,
        ScreenshotInput,
        SessionRef,
        TaskRequest,
        TaskStatus,
    )
    from browserflow.errors import TERMINAL_STATUS
    from browserflow.temporal.policies import options

__all__ = ["Ending", "SessionLost", "SessionMixin", "Stop", "failure"]

# error types (ApplicationError.type) that end the task, with the status they end it in
TERMINAL_ERRORS = TERMINAL_STATUS  # derived from the classes in browserflow.errors
# what a lost worker looks like from here: its queue is not polled, its heartbeats stopped, its pool forgot
LOSS_TYPES = ("SessionNotFound", "Timeout.SCHEDULE_TO_START", "Timeout.HEARTBEAT")
MAX_RECOVERIES = 3
RESTORE = "restore_session"


class Ending:
    def __init__(self, status: TaskStatus, reason: str, result_data: dict[str, str] | None = None) -> None:
        self.status = status
        self.reason = reason
        self.result_data = result_data or {}


class Stop(Exception):
    def __init__(self, ending: Ending) -> None:
        super().__init__(ending.reason)
        self.ending = ending


class SessionLost(Exception):
    def __init__(self, error: ErrorInfo) -> None:
        super().__init__(error.message)
        self.error = error


class ActFailed(Exception):
    def __init__(self, error: ErrorInfo, index: int | None) -> None:
        super().__init__(error.message)
        self.error = error
        self.index = index


def failure(err: ActivityError) -> ErrorInfo:
    cause = err.cause
    if isinstance(cause, ApplicationError):
        return ErrorInfo(
            type=cause.type or "ApplicationError", message=cause.message, retryable=not cause.non_retryable
        )
    if isinstance(cause, TemporalTimeout):
        return ErrorInfo(type=f"Timeout.{cause.type.name if cause.type else 'UNKNOWN'}", message=str(cause))
    return ErrorInfo(type=type(cause).__name__ if cause else "ActivityError", message=str(cause or err))


def detail(err: ActivityError, key: str) -> Any:
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.details and isinstance(cause.details[0], dict):
        return cause.details[0].get(key)
    return None


class SessionMixin:
    """Session handling, mixed into the task workflow."""

    _request: TaskRequest
    _session: SessionRef | None
    _opening: asyncio.Future[SessionRef] | None
    _checkpoint: Checkpoint | None
    _recoveries: int
    _recovery_log: dict[int, list[RecoveryAttempt]]
    _last_failure: ErrorInfo | None
    _detail: str
    _step: int

    def _init_session(self) -> None:
        self._session = None
        self._opening = None
        self._checkpoint = None
        self._recoveries = 0
        self._recovery_log = {}
        self._last_failure = None

    def _note_recoveries(self, attempts: list[RecoveryAttempt]) -> None:
        """Keep recovery attempts for the store, under the current step (0: before the first step)."""
        if attempts:
            self._recovery_log.setdefault(self._step, []).extend(attempts)

    def _open_future(self, storage_state: dict[str, Any] | None = None) -> asyncio.Future[SessionRef]:
        """Start opening a session (on any worker with room); shielded, so a cancellation can still close it."""
        self._opening = asyncio.ensure_future(
            workflow.execute_activity_method(
                BrowserActivities.open_session,
                OpenSessionInput(
                    task_id=workflow.info().workflow_id, site=self._request.site, storage_state=storage_state
                ),
                summary="restore browser session" if storage_state else "open browser session",
                task_queue=f"{workflow.info().task_queue}.open",
                **options("open_session"),
            )
        )
        return self._opening

    async def _await_open(self) -> SessionRef:
        assert self._opening is not None
        self._session = await asyncio.shield(self._opening)
        return self._session

    async def _call(self, method: Any, make_arg: Callable[[str], Any], policy: str, summary: str) -> Any:
        """One page activity on the session's worker.

        Raises ``SessionLost`` when that worker is gone, ``Stop`` for terminal errors, ``ActFailed`` for a
        failed ``act``; cancellation propagates as ``asyncio.CancelledError``.
        """
        session = self._session
        if session is None:
            raise SessionLost(ErrorInfo(type="SessionNotFound", message="no browser session"))
        try:
            result = await workflow.execute_activity_method(
                method,
                make_arg(session.session_id),
                task_queue=session.task_queue,
                summary=summary[:200],
                **options(policy),
            )
        except ActivityError as err:
            if is_cancelled_exception(err):  # the task is being cancelled or timed out
                raise asyncio.CancelledError() from err
            error = failure(err)
            self._last_failure = error
            if error.type in TERMINAL_ERRORS:
                raise Stop(Ending(TERMINAL_ERRORS[error.type], error.message)) from None
            if error.type.startswith(LOSS_TYPES):
                raise SessionLost(error) from None
            if method is BrowserActivities.act or method is BrowserActivities.replay:
                index = detail(err, "index")
                raise ActFailed(error, index if isinstance(index, int) else None) from None
            raise Stop(Ending(TaskStatus.FAILED, f"{policy} failed: {error.type}: {error.message}")) from None
        if isinstance(result, PageSnapshot):  # navigate / extract: the page-load recoveries they made
            self._note_recoveries(result.recoveries)
        return result

    async def _restore(self, probes: list[str], domains: list[str], why: str, *, lost: bool = True) -> PageSnapshot:
        """A new session (on any worker) from the last checkpoint: its cookies and storage, at its URL.

        ``lost``: the session was lost (a recovery, recorded as ``restore_session``), not parked on purpose.
        """
        if self._recoveries >= MAX_RECOVERIES:
            raise Stop(Ending(TaskStatus.FAILED, f"gave up after {MAX_RECOVERIES} session recoveries ({why})"))
        self._recoveries += 1
        self._session = None
        checkpoint = self._checkpoint or Checkpoint(url=self._request.start_url)
        self._detail = f"recovering the browser session ({why})"
        workflow.logger.info("recovering session: %s; resuming at %s", why, checkpoint.url)
        error_type = self._last_failure.type if self._last_failure else "SessionLost"
        step, attempt = self._step, self._recoveries
        try:
            self._open_future(checkpoint.storage_state)
            await self._await_open()
            snapshot = await self._navigate(checkpoint.url, probes, domains)
        except Exception:
            if lost:
                self._note_restore(step, error_type, attempt, "failed", why)
            raise
        if lost:
            self._note_restore(step, error_type, attempt, "recovered", why)
        return snapshot

    def _note_restore(self, step: int, error_type: str, attempt: int, outcome: str, why: str) -> None:
        record = RecoveryAttempt(
            error_type=error_type[:64],
            strategy=RESTORE,
            attempt=attempt,
            outcome="recovered" if outcome == "recovered" else "failed",
            detail=f"new session from the checkpoint ({why})"[:300],
        )
        self._recovery_log.setdefault(step, []).append(record)

    async def _navigate(self, url: str, probes: list[str], domains: list[str]) -> PageSnapshot:
        return await self._call(
            BrowserActivities.navigate,
            lambda sid: NavigateInput(session_id=sid, url=url, allowed_domains=domains, probe_selectors=probes),
            "navigate",
            f"open {url}",
        )

    async def _ensure_session(self, probes: list[str], domains: list[str]) -> PageSnapshot | None:
        """Rebuild a parked session; ``None`` when the session is live."""
        if self._session is not None:
            return None
        if not self._checkpoint:
            return None
        return await self._restore(probes, domains, "unparking after a wait", lost=False)

    async def _screenshot(self, name: str) -> str:
        """A masked screenshot file on the session's worker; '' when it cannot be taken."""
        try:
            shot = await self._call(
                ReviewActivities.screenshot,
                lambda sid: ScreenshotInput(session_id=sid, task_id=workflow.info().workflow_id, name=name),
                "screenshot",
                "screenshot for the reviewer",
            )
        except (SessionLost, Stop):
            return ""
        return str(shot.path)

    async def _park(self) -> None:
        """Save the session's state and release its pool slot while waiting for a person."""
        if self._session is None:
            return
        try:
            parked = await self._call(
                ReviewActivities.park, lambda sid: ParkInput(session_id=sid), "park", "park the browser"
            )
        except (SessionLost, Stop):
            self._session = None
            return
        self._checkpoint = parked.checkpoint
        self._session = None
        self._opening = None

    async def _close_session(self, keep_trace: bool | None = None) -> None:
        session, self._session = self._session, None
        opening, self._opening = self._opening, None
        if session is None and opening is not None:
            try:  # cancelled while the session was opening: wait for it, then close it
                session = await opening
            except ActivityError:
                return
        if session is None:
            return
        try:
            await workflow.execute_activity_method(
                BrowserActivities.close_session,
                CloseSessionInput(session_id=session.session_id, keep_trace=keep_trace),
                task_queue=session.task_queue,
                summary="close browser session",
                **options("close_session"),
            )
        except ActivityError:
            workflow.logger.warning("closing the browser session failed; the worker's reaper will close it")
