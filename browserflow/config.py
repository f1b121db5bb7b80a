"""Configuration from the environment, with sane defaults for the embedded stack.

Every setting is documented in the README's "Configuration" table; the environment variable name is given
beside each field.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError

from browserflow.errors import ConfigInvalid

__all__ = ["Settings", "project_root"]


def project_root() -> Path:
    """The checkout's root (where pyproject.toml lives), or the working directory for an installed copy."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").exists() else Path.cwd()


_ENV_OF = {
    "temporal_address": "TEMPORAL_ADDRESS",
    "temporal_namespace": "TEMPORAL_NAMESPACE",
    "temporal_tls": "TEMPORAL_TLS",
    "temporal_tls_cert": "TEMPORAL_TLS_CERT",
    "temporal_tls_key": "TEMPORAL_TLS_KEY",
    "temporal_api_key": "TEMPORAL_API_KEY",
    "task_queue": "BROWSERFLOW_TASK_QUEUE",
    "data_dir": "BROWSERFLOW_DATA_DIR",
    "database_url": "DATABASE_URL",
    "chromium_path": "CHROMIUM_PATH",
    "headless": "BROWSERFLOW_HEADLESS",
    "max_sessions": "BROWSERFLOW_MAX_SESSIONS",
    "idle_session_seconds": "BROWSERFLOW_IDLE_SESSION_SECONDS",
    "metrics_port": "BROWSERFLOW_METRICS_PORT",
    "web_ui_url": "TEMPORAL_WEB_UI",
    "environment": "BROWSERFLOW_ENV",
    "encryption": "BROWSERFLOW_ENCRYPTION",
    "encryption_keys": "BROWSERFLOW_ENCRYPTION_KEYS",
    "encryption_key_file": "BROWSERFLOW_ENCRYPTION_KEY_FILE",
    "codec_server_url": "BROWSERFLOW_CODEC_SERVER",
    "codec_cors_origins": "BROWSERFLOW_CODEC_CORS_ORIGINS",
    "codec_token": "BROWSERFLOW_CODEC_TOKEN",
}
"""The environment variable each setting is read from (named in configuration errors)."""


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str) -> list[str] | None:
    items = [item.strip() for item in (os.environ.get(name) or "").split(",") if item.strip()]
    return items or None


class Settings(BaseModel):
    """All runtime settings. Build with ``Settings.from_env()``."""

    temporal_address: str = Field(default="localhost:7233", description="TEMPORAL_ADDRESS")
    temporal_namespace: str = Field(default="default", description="TEMPORAL_NAMESPACE")
    temporal_tls: bool = Field(default=False, description="TEMPORAL_TLS")
    temporal_tls_cert: str | None = Field(default=None, description="TEMPORAL_TLS_CERT (client cert path)")
    temporal_tls_key: str | None = Field(default=None, description="TEMPORAL_TLS_KEY (client key path)")
    temporal_api_key: str | None = Field(default=None, description="TEMPORAL_API_KEY")
    task_queue: str = Field(default="browserflow", description="BROWSERFLOW_TASK_QUEUE")
    data_dir: Path = Field(default_factory=lambda: project_root() / ".data", description="BROWSERFLOW_DATA_DIR")
    database_url: str | None = Field(default=None, description="DATABASE_URL (default: SQLite under data_dir)")
    chromium_path: str | None = Field(default=None, description="CHROMIUM_PATH")
    headless: bool = Field(default=True, description="BROWSERFLOW_HEADLESS")
    max_sessions: int = Field(default=8, ge=1, description="BROWSERFLOW_MAX_SESSIONS")
    idle_session_seconds: float = Field(default=300.0, gt=0, description="BROWSERFLOW_IDLE_SESSION_SECONDS")
    metrics_port: int | None = Field(default=None, description="BROWSERFLOW_METRICS_PORT")
    web_ui_url: str = Field(default="http://localhost:8233", description="TEMPORAL_WEB_UI")
    environment: Literal["dev", "production"] = Field(default="dev", description="BROWSERFLOW_ENV")
    encryption: Literal["on", "off"] = Field(default="on", description="BROWSERFLOW_ENCRYPTION")
    encryption_keys: SecretStr | None = Field(default=None, description="BROWSERFLOW_ENCRYPTION_KEYS")
    encryption_key_file: Path | None = Field(default=None, description="BROWSERFLOW_ENCRYPTION_KEY_FILE")
    codec_server_url: str = Field(default="http://127.0.0.1:8234", description="BROWSERFLOW_CODEC_SERVER")
    codec_cors_origins: list[str] | None = Field(
        default=None, description="BROWSERFLOW_CODEC_CORS_ORIGINS (comma-separated; default: the Web UI's origin)"
    )
    codec_token: SecretStr | None = Field(default=None, description="BROWSERFLOW_CODEC_TOKEN")

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        values: dict[str, object] = {
            "temporal_address": env.get("TEMPORAL_ADDRESS") or None,
            "temporal_namespace": env.get("TEMPORAL_NAMESPACE") or None,
            "temporal_tls": _env_bool("TEMPORAL_TLS", False),
            "temporal_tls_cert": env.get("TEMPORAL_TLS_CERT") or None,
            "temporal_tls_key": env.get("TEMPORAL_TLS_KEY") or None,
            "temporal_api_key": env.get("TEMPORAL_API_KEY") or None,
            "task_queue": env.get("BROWSERFLOW_TASK_QUEUE") or None,
            "data_dir": env.get("BROWSERFLOW_DATA_DIR") or None,
            "database_url": env.get("DATABASE_URL") or None,
            "chromium_path": env.get("CHROMIUM_PATH") or None,
            "headless": _env_bool("BROWSERFLOW_HEADLESS", True),
            "max_sessions": env.get("BROWSERFLOW_MAX_SESSIONS") or None,
            "idle_session_seconds": env.get("BROWSERFLOW_IDLE_SESSION_SECONDS") or None,
            "metrics_port": env.get("BROWSERFLOW_METRICS_PORT") or None,
            "web_ui_url": env.get("TEMPORAL_WEB_UI") or None,
            "environment": (env.get("BROWSERFLOW_ENV") or "").strip().lower() or None,
            "encryption": (env.get("BROWSERFLOW_ENCRYPTION") or "").strip().lower() or None,
            "encryption_keys": env.get("BROWSERFLOW_ENCRYPTION_KEYS") or None,
            "encryption_key_file": env.get("BROWSERFLOW_ENCRYPTION_KEY_FILE") or None,
            "codec_server_url": env.get("BROWSERFLOW_CODEC_SERVER") or None,
            "codec_cors_origins": _env_list("BROWSERFLOW_CODEC_CORS_ORIGINS"),
            "codec_token": env.get("BROWSERFLOW_CODEC_TOKEN") or None,
        }
        try:
            return cls.model_validate({k: v for k, v in values.items() if v is not None})
        except ValidationError as exc:
            problems = []
            for err in exc.errors():
                field = str(err["loc"][0]) if err["loc"] else ""
                problems.append(f"{_ENV_OF.get(field, field)}: {err['msg']}")
            raise ConfigInvalid("invalid configuration: " + "; ".join(problems)) from None

    @property
    def production(self) -> bool:
        return self.environment == "production"

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'browserflow.db'}"
