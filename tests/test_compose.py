"""The production stack: docker-compose.yml validates and wires the services together; the Dockerfile fits.

Needs the docker-compose CLI (``make setup`` installs it); a missing one fails these tests, it does not skip.
Nothing is started: ``docker-compose config`` only reads and resolves the file.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

_TO_JSON = "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"


def _compose_cli() -> str:
    found = shutil.which("docker-compose")
    if found is None:
        pytest.fail("docker-compose is not installed: run make setup", pytrace=False)
    return found


def _run_compose(*args: str, env: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> str:
    """Run docker-compose on the file with the test's environment (minus COMPOSE_*/DOCKER_* and ``drop``)."""
    cli = _compose_cli()
    full_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COMPOSE_", "DOCKER_", "BROWSERFLOW_")) and k not in drop
    }
    full_env.update(env or {})
    proc = subprocess.run(
        [cli, "-f", str(COMPOSE_FILE), *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, f"docker-compose {' '.join(args)} failed:\n{proc.stderr}"
    return proc.stdout


def _yaml_to_json(text: str) -> dict[str, Any]:
    """Parse YAML with PyYAML from this interpreter, else from the one docker-compose (v1, Python) runs on."""
    if importlib.util.find_spec("yaml") is not None:
        import yaml

        return dict(yaml.safe_load(text))
    cli = Path(_compose_cli())
    first = cli.read_bytes()[:200].split(b"\n", 1)[0].decode(errors="replace")
    interpreter = first[2:].strip().split()[0] if first.startswith("#!") and "python" in first else None
    if interpreter is None:
        pytest.fail("cannot parse YAML: add pyyaml to the dev dependencies (run make setup)", pytrace=False)
    proc = subprocess.run(
        [interpreter, "-c", _TO_JSON], input=text, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return dict(json.loads(proc.stdout))


def _published(port: object) -> tuple[str, str]:
    """(host port, container port) of a ports entry in long or short form."""
    if isinstance(port, dict):
        return str(port.get("published")), str(port.get("target"))
    host, _, container = str(port).split("/")[0].rpartition(":")
    return host.rpartition(":")[2], container


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    _run_compose("config", "-q")
    return _yaml_to_json(_run_compose("config", env={"ANTHROPIC_API_KEY": "sk-test-passthrough"}))


def test_compose_file_is_valid() -> None:
    _run_compose("config", "-q")


def test_services_exist(config: dict[str, Any]) -> None:
    services = set(config["services"])
    assert {"postgresql", "temporal", "temporal-ui", "worker", "ollama"} <= services
    listed = set(_run_compose("--profile", "ollama", "config", "--services").split())
    assert {"postgresql", "temporal", "temporal-ui", "worker", "ollama"} <= listed


def test_ollama_is_optional(config: dict[str, Any]) -> None:
    assert config["services"]["ollama"]["profiles"] == ["ollama"]
    assert "profiles" not in config["services"]["worker"]


def test_the_review_console_is_opt_in_and_reads_the_workers_files(config: dict[str, Any]) -> None:
    console = config["services"]["console"]
    assert console["profiles"] == ["console"]
    assert console["command"] == ["browserflow", "console", "--host", "0.0.0.0", "--port", "8234"]
    assert ("8234", "8234") in {_published(p) for p in console["ports"]}
    codec = config["services"]["codec-server"]
    assert codec["command"][-2:] == ["--port", "8081"]
    assert ("8081", "8081") in {_published(p) for p in codec["ports"]}
    assert all(str(p.get("host_ip", "127.0.0.1") if isinstance(p, dict) else p).startswith("127.0.0.1")
               for p in console["ports"])
    (volume,) = console["volumes"]
    worker_volume = config["services"]["worker"]["volumes"][0]
    source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
    worker_source = worker_volume["source"] if isinstance(worker_volume, dict) else worker_volume.split(":")[0]
    assert source == worker_source  # the reviewers' screenshots are the workers' files
    assert (volume.get("read_only") if isinstance(volume, dict) else volume.endswith(":ro"))
    env = console["environment"]
    assert env["TEMPORAL_ADDRESS"] == "temporal:7233" and env["BROWSERFLOW_DATA_DIR"] == "/data"
    assert "BROWSERFLOW_CONSOLE_TOKEN" in env and not env["BROWSERFLOW_CONSOLE_TOKEN"]  # passed through only


def test_temporal_uses_the_postgresql_service(config: dict[str, Any]) -> None:
    temporal = config["services"]["temporal"]
    assert temporal["image"].startswith("temporalio/auto-setup:")
    assert temporal["environment"]["DB"] == "postgres12"
    assert temporal["environment"]["POSTGRES_SEEDS"] == "postgresql"
    assert "postgresql" in temporal["depends_on"]


def test_web_ui_on_8080(config: dict[str, Any]) -> None:
    ui = config["services"]["temporal-ui"]
    assert ui["image"].startswith("temporalio/ui:")
    assert ui["environment"]["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert ("8080", "8080") in {_published(p) for p in ui["ports"]}


def test_worker_wiring(config: dict[str, Any]) -> None:
    worker = config["services"]["worker"]
    assert Path(worker["build"]["context"]).resolve() == ROOT
    env = worker["environment"]
    assert env["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@postgresql:5432/" in env["DATABASE_URL"]
    assert env["ANTHROPIC_API_KEY"] == "sk-test-passthrough"  # passed through, not written in the file
    for name in ("BROWSERFLOW_MAX_SESSIONS", "OLLAMA_HOST", "BROWSERFLOW_METRICS_PORT"):
        assert env.get(name), name
    assert int(worker["deploy"]["replicas"]) >= 1
    assert worker["depends_on"]["db-migrate"]["condition"] == "service_completed_successfully"
    assert worker["depends_on"]["temporal-search-attributes"]["condition"] == "service_completed_successfully"


def test_worker_replicas_from_the_environment() -> None:
    scaled = _yaml_to_json(_run_compose("config", env={"BROWSERFLOW_WORKERS": "5"}))
    assert int(scaled["services"]["worker"]["deploy"]["replicas"]) == 5


def test_no_api_key_in_the_file() -> None:
    resolved = _yaml_to_json(_run_compose("config", drop=("ANTHROPIC_API_KEY",)))
    assert resolved["services"]["worker"]["environment"].get("ANTHROPIC_API_KEY") is None
    assert "sk-" not in COMPOSE_FILE.read_text()


def test_search_attributes_are_registered(config: dict[str, Any]) -> None:
    init = config["services"]["temporal-search-attributes"]
    assert init["image"].startswith("temporalio/admin-tools:")
    script = " ".join(init.get("command") or [])
    assert "temporal operator search-attribute create" in script
    assert "--type Keyword" in script
    for name in ("TaskStatus", "TaskSite"):
        assert name in script


def test_migrations_run_before_the_workers(config: dict[str, Any]) -> None:
    migrate = config["services"]["db-migrate"]
    assert migrate["command"][-3:] == ["-m", "browserflow.store.migrate", "upgrade"]
    assert importlib.util.find_spec("browserflow.store.migrate") is not None
    assert migrate["environment"]["DATABASE_URL"] == config["services"]["worker"]["environment"]["DATABASE_URL"]


def test_dockerfile() -> None:
    text = DOCKERFILE.read_text()
    base = re.search(r"^FROM\s+mcr\.microsoft\.com/playwright/python:v(\d+\.\d+\.\d+)-\w+", text, re.M)
    assert base, "the worker image builds on the Playwright Python image"
    # the pinned playwright must be the release the base image's browsers belong to
    assert f'"playwright=={base.group(1)}"' in text
    assert re.search(r'^CMD \["browserflow", "worker"\]', text, re.M)
    for package in ("browserflow", "workflows", "activities", "client", "migrations"):
        assert f"COPY {package} ./{package}" in text


def test_missing_cli_fails_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(pytest.fail.Exception, match="run make setup"):
        _compose_cli()
