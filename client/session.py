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
from typing import Any, NoReturn

from temporalio.runtime import Runtime, TelemetryConfig

__all__ = ["ClientSession", "release", "run_program"]

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
    """The runtime and the (lazily connected) ``BrowserTasks`` of one command."""

    def __init__(self) -> None:
        self._runtime: Runtime | None = None
        self._tasks: Any = None
        self.released = True

    async def tasks(self) -> Any:
        """``BrowserTasks`` on this session's runtime, connected on first use (``ConnectionError`` if no server)."""
        from client.sdk import BrowserTasks

        if self._tasks is None:
            if self._runtime is None:
                self._runtime = Runtime(telemetry=TelemetryConfig(), worker_heartbeat_interval=None)
                self.released = False
            self._tasks = await BrowserTasks.connect(runtime=self._runtime)
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


def run_program(main: Callable[[], Awaitable[object]]) -> NoReturn:
    """Run a program's ``main`` coroutine (a bench, a script) on a fresh default runtime and exit cleanly.

    The runtime is installed as the SDK's default (so every client, worker and test server the program makes
    uses it), unset when ``main`` returns and waited for until it is gone, as :class:`ClientSession` does.
    Exit status 0, or 1 with the traceback when ``main`` raised, 130 on Ctrl-C."""

    async def wrapped() -> tuple[int, bool]:
        import temporalio.runtime

        runtime = Runtime(telemetry=TelemetryConfig())
        Runtime.set_default(runtime, error_if_already_set=False)
        ref = weakref.ref(runtime)
        del runtime
        code = 0
        try:
            await main()
        except Exception:
            traceback.print_exc()
            code = 1
        except asyncio.CancelledError:
            code = 130
        temporalio.runtime._runtime_ref._default_runtime = None  # the SDK has no public way to unset it
        return code, await release(ref)

    try:
        code, released = asyncio.run(wrapped())
    except KeyboardInterrupt:
        code, released = 130, False
    sys.stdout.flush()
    sys.stderr.flush()
    if not released:  # a leaked reference: do not let the interpreter's teardown race the runtime's threads
        print("note: the Temporal runtime was still referenced at exit", file=sys.stderr, flush=True)
        os._exit(code)
    sys.exit(code)
