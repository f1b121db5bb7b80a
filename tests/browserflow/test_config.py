"""Bad configuration values: a clear message naming the variable, before anything starts."""

from __future__ import annotations

import ast
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


PROFILES = """
[profile.default]
address = "file-host:7233"
namespace = "file-ns"

[profile.cloud]
address = "cloud.example:7233"
namespace = "cloud-ns"
api_key = "file-key"
"""


def test_a_temporal_cli_profile_file_is_honoured(tmp_path: Path) -> None:
    from browserflow.temporal.profile import connect_config

    file = tmp_path / "temporal.toml"
    file.write_text(PROFILES)
    settings = Settings.from_env({"TEMPORAL_CONFIG_FILE": str(file)})
    assert (settings.temporal_address, settings.temporal_namespace) == ("file-host:7233", "file-ns")
    assert connect_config(settings) == {"target_host": "file-host:7233", "namespace": "file-ns", "tls": False}
    cloud = connect_config(Settings.from_env({"TEMPORAL_CONFIG_FILE": str(file), "TEMPORAL_PROFILE": "cloud"}))
    assert cloud["target_host"] == "cloud.example:7233" and cloud["api_key"] == "file-key" and cloud["tls"] is True


def test_the_standard_variables_override_the_file_and_code_overrides_both(tmp_path: Path) -> None:
    from browserflow.temporal.profile import connect_config

    file = tmp_path / "temporal.toml"
    file.write_text(PROFILES)
    env = {"TEMPORAL_CONFIG_FILE": str(file), "TEMPORAL_ADDRESS": "env-host:7233", "TEMPORAL_API_KEY": "env-key"}
    settings = Settings.from_env(env)
    config = connect_config(settings)
    assert config["target_host"] == "env-host:7233" and config["namespace"] == "file-ns"
    assert config["api_key"] == "env-key" and config["tls"] is True  # an API key turns TLS on
    given = connect_config(settings.model_copy(update={"temporal_address": "code:1", "temporal_namespace": "n"}))
    assert (given["target_host"], given["namespace"]) == ("code:1", "n")
    assert connect_config(Settings.from_env({})) == {"target_host": "localhost:7233", "namespace": "default", "tls": False}


def test_the_older_tls_variables_still_give_the_client_certificate(tmp_path: Path) -> None:
    from temporalio.service import TLSConfig

    from browserflow.temporal.profile import connect_config

    (tmp_path / "c.pem").write_bytes(b"CERT")
    (tmp_path / "k.pem").write_bytes(b"KEY")
    env = {"TEMPORAL_TLS_CERT": str(tmp_path / "c.pem"), "TEMPORAL_TLS_KEY": str(tmp_path / "k.pem")}
    tls = connect_config(Settings.from_env(env))["tls"]
    assert isinstance(tls, TLSConfig) and (tls.client_cert, tls.client_private_key) == (b"CERT", b"KEY")


def test_a_missing_profile_or_file_names_its_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigInvalid, match="TEMPORAL_CONFIG_FILE: no such file"):
        Settings.from_env({"TEMPORAL_CONFIG_FILE": str(tmp_path / "absent.toml")})
    (tmp_path / "t.toml").write_text(PROFILES)
    with pytest.raises(ConfigInvalid, match=r"TEMPORAL_PROFILE: .*'staging'"):
        Settings.from_env({"TEMPORAL_CONFIG_FILE": str(tmp_path / "t.toml"), "TEMPORAL_PROFILE": "staging"})


def test_settings_built_in_code_read_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSERFLOW_MAX_SESSIONS", "3")
    monkeypatch.setenv("TEMPORAL_ADDRESS", "env-host:1")
    assert Settings().max_sessions == 8 and Settings().temporal_address == "localhost:7233"
    read = Settings.from_env()
    assert read.max_sessions == 3 and read.temporal_address == "env-host:1"


def test_an_empty_variable_is_unset_except_the_secret_prefix() -> None:
    settings = Settings.from_env({"BROWSERFLOW_MAX_SESSIONS": "", "BROWSERFLOW_SECRET_PREFIX": ""})
    assert settings.max_sessions == 8 and settings.secret_prefix == ""
    assert Settings.from_env({}).secret_prefix == "BROWSERFLOW_SECRET_"


def test_the_page_timeouts_are_set_by_the_worker_not_at_import() -> None:
    from datetime import timedelta

    from browserflow.temporal import policies

    before = dict(policies.POLICIES)
    settings = Settings.from_env({"BROWSERFLOW_PAGE_HEARTBEAT": "3", "BROWSERFLOW_PAGE_PICKUP": "4"})
    try:
        policies.configure(page_heartbeat=settings.page_heartbeat_timeout, page_pickup=settings.page_pickup_timeout)
        act = policies.options("act")
        assert act["heartbeat_timeout"] == timedelta(seconds=3) and act["schedule_to_start_timeout"] == timedelta(seconds=4)
        assert "heartbeat_timeout" not in policies.options("park")
        assert policies.options("park")["schedule_to_start_timeout"] == timedelta(seconds=4)
    finally:
        policies.POLICIES.update(before)
    assert policies.options("act")["heartbeat_timeout"] == policies.PAGE_HEARTBEAT


def _import_time_env_reads(tree: ast.AST) -> list[int]:
    """Lines reading ``os.environ`` / ``getenv`` outside any function body (run when the module is imported)."""
    found: list[int] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
            found.append(node.lineno)
        found.extend(_import_time_env_reads(node))
    return found


def test_no_module_reads_the_environment_at_import() -> None:
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for package in ("browserflow", "workflows", "activities", "client"):
        for file in (root / package).rglob("*.py"):
            lines = _import_time_env_reads(ast.parse(file.read_text()))
            offenders += [f"{file.relative_to(root)}:{n}" for n in lines]
    assert offenders == []
    assert _import_time_env_reads(ast.parse("import os\nX = os.environ.get('A')\ndef f():\n    return os.getenv('B')"))


def test_the_cli_never_writes_the_environment() -> None:
    root = Path(__file__).resolve().parents[2] / "client"
    for file in [*(root / "cli").glob("*.py"), root / "stack.py", root / "session.py"]:
        text = file.read_text()
        assert "os.environ[" not in text and "environ.setdefault" not in text and "environ.update" not in text, file


def test_the_worker_names_a_bad_decision_tier_variable() -> None:
    env = {**os.environ, "BROWSERFLOW_LLM_TIMEOUT": "soon"}
    done = subprocess.run([sys.executable, "-m", "worker"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "invalid configuration: BROWSERFLOW_LLM_TIMEOUT: Input should be a valid number" in done.stderr
    assert "Traceback" not in done.stderr
