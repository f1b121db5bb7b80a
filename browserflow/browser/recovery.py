"""Error recovery on a live page, declared in one table: which failure, which strategy, how many attempts.

Read a row of :data:`RECOVERY_TABLE` as "when an action or a page load fails with ``error`` (and ``matches``
holds), apply ``strategy`` at most ``max_attempts`` times, then retry". Rows whose ``where`` is
``"activity"`` run here, inside the ``act`` / ``navigate`` activities around each action; rows whose
``where`` is ``"temporal"`` are handled by the activity retry policy (``browserflow/temporal/policies.py``:
Retry-After delays, exponential backoff) or end the task (``"terminal"``: mapped to a status by the
workflow). Every attempt made here is recorded as a :class:`RecoveryAttempt` (on the session, and in the
activity's result once the contract carries them).

Secrets: re-authentication fills the task's credential *references*; ``browserflow.secrets.resolve`` runs
only at the moment a value is typed, and no resolved value is logged or recorded.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from browserflow.browser import actor
from browserflow.browser.pool import Session
from browserflow.browser.relogin import (
    NO_RELOGIN,
    credentials_from,
    is_login_page,
    learn_credentials,
    page_key,
    relogin_refusal,
    sign_in,
)
from browserflow.contracts import Action
from browserflow.errors import (
    AccessDenied,
    ActionFailed,
    BrowserflowError,
    ElementNotFound,
    ElementNotInteractable,
    InvalidUrl,
    NavigationBlocked,
    PageError,
    PageTimeout,
    RateLimited,
    ServerError,
    SiteDown,
)

__all__ = [
    "NO_RELOGIN",
    "RECOVERY_TABLE",
    "LoginExpired",
    "ModalBlocking",
    "RecoveryAttempt",
    "Rule",
    "credentials_from",
    "is_login_page",
    "learn_credentials",
    "navigate",
    "perform",
    "relogin_refusal",
    "rule_for",
    "settle",
]

log = logging.getLogger(__name__)

Strategy = Literal["wait_for_element", "close_modal", "reload", "reauthenticate", "retry_after", "backoff", "terminal"]
Where = Literal["activity", "temporal", "terminal"]

WAIT_STEP_MS = 1_500  # one "wait for the element" attempt
LOAD_TIMEOUT_MS = 15_000


class LoginExpired(PageError):
    """The page turned into a login form while the task was signed in."""


class ModalBlocking(ElementNotInteractable):
    """A dialog covers the page and intercepts the action."""


def _intercepted(exc: BrowserflowError) -> bool:
    return isinstance(exc, ModalBlocking) or "covered" in exc.message or "intercepts pointer events" in exc.message


@dataclass(frozen=True)
class Rule:
    error: type[BrowserflowError]
    strategy: Strategy
    max_attempts: int
    where: Where
    matches: Callable[[BrowserflowError], bool] | None = None
    note: str = ""


RECOVERY_TABLE: tuple[Rule, ...] = (
    Rule(LoginExpired, "reauthenticate", 1, "activity", note="sign in with the task's credential refs, go back"),
    Rule(ElementNotInteractable, "close_modal", 2, "activity", _intercepted, "close the dialog over the page"),
    Rule(ElementNotFound, "wait_for_element", 3, "activity", note="the element appears late: wait, retry"),
    Rule(PageTimeout, "reload", 2, "activity", note="reload the page (GET) and retry"),
    Rule(RateLimited, "retry_after", 3, "temporal", note="the act/navigate retry waits the site's Retry-After"),
    Rule(ServerError, "backoff", 3, "temporal", note="5xx: activity retry with exponential backoff"),
    Rule(SiteDown, "terminal", 0, "terminal", note="site_down"),
    Rule(AccessDenied, "terminal", 0, "terminal", note="access_denied"),
    Rule(InvalidUrl, "terminal", 0, "terminal", note="invalid_url"),
    Rule(NavigationBlocked, "terminal", 0, "terminal", note="outside the allowed domains"),
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


Beat = Callable[[str], Any]


class _Run:
    """One activity's recovery budget and record."""

    def __init__(self, session: Session, heartbeat: Beat | None) -> None:
        self.session = session
        self.heartbeat = heartbeat
        self.used: dict[Strategy, int] = {}
        self.attempts: list[RecoveryAttempt] = []

    def allow(self, exc: BrowserflowError) -> Rule | None:
        rule = rule_for(exc)
        if rule is None or rule.where != "activity" or self.used.get(rule.strategy, 0) >= rule.max_attempts:
            return None
        self.used[rule.strategy] = self.used.get(rule.strategy, 0) + 1
        if self.heartbeat is not None:
            self.heartbeat(f"recovering: {rule.strategy}")
        return rule

    def note(self, exc: BrowserflowError, rule: Rule, ok: bool, detail: str = "") -> None:
        attempt = RecoveryAttempt(
            exc.type_name, rule.strategy, self.used.get(rule.strategy, 0), "recovered" if ok else "failed", detail
        )
        self.attempts.append(attempt)
        self.session.recoveries.append(attempt)
        log.info("recovery %s for %s (attempt %d): %s", rule.strategy, exc.type_name, attempt.attempt, attempt.outcome)


