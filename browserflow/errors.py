"""Error types of browserflow. The hierarchy, read top down (the only place it is written; a test holds the
module to it):

    BrowserflowError                      base of everything the engine raises on purpose
    ├── RequestInvalid                    a task request failed validation (never retried)
    │   ├── RequestIdReused               a request_id already used by a different request
    │   └── PatternInvalid                a pattern RE2 does not accept (also a ``ValueError``, for validators)
    ├── ConfigInvalid                     an environment variable has a value that cannot be used
    ├── TaskNotFound / TaskEnded          no task has this id / it has ended (callers' verbs)
    ├── TaskUnanswered                    a task's query was not answered (no worker polling)
    ├── SecretUnavailable                 a secret reference (env:NAME) cannot be resolved: terminal ``failed``
    │   └── SecretNotAllowed              env:NAME outside the worker's allowed names (prefix / allow-list)
    ├── SessionError                      the browser session itself
    │   ├── SessionNotFound               the session's worker no longer holds it (recover elsewhere)
    │   └── PoolExhausted                 the worker's pool is at capacity (retried)
    ├── PageError                         something a page did
    │   ├── InvalidUrl                    not http(s), disallowed scheme, malformed: terminal ``invalid_url``
    │   ├── NavigationBlocked             outside the task's allowed domains (never retried)
    │   ├── SiteDown                      connection refused / DNS / reset: terminal ``site_down``
    │   ├── AccessDenied                  HTTP 401/403: terminal ``access_denied``
    │   ├── PageTimeout                   navigation or load took too long (reloaded, then retried)
    │   ├── RateLimited                   HTTP 429: retried after the site's Retry-After (``retry_after``)
    │   ├── ServerError                   HTTP 5xx: retried with exponential backoff
    │   ├── ElementNotFound               the target is not on the page (waited for in the activity; then decide again)
    │   ├── ElementNotInteractable        hidden, disabled or covered (a dialog closed in the activity; then decide again)
    │   │   └── ModalBlocking             a dialog covers the page and intercepts the action
    │   ├── ActionFailed                  any other failure of an action (retried)
    │   ├── DialogRefused                 a confirm()/prompt() the action was not approved to accept (never retried)
    │   ├── ConditionNotMet               a guarded action's condition did not hold in time: not done (decide again)
    │   ├── LoginExpired                  the page turned into a sign-in form while the task was signed in
    │   └── CacheMismatch                 a cached path's step did not meet its page as recorded (decide live)
    ├── DecisionError                     deciding the next action
    │   ├── CannotProceed                 no tier can say what to do: terminal ``stuck``
    │   ├── ProviderFault                 an LLM provider failed (escalate to the next tier)
    │   ├── BudgetExceeded                the next call would pass the task's budget: terminal ``budget_exceeded``
    │   └── PatternTimeout                an extract pattern ran past its time limit (never retried)
    ├── StoreError                        the SQL store (writes retry with backoff)
    ├── CallbackFailed                    a callback receiver is down, or answered 5xx / 408 / 429 (retried, backoff)
    │   └── CallbackRefused               the receiver answered another 4xx (never retried; the task goes on)
    └── EncryptionError                   payload encryption (never retried)
        ├── EncryptionKeyMissing          production settings without a key ring (and BROWSERFLOW_ENCRYPTION not off)
        ├── EncryptionKeyInvalid          the configured key ring cannot be parsed
        └── PayloadUndecryptable          a payload's key id is not in the ring, or its key does not open it

Each class declares, as class attributes, its stable ``type_name`` (the Temporal ``ApplicationError.type``),
whether it is ``retryable``, and the ``terminal_status`` a task ends in when it reaches the workflow (None: the
workflow decides again, recovers or retries). Its context travels as declared instance fields (``index`` on
every error: the failed action's position in its plan; ``retry_after``; ``spent_usd`` and ``attempts``), which
``details()`` gathers into :class:`ErrorDetails` for the ``ApplicationError``'s details
(``activities/errors.py`` converts both ways). Derived from the classes: :data:`PERMANENT_TYPES` (never retried)
and :data:`TERMINAL_STATUS` (type name -> the status it ends a task in).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import ClassVar

from pydantic import BaseModel, Field

from browserflow.contracts import DecisionAttempt, TaskStatus

__all__ = [
    "PERMANENT_TYPES", "TERMINAL_STATUS", "AccessDenied", "ActionFailed", "BrowserflowError", "BudgetExceeded",
    "CacheMismatch", "CallbackFailed", "CallbackRefused", "CannotProceed", "ConditionNotMet", "ConfigInvalid",
    "DecisionError",
    "DialogRefused", "ElementNotFound", "ElementNotInteractable", "EncryptionError", "EncryptionKeyInvalid",
    "EncryptionKeyMissing", "ErrorDetails", "InvalidUrl", "LoginExpired", "ModalBlocking", "NavigationBlocked",
    "PageError", "PageTimeout", "PatternInvalid", "PatternTimeout", "PayloadUndecryptable", "PoolExhausted",
    "ProviderFault", "RateLimited", "RequestIdReused", "RequestInvalid", "SecretNotAllowed", "SecretUnavailable",
    "ServerError", "SessionError", "SessionNotFound", "SiteDown", "StoreError", "TaskEnded", "TaskNotFound",
    "TaskUnanswered", "error_types", "terminal_status_of",
]


class ErrorDetails(BaseModel):
    """An error's context as it crosses the activity boundary (the ``ApplicationError``'s first detail)."""

    index: int | None = Field(default=None, description="the failed action's position in its plan")
    retry_after: float | None = Field(default=None, description="seconds the site asked to wait (HTTP 429)")
    spent_usd: float | None = Field(default=None, description="what the model tiers spent before the stop")
    attempts: list[DecisionAttempt] = Field(default_factory=list, description="the tiers consulted before it")


class BrowserflowError(Exception):
    """Base of every error browserflow raises on purpose."""

    type_name: ClassVar[str] = "BrowserflowError"
    retryable: ClassVar[bool] = True
    terminal_status: ClassVar[TaskStatus | None] = None
    message: str
    index: int | None

    def __init__(self, message: str = "", *, index: int | None = None) -> None:
        self.message = message or (self.__class__.__doc__ or self.type_name)
        super().__init__(self.message)
        self.index = index

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "type_name" not in cls.__dict__:
            cls.type_name = cls.__name__

    def details(self) -> ErrorDetails:
        """The declared fields that carry this error's context across the activity boundary."""
        return ErrorDetails(index=self.index)

    @classmethod
    def from_details(cls, message: str, details: ErrorDetails) -> BrowserflowError:
        """This error again, on the other side of the boundary."""
        return cls(message, index=details.index)


