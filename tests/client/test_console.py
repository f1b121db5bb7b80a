"""The review console in real Chromium against a real stack: the Temporal dev server, a worker on the demo site,
the console served by uvicorn in this process. A task that needs review appears with its screenshot; approve
in the browser completes it, reject ends it ``rejected``; a verb the engine refuses shows the refusal; the
task page shows the plan and step log and cancels; no credential and a forged form are refused."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright, expect

from browserflow.config import Settings, project_root
from browserflow.contracts import TaskStatus
from client.console import Access, make_app
from client.console.users import hash_password, load_users
from client.sdk import BrowserTasks, TaskHandle
from demo import DemoSite
from tests.conftest import Engine, chromium_path, eventually
from tests.workflows.test_review import stuck_for_instructions, wait_for_review
from tests.workflows.test_task import demo_request

pytestmark = pytest.mark.integration

TOKEN = "console-reviewer-token"
VIEWER = "console-viewer-token"
SETTINGS = Settings(temporal_namespace="default")
USER_PASSWORD = "omer-looks-only-4"
SECRET_VALUES = ("Eden Levi", "eden@example.com", "2015-04-12")  # task data: never in the console's HTML


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # pytest keeps its own signal handlers
        yield


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
async def console(engine: Engine) -> AsyncIterator[str]:
    async def tasks() -> BrowserTasks:
        return engine.tasks

    port = free_port()
    server = _Server(
        uvicorn.Config(
            make_app(tasks, Access(TOKEN, VIEWER), poll_seconds=0.5, settings=SETTINGS),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    serving = asyncio.create_task(server.serve())
    await eventually(lambda: server.started, what="the console to listen")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await serving


@pytest.fixture(scope="module")
async def user_console(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A second console whose people sign in by name and password (a users file), no token."""
    users = tmp_path_factory.mktemp("console-users") / "users.toml"
    users.write_text(f'[[users]]\nname = "omer"\nrole = "viewer"\npassword = "{hash_password(USER_PASSWORD)}"\n')

    async def tasks() -> BrowserTasks:
        return engine.tasks

    port = free_port()
    app = make_app(tasks, Access(None, None, load_users(users)), poll_seconds=0.5, settings=SETTINGS)
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    await eventually(lambda: server.started, what="the users console to listen")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await serving


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=chromium_path())
        yield launched
        await launched.close()


async def sign_in(browser: Browser, console: str, path: str = "/reviews", token: str = TOKEN) -> Page:
    """A new browser context signed in through the console's own refusal page and login form."""
    context = await browser.new_context(viewport={"width": 1280, "height": 1000})
    page = await context.new_page()
    refused = await page.goto(f"{console}{path}")
    assert refused is not None and refused.status == 401
    await page.get_by_role("link", name="Sign in with the reviewer token").click()
    await page.get_by_label("Reviewer token").fill(token)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(f"{console}{path}")
    return page


async def under_review(engine: Engine, site: DemoSite) -> TaskHandle:
    """A demo task waiting at its irreversible Register click, listed among the pending reviews."""
    handle = await engine.tasks.submit(demo_request(site, review_policy="before_irreversible", use_cache=False))
    await wait_for_review(handle, "before_irreversible")

    async def listed() -> bool:  # the list is read from Temporal's visibility store, which follows shortly
        return handle.id in [row.task_id for row in await engine.tasks.list(status=TaskStatus.NEEDS_REVIEW.value)]

    await eventually(listed, what=f"{handle.id} among the pending reviews")
    return handle


