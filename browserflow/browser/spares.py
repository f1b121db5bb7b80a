"""Pre-warmed spare (context, page) pairs for the browser pool.

``context.new_page()`` spawns a renderer (100-150 ms) on the critical path of every task start. The pool keeps
up to ``BROWSERFLOW_WARM_SESSIONS`` (default 1, 0 disables) blank pairs ready and hands one to the next
``open`` without storage state. The refill runs in the background when the pool starts and when a session
closes, never right after an open (it would compete with the task that just started for the CPU), and an
``open`` that finds a spare half made waits for it rather than making a second. Spares are not sessions: they do not count
against ``max_sessions``, are never reaped, and carry no storage state, tracing or listeners.

All of it runs on the pool's event loop; the refill never takes the pool's lock (it creates the context and
page, then attaches them with a plain append), so an ``open`` holding that lock never waits on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from playwright.async_api import Browser, BrowserContext, Page

from browserflow.config import DEFAULT_WARM_SESSIONS, ComponentSettings

__all__ = ["DEFAULT_WARM_SESSIONS", "Spare", "Spares", "warm_sessions"]

log = logging.getLogger(__name__)


def warm_sessions() -> int:
    """``BROWSERFLOW_WARM_SESSIONS``: spare pages kept ready (default 1; 0 disables)."""
    return ComponentSettings.current().warm_sessions


@dataclass(frozen=True)
class Spare:
    browser: Browser  # the launch it was made on: a relaunch makes it useless
    context: BrowserContext
    page: Page

    def usable(self, browser: Browser) -> bool:
        return self.browser is browser and browser.is_connected() and not self.page.is_closed()


class Spares:
    """Up to ``target`` spares, refilled in the background while ``wanted()`` holds.

    ``browser()`` gives the pool's current browser (``None`` before start); ``make(browser)`` creates a
    context and page with the session options. The refill never launches a browser: that stays with ``open``.
    """

    def __init__(
        self,
        target: int,
        *,
        browser: Callable[[], Browser | None],
        make: Callable[[Browser], Awaitable[tuple[BrowserContext, Page]]],
        wanted: Callable[[], bool],
    ) -> None:
        if target < 0:
            raise ValueError("warm_sessions must be 0 or more")
        self.target = target
        self.used = 0  # opens served by a spare
        self._browser = browser
        self._make = make
        self._wanted = wanted
        self._ready: list[Spare] = []
        self._discarded: list[BrowserContext] = []  # to close off the critical path
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def __len__(self) -> int:
        return len(self._ready)

    def take(self, browser: Browser) -> tuple[BrowserContext, Page] | None:
        """A ready spare on ``browser`` (no await), or ``None``; unusable ones are discarded on the way."""
        while self._ready:
            spare = self._ready.pop(0)
            if spare.usable(browser):
                self.used += 1
                return spare.context, spare.page
            log.debug("discarding a spare page of a closed page or an old browser")
            self._discarded.append(spare.context)
        return None

    async def take_soon(self, browser: Browser) -> tuple[BrowserContext, Page] | None:
        """Like :meth:`take`, but a spare already being made is awaited: finishing a page half made is faster
        than starting a second one beside it (and two renderers starting at once slow each other)."""
        task = self._task
        if not self._ready and task is not None and not task.done():
            await asyncio.wait({task})
        return self.take(browser)

    def drop(self) -> None:
        """Forget every spare (the browser they were made on is gone)."""
        self._ready.clear()

    def refill(self) -> None:
        """Start the background refill unless it runs already or nothing is wanted. Never raises."""
        if self._closed or (self._task is not None and not self._task.done()):
            return
        if not self._discarded and not self._short():
            return
        self._task = asyncio.get_running_loop().create_task(self._refill(), name="browserflow-warm-pages")

    async def warmed(self) -> int:
        """Wait for the pending refill (starting one if spares are missing); returns how many are ready."""
        self.refill()
        task = self._task
        if task is not None:
            await asyncio.wait({task})  # neither raises its error nor cancels it if we are cancelled
        return len(self._ready)

    async def close(self) -> None:
        """Cancel the refill and close every spare's context."""
        self._closed = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        contexts = [s.context for s in self._ready] + self._discarded
        self._ready.clear()
        self._discarded.clear()
        for context in contexts:
            with contextlib.suppress(Exception):
                await context.close()

    def _short(self) -> bool:
        return not self._closed and len(self._ready) < self.target and self._wanted()

    async def _refill(self) -> None:
        while self._discarded:
            with contextlib.suppress(Exception):
                await self._discarded.pop().close()
        while self._short():
            browser = self._browser()
            if browser is None or not browser.is_connected():
                return  # the next open relaunches it, then refills
            try:
                context, page = await self._make(browser)  # closes its context itself if the page fails
            except Exception:
                if self._browser() is browser:  # not a relaunch under us: try again on the next open
                    log.warning("could not warm a spare page", exc_info=True)
                    return
                log.debug("a spare page was lost to a browser relaunch", exc_info=True)
                continue
            if self._closed or self._browser() is not browser or page.is_closed():
                with contextlib.suppress(Exception):
                    await context.close()
                if self._browser() is browser:  # closed, or a page that died at once: do not spin
                    return
                continue
            self._ready.append(Spare(browser, context, page))
