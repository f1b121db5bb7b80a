"""Untrusted patterns run bounded (issue 14, high-severity case 4): extract patterns run on RE2 (linear time),
off the worker's event loop and under a time limit; a hostile pattern against a page with a long run of ``a``
neither freezes the worker nor delays a query to another task."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from temporalio.exceptions import ApplicationError

from activities.decide import check_goal
from browserflow.contracts import CheckGoalInput, PageSnapshot, SuccessIndicator, TaskProgress, TaskStatus
from browserflow.errors import PatternTimeout
from browserflow.goals import extract_results
from browserflow.patterns import (
    LIMIT_ENV,
    MAX_PATTERN_LENGTH,
    PatternInvalid,
    compile_pattern,
    first_match,
    run_bounded,
)
from demo import DemoSite
from tests.conftest import Engine
from tests.workflows.test_review import wait_for_review
from tests.workflows.test_task import demo_request

HOSTILE = "a(a+)+$"
RUN = "a" * 1500  # the snapshot keeps 2000 characters of text: the run and what follows it fit


def hostile_text() -> str:
    return f"Results ready. Order 4242. {RUN}! end"


# -- the engine: RE2 ----------------------------------------------------------------------------------------


def test_a_catastrophic_pattern_runs_in_linear_time() -> None:
    started = time.perf_counter()
    assert first_match(HOSTILE, ["a" * 200_000 + "!"]) is None
    assert first_match(r"(a|aa)+b", ["a" * 200_000]) is None
    assert time.perf_counter() - started < 1.0  # backtracking would take longer than the universe's age


def test_patterns_re2_cannot_run_are_refused_with_the_reason() -> None:
    for pattern, reason in [
        (r"(a)\1", "invalid escape sequence"),
        (r"(?=a)b", "invalid perl operator"),
        (r"(?<!x)y", "invalid perl operator"),
        ("(a{1000}){1000}", "invalid repetition"),
    ]:
        with pytest.raises(PatternInvalid, match=reason):
            compile_pattern(pattern)
    with pytest.raises(PatternInvalid, match=f"longer than {MAX_PATTERN_LENGTH}"):
        compile_pattern("a" * (MAX_PATTERN_LENGTH + 1))


def test_extraction_keeps_its_meaning_on_re2() -> None:
    text = hostile_text()
    found = extract_results(text, {"order": r"Order (\d+)", "whole": r"\d{4}", "x": HOSTILE, "none": "zzz"}, "T")
    assert found == {"order": "4242", "whole": "4242"}
    assert extract_results("nothing", {"page": r"(\w+) confirmed"}, "Registration confirmed") == {
        "page": "Registration"
    }
    assert extract_results("x", {"bad": r"(a)\1"}) == {}  # unrunnable (never validated) finds nothing


# -- the limit and the event loop --------------------------------------------------------------------------


async def test_a_check_past_its_limit_fails_with_pattern_timeout_and_the_loop_keeps_running() -> None:
    text = "".join(random.Random(14).choices("ab", k=3_000_000))
    slow = compile_pattern(r"[ab]*a[ab]{20}c")  # defeats RE2's DFA: a few hundred ms on this text
    loop = asyncio.get_running_loop()
    gaps: list[float] = []

    async def ticker() -> None:
        last = loop.time()
        while True:
            await asyncio.sleep(0.01)
            now = loop.time()
            gaps.append(now - last)
            last = now

    ticking = asyncio.ensure_future(ticker())
    try:
        with pytest.raises(PatternTimeout) as info:
            await run_bounded(slow.search, text, limit=0.02, what="the test pattern")
        assert not info.value.retryable
        assert "the test pattern did not finish within 0.02 s" in info.value.message
        await asyncio.sleep(0.3)  # the stray search still runs in its thread meanwhile
    finally:
        ticking.cancel()
    assert gaps and max(gaps) < 0.5  # the loop was never blocked


async def test_the_goal_check_activity_answers_at_once_with_a_hostile_pattern() -> None:
    snap = PageSnapshot(url="http://127.0.0.1/", title="Results", text=hostile_text())
    inp = CheckGoalInput(
        goal="read the results",
        snapshot=snap,
        indicators=[SuccessIndicator(text="Results ready")],
        extract={"x": HOSTILE, "order": r"Order (\d+)"},
    )
    check = await asyncio.wait_for(check_goal(inp), timeout=5)  # backtracking: never
    assert check.met and check.result_data == {"order": "4242"}


# -- end to end: a hostile task beside a task waiting for review --------------------------------------------


class _Hostile(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"<html><head><title>Results</title></head><body><p>{hostile_text()}</p></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def hostile_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/results"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.integration
async def test_a_hostile_pattern_does_not_delay_a_query_to_another_task(
    engine: Engine, site: DemoSite, hostile_site: str
) -> None:
    waiting = await engine.tasks.submit(demo_request(site, review_policy="before_irreversible", use_cache=False))
    await wait_for_review(waiting, "before_irreversible")
    other = engine.client.get_workflow_handle(waiting.id)

    hostile = [
        await engine.tasks.submit(
            {
                "goal": "Read the results",
                "start_url": hostile_site,
                "success_text": "Results ready",
                "extract": {"x": HOSTILE, "order": r"Order (\d+)"},
                "use_cache": False,
            }
        )
        for _ in range(3)
    ]
    results = asyncio.ensure_future(asyncio.gather(*(h.result() for h in hostile)))
    latencies: list[float] = []
    while not results.done() or not latencies:
        started = time.perf_counter()
        progress = await other.query("progress", result_type=TaskProgress)
        latencies.append(time.perf_counter() - started)
        assert progress.status == TaskStatus.NEEDS_REVIEW
        await asyncio.wait([results], timeout=0.05)
    for result in await results:
        assert result.status == TaskStatus.SUCCEEDED, result.reason
        assert result.result_data == {"order": "4242"}  # the hostile pattern ran and found nothing
    assert max(latencies) < 1.0, f"query latencies while hostile patterns ran: {latencies}"

    await waiting.reject("the security test is done")
    assert (await waiting.result()).status == TaskStatus.REJECTED


@pytest.mark.integration
async def test_a_goal_check_past_the_limit_fails_the_task_with_pattern_timeout(
    engine: Engine, hostile_site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LIMIT_ENV, "0")  # the worker's limit, read at each check: nothing finishes in 0 s
    handle = await engine.tasks.submit(
        {
            "goal": "Read the results",
            "start_url": hostile_site,
            "success_text": "Results ready",
            "extract": {"x": HOSTILE},
        }
    )
    result = await handle.result()
    assert result.status == TaskStatus.FAILED
    assert result.reason.startswith("PatternTimeout at step 0: the goal check")
    assert "did not finish within 0 s" in result.reason
    assert engine.pool.held_for(handle.id) == 0  # the task ended the normal way: its browser is closed


async def test_the_goal_check_past_its_limit_fails_the_step_never_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSERFLOW_PATTERN_TIME_LIMIT", "0.000001")
    snap = PageSnapshot(url="http://127.0.0.1/", title="Results", text=hostile_text())
    inp = CheckGoalInput(goal="read the results", snapshot=snap, extract={"x": HOSTILE})
    with pytest.raises(ApplicationError) as info:
        await check_goal(inp)
    assert info.value.type == PatternTimeout.type_name and info.value.non_retryable
    assert "did not finish within" in info.value.message
