"""The browser pool on real Chromium: capacity, idle reaping, clean shutdown, warm spare pages."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext

from browserflow.browser.pool import BrowserPool, Session
from browserflow.errors import PoolExhausted, SessionNotFound
from demo import DemoSite
from tests.conftest import chromium_path


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        children = {child for child, parent in parents.items() if parent in frontier} - found
        found |= children
        frontier = children
    return found


def chromium_children() -> set[int]:
    pids = set()
    for pid in descendants(os.getpid()):
        try:
            if b"chrom" in Path(f"/proc/{pid}/cmdline").read_bytes():
                pids.add(pid)
        except OSError:
            continue
    return pids


async def test_capacity_is_enforced_and_sessions_are_isolated() -> None:
    async with BrowserPool(chromium_path=chromium_path(), max_sessions=2) as pool:
        a = await pool.open("task-a")
        b = await pool.open("task-b")
        with pytest.raises(PoolExhausted, match="2 sessions"):
            await pool.open("task-c")
        assert a.context is not b.context
        assert pool.in_use == 2
        assert await pool.close(a.id)
        assert not await pool.close(a.id)
        with pytest.raises(SessionNotFound):
            pool.get(a.id)
        c = await pool.open("task-c")
        assert pool.get(c.id) is c


async def test_idle_sessions_are_reaped_but_busy_ones_are_not() -> None:
    async with BrowserPool(chromium_path=chromium_path(), max_sessions=3, idle_seconds=60) as pool:
        idle = await pool.open("idle")
        busy = await pool.open("busy")
        busy.busy = 1
        fresh = await pool.open("fresh")
        later = fresh.last_used + 61
        fresh.last_used = later  # used "just now" relative to the reaping time
        assert await pool.reap_idle(now=later + 1) == 1
        with pytest.raises(SessionNotFound):
            pool.get(idle.id)
        assert pool.get(busy.id) is busy
        assert pool.in_use == 2


async def test_stop_leaves_no_chromium_process() -> None:
    before = chromium_children()
    pool = await BrowserPool(chromium_path=chromium_path(), max_sessions=2).start()
    await pool.open("t1")
    started = chromium_children() - before
    assert started, "the pool should have launched Chromium"
    await pool.stop()
    assert not (chromium_children() & started)


async def test_a_crashed_browser_is_relaunched() -> None:
    async with BrowserPool(chromium_path=chromium_path(), max_sessions=2) as pool:
        session = await pool.open("t1")
        browser = session.context.browser
        assert browser is not None
        await browser.close()  # what a crash looks like from here: the connection is gone
        again = await pool.open("t2")
        assert pool.stats().launches == 2
        assert pool.in_use == 1
        with pytest.raises(SessionNotFound):
            pool.get(session.id)
        assert pool.get(again.id) is again


# -- warm spare pages --------------------------------------------------------------------------------------


def spare_contexts(*sessions: Session) -> list[BrowserContext]:
    """The browser's contexts that are no session's: the pool's spares."""
    browser = sessions[0].context.browser
    assert browser is not None
    held = {id(s.context) for s in sessions}
    return [c for c in browser.contexts if id(c) not in held]


async def test_open_takes_the_warm_spare_page(site: DemoSite) -> None:
    async with BrowserPool(chromium_path=chromium_path(), max_sessions=2, warm_sessions=1) as pool:
        assert await pool.warmed() == 1
        assert await pool.reap_idle(now=time.monotonic() + 10 * pool.idle_seconds) == 0  # a spare is no session
        assert pool.stats().warm == 1
        first = await pool.open("t1")
        assert pool.stats().warm_used == 1
        assert pool.stats().warm == 0  # no refill right after an open: it would compete with the new task
        assert await pool.warmed() == 1  # warmed() starts the refill and waits for it
        [spare] = spare_contexts(first)
        [spare_page] = spare.pages

        second = await pool.open("t2")
        assert second.context is spare
        assert second.page is spare_page
        assert pool.stats().warm_used == 2
        # a spare is set up like any session: options, listener, timeouts
        response = await second.page.goto(site.url("/"))
        assert response is not None and response.ok
        assert second.last_status == 200
        assert await second.page.evaluate("1 + 1") == 2
        assert await second.page.evaluate("navigator.language") == "en-US"
        assert second.page.viewport_size == {"width": 1280, "height": 800}
        await second.page.goto("data:text/html,<title>warm</title>")
        assert await second.page.title() == "warm"

        assert await pool.warmed() == 0  # full: nothing is warmed
        assert spare_contexts(first, second) == []
        await pool.close(second.id)
        assert await pool.warmed() == 1  # room again


