"""``request_id``: the same request returns the existing task; a different request under the same id is refused
(``RequestIdReused``) and starts nothing. The digest kept in the memo reveals nothing of the request.
Also: the request size limit, checked at the SDK's edge and naming the field."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from browserflow.errors import RequestIdReused, RequestInvalid
from client.sdk import DIGEST_MEMO, MAX_REQUEST_BYTES, parse_request, request_digest
from demo import DemoSite
from tests.conftest import Engine
from tests.workflows.test_task import demo_request

GOOD: dict[str, Any] = {"goal": "Register", "start_url": "http://127.0.0.1:9/", "data": {"name": "Eden"}}


def test_digest_is_salted_and_matches_only_the_same_request() -> None:
    req = parse_request({**GOOD, "data": {"password": "hunter2-secret"}})
    first, second = request_digest(req), request_digest(req)
    assert first != second  # a random salt per task: equal requests do not give equal digests
    _, salt, _ = first.split(":")
    assert request_digest(req, salt) == first
    assert request_digest(parse_request({**GOOD, "data": {"password": "other"}}), salt) != first
    assert "hunter2" not in first and "Register" not in first


@pytest.mark.parametrize("size", [1_000_000, 3_000_000])
def test_a_request_over_the_limit_is_refused_naming_the_field(size: int) -> None:
    with pytest.raises(RequestInvalid) as info:
        parse_request({**GOOD, "data": {"notes": "x" * size}})
    message = info.value.message
    assert message.startswith("invalid task request: data: the request is")
    assert f"over the limit of {MAX_REQUEST_BYTES:,} bytes" in message
    parse_request({**GOOD, "data": {"notes": "x" * (MAX_REQUEST_BYTES - 1000)}})  # under it: fine


@pytest.mark.integration
async def test_same_request_id_with_a_different_request_is_refused(engine: Engine, site: DemoSite) -> None:
    request_id = f"idem-{uuid.uuid4().hex}"
    request = demo_request(site, request_id=request_id)
    first = await engine.tasks.submit(request)
    again = await engine.tasks.submit(dict(request))  # running: the same task
    assert again.id == first.id
    memo = await (await first.describe()).memo_value(DIGEST_MEMO)
    assert isinstance(memo, str) and memo.startswith("sha256:")
    assert "Eden" not in memo and "eden@example.com" not in memo

    other_person = {**request, "data": {**request["data"], "student_name": "Noa Cohen", "email": "noa@example.com"}}
    for changed in (other_person, {**request, "goal": "Register Noa for diving"}, {**request, "max_steps": 7}):
        with pytest.raises(RequestIdReused, match=r"request_id: .* started from a different request"):
            await engine.tasks.submit(changed)

    result = await first.result()
    assert result.goal_achieved
    with pytest.raises(RequestIdReused):  # finished: still refused, never the first person's result
        await engine.tasks.submit(other_person)
    assert (await engine.tasks.submit(request)).id == first.id  # finished: the same request finds it
    assert site.registration_count() == 1
    assert site.registrations[0].student_name == "Eden Levi"
