"""The one configuration object: every setting, read from the environment once, at the edge.

``Settings.from_env()`` is called by the programs - the CLI, the worker, the stack, the codec server, the SDK's
``connect`` - and the object is passed down; constructing ``Settings(...)`` directly reads nothing (a plain
value, as tests build it). Every setting is documented in the README's "Configuration" table; the environment
variable of each field is its ``validation_alias`` and a bad value raises ``ConfigInvalid`` naming it.

The Temporal connection goes through ``temporalio.envconfig``: a ``temporal`` CLI profile (the TOML file at
``TEMPORAL_CONFIG_FILE``, else the CLI's default path; profile ``TEMPORAL_PROFILE``, else ``default``) and the
standard ``TEMPORAL_*`` variables, which override the file. Precedence, highest first: values given in code
(SDK arguments, CLI flags), the environment, the profile file, the defaults (``localhost:7233``, ``default``).
The project's own ``TEMPORAL_TLS_CERT`` / ``TEMPORAL_TLS_KEY`` are read as the standard
``TEMPORAL_TLS_CLIENT_CERT_PATH`` / ``TEMPORAL_TLS_CLIENT_KEY_PATH`` (the standard names win when both are set).

``ComponentSettings`` (the base of ``Settings``) holds the few knobs a component reads at each use - the data
directory and Chromium path, trace mode and detail, warm pages, internal hosts, the pattern time limit, which
``env:`` secret names resolve, the key that signs callbacks: ``ComponentSettings.current()`` reads only those,
through this module. Nothing reads the environment at import time; the worker sets the page timeouts
(``policies.configure``) at start.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, PrivateAttr, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.sources.utils import parse_env_vars

from browserflow.errors import ConfigInvalid

__all__ = ["ComponentSettings", "Settings", "project_root"]

log = logging.getLogger(__name__)

DEFAULT_SECRET_PREFIX = "BROWSERFLOW_SECRET_"
DEFAULT_WARM_SESSIONS = 1
DEFAULT_PATTERN_TIME_LIMIT = 2.0
_TRUE = {"1", "true", "yes", "on"}
_KEEP_EMPTY = {"BROWSERFLOW_SECRET_PREFIX"}  # an empty prefix means "no prefix", not "unset"


def project_root() -> Path:
    """The checkout's root (where pyproject.toml lives), or the working directory for an installed copy."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").exists() else Path.cwd()


_READING: ContextVar[Mapping[str, str] | None] = ContextVar("browserflow_config_reading", default=None)


