"""The apps bench's harness on the real applications: installed from PyPI into their own venvs (cached under
.data/apps), seeded, served on 127.0.0.1; database diffs of changes made through their UI with plain
Playwright are exact, a look-only visit diffs to nothing, and the engine on an easy task per app makes no
wrong write and claims no false success."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from bench.apps import APPS, App, DjangoAdminApp, RoundupApp
from bench.apps.dbdiff import Bookkeeping, diff, snapshot
from bench.apps.django_admin import ADMIN_PASSWORD as DJANGO_ADMIN_PASSWORD
from bench.apps.expect import Insert, Update, judge
from bench.apps.roundup import USERS
from bench.apps.runner import run_task
from tests.conftest import Engine, chromium_path

pytestmark = pytest.mark.integration

EASY = {"roundup": "create_keyword", "django_admin": "create_group"}


@pytest.fixture(scope="module")
def apps() -> Iterator[dict[str, App]]:
    started: dict[str, App] = {}
    try:
        for name, cls in APPS.items():
            app = cls()
            app.prepare()
            app.start()
            started[name] = app
        yield started
    finally:
        for app in started.values():
            app.stop()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=chromium_path())
        yield b
        await b.close()


async def login(app: App, page: Page) -> None:
    """Log in through the app's own login form, as a person would."""
    if isinstance(app, RoundupApp):
        await page.goto(app.url())
        await page.fill("input[name=__login_name]", "alice")
        await page.fill("input[name=__login_password]", USERS["alice"][0])
        await page.click("input[type=submit][value='Login']")
        await page.get_by_text("Hello, alice").wait_for()
    else:
        await page.goto(app.url("admin/"))
        await page.fill("#id_username", "admin")
        await page.fill("#id_password", DJANGO_ADMIN_PASSWORD)
        await page.click("input[type=submit]")
        await page.get_by_text("Site administration").wait_for()


def test_every_app_has_ten_everyday_tasks_with_unique_names() -> None:
    for cls in APPS.values():
        tasks = cls().tasks()
        assert len(tasks) >= 10
        assert len({t.name for t in tasks}) == len(tasks)
        assert all(t.expect and t.goal and "password" in t.data for t in tasks)


