"""A guarded click in a real page: the browser waits for the number to satisfy the condition and clicks in the
same moment, or raises ``ConditionNotMet`` without clicking."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from browserflow.browser import recovery
from browserflow.browser.pool import BrowserPool, Session
from browserflow.contracts import Action
from browserflow.errors import ConditionNotMet
from browserflow.plan.model import Condition, Guard


@pytest.fixture
async def session(pool: BrowserPool) -> AsyncIterator[Session]:
    opened = await pool.open("guarded-unit")
    yield opened
    await pool.close(opened.id)


def ticker(start: float, step: float) -> str:
    """A price that moves by ``step`` every 30 ms; Buy records the price shown when it was clicked."""
    return f"""<label>Price:</label> <span id=price>${start:.2f}</span>
<button id=buy onclick="document.body.dataset.bought = (document.body.dataset.bought || '') +
  document.getElementById('price').textContent + ';'">Buy</button>
<script>let p = {start}; setInterval(() => {{ p = Math.round((p + {step}) * 100) / 100;
  document.getElementById('price').textContent = '$' + p.toFixed(2); }}, 30);</script>"""


def guarded(op: str, number: str, seconds: str) -> list[Action]:
    g = Guard(condition=Condition(subject="price", op=op, number=number), selector="#price")
    return [Action(kind="wait", value=seconds, guard=g, intent=0),
            Action(kind="click", selector="#buy", label="Buy", irreversible=True, guard=g, intent=0)]


async def bought(session: Session) -> list[str]:
    raw = await session.page.evaluate("() => document.body.dataset.bought || ''")
    return [x for x in str(raw).split(";") if x]


async def test_the_click_lands_once_when_the_price_drops_below_the_limit(session: Session) -> None:
    await session.page.set_content(ticker(10.0, -0.25))
    await recovery.perform(session, guarded("lt", "9.00", "3"), [])
    got = await bought(session)
    assert len(got) == 1 and float(got[0].lstrip("$")) < 9.0  # the price at the very moment of the click


async def test_no_click_when_the_condition_never_holds_in_time(session: Session) -> None:
    await session.page.set_content(ticker(10.0, 0.25))
    with pytest.raises(ConditionNotMet) as raised:
        await recovery.perform(session, guarded("lt", "9.00", "0.3"), [])
    assert raised.value.index == 0 and "price < 9.00" in raised.value.message
    assert await bought(session) == []


async def test_a_guarded_click_on_its_own_checks_the_condition_now(session: Session) -> None:
    await session.page.set_content(ticker(10.0, 0.0))
    with pytest.raises(ConditionNotMet):
        await recovery.perform(session, guarded("lt", "9.00", "1")[1:], [])
    assert await bought(session) == []
    await recovery.perform(session, guarded("ge", "10", "1")[1:], [])
    assert await bought(session) == ["$10.00"]


async def test_a_disabled_control_is_not_pressed_even_when_the_condition_holds(session: Session) -> None:
    await session.page.set_content(ticker(8.0, 0.0).replace("<button id=buy", "<button id=buy disabled"))
    with pytest.raises(ConditionNotMet):
        await recovery.perform(session, guarded("lt", "9.00", "0.3"), [])
    assert await bought(session) == []


async def test_a_guarded_wait_on_its_own_waits_for_the_condition_and_clicks_nothing(session: Session) -> None:
    await session.page.set_content(ticker(10.0, -0.25))
    await recovery.perform(session, guarded("lt", "9.00", "3")[:1], [])
    shown = await session.page.evaluate("() => document.getElementById('price').textContent")
    assert float(str(shown).lstrip("$")) < 9.5 and await bought(session) == []
