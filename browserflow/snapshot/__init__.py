"""Turning a live page into a compact ``PageSnapshot``.

One ``page.evaluate`` of ``extract.js`` lists every visible interactive element (tagging each with
``data-bf-ref``), the page text with error messages first, and which probe selectors are present. The result
is hashed (``state_hash``) and pruned to a byte budget (``prune``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from browserflow.contracts import Element, Option, PageSnapshot
from browserflow.snapshot.prune import DEFAULT_MAX_BYTES, json_size, prune

if TYPE_CHECKING:
    from playwright.async_api import Page

__all__ = [
    "DEFAULT_MAX_BYTES",
    "EXTRACT_JS",
    "build_snapshot",
    "compute_state_hash",
    "extract_raw",
    "json_size",
    "prune",
    "take_snapshot",
]

EXTRACT_JS: str = resources.files("browserflow.snapshot").joinpath("extract.js").read_text(encoding="utf-8")
"""The extraction function's source (an arrow function taking the list of probe selectors)."""

# The result crosses the protocol as one JSON string: Playwright's per-value serialisation of a large object
# tree costs far more (hundreds of ms for ~600 elements) than the extraction itself.
# Icons drawn by CSS (an empty element whose ``content`` or background is a picture) take their size only once
# their picture has loaded: a page that has just built its content is read after those pictures arrive (at
# most PICTURE_WAIT_MS; pictures already loaded cost nothing).
PICTURE_WAIT_MS = 800
LOAD_WAIT_MS = 1500
_PICTURES_JS = f"""async () => {{
  const urls = new Set();
  const all = document.body ? document.body.getElementsByTagName("*") : [];
  for (let i = 0; i < all.length && i < 3000 && urls.size < 40; i++) {{
    const el = all[i];
    if (el.childElementCount || el.textContent.trim()) continue;
    const s = getComputedStyle(el);
    const m = /url\\(["']?([^"')]+)["']?\\)/.exec(s.content + " " + s.backgroundImage);
    if (m && !m[1].startsWith("data:")) urls.add(m[1]);
  }}
  const waits = [...urls].map((u) => new Promise((done) => {{
    const img = new Image(); img.onload = img.onerror = done; img.src = u; if (img.complete) done();
  }}));
  if (waits.length) await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, {PICTURE_WAIT_MS}))]);
}}"""
_EVALUATE_JSON = f"async (probes) => {{ await ({_PICTURES_JS})(); return JSON.stringify(({EXTRACT_JS.strip()})(probes)); }}"

_ELEMENT_FIELDS = frozenset(Element.model_fields)


async def take_snapshot(
    page: Page, probe_selectors: Sequence[str] = (), *, max_bytes: int = DEFAULT_MAX_BYTES
) -> PageSnapshot:
    """Snapshot ``page`` in one ``evaluate`` call; the result's JSON is at most ``max_bytes`` (when possible).
    A page still loading is read once its ``load`` event has run (at most ``LOAD_WAIT_MS``): many pages build
    their content in an onload handler."""
    from playwright.async_api import Error as PlaywrightError

    with contextlib.suppress(PlaywrightError):  # still loading after the wait (a slow picture): read what is there
        await page.wait_for_load_state("load", timeout=LOAD_WAIT_MS)
    return build_snapshot(await extract_raw(page, probe_selectors), max_bytes=max_bytes)


async def extract_raw(page: Page, probe_selectors: Sequence[str] = ()) -> dict[str, Any]:
    """Run ``extract.js`` on ``page`` (one ``evaluate``) and return its result as plain data."""
    result = json.loads(await page.evaluate(_EVALUATE_JSON, list(probe_selectors)))
    if not isinstance(result, dict):
        raise TypeError("extract.js returned something other than an object")
    return result


def build_snapshot(raw: Mapping[str, Any], *, max_bytes: int = DEFAULT_MAX_BYTES) -> PageSnapshot:
    """Build the pruned ``PageSnapshot`` from what ``extract.js`` returned."""
    elements: list[Element] = []
    filled: list[bool] = []
    for item in raw.get("elements", []):
        fields = {k: v for k, v in item.items() if k in _ELEMENT_FIELDS}
        fields["options"] = [Option(**o) for o in item.get("options", [])]
        elements.append(Element(**fields))
        filled.append(bool(item.get("filled")))
    snapshot = PageSnapshot(
        url=str(raw.get("url", "")),
        title=str(raw.get("title", "")),
        elements=elements,
        text=str(raw.get("text", "")),
        errors=[str(e) for e in raw.get("errors", [])],
        present_selectors=[str(s) for s in raw.get("present", [])],
        active=str(raw.get("active", "") or ""),
    )
    snapshot.state_hash = compute_state_hash(snapshot, filled)
    return prune(snapshot, max_bytes)


def compute_state_hash(snapshot: PageSnapshot, filled: Sequence[bool] | None = None) -> str:
    """A 16-hex-digit hash of what makes a page state: URL path and query, title, each element's
    (role, name, type, value, checked), and the text. ``filled`` (one flag per element, from the
    extraction) lets a typed password change the hash without its value ever being read."""
    parts = urlsplit(snapshot.url)
    where = parts.path + (f"?{parts.query}" if parts.query else "")
    rows = []
    for i, e in enumerate(snapshot.elements):
        secret_filled = bool(filled[i]) if filled is not None and i < len(filled) and e.type == "password" else None
        rows.append([e.role, e.name, e.type, e.value, e.checked, secret_filled])
    payload = json.dumps([where, snapshot.title, rows, snapshot.text], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
