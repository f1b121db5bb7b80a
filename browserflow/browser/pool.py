"""A worker's browser pool: one Chromium, one context per task session, a hard cap on sessions.

The pool is plain asyncio + Playwright (no Temporal). A worker process owns exactly one pool; the session
activities reach it through the session id. Idle sessions (a task whose workflow vanished, a forgotten
close) are reaped after ``idle_seconds``. A Chromium that crashes or disconnects is relaunched on the next
``open``; the sessions it held are gone and their workflows recover them (``SessionNotFound``). Spare
pre-warmed pages (``BROWSERFLOW_WARM_SESSIONS``, see ``spares``) take the page creation off ``open``'s path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from playwright.async_api import Browser, BrowserContext, Page, Playwright, Response, async_playwright

from browserflow.browser import confine, dialogs, trace_scrub
from browserflow.browser.chromium import chromium_args, find_chromium
from browserflow.browser.spares import Spares
from browserflow.browser.spares import warm_sessions as warm_sessions_default
from browserflow.config import ComponentSettings
from browserflow.errors import PoolExhausted, SessionError, SessionNotFound

__all__ = ["BrowserPool", "PoolStats", "Session"]

log = logging.getLogger(__name__)

ACTION_TIMEOUT_MS = 5_000
NAVIGATION_TIMEOUT_MS = 15_000

TraceMode = Literal["off", "failed", "always"]


def trace_mode() -> TraceMode:
    """``BROWSERFLOW_TRACE``: ``off``, ``failed`` (default: keep the trace of a task that did not succeed)
    or ``always``."""
    return ComponentSettings.current().trace


def trace_detail() -> str:
    """``BROWSERFLOW_TRACE_DETAIL``: ``actions`` (default: actions, network, console), ``snapshots`` (+ DOM
    snapshots) or ``full`` (+ screencast). Recording costs task time: see the README's benchmark table."""
    return ComponentSettings.current().trace_detail


def artifacts_dir() -> Path:
    """``<BROWSERFLOW_DATA_DIR>/artifacts`` (default ``.data/artifacts`` in the checkout)."""
    return ComponentSettings.current().data_dir / "artifacts"


@dataclass
class Session:
    """One task's browser context and page, held by this worker."""

    id: str
    task_id: str
    context: BrowserContext
    page: Page
    created: float = field(default_factory=time.monotonic)
    last_used: float = field(default_factory=time.monotonic)
    last_status: int | None = None
    results: dict[str, Any] = field(default_factory=dict)  # plan id -> recorded outcome (idempotent retries)
    busy: int = 0
    redirected_from: str | None = None  # the GET a redirect led away from (e.g. to a login form)
    credentials: dict[str, str] = field(default_factory=dict)  # credential *references* typed into a sign-in
    recoveries: list[Any] = field(default_factory=list)  # RecoveryAttempt records, oldest first
    plan_urls: dict[str, str] = field(default_factory=dict)  # plan id -> URL the plan started on
    trace_path: Path | None = None  # where the Playwright trace goes at close (None: not tracing)
    saw_error: bool = False  # a page activity of this session failed (keeps the trace in "failed" mode)
    secret_values: set[str] = field(default_factory=set)  # resolved secrets typed here: scrubbed from the trace
    guard: confine.Guard = field(default_factory=confine.Guard)  # the task's hosts, enforced at the browser
    login_url: str = ""  # where this session signed in itself (the only page a re-login may post to)
    dialogs: dialogs.DialogWatch = field(default_factory=dialogs.DialogWatch)  # confirm() & co, answered on purpose

    def touch(self) -> None:
        self.last_used = time.monotonic()


@dataclass(frozen=True)
class PoolStats:
    sessions: int
    max_sessions: int
    browser_connected: bool
    launches: int
    warm: int = 0  # spare pages ready for the next open
    warm_used: int = 0  # opens served by a spare page


