"""Executing actions on a live page through Playwright locators, and classifying what goes wrong.

Every failure becomes one of the typed errors of ``browserflow.errors``; the activity layer turns those
into Temporal ``ApplicationError``s and the retry table decides what happens next.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page
from playwright.async_api import TimeoutError as PlaywrightTimeout

from browserflow import secrets
from browserflow.browser import hosts
from browserflow.browser.delivery import click_reaching
from browserflow.browser.masking import masked_capture, sensitive_fields  # re-exported: one masking for every shot
from browserflow.browser.pool import Session
from browserflow.contracts import Action
from browserflow.errors import (
    AccessDenied,
    ActionFailed,
    BrowserflowError,
    ConditionNotMet,
    ElementNotFound,
    ElementNotInteractable,
    InvalidUrl,
    PageTimeout,
    RateLimited,
    ServerError,
    SiteDown,
)
from browserflow.plan.comparison import Guard

__all__ = [
    "check_url_allowed",
    "classify_action_error",
    "classify_navigation_error",
    "click_after_pause",
    "click_when",
    "masked_capture",
    "navigate",
    "perform",
    "perform_one",
    "quiet_dom",
    "raise_for_status",
    "report_progress",
    "sensitive_fields",
]

_DOWN = re.compile(
    r"ERR_(CONNECTION_(REFUSED|RESET|CLOSED|FAILED|TIMED_OUT)|NAME_NOT_RESOLVED|ADDRESS_UNREACHABLE|"
    r"EMPTY_RESPONSE|INTERNET_DISCONNECTED|NAME_RESOLUTION_FAILED|SOCKET_NOT_CONNECTED)"
)
_INVALID = re.compile(r"(invalid url|ERR_INVALID_URL|ERR_UNKNOWN_URL_SCHEME|Protocol error.*Cannot navigate)", re.I)


def check_url_allowed(url: str, allowed_domains: Sequence[str], site: str = "") -> None:
    """Raise unless ``url`` is http(s) and its host is allowed (``confine.HostPolicy``: one of, or under,
    ``allowed_domains``, or the task's own ``site``; internal addresses only when named)."""
    hosts.HostPolicy.of(allowed_domains, site).check(url)


def classify_navigation_error(url: str, exc: Exception) -> BrowserflowError:
    text = str(exc)
    if isinstance(exc, PlaywrightTimeout):
        return PageTimeout(f"loading {url} timed out")
    if _DOWN.search(text):
        code = _DOWN.search(text)
        return SiteDown(f"{urlsplit(url).netloc} cannot be reached ({code.group(0) if code else 'network error'})")
    if _INVALID.search(text):
        return InvalidUrl(f"cannot open {url!r}: not a valid URL")
    return ActionFailed(f"navigation to {url} failed: {text.splitlines()[0][:200]}")


def raise_for_status(url: str, status: int | None, retry_after: str | None = None) -> None:
    """Turn an HTTP status of a page load into the matching typed error (or nothing)."""
    if status is None or status < 400:
        return
    if status in (401, 403):
        raise AccessDenied(f"{url} answered HTTP {status}")
    if status == 429:
        delay: float | None = None
        if retry_after and retry_after.strip().isdigit():
            delay = float(retry_after.strip())
        raise RateLimited(f"{url} answered HTTP 429 (rate limited)", retry_after=delay)
    if status >= 500:
        raise ServerError(f"{url} answered HTTP {status}")


async def navigate(session: Session, url: str, allowed_domains: Sequence[str]) -> None:
    session.guard.confine(allowed_domains)
    session.guard.check(url)
    try:
        response = await session.page.goto(url, wait_until="domcontentloaded")
    except PlaywrightError as exc:
        session.guard.raise_blocked()  # a redirect of this load went to a refused host
        raise classify_navigation_error(url, exc) from None
    session.guard.raise_blocked()
    if response is not None:
        session.last_status = response.status
        raise_for_status(url, response.status, await response.header_value("retry-after"))


_LINK_TARGET_JS = r"""el => {
  const raw = el.getAttribute("href");
  const href = raw && !raw.startsWith("#") && !raw.toLowerCase().startsWith("javascript:") ? el.href : null;
  // an icon drawn by CSS (no text of its own) may change its picture under the pointer: point first
  const style = getComputedStyle(el);
  const icon = !el.textContent.trim() && /url\(/.test(style.content + " " + style.backgroundImage);
  return [href, icon];
}"""


async def _locate(page: Page, action: Action) -> Locator:
    if action.ref:
        by_ref = page.locator(f'[data-bf-ref="{action.ref}"]')
        if await by_ref.count() == 1:
            return by_ref
    if action.selector:
        by_selector = page.locator(action.selector)
        count = await by_selector.count()
        if count >= 1:
            return by_selector.first
    raise ElementNotFound(f"'{action.label or action.selector or action.ref}' is not on the page")


MAX_WAIT_SECONDS = 30.0
_SCROLL_JS = """(box, where) => {
  box.scrollTop = where === "top" ? 0 : box.scrollHeight;
  box.dispatchEvent(new Event("scroll", { bubbles: false }));
}"""
_SCROLL_PAGE_JS = """(where) => window.scrollTo(0, where === "top" ? 0 : document.documentElement.scrollHeight)"""
QUIET_MS = 120
HOVER_QUIET_MS = 400
"""After pointing at an element: menus open a submenu after a delay (jQuery UI 300 ms, most under 400)."""
QUIET_MAX_SECONDS = 1.5

_QUIET_JS = """(quiet) => new Promise((resolve) => {
  const done = () => { obs.disconnect(); resolve(true); };
  let timer = setTimeout(done, quiet);
  const obs = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, quiet); });
  obs.observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
})"""


_CLICK_AFTER_JS = """(el, ms) => new Promise((resolve) => setTimeout(() => { el.click(); resolve(true); }, ms))"""


def pause_seconds(value: str | None) -> float:
    """The pause a ``wait`` action asks for, in seconds, within 0..MAX_WAIT_SECONDS."""
    return min(max(float(value or 0), 0.0), MAX_WAIT_SECONDS)


async def click_after_pause(session: Session, action: Action, pause: Action) -> None:
    """Wait ``pause`` in the page, then click ``action``'s element there (located before the pause)."""
    locator = await _locate(session.page, action)
    try:
        await locator.evaluate(_CLICK_AFTER_JS, int(pause_seconds(pause.value) * 1000))
    except PlaywrightError as exc:
        raise classify_action_error(action, exc) from None


# a guarded click: wait in the page until the element showing the number satisfies the condition, then click in
# the same tick (no page script can change the number in between); never clicks when it does not hold in time
_CLICK_WHEN_JS = r"""(el, [source, op, number, ms, click]) => new Promise((resolve) => {
  const NUM = /^\s*[-+]?\s*[$\u20ac\u00a3\u00a5]?\s*[-+]?\d[\d,]*(?:\.\d+)?\s*%?\s*$/;
  const read = () => {
    const box = document.querySelector(source);
    const text = box ? (box.innerText || box.textContent || box.value || "") : "";
    if (!NUM.test(text)) return null;
    const v = parseFloat(text.replace(/[\s,$\u20ac\u00a3\u00a5%]/g, ""));
    return Number.isFinite(v) ? v : null;
  };
  const holds = (v) => {
    if (v === null) return false;
    if (op === "odd" || op === "even") return Number.isInteger(v) && (Math.abs(v % 2) === 1) === (op === "odd");
    return { lt: v < number, le: v <= number, gt: v > number, ge: v >= number, eq: v === number,
             ne: v !== number }[op] === true;
  };
  const start = performance.now();
  const tick = () => {
    const v = read();
    // a disabled control is not pressed: a click on it would do nothing and look done
    if (holds(v) && !(click && el.disabled)) { if (click) el.click(); resolve([true, String(v)]); return; }
    if (performance.now() - start >= ms) {
      resolve([false, v === null ? "" : String(v) + (holds(v) && el.disabled ? ", the control disabled" : "")]);
      return;
    }
    setTimeout(tick, 15);
  };
  tick();
})"""


def _watch_args(guard: Guard, seconds: str | None, *, click: bool) -> list[Any]:
    """``_CLICK_WHEN_JS``'s arguments: the element showing the number, the comparison, how long to watch."""
    cond = guard.condition
    number = float(cond.number) if cond.number is not None else None
    return [guard.selector, cond.op, number, int(pause_seconds(seconds) * 1000), click]


async def click_when(session: Session, action: Action, wait: Action) -> None:
    """Wait up to ``wait``'s seconds in the page for ``action``'s guard to hold, then click at once; raise
    ``ConditionNotMet`` (nothing clicked) when it did not hold in time."""
    guard = action.guard or wait.guard
    if guard is None:
        raise ActionFailed(f"'{action.label}' has no condition to wait for")
    locator = await _locate(session.page, action)
    href, _ = await locator.evaluate(_LINK_TARGET_JS)
    if href:
        session.guard.check(href)
    cond = guard.condition
    try:
        clicked, seen = await locator.evaluate(_CLICK_WHEN_JS, _watch_args(guard, wait.value, click=True))
    except PlaywrightError as exc:
        raise classify_action_error(action, exc) from None
    if not clicked:
        shown = f" (it shows {seen})" if seen else " (no number shown)"
        raise ConditionNotMet(f"{cond.describe()} did not hold within {pause_seconds(wait.value):g} s{shown}")


async def quiet_dom(page: Page, quiet_ms: int = QUIET_MS, max_seconds: float = QUIET_MAX_SECONDS) -> None:
    """Wait until the page stops changing (no DOM mutation for ``quiet_ms``), at most ``max_seconds``: after
    a click that opens a tab, a section or a calendar month, whose content animates in."""
    try:
        await asyncio.wait_for(page.evaluate(_QUIET_JS, quiet_ms), timeout=max_seconds)
    except (TimeoutError, PlaywrightError):
        return


_SUGGESTS_JS = """el => el.type !== "password" && (el.getAttribute("role") === "combobox" || el.hasAttribute("list")
  || el.hasAttribute("aria-autocomplete") || (el.getAttribute("autocomplete") || "").toLowerCase() === "off")"""

_TOGGLE_OPTION_JS = """(el, [wanted, on]) => {
  const opt = Array.from(el.options || []).find((o) => o.value === wanted);
  if (!opt) throw new Error("no option " + JSON.stringify(wanted));
  opt.selected = on;
  el.dispatchEvent(new Event("input", { bubbles: true }));
  el.dispatchEvent(new Event("change", { bubbles: true }));
}"""

_RADIO_CHOICE_JS = """(el, wanted) => {
  const norm = (s) => (s || "").toLowerCase().replace(/\\s+/g, " ").trim();
  if (el.type !== "radio" || !el.name) return null;
  const group = Array.from(document.querySelectorAll('input[type=radio]'))
    .filter((r) => r.name === el.name && r.form === el.form);
  const label = (r) => norm((r.labels && r.labels[0] && r.labels[0].innerText) || r.getAttribute("aria-label"));
  const hit = group.find((r) => norm(r.value) === norm(wanted)) || group.find((r) => label(r) === norm(wanted));
  return hit ? group.indexOf(hit) : null;
}"""


async def _radio_choice(page: Page, locator: Locator, value: str) -> Locator:
    """The radio of ``locator``'s group whose value or label is ``value`` (else ``locator`` itself)."""
    index = await locator.evaluate(_RADIO_CHOICE_JS, value)
    if index is None:
        return locator
    name = await locator.get_attribute("name")
    return page.locator(f'input[type=radio][name="{name}"]').nth(int(index))


def classify_action_error(action: Action, exc: Exception) -> BrowserflowError:
    target = action.label or action.selector or action.ref or "element"
    text = str(exc)
    if "intercepts pointer events" in text or "not visible" in text or "not enabled" in text:
        return ElementNotInteractable(f"'{target}' is covered, hidden or disabled")
    if isinstance(exc, PlaywrightTimeout):
        return ElementNotInteractable(f"'{target}' did not become actionable in time")
    if _DOWN.search(text):
        return SiteDown("the site stopped answering during the action")
    return ActionFailed(
        f"{action.kind} '{target}' failed: {text.splitlines()[0][:200] if text else type(exc).__name__}"
    )


async def perform_one(session: Session, action: Action, allowed_domains: Sequence[str]) -> None:
    """One action; a ``confirm()`` it raises is answered by ``browserflow.browser.dialogs``' policy (accepted
    only for an irreversible, i.e. gated and reviewed, action; else ``DialogRefused`` quoting it)."""
    session.dialogs.acting = action
    try:
        await _perform_action(session, action, allowed_domains)
    finally:
        session.dialogs.acting = None
    session.dialogs.raise_refused()


async def _perform_action(session: Session, action: Action, allowed_domains: Sequence[str]) -> None:
    page = session.page
    if action.kind == "navigate":
        await navigate(session, action.value or "", allowed_domains)
        return
    if action.kind == "click" and action.guard is not None:  # on its own: the condition must hold right now
        await click_when(session, action, Action(kind="wait", value="0"))
        return
    if action.kind == "wait" and action.guard is not None:  # on its own: until the condition holds (or the time)
        await page.locator("body").evaluate(_CLICK_WHEN_JS, _watch_args(action.guard, action.value, click=False))
        return
    if action.kind == "wait":  # the goal asked for a pause ("wait 2 seconds"); capped
        await asyncio.sleep(pause_seconds(action.value))
        return
    if action.kind == "scroll" and not action.selector:
        await page.evaluate(_SCROLL_PAGE_JS, action.value or "bottom")
        return
    locator = await _locate(page, action)
    if action.kind in {"fill", "select", "check", "uncheck"} and not await locator.is_enabled():
        # disabled now (a popup that appeared after the snapshot, say): fail at once, not after the timeout
        raise ElementNotInteractable(f"'{action.label or action.selector}' is disabled")
    # a resolved secret, or a clear value under a sensitive key, is remembered: scrubbed from the kept trace
    seen = session.secret_values
    value = secrets.resolve(action.value, key=action.data_key, seen=seen) if action.value is not None else None
    if action.kind == "click":
        # one round trip: where a link would go, if anywhere, and whether the target is a CSS-drawn icon
        href, icon = await locator.evaluate(_LINK_TARGET_JS)
        if href:
            session.guard.check(href)
        if icon:  # its picture may change under the pointer (a hover image): let it settle before pressing
            await locator.hover()
        await click_reaching(locator)  # a press redrawn away from under the pointer is given to the element
    elif action.kind == "fill":
        await locator.fill(value or "")
        if await locator.evaluate(_SUGGESTS_JS):  # a type-ahead field: let its suggestions appear
            await quiet_dom(page, quiet_ms=HOVER_QUIET_MS)
    elif action.kind == "select":
        await locator.select_option(value or "")
    elif action.kind in {"select_add", "select_remove"}:
        # one option of a multi-select on or off, the others left as they are
        await locator.evaluate(_TOGGLE_OPTION_JS, [value or "", action.kind == "select_add"])
    elif action.kind == "check":
        if action.data_key and value:  # a data-bound choice (cached path): pick the radio matching the data
            locator = await _radio_choice(page, locator, value)
        await locator.check()
    elif action.kind == "uncheck":
        await locator.uncheck()
    elif action.kind == "press":
        await locator.press(value or "Enter")
    elif action.kind == "scroll":  # a box scrolled to its end (a disabled one too: no pointer needed)
        await locator.evaluate(_SCROLL_JS, action.value or "bottom")
    elif action.kind == "hover":
        await locator.hover()
        # a menu opens its submenu a moment after the pointer arrives: wait for the page to settle on that
        await quiet_dom(page, quiet_ms=HOVER_QUIET_MS)


async def report_progress(on_progress: Callable[[int], Awaitable[None] | None] | None, done: int) -> None:
    """Tell ``on_progress`` (sync or async) how many actions have run."""
    if on_progress is not None:
        maybe = on_progress(done)
        if maybe is not None:
            await maybe


async def perform(
    session: Session,
    actions: Sequence[Action],
    allowed_domains: Sequence[str],
    on_progress: Callable[[int], Awaitable[None] | None] | None = None,
) -> None:
    """Run ``actions`` in order. Raises the typed error of the first failure with ``.index`` set on it."""
    session.guard.confine(allowed_domains)
    for index, action in enumerate(actions):
        try:
            await perform_one(session, action, allowed_domains)
        except BrowserflowError as exc:
            exc.index = index
            raise
        except PlaywrightError as exc:
            error = classify_action_error(action, exc)
            error.index = index
            raise error from None
        await report_progress(on_progress, index + 1)
    if actions:
        try:
            await session.page.wait_for_load_state("domcontentloaded")
        except PlaywrightError as exc:
            session.guard.raise_blocked()
            raise classify_navigation_error(session.page.url, exc) from None
        session.guard.raise_blocked()
        raise_for_status(session.page.url, session.last_status)


# fields whose value is a secret: password boxes, and fields whose name, id, label or autocomplete says so
