"""Callbacks, plain Python: sign an event and POST it to the task's ``callback_url``.

The event (``browserflow.contracts.callbacks``: ``result_event`` / ``review_event``) is POSTed as its message's
compact JSON with three headers:

- ``X-Browserflow-Event``: the event id, ``<task id>:<kind>:<n>`` (the same on every retry: dedupe by it);
- ``X-Browserflow-Event-Type``: ``result`` or ``review``;
- ``X-Browserflow-Signature``: ``sha256=<hex HMAC-SHA256 of the raw body>`` keyed with
  ``BROWSERFLOW_CALLBACK_SECRET`` (absent when no secret is configured).

A 2xx answer delivers it. A connection error, a timeout, HTTP 5xx, 408 or 429 raise ``CallbackFailed``
(retryable: the activity's retry policy backs off and sends the same bytes again); any other answer (a 4xx,
a redirect, which is not followed) raises ``CallbackRefused`` (permanent). Nothing here touches the task.
"""

from __future__ import annotations

import hashlib
import hmac

import aiohttp

from browserflow.contracts import CallbackDelivery, CallbackInput, event_id, result_event, review_event
from browserflow.errors import CallbackFailed, CallbackRefused

__all__ = [
    "EVENT_HEADER",
    "KIND_HEADER",
    "RETRIED_STATUSES",
    "SIGNATURE_HEADER",
    "deliver",
    "event_id",
    "headers",
    "result_event",
    "review_event",
    "sign",
    "verify",
]

SIGNATURE_HEADER = "X-Browserflow-Signature"
EVENT_HEADER = "X-Browserflow-Event"
KIND_HEADER = "X-Browserflow-Event-Type"
RETRIED_STATUSES = frozenset({408, 429})  # and every 5xx
DEFAULT_TIMEOUT = 10.0
USER_AGENT = "browserflow-callbacks/1"


def sign(body: bytes, secret: str) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of ``body`` keyed with ``secret``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, signature: str | None, secret: str) -> bool:
    """What a receiver does: recompute the signature of the raw body and compare in constant time."""
    return signature is not None and hmac.compare_digest(sign(body, secret), signature)


def headers(event: CallbackInput, body: bytes, secret: str | None) -> dict[str, str]:
    """The request headers of ``event`` (signed when a secret is configured)."""
    found = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: event.event_id,
        KIND_HEADER: event.kind,
    }
    if secret:
        found[SIGNATURE_HEADER] = sign(body, secret)
    return found


def _judge(event: CallbackInput, status: int, attempt: int) -> CallbackDelivery:
    if 200 <= status < 300:
        return CallbackDelivery(event_id=event.event_id, status_code=status, attempt=attempt)
    if status >= 500 or status in RETRIED_STATUSES:
        raise CallbackFailed(f"callback {event.event_id}: the receiver answered HTTP {status}")
    raise CallbackRefused(f"callback {event.event_id}: the receiver refused it with HTTP {status}")


async def deliver(
    event: CallbackInput, secret: str | None, *, attempt: int = 1, timeout: float = DEFAULT_TIMEOUT
) -> CallbackDelivery:
    """POST ``event`` once. Raises ``CallbackFailed`` (try again later) or ``CallbackRefused`` (do not)."""
    body = event.body()
    limit = aiohttp.ClientTimeout(total=timeout)
    try:
        async with (
            aiohttp.ClientSession(timeout=limit) as http,
            http.post(event.url, data=body, headers=headers(event, body, secret), allow_redirects=False) as answer,
        ):
            await answer.read()  # the answer's body is not used; read it so the connection closes cleanly
            status = answer.status
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        shown = str(exc) or type(exc).__name__
        raise CallbackFailed(f"callback {event.event_id}: the receiver could not be reached: {shown}") from None
    return _judge(event, status, attempt)
