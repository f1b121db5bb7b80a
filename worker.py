"""The browserflow worker process: wiring only.

One process = one browser pool + three Temporal workers (DESIGN.md, session affinity):
- the shared queue (``BROWSERFLOW_TASK_QUEUE``): the task workflows, the decision and store activities;
- ``<queue>.open``: ``open_session``, polled only while this pool has room (``SessionSlots``), so tasks
  beyond the fleet's capacity wait in Temporal's queue in priority order;
- this process's own session queue: the page activities against the pages held in this pool.
SIGINT/SIGTERM drain both workers and close Chromium; nothing is left running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from pydantic import ValidationError
from temporalio.client import Client
from temporalio.runtime import Runtime
from temporalio.worker import (
    CustomSlotSupplier,
    FixedSizeSlotSupplier,
    SlotMarkUsedContext,
    SlotPermit,
    SlotReleaseContext,
    SlotReserveContext,
    Worker,
    WorkerTuner,
)

from activities.browser import BrowserActivities
from activities.callbacks import deliver_callback
from activities.decide import DecideActivities, check_goal, compile_plan
from activities.review import ReviewActivities
from activities.store import StoreActivities
from browserflow.browser.chromium import find_chromium
from browserflow.browser.pool import BrowserPool
from browserflow.browser.pool import artifacts_dir as default_artifacts_dir
from browserflow.config import Settings
from browserflow.errors import BrowserflowError, EncryptionError, StoreError
from browserflow.llm import LLMSettings, TierRouter, build_router
from browserflow.store import Store
from browserflow.temporal import policies
from browserflow.temporal.codec import EncryptionCodec
from browserflow.temporal.connect import connect, metrics_runtime
from browserflow.temporal.tracing import WORKER_SERVICE, tracing_enabled
from workflows import BrowserTaskWorkflow, CallbackWorkflow

__all__ = ["SessionSlots", "WorkerSet", "build_workers", "main", "report_pool", "run_worker"]

log = logging.getLogger("browserflow.worker")


class SessionSlots(CustomSlotSupplier):
    """Activity slots of the ``open`` worker = free room in the browser pool.

    The worker polls for ``open_session`` only while its pool has room, so tasks beyond every worker's
    capacity wait in Temporal's queue (with their priority), not in a worker's memory or in retries.
    """

    def __init__(self, pool: BrowserPool) -> None:
        self.pool = pool

    async def reserve_slot(self, ctx: SlotReserveContext) -> SlotPermit:
        await self.pool.reserve()
        return SlotPermit()

    def try_reserve_slot(self, ctx: SlotReserveContext) -> SlotPermit | None:
        return SlotPermit() if self.pool.try_reserve() else None

    def mark_slot_used(self, ctx: SlotMarkUsedContext) -> None:
        return None

    def release_slot(self, ctx: SlotReleaseContext) -> None:  # called from the SDK's core thread
        self.pool.unreserve()


@dataclass
class WorkerSet:
    shared: Worker
    session: Worker
    opener: Worker
    session_queue: str
    worker_id: str

    async def run(self, stop: asyncio.Event) -> None:
        """Run the workers until ``stop`` is set, then drain them."""
        everyone = (self.opener, self.shared, self.session)
        tasks = [asyncio.create_task(w.run()) for w in everyone]
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
        await self.opener.shutdown()  # take no new sessions first
        await asyncio.gather(self.shared.shutdown(), self.session.shutdown(), return_exceptions=True)
        stopper.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


def new_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def build_workers(
    client: Client,
    pool: BrowserPool,
    *,
    store: Store,
    task_queue: str,
    router: TierRouter | None = None,
    rules_threshold: float = 0.6,
    worker_id: str | None = None,
    drain_seconds: float = 30.0,
    artifacts_dir: Path | None = None,
) -> WorkerSet:
    """The two Temporal workers of one process. ``router`` None: the rules tier only."""
    worker_id = worker_id or new_worker_id()
    session_queue = f"{task_queue}.session.{worker_id}"
    browser = BrowserActivities(pool, session_queue, worker_id)
    decide = DecideActivities(router, rules_threshold)
    stored = StoreActivities(store)
    review = ReviewActivities(pool, artifacts_dir or default_artifacts_dir())
    drain = timedelta(seconds=drain_seconds)
    shared = Worker(
        client,
        task_queue=task_queue,
        workflows=[BrowserTaskWorkflow, CallbackWorkflow],
        activities=[
            decide.decide,
            decide.decide_escalated,
            check_goal,
            compile_plan,
            stored.task_started,
            stored.task_finished,
            stored.task_status,
            deliver_callback,
        ],
        activity_executor=ThreadPoolExecutor(max_workers=8, thread_name_prefix="browserflow-store"),
        graceful_shutdown_timeout=drain,
        identity=f"{worker_id}@shared",
    )
    session = Worker(
        client,
        task_queue=session_queue,
        activities=[
            browser.navigate,
            browser.extract,
            browser.act,
            browser.replay,
            browser.close_session,
            review.screenshot,
            review.park,
        ],
        max_concurrent_activities=max(4, pool.max_sessions * 2),
        graceful_shutdown_timeout=drain,
        identity=f"{worker_id}@session",
    )
    fixed = FixedSizeSlotSupplier(1)
    opener = Worker(
        client,
        task_queue=f"{task_queue}.open",
        activities=[browser.open_session],
        tuner=WorkerTuner.create_composite(
            workflow_supplier=fixed,
            activity_supplier=SessionSlots(pool),
            local_activity_supplier=fixed,
            nexus_supplier=fixed,
        ),
        graceful_shutdown_timeout=drain,
        identity=f"{worker_id}@open",
    )
    return WorkerSet(shared=shared, session=session, opener=opener, session_queue=session_queue, worker_id=worker_id)


async def report_pool(runtime: Runtime, pool: BrowserPool, every: float = 5.0) -> None:
    """Keep the pool gauges current (for the Prometheus endpoint) until cancelled."""
    meter = runtime.metric_meter
    in_use = meter.create_gauge("browserflow_browser_sessions", "browser sessions held by this worker")
    capacity = meter.create_gauge("browserflow_browser_capacity", "browser sessions this worker may hold")
    while True:
        in_use.set(pool.in_use)
        capacity.set(pool.max_sessions)
        await asyncio.sleep(every)


async def run_worker(settings: Settings, stop: asyncio.Event | None = None, llm: LLMSettings | None = None) -> None:
    """Run one worker process's workers with ``settings`` and ``llm`` (read once by :func:`main`) until ``stop``
    is set."""
    stop = stop or asyncio.Event()
    policies.configure(page_heartbeat=settings.page_heartbeat_timeout, page_pickup=settings.page_pickup_timeout)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store.from_settings(settings)
    try:
        store.require_current()  # refuses a database behind the code, naming the command that fixes it
    except StoreError as exc:
        raise SystemExit(f"browserflow worker: {exc.message}") from None
    llm = llm or LLMSettings.from_env()
    router = build_router(llm)
    await router.readiness()  # warns at start-up when Ollama is down or its model is not pulled
    runtime = metrics_runtime(settings.metrics_port) if settings.metrics_port else None
    try:
        # its data converter (the encrypting one) and its tracing (OTEL_EXPORTER_OTLP_ENDPOINT) are the workers'
        client = await connect(settings, runtime=runtime, service=WORKER_SERVICE)
    except EncryptionError as exc:
        raise SystemExit(f"browserflow worker: {exc.message}") from None
    codec = client.data_converter.payload_codec
    if isinstance(codec, EncryptionCodec):
        log.info("payloads encrypted: %s", codec.ring.describe())
    else:
        log.warning("payloads NOT encrypted (BROWSERFLOW_ENCRYPTION=off): task data is in clear in Temporal")
    if tracing_enabled(settings):
        log.info("traces: OTLP/HTTP to %s as %s", settings.otlp_traces_url, WORKER_SERVICE)
    chromium = settings.chromium_path or find_chromium()
    if not chromium:
        raise SystemExit("no Chromium found: run `make setup` or set CHROMIUM_PATH")
    pool = BrowserPool(
        chromium_path=chromium,
        headless=settings.headless,
        max_sessions=settings.max_sessions,
        idle_seconds=settings.idle_session_seconds,
        warm_sessions=settings.warm_sessions,
    )
    async with pool:
        workers = build_workers(
            client,
            pool,
            store=store,
            task_queue=settings.task_queue,
            router=router,
            rules_threshold=llm.thresholds.get("rules", 0.6),
            artifacts_dir=settings.data_dir / "artifacts",
        )
        log.info(
            "worker %s polling %s and %s (max %d sessions, chromium %s, tiers %s, store %s)",
            workers.worker_id,
            settings.task_queue,
            workers.session_queue,
            settings.max_sessions,
            chromium,
            ",".join(router.tier_names),
            store.url,
        )
        print(f"browserflow worker ready: {workers.worker_id} on {settings.task_queue}", flush=True)
        reporter = asyncio.create_task(report_pool(runtime, pool)) if runtime else None
        try:
            await workers.run(stop)
        finally:
            if reporter:
                reporter.cancel()
            await router.aclose()
            store.close()
    log.info("worker stopped; browser closed")


def _llm_problems(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors():
        field = LLMSettings.model_fields.get(str(err["loc"][0]) if err["loc"] else "")
        name = (field.description or "").split(" ")[0] if field else ""
        problems.append(f"{name or err['loc']}: {err['msg']}")
    return "; ".join(problems)


def main(settings: Settings | None = None) -> None:
    """The worker program: ``settings`` from the caller (``browserflow worker`` with its flags applied), else read
    from the environment here, once."""
    try:
        settings = settings or Settings.from_env()
        llm = LLMSettings.from_env()
    except BrowserflowError as exc:  # a bad configuration variable: named, exit status 2 as the CLI's
        print(f"browserflow worker: {exc.message}", file=sys.stderr)
        raise SystemExit(2) from None
    except ValidationError as exc:  # the decision tiers' settings: each field's description names its variable
        print(f"browserflow worker: invalid configuration: {_llm_problems(exc)}", file=sys.stderr)
        raise SystemExit(2) from None
    except ValueError as exc:  # BROWSERFLOW_THRESHOLD_<TIER> or BROWSERFLOW_PRICES
        print(f"browserflow worker: invalid configuration: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    async def _main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_worker(settings, stop, llm)

    asyncio.run(_main())


if __name__ == "__main__":
    main()
