"""JavaScript dialogs on real Chromium: a ``confirm()`` is accepted only for an action approved as irreversible;
otherwise it is dismissed and the step fails with ``DialogRefused`` quoting it (no silent no-op)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from browserflow.browser import recovery
from browserflow.browser.pool import BrowserPool, Session
from browserflow.contracts import Action
from browserflow.errors import DialogRefused
from tests.security.hostile import Site, home

__all__ = ["home"]  # fixture

PAGE = """<title>Classes</title>
<a id=leave href="/left" onclick="return confirm('Withdraw Eden from the swim class?')">Withdraw</a>
<a id=notice href="/left" onclick="alert('Classes resume on Monday'); return true">Continue</a>"""


@pytest.fixture
async def session(pool: BrowserPool, home: Site) -> AsyncIterator[Session]:
    home.page("/", PAGE)
    home.page("/left", "<title>Done</title><h1>Done</h1>")
    opened = await pool.open("dialogs-unit", site=f"127.0.0.1:{home.port}")
    await recovery.navigate(opened, home.url("/"), ["127.0.0.1"])
    yield opened
    await pool.close(opened.id)


async def test_a_confirm_not_approved_is_dismissed_and_reported(session: Session, home: Site) -> None:
    click = Action(kind="click", selector="#leave", label="Withdraw")
    with pytest.raises(DialogRefused, match="Withdraw Eden from the swim class") as raised:
        await recovery.perform(session, [click], ["127.0.0.1"])
    assert "click 'Withdraw'" in raised.value.message
    assert getattr(raised.value, "index", None) == 0
    assert session.page.url == home.url("/")  # dismissed: the link did not run
    assert [h.path for h in home.hits] == ["/"]


async def test_a_confirm_of_an_irreversible_approved_action_is_accepted(session: Session, home: Site) -> None:
    click = Action(kind="click", selector="#leave", label="Withdraw", irreversible=True)
    await recovery.perform(session, [click], ["127.0.0.1"])
    assert session.page.url == home.url("/left")
    assert session.dialogs.seen[-1] == "confirm 'Withdraw Eden from the swim class?': accepted"


async def test_an_alert_is_acknowledged_and_the_action_goes_on(session: Session, home: Site) -> None:
    click = Action(kind="click", selector="#notice", label="Continue")
    await recovery.perform(session, [click], ["127.0.0.1"])
    assert session.page.url == home.url("/left")
    assert session.dialogs.seen[-1] == "alert 'Classes resume on Monday': accepted"