# -- strategies ------------------------------------------------------------------------------------------


async def _wait_for_element(page: Page, action: Action) -> bool:
    targets = []
    if action.selector:
        targets.append(page.locator(action.selector).first)
    if action.ref:
        targets.append(page.locator(f'[data-bf-ref="{action.ref}"]'))
    for locator in targets:
        try:
            await locator.wait_for(state="attached", timeout=WAIT_STEP_MS)
            return True
        except PlaywrightError:
            continue
    return False


_DIALOG = "[role=dialog]:visible, [role=alertdialog]:visible, [aria-modal=true]:visible"
_CLOSE_NAME = r"^\s*(close|\u00d7|\u2715|x|no,? thanks|dismiss|not now|maybe later|cancel)\s*$"


async def open_dialog(page: Page) -> bool:
    try:
        return await page.locator(_DIALOG).count() > 0
    except PlaywrightError:
        return False


async def _close_modal(page: Page) -> bool:
    dialogs = page.locator(_DIALOG)
    try:
        for i in range(await dialogs.count()):
            dialog = dialogs.nth(i)
            button = dialog.get_by_role("button", name=re.compile(_CLOSE_NAME, re.I))
            if await button.count() == 0:
                button = dialog.locator("[aria-label*=close i], [aria-label*=dismiss i], .close")
            if await button.count() > 0 and await button.first.is_visible():
                await button.first.click(timeout=2_000)
        if await dialogs.count() > 0:
            await page.keyboard.press("Escape")
        await dialogs.first.wait_for(state="hidden", timeout=2_000)
        return True
    except PlaywrightError:
        return await dialogs.count() == 0


async def _stop_loading(page: Page) -> None:
    """Abort a navigation still pending (a timed-out load), so the reload does not race it."""
    with contextlib.suppress(PlaywrightError):
        await page.evaluate("() => window.stop()")


async def _reload(session: Session, url: str) -> bool:
    await _stop_loading(session.page)
    try:
        response = await session.page.goto(url, wait_until="domcontentloaded")
    except PlaywrightError:
        return False
    if response is not None:
        session.last_status = response.status
    return True


# -- executors -------------------------------------------------------------------------------------------


async def _landed(session: Session, url: str, exc: BrowserflowError) -> bool:
    """A reload "interrupted" by the timed-out load it replaced: that load finished, on the same URL."""
    if not isinstance(exc, ActionFailed) or not (
        "interrupted by another navigation" in exc.message or "ERR_ABORTED" in exc.message
    ):
        return False
    try:
        # not wait_for_load_state: it answers from the state already reached, while the load that interrupted
        # the reload may still be committing; this re-evaluates in whatever document the page ends up with
        await session.page.wait_for_function("() => document.readyState !== 'loading'", timeout=LOAD_TIMEOUT_MS)
    except PlaywrightError:
        return False
    return session.page.url.rstrip("/") == url.rstrip("/")


def _classify(action: Action, exc: Exception) -> BrowserflowError:
    if isinstance(exc, BrowserflowError):
        return exc
    if isinstance(exc, PlaywrightError):
        return actor._classify_action_error(action, exc)
    return ActionFailed(f"{action.kind} failed: {type(exc).__name__}")


