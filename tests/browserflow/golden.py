"""Golden snapshots: the fixture pages as the extractor sees them, committed as JSON so the rules tests need no
browser. ``test_golden_snapshots.py`` checks on real Chromium that they still match what the extractor makes
of the pages; when an extraction change is meant, re-record them:

    .venv/bin/python -m tests.browserflow.golden
"""

from __future__ import annotations

import asyncio
import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.async_api import Page, async_playwright

from browserflow.browser.chromium import chromium_args, find_chromium
from browserflow.contracts import PageSnapshot
from browserflow.snapshot import take_snapshot

__all__ = ["BASE", "GOLDEN", "PAGES", "load", "normalise", "record"]

HTML = Path(__file__).resolve().parent.parent / "fixtures" / "html"
GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "snapshots"
PAGES = ("landing", "schedule", "register", "register_errors", "confirmation", "login", "hidden")
BASE = "http://127.0.0.1:8000"
"""The fixture site's address as the golden files spell it (the real one is on a free port)."""


def normalise(snap: PageSnapshot, site: str) -> dict[str, Any]:
    """The snapshot as JSON with the live site's address written as ``BASE``."""
    return json.loads(snap.model_dump_json().replace(site, BASE))


async def snapshot_of(page: Page, site: str, name: str) -> dict[str, Any]:
    await page.goto(f"{site}/{name}.html", wait_until="domcontentloaded")
    return normalise(await take_snapshot(page), site)


def load() -> dict[str, PageSnapshot]:
    """The committed snapshots, by page name."""
    return {name: PageSnapshot.model_validate_json((GOLDEN / f"{name}.json").read_text()) for name in PAGES}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *_: object) -> None:
        return None


async def record() -> list[Path]:
    """Serve the fixture pages, snapshot each in Chromium, write the JSON files."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(HTML)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_port}"
    written: list[Path] = []
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=find_chromium(), args=chromium_args())
            page = await browser.new_page()
            for name in PAGES:
                path = GOLDEN / f"{name}.json"
                path.write_text(json.dumps(await snapshot_of(page, site, name), indent=1, sort_keys=True) + "\n")
                written.append(path)
            await browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return written


if __name__ == "__main__":
    for p in asyncio.run(record()):
        print(f"wrote {p}")
