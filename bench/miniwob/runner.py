"""Running MiniWoB++ episodes through the real engine (dev server, pool, workers, store in one process)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from playwright.async_api import Browser

from bench.harness import stack
from bench.miniwob.pages import goal_for
from bench.miniwob.site import MiniWobSite, check_seed
from browserflow.contracts import TaskStatus
from client.sdk import BrowserTasks

__all__ = ["REWARD_GRACE_SECONDS", "EpisodeRow", "episode_request", "run_bench", "run_episode"]

REWARD_GRACE_SECONDS = 3.0
"""How long after the engine's verdict the page's reward may still arrive; none by then = not finished."""


@dataclass
class EpisodeRow:
    """One task x seed: what the engine said and what the page scored."""

    task: str
    seed: int
    episode: str
    utterance: str
    status: str  # the engine's TaskStatus value, or "error" when the run itself raised
    engine_reason: str
    raw_reward: float  # 0.0 when the page reported no reward (episode not finished)
    reward: float
    reward_reason: str | None
    finished: bool  # the page reported a reward
    time_to_verdict: float  # the result's execution_time_seconds
    steps_taken: int

    @property
    def engine_succeeded(self) -> bool:
        return self.status == TaskStatus.SUCCEEDED.value

    @property
    def success(self) -> bool:
        return self.raw_reward > 0

    @property
    def false_success(self) -> bool:
        return self.engine_succeeded and self.raw_reward <= 0

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "engine_succeeded": self.engine_succeeded,
            "success": self.success,
            "false_success": self.false_success,
        }


def episode_request(site: MiniWobSite, task: str, seed: int, episode: str, goal: str) -> dict[str, Any]:
    """The TaskRequest of one episode: the utterance as the goal, nothing else to go on."""
    return {
        "goal": goal,
        "start_url": site.task_url(task, check_seed(seed), episode),
        "data": {},
        "use_cache": False,
        "review_policy": "never",
        "max_steps": 12,
        "timeout": 30,
    }


async def run_episode(tasks: BrowserTasks, site: MiniWobSite, browser: Browser, task: str, seed: int) -> EpisodeRow:
    """Read the seed's utterance in a plain page, hand it to the engine, then collect the page's reward."""
    goal = await goal_for(task, seed, site=site, browser=browser)
    episode = f"{task}-{seed}-{uuid.uuid4().hex[:10]}"
    try:
        result = await tasks.run(episode_request(site, task, seed, episode, goal))
        status, reason = result.status.value, result.reason
        elapsed, steps = result.execution_time_seconds, result.steps_taken
    except Exception as exc:  # the run itself failed: recorded, the bench goes on
        status, reason, elapsed, steps = "error", f"{type(exc).__name__}: {exc}", 0.0, 0
    got = await asyncio.to_thread(site.wait_reward, episode, REWARD_GRACE_SECONDS)
    return EpisodeRow(
        task=task,
        seed=seed,
        episode=episode,
        utterance=goal,
        status=status,
        engine_reason=reason,
        raw_reward=got.raw_reward if got else 0.0,
        reward=got.reward if got else 0.0,
        reward_reason=got.reason if got else None,
        finished=got is not None,
        time_to_verdict=elapsed,
        steps_taken=steps,
    )


def progress_line(row: EpisodeRow, done: int, total: int) -> str:
    verdict = "FALSE SUCCESS" if row.false_success else ("ok" if row.success else "fail")
    reward = f"{row.raw_reward:+.2f}" if row.finished else "none"
    return (
        f"[{done}/{total}] {row.task} seed {row.seed}: {verdict}; engine {row.status} in "
        f"{row.time_to_verdict:.1f}s ({row.steps_taken} steps); page reward {reward}"
        f"{f' ({row.reward_reason})' if row.reward_reason else ''}; engine: {row.engine_reason[:100]}"
    )


async def run_bench(task_names: Sequence[str], seeds: Sequence[int], *, concurrency: int = 2) -> list[EpisodeRow]:
    """Every task x seed through the engine, at most ``concurrency`` at once; rows in task, seed order."""
    jobs = [(task, check_seed(seed)) for task in task_names for seed in seeds]
    rows: dict[tuple[str, int], EpisodeRow] = {}
    gate = asyncio.Semaphore(concurrency)
    with MiniWobSite() as site:
        async with stack(max_sessions=concurrency + 1) as s:

            async def one(task: str, seed: int) -> None:
                async with gate:
                    row = await run_episode(s.tasks, site, s.browser, task, seed)
                rows[(task, seed)] = row
                print(progress_line(row, len(rows), len(jobs)), flush=True)

            await asyncio.gather(*(one(task, seed) for task, seed in jobs))
    return [rows[job] for job in jobs]
