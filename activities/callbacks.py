"""The callback activity: a thin adapter over ``browserflow.callbacks.deliver``.

The signing key is read at each delivery (``BROWSERFLOW_CALLBACK_SECRET``, through ``ComponentSettings``), so
it never enters the workflow's history. A receiver that is down, or answers 5xx / 408 / 429, fails the attempt
with the retryable ``CallbackFailed``; the retry table's ``deliver_callback`` row backs off (1 s doubling to
60 s, for up to an hour) and sends the same event, with the same id and bytes, again. A refusal (another 4xx)
is ``CallbackRefused``, never retried. Either way the task is not affected: the workflow only logs it.
"""

from __future__ import annotations

from temporalio import activity

from browserflow.callbacks import deliver
from browserflow.config import ComponentSettings
from browserflow.contracts import CallbackDelivery, CallbackInput
from browserflow.errors import BrowserflowError

from .errors import to_application_error

__all__ = ["deliver_callback"]


@activity.defn(name="deliver_callback")
async def deliver_callback(inp: CallbackInput) -> CallbackDelivery:
    """POST one signed event to the task's callback URL."""
    try:
        secret = ComponentSettings.current().callback_secret
        delivered = await deliver(
            inp, secret.get_secret_value() if secret is not None else None, attempt=activity.info().attempt
        )
    except BrowserflowError as exc:
        raise to_application_error(exc) from None
    activity.logger.info("callback %s delivered (HTTP %d)", inp.event_id, delivered.status_code)
    return delivered
