"""Confinement at the browser: real tasks through the real engine against hostile pages. Every way a page can
take the browser to another host (a 302, a JavaScript or meta-refresh redirect, a redirecting start URL, a
form posted to a foreign ``action``, a popup) is refused before anything is sent there: the task does not
succeed, the foreign server receives nothing, and the step (or the task's reason) names the host."""

from __future__ import annotations

import pytest

from browserflow.browser.hosts import HostPolicy, canonical_host, is_internal
from browserflow.contracts import TaskStatus, site_of, without_userinfo
from browserflow.errors import NavigationBlocked
from tests.conftest import Engine
from tests.security.hostile import (
    SIGNUP_FORM,
    THANKS,
    Site,
    blocked_steps,
    foreign,
    home,
    newsletter_request,
)

__all__ = ["foreign", "home"]  # fixtures

pytestmark = pytest.mark.integration

LINK = '<!doctype html><title>Pool news</title><h1>Pool news</h1><a href="{href}">Sign up for the newsletter</a>'


async def _run_blocked(engine: Engine, home: Site, foreign: Site, start: str = "/") -> list[str]:
    """Run the newsletter task from ``start``; assert it failed, nothing reached ``foreign``; the blocked steps."""
    handle = await engine.tasks.submit(newsletter_request(home.url(start)))
    result = await handle.result()
    assert result.status != TaskStatus.SUCCEEDED and not result.goal_achieved, result.reason
    assert foreign.hits == [], f"the foreign host was reached: {foreign.hits}"
    blocked = blocked_steps(await handle.steps())
    assert blocked, f"no step ended with NavigationBlocked ({result.status}: {result.reason})"
    assert all(f"127.0.0.2:{foreign.port}" in m for m in blocked), blocked
    return blocked


async def test_a_302_to_another_host_is_blocked_before_anything_is_sent(
    engine: Engine, home: Site, foreign: Site
) -> None:
    """High-severity case 1: the old engine followed the 302, filled the foreign form and succeeded."""
    home.page("/", LINK.format(href="/go"))
    home.redirect("/go", foreign.url("/form"))
    await _run_blocked(engine, home, foreign)
    assert [h.path for h in home.hits] == ["/", "/go"]  # the redirect itself came from the task's own site


async def test_a_307_that_would_resend_a_form_post_to_another_host_is_blocked(
    engine: Engine, home: Site, foreign: Site
) -> None:
    home.page("/", SIGNUP_FORM.format(action="/submit"))
    home.redirect("/submit", foreign.url("/collect"), status=307)  # a 307 re-sends the POST body
    await _run_blocked(engine, home, foreign)
    posted = [h for h in home.hits if h.method == "POST"]
    assert len(posted) == 1 and "eden%40example.com" in posted[0].body  # the own site got it, once


async def test_a_javascript_redirect_is_blocked(engine: Engine, home: Site, foreign: Site) -> None:
    home.page("/", LINK.format(href="/js"))
    home.page(
        "/js", f"<title>Moving</title><p>One moment…</p><script>location.href = '{foreign.url('/form')}'</script>"
    )
    await _run_blocked(engine, home, foreign)


async def test_a_meta_refresh_is_blocked(engine: Engine, home: Site, foreign: Site) -> None:
    home.page("/", LINK.format(href="/meta"))
    home.page("/meta", f'<meta http-equiv="refresh" content="0;url={foreign.url("/form")}"><p>Moving…</p>')
    await _run_blocked(engine, home, foreign)


async def test_a_redirecting_start_url_fails_the_task_naming_the_host(
    engine: Engine, home: Site, foreign: Site
) -> None:
    home.redirect("/start", foreign.url("/form"))
    result = await engine.tasks.run(newsletter_request(home.url("/start")))
    assert result.status == TaskStatus.FAILED and not result.goal_achieved
    assert "NavigationBlocked" in result.reason and f"127.0.0.2:{foreign.port}" in result.reason, result.reason
    assert foreign.hits == []


async def test_a_form_posting_to_a_foreign_action_never_sends_its_body(
    engine: Engine, home: Site, foreign: Site
) -> None:
    home.page("/", SIGNUP_FORM.format(action=foreign.url("/collect")))
    await _run_blocked(engine, home, foreign)


async def test_a_popup_to_another_host_is_blocked(engine: Engine, home: Site, foreign: Site) -> None:
    home.page(
        "/",
        f"<title>Pool news</title><button onclick=\"window.open('{foreign.url('/form')}')\">"
        "Sign up for the newsletter</button>",
    )
    blocked = await _run_blocked(engine, home, foreign)
    assert any("popup" in m for m in blocked), blocked


async def test_a_popup_to_the_own_site_that_redirects_elsewhere_is_not_followed(
    engine: Engine, home: Site, foreign: Site
) -> None:
    home.page("/", '<title>Pool news</title><a href="/go" target="_blank">Sign up for the newsletter</a>')
    home.redirect("/go", foreign.url("/form"))
    handle = await engine.tasks.submit(newsletter_request(home.url("/")))
    result = await handle.result()
    assert result.status != TaskStatus.SUCCEEDED
    assert foreign.hits == []
    assert any("popup" in m for m in blocked_steps(await handle.steps()))