async def test_a_review_shows_its_screenshot_and_approve_completes_the_task(
    engine: Engine, site: DemoSite, console: str, browser: Browser
) -> None:
    handle = await under_review(engine, site)
    review = await handle.pending_review()
    assert review is not None and Path(review.screenshot).is_file()
    page = await sign_in(browser, console)

    row = page.locator(f'article[data-task="{handle.id}"]')
    await expect(row.locator(".reason")).to_have_text("before_irreversible")
    await expect(row.locator(".goal")).to_contain_text("Register Eden for the Tuesday evening swim class")
    await expect(row.locator(".url")).to_contain_text("/register?class=tue-evening-swim")
    await expect(row.locator(".step")).to_have_text(str(review.step))
    await expect(row.locator(".proposed li.irreversible")).to_contain_text("Register")
    width = await row.locator("img.shot").evaluate(
        "img => img.complete ? img.naturalWidth : new Promise(done => { img.onload = () => done(img.naturalWidth) })"
    )
    assert width > 100
    shot = await page.request.get(f"{console}/reviews/{handle.id}/screenshot")
    assert shot.status == 200 and shot.headers["content-type"] == "image/png"
    assert (await shot.body()).startswith(b"\x89PNG") and await shot.body() == Path(review.screenshot).read_bytes()
    html = await page.content()
    assert review.screenshot not in html and str(Path(review.screenshot).parent) not in html  # no disk path
    for value in SECRET_VALUES:
        assert value not in html
    docs = project_root() / "docs"
    docs.mkdir(exist_ok=True)
    await page.screenshot(path=str(docs / "console-reviews.png"), full_page=True)

    await row.get_by_role("button", name="Approve").click()
    await expect(page.locator('[data-notice="done"]')).to_contain_text(f"{handle.id}: approved")
    await expect(page.locator(f'article[data-task="{handle.id}"]')).to_have_count(0)
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert site.registration_count() == 1

    await page.goto(f"{console}/tasks/{handle.id}")
    await expect(page.locator(".status")).to_have_text("succeeded")
    plan = (await handle.status()).plan
    assert plan
    await expect(page.locator("ul.plan li")).to_have_text(plan)
    assert await page.locator("table.steps tbody tr").count() == len((await handle.steps()).steps) >= 1
    await expect(page.get_by_role("button", name="Cancel task")).to_have_count(0)  # an ended task
    link = page.get_by_role("link", name="This run in the Temporal Web UI")
    await expect(link).to_have_attribute("href", f"{SETTINGS.web_ui_url}/namespaces/default/workflows/{handle.id}")
    cost = await engine.tasks.cost(handle.id)
    costs = page.locator("table.costs")
    for tier in cost.by_tier:
        await expect(costs.locator(f'tr[data-tier="{tier}"]')).to_have_count(1)
    await expect(costs.locator("tr.total td")).to_have_text(f"{cost.total_usd:.4f}")
    await expect(page.locator("table.steps td.recoveries").first).to_have_text("none")  # no fault: none
    thumb = page.locator(f'tr[data-step="{review.step + 1}"] img.thumb')  # the review's screenshot, small, at the
    # step that acted on the page it shows
    await expect(thumb).to_have_attribute("src", f"/tasks/{handle.id}/files/{Path(review.screenshot).name}")
    width = await thumb.evaluate(
        "img => img.complete ? img.naturalWidth : new Promise(done => { img.onload = () => done(img.naturalWidth) })"
    )
    assert width > 100
    await expect(page.locator(".no-trace")).to_contain_text("No trace kept")  # succeeded: BROWSERFLOW_TRACE=failed
    html = await page.content()
    for value in SECRET_VALUES:
        assert value not in html
    assert str(Path(review.screenshot).parent) not in html  # no disk path
    await page.screenshot(path=str(docs / "console-task.png"), full_page=True)

    async def closed() -> bool:  # the status search attribute reaches visibility shortly after the end
        return handle.id in [row.task_id for row in await engine.tasks.list(status=TaskStatus.SUCCEEDED.value)]

    await eventually(closed, what=f"{handle.id} listed as succeeded")
    await page.get_by_role("link", name="Tasks").click()
    await page.get_by_label("Status").select_option("succeeded")
    await page.get_by_label("Text").fill(handle.id[-12:])
    await page.get_by_role("button", name="Filter").click()
    found = page.locator(f'table.tasks tr[data-task="{handle.id}"]')
    await expect(found.locator(".status")).to_have_text("succeeded")
    await expect(page.locator("table.tasks tbody tr")).to_have_count(1)  # the text narrowed it to this task
    await page.goto(f"{console}/tasks?status=needs_review")
    await expect(found).to_have_count(0)
    await page.context.close()


