"""Model tiers through the real workflow: the rules tier is unsure, Ollama or Claude (protocol fakes driven by
the real client libraries) choose, every cent is recorded, and the budget stops a task before it is passed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from browserflow.contracts import TaskStatus
from browserflow.llm import LLMSettings, build_router
from browserflow.snapshot import take_snapshot
from client.sdk import BrowserTasks
from demo import DemoSite
from tests.conftest import Engine
from tests.fakes import all_tiers
from tests.fakes.anthropic_server import AnthropicReply, FakeAnthropic
from tests.fakes.ollama_server import FakeOllama, OllamaReply
from tests.workflows.test_task import demo_request

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:The model .* is deprecated:DeprecationWarning"),
]


@pytest.fixture
def fakes() -> Iterator[tuple[FakeOllama, FakeAnthropic]]:
    with FakeOllama() as ollama, FakeAnthropic() as claude:
        yield ollama, claude


async def _tasks(engine: Engine, settings: LLMSettings) -> AsyncIterator[BrowserTasks]:
    from worker import build_workers

    router = build_router(settings)
    queue = f"bf-llm-{uuid.uuid4().hex[:8]}"
    workers = build_workers(
        engine.client, engine.pool, store=engine.store, task_queue=queue, router=router, drain_seconds=5
    )
    stop = asyncio.Event()
    running = asyncio.create_task(workers.run(stop))
    yield BrowserTasks(engine.client, queue, store=engine.store)
    stop.set()
    await running
    await router.aclose()


@pytest.fixture
async def llm_tasks(engine: Engine, fakes: tuple[FakeOllama, FakeAnthropic]) -> AsyncIterator[BrowserTasks]:
    ollama, claude = fakes
    settings = all_tiers(ollama, claude)
    async for tasks in _tasks(engine, settings):
        yield tasks


async def members_index(engine: Engine, site: DemoSite, name: str) -> int:
    """The index the prompt gives the element called ``name`` on /members (the snapshot's order)."""
    session = await engine.pool.open("probe")
    try:
        await session.page.goto(site.url("/members"))
        snapshot = await take_snapshot(session.page)
    finally:
        await engine.pool.close(session.id)
    return next(i for i, e in enumerate(snapshot.elements) if e.name == name)


def members_request(site: DemoSite, **changes: Any) -> dict[str, Any]:
    return demo_request(site, start_url=site.url("/members"), use_cache=False, **changes)


def answer(element: int, confidence: float) -> dict[str, Any]:
    return {
        "actions": [{"kind": "click", "element": element, "value": None, "data_key": None}],
        "confidence": confidence,
        "reason": "booking a slot is how this site registers",
        "done": False,
    }


async def test_ollama_solves_the_page_rules_cannot(
    engine: Engine, site: DemoSite, llm_tasks: BrowserTasks, fakes: tuple[FakeOllama, FakeAnthropic]
) -> None:
    ollama, claude = fakes
    ollama.script(OllamaReply.answer(answer(await members_index(engine, site, "Book a slot"), 0.9)))

    result = await llm_tasks.run(members_request(site))

    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert result.decisions_by_tier == {"ollama": 1, "rules": 1}
    assert len(ollama.chats) == 1 and claude.messages == []
    assert site.registrations[0].class_id == "tue-evening-swim"
    assert result.ai_cost == 0.0  # local model: free
    decisions = engine.store.list_decisions(result.task_id)
    assert [(d.tier, d.outcome) for d in decisions if d.step == 1] == [
        ("rules", "low_confidence"),
        ("ollama", "chosen"),
    ]


async def test_claude_after_ollama_fails_and_cost_is_exact(
    engine: Engine, site: DemoSite, llm_tasks: BrowserTasks, fakes: tuple[FakeOllama, FakeAnthropic]
) -> None:
    ollama, claude = fakes
    ollama.script(OllamaReply.text("this is not JSON"))
    claude.script(
        AnthropicReply.tool(
            answer(await members_index(engine, site, "Book a slot"), 0.9), input_tokens=2000, output_tokens=100
        )
    )

    result = await llm_tasks.run(members_request(site))

    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert result.decisions_by_tier == {"claude": 1, "rules": 1}
    # claude-sonnet-4-5: $3 / M input, $15 / M output
    assert result.ai_cost == pytest.approx(2000 * 3 / 1e6 + 100 * 15 / 1e6)
    cost = await llm_tasks.cost(result.task_id)
    assert cost.by_provider["anthropic"] == pytest.approx(0.0075)
    assert cost.total_usd == pytest.approx(result.ai_cost)
    outcomes = [(d.tier, d.outcome) for d in engine.store.list_decisions(result.task_id) if d.step == 1]
    assert outcomes == [("rules", "low_confidence"), ("ollama", "invalid"), ("claude", "chosen")]


async def test_budget_stops_the_task_before_a_call_would_pass_it(
    engine: Engine, site: DemoSite, llm_tasks: BrowserTasks, fakes: tuple[FakeOllama, FakeAnthropic]
) -> None:
    ollama, claude = fakes
    ollama.script(OllamaReply.http(500, "model crashed"))

    result = await llm_tasks.run(members_request(site, budget_usd=0.0001))

    assert result.status == TaskStatus.BUDGET_EXCEEDED, result.reason
    assert claude.messages == []  # stopped before the call, not after
    assert site.registration_count() == 0
    assert result.ai_cost <= 0.0001