class RequestInvalid(BrowserflowError):
    """The task request is not valid."""

    retryable = False


class RequestIdReused(RequestInvalid):
    """The request_id already names a task started from a different request (goal, start URL, data, ...)."""


class PatternInvalid(RequestInvalid, ValueError):
    """A pattern RE2 does not accept (the message says why)."""


class ConfigInvalid(BrowserflowError):
    """A configuration variable holds a value that cannot be used; the message names the variable."""

    retryable = False


class TaskNotFound(BrowserflowError):
    """No task has this id."""

    retryable = False


class TaskEnded(BrowserflowError):
    """The task has already ended: it takes no more signals or updates."""

    retryable = False


class TaskUnanswered(BrowserflowError):
    """The task did not answer a query (no worker is polling its task queue, or the query timed out)."""


class SecretUnavailable(BrowserflowError):
    """A secret reference cannot be resolved on this worker."""

    retryable = False
    terminal_status = TaskStatus.FAILED  # the message is the task's reason


class SecretNotAllowed(SecretUnavailable):
    """A secret reference names an environment variable this worker does not allow (``env:PATH``)."""

    type_name = SecretUnavailable.type_name  # the same Temporal type as its parent: permanent, ends ``failed``


class SessionError(BrowserflowError):
    """The browser session failed."""


class SessionNotFound(SessionError):
    """The session is not held by this worker (it restarted or the session was closed)."""

    retryable = False


class PoolExhausted(SessionError):
    """The worker's browser pool is at capacity."""


class PageError(BrowserflowError):
    """A page did not behave."""


class InvalidUrl(PageError):
    """The URL is not a valid http(s) URL."""

    retryable = False
    terminal_status = TaskStatus.INVALID_URL


class NavigationBlocked(PageError):
    """Navigation outside the task's allowed domains is refused."""

    retryable = False


class SiteDown(PageError):
    """The site cannot be reached."""

    retryable = False
    terminal_status = TaskStatus.SITE_DOWN


class AccessDenied(PageError):
    """The site denied access (HTTP 401/403)."""

    retryable = False
    terminal_status = TaskStatus.ACCESS_DENIED


class PageTimeout(PageError):
    """The page took too long."""


class RateLimited(PageError):
    """The site answered HTTP 429."""

    retry_after: float | None

    def __init__(self, message: str = "", retry_after: float | None = None, *, index: int | None = None) -> None:
        super().__init__(message, index=index)
        self.retry_after = retry_after

    def details(self) -> ErrorDetails:
        return ErrorDetails(index=self.index, retry_after=self.retry_after)

    @classmethod
    def from_details(cls, message: str, details: ErrorDetails) -> RateLimited:
        return cls(message, details.retry_after, index=details.index)


class ServerError(PageError):
    """The site answered HTTP 5xx."""


