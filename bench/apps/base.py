"""What every real application under test shares: its own venv under ``.data/apps/<app>/venv``, a seeded
instance with a pristine copy of its SQLite database, a server process on 127.0.0.1 stopped by its PID, and
its everyday tasks.

Installation and seeding are cached (stamp files keyed by the pinned requirement and the seed's version);
``prepare()`` redoes only what is missing, printing progress.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bench.apps.dbdiff import Bookkeeping, Diff, Snapshot, copy_db, diff, snapshot
from bench.apps.expect import Spec

__all__ = ["ROOT", "App", "AppTask", "free_port", "log"]

ROOT = Path(__file__).resolve().parent.parent.parent
DATA = ROOT / ".data" / "apps"


def log(msg: str) -> None:
    print(f"[apps] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class AppTask:
    """One everyday task: a Goal Engine request plus the exact database change it must make."""

    name: str
    goal: str
    start_path: str  # under the app's base URL
    data: Mapping[str, str]
    expect: tuple[Spec, ...]
    kind: str = ""  # create / edit / delete / search+edit / assign / add-to / status / login ...
    env: Mapping[str, str] = field(default_factory=dict)  # secrets the worker's environment must hold


class App(ABC):
    """A real open-source web application, installed from PyPI into its own venv."""

    name: str
    requirements: tuple[str, ...]  # pinned pip requirements
    seed_version: str  # bump to rebuild the seeded instance
    bookkeeping: Bookkeeping

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or DATA / self.name
        self.venv = self.root / "venv"
        self.instance = self.root / "instance"
        self.pristine = self.root / "pristine.db"
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock: IO[str] | None = None

    def lock(self) -> None:
        """Hold the app's directory for this process until ``stop()``: two runs on one machine (a bench and
        ``make test``) must not share an instance's database. Waits for the other run to finish."""
        if self._lock is not None:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        handle = (self.root / ".lock").open("w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"{self.name}: another run holds {self.root}; waiting for it")
            fcntl.flock(handle, fcntl.LOCK_EX)
        self._lock = handle

    def unlock(self) -> None:
        handle, self._lock = self._lock, None
        if handle is not None:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    # -- install and seed ------------------------------------------------------------------------------

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def _stamp(self, what: str, key: str) -> tuple[Path, str]:
        return self.root / f".{what}-stamp", hashlib.sha256(key.encode()).hexdigest()[:16]

    def ensure_installed(self) -> None:
        stamp, key = self._stamp("installed", " ".join(self.requirements) + sys.version)
        if stamp.exists() and stamp.read_text() == key and (self.bin / "python").exists():
            return
        log(f"{self.name}: creating venv {self.venv}")
        shutil.rmtree(self.venv, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(self.venv)], check=True)
        log(f"{self.name}: pip install {' '.join(self.requirements)}")
        subprocess.run(
            [str(self.bin / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", *self.requirements],
            check=True,
        )
        stamp.write_text(key)

    def prepare(self) -> None:
        """Install (cached), then build and seed a fresh instance unless the cached one is current."""
        self.lock()
        self.ensure_installed()
        stamp, key = self._stamp("seeded", self.seed_version + " ".join(self.requirements))
        if stamp.exists() and stamp.read_text() == key and self.pristine.exists() and self.db_path.exists():
            return
        log(f"{self.name}: building and seeding a fresh instance in {self.instance}")
        shutil.rmtree(self.instance, ignore_errors=True)
        self.instance.mkdir(parents=True)
        self.build()
        copy_db(self.db_path, self.pristine)
        stamp.write_text(key)
        log(f"{self.name}: seeded; pristine copy {self.pristine}")

    def run(self, *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None) -> str:
        """Run a command of the app's venv (``args[0]`` names a script in its bin/), returning its stdout."""
        done = subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            cwd=cwd or self.instance,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{self.name}: {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
        return done.stdout

    @property
    @abstractmethod
    def db_path(self) -> Path: ...

    @abstractmethod
    def build(self) -> None:
        """Create the instance and seed it through the app's own CLI or API."""

    @abstractmethod
    def server_command(self) -> list[str]: ...

    @property
    @abstractmethod
    def base_url(self) -> str: ...

    @abstractmethod
    def tasks(self) -> list[AppTask]: ...

    @property
    def server_cwd(self) -> Path:
        return self.instance

    def before_start(self) -> None:  # noqa: B027 (an optional hook)
        """Hook: per-start configuration (e.g. the URL the app must know it is served at)."""

    # -- run ---------------------------------------------------------------------------------------------

    def url(self, path: str = "") -> str:
        return self.base_url + path.lstrip("/")

    def start(self, timeout: float = 60.0) -> None:
        if self._proc is not None:
            return
        self.lock()
        self.port = free_port()
        self.before_start()
        logfile = (self.root / "server.log").open("ab")
        self._proc = subprocess.Popen(
            self.server_command(),
            cwd=self.server_cwd,
            stdin=subprocess.DEVNULL,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one by our PID
        )
        logfile.close()
        deadline = time.monotonic() + timeout
        while True:
            if self._proc.poll() is not None:
                raise RuntimeError(f"{self.name} server exited {self._proc.returncode}: see {self.root / 'server.log'}")
            try:
                with urllib.request.urlopen(self.url(), timeout=2) as r:
                    if r.status < 500:
                        break
            except urllib.error.HTTPError as e:
                if e.code < 500:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} server did not answer within {timeout}s")
            time.sleep(0.1)  # polling the port with a deadline
        log(f"{self.name}: serving {self.base_url} (pid {self._proc.pid})")

    def stop(self) -> None:
        """Stop the server (its process group, by our child's PID) and release the app's directory."""
        try:
            self._stop_server()
        finally:
            self.unlock()

    def _stop_server(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def restore(self) -> None:
        """Put the pristine database back (the app opens the file per request, so no restart is needed)."""
        copy_db(self.pristine, self.db_path)

    def snapshot(self) -> Snapshot:
        return snapshot(self.db_path)

    def diff(self, before: Snapshot, after: Snapshot | None = None) -> Diff:
        return diff(before, after if after is not None else self.snapshot(), self.bookkeeping)
