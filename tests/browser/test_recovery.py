"""The recovery table on real Chromium: late elements, modals, page timeouts, and the rows left to Temporal."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from browserflow.browser import recovery
from browserflow.browser.pool import BrowserPool, Session
from browserflow.contracts import Action
from browserflow.errors import AccessDenied, ElementNotFound, PageTimeout, RateLimited, ServerError, SiteDown
from browserflow.temporal.policies import PERMANENT, POLICIES
from demo import DemoSite


@pytest.fixture
async def session(pool: BrowserPool) -> AsyncIterator[Session]:
    opened = await pool.open("recovery-unit")
    yield opened
    await pool.close(opened.id)


CLICKED = "document.body.dataset.clicked"

LATE_BUTTON = f"""<div id=slot></div><script>
setTimeout(() => {{ const b = document.createElement('button'); b.id = 'go'; b.textContent = 'Go';
  b.onclick = () => {{ {CLICKED} = (Number({CLICKED} || 0) + 1).toString(); }};
  document.getElementById('slot').appendChild(b); }}, 700);
</script>"""

MODAL = f"""<button id=go onclick="{CLICKED} = (Number({CLICKED} || 0) + 1).toString()">Go</button>
<div role=dialog aria-modal=true id=promo
  style="position:fixed;inset:0;background:rgba(0,0,0,.6);display:flex;align-items:center;justify-content:center">
  <div style="background:#fff;padding:20px"><p>Subscribe!</p>
  <button type=button onclick="document.getElementById('promo').remove()">No thanks</button></div></div>"""

ESCAPE_MODAL = f"""<button id=go onclick="{CLICKED} = '1'">Go</button>
<div role=dialog id=promo style="position:fixed;inset:0;background:#000">Press Escape</div>
<script>document.addEventListener('keydown', (e) => {{
  if (e.key === 'Escape') document.getElementById('promo').remove(); }});</script>"""


def click(selector: str) -> Action:
    return Action(kind="click", selector=selector, label="Go")


def test_every_error_has_one_row_and_temporal_rows_match_the_policies() -> None:
    assert recovery.rule_for(ElementNotFound("x")).strategy == "wait_for_element"  # type: ignore[union-attr]
    assert recovery.rule_for(recovery.ModalBlocking("x")).strategy == "close_modal"  # type: ignore[union-attr]
    assert recovery.rule_for(PageTimeout("x")).strategy == "reload"  # type: ignore[union-attr]
    assert recovery.rule_for(recovery.LoginExpired("x")).strategy == "reauthenticate"  # type: ignore[union-attr]
    maxima = {r.strategy: r.max_attempts for r in recovery.RECOVERY_TABLE}
    assert (maxima["wait_for_element"], maxima["reload"], maxima["reauthenticate"]) == (3, 2, 1)
    # delegated rows: the act and navigate activities retry them (with backoff / the site's Retry-After)
    for error in (RateLimited("x"), ServerError("x")):
        rule = recovery.rule_for(error)
        assert rule is not None and rule.where == "temporal"
        assert error.type_name not in PERMANENT
        for name in ("act", "navigate"):
            assert POLICIES[name].retry.maximum_attempts > 1
            assert POLICIES[name].retry.backoff_coefficient > 1
    # terminal rows: never retried
    for terminal in (AccessDenied("x"), SiteDown("x")):
        rule = recovery.rule_for(terminal)
        assert rule is not None and rule.strategy == "terminal"
        assert not terminal.retryable


async def test_late_element_is_waited_for(session: Session) -> None:
    await session.page.set_content(LATE_BUTTON)
    attempts = await recovery.perform(session, [click("#go")], [])
    assert await session.page.evaluate(f"() => {CLICKED}") == "1"
    assert attempts and attempts[0].strategy == "wait_for_element" and attempts[-1].outcome == "recovered"
    assert session.recoveries[-len(attempts) :] == attempts


async def test_missing_element_gives_up_after_three_waits(session: Session) -> None:
    await session.page.set_content("<p>nothing to click</p>")
    with pytest.raises(ElementNotFound):
        await recovery.perform(session, [click("#go")], [])
    tried = session.recoveries[-3:]
    assert [(a.strategy, a.attempt, a.outcome) for a in tried] == [("wait_for_element", n, "failed") for n in (1, 2, 3)]


async def test_modal_is_closed_by_its_button_and_the_click_lands_once(session: Session) -> None:
    await session.page.set_content(MODAL)
    attempts = await recovery.perform(session, [click("#go")], [])
    assert await session.page.evaluate(f"() => {CLICKED}") == "1"
    assert await session.page.locator("[role=dialog]").count() == 0
    assert [(a.error_type, a.strategy, a.outcome) for a in attempts] == [("ModalBlocking", "close_modal", "recovered")]


async def test_modal_without_a_close_button_is_dismissed_with_escape(session: Session) -> None:
    await session.page.set_content(ESCAPE_MODAL)
    attempts = await recovery.perform(session, [click("#go")], [])
    assert await session.page.evaluate(f"() => {CLICKED}") == "1"
    assert attempts[0].strategy == "close_modal" and attempts[0].outcome == "recovered"


async def test_page_timeout_is_reloaded(pool: BrowserPool, site: DemoSite) -> None:
    site.faults.set(slow_ms=4000, slow_count=1)
    saved = pool.navigation_timeout_ms
    pool.navigation_timeout_ms = 1500
    opened = await pool.open("recovery-timeout")
    try:
        attempts = await recovery.navigate(opened, site.url("/"), ["127.0.0.1"])
        assert attempts and {(a.error_type, a.strategy) for a in attempts} == {("PageTimeout", "reload")}
        assert attempts[-1].outcome == "recovered"  # a loaded machine may need the second reload
        assert "Riverside" in await opened.page.title()
        assert site.faults.served["slow"] == 1
    finally:
        pool.navigation_timeout_ms = saved
        await pool.close(opened.id)


async def test_expired_login_signs_in_again_and_reaches_the_target(
    pool: BrowserPool, site: DemoSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSERFLOW_SECRET_UNIT_PASSWORD", site.password)
    site.faults.session_expires_after = 1
    credentials = {"username": site.username, "password": "env:BROWSERFLOW_SECRET_UNIT_PASSWORD"}
    opened = await pool.open("recovery-login")
    try:
        page = opened.page
        await recovery.navigate(opened, site.url("/login?next=/schedule"), ["127.0.0.1"])
        sign_in = [  # the session signs in itself: that page becomes the site's recorded login page
            Action(kind="fill", selector="#username", data_key="username", value=credentials["username"]),
            Action(kind="fill", selector="#password", data_key="password", value=credentials["password"]),
            Action(kind="click", selector="button[type=submit]", label="Sign in"),
        ]
        await recovery.perform(opened, sign_in, ["127.0.0.1"])
        await page.wait_for_url("**/schedule")
        assert opened.login_url.split("?")[0] == site.url("/login")
        account = Action(kind="click", selector="nav a[href='/account']", label="My account")
        attempts = await recovery.perform(opened, [account], ["127.0.0.1"], credentials=credentials)
        assert [(a.error_type, a.strategy, a.outcome) for a in attempts] == [
            ("LoginExpired", "reauthenticate", "recovered")
        ]
        assert page.url.endswith("/account")
        assert "Welcome back" in await page.inner_text("main")
        assert site.faults.served["session_expired"] == 1
    finally:
        await pool.close(opened.id)