async def test_open_with_storage_state_does_not_take_the_spare() -> None:
    cookie = {
        "name": "bf",
        "value": "kept",
        "domain": "example.test",
        "path": "/",
        "expires": -1,
        "httpOnly": False,
        "secure": False,
        "sameSite": "Lax",
    }
    async with BrowserPool(chromium_path=chromium_path(), max_sessions=2, warm_sessions=1) as pool:
        assert await pool.warmed() == 1
        session = await pool.open("t1", storage_state={"cookies": [cookie], "origins": []})
        assert pool.stats().warm_used == 0
        assert pool.stats().warm == 1
        assert [(c["name"], c["value"]) for c in await session.context.cookies()] == [("bf", "kept")]
        [spare] = spare_contexts(session)
        assert await spare.cookies() == []  # spares hold no state


@pytest.mark.parametrize("via", ["argument", "environment"])
async def test_no_spare_with_zero_warm_sessions(via: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if via == "environment":
        monkeypatch.setenv("BROWSERFLOW_WARM_SESSIONS", "0")
        pool = BrowserPool(chromium_path=chromium_path(), max_sessions=2)
    else:
        monkeypatch.delenv("BROWSERFLOW_WARM_SESSIONS", raising=False)
        pool = BrowserPool(chromium_path=chromium_path(), max_sessions=2, warm_sessions=0)
    async with pool:
        assert await pool.warmed() == 0
        session = await pool.open("t1")
        assert await pool.warmed() == 0
        await pool.close(session.id)
        again = await pool.open("t2")
        assert await pool.warmed() == 0
        assert spare_contexts(again) == []
        assert pool.stats().warm_used == 0


async def test_stop_closes_the_spares_and_their_refill() -> None:
    before = chromium_children()
    pool = await BrowserPool(chromium_path=chromium_path(), max_sessions=3, warm_sessions=2).start()
    assert await pool.warmed() == 2
    session = await pool.open("t1")
    assert await pool.warmed() == 2
    spares = spare_contexts(session)
    assert len(spares) == 2
    browser = session.context.browser
    assert browser is not None
    started = chromium_children() - before
    await pool.open("t2")  # its refill is still under way when the pool stops
    await pool.stop()
    assert all(page.is_closed() for spare in spares for page in spare.pages)
    assert browser.contexts == []
    assert pool.stats().warm == 0
    assert await pool.warmed() == 0  # a stopped pool warms nothing
    assert not (chromium_children() & started)


async def test_a_spare_whose_page_closed_is_not_used() -> None:
    async with BrowserPool(chromium_path=chromium_path(), max_sessions=2, warm_sessions=1) as pool:
        assert await pool.warmed() == 1
        first = await pool.open("t1")
        assert await pool.warmed() == 1
        [spare] = spare_contexts(first)
        await spare.pages[0].close()
        second = await pool.open("t2")
        assert second.context is not spare
        assert pool.stats().warm_used == 1  # the first open only
        assert await second.page.evaluate("1 + 1") == 2
        await pool.warmed()
        assert spare not in spare_contexts(first, second)  # the discarded spare's context was closed


async def test_a_spare_of_a_crashed_browser_is_not_used() -> None:
    async with BrowserPool(chromium_path=chromium_path(), max_sessions=2, warm_sessions=1) as pool:
        assert await pool.warmed() == 1
        first = await pool.open("t1")
        assert await pool.warmed() == 1
        browser = first.context.browser
        assert browser is not None
        [old_spare] = spare_contexts(first)
        await browser.close()  # what a crash looks like from here: the connection is gone
        again = await pool.open("t2")
        assert pool.stats().launches == 2
        assert pool.stats().warm_used == 1  # the first open only
        assert again.context is not old_spare
        assert again.context.browser is not browser
        assert await again.page.evaluate("1 + 1") == 2
        assert await pool.warmed() == 1  # warmed again, on the new browser
        [new_spare] = spare_contexts(again)
        await pool.close(again.id)
        third = await pool.open("t3")
        assert third.context is new_spare
        assert pool.stats().warm_used == 2
