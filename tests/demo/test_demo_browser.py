"""The demo site in a real headless Chromium: labels work, and the browser-side faults behave as designed."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, async_playwright, expect
from playwright.async_api import TimeoutError as PlaywrightTimeout

from browserflow.browser.chromium import chromium_args
from demo import DemoSite
from tests.conftest import chromium_path


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(port=0) as s:
        yield s


@pytest.fixture
async def page(site: DemoSite) -> AsyncIterator[Page]:
    site.reset()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), args=chromium_args())
        try:
            context = await browser.new_context(viewport={"width": 1200, "height": 900})
            yield await context.new_page()
        finally:
            await browser.close()
    site.reset()


async def test_register_through_the_labels(site: DemoSite, page: Page) -> None:
    await page.goto(site.url("/schedule"))
    row = page.get_by_role("row").filter(has_text="Tuesday evening swim")
    await row.get_by_role("link", name="Register").click()
    await expect(page).to_have_url(site.url("/register?class=tue-evening-swim"))
    await page.get_by_label("Student name").fill("Eden Levi")
    await page.get_by_label("Email").fill("eden@example.com")
    await expect(page.get_by_label("Class")).to_have_value("tue-evening-swim")
    await page.get_by_role("group", name="Level").get_by_label("Beginner").check()
    await page.get_by_label("Date of birth").fill("2015-04-12")
    await page.get_by_label("I agree to the pool rules").check()
    await page.get_by_role("button", name="Register").click()
    await expect(page.get_by_role("heading", name="Registration confirmed")).to_be_visible()
    text = await page.inner_text("main")
    conf = re.search(r"[A-Z]{3}-\d{6}", text)
    assert conf and site.registrations[0].confirmation == conf.group(0)
    assert site.registrations[0].level == "beginner"


async def test_server_errors_are_shown_in_the_browser(site: DemoSite, page: Page) -> None:
    await page.goto(site.url("/register"))
    await page.get_by_label("Student name").fill("Eden Levi")
    await page.get_by_role("button", name="Register").click()  # novalidate: the server answers, not the browser
    await expect(page.get_by_role("alert")).to_contain_text("Please correct the errors below")
    await expect(page.get_by_label("Student name")).to_have_value("Eden Levi")
    assert site.registration_count() == 0


async def test_late_submit_button_appears_after_the_delay(site: DemoSite, page: Page) -> None:
    site.faults.late_element_ms = 2500
    await page.goto(site.url("/register"), wait_until="domcontentloaded")
    button = page.get_by_role("button", name="Register")
    assert await button.count() == 0
    await expect(button).to_be_visible(timeout=15_000)
    assert site.faults.served["late_element"] == 1


async def test_modal_intercepts_clicks_until_closed(site: DemoSite, page: Page) -> None:
    site.faults.modal = True
    await page.goto(site.url("/schedule"))
    dialog = page.get_by_role("dialog", name="Get 10% off — subscribe!")
    await expect(dialog).to_be_visible()
    register = page.get_by_role("link", name="Register").first
    with pytest.raises(PlaywrightTimeout):
        await register.click(timeout=1500)  # the overlay receives the pointer events
    await dialog.get_by_role("button", name="Close").click()
    await expect(dialog).to_have_count(0)
    await register.click()
    await expect(page).to_have_url(re.compile(r"/register\?class="))
    assert site.faults.served["modal"] == 2  # the schedule, then the registration page


async def test_down_is_a_connection_error_in_the_browser(site: DemoSite, page: Page) -> None:
    site.faults.down = True
    with pytest.raises(PlaywrightError, match=r"net::ERR_EMPTY_RESPONSE"):
        await page.goto(site.url("/"))
    # Chromium retries an empty response once, so one navigation meets the fault once or twice
    assert site.faults.served["down"] >= 1
    site.faults.down = False
    # Chromium commits its error page after goto() has failed, which can interrupt the next goto() on the same
    # page; a fresh page in the same context shows the site is back
    fresh = await page.context.new_page()
    response = await fresh.goto(site.url("/"))
    assert response is not None and response.status == 200


async def test_deny_is_a_403_in_the_browser(site: DemoSite, page: Page) -> None:
    site.faults.deny = True
    response = await page.goto(site.url("/"))
    assert response is not None and response.status == 403
    await expect(page.get_by_role("heading", name="Access denied")).to_be_visible()
    site.faults.deny = False
    response = await page.goto(site.url("/"))
    assert response is not None and response.status == 200
    assert site.faults.served["deny"] == 1
