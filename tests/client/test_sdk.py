"""The SDK at the edge: bad input is refused before anything starts; Goal Engine formats; idempotency."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from browserflow.errors import RequestInvalid
from client.goal_engine import GoalEngineResult
from client.sdk import parse_request, temporal_priority
from demo import DemoSite
from tests.conftest import Engine
from tests.workflows.test_task import demo_request

GOOD: dict[str, Any] = {"goal": "Register", "start_url": "http://127.0.0.1:9/", "data": {"name": "Eden"}}

BAD = [
    ({"goal": "   "}, "goal: goal must not be empty"),
    ({"goal": ""}, "goal: String should have at least 1 character"),
    ({"start_url": "ftp://example.com/"}, "start_url: start_url must be an http(s) URL; scheme 'ftp'"),
    ({"start_url": "javascript:alert(1)"}, "scheme 'javascript' is not allowed"),
    ({"start_url": "file:///etc/passwd"}, "scheme 'file' is not allowed"),
    ({"start_url": "example.com"}, "scheme 'none' is not allowed"),
    ({"data": {"age": 7}}, "data.age: Input should be a valid string"),
    ({"data": {"flags": ["a"]}}, "data.flags: Input should be a valid string"),
    ({"max_steps": 0}, "max_steps: Input should be greater than or equal to 1"),
    ({"max_steps": 201}, "max_steps: Input should be less than or equal to 200"),
    ({"colour": "red"}, "colour: Extra inputs are not permitted"),
    ({"extract": {"n": "([A-Z"}}, "extract: extract pattern 'n' is not a valid regular expression"),
    ({"success": [{"text": "ok", "url_contains": "/done"}]}, "exactly one of text, url_contains, selector"),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[m.split(":")[0] for _, m in BAD])
def test_bad_requests_name_the_field_and_reason(change: dict[str, Any], message: str) -> None:
    with pytest.raises(RequestInvalid) as info:
        parse_request({**GOOD, **change})
    assert message in info.value.message


def test_goal_engine_message_is_accepted_and_converted() -> None:
    req = parse_request(
        {
            "type": "browser_task",
            "goal": "Register Eden",
            "site_url": "http://127.0.0.1:9/",
            "data": {"student_name": "Eden"},
            "priority": 9,
            "timeout_minutes": 2,
        }
    )
    assert req.start_url == "http://127.0.0.1:9/"
    assert req.timeout == 120
    assert req.priority == 9
    with pytest.raises(RequestInvalid, match=r"site_url: .*http"):
        parse_request({"type": "browser_task", "goal": "x", "site_url": "file:///x"})
    with pytest.raises(RequestInvalid, match="type: Input should be 'browser_task'"):
        parse_request({"type": "email_task", "goal": "x", "site_url": "http://a/"})


def test_priority_maps_high_to_low_keys() -> None:
    assert temporal_priority(10).priority_key == 1
    assert temporal_priority(1).priority_key == 5
    assert temporal_priority(5).priority_key == 3


@pytest.mark.integration
async def test_bad_input_starts_no_workflow(engine: Engine) -> None:
    before = [w.id async for w in engine.client.list_workflows(f"TaskQueue = '{engine.task_queue}'")]
    with pytest.raises(RequestInvalid):
        await engine.tasks.submit({**GOOD, "start_url": "javascript:alert(1)", "request_id": "bad-input-1"})
    after = [w.id async for w in engine.client.list_workflows(f"TaskQueue = '{engine.task_queue}'")]
    assert after == before
    assert "bf-bad-input-1" not in after


@pytest.mark.integration
async def test_request_id_makes_submission_idempotent(engine: Engine, site: DemoSite) -> None:
    request = demo_request(site, request_id=f"goal-engine-{uuid.uuid4().hex}")
    first = await engine.tasks.submit(request)
    second = await engine.tasks.submit(request)
    assert first.id == second.id
    await first.result()
    third = await engine.tasks.submit(request)  # after it finished, still the same task
    assert third.id == first.id
    assert site.registration_count() == 1


@pytest.mark.integration
async def test_goal_engine_round_trip(engine: Engine, site: DemoSite) -> None:
    message = {
        "type": "browser_task",
        "goal": "Register Eden for the Tuesday evening swim class",
        "site_url": site.url("/"),
        "data": demo_request(site)["data"],
        "priority": 7,
        "timeout_minutes": 5,
        "success_text": "Registration confirmed",
        "extract": {"confirmation_number": r"[A-Z]{3}-\d{6}"},
    }
    handle = await engine.tasks.submit(message)
    result = await handle.goal_engine_result()
    assert isinstance(result, GoalEngineResult)
    dumped = result.model_dump()
    assert set(dumped) == {
        "task_id",
        "status",
        "goal_achieved",
        "execution_time_seconds",
        "steps_taken",
        "ai_cost",
        "cache_hit",
        "result_data",
    }
    assert dumped["status"] == "succeeded" and dumped["goal_achieved"] is True
    assert dumped["result_data"]["confirmation_number"] == site.registrations[0].confirmation
