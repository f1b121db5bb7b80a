"""Gestures on real Chromium. Pointing at a menu entry: its submenu opens after the menu's delay and the
snapshot after the action shows it; the entry is read as a closed popup before and an open one after; nothing
is clicked. Scrolling a (disabled) box to its end fires the page's scroll handler."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from browserflow.browser.actor import perform
from browserflow.browser.pool import BrowserPool, Session
from browserflow.contracts import Action
from browserflow.snapshot import take_snapshot

MENU = """<!doctype html><html><body>
<ul role="menu" id="menu">
  <li><div role="menuitem" id="file" aria-haspopup="true">File</div>
    <ul role="menu" id="sub" style="display:none"><li><div role="menuitem" id="export">Export</div></li></ul></li>
  <li><div role="menuitem" id="help">Help</div></li>
</ul>
<p id="chosen">nothing chosen</p>
<script>
  const file = document.getElementById("file");
  file.addEventListener("mouseenter", () => setTimeout(() => { document.getElementById("sub").style.display = "block"; }, 300));
  file.addEventListener("click", () => { document.getElementById("chosen").textContent = "File chosen"; });
</script></body></html>"""


@pytest.fixture
async def session(pool: BrowserPool) -> AsyncIterator[Session]:
    opened = await pool.open("hover-unit")
    yield opened
    await pool.close(opened.id)


async def test_pointing_at_an_entry_opens_its_submenu_and_chooses_nothing(session: Session) -> None:
    await session.page.set_content(MENU)
    before = await take_snapshot(session.page)
    entry = next(e for e in before.elements if e.name == "File")
    assert entry.expanded is False
    assert not any(e.name == "Export" for e in before.elements)

    await perform(session, [Action(kind="hover", selector="#file", label="File")], [])

    after = await take_snapshot(session.page)
    assert next(e for e in after.elements if e.name == "File").expanded is True
    assert any(e.name == "Export" and e.role == "menuitem" for e in after.elements)
    assert await session.page.text_content("#chosen") == "nothing chosen"


async def test_an_entry_without_a_popup_is_neither_open_nor_closed(session: Session) -> None:
    await session.page.set_content(MENU)
    snap = await take_snapshot(session.page)
    assert next(e for e in snap.elements if e.name == "Help").expanded is None


async def test_a_field_alone_in_a_box_with_a_short_text_is_named_by_it(session: Session) -> None:
    await session.page.set_content("""<!doctype html><body>
      <div class="row"><div>Genre</div><input id="g"></div>
      <div class="entry"><input id="d"><div class="label">Director</div></div>
      <div class="field"><div class="label">Year:</div><div class="input"><input id="y"></div></div>
      <div class="two"><span>Both</span><input id="a"><input id="b"></div></body>""")
    snap = await take_snapshot(session.page)
    ctx = {e.html_id: e.context for e in snap.elements if e.tag == "input"}
    assert ctx == {"g": "Genre", "d": "Director", "y": "Year", "a": "", "b": ""}


AGREEMENT = """<!doctype html><body>
<textarea id="terms" disabled style="height:40px">""" + "Terms. " * 400 + """</textarea>
<input id="name" disabled placeholder="Name"><button id="agree" disabled>Agree</button>
<script>
  document.getElementById("terms").addEventListener("scroll", function () {
    if (this.scrollHeight <= this.scrollTop + this.clientHeight + 5) {
      document.getElementById("name").disabled = false; document.getElementById("agree").disabled = false;
    }
  });
</script></body>"""


async def test_scrolling_a_disabled_box_to_its_end_unlocks_what_it_guards(session: Session) -> None:
    await session.page.set_content(AGREEMENT)
    before = await take_snapshot(session.page)
    assert next(e for e in before.elements if e.html_id == "name").disabled

    await perform(session, [Action(kind="scroll", selector="#terms", value="bottom", label="terms")], [])

    after = await take_snapshot(session.page)
    assert not next(e for e in after.elements if e.html_id == "name").disabled
    top = await session.page.evaluate("document.getElementById('terms').scrollTop")
    assert top > 0


async def test_scrolling_the_page(session: Session) -> None:
    await session.page.set_content("<body><div style='height:5000px'>tall</div><p id='end'>end</p></body>")
    await perform(session, [Action(kind="scroll", value="bottom")], [])
    assert await session.page.evaluate("window.scrollY") > 1000
    await perform(session, [Action(kind="scroll", value="top")], [])
    assert await session.page.evaluate("window.scrollY") == 0


FEED = """<!doctype html><html><head><style>
.like { content: url("data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="); width: 14px; height: 14px; }
.like:hover { cursor: pointer; }
</style></head><body><div id="feed">
<div class="media"><span class="user">@ann</span><p>first</p><span class="like"></span></div>
<div class="media"><span class="user">@bob</span><p>second</p><span class="like"></span></div>
<div class="media"><span class="user">@ann</span><p>third</p><span class="like"></span></div>
</div></body></html>"""


async def test_icons_in_like_blocks_are_named_and_know_their_block(session: Session) -> None:
    await session.page.set_content(FEED)
    snap = await take_snapshot(session.page)
    likes = [e for e in snap.elements if e.name == "like"]
    assert [e.context for e in likes] == ["@ann first", "@bob second", "@ann third"]
    assert not any(e.pointer for e in likes)  # the pointer shows only on hover: still listed, as an icon


async def test_a_page_built_on_load_is_read_after_its_load_handler(session: Session, pool: BrowserPool) -> None:
    import http.server
    import threading

    body = b"""<!doctype html><body><div id="area"></div><img src="/slow.png">
      <script>window.onload = () => { document.getElementById('area').innerHTML = '<button>Built</button>'; };</script>
      </body>"""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/slow.png":
                slow.wait(2)  # held until the test lets it go: the load event waits for it
            self.send_response(200)
            self.send_header("Content-Type", "image/png" if self.path == "/slow.png" else "text/html")
            self.end_headers()
            self.wfile.write(b"" if self.path == "/slow.png" else body)

        def log_message(self, *_: object) -> None:
            return None

    slow = threading.Event()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        await session.page.goto(f"http://127.0.0.1:{server.server_address[1]}/", wait_until="domcontentloaded")
        threading.Timer(0.2, slow.set).start()
        snap = await take_snapshot(session.page)
        assert any(e.name == "Built" for e in snap.elements)
    finally:
        slow.set()
        server.shutdown()
