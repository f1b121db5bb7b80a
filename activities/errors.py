"""Browserflow's typed errors across the Temporal boundary, both ways.

``to_application_error`` is what an activity raises: the error's ``type_name`` as the ``ApplicationError.type``,
``non_retryable`` from the class, the site's Retry-After as the next retry's delay, and the error's declared
fields (:class:`browserflow.errors.ErrorDetails`) as its one detail. ``details_of`` reads those fields back on
the workflow's side (from the ``ActivityError`` or its ``ApplicationError`` cause); ``error_of`` rebuilds the
typed error itself.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import ValidationError
from temporalio.exceptions import ActivityError, ApplicationError

from browserflow.errors import BrowserflowError, ErrorDetails, RateLimited, error_types

__all__ = ["details_of", "error_of", "to_application_error"]


def to_application_error(exc: BrowserflowError) -> ApplicationError:
    """The ``ApplicationError`` an activity raises for ``exc``; its details carry the error's declared fields."""
    delay = None
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        delay = timedelta(seconds=exc.retry_after)
    return ApplicationError(
        exc.message,
        exc.details().model_dump(mode="json", exclude_defaults=True),
        type=exc.type_name,
        non_retryable=not exc.retryable,
        next_retry_delay=delay,
    )


def _application_error(err: BaseException) -> ApplicationError | None:
    cause = err.cause if isinstance(err, ActivityError) else err
    return cause if isinstance(cause, ApplicationError) else None


def details_of(err: BaseException) -> ErrorDetails:
    """The declared fields an activity's failure carried (empty for a failure that carried none)."""
    app = _application_error(err)
    first = app.details[0] if app is not None and app.details else None
    if not isinstance(first, dict):
        return ErrorDetails()
    try:
        return ErrorDetails.model_validate(first)
    except ValidationError:
        return ErrorDetails()


def error_of(err: BaseException) -> BrowserflowError | None:
    """The typed error an activity's failure stands for, with its fields (None: not one of browserflow's)."""
    app = _application_error(err)
    cls = error_types().get(app.type or "") if app is not None else None
    if app is None or cls is None:
        return None
    return cls.from_details(app.message, details_of(app))