class BrowserPool:
    """Holds one Chromium and up to ``max_sessions`` contexts."""

    def __init__(
        self,
        *,
        chromium_path: str | None = None,
        headless: bool = True,
        max_sessions: int = 8,
        idle_seconds: float = 900.0,
        navigation_timeout_ms: float = NAVIGATION_TIMEOUT_MS,
        warm_sessions: int | None = None,
    ) -> None:
        if max_sessions < 1:
            raise ValueError("max_sessions must be at least 1")
        self._chromium_path = chromium_path
        self._headless = headless
        self.max_sessions = max_sessions
        self.idle_seconds = idle_seconds
        self.navigation_timeout_ms = navigation_timeout_ms
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._sessions: dict[str, Session] = {}
        self._lock = asyncio.Lock()
        self._reaper: asyncio.Task[None] | None = None
        self._launches = 0
        self._closed = False
        self._room = asyncio.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reserved = 0  # slots promised to opens that have not happened yet
        self._count_lock = threading.Lock()  # the SDK releases slots from its own thread
        self._spares = Spares(
            warm_sessions_default() if warm_sessions is None else warm_sessions,
            browser=lambda: self._browser,
            make=self._new_page,
            wanted=lambda: not self._closed and len(self._sessions) < self.max_sessions,
        )

    # -- lifecycle -------------------------------------------------------------------------------------

    async def start(self) -> BrowserPool:
        self._loop = asyncio.get_running_loop()
        self._playwright = await async_playwright().start()
        await self._ensure_browser()
        self._reaper = asyncio.create_task(self._reap_forever(), name="browserflow-session-reaper")
        self._spares.refill()
        return self

    async def stop(self) -> None:
        """Close every session and the browser; leaves no Chromium process behind."""
        self._closed = True
        if self._reaper is not None:
            self._reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reaper
        await self._spares.close()  # cancels the refill, closes the spare contexts
        for session_id in list(self._sessions):
            await self.close(session_id)
        if self._browser is not None:
            with contextlib.suppress(Exception):
                await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None

    async def __aenter__(self) -> BrowserPool:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _ensure_browser(self) -> Browser:
        if self._browser is not None and self._browser.is_connected():
            return self._browser
        if self._playwright is None:
            raise SessionError("the browser pool is not started")
        if self._browser is not None:  # crashed or disconnected: its sessions are gone
            log.warning("chromium disconnected; relaunching (lost %d sessions)", len(self._sessions))
            self._sessions.clear()
            self._spares.drop()
        path = self._chromium_path or find_chromium()
        self._browser = await self._playwright.chromium.launch(
            executable_path=path, headless=self._headless, args=chromium_args()
        )
        self._launches += 1
        return self._browser

    # -- sessions --------------------------------------------------------------------------------------

    @property
    def in_use(self) -> int:
        return len(self._sessions)

    def held_for(self, task_id: str) -> int:
        """How many sessions this pool holds for ``task_id``."""
        return sum(1 for s in self._sessions.values() if s.task_id == task_id)

    def stats(self) -> PoolStats:
        connected = self._browser is not None and self._browser.is_connected()
        return PoolStats(
            len(self._sessions), self.max_sessions, connected, self._launches, len(self._spares), self._spares.used
        )

    async def warmed(self) -> int:
        """Wait until the background refill of spare pages settles; returns how many are ready."""
        return await self._spares.warmed()

    async def _new_page(
        self, browser: Browser, storage_state: dict[str, Any] | None = None
    ) -> tuple[BrowserContext, Page]:
        """A context with the session options, and its page (spares are made here too, without state)."""
        context = await browser.new_context(
            viewport={"width": 1280, "height": 800},
            locale="en-US",
            service_workers="block",
            storage_state=storage_state,  # type: ignore[arg-type]
        )
        self._set_timeouts(context)
        try:
            return context, await context.new_page()
        except BaseException:
            with contextlib.suppress(Exception):
                await context.close()
            raise

    def _set_timeouts(self, context: BrowserContext) -> None:
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(self.navigation_timeout_ms)

    async def open(self, task_id: str, storage_state: dict[str, Any] | None = None, site: str = "") -> Session:
        """A new context and page for ``task_id``; raises ``PoolExhausted`` when the pool is full.

        ``site`` (the start URL's host[:port]) is the task's own site: the session's navigations are confined
        to it and to the allowed hosts each page activity carries (``browserflow.browser.confine``)."""
        async with self._lock:
            if self._closed:
                raise SessionError("the browser pool is shutting down")
            for stale in [s.id for s in self._sessions.values() if s.task_id == task_id]:
                # a retried open (its first attempt's result was lost): one session per task per worker
                await self.close(stale)
            if len(self._sessions) >= self.max_sessions:
                raise PoolExhausted(f"browser pool full ({self.max_sessions} sessions)")
            browser = await self._ensure_browser()
            spare = await self._spares.take_soon(browser) if storage_state is None else None  # spares carry no state
            if spare is None:
                context, page = await self._new_page(browser, storage_state)
            else:
                context, page = spare
                self._set_timeouts(context)  # the pool's timeouts may have changed since the spare was made
            try:
                guard = await confine.install(context, page, site)
            except BaseException:
                with contextlib.suppress(Exception):
                    await context.close()
                raise
            session = Session(id=uuid.uuid4().hex, task_id=task_id, context=context, page=page, guard=guard)
            session.dialogs = dialogs.watch(page)
            if trace_mode() != "off":
                try:
                    # actions + network always; DOM snapshots and screencast frames (each costly) on request
                    detail = trace_detail()
                    await context.tracing.start(screenshots=detail == "full", snapshots=detail != "actions")
                    session.trace_path = artifacts_dir() / _safe_name(task_id) / f"trace-{session.id}.zip"
                except Exception:  # tracing is a diagnostic: never fail a task for it
                    log.warning("could not start tracing for task %s", task_id, exc_info=True)
            page.on("response", lambda response: self._note_status(session, response))
            self._sessions[session.id] = session
            return session

    @staticmethod
    def _note_status(session: Session, response: Response) -> None:
        try:
            request = response.request
            if request.is_navigation_request() and response.frame == session.page.main_frame:
                session.last_status = response.status
                first = request
                while first.redirected_from is not None:
                    first = first.redirected_from
                session.redirected_from = first.url if first is not request and first.method == "GET" else None
        except Exception:  # a response of a closed page
            return

    def get(self, session_id: str) -> Session:
        session = self._sessions.get(session_id)
        if session is None or session.page.is_closed():
            raise SessionNotFound(f"session {session_id} is not held by this worker")
        session.touch()
        return session

    async def close(self, session_id: str, keep_trace: bool | None = None) -> bool:
        """Close the session's context. Its trace is saved when ``BROWSERFLOW_TRACE=always``, or in ``failed``
        mode when ``keep_trace`` (else: when one of its page activities failed)."""
        session = self._sessions.pop(session_id, None)
        if session is None:
            return False
        await self._finish_trace(session, keep_trace)
        await session.guard.detach()
        with contextlib.suppress(Exception):
            await session.context.close()
        self._notify_room()
        self._spares.refill()  # room again: warm a spare if one was skipped while full
        return True

    # -- capacity reservations: a worker asks for work only when it has room (see worker.SessionSlots) ---

    def has_room(self) -> bool:
        return not self._closed and len(self._sessions) + self._reserved < self.max_sessions

    async def reserve(self) -> None:
        """Wait until a session can be opened here, and hold that room until ``unreserve``."""
        async with self._room:
            await self._room.wait_for(self.has_room)
            with self._count_lock:
                self._reserved += 1

    def try_reserve(self) -> bool:
        with self._count_lock:
            if not self.has_room():
                return False
            self._reserved += 1
        return True

    def unreserve(self) -> None:
        """Give back a reservation (its open happened, or it was not needed). Safe from any thread."""
        with self._count_lock:
            self._reserved = max(0, self._reserved - 1)
        self._notify_room()

    def _notify_room(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            loop.create_task(self._wake())
        else:
            loop.call_soon_threadsafe(lambda: loop.create_task(self._wake()))

    async def _wake(self) -> None:
        async with self._room:
            self._room.notify_all()

    @staticmethod
    async def _finish_trace(session: Session, keep_trace: bool | None) -> None:
        if session.trace_path is None:
            return
        mode = trace_mode()
        keep = mode == "always" or (mode == "failed" and (session.saw_error if keep_trace is None else keep_trace))
        try:
            if keep:
                # recorded to a side file, kept only once scrubbed of the session's secrets (trace_scrub)
                # the raw trace goes to a private temporary directory, never beside the kept artifacts, so a
                # crash before the scrub leaves nothing unscrubbed where traces are kept
                target = session.trace_path
                target.parent.mkdir(parents=True, exist_ok=True)
                with tempfile.TemporaryDirectory(prefix="browserflow-trace-") as tmp:
                    raw = Path(tmp) / (target.name + ".raw")
                    await session.context.tracing.stop(path=raw)
                    values = set(session.secret_values)
                    clean = await asyncio.to_thread(trace_scrub.scrub_trace, raw, target, values)
                if clean:
                    log.info("saved the trace of task %s to %s", session.task_id, target)
                else:
                    log.warning("dropped the trace of task %s: it could not be scrubbed of its secrets", session.task_id)
            else:
                await session.context.tracing.stop()
        except Exception:
            log.warning("could not save the trace of task %s", session.task_id, exc_info=True)

    async def reap_idle(self, now: float | None = None) -> int:
        """Close sessions unused for longer than ``idle_seconds``; returns how many were closed."""
        now = time.monotonic() if now is None else now
        stale = [s.id for s in self._sessions.values() if s.busy == 0 and now - s.last_used > self.idle_seconds]
        for session_id in stale:
            log.info("reaping idle session %s", session_id)
            await self.close(session_id)
        return len(stale)

    async def _reap_forever(self) -> None:
        interval = max(1.0, min(60.0, self.idle_seconds / 4))
        while True:
            await asyncio.sleep(interval)
            try:
                await self.reap_idle()
            except Exception:  # never let the reaper die
                log.exception("session reaper failed")


def _safe_name(task_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in task_id)[:200] or "task"
