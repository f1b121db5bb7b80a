"""`browserflow demo` (what `make demo` runs) end to end, on free ports and a scratch data directory."""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stack_env(tmp_path: Path) -> tuple[dict[str, str], dict[str, int]]:
    ports = {name: free_port() for name in ("grpc", "ui", "demo", "codec", "console")}
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": f"127.0.0.1:{ports['grpc']}",
        "TEMPORAL_WEB_UI": f"http://localhost:{ports['ui']}",
        "BROWSERFLOW_DEMO_PORT": str(ports["demo"]),
        "BROWSERFLOW_CODEC_SERVER": f"http://127.0.0.1:{ports['codec']}",
        "BROWSERFLOW_CONSOLE_PORT": str(ports["console"]),
        "BROWSERFLOW_DATA_DIR": str(tmp_path),
        "BROWSERFLOW_TASK_QUEUE": f"up-{ports['grpc']}",
        "OLLAMA_HOST": "off",
    }
    for name in ("BROWSERFLOW_ENCRYPTION_KEYS", "BROWSERFLOW_CONSOLE_TOKEN", "BROWSERFLOW_CONSOLE_USERS"):
        env.pop(name, None)
    return env, ports


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def test_up_starts_the_review_console_with_a_token_file_and_down_stops_it(tmp_path: Path) -> None:
    env, ports = stack_env(tmp_path)
    browserflow = str(Path(sys.executable).parent / "browserflow")
    try:
        up = subprocess.run([browserflow, "up"], env=env, capture_output=True, text=True, timeout=240)
        assert up.returncode == 0, up.stdout + up.stderr
        token_file = tmp_path / "console.token"
        token = token_file.read_text().strip()
        assert len(token) >= 32
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        console = f"http://127.0.0.1:{ports['console']}"
        assert f"review console up on {console}/ (sign in with the token in {token_file})" in up.stdout
        assert token not in up.stdout + up.stderr
        assert status_of(f"{console}/login") == 200
        assert status_of(f"{console}/reviews") == 401  # no credential
        bearer = urllib.request.Request(f"{console}/reviews", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(bearer, timeout=10) as answer:
            assert answer.status == 200
        again = subprocess.run([browserflow, "up"], env=env, capture_output=True, text=True, timeout=120)
        assert "review console already answering" in again.stdout
        assert token_file.read_text().strip() == token  # kept across `make up`s
    finally:
        down = subprocess.run([browserflow, "down"], env=env, capture_output=True, text=True, timeout=120)
    assert "stopped console" in down.stdout and "stopped worker" in down.stdout, down.stdout + down.stderr
    assert token not in down.stdout + down.stderr
    assert list((tmp_path / "run").glob("*.pid")) == []
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", ports["console"])) != 0


def test_demo_runs_the_task_and_stops_what_it_started(tmp_path: Path) -> None:
    grpc, ui, demo, codec = free_port(), free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": f"127.0.0.1:{grpc}",
        "TEMPORAL_WEB_UI": f"http://localhost:{ui}",
        "BROWSERFLOW_DEMO_PORT": str(demo),
        "BROWSERFLOW_CODEC_SERVER": f"http://127.0.0.1:{codec}",
        "BROWSERFLOW_DATA_DIR": str(tmp_path),
        "BROWSERFLOW_TASK_QUEUE": f"demo-{grpc}",
        "OLLAMA_HOST": "off",
    }
    env.pop("BROWSERFLOW_ENCRYPTION_KEYS", None)  # no key configured: the stack makes and keeps a dev key ring
    browserflow = Path(sys.executable).parent / "browserflow"
    proc = subprocess.run([str(browserflow), "demo"], env=env, capture_output=True, text=True, timeout=240)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert re.search(r"result:\s+confirmation_number = SWM-\d{6}", out), out
    assert "step 3/20 fill 5 fields, click 'Register'" in out  # live progress
    assert f"Web UI:   http://localhost:{ui}/namespaces/default/workflows/bf-" in out
    assert "stopped server" in out and "stopped worker" in out and "stopped demo" in out
    assert "review console" not in out  # `make demo` runs without it
    assert "payloads encrypted with AES-256-GCM" in out and "stopped codec" in out
    assert f"made a dev key ring at {tmp_path / 'encryption.keys'}" in proc.stderr
    assert (tmp_path / "encryption.keys").exists()  # kept for the next `make up` and its Web UI
    assert (tmp_path / "temporal.db").exists()  # the run stays for `make up`
    assert list((tmp_path / "run").glob("*.pid")) == []
    with socket.socket() as sock:  # the dev server it started is gone
        assert sock.connect_ex(("127.0.0.1", grpc)) != 0
