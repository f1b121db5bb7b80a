"""A click that must reach its element: when the pointer's press lands elsewhere (the element was redrawn under
the pointer as it arrived: a menu entry brought to the front on hover), the press is given to the element
itself, as the same mouse events at its centre.

``arm`` listens (capture phase, on the element's window) for the press events of the next click; ``missed``
says whether none of them reached the element (the element, one of its descendants, or an ancestor when the
element itself takes no pointer events: an icon inside its button); ``deliver`` sends the press to the element.
A page that navigated away or closed answers nothing: no second press then.
"""

from __future__ import annotations

from playwright.async_api import ElementHandle, Locator
from playwright.async_api import Error as PlaywrightError

__all__ = ["click_reaching"]

_ARM_JS = r"""el => {
  const hit = { n: 0 };
  const on = (e) => {
    const path = e.composedPath ? e.composedPath() : [];
    const around = e.target && e.target.contains && e.target.contains(el) && getComputedStyle(el).pointerEvents === "none";
    if (path.includes(el) || around) hit.n += 1;
  };
  const kinds = ["mousedown", "mouseup", "click"];  // not pointer events: they may reach it and the press not
  const win = el.ownerDocument.defaultView;
  for (const k of kinds) win.addEventListener(k, on, true);
  el.__bfPress = { hit, off: () => { for (const k of kinds) win.removeEventListener(k, on, true); } };
}"""

_MISSED_JS = r"""el => {
  const press = el.__bfPress;
  if (!press) return false;
  press.off();
  delete el.__bfPress;
  return press.hit.n === 0 && el.isConnected;
}"""

_DELIVER_JS = r"""el => {
  const r = el.getBoundingClientRect();
  const at = { bubbles: true, cancelable: true, composed: true, view: el.ownerDocument.defaultView,
               clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, button: 0 };
  el.dispatchEvent(new MouseEvent("mousedown", { ...at, buttons: 1 }));
  el.dispatchEvent(new MouseEvent("mouseup", at));
  el.dispatchEvent(new MouseEvent("click", at));
}"""


async def _handle(locator: Locator) -> ElementHandle | None:
    try:
        return await locator.element_handle(timeout=2000)
    except PlaywrightError:
        return None


async def click_reaching(locator: Locator) -> bool:
    """Click ``locator``; when the press reached something else, press the element itself. True when the
    press had to be delivered to the element."""
    handle = await _handle(locator)
    armed = False
    if handle is not None:
        try:
            await handle.evaluate(_ARM_JS)
            armed = True
        except PlaywrightError:
            armed = False
    await locator.click()
    if not armed or handle is None:
        return False
    try:
        if not await handle.evaluate(_MISSED_JS):
            return False
        await handle.evaluate(_DELIVER_JS)
    except PlaywrightError:
        return False  # the page moved on (a navigation): the click did reach something that acted
    return True