async def test_reject_with_a_reason_ends_the_task_rejected(
    engine: Engine, site: DemoSite, console: str, browser: Browser
) -> None:
    handle = await under_review(engine, site)
    page = await sign_in(browser, console)
    row = page.locator(f'article[data-task="{handle.id}"]')
    await row.get_by_label("rejection reason").fill("wrong class for Eden")
    await row.get_by_role("button", name="Reject").click()
    await expect(page.locator('[data-notice="done"]')).to_contain_text(f"{handle.id}: rejected")
    result = await handle.result()
    assert result.status == TaskStatus.REJECTED, result.reason
    assert site.registration_count() == 0

    # a task that did not succeed keeps its (scrubbed) Playwright trace: the task page offers it
    await page.goto(f"{console}/tasks/{handle.id}")
    download = page.locator("ul.traces a")
    await expect(download).to_have_count(1)
    await expect(page.locator("ul.traces code")).to_contain_text("playwright show-trace")
    href = await download.get_attribute("href")
    assert href is not None and href.startswith(f"/tasks/{handle.id}/files/trace-") and href.endswith(".zip")
    trace = await page.request.get(f"{console}{href}")
    assert trace.status == 200 and trace.headers["content-type"] == "application/zip"
    assert (await trace.body()).startswith(b"PK")
    assert "attachment" in trace.headers["content-disposition"]
    html = await page.content()
    assert all(value not in html for value in SECRET_VALUES)
    await page.context.close()


async def test_the_task_page_shows_the_recoveries_of_a_step(
    engine: Engine, site: DemoSite, console: str, browser: Browser
) -> None:
    site.faults.modal = True  # a promo dialog covers every page: the engine closes it (a recovery)
    handle = await engine.tasks.submit(demo_request(site, use_cache=False, max_steps=8, timeout=90))
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    recovered = [(s.step, r) for s in (await handle.steps()).steps for r in s.recoveries]
    assert recovered
    step, first = recovered[0]
    page = await sign_in(browser, console, f"/tasks/{handle.id}")
    cell = page.locator(f'table.steps tr[data-step="{step}"] td.recoveries')
    await expect(cell).to_contain_text(
        f"{first.strategy} for {first.error_type} (attempt {first.attempt}): {first.outcome}"
    )
    await page.context.close()


async def test_a_verb_refused_by_the_engine_shows_the_refusal(
    engine: Engine, site: DemoSite, console: str, browser: Browser
) -> None:
    handle = await under_review(engine, site)
    page = await sign_in(browser, console)
    row = page.locator(f'article[data-task="{handle.id}"]')
    await row.get_by_label("rejection reason").fill("too late")  # typing: the page no longer reloads itself
    assert (await handle.approve("answered elsewhere")).accepted  # this page is now stale
    await expect(page.locator("#changed")).to_contain_text("0 new, 1 answered elsewhere")
    await row.get_by_role("button", name="Reject").click()
    await expect(page.locator('[data-notice="refused"]')).to_contain_text(f"reject refused for {handle.id}")
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason  # the first answer stands
    await page.context.close()


async def test_cancel_from_the_task_page_and_a_second_cancel_is_refused(
    engine: Engine, site: DemoSite, console: str, browser: Browser
) -> None:
    handle = await under_review(engine, site)
    page = await sign_in(browser, console, f"/tasks/{handle.id}")
    await expect(page.locator(".status")).to_have_text("needs_review")
    stale = await page.context.new_page()
    await stale.goto(f"{console}/tasks/{handle.id}")

    await page.get_by_role("button", name="Cancel task").click()
    await expect(page.locator('[data-notice="done"]')).to_contain_text(f"cancellation requested for {handle.id}")
    result = await handle.result()
    assert result.status == TaskStatus.CANCELLED, result.reason
    assert site.registration_count() == 0

    await stale.get_by_role("button", name="Cancel task").click()
    await expect(stale.locator('[data-notice="refused"]')).to_contain_text("has already ended")
    await page.context.close()


