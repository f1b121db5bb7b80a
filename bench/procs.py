"""Worker subprocesses and /proc measurements, shared by the scale benches and tests.

- ``WorkerProc``: one ``python -m worker`` process on a given dev server and task queue, started and
  waited for ("browserflow worker ready"), stopped by its own PID only (SIGTERM drains, SIGKILL crashes).
- ``/proc`` readers: process trees, Chromium processes, CPU seconds (utime+stime, plus reaped children),
  PSS from ``smaps_rollup``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.client import Client

__all__ = [
    "ProcInfo",
    "WorkerProc",
    "chromium_pids",
    "cpu_seconds",
    "descendants",
    "migrated_store_url",
    "proc_info",
    "pss_kib",
    "server_address",
    "temporal_server_pid",
]

ROOT = Path(__file__).resolve().parent.parent
_CLK_TCK = os.sysconf("SC_CLK_TCK")
_READY = re.compile(r"browserflow worker ready: (\S+)")


# -- /proc ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcInfo:
    pid: int
    ppid: int
    comm: str
    start_ticks: int  # since boot, in clock ticks
    cpu_ticks: int  # utime + stime
    child_cpu_ticks: int  # cutime + cstime (reaped children)


def proc_info(pid: int) -> ProcInfo | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # comm is in parentheses and may contain spaces: split after the last ')'
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    rest = raw[raw.rindex(")") + 2 :].split()
    # rest[0] is field 3 (state); field n is rest[n - 3]
    return ProcInfo(
        pid=pid,
        ppid=int(rest[1]),
        comm=comm,
        start_ticks=int(rest[19]),
        cpu_ticks=int(rest[11]) + int(rest[12]),
        child_cpu_ticks=int(rest[13]) + int(rest[14]),
    )


def all_procs() -> dict[int, ProcInfo]:
    found: dict[int, ProcInfo] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            info = proc_info(int(entry))
            if info is not None:
                found[info.pid] = info
    return found


def descendants(pid: int, procs: dict[int, ProcInfo] | None = None) -> list[int]:
    """``pid`` and every live process below it."""
    procs = procs if procs is not None else all_procs()
    children: dict[int, list[int]] = {}
    for info in procs.values():
        children.setdefault(info.ppid, []).append(info.pid)
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        if current in procs or current == pid:
            out.append(current)
        todo.extend(children.get(current, []))
    return [p for p in out if p in procs]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return ""


def is_chromium(pid: int) -> bool:
    info = proc_info(pid)
    if info is None:
        return False
    return "chrom" in info.comm.lower() or "chromium" in _cmdline(pid).split(" ")[0].lower()


def chromium_pids(*, started_after_ticks: int = 0, under: int | None = None) -> list[int]:
    """Live Chromium processes started after ``started_after_ticks`` (since boot), optionally below ``under``."""
    procs = all_procs()
    scope = set(descendants(under, procs)) if under is not None else set(procs)
    return sorted(p for p in scope if procs[p].start_ticks >= started_after_ticks and is_chromium(p) and p != under)


def now_ticks() -> int:
    """Clock ticks since boot, comparable with ``ProcInfo.start_ticks``."""
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return int(uptime * _CLK_TCK)


def cpu_seconds(pids: list[int], *, with_reaped_children: bool = True) -> float:
    """CPU seconds used so far by ``pids`` (each counted once), plus their reaped children when asked."""
    total = 0
    for pid in pids:
        info = proc_info(pid)
        if info is not None:
            total += info.cpu_ticks + (info.child_cpu_ticks if with_reaped_children else 0)
    return total / _CLK_TCK


def pss_kib(pids: list[int]) -> int:
    """Sum of PSS (KiB) over ``pids`` from ``/proc/<pid>/smaps_rollup``; vanished processes count 0."""
    total = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        match = re.search(r"^Pss:\s+(\d+) kB", text, re.MULTILINE)
        if match:
            total += int(match.group(1))
    return total


def temporal_server_pid(address: str) -> int | None:
    """The dev server process serving ``address`` (host:port), found by its command line."""
    port = address.rsplit(":", 1)[-1]
    for pid, _info in all_procs().items():
        cmd = _cmdline(pid)
        if "temporal" in cmd and "start-dev" in cmd and f"--port {port}" in cmd:
            return pid
    return None


def server_address(client: Client) -> str:
    return client.service_client.config.target_host


def migrated_store_url(data_dir: Path) -> str:
    from browserflow.store import migrate

    data_dir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{data_dir / 'bf.db'}"
    migrate.upgrade(url)
    return url


# -- worker subprocesses -------------------------------------------------------------------------------


@dataclass
class WorkerProc:
    """One ``python -m worker`` subprocess. Use ``await WorkerProc.start(...)``."""

    process: asyncio.subprocess.Process
    worker_id: str
    log_path: Path
    started_ticks: int
    task_queue: str
    _drain: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def session_identity(self) -> str:
        """The Temporal identity of its session-queue worker (page activities run there)."""
        return f"{self.worker_id}@session"

    @classmethod
    async def start(
        cls,
        *,
        address: str,
        task_queue: str,
        max_sessions: int,
        database_url: str,
        data_dir: Path,
        name: str = "worker",
        ready_timeout: float = 60.0,
        extra_env: dict[str, str] | None = None,
    ) -> WorkerProc:
        data_dir.mkdir(parents=True, exist_ok=True)
        log_path = data_dir / f"{name}.log"
        env = {
            **os.environ,
            "TEMPORAL_ADDRESS": address,
            "BROWSERFLOW_TASK_QUEUE": task_queue,
            "BROWSERFLOW_MAX_SESSIONS": str(max_sessions),
            "DATABASE_URL": database_url,
            "BROWSERFLOW_DATA_DIR": str(data_dir),
            "OLLAMA_HOST": "off",
            **(extra_env or {}),
        }
        env.pop("ANTHROPIC_API_KEY", None)
        started_ticks = now_ticks()
        log = log_path.open("ab")
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "worker", cwd=str(ROOT), env=env, stdout=asyncio.subprocess.PIPE, stderr=log
            )
        finally:
            log.close()
        assert process.stdout is not None
        try:
            worker_id = await asyncio.wait_for(_wait_ready(process.stdout), timeout=ready_timeout)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise RuntimeError(f"worker {name} did not get ready; log: {log_path.read_text()[-2000:]}") from None
        proc = cls(process, worker_id, log_path, started_ticks, task_queue)
        proc._drain = asyncio.create_task(_drain_stdout(process.stdout, log_path))
        return proc

    def tree(self) -> list[int]:
        return descendants(self.pid)

    def signal(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, sig)

    async def kill(self) -> None:
        """SIGKILL this worker only (its Chromium children die with the driver's pipe, or are reaped by us)."""
        orphans = [p for p in self.tree() if p != self.pid]
        self.signal(signal.SIGKILL)
        await self.process.wait()
        # a SIGKILLed worker cannot close its Chromium: the driver normally follows the closed pipe.
        await _await_gone(orphans, 10.0)

    async def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM (drain) and wait; SIGKILL after ``timeout``. Returns the exit code."""
        if self.process.returncode is None:
            self.signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=timeout)
            except TimeoutError:
                self.signal(signal.SIGKILL)
                await self.process.wait()
        if self._drain is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._drain, timeout=5)
        assert self.process.returncode is not None
        return self.process.returncode


async def _wait_ready(stream: asyncio.StreamReader) -> str:
    while True:
        line = await stream.readline()
        if not line:
            raise RuntimeError("worker exited before it was ready")
        match = _READY.search(line.decode(errors="replace"))
        if match:
            return match.group(1)


async def _drain_stdout(stream: asyncio.StreamReader, log_path: Path) -> None:
    with log_path.open("ab") as log:
        while line := await stream.readline():
            log.write(line)


async def _await_gone(pids: list[int], timeout: float) -> list[int]:
    """Wait until ``pids`` have exited; returns those still alive after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    alive = [p for p in pids if proc_info(p) is not None]
    while alive and loop.time() < deadline:
        await asyncio.sleep(0.1)
        alive = [p for p in alive if proc_info(p) is not None and _not_zombie(p)]
    return alive


def _not_zombie(pid: int) -> bool:
    try:
        return " Z " not in Path(f"/proc/{pid}/stat").read_text().split(")", 1)[1][:4]
    except (FileNotFoundError, ProcessLookupError):
        return False