def _paired(actions: Sequence[Action], index: int) -> bool:
    """Is ``actions[index]`` a pause followed by the plan's click (run together in the page)?"""
    nxt = actions[index + 1] if index + 1 < len(actions) else None
    return actions[index].kind == "wait" and nxt is not None and nxt.kind == "click" and nxt.intent is not None


async def _one(session: Session, action: Action, domains: Sequence[str], run: _Run, *, dialog: bool = True) -> None:
    """One action with the per-action rows of the table (late element, modal, page timeout).

    ``dialog``: whether a dialog may be open (checked once per plan; after a failure, always re-checked).
    """
    while True:
        try:
            if dialog and action.kind in {"click", "check", "uncheck", "select"} and await open_dialog(session.page):
                target = page_target(session.page, action)
                if target is not None and not await _inside_dialog(target):
                    raise ModalBlocking(f"a dialog covers '{action.label or action.selector}'")
            await actor._perform_one(session, action, domains)
            return
        except (BrowserflowError, PlaywrightError) as raw:
            exc = _classify(action, raw)
            rule = run.allow(exc)
            if rule is None:
                raise exc from None
            if rule.strategy == "wait_for_element":
                ok = await _wait_for_element(session.page, action)
            elif rule.strategy == "close_modal":
                ok = await _close_modal(session.page)
            elif rule.strategy == "reload" and action.kind == "navigate":
                ok = await _reload(session, action.value or session.page.url)
                if ok:
                    run.note(exc, rule, ok)
                    actor.raise_for_status(session.page.url, session.last_status)
                    return
            else:
                ok = False
            run.note(exc, rule, ok)
            dialog = True  # after a failure, look for a covering dialog again
            # a failed attempt still counts: the action is tried again until the row's budget is spent


def page_target(page: Page, action: Action) -> Any:
    if action.ref:
        return page.locator(f'[data-bf-ref="{action.ref}"]').first
    if action.selector:
        return page.locator(action.selector).first
    return None


async def _inside_dialog(locator: Any) -> bool:
    try:
        if await locator.count() == 0:
            return True  # nothing to cover: let the action report what is wrong
        return bool(await locator.evaluate("el => !!el.closest('[role=dialog],[role=alertdialog],[aria-modal=true]')"))
    except PlaywrightError:
        return True


async def _settle_load(session: Session, run: _Run) -> None:
    """Wait for the page an action led to; a load that times out is reloaded (GET) per the table."""
    while True:
        try:
            await session.page.wait_for_load_state("domcontentloaded", timeout=LOAD_TIMEOUT_MS)
            return
        except PlaywrightError as raw:
            exc = actor.classify_navigation_error(session.page.url, raw)
            rule = run.allow(exc)
            if rule is None or rule.strategy != "reload":
                raise exc from None
            ok = await _reload(session, session.page.url)
            run.note(exc, rule, ok)
            if not ok:
                raise exc from None