async def test_no_credential_and_a_forged_form_are_refused(
    engine: Engine, site: DemoSite, console: str, browser: Browser
) -> None:
    handle = await under_review(engine, site)
    anonymous = await browser.new_context()
    page = await anonymous.new_page()
    for path in ("/reviews", f"/tasks/{handle.id}", f"/reviews/{handle.id}/screenshot"):
        answer = await page.goto(f"{console}{path}")
        assert answer is not None and answer.status == 401
        await expect(page.get_by_role("heading", name="Sign in required")).to_be_visible()
    wrong = await anonymous.request.get(f"{console}/reviews", headers={"Authorization": "Bearer guessed"})
    assert wrong.status == 403
    anonymous_post = await anonymous.request.post(f"{console}/reviews/{handle.id}/approve", form={"note": "x"})
    assert anonymous_post.status == 401
    await anonymous.close()

    signed = await sign_in(browser, console)
    forged = await signed.request.post(f"{console}/reviews/{handle.id}/approve", form={"note": "forged"})
    assert forged.status == 403 and "CSRF token is missing or wrong" in await forged.text()
    assert await handle.pending_review() is not None  # nothing was sent to the task

    viewer = await sign_in(browser, console, token=VIEWER)
    row = viewer.locator(f'article[data-task="{handle.id}"]')
    await expect(row.locator(".viewer")).to_contain_text("Signed in as a viewer")
    await expect(row.get_by_role("button")).to_have_count(0)
    csrf = await viewer.locator('input[name="csrf"]').first.get_attribute("value")
    acted = await viewer.request.post(f"{console}/reviews/{handle.id}/approve", form={"csrf": csrf or "", "note": "x"})
    assert acted.status == 403 and "A viewer may look but not act" in await acted.text()
    assert await handle.pending_review() is not None
    await viewer.context.close()

    bearer = await signed.context.request.get(f"{console}/reviews", headers={"Authorization": f"Bearer {TOKEN}"})
    assert bearer.status == 200 and handle.id in await bearer.text()
    await signed.context.close()
    await handle.reject("test done")
    assert (await handle.result()).status == TaskStatus.REJECTED


async def test_provide_input_from_the_generated_form_is_used_by_the_task(
    engine: Engine, site: DemoSite, console: str, browser: Browser
) -> None:
    data = {**demo_request(site)["data"], "email": "not-an-email"}  # the form refuses it: the engine loops
    handle = await engine.tasks.submit(
        demo_request(site, start_url=site.url("/register?class=tue-evening-swim"), data=data, use_cache=False)
    )
    await wait_for_review(handle, "loop_detected")
    page = await sign_in(browser, console)
    row = page.locator(f'article[data-task="{handle.id}"]')
    form = row.locator("form.input")
    for key in sorted(data):  # a field for each of the task's data keys, none holding a value
        await expect(form.get_by_label(key, exact=True)).to_have_value("")
    assert "not-an-email" not in await page.content()
    await form.get_by_label("email", exact=True).fill("eden@example.com")
    await form.get_by_role("button", name="Provide input").click()
    await expect(page.locator('[data-notice="done"]')).to_contain_text(f"{handle.id}: given email")
    assert "eden@example.com" not in await page.content()  # the value typed is not echoed back
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert site.registrations[0].email == "eden@example.com"
    await page.context.close()


async def test_the_reviews_page_follows_reviews_arriving_and_answered_elsewhere(
    engine: Engine, site: DemoSite, console: str, browser: Browser
) -> None:
    page = await sign_in(browser, console)
    handle = await under_review(engine, site)
    row = page.locator(f'article[data-task="{handle.id}"]')
    await expect(row).to_have_count(1)  # arrived: the page reloaded itself
    await handle.reject("answered elsewhere")
    await expect(row).to_have_count(0)  # answered elsewhere: gone without a reload by the test
    assert (await handle.result()).status == TaskStatus.REJECTED
    ids = await page.request.get(f"{console}/reviews.json")
    assert ids.status == 200 and handle.id not in (await ids.json())["ids"]
    await page.context.close()


async def test_take_over_ends_the_task_with_the_result_the_person_gives(
    engine: Engine, site: DemoSite, console: str, browser: Browser
) -> None:
    handle = await engine.tasks.submit(
        {"goal": "Buy a kayak paddle", "start_url": site.url("/confirmation-unknown"), "data": {}, "use_cache": False}
    )
    await wait_for_review(handle, "cannot_proceed")
    page = await sign_in(browser, console)
    form = page.locator(f'article[data-task="{handle.id}"] form.take-over')
    await form.get_by_label("result field 1", exact=True).fill("order")
    await form.get_by_label("result value 1", exact=True).fill("KAY-123456")
    await form.get_by_label("note").fill("bought it by phone")
    await form.get_by_role("button", name="Take over").click()
    await expect(page.locator('[data-notice="done"]')).to_contain_text(f"{handle.id}: taken over (order)")
    assert "KAY-123456" not in await page.content()
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert result.result_data == {"order": "KAY-123456"}
    assert "completed by a reviewer" in result.reason
    await page.context.close()


