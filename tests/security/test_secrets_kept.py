"""Secrets stay secret in everything the engine keeps (#14 item 5, #11 item 5).

- a resolved ``env:`` secret is typed into the page, and the kept Playwright trace (every entry of the zip, at
  every detail level) holds none of its spellings; nor do the logs, the step log, the store or the history;
- values under sensitive keys (``password``, ``card_number``) passed in clear are typed into the page where the
  task needs them, and are kept nowhere: not in the step log, the store, the logs, the trace, a prompt or a
  reviewer's screenshot text.
"""

from __future__ import annotations

import json
import logging
import os
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from activities.review import ReviewActivities
from browserflow import secrets
from browserflow.browser import actor, trace_scrub
from browserflow.contracts import Action, DecideInput, ScreenshotInput, TaskStatus
from browserflow.errors import SecretNotAllowed, SecretUnavailable
from browserflow.llm.prompt import build_prompt
from browserflow.snapshot import take_snapshot
from demo import DemoSite
from tests.conftest import Engine
from tests.security.hostile import Site, home

__all__ = ["home"]

pytestmark = pytest.mark.integration

ENV = "BROWSERFLOW_SECRET_KEPT_POOL_PASSWORD"
CLEAR = {"password": "clear-pass-123", "card_number": "4111111111111111"}

JOIN_FORM = """<!doctype html><title>Join the club</title><h1>Join the swim club</h1>
<form method=post action="/join">
  <label>Name <input name=name required></label>
  <label>Password <input type=password name=password required></label>
  <label>Card number <input name=card_number inputmode=numeric required></label>
  <button type=submit>Join the club</button>
</form>"""
WELCOME = "<!doctype html><title>Welcome</title><h1>Welcome to the club</h1><p>Eden Levi is a member now.</p>"


def kept_artifacts(root: Path) -> dict[str, bytes]:
    """Every file under ``root``, and every entry of every zip among them (a trace, unzipped)."""
    found: dict[str, bytes] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found[str(path)] = data
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                for name in zf.namelist():
                    found[f"{path}!{name}"] = zf.read(name)
    return found


def holding(found: dict[str, bytes], value: str) -> list[str]:
    forms = [f.encode() for f in secrets.spellings(value)]
    return [name for name, data in found.items() if any(f in data for f in forms)]


def store_rows(engine: Engine) -> list[str]:
    with engine.store.engine.connect() as conn:
        rows: list[str] = []
        for table in inspect(conn).get_table_names():
            rows += [json.dumps([str(v) for v in row]) for row in conn.execute(text(f'SELECT * FROM "{table}"'))]
    return rows


def traces(found: dict[str, bytes]) -> list[str]:
    return [name for name in found if name.endswith(".zip")]


