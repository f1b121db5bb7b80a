"""A click must reach its element: a press redrawn away from under the pointer is given to the element; a click
that reached it (or its button, for an icon that takes no pointer events) is never pressed twice."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from browserflow.browser.actor import perform
from browserflow.browser.pool import BrowserPool, Session
from browserflow.contracts import Action

PAGE = """<!doctype html><html><body style="margin:0">
<div id="wheel" style="position:relative;width:200px;height:100px">
  <span id="item" style="position:absolute;left:10px;top:10px;width:60px;height:30px">Item</span>
</div>
<button id="count">Count</button> <button id="iconbtn"><i id="icon" style="pointer-events:none">*</i></button>
<p id="out"></p><p id="n">0</p><p id="m">0</p>
<script>
  // pressing the item redraws it (brought to the front: taken out and put back), so the press goes to its box
  const redraw = (e) => { const item = e.currentTarget; const box = item.parentNode; item.remove(); box.appendChild(item); };
  document.getElementById("item").addEventListener("pointerdown", redraw);
  document.getElementById("item").addEventListener("pointerup", redraw);
  document.getElementById("item").addEventListener("mouseup", () => {
    document.getElementById("out").textContent = "item pressed"; });
  document.getElementById("count").addEventListener("click", () => {
    const n = document.getElementById("n"); n.textContent = String(Number(n.textContent) + 1); });
  document.getElementById("iconbtn").addEventListener("click", () => {
    const m = document.getElementById("m"); m.textContent = String(Number(m.textContent) + 1); });
</script></body></html>"""


@pytest.fixture
async def session(pool: BrowserPool) -> AsyncIterator[Session]:
    opened = await pool.open("delivery-unit")
    yield opened
    await pool.close(opened.id)


async def test_a_press_that_went_elsewhere_as_its_element_was_redrawn_is_given_to_it(session: Session) -> None:
    await session.page.set_content(PAGE)
    await perform(session, [Action(kind="click", selector="#item", label="Item")], [])
    assert await session.page.text_content("#out") == "item pressed"


@pytest.mark.parametrize(("selector", "counter"), [("#count", "#n"), ("#icon", "#m")])
async def test_a_click_that_reached_its_element_is_not_pressed_twice(
    session: Session, selector: str, counter: str
) -> None:
    await session.page.set_content(PAGE)
    await perform(session, [Action(kind="click", selector=selector, label="x")], [])
    assert await session.page.text_content(counter) == "1"
