"""Reading MiniWoB++ episodes in a plain Playwright page (no engine): the utterance of a seed, and the
engine's own snapshot of the freshly started episode (``--dump``)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, async_playwright

from bench.miniwob.site import MiniWobSite, check_seed
from browserflow.browser.chromium import chromium_args, find_chromium
from browserflow.snapshot import take_snapshot

__all__ = ["dump_episodes", "goal_for", "open_episode", "plain_browser", "read_utterance"]

VIEWPORT = {"width": 1280, "height": 800}  # the engine pool's viewport (browserflow.browser.pool)

_UTTERANCE_JS = """() => {
  const u = core.getUtterance();
  return typeof u === 'string' ? u : String(u && u.utterance);
}"""


@asynccontextmanager
async def plain_browser() -> AsyncIterator[Browser]:
    """The engine's Chromium binary with its launch flags, driven by plain Playwright."""
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=find_chromium(), args=chromium_args())
        try:
            yield browser
        finally:
            await browser.close()


async def open_episode(page: Page, site: MiniWobSite, task: str, seed: int, episode: str | None = None) -> str:
    """Load ``task``'s page for ``seed`` and wait until the harness started the episode; the episode id."""
    episode = episode or f"plain-{uuid.uuid4().hex[:12]}"
    await page.goto(site.task_url(task, check_seed(seed), episode))
    await page.wait_for_function("() => window.__bf && window.__bf.started === true", timeout=10_000)
    return episode


async def read_utterance(page: Page) -> str:
    """The task text of the page's current episode (``core.getUtterance()``; some tasks return a dict)."""
    return str(await page.evaluate(_UTTERANCE_JS))


async def goal_for(task: str, seed: int, *, site: MiniWobSite, browser: Browser) -> str:
    """The utterance of ``task`` for ``seed``, read in a fresh context on ``site``."""
    context = await browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    try:
        page = await context.new_page()
        await open_episode(page, site, task, seed)
        return await read_utterance(page)
    finally:
        await context.close()


async def dump_episode(browser: Browser, site: MiniWobSite, task: str, seed: int) -> dict[str, Any]:
    """The utterance and the engine's page snapshot of a freshly started episode (read twice: determinism)."""
    context = await browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    try:
        page = await context.new_page()
        await open_episode(page, site, task, seed)
        utterance = await read_utterance(page)
        snapshot = await take_snapshot(page)
        url = page.url
    finally:
        await context.close()
    again = await goal_for(task, seed, site=site, browser=browser)
    return {
        "task": task,
        "seed": seed,
        "utterance": utterance,
        "deterministic": again == utterance,
        "url": url,
        "snapshot": snapshot.model_dump(mode="json"),
    }


async def dump_episodes(tasks: Sequence[str], seeds: Sequence[int], out: Path) -> list[dict[str, Any]]:
    """Write ``out/<task>/<seed>.json`` for each task x seed and ``out/utterances.txt``; the rows written."""
    rows: list[dict[str, Any]] = []
    out.mkdir(parents=True, exist_ok=True)
    with MiniWobSite() as site:
        async with plain_browser() as browser:
            for task in tasks:
                (out / task).mkdir(exist_ok=True)
                for seed in seeds:
                    row = await dump_episode(browser, site, task, seed)
                    (out / task / f"{seed}.json").write_text(json.dumps(row, indent=1, ensure_ascii=False) + "\n")
                    rows.append(row)
                    flag = "" if row["deterministic"] else "  [NOT DETERMINISTIC]"
                    print(f"dump {task} seed {seed}: {row['utterance']}{flag}", flush=True)
    lines = [f"{r['task']}\t{r['seed']}\t{r['utterance']}" for r in rows]
    (out / "utterances.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rows