async def perform(
    session: Session,
    actions: Sequence[Action],
    allowed_domains: Sequence[str],
    *,
    on_progress: Callable[[int], Awaitable[None] | None] | None = None,
    heartbeat: Beat | None = None,
    credentials: Mapping[str, str] | None = None,
) -> list[RecoveryAttempt]:
    """Run ``actions`` with the recovery table; returns the recovery attempts made (also kept on the session).

    ``credentials`` (``{"username": ref, "password": ref}``) enable re-authentication; without them, the
    references the session itself typed into a sign-in form are used (see :func:`learn_credentials`).
    """
    run = _Run(session, heartbeat)
    page = session.page
    session.guard.confine(allowed_domains)
    url_before = page.url
    # probes once per plan, not per action: they cost a browser round trip each
    was_login = any(a.kind == "fill" for a in actions) and await is_login_page(page)
    dialog = any(a.kind in {"click", "check", "uncheck", "select"} for a in actions) and await open_dialog(page)
    while True:
        for index, action in enumerate(actions):
            if index > 0 and _paired(actions, index - 1):
                continue  # clicked by the pause before it
            try:
                if _paired(actions, index):
                    # "click ONE, wait 1 s, click TWO": the pause and the click after it run in the page, so the
                    # pause is the one asked for, not the pause plus the driver's round trips
                    await actor.click_after_pause(session, actions[index + 1], action)
                else:
                    await _one(session, action, allowed_domains, run, dialog=dialog)
            except BrowserflowError as exc:
                blocked = session.guard.take()  # the action's navigation was refused: that is the error
                error = blocked or exc
                error.index = index  # type: ignore[attr-defined]
                raise error from None
            if on_progress is not None:
                maybe = on_progress(index + 1)
                if maybe is not None:
                    await maybe
        if not actions:
            return run.attempts
        try:
            await _settle_load(session, run)
        except BrowserflowError:
            session.guard.raise_blocked()
            raise
        session.guard.raise_blocked()
        last = actions[-1]
        if last.kind == "click" and last.expect is not None and last.expect.kind == "none":
            await actor.quiet_dom(page)  # a look behind a tab or section: let its content finish appearing
        learn_credentials(session, actions, was_login, url_before)
        creds = dict(credentials or {}) or session.credentials
        if was_login or not creds or not await is_login_page(page):
            break
        refused = relogin_refusal(session, creds, url_before)
        if refused is not None:  # left to the workflow: the next decision sees the sign-in form (and the gate)
            log.info("not signing in again on %s: %s", page.url, refused)
            break
        expired = LoginExpired(f"{page.url} asks to sign in again")
        rule = run.allow(expired)
        if rule is None:
            break
        target = session.redirected_from or url_before
        ok = await sign_in(session, creds)
        if ok and target and page.url != target:
            ok = await _reload(session, target)
        keys = ", ".join(k for k in ("username", "password") if k in creds)
        run.note(expired, rule, ok, f"signed in at {page_key(page.url)[3]} with the task's {keys}, back to {target}")
        if not ok:
            raise expired
        break  # the GET the login interrupted is reached again: the plan is complete, nothing is sent twice
    session.guard.raise_blocked()
    actor.raise_for_status(page.url, session.last_status)
    return run.attempts


async def navigate(
    session: Session, url: str, allowed_domains: Sequence[str], *, heartbeat: Beat | None = None
) -> list[RecoveryAttempt]:
    """Open ``url`` with the page-timeout row of the table (reload and retry)."""
    run = _Run(session, heartbeat)
    pending: tuple[BrowserflowError, Rule] | None = None
    while True:
        try:
            await actor.navigate(session, url, allowed_domains)
        except BrowserflowError as exc:
            if pending is not None and await _landed(session, url, exc):
                run.note(*pending, True, f"reload {url}")
                actor.raise_for_status(url, session.last_status)
                return run.attempts
            if pending is not None:
                run.note(*pending, False, f"reload {url}")
            rule = run.allow(exc)
            if rule is None or rule.strategy != "reload":
                raise
            pending = (exc, rule)
            await _stop_loading(session.page)
            continue
        if pending is not None:
            run.note(*pending, True, f"reload {url}")
        return run.attempts


_SUBMITLESS_FORM_JS = """() => {
  const forms = Array.from(document.forms).filter((f) => f.offsetParent !== null);
  if (!forms.length) return true;
  return forms.some((f) => f.querySelector('button:not([type=button]):not([type=reset]), input[type=submit], input[type=image]'));
}"""


async def settle(session: Session, heartbeat: Beat | None = None) -> list[RecoveryAttempt]:
    """Before a snapshot: a visible form without a submit control yet gets time for it to appear (≤3 waits)."""
    run = _Run(session, heartbeat)
    page = session.page
    try:
        if await page.evaluate(_SUBMITLESS_FORM_JS):
            return run.attempts
    except PlaywrightError:
        return run.attempts
    exc = ElementNotFound("the form's submit control is not on the page yet")
    while (rule := run.allow(exc)) is not None:
        try:
            await page.wait_for_function(_SUBMITLESS_FORM_JS, timeout=WAIT_STEP_MS)
            run.note(exc, rule, True, "submit control appeared")
            break
        except PlaywrightError:
            run.note(exc, rule, False, "still missing")
    return run.attempts
