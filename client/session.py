"""One Temporal runtime per command, shut down before the interpreter exits.

Why: the Temporal SDK runs its Rust core on a Tokio thread pool (the *runtime*). Every RPC's result is handed
back to asyncio by one of those threads, which takes the GIL to do so and then lets go of it. A short-lived
process that leaves the runtime alive (the SDK's lazily created global default) can reach interpreter
finalization while such a thread is still between taking and releasing the GIL, or have the runtime dropped
*during* finalization; CPython then kills the thread mid-call and aborts the process with ``Fatal Python error:
PyGILState_Release ... Python runtime state: finalizing`` (exit 134) - after the command's work was done.

The fix: each command makes its own :class:`~temporalio.runtime.Runtime`, hands it to the client, and
:meth:`ClientSession.close` (called inside ``asyncio.run``) drops every reference to it and waits until it is
gone. Dropping the last reference shuts the Tokio pool down with the GIL released, so any thread still
finishing a callback completes it; afterwards no SDK thread is left to race the interpreter's exit.
References the Rust side held to Python objects (finished futures, exceptions) are released by pyo3 on the
next call into the extension; ``_drain`` makes one.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import traceback
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar

from temporalio.runtime import Runtime, TelemetryConfig

from browserflow.config import Settings

__all__ = ["ClientSession", "ProgramFailed", "exit_cleanly", "release", "run_async", "run_program"]

T = TypeVar("T")

_RELEASE_ROUNDS = 500  # each round: one loop turn, one pyo3 reference drain, one gc pass (~1 ms); 2 suffice


def _drain() -> None:
    """Let pyo3 release the Python references the SDK's threads dropped without the GIL (any extension call
    does; this one parses an empty client config and has no side effects)."""
    from temporalio.bridge import temporal_sdk_bridge

    temporal_sdk_bridge.envconfig.load_client_config(None, b"", False, {})


async def release(runtime_ref: weakref.ref[Runtime]) -> bool:
    """Wait until the runtime behind ``runtime_ref`` has been freed (its threads joined); False if it is still
    referenced after the bounded number of rounds (a reference leak: the caller decides how to exit)."""
    for _ in range(_RELEASE_ROUNDS):
        if runtime_ref() is None:
            return True
        await asyncio.sleep(0)
        _drain()
        gc.collect()
    return runtime_ref() is None


class ClientSession:
    """The runtime and the (lazily connected) ``BrowserTasks`` of one command, for ``settings``."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings
        self._runtime: Runtime | None = None
        self._tasks: Any = None
        self.released = True

    async def tasks(self) -> Any:
        """``BrowserTasks`` on this session's runtime, connected on first use (``ConnectionError`` if no server)."""
        from browserflow.temporal.connect import connect
        from client.sdk import BrowserTasks

        if self._tasks is None:
            if self._runtime is None:
                self._runtime = Runtime(telemetry=TelemetryConfig(), worker_heartbeat_interval=None)
                self.released = False
            settings = self.settings or Settings.from_env()
            self._tasks = BrowserTasks(await connect(settings, runtime=self._runtime), settings.task_queue)
        return self._tasks

    async def close(self) -> bool:
        """Drop the client and the runtime and wait until the runtime is gone; sets and returns ``released``."""
        self._tasks = None
        if self._runtime is None:
            return self.released
        ref = weakref.ref(self._runtime)
        self._runtime = None
        self.released = await release(ref)
        return self.released


_UNRELEASED: list[str] = []


class ProgramFailed(RuntimeError):
    """``main`` of :func:`run_async` raised; its traceback was printed (and released with the runtime)."""


def run_async(main: Callable[[], Awaitable[T]]) -> T:
    """``asyncio.run(main())`` on a fresh default Temporal runtime that is shut down before this returns.

    The runtime is installed as the SDK's default (so every client, worker and test server ``main`` makes uses
    it), unset when ``main`` ends and waited for until it is gone, as :class:`ClientSession` does. A program
    calling this ends through :func:`exit_cleanly` (which exits hard if a runtime stayed referenced)."""

    async def wrapped() -> T:
        import temporalio.runtime

        runtime = Runtime(telemetry=TelemetryConfig())
        Runtime.set_default(runtime, error_if_already_set=False)
        ref = weakref.ref(runtime)
        del runtime
        failed: str | None = None
        try:
            return await main()
        except Exception as exc:  # printed here and dropped: its traceback's frames may hold the clients
            traceback.print_exc()
            failed = f"{type(exc).__name__}: {exc}"
            del exc
        finally:
            temporalio.runtime._runtime_ref._default_runtime = None  # the SDK has no public way to unset it
            if not await release(ref):
                _UNRELEASED.append(getattr(main, "__name__", "main"))
        raise ProgramFailed(failed)

    return asyncio.run(wrapped())


def exit_cleanly(program: Callable[[], object]) -> NoReturn:
    """Run a program's synchronous ``main`` (which runs its async parts with :func:`run_async`) and exit: its
    status (an int it returns, else 0), 1 with the traceback when it raised, 130 on Ctrl-C; with ``os._exit``
    after flushing when a Temporal runtime was still referenced (do not race the interpreter's teardown)."""
    try:
        returned = program()
        code = returned if isinstance(returned, int) else 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    except KeyboardInterrupt:
        code = 130
    except ProgramFailed:
        code = 1
    except Exception:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    if _UNRELEASED:
        print("note: the Temporal runtime was still referenced at exit", file=sys.stderr, flush=True)
        os._exit(code)
    sys.exit(code)


def run_program(main: Callable[[], Awaitable[object]]) -> NoReturn:
    """Run a program's ``main`` coroutine (a bench, a script) with :func:`run_async` and exit cleanly (see
    :func:`exit_cleanly`): status 0, or 1 with the traceback when ``main`` raised, 130 on Ctrl-C."""

    async def body() -> None:
        try:
            await main()
        except asyncio.CancelledError:
            raise KeyboardInterrupt from None

    exit_cleanly(lambda: run_async(body))
