"""The goal plan in the workflow state, on the real dev server, Chromium and the demo site: compiled at the start,
visible while the task runs (progress query, Web UI details, CLI), carried to the model tiers, recorded in the
step log's provenance; and a decision held back by the write gate (``unsure_write``) is never acted on
without a person."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from temporalio.api.sdk.v1 import WorkflowMetadata

from browserflow.contracts import TaskProgress, TaskStatus
from browserflow.llm import LLMSettings, build_router
from browserflow.plan.model import GoalPlan, Intent, PlanProgress, Target, ValueSpec
from browserflow.snapshot import take_snapshot
from client.cli import _follow, _print_progress, _print_steps
from client.sdk import BrowserTasks, TaskHandle
from demo import DemoSite
from tests.conftest import Engine, eventually
from tests.fakes.ollama_server import FakeOllama, OllamaReply
from tests.workflows.test_review import wait_for_review
from tests.workflows.test_task import demo_request
from workflows.plan import plan_lines, split_headline

pytestmark = pytest.mark.integration

HEADLINE = re.compile(r"^intent (\d+)/(\d+): \S")
PLAN_LINE = re.compile(r"^\[[x> !]\] (\d+)\. \S")
FORM = "/register?class=tue-evening-swim"
MADE_UP = "Mallory Madeup"  # a value neither the goal nor the task data holds


def assert_plan_shape(progress: TaskProgress) -> tuple[int, int]:
    """The headline names the current intent, and the plan has one line per intent, that one marked ``[>]``."""
    found = HEADLINE.match(progress.intent)
    assert found, progress.intent
    current, total = int(found.group(1)), int(found.group(2))
    assert len(progress.plan) == total, progress.plan
    numbers = [m.group(1) for m in (PLAN_LINE.match(line) for line in progress.plan) if m is not None]
    assert numbers == [str(n) for n in range(1, total + 1)], progress.plan
    assert progress.plan[current - 1].startswith(f"[>] {current}. "), progress.plan
    assert progress.intent.split(": ", 1)[1] == progress.plan[current - 1].split(". ", 1)[1].split(" — ")[0]
    return current, total


def test_plan_lines_mark_each_intent_and_show_the_evidence_of_done_ones() -> None:
    plan = PlanProgress.start(
        GoalPlan(
            goal="Open the schedule, set Last name and submit",
            intents=[
                Intent(verb="navigate", target=Target(words="schedule"), effect="navigated"),
                Intent(
                    verb="fill",
                    target=Target(words="Last name"),
                    value=ValueSpec(source="data", key="last_name"),
                    effect="field_value",
                ),
                Intent(verb="submit", target=Target(words="Submit", role="button"), irreversible=True),
            ],
        )
    )
    plan.mark_done(0, "the address moved to /schedule", step=1)
    plan.states[2].status = "failed"
    plan.states[2].evidence = "no Submit button on the page"
    assert plan_lines(plan) == [
        "[x] 1. navigate 'schedule' — the address moved to /schedule",
        "[>] 2. type 'Last name' <- data.last_name",
        "[!] 3. submit 'Submit' button — no Submit button on the page",
    ]
    assert split_headline(plan.headline()) == ("intent 2/3", "type 'Last name' <- data.last_name")
    plan.mark_done(1, "Last name holds the value")
    plan.mark_done(2, "the page says 'submitted'")
    assert split_headline(plan.headline()) == ("plan done", "3/3 intents verified")


async def web_ui_details(engine: Engine, handle: TaskHandle) -> str:
    """What the Web UI shows as the workflow's current details."""
    meta = await engine.client.get_workflow_handle(handle.id).query(
        "__temporal_workflow_metadata", result_type=WorkflowMetadata
    )
    return str(meta.current_details)


async def test_the_plan_is_in_the_progress_the_web_ui_and_the_step_log(
    engine: Engine, site: DemoSite, capsys: pytest.CaptureFixture[str]
) -> None:
    handle = await engine.tasks.submit(demo_request(site, review_policy="before_irreversible", use_cache=False))
    await wait_for_review(handle, "before_irreversible")

    progress = await handle.status()
    assert progress.status == TaskStatus.NEEDS_REVIEW
    current, total = assert_plan_shape(progress)
    assert progress.detail.startswith(progress.intent)  # the intent leads the detail while the task is open
    details = await web_ui_details(engine, handle)
    assert "**needs_review**" in details and f"**intent {current}/{total}**" in details

    _print_progress(progress)  # `browserflow status ID`
    out = capsys.readouterr().out
    assert f"intent:   {progress.intent}" in out
    assert "plan:\n" + "\n".join(f"  {line}" for line in progress.plan) in out

    await handle.approve()
    result = await _follow(handle, quiet=False)  # `browserflow watch ID`
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    watched = capsys.readouterr().out
    assert re.search(r"^  \[(running|succeeded)\] intent \d+/\d+: \S", watched, re.M), watched
    assert re.search(r"^  plan:\n    \[[x> !]\] 1\. ", watched, re.M), watched

    log = await handle.steps()
    fills = [a for s in log.steps for a in s.actions if a.kind == "fill"]
    assert {a.data_key for a in fills} >= {"student_name", "email"}
    for action in fills:  # each typed value names where it came from: never the value itself
        assert " <- data." in action.describe() or " <- goal literal" in action.describe(), action.describe()
        assert (action.value or "") not in action.describe()
    _print_steps(log)  # `browserflow steps ID`
    printed = capsys.readouterr().out
    assert re.search(r"^ {10}- fill '[^']+' <- data\.student_name", printed, re.M), printed

    final = await handle.status()  # a closed run still reports its plan
    assert final.status == TaskStatus.SUCCEEDED
    assert final.intent and len(final.plan) == total
    assert all(PLAN_LINE.match(line) for line in final.plan)


