"""The browser session as the workflow sees it: page activities pinned to the worker that holds the page,
checkpoints, parking, and recovery on another worker when that worker is gone.

``Session`` holds a reference to the task's ``TaskState`` (``state.session``, ``state.checkpoint``,
``state.recoveries``, ``state.recovery_log``) and nothing else but the future of a session being opened.
Every recovery is kept for the store (``state.recovery_log``, step -> attempts, written by ``task_finished``):
the session rebuilds made here (strategy ``restore_session``) and the attempts the ``navigate`` / ``extract``
activities report with their snapshot. The attempts ``act`` and ``replay`` report travel in their step's record.
A parked session's rebuild (after a wait for a person) is a planned resume, not a recovery: it is neither
counted against ``MAX_RECOVERIES`` nor recorded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, TimeoutType, is_cancelled_exception
from temporalio.exceptions import TimeoutError as TemporalTimeout

with workflow.unsafe.imports_passed_through():
    from browserflow import errors
    from browserflow.contracts import (
        Checkpoint,
        CloseSessionInput,
        CloseSessionResult,
        ErrorInfo,
        ExtractInput,
        NavigateInput,
        OpenSessionInput,
        PageSnapshot,
        ParkInput,
        ParkResult,
        RecoveryAttempt,
        ScreenshotInput,
        ScreenshotResult,
        SessionRef,
        TaskStatus,
    )
    from browserflow.errors import TERMINAL_STATUS
    from browserflow.goals import probe_selectors
    from browserflow.temporal.policies import options
    from workflows.state import Ending, TaskState

__all__ = [
    "LOSS_TYPES",
    "MAX_RECOVERIES",
    "TERMINAL_ERRORS",
    "ActFailed",
    "Session",
    "SessionLost",
    "Stop",
    "detail",
    "failure",
]

# error types (ApplicationError.type) that end the task, with the status they end it in
TERMINAL_ERRORS = TERMINAL_STATUS  # derived from the classes in browserflow.errors
# what a lost worker looks like from here: its pool forgot the session, its queue is not polled, its heartbeats
# stopped
LOSS_TYPES = (
    errors.SessionNotFound.type_name,
    f"Timeout.{TimeoutType.SCHEDULE_TO_START.name}",
    f"Timeout.{TimeoutType.HEARTBEAT.name}",
)
MAX_RECOVERIES = 3
# activities are called by their registered names (``activities/browser.py``, ``activities/review.py``): the
# workflow imports no activity code (and so no Playwright)
ACTS = ("act", "replay")  # a failure of these names the failed action's index
T = TypeVar("T")
RESTORE = "restore_session"


class Stop(Exception):
    """The task ends here (a terminal error, or recoveries exhausted); raised out of the helpers."""

    def __init__(self, ending: Ending) -> None:
        super().__init__(ending.reason)
        self.ending = ending


def stop(status: TaskStatus, reason: str) -> Stop:
    return Stop(Ending(status=status, reason=reason))


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


class Session:
    """The task's browser session; see the module docstring."""

    def __init__(self, state: TaskState) -> None:
        self.state = state
        self.probes = probe_selectors(state.request.indicators())
        self.domains = state.request.domains()
        self._opening: asyncio.Future[SessionRef] | None = None

    def open(self, storage_state: dict[str, Any] | None = None) -> None:
        """Start opening a session (on any worker with room); shielded, so a cancellation can still close it."""
        self._opening = asyncio.ensure_future(
            workflow.execute_activity(
                "open_session",
                OpenSessionInput(
                    task_id=workflow.info().workflow_id, site=self.state.request.site, storage_state=storage_state
                ),
                summary="restore browser session" if storage_state else "open browser session",
                task_queue=f"{workflow.info().task_queue}.open",
                result_type=SessionRef,
                **options("open_session"),
            )
        )

    async def opened(self) -> SessionRef:
        assert self._opening is not None
        self.state.session = await asyncio.shield(self._opening)
        return self.state.session

    async def call(self, name: str, make_arg: Callable[[str], Any], result_type: type[T], summary: str) -> T:
        """One page activity on the session's worker (its policy row has the activity's name).

        Raises ``SessionLost`` when that worker is gone, ``Stop`` for terminal errors, ``ActFailed`` for a
        failed ``act`` or ``replay``; cancellation propagates as ``asyncio.CancelledError``.
        """
        session = self.state.session
        if session is None:
            raise SessionLost(ErrorInfo(type=errors.SessionNotFound.type_name, message="no browser session"))
        try:
            result = await workflow.execute_activity(
                name,
                make_arg(session.session_id),
                task_queue=session.task_queue,
                summary=summary[:200],
                result_type=result_type,
                **options(name),
            )
        except ActivityError as err:
            if is_cancelled_exception(err):  # the task is being cancelled or timed out
                raise asyncio.CancelledError() from err
            error = failure(err)
            self.state.last_failure = error
            if error.type in TERMINAL_ERRORS:
                raise stop(TERMINAL_ERRORS[error.type], error.message) from None
            if error.type.startswith(LOSS_TYPES):
                raise SessionLost(error) from None
            if name in ACTS:
                index = detail(err, "index")
                raise ActFailed(error, index if isinstance(index, int) else None) from None
            raise stop(TaskStatus.FAILED, f"{name} failed: {error.type}: {error.message}") from None
        if isinstance(result, PageSnapshot):  # navigate / extract: the page-load recoveries they made
            self.state.note_recoveries(result.recoveries)
        return result

    async def restore(self, why: str, *, lost: bool = True) -> PageSnapshot:
        """A new session (on any worker) from the last checkpoint: its cookies and storage, at its URL.

        ``lost``: the session was lost (a recovery: counted, and recorded as ``restore_session``); otherwise it
        was parked on purpose while a person was awaited (a planned resume: neither counted nor recorded).
        """
        state = self.state
        if lost:
            if state.recoveries >= MAX_RECOVERIES:
                raise stop(TaskStatus.FAILED, f"gave up after {MAX_RECOVERIES} session recoveries ({why})")
            state.recoveries += 1
        state.session = None
        checkpoint = state.checkpoint or Checkpoint(url=state.request.start_url)
        state.detail = f"recovering the browser session ({why})"
        workflow.logger.info("recovering session: %s; resuming at %s", why, checkpoint.url)
        error_type = state.last_failure.type if state.last_failure else "SessionLost"
        step, attempt = state.step, state.recoveries
        try:
            self.open(checkpoint.storage_state)
            await self.opened()
            snapshot = await self.navigate(checkpoint.url)
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
        self.state.note_recoveries([record], step)

    async def navigate(self, url: str) -> PageSnapshot:
        return await self.call(
            "navigate",
            lambda sid: NavigateInput(
                session_id=sid, url=url, allowed_domains=self.domains, probe_selectors=self.probes
            ),
            PageSnapshot,
            f"open {url}",
        )

    async def extract(self) -> PageSnapshot:
        """The page as it is now; a lost session is rebuilt first."""
        try:
            return await self.call(
                "extract",
                lambda sid: ExtractInput(session_id=sid, probe_selectors=self.probes),
                PageSnapshot,
                "extract page",
            )
        except SessionLost as lost:
            return await self.restore(lost.error.message)

    async def ensure(self) -> PageSnapshot | None:
        """Rebuild a parked session; ``None`` when the session is live."""
        if self.state.session is not None or not self.state.checkpoint:
            return None
        return await self.restore("unparking after a wait", lost=False)

    async def screenshot(self, name: str) -> str:
        """A masked screenshot file on the session's worker; '' when it cannot be taken."""
        try:
            shot = await self.call(
                "screenshot",
                lambda sid: ScreenshotInput(session_id=sid, task_id=workflow.info().workflow_id, name=name),
                ScreenshotResult,
                "screenshot for the reviewer",
            )
        except (SessionLost, Stop):
            return ""
        return str(shot.path)

    async def park(self) -> None:
        """Save the session's state and release its pool slot while waiting for a person."""
        if self.state.session is None:
            return
        try:
            parked = await self.call("park", lambda sid: ParkInput(session_id=sid), ParkResult, "park the browser")
        except (SessionLost, Stop):
            self.state.session = None
            return
        self.state.checkpoint = parked.checkpoint
        self.state.session = None
        self._opening = None

    async def close(self, keep_trace: bool | None = None) -> None:
        session, self.state.session = self.state.session, None
        opening, self._opening = self._opening, None
        if session is None and opening is not None:
            try:  # cancelled while the session was opening: wait for it, then close it
                session = await opening
            except ActivityError:
                return
        if session is None:
            return
        try:
            await workflow.execute_activity(
                "close_session",
                CloseSessionInput(session_id=session.session_id, keep_trace=keep_trace),
                task_queue=session.task_queue,
                summary="close browser session",
                result_type=CloseSessionResult,
                **options("close_session"),
            )
        except ActivityError:
            workflow.logger.warning("closing the browser session failed; the worker's reaper will close it")
