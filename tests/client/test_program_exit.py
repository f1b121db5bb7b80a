"""Benches and scripts end through ``client.session.run_async`` / ``exit_cleanly``: the Temporal runtime is shut
down before the interpreter exits, so the process ends with the program's own status (no finalisation abort)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

pytestmark = pytest.mark.integration

PROGRAM = """
import sys
from temporalio.client import Client
from client.session import exit_cleanly, run_async

async def talk(address: str) -> int:
    client = await Client.connect(address)
    for _ in range(20):
        await client.service_client.check_health()
    return 7 if sys.argv[2] == "seven" else 0

async def broken() -> None:
    raise RuntimeError("the bench broke")

def main() -> int:
    if sys.argv[2] == "broken":
        run_async(broken)
    return run_async(lambda: talk(sys.argv[1]))

exit_cleanly(main)
"""


def run(address: str, mode: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "program.py"
    script.write_text(PROGRAM)
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, str(script), address, mode], env=env, capture_output=True, text=True, timeout=120
    )


def test_a_program_exits_with_its_own_status_after_talking_to_temporal(
    temporal_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    address = temporal_env.client.service_client.config.target_host
    for mode, code in (("zero", 0), ("seven", 7)):
        done = run(address, mode, tmp_path)
        assert done.returncode == code, done.stderr
        assert "Fatal Python error" not in done.stderr and "still referenced" not in done.stderr


def test_a_failing_program_exits_1_with_its_traceback_once(temporal_env: WorkflowEnvironment, tmp_path: Path) -> None:
    done = run(temporal_env.client.service_client.config.target_host, "broken", tmp_path)
    assert done.returncode == 1
    assert done.stderr.count("RuntimeError: the bench broke") == 1 and "Traceback" in done.stderr
