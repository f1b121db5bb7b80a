"""Huge pages: thousands of links and a megabyte of text around the form; the task still does exactly what
it was asked, once (the snapshot is bounded by pruning, tests/browserflow/test_snapshot.py)."""

from __future__ import annotations

import pytest

from tests.conftest import Engine
from tests.security.hostile import SIGNUP_FORM, THANKS, Site, home, newsletter_request

__all__ = ["home"]  # fixture

pytestmark = pytest.mark.integration

JUNK_LINKS = "".join(f'<a href="/item/{i}">Archive entry {i}</a> ' for i in range(3000))
JUNK_TEXT = "<p>" + ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 18000) + "</p>"


async def test_a_huge_page_is_pruned_and_the_task_still_does_exactly_what_it_was_asked(
    engine: Engine, home: Site
) -> None:
    page = SIGNUP_FORM.format(action="/collect").replace("</form>", "</form>" + JUNK_LINKS + JUNK_TEXT)
    assert len(page) > 1_000_000
    home.page("/", page)
    home.page("/collect", THANKS)
    handle = await engine.tasks.submit(newsletter_request(home.url("/"), timeout=120))
    result = await handle.result()
    assert result.status.value == "succeeded", result.reason
    posts = [h for h in home.hits if h.method == "POST"]
    assert len(posts) == 1 and "Eden" in posts[0].body, "posted once, with the task's own data"
    assert not any(h.path.startswith("/item/") for h in home.hits), "no archive link was followed"
