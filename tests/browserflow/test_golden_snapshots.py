"""The committed golden snapshots (``tests/fixtures/snapshots``) are what the extractor makes of the fixture pages
on real Chromium today, so the browser-free rules tests that read them test the real thing."""

from __future__ import annotations

import json

import pytest
from playwright.async_api import Browser

from tests.browserflow.golden import GOLDEN, PAGES, snapshot_of


@pytest.mark.parametrize("name", PAGES)
async def test_the_golden_snapshot_is_what_the_extractor_sees(browser: Browser, fixture_site: str, name: str) -> None:
    page = await browser.new_page()
    try:
        now = await snapshot_of(page, fixture_site, name)
    finally:
        await page.close()
    kept = json.loads((GOLDEN / f"{name}.json").read_text())
    assert now == kept, f"{name}: the extraction changed; if that is meant: .venv/bin/python -m tests.browserflow.golden"