def test_diff_of_keyless_and_keyed_tables(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    con = sqlite3.connect(db)
    con.executescript(
        "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT, seen TEXT);"
        "CREATE TABLE link (a INTEGER, b INTEGER); CREATE TABLE sessions (k TEXT);"
        "INSERT INTO item VALUES (1, 'one', 't0'), (2, 'two', 't0'), (4, 'four', 't0'); INSERT INTO link VALUES (1, 2), (1, 2);"
    )
    con.commit()
    before = snapshot(db)
    con.executescript(
        "UPDATE item SET seen='t1'; UPDATE item SET name='uno' WHERE id=1; DELETE FROM item WHERE id=2;"
        "INSERT INTO item VALUES (3, 'three', 't1'); DELETE FROM link WHERE rowid=1; INSERT INTO link VALUES (2, 1);"
        "INSERT INTO sessions VALUES ('x');"
    )
    con.commit()
    con.close()
    d = diff(before, snapshot(db), Bookkeeping.of(tables=["sess*"], columns={"item": ["seen"]}))
    assert sorted(d.describe()) == sorted(
        [
            "item inserted {id=3, name='three', seen='t1'}",
            "item deleted {id=2, name='two', seen='t0'}",
            "item updated {id=1, name='uno', seen='t1'}: name: 'one' -> 'uno'",
            "link inserted {a=2, b=1}",
            "link deleted {a=1, b=2}",  # one of the two equal rows
        ]
    )
    raw = diff(before, snapshot(db))
    assert len(raw) == len(d) + 2  # item 4's bookkeeping-only update and the session row are stripped
    assert {c.table for c in raw.changes} == {"item", "link", "sessions"}


_ONE_RECORD: dict[str, tuple[str, dict[str, object]]] = {
    "roundup": ("_issue", {"_title": "Smoke: printer on fire", "_priority": 1, "_status": 1}),
    "django_admin": ("auth_group", {"name": "Smoke testers"}),
}


async def _make_one_record(app: App, page: Page) -> None:
    """Through the app's own UI, by hand: one new issue (Roundup) or group (Django admin)."""
    if isinstance(app, RoundupApp):
        await page.get_by_role("link", name="Create New").first.click()
        await page.fill("input[name=title]", "Smoke: printer on fire")
        await page.select_option("select[name=priority]", label="critical")
        await page.click("input[name=submit_button]")
        await page.get_by_text("created").first.wait_for()
    else:
        await page.goto(app.url("admin/auth/group/add/"))
        await page.fill("#id_name", "Smoke testers")
        await page.click("input[name=_save]")
        await page.get_by_text("was added successfully").wait_for()


@asynccontextmanager
async def signed_in(app: App, browser: Browser) -> AsyncIterator[Page]:
    """A fresh browser context signed in to ``app`` (closed afterwards)."""
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await login(app, page)
        yield page
    finally:
        await context.close()


async def test_ui_change_diffs_to_exactly_one_inserted_row(apps: dict[str, App], browser: Browser) -> None:
    for app in apps.values():
        app.restore()
        before = app.snapshot()
        async with signed_in(app, browser) as page:
            await _make_one_record(app, page)
        table, want = _ONE_RECORD[app.name]
        d = app.diff(before)
        assert [c.kind for c in d.changes] == ["inserted"], (app.name, d.describe())
        (change,) = d.changes
        assert change.table == table
        assert all(change.row[k] == v for k, v in want.items()), change.describe()
        assert judge(d, [Insert(table, want)], before).verdict == "success"
        assert judge(d, [Insert(table, {**want, next(iter(want)): "other"})], before).verdict == "wrong_write"
        app.restore()
        assert not app.diff(before)  # restored to pristine


async def test_look_only_visit_diffs_to_nothing(apps: dict[str, App], browser: Browser) -> None:
    for app in apps.values():
        app.restore()
        before = app.snapshot()
        async with signed_in(app, browser) as page:
            if isinstance(app, RoundupApp):
                await page.goto(app.url("issue1"))
                assert await page.locator("input[name=title]").input_value() == "Login page times out"
            else:
                await page.goto(app.url("admin/auth/user/"))
                await page.get_by_role("link", name="mallory").click()
                await page.get_by_text("Change user").first.wait_for()
        if isinstance(app, DjangoAdminApp):  # Roundup keeps sessions in a database of their own (db-session)
            raw = diff(before, app.snapshot())
            assert {c.table for c in raw.changes} == {"django_session", "auth_user"}, raw.describe()
        assert not app.diff(before), (app.name, app.diff(before).describe())


async def test_update_is_judged_by_exact_columns(apps: dict[str, App], browser: Browser) -> None:
    app = apps["django_admin"]
    assert isinstance(app, DjangoAdminApp)
    app.restore()
    before = app.snapshot()
    context = await browser.new_context()
    page = await context.new_page()
    await login(app, page)
    await page.goto(app.url("admin/auth/user/"))
    await page.get_by_role("link", name="bob").click()
    await page.fill("#id_last_name", "Baker-Jones")
    await page.click("input[name=_save]")
    await page.get_by_text("was changed successfully").wait_for()
    await context.close()
    d = app.diff(before)
    assert [(c.kind, c.changed) for c in d.changes] == [("updated", {"last_name": ("Baker", "Baker-Jones")})]
    assert (
        judge(d, [Update("auth_user", {"username": "bob"}, {"last_name": "Baker-Jones"})], before).verdict == "success"
    )
    assert judge(d, [Update("auth_user", {"username": "carol"}, {"last_name": "Baker-Jones"})], before).wrong_write


async def test_engine_makes_no_wrong_write_and_no_false_success(apps: dict[str, App], engine: Engine) -> None:
    for name, app in apps.items():
        (task,) = [t for t in app.tasks() if t.name == EASY[name]]
        run = await run_task(engine.tasks, app, task)
        assert run.engine_status != "error", run.engine_reason
        assert not run.wrong_write, (name, run.unexpected)
        assert not run.false_success, (name, run.engine_status, run.missing)
        assert run.verdict == "success" and run.engine_status == "succeeded", (name, run.engine_reason, run.step_log)
