"""The recovery runner: actions and page loads on a live page, with the recovery table applied around each.

The table itself (which failure, which strategy, how many attempts, where) is pure data in
``browserflow/recovery_table.py``; the strategies (Playwright) are in ``browserflow/browser/strategies.py``;
signing in again is ``browserflow/browser/relogin.py``. Every attempt made here is recorded as a
:class:`RecoveryAttempt` (on the session, and in the activity's result).

Secrets: re-authentication fills the task's credential *references*; ``browserflow.secrets.resolve`` runs
only at the moment a value is typed, and no resolved value is logged or recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from playwright.async_api import Error as PlaywrightError

from browserflow.browser import actor, strategies
from browserflow.browser.pool import Session
from browserflow.browser.relogin import (
    NO_RELOGIN,
    credentials_from,
    is_login_page,
    learn_credentials,
    reauthenticate,
    relogin_refusal,
)
from browserflow.browser.strategies import open_dialog, page_target
from browserflow.contracts import Action
from browserflow.errors import (
    ActionFailed,
    BrowserflowError,
    ElementNotFound,
    LoginExpired,
    ModalBlocking,
)
from browserflow.recovery_table import RECOVERY_TABLE, RecoveryAttempt, Rule, Strategy, rule_for

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
    "open_dialog",
    "page_target",
    "perform",
    "relogin_refusal",
    "rule_for",
    "settle",
]

log = logging.getLogger(__name__)

Beat = Callable[[str], Any]
_TARGETED = {"click", "check", "uncheck", "select"}  # actions a covering dialog can intercept


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


def _classify(action: Action, exc: Exception) -> BrowserflowError:
    if isinstance(exc, BrowserflowError):
        return exc
    if isinstance(exc, PlaywrightError):
        return actor.classify_action_error(action, exc)
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
            if dialog and action.kind in _TARGETED and await open_dialog(session.page):
                target = page_target(session.page, action)
                if target is not None and not await strategies.inside_dialog(target):
                    raise ModalBlocking(f"a dialog covers '{action.label or action.selector}'")
            await actor.perform_one(session, action, domains)
            return
        except (BrowserflowError, PlaywrightError) as raw:
            exc = _classify(action, raw)
            rule = run.allow(exc)
            if rule is None:
                raise exc from None
            if rule.strategy == "wait_for_element":
                ok = await strategies.wait_for_element(session.page, action)
            elif rule.strategy == "close_modal":
                ok = await strategies.close_modal(session.page)
            elif rule.strategy == "reload" and action.kind == "navigate":
                ok = await strategies.reload(session, action.value or session.page.url)
                if ok:
                    run.note(exc, rule, ok)
                    actor.raise_for_status(session.page.url, session.last_status)
                    return
            else:
                ok = False
            run.note(exc, rule, ok)
            dialog = True  # after a failure, look for a covering dialog again
            # a failed attempt still counts: the action is tried again until the row's budget is spent


async def _settle_load(session: Session, run: _Run) -> None:
    """Wait for the page an action led to; a load that times out is reloaded (GET) per the table."""
    while True:
        try:
            await session.page.wait_for_load_state("domcontentloaded", timeout=strategies.LOAD_TIMEOUT_MS)
            return
        except PlaywrightError as raw:
            exc = actor.classify_navigation_error(session.page.url, raw)
            rule = run.allow(exc)
            if rule is None or rule.strategy != "reload":
                raise exc from None
            ok = await strategies.reload(session, session.page.url)
            run.note(exc, rule, ok)
            if not ok:
                raise exc from None


async def _run_actions(
    session: Session,
    actions: Sequence[Action],
    allowed_domains: Sequence[str],
    run: _Run,
    dialog: bool,
    on_progress: Callable[[int], Awaitable[None] | None] | None,
) -> None:
    for index, action in enumerate(actions):
        if index > 0 and _paired(actions, index - 1):
            continue  # clicked by the pause before it
        try:
            if _paired(actions, index) and (action.guard is not None or actions[index + 1].guard is not None):
                # "buy when the price is below $5": wait in the page for it, and click in the same moment
                await actor.click_when(session, actions[index + 1], action)
            elif _paired(actions, index):
                # "click ONE, wait 1 s, click TWO": the pause and the click after it run in the page, so the
                # pause is the one asked for, not the pause plus the driver's round trips
                await actor.click_after_pause(session, actions[index + 1], action)
            else:
                await _one(session, action, allowed_domains, run, dialog=dialog)
        except BrowserflowError as exc:
            error = session.guard.take() or exc  # the action's navigation was refused: that is the error
            error.index = index
            raise error from None
        await actor.report_progress(on_progress, index + 1)


async def _relogin(session: Session, run: _Run, creds: Mapping[str, str], url_before: str) -> None:
    """The page a GET led to asks to sign in again: the ``reauthenticate`` row, when the page may get them."""
    refused = relogin_refusal(session, creds, url_before)
    if refused is not None:  # left to the workflow: the next decision sees the sign-in form (and the gate)
        log.info("not signing in again on %s: %s", session.page.url, refused)
        return
    expired = LoginExpired(f"{session.page.url} asks to sign in again")
    rule = run.allow(expired)
    if rule is None:
        return
    ok, detail = await reauthenticate(session, creds, url_before)
    run.note(expired, rule, ok, detail)
    if not ok:
        raise expired
    # the GET the login interrupted is reached again: the plan is complete, nothing is sent twice


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
    dialog = any(a.kind in _TARGETED for a in actions) and await open_dialog(page)
    await _run_actions(session, actions, allowed_domains, run, dialog, on_progress)
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
    if not was_login and creds and await is_login_page(page):
        await _relogin(session, run, creds, url_before)
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
            if pending is not None and await strategies.landed(session, url, exc):
                run.note(*pending, True, f"reload {url}")
                actor.raise_for_status(url, session.last_status)
                return run.attempts
            if pending is not None:
                run.note(*pending, False, f"reload {url}")
            rule = run.allow(exc)
            if rule is None or rule.strategy != "reload":
                raise
            pending = (exc, rule)
            await strategies.stop_loading(session.page)
            continue
        if pending is not None:
            run.note(*pending, True, f"reload {url}")
        return run.attempts


async def settle(session: Session, heartbeat: Beat | None = None) -> list[RecoveryAttempt]:
    """Before a snapshot: a visible form without a submit control yet gets time for it to appear (≤3 waits)."""
    run = _Run(session, heartbeat)
    if await strategies.has_submit_control(session.page):
        return run.attempts
    exc = ElementNotFound("the form's submit control is not on the page yet")
    while (rule := run.allow(exc)) is not None:
        if await strategies.wait_for_submit_control(session.page):
            run.note(exc, rule, True, "submit control appeared")
            break
        run.note(exc, rule, False, "still missing")
    return run.attempts
