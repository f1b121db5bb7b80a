"""Every demo-site fault end to end: the engine recovers (exactly one registration) or ends with a clear status.

Each test checks the site really served the fault (``site.faults.served``) and, for the faults recovered inside
the page activities, that the recovery table's strategy was the one that ran (the recovery log records).
"""

from __future__ import annotations

import logging
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from browserflow.contracts import TaskStatus
from demo import DemoSite
from tests.conftest import Engine
from tests.workflows.test_task import demo_request

pytestmark = pytest.mark.integration

RECOVERY_LOGGER = "browserflow.browser.recovery"


@pytest.fixture
def recoveries(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Capture the recovery log ("recovery <strategy> for <error> (attempt n): <outcome>") of this test."""
    caplog.set_level(logging.INFO, logger=RECOVERY_LOGGER)
    yield


def collected(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == RECOVERY_LOGGER]


async def run_demo(engine: Engine, site: DemoSite, **changes: object) -> tuple[TaskStatus, str, int]:
    # live decisions (no cached path), so every test meets its fault on the same three-step route
    result = await engine.tasks.run(demo_request(site, use_cache=False, max_steps=8, timeout=90, **changes))
    return result.status, result.reason, result.steps_taken


async def test_late_element_waits_and_succeeds(
    engine: Engine, site: DemoSite, caplog: pytest.LogCaptureFixture, recoveries: None
) -> None:
    site.faults.late_element_ms = 1200  # the form's Register button is added by a script 1.2 s after load
    status, reason, steps = await run_demo(engine, site)
    assert status == TaskStatus.SUCCEEDED, reason
    assert site.registration_count() == 1
    assert site.faults.served["late_element"] >= 1
    assert steps == 3
    assert any(line.startswith("recovery wait_for_element for ElementNotFound") for line in collected(caplog))


async def test_page_timeout_reloads_and_succeeds(
    engine: Engine, site: DemoSite, caplog: pytest.LogCaptureFixture, recoveries: None
) -> None:
    site.faults.set(slow_ms=3000, slow_count=1)  # the first page load takes 3 s; the engine waits 1.5 s
    saved = engine.pool.navigation_timeout_ms
    engine.pool.navigation_timeout_ms = 1500
    try:
        status, reason, _ = await run_demo(engine, site)
    finally:
        engine.pool.navigation_timeout_ms = saved
    assert status == TaskStatus.SUCCEEDED, reason
    assert site.registration_count() == 1
    assert site.faults.served["slow"] == 1
    assert "recovery reload for PageTimeout (attempt 1): recovered" in collected(caplog)


async def test_modal_is_closed_and_task_succeeds(
    engine: Engine, site: DemoSite, caplog: pytest.LogCaptureFixture, recoveries: None
) -> None:
    site.faults.modal = True  # a promo dialog covers every page
    status, reason, steps = await run_demo(engine, site)
    assert status == TaskStatus.SUCCEEDED, reason
    assert site.registration_count() == 1
    assert site.faults.served["modal"] >= 3
    assert steps == 3
    closed = [line for line in collected(caplog) if line.startswith("recovery close_modal")]
    assert len(closed) >= 3 and all(line.endswith("recovered") for line in closed)


async def test_rate_limit_waits_retry_after_and_succeeds(engine: Engine, site: DemoSite) -> None:
    site.faults.set(rate_limit_count=2, retry_after=1)
    status, reason, _ = await run_demo(engine, site)
    assert status == TaskStatus.SUCCEEDED, reason
    assert site.registration_count() == 1
    assert site.faults.served["rate_limit"] == 2


async def test_rate_limit_delay_comes_from_retry_after(engine: Engine, site: DemoSite) -> None:
    site.faults.set(rate_limit_count=1, retry_after=3)  # the policy's own first retry would come after 1 s
    handle = await engine.tasks.submit(demo_request(site, use_cache=False, max_steps=8, timeout=90))
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert site.registration_count() == 1 and site.faults.served["rate_limit"] == 1
    history = await engine.client.get_workflow_handle(handle.id).fetch_history()
    scheduled: dict[int, float] = {}
    waited: list[tuple[int, float]] = []
    for event in history.events:
        if event.HasField("activity_task_scheduled_event_attributes"):
            if event.activity_task_scheduled_event_attributes.activity_type.name == "navigate":
                scheduled[event.event_id] = event.event_time.ToDatetime().timestamp()
        elif event.HasField("activity_task_started_event_attributes"):
            attrs = event.activity_task_started_event_attributes
            if attrs.scheduled_event_id in scheduled:
                waited.append(
                    (attrs.attempt, event.event_time.ToDatetime().timestamp() - scheduled[attrs.scheduled_event_id])
                )
    # one navigate, retried once: its last attempt started after the site's Retry-After
    assert len(waited) == 1
    attempt, seconds = waited[0]
    assert attempt == 2
    assert seconds >= 2.9


async def test_error_burst_backs_off_and_succeeds(engine: Engine, site: DemoSite) -> None:
    site.faults.error_burst = 2  # two HTTP 503 answers in a row
    status, reason, _ = await run_demo(engine, site)
    assert status == TaskStatus.SUCCEEDED, reason
    assert site.registration_count() == 1
    assert site.faults.served["error_burst"] == 2


async def test_expired_login_reauthenticates_with_the_task_credentials(
    engine: Engine, site: DemoSite, caplog: pytest.LogCaptureFixture, recoveries: None
) -> None:
    os.environ["BROWSERFLOW_SECRET_TEST_FAULTS_PASSWORD"] = site.password
    site.faults.session_expires_after = 1  # the second authenticated request finds the session expired
    request = {
        "goal": "Open my account",
        "start_url": site.url("/login?next=/schedule"),
        "data": {"username": site.username, "password": "env:BROWSERFLOW_SECRET_TEST_FAULTS_PASSWORD"},
        "success_text": "Welcome back",
        "max_steps": 6,
        "timeout": 90,
        "use_cache": False,
    }
    result = await engine.tasks.run(request)
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert site.faults.served["session_expired"] == 1
    assert "recovery reauthenticate for LoginExpired (attempt 1): recovered" in collected(caplog)
    assert "/account" in result.final_url


async def test_deny_is_access_denied_without_retries(engine: Engine, site: DemoSite) -> None:
    site.faults.deny = True
    status, reason, steps = await run_demo(engine, site)
    assert status == TaskStatus.ACCESS_DENIED, reason
    assert "403" in reason
    assert steps == 0
    assert site.faults.served["deny"] == 1  # one request: the activity was not retried
    assert site.registration_count() == 0


async def test_down_is_site_down(engine: Engine, site: DemoSite) -> None:
    site.faults.down = True
    status, reason, steps = await run_demo(engine, site)
    assert status == TaskStatus.SITE_DOWN, reason
    assert "cannot be reached" in reason
    assert steps == 0
    assert 1 <= site.faults.served["down"] <= 3
    assert site.registration_count() == 0


async def test_failed_task_leaves_a_trace_and_a_successful_one_does_not(
    engine: Engine, site: DemoSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSERFLOW_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BROWSERFLOW_TRACE", "failed")
    site.faults.deny = True
    denied = await engine.tasks.run(demo_request(site, use_cache=False, timeout=60))
    assert denied.status == TaskStatus.ACCESS_DENIED
    traces = list((tmp_path / "artifacts" / denied.task_id).glob("trace-*.zip"))
    assert len(traces) == 1
    with zipfile.ZipFile(traces[0]) as archive:
        assert any(name.endswith(".trace") for name in archive.namelist())

    site.reset()
    ok = await engine.tasks.run(demo_request(site, use_cache=False, timeout=60))
    assert ok.status == TaskStatus.SUCCEEDED, ok.reason
    assert not (tmp_path / "artifacts" / ok.task_id).exists()
