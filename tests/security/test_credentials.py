"""Credentials only where they belong: the re-login recovery signs in again only on the site's own recorded
login page, on the task's own host, after a GET that was redirected there, never under a review policy that
looks at submits, and it never posts a form twice."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from browserflow.browser import recovery
from browserflow.browser.pool import BrowserPool, Session
from browserflow.contracts import Action, TaskStatus
from tests.conftest import Engine
from tests.security.hostile import Site, home

__all__ = ["home"]  # fixture

pytestmark = pytest.mark.integration

PASSWORD = "pool-rules-2026"
DATA = {"username": "eden", "password": PASSWORD}
ONE_PASSWORD_BOX = """<!doctype html><title>Newsletter archive</title><h1>Archive of past issues</h1>
<p>Members may unlock the printable edition.</p>
<form method=post action="/steal"><input name=user placeholder="User name">
<input type=password name=pw placeholder="Password"><button type=submit>Unlock</button></form>"""
LOGIN = """<!doctype html><title>Sign in</title><h1>Sign in</h1><form method=post action="/login">
<label>Username <input name=username></label><label>Password <input type=password name=password></label>
<button type=submit>Sign in</button></form>"""


def _posts(site: Site, path: str) -> list[str]:
    return [h.body for h in site.hits if h.method == "POST" and h.path.split("?")[0] == path]


async def test_a_page_with_one_password_box_gets_no_credentials(engine: Engine, home: Site) -> None:
    """High-severity case 2: after a click landed on an unrelated page with one password box, the old
    recovery filled the task's username and password into it and submitted, with no decision recorded."""
    home.page("/", '<title>Pool news</title><a href="/archive">Open the newsletter archive</a>')
    home.page("/archive", ONE_PASSWORD_BOX)
    home.page("/steal", "<title>Unlocked</title><h1>Unlocked</h1>")
    request = {
        "goal": "Open the newsletter archive",
        "start_url": home.url("/"),
        "data": DATA,
        "success_text": "Archive of past issues",
        "max_steps": 4,
        "timeout": 60,
        "use_cache": False,
    }
    handle = await engine.tasks.submit(request)
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert _posts(home, "/steal") == [], "credentials were posted to a page that is not the site's login page"
    assert all(h.method == "GET" for h in home.hits)
    log = await handle.steps()
    assert not [r for s in log.steps for r in s.recoveries if r.strategy == "reauthenticate"]


@pytest.fixture
async def signed_in(pool: BrowserPool, home: Site) -> AsyncIterator[Session]:
    """A session that signed in on the site's login page itself (so that page is its recorded login page);
    ``/account`` then redirects to the login page (the session expired)."""
    home.page("/login", LOGIN)
    home.redirect("POST /login", "/welcome", status=303)
    home.page("/welcome", "<title>Welcome</title><h1>Welcome back</h1><a href='/account'>My account</a>")
    home.redirect("/account", "/login?next=/account")
    home.page("/other", ONE_PASSWORD_BOX)
    session = await pool.open("credentials-unit", site=f"127.0.0.1:{home.port}")
    try:
        await recovery.navigate(session, home.url("/login"), ["127.0.0.1"])
        sign_in = [
            Action(kind="fill", selector="input[name=username]", data_key="username", value="eden"),
            Action(kind="fill", selector="input[name=password]", data_key="password", value=PASSWORD),
            Action(kind="click", selector="button[type=submit]", label="Sign in", irreversible=True),
        ]
        await recovery.perform(session, sign_in, ["127.0.0.1"])
        assert session.login_url.startswith(home.url("/login"))
        home.hits.clear()
        await recovery.navigate(session, home.url("/welcome"), ["127.0.0.1"])
        yield session
    finally:
        await pool.close(session.id)


ACCOUNT = Action(kind="click", selector="a[href='/account']", label="My account")


async def test_an_expired_session_signs_in_again_once_on_the_recorded_login_page(
    signed_in: Session, home: Site
) -> None:
    attempts = await recovery.perform(signed_in, [ACCOUNT], ["127.0.0.1"], credentials=DATA)
    assert [(a.strategy, a.outcome) for a in attempts] == [("reauthenticate", "recovered")]
    assert "/login" in attempts[0].detail and "username, password" in attempts[0].detail  # recorded, by key
    assert PASSWORD not in attempts[0].detail
    assert len(_posts(home, "/login")) == 1  # posted once


async def test_no_re_login_under_a_review_policy_that_looks_at_submits(signed_in: Session, home: Site) -> None:
    for policy in ("before_irreversible", "always"):
        credentials = recovery.credentials_from(DATA, policy)
        attempts = await recovery.perform(signed_in, [ACCOUNT], ["127.0.0.1"], credentials=credentials)
        assert attempts == []
        assert _posts(home, "/login") == []
        assert signed_in.page.url.startswith(home.url("/login"))  # left for a (reviewed) decision
        await recovery.navigate(signed_in, home.url("/welcome"), ["127.0.0.1"])
    # the marker survives the activity parsing the workflow's credentials a second time
    assert recovery.credentials_from(recovery.credentials_from(DATA, "always"))[recovery.NO_RELOGIN] == "always"


async def test_another_one_password_page_on_the_own_host_gets_nothing(signed_in: Session, home: Site) -> None:
    await signed_in.page.set_content("<a href='/go-other'>Printable edition</a>")
    home.redirect("/go-other", "/other")  # redirected, on the own host, but not to the login page
    link = Action(kind="click", selector="a[href='/go-other']", label="Printable edition")
    attempts = await recovery.perform(signed_in, [link], ["127.0.0.1"], credentials=DATA)
    assert attempts == []
    assert _posts(home, "/steal") == []


async def test_a_form_whose_post_lands_on_the_login_page_is_not_posted_again(signed_in: Session, home: Site) -> None:
    home.page("/order", "<title>Order</title><form method=post action='/send'><button>Send</button></form>")
    home.redirect("/send", "/login?next=/order", status=303)
    await recovery.navigate(signed_in, home.url("/order"), ["127.0.0.1"])
    send = Action(kind="click", selector="button", label="Send", irreversible=True)
    attempts = await recovery.perform(signed_in, [send], ["127.0.0.1"], credentials=DATA)
    assert attempts == []  # a POST was interrupted: no silent re-login, and the plan is not run again
    assert len(_posts(home, "/send")) == 1
    assert _posts(home, "/login") == []


def test_the_login_url_the_task_data_names_is_a_credential_reference() -> None:
    found = recovery.credentials_from({**DATA, "login_url": "https://shop.example.com/signin"})
    assert found == {**DATA, "login_url": "https://shop.example.com/signin"}
    assert recovery.credentials_from({"password": PASSWORD}) == {}


def test_credentials_are_picked_beside_the_secrets_and_stay_references() -> None:
    from browserflow import secrets
    from browserflow.browser import relogin

    assert recovery.credentials_from is secrets.credentials_from is relogin.credentials_from
    assert recovery.NO_RELOGIN == secrets.NO_RELOGIN
    refs = {"Email": "env:BROWSERFLOW_SECRET_USER", "PASSWD": "env:BROWSERFLOW_SECRET_PW", "note": "x"}
    assert secrets.credentials_from(refs) == {"username": refs["Email"], "password": refs["PASSWD"]}
    assert secrets.credentials_from(refs, "before_irreversible")[secrets.NO_RELOGIN] == "before_irreversible"