async def test_other_internal_addresses_and_loopback_spellings_are_refused(
    engine: Engine, home: Site, foreign: Site
) -> None:
    """The task's own internal site is allowed; another port on loopback (say the Temporal Web UI), however
    spelled, is not."""
    internal = Site("127.0.0.1").start()
    try:
        internal.page("/", "<title>Admin</title><h1>Thanks for signing up</h1>")
        home.page("/", LINK.format(href="/svc"))
        home.redirect("/svc", f"http://0x7f000001:{internal.port}/")  # 127.0.0.1, spelled otherwise
        handle = await engine.tasks.submit(newsletter_request(home.url("/")))
        result = await handle.result()
        assert result.status != TaskStatus.SUCCEEDED, result.reason
        assert internal.hits == []
        assert any(f"127.0.0.1:{internal.port}" in m for m in blocked_steps(await handle.steps()))
    finally:
        internal.stop()


async def test_allowed_domains_with_a_port_keep_the_own_start_url_working(engine: Engine, home: Site) -> None:
    """``allowed_domains: ["127.0.0.1:PORT"]`` used to block the task's own start URL."""
    home.page("/", LINK.format(href="/form"))
    home.page("/form", SIGNUP_FORM.format(action="/collect"))
    home.page("/collect", THANKS)
    request = newsletter_request(home.url("/"), allowed_domains=[f"127.0.0.1:{home.port}"])
    result = await engine.tasks.run(request)
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    posted = [h for h in home.hits if h.method == "POST"]
    assert [h.path for h in posted] == ["/collect"] and "Eden+Levi" in posted[0].body


async def test_an_internal_port_named_with_its_port_is_reachable_and_no_other(engine: Engine, home: Site) -> None:
    """``allowed_domains: ["127.0.0.1:OTHER"]`` opens that one local port (a second app beside the site), and
    an entry without a port still covers only the start URL's own port on an internal host."""
    other = Site("127.0.0.1").start()
    try:
        other.page("/form", SIGNUP_FORM.format(action="/collect"))
        other.page("/collect", THANKS)
        home.page("/", LINK.format(href=other.url("/form")))
        named = newsletter_request(home.url("/"), allowed_domains=[f"127.0.0.1:{other.port}"])
        result = await engine.tasks.run(named)
        assert result.status == TaskStatus.SUCCEEDED, result.reason
        assert [h.path for h in other.hits if h.method == "POST"] == ["/collect"]
        before = len(other.hits)
        bare = newsletter_request(home.url("/"), allowed_domains=["127.0.0.1"])
        handle = await engine.tasks.submit(bare)
        result = await handle.result()
        assert result.status != TaskStatus.SUCCEEDED, result.reason
        assert len(other.hits) == before  # nothing reached the other port
    finally:
        other.stop()


# -- the policy itself (plain Python) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("127.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "127.0.0.1"),
        ("LocalHost.", "localhost"),
    ],
)
def test_loopback_spellings_are_one_internal_host(spelling: str, canonical: str) -> None:
    assert canonical_host(spelling) == canonical
    assert is_internal(spelling)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8233/namespaces/default/workflows",  # the Temporal Web UI beside the task's site
        "http://localhost:8765/",
        "http://10.0.0.5/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0:8765/",
        "http://[::1]:8765/",
        "http://shop.example.com.evil.test/",
        "file:///etc/passwd",
    ],
)
def test_a_task_on_a_local_site_reaches_nothing_else_internal(url: str) -> None:
    policy = HostPolicy.of(["127.0.0.1"], site="127.0.0.1:8765", internal_ok=False)
    assert policy.refusal("http://127.0.0.1:8765/schedule") is None
    assert policy.refusal(url) is not None
    with pytest.raises(Exception) as raised:
        policy.check(url)
    assert raised.type.__name__ in {"NavigationBlocked", "InvalidUrl"}


def test_internal_hosts_are_allowed_when_named_or_for_local_development() -> None:
    named = HostPolicy.of(["shop.example.com", "localhost:3000"], site="shop.example.com", internal_ok=False)
    assert named.refusal("http://localhost:3000/api") is None
    assert named.refusal("https://www.shop.example.com/") is None
    assert named.refusal("http://localhost:3001/") is not None
    with pytest.raises(NavigationBlocked, match=r"10\.1\.2\.3"):
        named.check("http://10.1.2.3/")
    dev = HostPolicy.of(["127.0.0.1"], site="127.0.0.1:8765", internal_ok=True)
    assert dev.refusal("http://127.0.0.1:8233/") is None
    # a start URL with credentials in it: its host is still the site
    assert HostPolicy.of([], site="user:pw@127.0.0.1:8765").refusal("http://127.0.0.1:8765/x") is None


def test_credentials_in_a_start_url_are_not_what_gets_recorded() -> None:
    assert without_userinfo("http://eden:s3cret@127.0.0.1:8765/login?next=/") == "http://127.0.0.1:8765/login?next=/"
    assert without_userinfo("https://shop.example.com/") == "https://shop.example.com/"
    assert site_of("http://eden:s3cret@127.0.0.1:8765/login") == "127.0.0.1:8765"
