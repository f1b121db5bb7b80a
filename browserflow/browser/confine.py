"""Confinement at the browser: every top-level navigation a task's page makes is checked against its hosts.

Two hooks, installed on each session when it opens (``install``):

- a CDP ``Fetch`` interception on the session's page, for document requests of its main frame, at the
  request stage. Chromium pauses *every* hop of a redirect chain there (Playwright's own ``route`` sees only
  the first URL of a redirect chain), so a ``302``/``307`` to another host, a JavaScript ``location =``, a
  meta refresh and a form posted to a foreign ``action`` are all failed (``BlockedByClient``) before a byte
  is sent to that host — a form's POST body never reaches it;
- a Playwright ``route`` on the context, for the first request of a page the task did not open itself (a
  popup, ``target=_blank``): refused unless its host is allowed, and a popup whose answer is a redirect is
  refused too (the engine never works in popups, and Playwright cannot see that redirect's next hop).

A refused navigation is noted on the :class:`Guard`; the page activity that was running (or the next one)
raises :class:`~browserflow.errors.NavigationBlocked` naming the host (``Guard.raise_blocked``).

The rules (:class:`HostPolicy`): a host is allowed when an allowed entry names it (``example.com`` also
allows ``www.example.com``; ``host:port`` entries match that port only) or it is the task's own site (the
start URL's host and port). Internal addresses — loopback in any spelling (``127.1``, ``0x7f000001``,
``[::1]``, ``localhost``, ``*.localhost``), private, link-local, ``0.0.0.0`` and other reserved ranges —
are refused unless an entry names that very address; an entry for the task's own internal site host means
its port only (so a task on ``127.0.0.1:8765`` cannot reach ``127.0.0.1:8233``, the Temporal Web UI).
``BROWSERFLOW_ALLOW_INTERNAL=1`` (local development) lifts the internal-address rule. Host names are not
resolved: a public name that resolves to an internal address is not detected here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import BrowserContext, CDPSession, Page, Route
from playwright.async_api import Error as PlaywrightError

from browserflow.browser.hosts import HostPolicy, allow_internal, canonical_host, is_internal
from browserflow.errors import NavigationBlocked

__all__ = ["Blocked", "Guard", "HostPolicy", "allow_internal", "canonical_host", "install", "is_internal"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Blocked:
    host: str
    reason: str
    method: str
    popup: bool = False

    def error(self) -> NavigationBlocked:
        where = "a popup's navigation" if self.popup else f"a {self.method} navigation"
        return NavigationBlocked(f"{where} to {self.host} was blocked before anything was sent: {self.reason}")


@dataclass
class Guard:
    """One session's confinement: the policy in force and the navigations it refused (oldest first)."""

    site: str = ""
    allowed: tuple[str, ...] = ()
    blocked: list[Blocked] = field(default_factory=list)
    _cdp: list[CDPSession] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def policy(self) -> HostPolicy:
        return HostPolicy.of(self.allowed, self.site)

    def confine(self, allowed: Sequence[str]) -> None:
        """The task's allowed hosts (every page activity carries them)."""
        if allowed or not self.allowed:
            self.allowed = tuple(allowed)

    def check(self, url: str) -> None:
        self.policy.check(url)

    def take(self) -> NavigationBlocked | None:
        """The first navigation refused since the last call, as an error (and forget them all)."""
        if not self.blocked:
            return None
        first, self.blocked = self.blocked[0], []
        return first.error()

    def raise_blocked(self) -> None:
        error = self.take()
        if error is not None:
            raise error

    def _refuse(self, url: str, method: str, popup: bool = False) -> bool:
        refused = self.policy.refusal(url)
        if refused is None:
            return False
        self.blocked.append(Blocked(refused[0], refused[1], method, popup))
        log.warning("blocked %s navigation to %s: %s", method, refused[0], refused[1])
        return True

    # -- hooks ---------------------------------------------------------------------------------------------

    async def attach(self, context: BrowserContext, page: Page) -> None:
        """Intercept the main frame's document requests of ``page`` (every redirect hop included)."""
        cdp = await context.new_cdp_session(page)
        tree = await cdp.send("Page.getFrameTree")
        main = tree["frameTree"]["frame"]["id"]

        async def paused(event: dict[str, Any]) -> None:
            request = event.get("request") or {}
            try:
                if event.get("frameId") == main and self._refuse(
                    str(request.get("url", "")), request.get("method", "GET")
                ):
                    await cdp.send(
                        "Fetch.failRequest", {"requestId": event["requestId"], "errorReason": "BlockedByClient"}
                    )
                else:
                    await cdp.send("Fetch.continueRequest", {"requestId": event["requestId"]})
            except PlaywrightError:  # the page or the request went away meanwhile
                return

        def on_paused(event: dict[str, Any]) -> None:
            task = asyncio.ensure_future(paused(event))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        cdp.on("Fetch.requestPaused", on_paused)
        patterns = [{"urlPattern": "*", "resourceType": "Document", "requestStage": "Request"}]
        await cdp.send("Fetch.enable", {"patterns": patterns})
        self._cdp.append(cdp)

    async def route(self, route: Route, page: Page) -> None:
        """The context's route: the first request of a page other than the session's own (a popup)."""
        request = route.request
        try:
            if not request.is_navigation_request():
                await route.fallback()
                return
            try:
                frame = request.frame
                own = frame.page is page
                top = frame.parent_frame is None
            except PlaywrightError:  # a popup's first request comes before its page exists
                own, top = False, True
            if own or not top:
                await route.fallback()  # the session page's main frame is guarded by ``attach``
                return
            if self._refuse(request.url, request.method, popup=True):
                await route.abort("blockedbyclient")
                return
            response = await route.fetch(max_redirects=0)
            if 300 <= response.status < 400 and response.headers.get("location"):
                self.blocked.append(
                    Blocked(request.url[:80], "a popup that redirects is not followed", request.method, True)
                )
                await route.abort("blockedbyclient")
                return
            await route.fulfill(response=response)
        except PlaywrightError:  # the page closed, the request was cancelled, the site did not answer
            with contextlib.suppress(PlaywrightError):
                await route.abort("failed")

    async def detach(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for cdp in self._cdp:
            with contextlib.suppress(PlaywrightError):
                await cdp.detach()
        self._cdp.clear()


async def install(context: BrowserContext, page: Page, site: str = "") -> Guard:
    """Confine ``page`` (and any page it opens) to the task's hosts; returns the session's guard."""
    guard = Guard(site=site)
    await guard.attach(context, page)

    async def handler(route: Route) -> None:
        await guard.route(route, page)

    await context.route("**/*", handler)

    def on_page(other: Page) -> None:
        if other is not page:
            task = asyncio.ensure_future(_attach_quietly(guard, context, other))
            guard._tasks.add(task)
            task.add_done_callback(guard._tasks.discard)

    context.on("page", on_page)
    return guard


async def _attach_quietly(guard: Guard, context: BrowserContext, page: Page) -> None:
    with contextlib.suppress(PlaywrightError):
        await guard.attach(context, page)