# -- unsure_write: a model tier proposes a submit with a value nobody gave ----------------------------------------


@pytest.fixture
def ollama() -> Iterator[FakeOllama]:
    with FakeOllama() as fake:
        yield fake


@pytest.fixture
async def model_tasks(engine: Engine, ollama: FakeOllama) -> AsyncIterator[BrowserTasks]:
    """Workers whose rules tier is never trusted alone: every decision goes to the (fake) Ollama."""
    from worker import build_workers

    router = build_router(LLMSettings(tiers=["rules", "ollama"], ollama_host=ollama.url, thresholds={"rules": 1.0}))
    queue = f"bf-plan-{uuid.uuid4().hex[:8]}"
    workers = build_workers(
        engine.client,
        engine.pool,
        store=engine.store,
        task_queue=queue,
        router=router,
        rules_threshold=1.0,
        drain_seconds=5,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(workers.run(stop))
    yield BrowserTasks(engine.client, queue, store=engine.store)
    stop.set()
    await running
    await router.aclose()


async def form_indexes(engine: Engine, site: DemoSite) -> dict[str, int]:
    """The index the prompt gives each element of the registration form, by its name."""
    session = await engine.pool.open("probe")
    try:
        await session.page.goto(site.url(FORM))
        snapshot = await take_snapshot(session.page)
    finally:
        await engine.pool.close(session.id)
    return {e.name: i for i, e in reversed(list(enumerate(snapshot.elements)))}


def made_up_submit(index: dict[str, int]) -> dict[str, Any]:
    def act(kind: str, name: str, value: str | None = None, data_key: str | None = None) -> dict[str, Any]:
        return {"kind": kind, "element": index[name], "value": value, "data_key": data_key}

    return {
        "actions": [
            act("fill", "Student name", value=MADE_UP),
            act("fill", "Email", data_key="email"),
            act("select", "Class", data_key="class_id"),
            act("check", "Beginner"),
            act("fill", "Date of birth", data_key="date_of_birth"),
            act("check", "I agree to the pool rules"),
            act("click", "Register"),
        ],
        "confidence": 0.95,
        "reason": "fill the form and register",
        "done": False,
    }


def form_request(site: DemoSite, **changes: Any) -> dict[str, Any]:
    return demo_request(site, start_url=site.url(FORM), use_cache=False, **changes)


async def test_an_unsure_write_waits_for_a_person_and_an_approval_runs_it(
    engine: Engine, site: DemoSite, model_tasks: BrowserTasks, ollama: FakeOllama
) -> None:
    ollama.script(OllamaReply.answer(made_up_submit(await form_indexes(engine, site))))
    handle = await model_tasks.submit(form_request(site))
    await wait_for_review(handle, "unsure_write")

    review = await handle.pending_review()
    assert review is not None and review.reason == "unsure_write"
    assert review.proposed[-1].irreversible and review.proposed[-1].label == "Register"
    assert any(a.value == MADE_UP for a in review.proposed)  # the person sees exactly what would be written
    assert site.registration_count() == 0  # nothing was written while the gate held it
    # the model was shown the plan and asked to serve its current intent
    assert len(ollama.chats) == 1
    assert "PLAN (" in ollama.chats[0].text and "CURRENT INTENT: " in ollama.chats[0].text

    await handle.approve("yes, register Mallory")
    await eventually(lambda: site.registration_count() == 1, timeout=30, what="the approved registration")
    assert site.registrations[0].student_name == MADE_UP  # what the person approved ran

    async def recorded() -> bool:
        return bool((await handle.steps()).steps)

    await eventually(recorded, what="the approved step in the step log")
    log = await handle.steps()
    assert log.steps[0].tier == "ollama" and log.steps[0].ok
    assert [a.value for a in log.steps[0].actions if a.label == "Student name"] == [MADE_UP]
    # (whether the plan counts a person-approved value as its effect is the verifier's call, not this test's)
    await handle.cancel()
    assert (await handle.result()).status in {TaskStatus.SUCCEEDED, TaskStatus.CANCELLED}
    assert site.registration_count() == 1  # and only once


async def test_an_unsure_write_under_review_policy_never_fails_without_writing(
    engine: Engine, site: DemoSite, model_tasks: BrowserTasks, ollama: FakeOllama
) -> None:
    ollama.script(OllamaReply.answer(made_up_submit(await form_indexes(engine, site))))
    result = await model_tasks.run(form_request(site, review_policy="never"))

    assert result.status == TaskStatus.FAILED
    assert result.reason.startswith("unsure_write: "), result.reason
    assert "review policy 'never'" in result.reason
    assert site.registration_count() == 0
    assert result.steps_taken == 0
