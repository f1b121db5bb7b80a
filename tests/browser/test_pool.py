"""The browser pool on real Chromium: capacity, idle reaping, clean shutdown."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from browserflow.browser.pool import BrowserPool
from browserflow.errors import PoolExhausted, SessionNotFound
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
