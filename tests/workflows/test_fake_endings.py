"""Every ending of a task (each terminal ``TaskStatus``), on the real dev server with fake activities: no
Chromium, a second or so each. The review endings (rejected, review_timeout, succeeded by a take-over) are in
``test_fake_review.py``; recovery endings in ``test_fake_recovery.py``."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.client import Client

from browserflow import errors
from browserflow.contracts import TERMINAL_STATUSES, TaskStatus
from tests.conftest import eventually
from tests.workflows.fakes import DONE, HOME, Script, click, decision, fail, page, rig

# each terminal status, and the test here (or in the other fake modules) that ends a task with it
ENDINGS: dict[TaskStatus, str] = {
    TaskStatus.SUCCEEDED: "test_fake_endings.py::test_succeeded",
    TaskStatus.MAX_STEPS: "test_fake_endings.py::test_max_steps",
    TaskStatus.LOOP_DETECTED: "test_fake_endings.py::test_loop_detected_without_review",
    TaskStatus.STUCK: "test_fake_endings.py::test_stuck",
    TaskStatus.TIMEOUT: "test_fake_endings.py::test_timeout",
    TaskStatus.CANCELLED: "test_fake_endings.py::test_cancelled",
    TaskStatus.SITE_DOWN: "test_fake_endings.py::test_terminal_page_errors",
    TaskStatus.ACCESS_DENIED: "test_fake_endings.py::test_terminal_page_errors",
    TaskStatus.INVALID_URL: "test_fake_endings.py::test_terminal_page_errors",
    TaskStatus.BUDGET_EXCEEDED: "test_fake_endings.py::test_budget_exceeded",
    TaskStatus.REJECTED: "test_fake_review.py::test_reject",
    TaskStatus.REVIEW_TIMEOUT: "test_fake_review.py::test_review_timeout_fails",
    TaskStatus.FAILED: "test_fake_endings.py::test_failed",
}


def test_every_terminal_status_has_a_fake_test() -> None:
    import importlib

    assert set(ENDINGS) == set(TERMINAL_STATUSES)
    for where in ENDINGS.values():
        module, _, name = where.partition("::")
        found = importlib.import_module(f"tests.workflows.{module.removesuffix('.py')}")
        assert callable(getattr(found, name, None)), where


async def test_succeeded(client: Client) -> None:
    script = Script(acts=[page(f"{HOME}cart"), page(DONE)])
    async with rig(client, script) as r:
        handle = await r.tasks.submit(r.request())
        result = await handle.result()
        assert result.status == TaskStatus.SUCCEEDED, result.reason
        assert result.goal_achieved and result.result_data == {"order": "A-1"}
        assert result.steps_taken == 2 and result.final_url == DONE
        assert result.decisions_by_tier == {"rules": 2}
        progress = await handle.status()
        assert progress.status == TaskStatus.SUCCEEDED and progress.percent == 100.0
    # the order of the workflow's calls: the session, the start, the page, then check -> decide -> act
    calls = [c for c in script.calls if c != "compile_plan"]
    assert calls[:3] == ["task_started", "open_session", "navigate"] or calls[:3] == [
        "open_session",
        "task_started",
        "navigate",
    ]
    assert calls[3:] == [
        *["check_goal", "decide", "act"] * 2,
        "check_goal",
        "close_session",
        "task_finished",
    ]
    assert [a[0].id for a in script.acted] == ["1.0", "2.0"]  # actions numbered by step
    assert script.finished[0].result.status == TaskStatus.SUCCEEDED and len(script.finished[0].steps) == 2


async def test_max_steps(client: Client) -> None:
    async with rig(client) as r:
        result = await (await r.tasks.submit(r.request(max_steps=2))).result()
    assert result.status == TaskStatus.MAX_STEPS and result.steps_taken == 2
    assert "max_steps=2" in result.reason


async def test_loop_detected_without_review(client: Client) -> None:
    same = page(f"{HOME}cart", state="same")
    script = Script(start=[page(HOME, state="same")], acts=[same, same])
    async with rig(client, script) as r:
        result = await (await r.tasks.submit(r.request())).result()
    assert result.status == TaskStatus.LOOP_DETECTED, result.reason
    assert "did not change over 3 observations" in result.reason and result.steps_taken == 2


async def test_stuck(client: Client) -> None:
    script = Script(decisions=[decision(reason="nothing to click")])
    async with rig(client, script) as r:
        result = await (await r.tasks.submit(r.request())).result()
    assert result.status == TaskStatus.STUCK and "nothing to click" in result.reason
    assert script.count("act") == 0


async def test_timeout(client: Client) -> None:
    script = Script(hold_act=asyncio.Event())  # the first act never returns in time
    async with rig(client, script) as r:
        result = await (await r.tasks.submit(r.request(timeout=1.0))).result()
    assert result.status == TaskStatus.TIMEOUT and "timeout of 1 s" in result.reason
    assert script.count("close_session") == 1 and script.finished[0].result.status == TaskStatus.TIMEOUT


async def test_cancelled(client: Client) -> None:
    script = Script(hold_act=asyncio.Event())
    async with rig(client, script) as r:
        handle = await r.tasks.submit(r.request())
        await eventually(lambda: script.count("act") == 1, what="the first act")
        await handle.cancel()
        result = await handle.result()
        assert result.status == TaskStatus.CANCELLED
        await eventually(lambda: bool(script.finished), what="the cancelled task to be recorded")
    assert script.finished[0].result.status == TaskStatus.CANCELLED
    assert script.count("close_session") == 1


@pytest.mark.parametrize(
    ("where", "error", "status"),
    [
        ("start", errors.SiteDown, TaskStatus.SITE_DOWN),
        ("start", errors.InvalidUrl, TaskStatus.INVALID_URL),
        ("act", errors.AccessDenied, TaskStatus.ACCESS_DENIED),
        ("act", errors.SecretUnavailable, TaskStatus.FAILED),
        ("act", errors.SecretNotAllowed, TaskStatus.FAILED),
    ],
)
async def test_terminal_page_errors(
    client: Client, where: str, error: type[errors.BrowserflowError], status: TaskStatus
) -> None:
    raised = fail(error, f"the page said {error.__name__}")
    script = Script(start=[raised]) if where == "start" else Script(acts=[raised])
    async with rig(client, script) as r:
        result = await (await r.tasks.submit(r.request())).result()
    assert result.status == status and result.reason == f"the page said {error.__name__}"


async def test_budget_exceeded(client: Client) -> None:
    script = Script(
        decisions=[decision(click("maybe"), confidence=0.2, escalate=True)],
        escalated=[fail(errors.BudgetExceeded, "the next call would pass the budget", index=None, spent_usd=0.25)],
    )
    async with rig(client, script) as r:
        result = await (await r.tasks.submit(r.request(budget_usd=0.3))).result()
    assert result.status == TaskStatus.BUDGET_EXCEEDED and "budget" in result.reason
    assert result.ai_cost == 0.25  # what the tiers spent before stopping is kept


async def test_a_model_tier_fault_falls_back_to_the_rules_decision(client: Client) -> None:
    script = Script(
        decisions=[decision(click("maybe"), confidence=0.2, escalate=True)],
        escalated=[fail(errors.ProviderFault, "the provider is down", index=None)],
        acts=[page(DONE)],
    )
    async with rig(client, script) as r:
        result = await (await r.tasks.submit(r.request())).result()
    assert result.status == TaskStatus.SUCCEEDED and script.acted[0][0].label == "maybe"


async def test_an_escalated_decision_counts_its_cost(client: Client) -> None:
    script = Script(
        decisions=[decision(click("maybe"), confidence=0.2, escalate=True)],
        escalated=[decision(click("sure"), tier="ollama", cost_usd=0.01)],
        acts=[page(DONE)],
    )
    async with rig(client, script) as r:
        result = await (await r.tasks.submit(r.request())).result()
    assert result.status == TaskStatus.SUCCEEDED
    assert result.ai_cost == 0.01 and result.decisions_by_tier == {"ollama": 1}


@pytest.mark.parametrize("cause", ["pattern_timeout", "unexpected_error"])
async def test_failed(client: Client, cause: str) -> None:
    if cause == "pattern_timeout":
        script = Script(check_error=fail(errors.PatternTimeout, "the pattern ran too long", index=None))
    else:
        script = Script(start=[fail(errors.ActionFailed, "something odd")])
    async with rig(client, script) as r:
        result = await (await r.tasks.submit(r.request())).result()
    assert result.status == TaskStatus.FAILED
    expected = "PatternTimeout at step 0: the pattern ran too long" if cause == "pattern_timeout" else "navigate failed"
    assert expected in result.reason