class ElementNotFound(PageError):
    """The target element is not on the page."""

    retryable = False  # the recovery table already waited for it inside the activity: decide again instead


class ElementNotInteractable(PageError):
    """The target element is hidden, disabled or covered."""

    retryable = False  # dialogs were closed inside the activity; retrying the same action only repeats it


class ModalBlocking(ElementNotInteractable):
    """A dialog covers the page and intercepts the action."""


class ActionFailed(PageError):
    """The action failed."""


class DialogRefused(PageError):
    """The page asked for a confirmation (``confirm``/``prompt``) that the running action was not approved to give."""

    retryable = False  # clicking again only asks again: decide again instead


class ConditionNotMet(PageError):
    """A guarded action's condition ("when the price is below $5") did not hold in the page in time: not done."""

    retryable = False  # the workflow decides again on a fresh snapshot (and waits again, within its budget)


class LoginExpired(PageError):
    """The page turned into a login form while the task was signed in."""


class CacheMismatch(PageError):
    """A cached path's step did not meet its page as recorded (the page did not react, or an action failed)."""

    retryable = False  # the path cache self-heals: live decisions from this page on


class DecisionError(BrowserflowError):
    """Deciding the next action failed."""


class CannotProceed(DecisionError):
    """No decider can say what to do next."""

    retryable = False
    terminal_status = TaskStatus.STUCK


class ProviderFault(DecisionError):
    """An LLM provider failed."""


class BudgetExceeded(DecisionError):
    """The task's budget would be exceeded."""

    retryable = False
    terminal_status = TaskStatus.BUDGET_EXCEEDED
    spent_usd: float
    attempts: list[DecisionAttempt]

    def __init__(
        self,
        message: str = "",
        *,
        spent_usd: float = 0.0,
        attempts: Iterable[DecisionAttempt] = (),
        index: int | None = None,
    ) -> None:
        super().__init__(message, index=index)
        self.spent_usd = spent_usd
        self.attempts = list(attempts)

    def details(self) -> ErrorDetails:
        return ErrorDetails(index=self.index, spent_usd=self.spent_usd, attempts=self.attempts)

    @classmethod
    def from_details(cls, message: str, details: ErrorDetails) -> BudgetExceeded:
        return cls(message, spent_usd=details.spent_usd or 0.0, attempts=details.attempts, index=details.index)


class PatternTimeout(DecisionError):
    """A result or goal pattern did not finish within its time limit on this page."""

    retryable = False


class StoreError(BrowserflowError):
    """The SQL store failed."""


class CallbackFailed(BrowserflowError):
    """A callback could not be delivered this time (connection error, timeout, HTTP 5xx, 408 or 429)."""


class CallbackRefused(CallbackFailed):
    """The callback's receiver refused the event (an HTTP 4xx other than 408 and 429, or a redirect)."""

    retryable = False


class EncryptionError(BrowserflowError):
    """Payload encryption failed."""

    retryable = False


class EncryptionKeyMissing(EncryptionError):
    """No encryption key ring is configured."""


class EncryptionKeyInvalid(EncryptionError):
    """The configured encryption key ring is malformed."""


class PayloadUndecryptable(EncryptionError):
    """A payload cannot be decrypted with this key ring (unknown key id, wrong key or altered data)."""


def _classes() -> list[type[BrowserflowError]]:
    found: list[type[BrowserflowError]] = []
    stack: list[type[BrowserflowError]] = [BrowserflowError]
    while stack:
        cls = stack.pop()
        if cls not in found:
            found.append(cls)
            stack.extend(cls.__subclasses__())
    return found


def error_types() -> dict[str, type[BrowserflowError]]:
    """Every error type by its ``type_name`` (a name two classes share maps to the parent)."""
    found: dict[str, type[BrowserflowError]] = {}
    for cls in _classes():
        held = found.get(cls.type_name)
        if held is None or issubclass(held, cls):
            found[cls.type_name] = cls
    return found


# derived from the classes: the type names never retried, and those that end a task (with its status)
PERMANENT_TYPES: frozenset[str] = frozenset(cls.type_name for cls in _classes() if not cls.retryable)
TERMINAL_STATUS: Mapping[str, TaskStatus] = MappingProxyType(
    {name: cls.terminal_status for name, cls in sorted(error_types().items()) if cls.terminal_status is not None}
)


def terminal_status_of(type_name: str) -> TaskStatus | None:
    """The status a task ends in when an activity fails with ``type_name`` (None: not a terminal error)."""
    return TERMINAL_STATUS.get(type_name)


# the patterns module raises PatternInvalid / PatternTimeout but cannot import this module first (this module
# imports the contracts, which import it): it is handed this module here
from browserflow import patterns as _patterns  # noqa: E402

_patterns.bind_errors(sys.modules[__name__])
