"""One masking for every screenshot: the reviewer's picture and the capture the secrets tests check are the
same function (``browserflow.browser.masking.masked_capture``), so what one test proves holds for both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from activities.review import ReviewActivities
from browserflow.browser import actor, masking
from browserflow.browser.pool import BrowserPool, Session
from browserflow.contracts import ScreenshotInput

pytestmark = pytest.mark.integration

SECRETS = {"pw": "hunter2-pool", "card_number": "4111111111111111", "csc": "737", "token": "tok-88-secret"}
FORM = """<!doctype html><title>Join</title><form>
<label>Name <input name=name value="Eden Levi"></label>
<label>Password <input type=password name=pw></label>
<label>Card number <input name=card_number></label>
<label>Security <input name=csc autocomplete=cc-csc></label>
<label>API <input name=token></label>
<button type=submit>Join</button></form>"""


@pytest.fixture
async def session(pool: BrowserPool) -> AsyncIterator[Session]:
    opened = await pool.open("masking-unit")
    await opened.page.set_content(FORM)
    for name, value in SECRETS.items():
        await opened.page.fill(f"[name={name}]", value)
    yield opened
    await pool.close(opened.id)


async def test_the_reviewer_screenshot_is_the_masked_capture(pool: BrowserPool, session: Session, tmp_path: Path) -> None:
    assert actor.masked_capture is masking.masked_capture  # the old name is the one function
    shot, aria = await masking.masked_capture(session.page)
    review = await ReviewActivities(pool, tmp_path).screenshot(
        ScreenshotInput(session_id=session.id, task_id="masking", name="review")
    )
    assert Path(review.path).read_bytes() == shot
    page = session.page
    every = page.locator("[name=pw], [name=card_number], [name=csc], [name=token]")
    assert shot == await page.screenshot(mask=[every], mask_color=masking.MASK_COLOR)
    assert shot != await page.screenshot(mask=[page.locator("[name=pw]")], mask_color=masking.MASK_COLOR)
    assert "Eden Levi" in aria
    for value in SECRETS.values():
        assert value not in aria, aria


async def test_a_secret_the_session_typed_is_redacted_wherever_it_shows(session: Session) -> None:
    await session.page.fill("[name=name]", "Eden sekret-42")  # a clear field holding a value the session typed
    _, clear = await masking.masked_capture(session.page)
    _, aria = await masking.masked_capture(session.page, {"sekret-42"})
    assert "sekret-42" in clear  # not a sensitive field: only the session's typed secrets redact it
    assert "sekret-42" not in aria and f"Eden {masking.MASK}" in aria
