"""The runtime-fault matrix: each fault the engine's own parts can suffer mid-task, what happens, and the test.

Every row of :data:`MATRIX` is one row of the README's fault table. The store rows are tested here; the rows
whose test already exists elsewhere (the dev server restarted, Chromium killed, a worker ``kill -9``ed) name it,
and ``test_every_row_names_a_test_that_exists`` keeps the table honest. Each test asserts the outcome *and*
that nothing was lost or done twice: the demo site holds exactly one registration.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import sqlite3
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import URL
from temporalio.client import Client

from browserflow.browser.pool import BrowserPool
from browserflow.contracts import TaskStatus
from browserflow.store import Store, migrate
from client.sdk import BrowserTasks
from demo import DemoSite
from tests.conftest import eventually
from tests.store.conftest import PgDatabases
from tests.workflows.test_task import demo_request

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Row:
    fault: str
    happens: str
    test: str  # module::function


MATRIX: tuple[Row, ...] = (
    Row(
        "store (PostgreSQL) unreachable at the start, back mid-task",
        "the start record and the path-cache lookup give up after their retries; the task runs live; at the end "
        "the start, the steps, decisions, recoveries and result are all written",
        "tests/workflows/test_fault_matrix.py::test_postgres_down_at_start_back_before_the_end",
    ),
    Row(
        "store (PostgreSQL) unreachable for the whole task and after it",
        "the task succeeds all the same; its result stands in Temporal (status, steps, result data); the store "
        "misses that task's rows (the end write is given up after 10 s)",
        "tests/workflows/test_fault_matrix.py::test_postgres_down_throughout_the_task_still_succeeds",
    ),
    Row(
        "store (SQLite) locked by another process at the start, released mid-task",
        "writes wait the busy timeout, then the start gives up; the task runs live; everything is written at the end",
        "tests/workflows/test_fault_matrix.py::test_sqlite_locked_at_start_released_before_the_end",
    ),
    Row(
        "Temporal dev server restarted mid-task (its --db-filename keeps the state)",
        "the worker and the client reconnect; the task continues where it was",
        "tests/workflows/test_recovery.py::test_restarting_the_dev_server_mid_run_loses_nothing",
    ),
    Row(
        "Chromium killed mid-task",
        "the pool launches a new browser; the lost session is rebuilt from the checkpoint (restore_session)",
        "tests/workflows/test_recovery.py::test_a_crashed_chromium_is_replaced_and_the_task_recovers",
    ),
    Row(
        "worker process kill -9 mid-task, a second worker starts",
        "the page activity's heartbeat / schedule-to-start timeout notices the loss; the second worker rebuilds "
        "the session from the checkpoint and finishes",
        "tests/workflows/test_recovery.py::test_kill_9_mid_task_continues_on_another_worker",
    ),
    Row(
        "worker kill -9 while the submit's answer is in flight",
        "the engine cannot tell whether the submit took effect: it asks a person (uncertain_submission), never "
        "submits again",
        "tests/workflows/test_recovery.py::test_a_submit_interrupted_by_a_crash_is_never_repeated",
    ),
    Row(
        "worker kill -9 during a cached replay",
        "the replay continues step by step on the other worker, still without decisions",
        "tests/workflows/test_recovery.py::test_kill_9_during_a_cached_replay_replays_step_by_step_elsewhere",
    ),
    Row(
        "the task's callback receiver down (port closed) for the first attempts, then up",
        "the task ends with its own status at once; its CallbackDelivery workflow retries deliver_callback with "
        "backoff (1 s doubling to 60 s, up to 1 h) and the receiver gets the result event once",
        "tests/workflows/test_callbacks.py::test_a_receiver_that_is_down_gets_the_result_once_it_is_up",
    ),
    Row(
        "the callback receiver refuses the events (HTTP 400)",
        "not retried; logged; the task succeeds as if no callback were asked",
        "tests/workflows/test_callbacks.py::test_a_refusing_receiver_never_fails_the_task",
    ),
)


def test_every_row_names_a_test_that_exists() -> None:
    root = Path(__file__).resolve().parents[2]
    for row in MATRIX:
        path, _, name = row.test.partition("::")
        assert (root / path).is_file(), row
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert callable(getattr(module, name, None)), f"{row.fault}: no test {row.test}"
        assert name.startswith("test_")


# -- a store that can be taken away: a TCP proxy in front of PostgreSQL ----------------------------------------


class Proxy:
    """127.0.0.1:<port> forwarding to PostgreSQL; ``take_down`` drops every connection (existing and new).

    It runs its own event loop in a thread, so the test's synchronous store calls cannot stall it."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.down = False
        self.refused = 0
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="pg-proxy", daemon=True)
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    def start(self) -> None:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0), self._loop
        ).result(10)
        self.port = int(self._server.sockets[0].getsockname()[1])

    def stop(self) -> None:
        self.take_down()

        async def close() -> None:
            if self._server is not None:
                self._server.close()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def take_down(self) -> None:
        async def drop() -> None:
            self.down = True
            for writer in list(self._open):
                writer.transport.abort()

        asyncio.run_coroutine_threadsafe(drop(), self._loop).result(10)

    def bring_up(self) -> None:
        self.down = False

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            self.refused += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._open.update({writer, up_writer})

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._open.difference_update({writer, up_writer})


