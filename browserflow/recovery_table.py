"""Error recovery, declared in one table: which failure, which strategy, how many attempts, and where.

Read a row of :data:`RECOVERY_TABLE` as "when an action or a page load fails with ``error`` (and ``matches``
holds), apply ``strategy`` at most ``max_attempts`` times, then retry". Rows whose ``where`` is ``"activity"``
run inside the ``act`` / ``navigate`` activities around each action (``browserflow/browser/recovery.py``, the
runner, with the Playwright strategies of ``browserflow/browser/strategies.py``); rows whose ``where`` is
``"temporal"`` are handled by the activity retry policy (``browserflow/temporal/policies.py``: Retry-After
delays, exponential backoff); ``"terminal"`` rows are never retried nor recovered: the workflow ends the task
with the error's ``terminal_status`` (``browserflow.errors.TERMINAL_STATUS``) or, for an error without one,
decides again. Every attempt made is recorded as a :class:`RecoveryAttempt`.

Pure data: no Playwright, no I/O; workflow code may import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from browserflow.errors import (
    AccessDenied,
    BrowserflowError,
    ElementNotFound,
    ElementNotInteractable,
    InvalidUrl,
    LoginExpired,
    ModalBlocking,
    NavigationBlocked,
    PageTimeout,
    RateLimited,
    ServerError,
    SiteDown,
)

__all__ = ["RECOVERY_TABLE", "RecoveryAttempt", "Rule", "Strategy", "Where", "intercepted", "rule_for"]

Strategy = Literal["wait_for_element", "close_modal", "reload", "reauthenticate", "retry_after", "backoff", "terminal"]
Where = Literal["activity", "temporal", "terminal"]


def intercepted(exc: BrowserflowError) -> bool:
    """Is ``exc`` an action that a covering element (a dialog) intercepted?"""
    return isinstance(exc, ModalBlocking) or "covered" in exc.message or "intercepts pointer events" in exc.message


@dataclass(frozen=True)
class Rule:
    error: type[BrowserflowError]
    strategy: Strategy
    max_attempts: int
    where: Where
    matches: Callable[[BrowserflowError], bool] | None = None
    note: str = ""


def _terminal(error: type[BrowserflowError], note: str = "") -> Rule:
    status = error.terminal_status
    return Rule(error, "terminal", 0, "terminal", note=note or (f"ends the task {status.value}" if status else ""))


RECOVERY_TABLE: tuple[Rule, ...] = (
    Rule(LoginExpired, "reauthenticate", 1, "activity", note="sign in with the task's credential refs, go back"),
    Rule(ElementNotInteractable, "close_modal", 2, "activity", intercepted, "close the dialog over the page"),
    Rule(ElementNotFound, "wait_for_element", 3, "activity", note="the element appears late: wait, retry"),
    Rule(PageTimeout, "reload", 2, "activity", note="reload the page (GET) and retry"),
    Rule(RateLimited, "retry_after", 3, "temporal", note="the act/navigate retry waits the site's Retry-After"),
    Rule(ServerError, "backoff", 3, "temporal", note="5xx: activity retry with exponential backoff"),
    _terminal(SiteDown),
    _terminal(AccessDenied),
    _terminal(InvalidUrl),
    _terminal(NavigationBlocked, "outside the allowed domains: never retried; a refused action is decided again"),
)


def rule_for(exc: BrowserflowError) -> Rule | None:
    """The first row of the table that ``exc`` falls under."""
    for rule in RECOVERY_TABLE:
        if isinstance(exc, rule.error) and (rule.matches is None or rule.matches(exc)):
            return rule
    return None


@dataclass(frozen=True)
class RecoveryAttempt:
    """One recovery attempt: what failed, what was tried, the how-many-th try, and how it went."""

    error_type: str
    strategy: str
    attempt: int
    outcome: Literal["recovered", "failed"]
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
