"""MiniWoB++ through the bench harness: the harness itself (seeded, deterministic, rewards reach the server),
then the real engine on a few simple tasks, which must never claim a success the page did not score."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import Browser

from bench.miniwob.pages import VIEWPORT, goal_for, open_episode, plain_browser, read_utterance
from bench.miniwob.runner import run_episode
from bench.miniwob.site import MiniWobSite, check_seed
from bench.miniwob.tasks import EXCLUDED, TASKS, all_task_pages
from tests.conftest import Engine

pytestmark = pytest.mark.integration

ENGINE_TASKS = ("click-button", "enter-text", "click-checkboxes", "focus-text")
ENGINE_SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def miniwob() -> Iterator[MiniWobSite]:
    with MiniWobSite() as site:
        yield site


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with plain_browser() as b:
        yield b


def test_every_task_page_is_chosen_or_excluded_with_a_reason() -> None:
    pages = set(all_task_pages())
    assert set(TASKS) | set(EXCLUDED) == pages
    assert not set(TASKS) & set(EXCLUDED)
    assert len(TASKS) >= 40
    assert all(reason.strip() for reason in EXCLUDED.values())


def test_seeds_of_10000_and_above_are_refused(miniwob: MiniWobSite) -> None:
    with pytest.raises(ValueError, match=r"0\.\.9999"):
        miniwob.task_url("click-button", 10000, "x")
    assert check_seed(9999) == 9999


async def test_a_seed_gives_the_same_utterance_every_time(miniwob: MiniWobSite, browser: Browser) -> None:
    first = [await goal_for("click-checkboxes", seed, site=miniwob, browser=browser) for seed in range(3)]
    again = [await goal_for("click-checkboxes", seed, site=miniwob, browser=browser) for seed in range(3)]
    assert first == again
    assert len(set(first)) > 1  # the seed matters
    assert all(u.startswith("Select ") for u in first)


async def _button_episode(miniwob: MiniWobSite, browser: Browser, right: bool) -> float | None:
    """Click the asked-for button (or a wrong one) by hand in a click-button episode; the server's raw reward."""
    context = await browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    try:
        page = await context.new_page()
        for seed in range(20):  # the first seed whose page has a wrong button too
            episode = await open_episode(page, miniwob, "click-button", seed)
            match = re.fullmatch(r'Click on the "(.+)" button\.', await read_utterance(page))
            assert match, "click-button's utterance changed shape"
            wanted = match.group(1)
            buttons = page.locator("#area button")
            texts = [t.strip() for t in await buttons.all_inner_texts()]
            others = [i for i, t in enumerate(texts) if t != wanted]
            if others:
                index = texts.index(wanted) if right else others[0]
                await buttons.nth(index).click()
                got = await asyncio.to_thread(miniwob.wait_reward, episode, 5.0)
                return None if got is None else got.raw_reward
        pytest.fail("no click-button seed below 20 has a wrong button")
    finally:
        await context.close()


async def test_the_right_click_scores_and_a_wrong_one_does_not(miniwob: MiniWobSite, browser: Browser) -> None:
    right = await _button_episode(miniwob, browser, right=True)
    wrong = await _button_episode(miniwob, browser, right=False)
    assert right is not None and right > 0
    assert wrong is not None and wrong <= 0


async def test_the_engine_never_claims_a_success_the_page_did_not_score(
    engine: Engine, miniwob: MiniWobSite, browser: Browser
) -> None:
    rows = await asyncio.gather(
        *(run_episode(engine.tasks, miniwob, browser, task, seed) for task in ENGINE_TASKS for seed in ENGINE_SEEDS)
    )
    for row in rows:  # recorded in the test output (-rA or on failure)
        print(f"{row.task} seed {row.seed}: engine {row.status}, raw reward {row.raw_reward:+.2f}: {row.engine_reason}")
    successes = [f"{r.task}/{r.seed}" for r in rows if r.success]
    print(f"successes: {len(successes)}/{len(rows)} {successes}")
    false = [f"{r.task}/{r.seed}: {r.engine_reason}" for r in rows if r.false_success]
    assert not false, f"the engine claimed success where the page scored <= 0: {false}"
    assert all(r.status != "error" for r in rows), [r.engine_reason for r in rows if r.status == "error"]
    # the goal plan grounds these (a quoted button, a typed literal, checkbox items, a focus): all must succeed
    assert len(successes) == len(rows), [f"{r.task}/{r.seed}: {r.engine_reason}" for r in rows if not r.success]
