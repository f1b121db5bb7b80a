"""The recovery strategies on a live page (Playwright): what each ``"activity"`` row of the recovery table
(``browserflow/recovery_table.py``) does. Each returns whether it worked; none raises a Playwright error."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from browserflow.browser.pool import Session
from browserflow.contracts import Action
from browserflow.errors import ActionFailed, BrowserflowError

__all__ = [
    "LOAD_TIMEOUT_MS",
    "WAIT_STEP_MS",
    "close_modal",
    "has_submit_control",
    "inside_dialog",
    "landed",
    "open_dialog",
    "page_target",
    "reload",
    "stop_loading",
    "wait_for_element",
    "wait_for_submit_control",
]

WAIT_STEP_MS = 1_500  # one "wait for the element" attempt
LOAD_TIMEOUT_MS = 15_000

_DIALOG = "[role=dialog]:visible, [role=alertdialog]:visible, [aria-modal=true]:visible"
_CLOSE_NAME = r"^\s*(close|\u00d7|\u2715|x|no,? thanks|dismiss|not now|maybe later|cancel)\s*$"


def page_target(page: Page, action: Action) -> Any:
    """The locator an action aims at (its snapshot ref first, then its selector); None when it names none."""
    if action.ref:
        return page.locator(f'[data-bf-ref="{action.ref}"]').first
    if action.selector:
        return page.locator(action.selector).first
    return None


async def wait_for_element(page: Page, action: Action) -> bool:
    """``wait_for_element``: one wait for the action's target to be attached."""
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


async def open_dialog(page: Page) -> bool:
    """Is a dialog open over the page?"""
    try:
        return await page.locator(_DIALOG).count() > 0
    except PlaywrightError:
        return False


async def inside_dialog(locator: Any) -> bool:
    """Is the target inside a dialog (so the dialog does not cover it)? True when there is no target."""
    try:
        if await locator.count() == 0:
            return True  # nothing to cover: let the action report what is wrong
        return bool(await locator.evaluate("el => !!el.closest('[role=dialog],[role=alertdialog],[aria-modal=true]')"))
    except PlaywrightError:
        return True


async def close_modal(page: Page) -> bool:
    """``close_modal``: click each dialog's Close / No thanks / Dismiss button (or its cross), else press Escape."""
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


async def stop_loading(page: Page) -> None:
    """Abort a navigation still pending (a timed-out load), so the reload does not race it."""
    with contextlib.suppress(PlaywrightError):
        await page.evaluate("() => window.stop()")


async def reload(session: Session, url: str) -> bool:
    """``reload``: stop the pending load and GET ``url`` again (its status is kept on the session)."""
    await stop_loading(session.page)
    try:
        response = await session.page.goto(url, wait_until="domcontentloaded")
    except PlaywrightError:
        return False
    if response is not None:
        session.last_status = response.status
    return True


async def landed(session: Session, url: str, exc: BrowserflowError) -> bool:
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


_SUBMITLESS_FORM_JS = """() => {
  const forms = Array.from(document.forms).filter((f) => f.offsetParent !== null);
  if (!forms.length) return true;
  return forms.some((f) => f.querySelector('button:not([type=button]):not([type=reset]), input[type=submit], input[type=image]'));
}"""


async def has_submit_control(page: Page) -> bool:
    """No visible form lacks a submit control (True also when the page cannot be asked)."""
    try:
        return bool(await page.evaluate(_SUBMITLESS_FORM_JS))
    except PlaywrightError:
        return True


async def wait_for_submit_control(page: Page) -> bool:
    """``wait_for_element`` for a form's submit control: one wait for it to appear."""
    try:
        await page.wait_for_function(_SUBMITLESS_FORM_JS, timeout=WAIT_STEP_MS)
        return True
    except PlaywrightError:
        return False
