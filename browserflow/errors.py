"""Error types of browserflow. The hierarchy, read top down:

    BrowserflowError                      base of everything the engine raises on purpose
    ├── RequestInvalid                    a task request failed validation (never retried)
    ├── SecretUnavailable                 a secret reference (env:NAME) cannot be resolved (never retried)
    ├── SessionError                      the browser session itself
    │   ├── SessionNotFound               the session's worker no longer holds it (recover elsewhere)
    │   └── PoolExhausted                 the worker's pool is at capacity (retried)
    ├── PageError                         something a page did
    │   ├── InvalidUrl                    not http(s), disallowed scheme, malformed (never retried)
    │   ├── NavigationBlocked             outside the task's allowed domains (never retried)
    │   ├── SiteDown                      connection refused / DNS / reset: retried briefly, then ``site_down``
    │   ├── AccessDenied                  HTTP 401/403: terminal ``access_denied``
    │   ├── PageTimeout                   navigation or load took too long (retried)
    │   ├── RateLimited                   HTTP 429: retried after the site's Retry-After
    │   ├── ServerError                   HTTP 5xx: retried with exponential backoff
    │   ├── ElementNotFound               the target is not on the page (waited for in the activity; then decide again)
    │   ├── ElementNotInteractable        hidden, disabled or covered (a dialog closed in the activity; then decide again)
    │   └── ActionFailed                  any other failure of an action (retried)
    ├── DecisionError                     deciding the next action
    │   ├── CannotProceed                 no tier can say what to do: terminal ``stuck``
    │   ├── ProviderFault                 an LLM provider failed (escalate to the next tier)
    │   └── BudgetExceeded                the next call would pass the task's budget
    └── StoreError                        the SQL store (writes retry with backoff)

Each type has a stable ``type_name`` used as the Temporal ``ApplicationError.type`` and a ``retryable`` flag.
Activities convert these into ``ApplicationError(type=..., non_retryable=not retryable)``; the workflow maps
the terminal ones to task statuses.
"""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "ActionFailed",
    "BrowserflowError",
    "BudgetExceeded",
    "CannotProceed",
    "DecisionError",
    "ElementNotFound",
    "ElementNotInteractable",
    "InvalidUrl",
    "NavigationBlocked",
    "PageError",
    "PageTimeout",
    "PoolExhausted",
    "ProviderFault",
    "RateLimited",
    "RequestInvalid",
    "SecretUnavailable",
    "ServerError",
    "SessionError",
    "SessionNotFound",
    "SiteDown",
    "StoreError",
    "error_types",
]


class BrowserflowError(Exception):
    """Base of every error browserflow raises on purpose."""

    type_name = "BrowserflowError"
    retryable = True

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.__class__.__doc__ or self.type_name)
        self.message = message or (self.__class__.__doc__ or self.type_name)

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.type_name = cls.__name__


class RequestInvalid(BrowserflowError):
    """The task request is not valid."""

    retryable = False


class SecretUnavailable(BrowserflowError):
    """A secret reference cannot be resolved on this worker."""

    retryable = False


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


class NavigationBlocked(PageError):
    """Navigation outside the task's allowed domains is refused."""

    retryable = False


class SiteDown(PageError):
    """The site cannot be reached."""

    retryable = False


class AccessDenied(PageError):
    """The site denied access (HTTP 401/403)."""

    retryable = False


class PageTimeout(PageError):
    """The page took too long."""


class RateLimited(PageError):
    """The site answered HTTP 429."""

    def __init__(self, message: str = "", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServerError(PageError):
    """The site answered HTTP 5xx."""


class ElementNotFound(PageError):
    """The target element is not on the page."""

    retryable = False  # the recovery table already waited for it inside the activity: decide again instead


class ElementNotInteractable(PageError):
    """The target element is hidden, disabled or covered."""

    retryable = False  # dialogs were closed inside the activity; retrying the same action only repeats it


class ActionFailed(PageError):
    """The action failed."""


class DecisionError(BrowserflowError):
    """Deciding the next action failed."""


class CannotProceed(DecisionError):
    """No decider can say what to do next."""

    retryable = False


class ProviderFault(DecisionError):
    """An LLM provider failed."""


class BudgetExceeded(DecisionError):
    """The task's budget would be exceeded."""

    retryable = False


class StoreError(BrowserflowError):
    """The SQL store failed."""


def error_types() -> dict[str, type[BrowserflowError]]:
    """Every error type by its ``type_name``."""
    found: dict[str, type[BrowserflowError]] = {}
    stack: list[type[BrowserflowError]] = [BrowserflowError]
    while stack:
        cls = stack.pop()
        found[cls.type_name] = cls
        stack.extend(cls.__subclasses__())
    return found