@dataclass
class Rig:
    tasks: BrowserTasks
    store: Store


@pytest.fixture(scope="module")
def pg_url() -> Iterator[URL]:
    dbs = PgDatabases()
    try:
        url = dbs.create()
        migrate.upgrade(url)
        yield url
    finally:
        dbs.close()


@pytest.fixture
def proxy(pg_url: URL) -> Iterator[Proxy]:
    proxied = Proxy((pg_url.host or "127.0.0.1", int(pg_url.port or 5432)))
    proxied.start()
    yield proxied
    proxied.stop()


async def _workers(client: Client, pool: BrowserPool, store: Store) -> AsyncIterator[Rig]:
    from worker import build_workers

    queue = f"bf-matrix-{uuid.uuid4().hex[:8]}"
    workers = build_workers(client, pool, store=store, task_queue=queue, drain_seconds=5)
    stop = asyncio.Event()
    running = asyncio.create_task(workers.run(stop))
    try:
        yield Rig(BrowserTasks(client, queue), store)
    finally:
        stop.set()
        await running
        store.close()


@pytest.fixture
async def pg_rig(client: Client, pool: BrowserPool, pg_url: URL, proxy: Proxy) -> AsyncIterator[Rig]:
    store = Store.from_url(pg_url.set(host="127.0.0.1", port=proxy.port))
    async for rig in _workers(client, pool, store):
        yield rig


async def _finished_in_store(store: Store, task_id: str) -> None:
    def written() -> bool:
        with contextlib.suppress(Exception):
            task = store.get_task(task_id)
            return task is not None and task.finished_at is not None
        return False

    await eventually(written, timeout=60, what=f"{task_id}'s result in the store")


async def _run_with_outage(rig: Rig, site: DemoSite, restore: object) -> str:
    """The demo task with slow pages, the store already down; ``restore()`` once the task is at step 2."""
    site.faults.set(slow_ms=800, slow_count=1000)
    handle = await rig.tasks.submit(demo_request(site, use_cache=True, timeout=180))

    async def at_step_two() -> bool:
        return (await handle.status()).step >= 2

    await eventually(at_step_two, timeout=90, what="the task to reach step 2")
    if callable(restore):
        restore()
    site.faults.slow_count = 0
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert not result.cache_hit  # the cache could not be asked: a live run
    assert site.registration_count() == 1
    assert result.result_data["confirmation_number"] == site.registrations[0].confirmation
    return result.task_id


def _assert_all_recorded(store: Store, task_id: str, site: DemoSite) -> None:
    task = store.get_task(task_id)
    assert task is not None and task.status == TaskStatus.SUCCEEDED.value
    assert task.goal.startswith("Register Eden") and task.site == site.base_url.split("://", 1)[1]
    steps = store.list_steps(task_id)
    assert [s.step for s in steps] == list(range(1, task.steps_taken + 1))  # each once, none missing
    assert task.result_data["confirmation_number"] == site.registrations[0].confirmation


async def test_postgres_down_at_start_back_before_the_end(pg_rig: Rig, proxy: Proxy, site: DemoSite) -> None:
    proxy.take_down()
    task_id = await _run_with_outage(pg_rig, site, proxy.bring_up)
    assert proxy.refused >= 1  # the store really was asked while it was down
    await _finished_in_store(pg_rig.store, task_id)
    _assert_all_recorded(pg_rig.store, task_id, site)


async def test_postgres_down_throughout_the_task_still_succeeds(pg_rig: Rig, proxy: Proxy, site: DemoSite) -> None:
    proxy.take_down()
    task_id = await _run_with_outage(pg_rig, site, None)
    assert proxy.refused >= 2  # the start and the end were both tried
    log = await pg_rig.tasks.get(task_id).steps()  # the step log stands in Temporal
    assert len(log.steps) == 3 and all(s.ok for s in log.steps)
    proxy.bring_up()
    assert pg_rig.store.get_task(task_id) is None  # what the README says: that task's rows are not in the store


@pytest.fixture
async def sqlite_rig(client: Client, pool: BrowserPool, tmp_path: Path) -> AsyncIterator[tuple[Rig, Path]]:
    path = tmp_path / "bf.db"
    migrate.upgrade(f"sqlite:///{path}")
    async for rig in _workers(client, pool, Store.from_url(f"sqlite:///{path}")):
        yield rig, path


async def test_sqlite_locked_at_start_released_before_the_end(sqlite_rig: tuple[Rig, Path], site: DemoSite) -> None:
    rig, path = sqlite_rig
    locker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    locker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        task_id = await _run_with_outage(rig, site, locker.rollback)
    finally:
        with contextlib.suppress(sqlite3.Error):
            locker.rollback()
        locker.close()
    await _finished_in_store(rig.store, task_id)
    _assert_all_recorded(rig.store, task_id, site)