class _MappingEnv(EnvSettingsSource):
    """The environment source over a given mapping (``os.environ`` at the edge, a dict in tests)."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        self._given = env
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._given, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str)


@contextmanager
def _reading(env: Mapping[str, str]) -> Iterator[None]:
    token = _READING.set(env)
    try:
        yield
    finally:
        _READING.reset(token)


def _split(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _loose_float(raw: object, default: float) -> object:
    if not isinstance(raw, str):
        return raw
    try:
        return max(0.0, float(raw))
    except ValueError:
        return default


class _EnvModel(BaseSettings):
    """Reads the environment only inside :meth:`from_env`; errors name the variable."""

    model_config = SettingsConfigDict(
        case_sensitive=True, extra="ignore", validate_by_name=True, validate_by_alias=True
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        env = _READING.get()
        return (init_settings,) if env is None else (init_settings, _MappingEnv(settings_cls, env))

    @model_validator(mode="before")
    @classmethod
    def _empty_is_unset(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v != "" or k in _KEEP_EMPTY or _ENV_OF.get(k) in _KEEP_EMPTY}
        return data

    @classmethod
    def _read(cls, env: Mapping[str, str] | None, **given: Any) -> Self:
        try:
            with _reading(os.environ if env is None else env):
                return cls(**given)
        except ValidationError as exc:
            raise ConfigInvalid("invalid configuration: " + "; ".join(_problems(exc))) from None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Self:
        """Read ``env`` (default ``os.environ``); ``ConfigInvalid`` names each bad variable."""
        return cls._read(env)


def _problems(exc: ValidationError) -> list[str]:
    problems = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        problems.append(f"{_ENV_OF.get(field, field)}: {err['msg']}")
    return problems


class ComponentSettings(_EnvModel):
    """The knobs components read at each use (a running worker's tests change them between tasks)."""

    data_dir: Path = Field(default_factory=lambda: project_root() / ".data", validation_alias="BROWSERFLOW_DATA_DIR")
    chromium_path: str | None = Field(default=None, validation_alias="CHROMIUM_PATH")
    trace: Literal["off", "failed", "always"] = Field(default="failed", validation_alias="BROWSERFLOW_TRACE")
    trace_detail: Literal["actions", "snapshots", "full"] = Field(
        default="actions", validation_alias="BROWSERFLOW_TRACE_DETAIL"
    )
    warm_sessions: int = Field(default=DEFAULT_WARM_SESSIONS, ge=0, validation_alias="BROWSERFLOW_WARM_SESSIONS")
    allow_internal: bool = Field(default=False, validation_alias="BROWSERFLOW_ALLOW_INTERNAL")
    pattern_time_limit: float = Field(
        default=DEFAULT_PATTERN_TIME_LIMIT, ge=0, validation_alias="BROWSERFLOW_PATTERN_TIME_LIMIT"
    )
    secret_prefix: str = Field(default=DEFAULT_SECRET_PREFIX, validation_alias="BROWSERFLOW_SECRET_PREFIX")
    secret_allow: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias="BROWSERFLOW_SECRET_ALLOW"
    )
    callback_secret: SecretStr | None = Field(
        default=None, validation_alias="BROWSERFLOW_CALLBACK_SECRET", description="HMAC key that signs callbacks"
    )

    @classmethod
    def current(cls) -> ComponentSettings:
        """These knobs as the environment holds them now."""
        return ComponentSettings.from_env()

    @field_validator("trace", mode="before")
    @classmethod
    def _trace(cls, raw: object) -> object:
        if not isinstance(raw, str):
            return raw
        value = raw.strip().lower()
        if value in {"off", "0", "false", "no", "none"}:
            return "off"
        return "always" if value in {"always", "on", "1", "true", "yes"} else "failed"

    @field_validator("trace_detail", mode="before")
    @classmethod
    def _detail(cls, raw: object) -> object:
        value = raw.strip().lower() if isinstance(raw, str) else raw
        return value if value in {"actions", "snapshots", "full"} else "actions"

    @field_validator("warm_sessions", mode="before")
    @classmethod
    def _warm(cls, raw: object) -> object:
        if not isinstance(raw, str):
            return raw
        try:
            return max(0, int(raw.strip()))
        except ValueError:
            log.warning("BROWSERFLOW_WARM_SESSIONS=%r is not a number; using %d", raw, DEFAULT_WARM_SESSIONS)
            return DEFAULT_WARM_SESSIONS

    @field_validator("allow_internal", mode="before")
    @classmethod
    def _internal(cls, raw: object) -> object:
        return raw.strip().lower() in _TRUE if isinstance(raw, str) else raw

    @field_validator("pattern_time_limit", mode="before")
    @classmethod
    def _limit(cls, raw: object) -> object:
        return _loose_float(raw, DEFAULT_PATTERN_TIME_LIMIT)

    @field_validator("secret_prefix", mode="before")
    @classmethod
    def _prefix(cls, raw: object) -> object:
        return raw.strip() if isinstance(raw, str) else raw

    @field_validator("secret_allow", mode="before")
    @classmethod
    def _allow(cls, raw: object) -> object:
        return _split(raw)


