"""Signing in again after a session expired, and only there: which page may get the task's credentials.

A re-login posts the task's credential *references* (resolved only as they are typed) to the site's own
login page — the page this session signed in on itself, a decision the plan's gate and the review policy
saw, or the ``login_url`` the task data names — on the task's own host, after a GET of that host was
redirected there; never under a review policy that looks at submits (``before_irreversible``, ``always``:
the workflow's next decision signs in, reviewed), and never posting a form of the task a second time.

The login heuristics (is this a sign-in form, which page may get the credentials, which references a sign-in
plan typed) and the ``reauthenticate`` strategy live here; picking credentials out of task data is
``browserflow.secrets.credentials_from``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from browserflow import secrets
from browserflow.browser import strategies
from browserflow.browser.hosts import canonical_host
from browserflow.browser.pool import Session
from browserflow.contracts import Action
from browserflow.secrets import NO_RELOGIN, REVIEWED_POLICIES, credentials_from

__all__ = [
    "NO_RELOGIN",
    "REVIEWED_POLICIES",
    "credentials_from",
    "is_login_page",
    "learn_credentials",
    "page_key",
    "reauthenticate",
    "relogin_refusal",
    "sign_in",
]

_IS_LOGIN_JS = """() => {
  const pw = Array.from(document.querySelectorAll('input[type=password]'))
    .filter((e) => e.offsetParent !== null || e.getClientRects().length > 0);
  return pw.length === 1;
}"""


async def is_login_page(page: Page) -> bool:
    """One visible password field: a sign-in form (sign-up forms with a repeat field do not count)."""
    try:
        return bool(await page.evaluate(_IS_LOGIN_JS))
    except PlaywrightError:
        return False


def page_key(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and path of ``url`` (no query, no fragment): which page, not which visit."""
    parts = urlsplit(url)
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower(), 0)
    except ValueError:
        port = 0
    host = canonical_host(parts.hostname or "")
    return parts.scheme.lower(), host, port, parts.path.rstrip("/") or "/"


def relogin_refusal(session: Session, credentials: Mapping[str, str], url_before: str) -> str | None:
    """Why the page now shown must not get the task's credentials (None: it may).

    A re-login is made only on the site's own login page: the page this session signed in on itself (a
    decision the gate and the review policy saw), or the task's ``login_url``; on the task's own host; after
    a GET of that host was redirected there (an expired session), so no form of the task is lost or sent
    again; and never when the task's review policy looks at submits.
    """
    if credentials.get(NO_RELOGIN):
        return f"the review policy '{credentials[NO_RELOGIN]}' leaves signing in again to a reviewed decision"
    here = page_key(session.page.url)
    home = session.guard.site.rsplit("@", 1)[-1] if session.guard.site else ""
    own = page_key(f"http://{home}/") if home else page_key(url_before)
    if here[1] != own[1] or (home and ":" in home and here[2] != own[2]):
        return f"the sign-in form at {here[1]} is not on the task's own host"
    known = [u for u in (session.login_url, credentials.get("login_url", "")) if u]
    if not any(page_key(u)[1:] == here[1:] for u in known):
        return f"{session.page.url} is not the site's recorded login page"
    redirected = session.redirected_from
    if not redirected or page_key(redirected)[1:3] != here[1:3]:
        return "the sign-in form was not reached by a redirect of a page the task opened"
    return None


async def sign_in(session: Session, credentials: Mapping[str, str]) -> bool:
    """Fill and submit the page's sign-in form once; False when it failed or the site refused the credentials."""
    page = session.page
    password = page.locator("input[type=password]:visible").first
    form = page.locator("form", has=page.locator("input[type=password]")).first
    user = form.locator(
        "input[autocomplete=username], input[type=email], input[name*=user i], input[id*=user i], "
        "input[name*=login i], input[name*=email i], input[type=text]"
    ).first
    try:
        seen = session.secret_values  # scrubbed from the kept trace
        await user.fill(secrets.resolve(credentials["username"], key="username", seen=seen))
        await password.fill(secrets.resolve(credentials["password"], key="password", seen=seen))
        submit = form.locator("button[type=submit], input[type=submit], button:not([type])").first
        if await submit.count():
            await submit.click()
        else:
            await password.press("Enter")
        await page.wait_for_load_state("domcontentloaded")
    except PlaywrightError:
        return False
    session.guard.raise_blocked()  # the login form posted somewhere it must not: never "recovered"
    return not await is_login_page(page)  # still asking: the credentials were refused


def learn_credentials(session: Session, actions: Sequence[Action], was_login: bool, url: str = "") -> None:
    """Remember the credential *references* a sign-in plan typed, and the page it typed them on (the site's
    recorded login page), for a later re-authentication."""
    if not was_login:
        return
    found = credentials_from({a.data_key: a.value for a in actions if a.kind == "fill" and a.data_key and a.value})
    if found:
        session.credentials = found
        session.login_url = url or session.login_url


async def reauthenticate(session: Session, credentials: Mapping[str, str], url_before: str) -> tuple[bool, str]:
    """The ``reauthenticate`` strategy: sign in once with the task's credential references, then GET the page
    the sign-in form interrupted again. Whether it worked, and what was done (for the recovery record)."""
    target = session.redirected_from or url_before
    ok = await sign_in(session, credentials)
    if ok and target and session.page.url != target:
        ok = await strategies.reload(session, target)
    keys = ", ".join(k for k in ("username", "password") if k in credentials)
    return ok, f"signed in at {page_key(session.page.url)[3]} with the task's {keys}, back to {target}"
