"""Error types of browserflow. The hierarchy, read top down:

    BrowserflowError                      base of everything the engine raises on purpose
    ├── RequestInvalid                    a task request failed validation (never retried)
    ├── ConfigInvalid                     an environment variable has a value that cannot be used
    │   └── RequestIdReused               a request_id already used by a different request
    ├── TaskNotFound / TaskEnded          no task has this id / it has ended (callers' verbs)
    ├── TaskUnanswered                    a task's query was not answered (no worker polling)
    ├── SecretUnavailable                 a secret reference (env:NAME) cannot be resolved (never retried)
    │   └── SecretNotAllowed              env:NAME outside the worker's allowed names (prefix / allow-list)
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
    │   ├── ActionFailed                  any other failure of an action (retried)
    │   └── DialogRefused                 a confirm()/prompt() the action was not approved to accept (never retried)
    ├── DecisionError                     deciding the next action
    │   ├── CannotProceed                 no tier can say what to do: terminal ``stuck``
    │   ├── ProviderFault                 an LLM provider failed (escalate to the next tier)
    │   ├── BudgetExceeded                the next call would pass the task's budget
    │   └── PatternTimeout                an extract pattern ran past its time limit (never retried)
    ├── StoreError                        the SQL store (writes retry with backoff)
    └── EncryptionError                   payload encryption (never retried)
        ├── EncryptionKeyMissing          production settings without a key ring (and BROWSERFLOW_ENCRYPTION not off)
        ├── EncryptionKeyInvalid          the configured key ring cannot be parsed
        └── PayloadUndecryptable          a payload's key id is not in the ring, or its key does not open it

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
    "ConfigInvalid",
    "DecisionError",
    "DialogRefused",
    "ElementNotFound",
    "ElementNotInteractable",
    "EncryptionError",
    "EncryptionKeyInvalid",
    "EncryptionKeyMissing",
    "InvalidUrl",
    "NavigationBlocked",
    "PageError",
    "PageTimeout",
    "PatternTimeout",
    "PayloadUndecryptable",
    "PoolExhausted",
    "ProviderFault",
    "RateLimited",
    "RequestIdReused",
    "RequestInvalid",
    "SecretNotAllowed",
    "SecretUnavailable",
    "ServerError",
    "SessionError",
    "SessionNotFound",
    "SiteDown",
    "StoreError",
    "TaskEnded",
    "TaskNotFound",
    "TaskUnanswered",
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


class ConfigInvalid(BrowserflowError):
    """A configuration variable holds a value that cannot be used; the message names the variable."""

    retryable = False


class SecretUnavailable(BrowserflowError):
    """A secret reference cannot be resolved on this worker."""

    retryable = False


class SecretNotAllowed(SecretUnavailable):
    """A secret reference names an environment variable this worker does not allow (``env:PATH``)."""

    retryable = False


# same Temporal type as its parent: permanent, and the task ends ``failed`` with the message as its reason
SecretNotAllowed.type_name = "SecretUnavailable"


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


class PatternTimeout(DecisionError):
    """A result or goal pattern did not finish within its time limit on this page."""

    retryable = False


class StoreError(BrowserflowError):
    """The SQL store failed."""


class EncryptionError(BrowserflowError):
    """Payload encryption failed."""

    retryable = False


class EncryptionKeyMissing(EncryptionError):
    """No encryption key ring is configured."""

    retryable = False


class EncryptionKeyInvalid(EncryptionError):
    """The configured encryption key ring is malformed."""

    retryable = False


class PayloadUndecryptable(EncryptionError):
    """A payload cannot be decrypted with this key ring (unknown key id, wrong key or altered data)."""

    retryable = False


def error_types() -> dict[str, type[BrowserflowError]]:
    """Every error type by its ``type_name``."""
    found: dict[str, type[BrowserflowError]] = {}
    stack: list[type[BrowserflowError]] = [BrowserflowError]
    while stack:
        cls = stack.pop()
        found[cls.type_name] = cls
        stack.extend(cls.__subclasses__())
    return found


class DialogRefused(PageError):
    """The page asked for a confirmation (``confirm``/``prompt``) that the running action was not approved to give."""

    retryable = False  # clicking again only asks again: decide again instead


class RequestIdReused(RequestInvalid):
    """The request_id already names a task started from a different request (goal, start URL, data, ...)."""

    retryable = False


class TaskNotFound(BrowserflowError):
    """No task has this id."""

    retryable = False


class TaskEnded(BrowserflowError):
    """The task has already ended: it takes no more signals or updates."""

    retryable = False


class TaskUnanswered(BrowserflowError):
    """The task did not answer a query (no worker is polling its task queue, or the query timed out)."""