async def test_instruct_runs_the_action_the_person_gives(
    engine: Engine, site: DemoSite, console: str, browser: Browser
) -> None:
    handle = await stuck_for_instructions(engine, site)
    page = await sign_in(browser, console)
    form = page.locator(f'article[data-task="{handle.id}"] form.instruct')
    await form.get_by_label("action").select_option("navigate")
    await form.get_by_label("value").fill(site.url("/schedule"))
    await form.get_by_role("button", name="Instruct").click()
    await expect(page.locator('[data-notice="done"]')).to_contain_text(f"{handle.id}: instructed: navigate")
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert result.decisions_by_tier == {"human": 1}
    await page.context.close()


async def test_pause_and_resume_from_the_task_page(
    engine: Engine, site: DemoSite, console: str, browser: Browser
) -> None:
    site.faults.slow_ms = 800
    site.faults.slow_count = 8  # slow pages: the task is still running when the button is pressed
    handle = await engine.tasks.submit(demo_request(site, park_after=0.3, use_cache=False))
    page = await sign_in(browser, console, f"/tasks/{handle.id}")
    await page.get_by_label("pause reason").fill("checking the site")
    await page.get_by_role("button", name="Pause").click()
    await expect(page.locator('[data-notice="done"]')).to_contain_text(f"pause requested for {handle.id}")

    async def paused() -> bool:
        return (await handle.status()).status == TaskStatus.PAUSED

    await eventually(paused, what="the task to pause")
    await page.reload()
    await expect(page.locator(".status")).to_have_text("paused")
    assert site.registration_count() == 0
    await page.get_by_role("button", name="Resume").click()
    await expect(page.locator('[data-notice="done"]')).to_contain_text(f"resume sent to {handle.id}")
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert site.registration_count() == 1
    await page.context.close()


async def test_a_viewer_of_the_users_file_signs_in_by_name_and_cannot_act(
    engine: Engine, site: DemoSite, user_console: str, browser: Browser
) -> None:
    handle = await under_review(engine, site)
    context = await browser.new_context()
    page = await context.new_page()
    refused = await page.goto(f"{user_console}/reviews")
    assert refused is not None and refused.status == 401
    await page.get_by_role("link", name="Sign in with your name and password").click()
    await page.get_by_label("Name").fill("omer")
    await page.get_by_label("Password").fill("not-his-password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text("do not match a user of this console")
    await page.get_by_label("Password").fill(USER_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(f"{user_console}/reviews")
    await expect(page.locator("header .user")).to_have_text("omer")
    await expect(page.locator("header .role")).to_have_text("viewer")
    row = page.locator(f'article[data-task="{handle.id}"]')
    await expect(row.locator(".viewer")).to_contain_text("Signed in as a viewer")
    await expect(row.get_by_role("button")).to_have_count(0)
    csrf = await page.locator('input[name="csrf"]').first.get_attribute("value")
    acted = await page.request.post(f"{user_console}/reviews/{handle.id}/approve", form={"csrf": csrf or ""})
    assert acted.status == 403 and "A viewer may look but not act" in await acted.text()
    assert USER_PASSWORD not in await page.content()
    assert await handle.pending_review() is not None
    await context.close()
    await handle.reject("test done")
    assert (await handle.result()).status == TaskStatus.REJECTED


async def test_instruct_with_an_element_picked_from_the_review_page(
    engine: Engine, site: DemoSite, console: str, browser: Browser
) -> None:
    handle = await stuck_for_instructions(engine, site)
    review = await handle.pending_review()
    assert review is not None and any(e.describe() == "link 'Class schedule'" for e in review.elements)
    page = await sign_in(browser, console)
    form = page.locator(f'article[data-task="{handle.id}"] form.instruct')
    await expect(form.locator("select.targets option")).to_have_count(len(review.elements) + 1)
    await form.get_by_label("action").select_option("click")
    await form.locator("select.targets").select_option(label="link 'Class schedule'")
    await form.get_by_role("button", name="Instruct").click()
    await expect(page.locator('[data-notice="done"]')).to_contain_text(f"{handle.id}: instructed: click")
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert result.decisions_by_tier == {"human": 1}
    assert "/schedule" in result.final_url
    await page.context.close()
