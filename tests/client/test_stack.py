"""`browserflow demo` (what `make demo` runs) end to end, on free ports and a scratch data directory."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    assert "payloads encrypted with AES-256-GCM" in out and "stopped codec" in out
    assert f"made a dev key ring at {tmp_path / 'encryption.keys'}" in proc.stderr
    assert (tmp_path / "encryption.keys").exists()  # kept for the next `make up` and its Web UI
    assert (tmp_path / "temporal.db").exists()  # the run stays for `make up`
    assert list((tmp_path / "run").glob("*.pid")) == []
    with socket.socket() as sock:  # the dev server it started is gone
        assert sock.connect_ex(("127.0.0.1", grpc)) != 0
