"""Running a cached path's reversible prefix on a live page, verifying every step (see ``browserflow.replay``).

Verification, per step: each action's element is found (with the recovery table's patience for late
elements, modals and re-authentication, as for a live step), and the page *reacted*: its address, title,
structure, text or form state differ from before the step. The first step that fails either check ends the
replay; the page is handed back as it is, and live decisions continue from there.

Errors that are not about the path (the site is down or refuses us, a page timed out, a 429 or a 5xx) are
raised as they are: the activity's retry policy replays the prefix from the start, which is safe because
nothing in it is irreversible.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence

from playwright.async_api import Error as PlaywrightError

from browserflow.browser import recovery
from browserflow.browser.pool import Session
from browserflow.contracts import Action, ErrorInfo, PageSnapshot, RecoveryAttempt
from browserflow.errors import (
    ActionFailed,
    CacheMismatch,
    ElementNotFound,
    ElementNotInteractable,
    InvalidUrl,
    NavigationBlocked,
    PageError,
)
from browserflow.replay import ReplayInput, ReplayOutcome, ReplayStepResult, same_page
from browserflow.secrets import credentials_from

__all__ = ["PATH_MISMATCH", "page_mark", "replay"]

# failures that mean "the site no longer matches the path" (not "the site is unwell"): they end the replay
PATH_MISMATCH = (ElementNotFound, ElementNotInteractable, ActionFailed, NavigationBlocked, InvalidUrl)
ENTRY_TARGET_WAIT_MS = 2_000

# one round trip: a digest of what a step can change (address, title, structure, text, form state)
_MARK_JS = """() => {
  let h = 5381;
  const add = (s) => { s = String(s); for (let i = 0; i < s.length; i++) h = ((h * 33) ^ s.charCodeAt(i)) >>> 0; };
  add(location.href); add(document.title);
  add(document.getElementsByTagName("*").length);
  add(document.body ? document.body.innerText.length : 0);
  for (const el of document.querySelectorAll("input, select, textarea")) {
    add(el.type === "checkbox" || el.type === "radio" ? (el.checked ? "1" : "0") : el.value.length + ":" + el.value);
  }
  return location.href + "#" + h;
}"""

Snapshotter = Callable[[Session, Sequence[str]], Awaitable[PageSnapshot]]
Beat = Callable[[str], object]


async def page_mark(session: Session) -> str:
    """A digest of the page's state; equal before and after a step when the step changed nothing."""
    try:
        return str(await session.page.evaluate(_MARK_JS))
    except PlaywrightError:  # the page navigated mid-evaluate: it certainly reacted
        return f"navigating:{time.monotonic_ns()}"


def _attempts(session: Session, since: int) -> list[RecoveryAttempt]:
    return [RecoveryAttempt(**a.as_dict()) for a in session.recoveries[since:]]


async def _entry_ok(session: Session, inp: ReplayInput, beat: Beat) -> str:
    """Load the deep link (the last link); ``""`` when it answered and shows the next step's targets, else why not."""
    entry = inp.links[-1]
    beat(f"deep link to {entry}")
    try:
        await recovery.navigate(session, entry, inp.allowed_domains, heartbeat=beat)
    except PageError as exc:
        return f"{exc.type_name}: {exc.message}"
    if not same_page(session.page.url, entry):
        return f"it led to {session.page.url}"
    # the first target of the step that follows must be there; the step's own verification checks the rest
    action = inp.steps[len(inp.links)][0]
    target = recovery.page_target(session.page, action)
    if target is not None:
        try:
            await target.wait_for(state="attached", timeout=ENTRY_TARGET_WAIT_MS)
        except PlaywrightError:
            return f"'{action.label or action.selector}' is not on {entry}"
    return ""


async def _run_step(session: Session, actions: list[Action], inp: ReplayInput, beat: Beat) -> ErrorInfo | None:
    before = await page_mark(session)
    try:
        await recovery.perform(
            session,
            actions,
            inp.allowed_domains,
            heartbeat=beat,
            credentials=credentials_from(inp.credentials),
        )
    except PATH_MISMATCH as exc:
        return ErrorInfo(type=CacheMismatch.type_name, message=f"{exc.type_name}: {exc.message}", retryable=False)
    if await page_mark(session) == before:
        return ErrorInfo(type=CacheMismatch.type_name, message="the page did not react", retryable=False)
    return None


async def replay(session: Session, inp: ReplayInput, snapshot: Snapshotter, beat: Beat) -> ReplayOutcome:
    """Replay ``inp.steps`` on ``session`` (deep-linking when offered and it checks out); see the module doc.

    Raises the typed error of anything that is not a path mismatch.
    """
    results: list[ReplayStepResult] = []
    refused = ""
    first = 0
    if 0 < len(inp.links) < len(inp.steps):
        refused = await _entry_ok(session, inp, beat)
        if not refused:
            first = len(inp.links)
            pages = [inp.start_url, *inp.links]
            results = [
                ReplayStepResult(index=i, url=pages[i], url_after=pages[i + 1], deep_linked=True) for i in range(first)
            ]
    if first == 0:
        await recovery.navigate(session, inp.start_url, inp.allowed_domains, heartbeat=beat)
    for index in range(first, len(inp.steps)):
        beat(f"replaying step {index + 1}/{len(inp.steps)}")
        url, since, started = session.page.url, len(session.recoveries), time.perf_counter()
        error = await _run_step(session, inp.steps[index], inp, beat)
        results.append(
            ReplayStepResult(
                index=index,
                url=url,
                url_after=session.page.url,
                ok=error is None,
                error=error,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
                recoveries=_attempts(session, since),
            )
        )
        if error is not None:
            break
    page = await snapshot(session, inp.probe_selectors)
    try:
        state = dict(await session.context.storage_state())
    except PlaywrightError as exc:
        raise ActionFailed(f"could not read the session's storage state: {exc}") from None
    return ReplayOutcome(steps=results, deep_link_refused=refused, snapshot=page, storage_state=state)