class Settings(ComponentSettings):
    """All runtime settings. Build with ``Settings.from_env()`` at a program's start and pass it down."""

    temporal_address: str = Field(default="localhost:7233", validation_alias="TEMPORAL_ADDRESS")
    temporal_namespace: str = Field(default="default", validation_alias="TEMPORAL_NAMESPACE")
    temporal_tls: bool = Field(default=False, validation_alias="TEMPORAL_TLS")
    temporal_tls_cert: str | None = Field(default=None, validation_alias="TEMPORAL_TLS_CERT")
    temporal_tls_key: str | None = Field(default=None, validation_alias="TEMPORAL_TLS_KEY")
    temporal_api_key: str | None = Field(default=None, validation_alias="TEMPORAL_API_KEY")
    temporal_profile: str | None = Field(default=None, validation_alias="TEMPORAL_PROFILE")
    temporal_config_file: Path | None = Field(default=None, validation_alias="TEMPORAL_CONFIG_FILE")
    task_queue: str = Field(default="browserflow", validation_alias="BROWSERFLOW_TASK_QUEUE")
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    headless: bool = Field(default=True, validation_alias="BROWSERFLOW_HEADLESS")
    max_sessions: int = Field(default=8, ge=1, validation_alias="BROWSERFLOW_MAX_SESSIONS")
    idle_session_seconds: float = Field(default=300.0, gt=0, validation_alias="BROWSERFLOW_IDLE_SESSION_SECONDS")
    metrics_port: int | None = Field(default=None, validation_alias="BROWSERFLOW_METRICS_PORT")
    log_level: str = Field(default="INFO", validation_alias="BROWSERFLOW_LOG_LEVEL")
    page_heartbeat: float = Field(default=8.0, gt=0, validation_alias="BROWSERFLOW_PAGE_HEARTBEAT")
    page_pickup: float = Field(default=10.0, gt=0, validation_alias="BROWSERFLOW_PAGE_PICKUP")
    demo_port: int = Field(default=8765, ge=1, le=65535, validation_alias="BROWSERFLOW_DEMO_PORT")
    web_ui_url: str = Field(default="http://localhost:8233", validation_alias="TEMPORAL_WEB_UI")
    environment: Literal["dev", "production"] = Field(default="dev", validation_alias="BROWSERFLOW_ENV")
    encryption: Literal["on", "off"] = Field(default="on", validation_alias="BROWSERFLOW_ENCRYPTION")
    encryption_keys: SecretStr | None = Field(default=None, validation_alias="BROWSERFLOW_ENCRYPTION_KEYS")
    encryption_key_file: Path | None = Field(default=None, validation_alias="BROWSERFLOW_ENCRYPTION_KEY_FILE")
    codec_server_url: str = Field(default="http://127.0.0.1:8081", validation_alias="BROWSERFLOW_CODEC_SERVER")
    codec_cors_origins: Annotated[list[str] | None, NoDecode] = Field(
        default=None, validation_alias="BROWSERFLOW_CODEC_CORS_ORIGINS"
    )
    codec_token: SecretStr | None = Field(default=None, validation_alias="BROWSERFLOW_CODEC_TOKEN")
    # OpenTelemetry traces (browserflow/temporal/tracing.py): on when an OTLP endpoint is set, off otherwise
    otel_endpoint: str | None = Field(default=None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT")
    otel_traces_endpoint: str | None = Field(default=None, validation_alias="OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    otel_headers: SecretStr | None = Field(default=None, validation_alias="OTEL_EXPORTER_OTLP_HEADERS")
    otel_protocol: Literal["http/protobuf"] = Field(
        default="http/protobuf", validation_alias="OTEL_EXPORTER_OTLP_PROTOCOL"
    )
    console_token: SecretStr | None = Field(default=None, validation_alias="BROWSERFLOW_CONSOLE_TOKEN")
    console_viewer_token: SecretStr | None = Field(default=None, validation_alias="BROWSERFLOW_CONSOLE_VIEWER_TOKEN")
    console_users: Path | None = Field(default=None, validation_alias="BROWSERFLOW_CONSOLE_USERS")
    console_port: int = Field(default=8234, ge=1, le=65535, validation_alias="BROWSERFLOW_CONSOLE_PORT")

    _temporal_profile: dict[str, Any] = PrivateAttr(default_factory=dict)

    @field_validator("environment", "encryption", mode="before")
    @classmethod
    def _lower(cls, raw: object) -> object:
        return raw.strip().lower() if isinstance(raw, str) else raw

    @field_validator("otel_endpoint", "otel_traces_endpoint", mode="before")
    @classmethod
    def _otlp_url(cls, raw: object) -> object:
        if not isinstance(raw, str):
            return raw
        value = raw.strip()
        parts = urlsplit(value)
        if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
            raise ValueError("an OTLP/HTTP endpoint is an http:// or https:// URL, e.g. http://localhost:4318")
        return value

    @field_validator("otel_protocol", mode="before")
    @classmethod
    def _otlp_protocol(cls, raw: object) -> object:
        return raw.strip().lower() if isinstance(raw, str) else raw

    @field_validator("codec_cors_origins", mode="before")
    @classmethod
    def _origins(cls, raw: object) -> object:
        return _split(raw) or None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Self:
        """Read ``env`` (default ``os.environ``) and the Temporal profile file; ``ConfigInvalid`` names each bad
        variable (a missing profile or config file names ``TEMPORAL_PROFILE`` / ``TEMPORAL_CONFIG_FILE``)."""
        from browserflow.temporal.profile import load_profile  # the SDK's envconfig stays in browserflow.temporal

        env = os.environ if env is None else env
        profile = load_profile(env)
        given = {"temporal_address": profile.get("address"), "temporal_namespace": profile.get("namespace")}
        settings = cls._read(env, **{k: v for k, v in given.items() if v})
        settings._temporal_profile = profile
        return settings

    @property
    def temporal_profile_data(self) -> dict[str, Any]:
        """The ``temporal`` CLI profile read by :meth:`from_env` (file and ``TEMPORAL_*`` variables), as the
        SDK's profile dictionary; empty for a ``Settings`` built in code."""
        return self._temporal_profile

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def page_heartbeat_timeout(self) -> timedelta:
        return timedelta(seconds=self.page_heartbeat)

    @property
    def page_pickup_timeout(self) -> timedelta:
        return timedelta(seconds=self.page_pickup)

    @property
    def otlp_traces_url(self) -> str | None:
        """Where spans are sent (OTLP over HTTP), or None: tracing off. The traces endpoint is used as given; the
        general endpoint gets the signal's path ``/v1/traces``, as the OpenTelemetry specification says."""
        if self.otel_traces_endpoint:
            return self.otel_traces_endpoint
        return f"{self.otel_endpoint.rstrip('/')}/v1/traces" if self.otel_endpoint else None

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'browserflow.db'}"


_ENV_OF: dict[str, str] = {
    name: str(field.validation_alias) for name, field in Settings.model_fields.items() if field.validation_alias
}
"""The environment variable each setting is read from (named in configuration errors)."""
