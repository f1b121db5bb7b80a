"""Finding (or installing) a Chromium the engine can drive, and the flags it is launched with.

Order: ``CHROMIUM_PATH`` -> a system Chromium on PATH -> Playwright's own downloaded Chromium ->
``playwright install chromium`` -> ``apt-get install -y chromium`` (only as root). ``python -m
browserflow.browser.chromium --ensure`` runs that chain and prints the path; the Makefile calls it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from browserflow.config import ComponentSettings

__all__ = ["chromium_args", "ensure_chromium", "find_chromium"]

_SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
_QUIET_FLAGS = (
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--no-first-run",
)


def chromium_args() -> list[str]:
    """Launch flags: quiet on a closed network; ``--no-sandbox`` only when running as root."""
    args = list(_QUIET_FLAGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    return args


def _playwright_chromium() -> str | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a hard dependency
        return None
    try:
        with sync_playwright() as p:
            path = p.chromium.executable_path
    except Exception:
        return None
    return path if path and Path(path).exists() else None


def find_chromium(explicit: str | None = None) -> str | None:
    """The first usable Chromium: the explicit path, ``CHROMIUM_PATH``, the system's, Playwright's."""
    for candidate in (explicit, ComponentSettings.current().chromium_path):
        if candidate:
            if Path(candidate).is_file() and os.access(candidate, os.X_OK):
                return candidate
            raise FileNotFoundError(f"CHROMIUM_PATH={candidate!r} is not an executable file")
    for name in _SYSTEM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return _playwright_chromium()


def _run(cmd: list[str]) -> bool:
    print(f"browserflow: running {' '.join(cmd)}", file=sys.stderr)
    try:
        return subprocess.run(cmd, check=False).returncode == 0
    except OSError:
        return False


def ensure_chromium() -> str:
    """Find a Chromium, installing one when there is none. Raises ``RuntimeError`` with the fix."""
    found = find_chromium()
    if found:
        return found
    if _run([sys.executable, "-m", "playwright", "install", "chromium"]):
        found = _playwright_chromium()
        if found:
            return found
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=False, env=env)
        found = find_chromium()
        if found:
            return found
    raise RuntimeError(
        "no Chromium found: install one (e.g. `apt-get install chromium` or `playwright install chromium`) "
        "or set CHROMIUM_PATH to its executable"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="find or install the Chromium browserflow drives")
    parser.add_argument("--ensure", action="store_true", help="install one when none is found")
    args = parser.parse_args(argv)
    try:
        path = ensure_chromium() if args.ensure else find_chromium()
    except (RuntimeError, FileNotFoundError) as exc:
        print(f"browserflow: {exc}", file=sys.stderr)
        return 1
    if not path:
        print("browserflow: no Chromium found (run with --ensure to install one)", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
