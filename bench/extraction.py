"""Page extraction: our ``extract.js`` snapshot vs Playwright's ``page.aria_snapshot(mode="ai")``.

Run:  .venv/bin/python bench/extraction.py [--runs 15] [--elements 500]

For each fixture page (tests/fixtures/html) and a generated page with ~500 interactive elements, both
extractions run ``--runs`` times, interleaved; the table shows median milliseconds, output bytes, interactive
elements seen, and decision facts each output carries (required flags, option values, input types). Ratios
are aria / ours: above 1 means ours is faster / smaller.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import statistics
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.async_api import Page, async_playwright

from client.session import exit_cleanly, run_async

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from browserflow.contracts import DecideInput  # noqa: E402
from browserflow.rules import decide_rules  # noqa: E402
from browserflow.snapshot import build_snapshot, extract_raw, json_size, take_snapshot  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "html"
PAGES = ["landing.html", "schedule.html", "register.html", "register_errors.html", "login.html", "hidden.html"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
_ARIA_INTERACTIVE = re.compile(
    r"^\s*- (link|button|textbox|searchbox|combobox|listbox|checkbox|radio|switch|tab|menuitem|spinbutton|slider)\b",
    re.M,
)
_TYPED = {"email", "date", "password", "tel", "number", "url", "time", "datetime-local", "month", "week"}


def large_page_html(target: int) -> str:
    """A page with about ``target`` interactive elements: nav, a form with a long select, a table, a footer."""
    links = target // 6
    rows = (target - 2 * links - 12) // 2
    nav = "".join(f'<li><a href="/section/{i}">Section {i} overview</a></li>' for i in range(links))
    options = "".join(f'<option value="c{i}">Country number {i}</option>' for i in range(200))
    fields = "".join(
        f'<p><label for="f{i}">Field {i}</label><input id="f{i}" name="field_{i}" required></p>' for i in range(10)
    )
    table = "".join(
        f"<tr><td>Session {i}</td><td>Lane {i % 8}</td><td>Coach {'ABCDEFG'[i % 7]} leads session {i}</td>"
        f'<td><a href="/session/{i}">View</a></td><td><button type="button">Book</button></td></tr>'
        for i in range(rows)
    )
    footer = "".join(f'<a href="/footer/{i}">Footer link {i}</a> ' for i in range(links))
    return (
        f"<!doctype html><html><head><title>Large page</title></head><body><nav><ul>{nav}</ul></nav>"
        f'<h1>Large</h1><form>{fields}<select name="country" required>{options}</select>'
        f'<button type="submit">Save</button></form><table>{table}</table><footer>{footer}</footer></body></html>'
    )


@dataclass
class Row:
    page: str
    ours_ms: float
    aria_ms: float
    ours_bytes: int
    ours_full_bytes: int
    aria_bytes: int
    ours_elements: int
    aria_elements: int
    facts: int  # required flags + option values + typed inputs in our snapshot
    aria_facts: int  # how many of those the aria text shows


async def _median_ms(fn: Callable[[], Awaitable[object]], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def measure(page: Page, label: str, runs: int) -> Row:
    # warm both paths once (script compilation, accessibility tree)
    await take_snapshot(page)
    aria = await page.aria_snapshot(mode="ai")

    ours_times: list[float] = []
    aria_times: list[float] = []
    for _ in range(runs):  # interleaved so load on the machine hits both alike
        ours_times.append(await _median_ms(lambda: take_snapshot(page), 1))
        aria_times.append(await _median_ms(lambda: page.aria_snapshot(mode="ai"), 1))

    raw = await extract_raw(page)
    full = build_snapshot(raw, max_bytes=1 << 30)
    pruned = build_snapshot(raw)

    facts = 0
    aria_facts = 0
    for e in full.elements:
        if e.required:
            facts += 1
        for o in e.options:
            if o.value and o.value != o.label:
                facts += 1
                aria_facts += f'"{o.value}"' in aria
        if e.type in _TYPED:
            facts += 1
    aria_facts += aria.count("[required]") + len(re.findall(r"\btype=", aria))
    return Row(
        page=label,
        ours_ms=statistics.median(ours_times),
        aria_ms=statistics.median(aria_times),
        ours_bytes=json_size(pruned),
        ours_full_bytes=json_size(full),
        aria_bytes=len(aria.encode()),
        ours_elements=len(full.elements),
        aria_elements=len(_ARIA_INTERACTIVE.findall(aria)),
        facts=facts,
        aria_facts=aria_facts,
    )


def serve(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def decide_timing(raw: dict[str, object], runs: int) -> tuple[int, float, float]:
    """Median ms of ``decide_rules`` on the unpruned generated page: a form plan and a link choice."""
    snap = build_snapshot(raw, max_bytes=1 << 30)
    data = {f"field_{i}": f"value {i}" for i in range(10)} | {"country": "Country number 150"}
    medians = []
    for inp in (
        DecideInput(goal="Save my details", data=data, snapshot=snap),
        DecideInput(goal="Book session 42 with coach A", data={}, snapshot=snap),
    ):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            decision = decide_rules(inp)
            times.append((time.perf_counter() - started) * 1000)
            assert decision.actions, decision.reason
        medians.append(statistics.median(times))
    return len(snap.elements), medians[0], medians[1]


async def main(runs: int, elements: int) -> None:
    server, base = serve(FIXTURES)
    rows: list[Row] = []
    decide_page: dict[str, object] = {}
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            page = await browser.new_page()
            for name in PAGES:
                await page.goto(f"{base}/{name}", wait_until="load")
                rows.append(await measure(page, name, runs))
            await page.set_content(large_page_html(elements))
            rows.append(await measure(page, f"generated ({elements})", runs))
            await page.set_content(large_page_html(300))
            decide_page = await extract_raw(page)
            await browser.close()
    finally:
        server.shutdown()
        server.server_close()

    print(f"extraction: ours (extract.js + build + prune) vs page.aria_snapshot(mode='ai'); median of {runs} runs")
    header = (
        f"{'page':<22}{'ours ms':>9}{'aria ms':>9}{'t aria/ours':>12}"
        f"{'ours B':>9}{'(unpruned)':>11}{'aria B':>9}{'B aria/ours':>12}{'elems o/a':>11}{'facts o/a':>11}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.page:<22}{r.ours_ms:>9.1f}{r.aria_ms:>9.1f}{r.aria_ms / r.ours_ms:>12.2f}"
            f"{r.ours_bytes:>9}{r.ours_full_bytes:>11}{r.aria_bytes:>9}{r.aria_bytes / r.ours_bytes:>12.2f}"
            f"{f'{r.ours_elements}/{r.aria_elements}':>11}{f'{r.facts}/{r.aria_facts}':>11}"
        )
    time_ratio = statistics.geometric_mean([r.aria_ms / r.ours_ms for r in rows])
    size_ratio = statistics.geometric_mean([r.aria_bytes / r.ours_bytes for r in rows])
    facts, aria_facts = sum(r.facts for r in rows), sum(r.aria_facts for r in rows)
    print("-" * len(header))
    print(
        f"geometric mean: time aria/ours {time_ratio:.2f}, bytes aria/ours {size_ratio:.2f}; "
        f"decision facts (required, option values, input types): ours {facts}, aria {aria_facts}"
    )
    aria_better = time_ratio < 0.8 and size_ratio < 1.0 and aria_facts >= facts
    biggest = max(rows, key=lambda r: r.ours_full_bytes)
    if aria_better:
        print("recommendation: switch to aria_snapshot: it is clearly faster, smaller and carries the same facts")
    else:
        speed = f"{time_ratio:.2f}x faster" if time_ratio >= 1.0 else f"{1 / time_ratio:.2f}x slower"
        print(
            f"recommendation: keep our extract.js as the engine's path: {speed}, and {facts - aria_facts} decision "
            f"facts plus durable selectors that aria_snapshot lacks; aria text is {size_ratio:.2f}x our bytes on "
            f"average but unbounded ({biggest.aria_bytes} B on {biggest.page} vs our {biggest.ours_bytes} B pruned)"
        )
    count, form_ms, link_ms = decide_timing(decide_page, runs)
    print(
        f"decide_rules on a {count}-element page (unpruned): form plan {form_ms:.2f} ms, link choice {link_ms:.2f} ms "
        f"(median of {runs}; target < 5 ms)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per page and method (median is reported)")
    parser.add_argument("--elements", type=int, default=500, help="interactive elements on the generated page")
    args = parser.parse_args()
    exit_cleanly(lambda: run_async(lambda: main(args.runs, args.elements)))
