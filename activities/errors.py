"""Turning browserflow's typed errors into Temporal ``ApplicationError``s (type name, retryability, delay)."""

from __future__ import annotations

from datetime import timedelta

from temporalio.exceptions import ApplicationError

from browserflow.errors import BrowserflowError, RateLimited

__all__ = ["to_application_error"]


def to_application_error(exc: BrowserflowError) -> ApplicationError:
    """The ``ApplicationError`` an activity raises for ``exc``; details carry the failed action's index."""
    delay = None
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        delay = timedelta(seconds=exc.retry_after)
    index = getattr(exc, "index", None)
    return ApplicationError(
        exc.message,
        {"index": index},
        type=exc.type_name,
        non_retryable=not exc.retryable,
        next_retry_delay=delay,
    )
