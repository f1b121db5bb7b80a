"""Shared by the domain tests: the HTML fixtures served on 127.0.0.1, and one Chromium per module."""

from __future__ import annotations

import functools
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright

from browserflow.browser.chromium import chromium_args
from tests.conftest import chromium_path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "html"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def fixture_site() -> Iterator[str]:
    """The HTML fixtures served over real HTTP on localhost (so links are absolute http URLs)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(FIXTURES)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest_asyncio.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    pw = await async_playwright().start()
    chromium = await pw.chromium.launch(executable_path=chromium_path(), args=chromium_args())
    yield chromium
    await chromium.close()
    await pw.stop()


@pytest_asyncio.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context()
    pg = await context.new_page()
    yield pg
    await context.close()