@pytest.mark.parametrize("detail", ["actions", "snapshots", "full"])
async def test_kept_trace_holds_no_resolved_secret(
    engine: Engine, site: DemoSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, detail: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = site.password
    monkeypatch.setenv(ENV, secret)
    monkeypatch.setenv("BROWSERFLOW_TRACE", "always")
    monkeypatch.setenv("BROWSERFLOW_TRACE_DETAIL", detail)
    monkeypatch.setenv("BROWSERFLOW_DATA_DIR", str(tmp_path))
    caplog.set_level(logging.DEBUG)
    result = await engine.tasks.run({
        "goal": "Log in to my account", "start_url": site.url("/login"),
        "data": {"username": site.username, "password": f"env:{ENV}"},
        "success_text": "Welcome back", "max_steps": 5, "timeout": 60, "use_cache": False,
    })
    assert result.status == TaskStatus.SUCCEEDED, result.reason  # the site accepted the resolved password

    found = kept_artifacts(tmp_path / "artifacts")
    assert traces(found), f"no trace kept: {list(found)}"
    events = b"".join(data for name, data in found.items() if name.endswith("!trace.trace"))
    assert b'"fill"' in events and secrets.MASK.encode() in events  # the fill was recorded, its value scrubbed
    assert holding(found, secret) == []
    assert not [r.getMessage() for r in caplog.records if secret in r.getMessage()]
    assert not [row for row in store_rows(engine) if secret in row]
    history = await engine.client.get_workflow_handle(result.task_id).fetch_history()
    assert secret.encode() not in b"".join(e.SerializeToString() for e in history.events)


async def test_env_reference_outside_the_allowed_names_is_refused(
    engine: Engine, site: DemoSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """High-severity case 5: ``env:PATH`` used to type the worker's PATH into the page."""
    monkeypatch.delenv("BROWSERFLOW_SECRET_ALLOW", raising=False)
    monkeypatch.delenv("BROWSERFLOW_SECRET_PREFIX", raising=False)
    handle = await engine.tasks.submit({
        "goal": "Log in to my account", "start_url": site.url("/login"),
        "data": {"username": site.username, "password": "env:PATH"},
        "success_text": "Welcome back", "max_steps": 5, "timeout": 60, "use_cache": False,
    })
    result = await handle.result()
    assert result.status == TaskStatus.FAILED
    assert "env:PATH is not allowed" in result.reason and "BROWSERFLOW_SECRET_ALLOW" in result.reason
    log = await handle.steps()
    assert os.environ["PATH"] not in log.model_dump_json() + result.model_dump_json()
    assert not any(s.url_after.endswith("/account") for s in log.steps)  # nothing was typed and accepted


def test_allowed_names_are_read_at_resolve_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_APP_PW", "pw-from-allow-list")
    monkeypatch.setenv("BROWSERFLOW_SECRET_APP_PW", "pw-with-prefix")
    monkeypatch.delenv("BROWSERFLOW_SECRET_ALLOW", raising=False)
    monkeypatch.delenv("BROWSERFLOW_SECRET_PREFIX", raising=False)
    assert secrets.resolve("env:BROWSERFLOW_SECRET_APP_PW") == "pw-with-prefix"
    with pytest.raises(SecretNotAllowed, match="env:MY_APP_PW is not allowed"):
        secrets.resolve("env:MY_APP_PW")
    with pytest.raises(SecretNotAllowed):
        secrets.resolve("env:ANTHROPIC_API_KEY")
    monkeypatch.setenv("BROWSERFLOW_SECRET_ALLOW", "OTHER, MY_APP_PW")
    seen: set[str] = set()
    assert secrets.resolve("env:MY_APP_PW", seen=seen) == "pw-from-allow-list"
    assert seen == {"pw-from-allow-list"}
    monkeypatch.setenv("BROWSERFLOW_SECRET_PREFIX", "")  # no prefix: the allow-list only
    with pytest.raises(SecretNotAllowed):
        secrets.resolve("env:BROWSERFLOW_SECRET_APP_PW")
    with pytest.raises(SecretNotAllowed):
        secrets.resolve("env:BROWSERFLOW_SECRET_")  # the bare prefix is no name
    monkeypatch.setenv("BROWSERFLOW_SECRET_PREFIX", "APP_SECRET_")
    monkeypatch.delenv("APP_SECRET_MISSING", raising=False)
    with pytest.raises(SecretUnavailable, match="not set"):
        secrets.resolve("env:APP_SECRET_MISSING")


@pytest.mark.parametrize("key", ["password", "card_number", "Card number", "cvc", "CVV2", "pin", "pin_code",
                                 "api_key", "apiKey", "ssn", "social_security_number", "otp", "access_token",
                                 "security code", "credit_card", "passcode"])
def test_sensitive_keys(key: str) -> None:
    assert secrets.is_sensitive_key(key)


@pytest.mark.parametrize("key", ["name", "email", "username", "date_of_birth", "level", "spinner", "author",
                                 "opinion", "compass", "shipping_address"])
def test_plain_keys(key: str) -> None:
    assert not secrets.is_sensitive_key(key)


def test_mask_covers_escaped_and_encoded_spellings() -> None:
    value = 'p@ss wörd"&<1>'
    text = json.dumps({"v": value}) + " password=p%40ss+w%C3%B6rd%22%26%3C1%3E "
    text += "p@ss wörd&quot;&amp;&lt;1&gt; " + json.dumps({"postData": "pw=p%40ss%20w%C3%B6rd%22%26%3C1%3E"})
    masked = secrets.mask(text, [value])
    assert masked.count(secrets.MASK) == 4, masked
    assert "p@ss" not in masked and "ss w" not in masked


async def test_clear_sensitive_values_are_typed_and_kept_nowhere(
    engine: Engine, home: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("BROWSERFLOW_TRACE", "always")
    monkeypatch.setenv("BROWSERFLOW_TRACE_DETAIL", "snapshots")
    monkeypatch.setenv("BROWSERFLOW_DATA_DIR", str(tmp_path))
    caplog.set_level(logging.DEBUG)
    home.page("/", JOIN_FORM)
    home.page("POST /join", WELCOME)
    data = {"name": "Eden Levi", **CLEAR}
    handle = await engine.tasks.submit({
        "goal": "Join the swim club", "start_url": home.url("/"), "data": data,
        "success_text": "Welcome to the club", "max_steps": 5, "timeout": 90, "use_cache": False,
        "review_policy": "never",
    })
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    posted = [h.body for h in home.hits if h.method == "POST"]
    assert len(posted) == 1
    assert "password=clear-pass-123" in posted[0] and "card_number=4111111111111111" in posted[0]  # typed

    log = await handle.steps()
    fills = {a.data_key: a for s in log.steps for a in s.actions if a.kind == "fill"}
    assert {"password", "card_number", "name"} <= set(fills)
    assert fills["password"].value == secrets.MASK and fills["name"].value == "Eden Levi"
    dumped = log.model_dump_json()
    rows = store_rows(engine)
    assert any(handle.id in row for row in rows)
    messages = [r.getMessage() for r in caplog.records]
    found = kept_artifacts(tmp_path / "artifacts")
    assert traces(found)
    history = await engine.client.get_workflow_handle(handle.id).fetch_history()
    raw = b"".join(e.SerializeToString() for e in history.events)
    for value in CLEAR.values():
        assert value.encode() not in raw  # sealed by the payload codec
        assert value not in dumped
        assert not [row for row in rows if value in row]
        assert not [m for m in messages if value in m]
        assert holding(found, value) == []

    # a prompt for the next page, and the reviewer's screenshot text, of the same form typed the same way
    session = await engine.pool.open("clear-secrets-prompt")
    try:
        await session.page.goto(home.url("/"))
        snapshot = await take_snapshot(session.page)
        by_key = {e.html_name: e for e in snapshot.elements}
        typed = [Action(kind="fill", selector=f"[name={k}]", label=k, value=v, data_key=k) for k, v in data.items()]
        await actor.perform(session, typed, [home.host])
        assert await session.page.input_value("[name=card_number]") == CLEAR["card_number"]
        assert session.secret_values == set(CLEAR.values())  # what its trace is scrubbed of
        after = await take_snapshot(session.page)
        prompt = build_prompt(DecideInput(goal="Join the swim club", data=data, snapshot=after, history=log.steps))
        _, aria = await actor.masked_capture(session.page, session.secret_values)
        assert "Eden Levi" in prompt.user and "Eden Levi" in aria and by_key["card_number"].selector
        for value in CLEAR.values():
            assert value not in prompt.system + prompt.user
            assert value not in aria, aria
        # the reviewer's screenshot masks the card number box (a text field) as well as the password box
        shot = await ReviewActivities(engine.pool, tmp_path / "review").screenshot(
            ScreenshotInput(session_id=session.id, task_id="clear-secrets", name="review")
        )
        black = "#000000"
        page = session.page
        password_only = await page.screenshot(mask=[page.locator("input[type=password]")], mask_color=black)
        both = await page.screenshot(mask=[page.locator("input[type=password], [name=card_number]")], mask_color=black)
        assert Path(shot.path).read_bytes() == both != password_only
    finally:
        await engine.pool.close(session.id, keep_trace=True)
    found = kept_artifacts(tmp_path / "artifacts")
    for value in CLEAR.values():
        assert holding(found, value) == []


def test_scrub_trace_rewrites_text_drops_frames_and_proves_the_result(tmp_path: Path) -> None:
    secret = "hunter 2&go"
    raw = tmp_path / "trace.zip.raw"
    with zipfile.ZipFile(raw, "w") as zf:
        zf.writestr("trace.trace", json.dumps({"type": "before", "method": "fill", "params": {"value": secret}}) + "\n"
                    + json.dumps({"type": "screencast-frame", "sha1": "f1.jpeg"}) + "\n")
        zf.writestr("trace.network", json.dumps({"postData": {"text": "pw=hunter+2%26go"}}) + "\n")
        zf.writestr("resources/f1.jpeg", b"\xff\xd8 a picture of the typed form")
        zf.writestr("resources/blob.bin", b"\x00\xff" + secret.encode())
        zf.writestr("resources/font.woff", b"\x00\xff plain bytes")
    target = tmp_path / "trace.zip"
    assert trace_scrub.scrub_trace(raw, target, {secret})
    assert not raw.exists()
    with zipfile.ZipFile(target) as zf:
        names = zf.namelist()
        events = zf.read("trace.trace").decode()
        network = zf.read("trace.network").decode()
    assert names == ["trace.trace", "trace.network", "resources/font.woff"]  # frame and secret-holding blob gone
    assert '"fill"' in events and secrets.MASK in events and "screencast-frame" not in events
    assert secrets.MASK in network
    assert not trace_scrub.holds_secret(target, {secret})
