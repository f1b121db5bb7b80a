"""A secret reference (``env:NAME``) is typed into the page and appears nowhere else: not in the workflow
history, the worker's logs, the step log, the store, or a masked screenshot's accessibility text."""

from __future__ import annotations

import json
import logging

import pytest
from google.protobuf.json_format import MessageToJson
from sqlalchemy import inspect, text

from browserflow.browser import actor
from browserflow.contracts import TaskStatus
from browserflow.snapshot import take_snapshot
from demo import DemoSite
from tests.conftest import Engine

pytestmark = pytest.mark.integration

ENV = "BROWSERFLOW_SECRET_POOL_PASSWORD"  # an allowed name (the prefix): see browserflow.secrets


def login_request(site: DemoSite) -> dict[str, object]:
    return {
        "goal": "Log in to my account",
        "start_url": site.url("/login"),
        "data": {"username": site.username, "password": f"env:{ENV}"},
        "success_text": "Welcome back",
        "max_steps": 5,
        "timeout": 60,
    }


async def test_secret_is_used_but_never_recorded(
    engine: Engine, site: DemoSite, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = site.password
    monkeypatch.setenv(ENV, secret)
    caplog.set_level(logging.DEBUG)

    handle = await engine.tasks.submit(login_request(site))
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason  # the site accepted the resolved password
    assert "/account" in result.final_url

    # workflow history: raw protobuf bytes (payloads unencoded) and its JSON form
    history = await engine.client.get_workflow_handle(handle.id).fetch_history()
    raw = b"".join(e.SerializeToString() for e in history.events)
    assert secret.encode() not in raw  # payloads are sealed by the codec: neither the value ...
    assert f"env:{ENV}".encode() not in raw  # ... nor even the reference is readable in the raw history
    started = history.events[0].workflow_execution_started_event_attributes
    decoded = await engine.client.data_converter.decode(started.input.payloads, [dict])
    assert decoded[0]["data"]["password"] == f"env:{ENV}"  # decoded, the reference travels; the value does not
    as_json = history.to_json() + "".join(MessageToJson(e) for e in history.events)
    assert secret not in as_json

    # worker logs (everything at DEBUG, every logger, for the whole run)
    messages = [r.getMessage() for r in caplog.records]
    assert messages  # the run logged something
    assert not [m for m in messages if secret in m]

    # the step log
    log = await handle.steps()
    dumped = log.model_dump_json()
    assert any(a.data_key == "password" for s in log.steps for a in s.actions)
    assert secret not in dumped

    # the store: every row of every table
    with engine.store.engine.connect() as conn:
        rows = []
        for table in inspect(conn).get_table_names():
            rows += [json.dumps([str(v) for v in row]) for row in conn.execute(text(f'SELECT * FROM "{table}"'))]
    assert any(handle.id in row for row in rows)
    assert not [row for row in rows if secret in row]


async def test_masked_screenshot_and_accessibility_text_hold_no_secret(engine: Engine, site: DemoSite) -> None:
    secret = site.password
    session = await engine.pool.open("secrets-screenshot")
    try:
        page = session.page
        await page.goto(site.url("/login"))
        await page.fill("#username", site.username)
        await page.fill("#password", secret)
        assert await page.input_value("#password") == secret  # really filled
        # Playwright's own accessibility text shows a password box's value in clear ...
        assert secret in await page.locator("body").aria_snapshot()
        # ... the engine's capture masks the field in the image and redacts it in the text
        shot, aria = await actor.masked_capture(page)
        assert shot.startswith(b"\x89PNG")
        assert shot != await page.screenshot()  # the mask changed the picture
        assert 'textbox "Password"' in aria and site.username in aria  # the text is there, the secret is not
        assert secret not in aria, aria
        snapshot = await take_snapshot(page)
        assert secret not in snapshot.model_dump_json()
        assert any(e.type == "password" for e in snapshot.elements)
    finally:
        await engine.pool.close(session.id)
