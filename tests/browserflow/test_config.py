"""Bad configuration values: a clear message naming the variable, before anything starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from browserflow.config import Settings
from browserflow.errors import ConfigInvalid

BAD = [
    ("BROWSERFLOW_MAX_SESSIONS", "many", "valid integer"),
    ("BROWSERFLOW_MAX_SESSIONS", "0", "greater than"),
    ("BROWSERFLOW_IDLE_SESSION_SECONDS", "soon", "valid number"),
    ("BROWSERFLOW_METRICS_PORT", "http", "valid integer"),
    ("BROWSERFLOW_ENV", "staging", "'dev' or 'production'"),
]


@pytest.mark.parametrize(("name", "value", "says"), BAD, ids=[f"{n}={v}" for n, v, _ in BAD])
def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigInvalid) as info:
        Settings.from_env()
    assert info.value.message.startswith(f"invalid configuration: {name}: ") and says in info.value.message


@pytest.mark.parametrize("command", [["list"], ["worker"], ["status", "bf-x"]])
def test_the_cli_and_the_worker_refuse_to_start_with_the_variable_named(command: list[str]) -> None:
    cli = Path(sys.executable).parent / "browserflow"
    env = {**os.environ, "BROWSERFLOW_MAX_SESSIONS": "many"}
    done = subprocess.run([str(cli), *command], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "BROWSERFLOW_MAX_SESSIONS: Input should be a valid integer" in done.stderr
    assert "Traceback" not in done.stderr
