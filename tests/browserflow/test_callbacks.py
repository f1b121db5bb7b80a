"""Callbacks as plain Python: the request field, the events (stable ids, the same bytes every time, no secret in
a review message), the signature, and one POST against a real local receiver for each kind of answer."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from datetime import UTC, datetime

import pytest

from browserflow import callbacks
from browserflow.config import Settings
from browserflow.contracts import (
    Action,
    CallbackInput,
    GoalEngineResult,
    ReviewRequest,
    TaskResult,
    TaskStatus,
    result_event,
    review_event,
)
from browserflow.errors import CallbackFailed, CallbackRefused, RequestInvalid
from client.goal_engine import GoalEngineResult as ClientGoalEngineResult
from client.payloads import parse_request
from tests.browserflow.receiver import DROP, receiving

SECRET = "s3cret-key"
URL = "https://engine.example/hooks/browserflow"
REQUEST = {"goal": "Order one blue mug", "start_url": "https://shop.example/"}


def a_result(task_id: str = "bf-1") -> TaskResult:
    return TaskResult(
        task_id=task_id,
        status=TaskStatus.SUCCEEDED,
        reason="the goal holds",
        goal_achieved=True,
        steps_taken=3,
        execution_time_seconds=4.25,
        result_data={"order": "A-1"},
        ai_cost=0.0012,
    )


def a_review() -> ReviewRequest:
    return ReviewRequest(
        reason="before_irreversible",
        detail="submit the order",
        step=3,
        url="https://bob:pw@shop.example/checkout?x=1",
        proposed=[
            Action(kind="fill", label="Card number", value="4111111111111111", data_key="card_number"),
            Action(kind="fill", label="Password", value="env:BROWSERFLOW_SECRET_PW", data_key="password"),
            Action(kind="click", label="Place order", irreversible=True),
        ],
        screenshot="/srv/.data/artifacts/bf-1/step3.png",
        requested_at=datetime(2026, 12, 1, 12, 0, tzinfo=UTC),
    )


# -- the request field ----------------------------------------------------------------------------------------


def test_a_callback_url_is_optional_and_checked_like_the_start_url() -> None:
    assert parse_request(REQUEST).callback_url is None
    assert parse_request({**REQUEST, "callback_url": " https://engine.example/cb "}).callback_url == (
        "https://engine.example/cb"
    )
    assert parse_request({**REQUEST, "callback_url": "http://127.0.0.1:9000/cb"}).callback_url is not None


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("ftp://engine.example/cb", "callback_url must be an http(s) URL; scheme 'ftp' is not allowed"),
        ("javascript:alert(1)", "callback_url must be an http(s) URL"),
        ("https://", "callback_url must include a host"),
        ("https://user:pw@engine.example/cb", "callback_url must not carry credentials"),
        ("https://engine.example:port/cb", "callback_url has a port that is not a number"),
    ],
)
def test_a_bad_callback_url_is_refused_naming_the_field(value: str, says: str) -> None:
    with pytest.raises(RequestInvalid) as info:
        parse_request({**REQUEST, "callback_url": value})
    assert "callback_url: " in info.value.message and says in info.value.message


def test_the_goal_engine_message_carries_a_callback_url() -> None:
    message = {"type": "browser_task", "goal": "g", "site_url": "https://shop.example/", "callback_url": URL}
    assert parse_request(message).callback_url == URL
    with pytest.raises(RequestInvalid, match="callback_url"):
        parse_request({**message, "callback_url": "file:///etc/passwd"})


def test_the_signing_key_is_a_secret_setting() -> None:
    settings = Settings.from_env({"BROWSERFLOW_CALLBACK_SECRET": SECRET})
    assert settings.callback_secret is not None and settings.callback_secret.get_secret_value() == SECRET
    assert SECRET not in repr(settings) and SECRET not in str(settings.model_dump())
    assert Settings.from_env({}).callback_secret is None
    assert Settings.from_env({"BROWSERFLOW_CALLBACK_SECRET": ""}).callback_secret is None


# -- events ---------------------------------------------------------------------------------------------------


def test_the_result_event_is_the_goal_engine_result_message() -> None:
    event = result_event(URL, a_result())
    assert (event.event_id, event.kind, event.url) == ("bf-1:result:1", "result", URL)
    assert json.loads(event.body()) == {
        "task_id": "bf-1",
        "status": "succeeded",
        "goal_achieved": True,
        "execution_time_seconds": 4.25,
        "steps_taken": 3,
        "ai_cost": 0.0012,
        "cache_hit": False,
        "result_data": {"order": "A-1"},
    }
    assert ClientGoalEngineResult is GoalEngineResult  # the SDK's goal_engine_result() is the same message
    assert GoalEngineResult.model_validate_json(event.body()) == GoalEngineResult.from_result(a_result())


def test_event_ids_are_stable_per_task_and_event_and_the_bytes_do_not_change() -> None:
    first, again = result_event(URL, a_result()), result_event(URL, a_result())
    assert first.event_id == again.event_id and first.body() == again.body()
    reviews = [review_event(URL, "bf-1", n, a_review()) for n in (1, 2)]
    assert [r.event_id for r in reviews] == ["bf-1:review:1", "bf-1:review:2"]
    assert result_event(URL, a_result("bf-2")).event_id == "bf-2:result:1"
    # through the activity boundary (JSON) and back: the same bytes, so the same signature on every retry
    trip = CallbackInput.model_validate_json(reviews[0].model_dump_json())
    assert trip.body() == reviews[0].body()


def test_a_review_message_says_what_is_asked_without_values_paths_or_credentials() -> None:
    event = review_event(URL, "bf-1", 1, a_review())
    message = json.loads(event.body())
    assert message == {
        "task_id": "bf-1",
        "status": "needs_review",
        "reason": "before_irreversible",
        "detail": "submit the order",
        "step": 3,
        "url": "https://shop.example/checkout?x=1",
        "proposed": [
            "fill 'Card number' <- data.card_number",
            "fill 'Password' <- data.password",
            "click 'Place order'",
        ],
        "requested_at": "2026-12-01T12:00:00Z",
    }
    raw = event.body().decode()
    for secret in ("4111111111111111", "BROWSERFLOW_SECRET_PW", "bob", "pw@", "/srv/.data"):
        assert secret not in raw


def test_an_event_carries_exactly_its_own_message() -> None:
    review = review_event(URL, "bf-1", 1, a_review()).review
    with pytest.raises(ValueError, match="carries exactly its own message"):
        CallbackInput(url=URL, event_id="x", kind="result", review=review)
    with pytest.raises(ValueError, match="carries exactly its own message"):
        CallbackInput(url=URL, event_id="x", kind="review")


# -- signing --------------------------------------------------------------------------------------------------


def test_the_signature_is_the_hex_hmac_sha256_of_the_raw_body() -> None:
    event = result_event(URL, a_result())
    body = event.body()
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert callbacks.sign(body, SECRET) == expected
    sent = callbacks.headers(event, body, SECRET)
    assert sent["X-Browserflow-Signature"] == expected
    assert sent["X-Browserflow-Event"] == "bf-1:result:1" and sent["X-Browserflow-Event-Type"] == "result"
    assert sent["Content-Type"] == "application/json"
    assert callbacks.verify(body, expected, SECRET)
    assert not callbacks.verify(body + b" ", expected, SECRET)  # a changed body
    assert not callbacks.verify(body, expected, "another key")
    assert not callbacks.verify(body, None, SECRET)
    assert "X-Browserflow-Signature" not in callbacks.headers(event, body, None)  # no key: unsigned


# -- one POST, against a real receiver ------------------------------------------------------------------------


async def test_a_2xx_delivers_the_signed_event() -> None:
    event = result_event(URL, a_result())
    with receiving(SECRET) as receiver:
        delivered = await callbacks.deliver(event.model_copy(update={"url": receiver.url}), SECRET, attempt=3)
    assert (delivered.event_id, delivered.status_code, delivered.attempt) == ("bf-1:result:1", 200, 3)
    (request,) = receiver.requests
    assert request.signed and request.kind == "result" and request.body == event.body()
    assert receiver.events == {"bf-1:result:1": json.loads(event.body())}


@pytest.mark.parametrize("status", [500, 502, 503, 408, 429])
async def test_a_receiver_in_trouble_is_retried(status: int) -> None:
    with receiving(SECRET, [status]) as receiver:
        event = result_event(receiver.url, a_result())
        with pytest.raises(CallbackFailed) as info:
            await callbacks.deliver(event, SECRET)
    assert type(info.value) is CallbackFailed and info.value.retryable
    assert f"HTTP {status}" in info.value.message and receiver.events == {}


@pytest.mark.parametrize("status", [400, 401, 404, 410, 302])
async def test_a_refusal_is_not_retried(status: int) -> None:
    with receiving(SECRET, [status]) as receiver:
        event = result_event(receiver.url, a_result())
        with pytest.raises(CallbackRefused) as info:
            await callbacks.deliver(event, SECRET)
    assert not info.value.retryable and f"HTTP {status}" in info.value.message


async def test_a_wrong_key_is_refused_by_the_receiver() -> None:
    with receiving(SECRET) as receiver, pytest.raises(CallbackRefused, match="HTTP 401"):
        await callbacks.deliver(result_event(receiver.url, a_result()), "not the key")
    assert receiver.events == {} and not receiver.requests[0].signed


async def test_a_receiver_that_is_down_is_retried() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(CallbackFailed, match="could not be reached") as info:
        await callbacks.deliver(result_event(f"http://127.0.0.1:{port}/cb", a_result()), SECRET)
    assert info.value.retryable and "/cb" not in info.value.message  # the event id, not the URL, is named
    with receiving(SECRET, [DROP]) as receiver, pytest.raises(CallbackFailed, match="could not be reached"):
        await callbacks.deliver(result_event(receiver.url, a_result()), SECRET)  # accepted, then dropped
