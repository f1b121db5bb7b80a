"""The Temporal connection settings through ``temporalio.envconfig``: the ``temporal`` CLI's profile file and
its standard ``TEMPORAL_*`` variables, with browserflow's ``Settings`` on top.

Precedence, highest first: values set on ``Settings`` in code (SDK arguments, CLI flags), the environment
(``TEMPORAL_ADDRESS``, ``TEMPORAL_NAMESPACE``, ``TEMPORAL_API_KEY``, ``TEMPORAL_TLS``,
``TEMPORAL_TLS_CLIENT_CERT_PATH`` ... as the ``temporal`` CLI reads them), the profile ``TEMPORAL_PROFILE``
(default ``default``) of the TOML file ``TEMPORAL_CONFIG_FILE`` (default: the CLI's own,
``~/.config/temporalio/temporal.toml``), then browserflow's defaults (``localhost:7233``, namespace ``default``).
browserflow's older ``TEMPORAL_TLS_CERT`` / ``TEMPORAL_TLS_KEY`` are read as the client certificate and key
paths when the standard names are not set.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from temporalio.envconfig import ClientConfigProfile, ClientConfigProfileDict, ClientConnectConfig
from temporalio.service import TLSConfig

from browserflow.errors import ConfigInvalid

if TYPE_CHECKING:
    from browserflow.config import Settings

__all__ = ["connect_config", "load_profile"]

_LEGACY_TLS = {"TEMPORAL_TLS_CERT": "TEMPORAL_TLS_CLIENT_CERT_PATH", "TEMPORAL_TLS_KEY": "TEMPORAL_TLS_CLIENT_KEY_PATH"}


def load_profile(env: Mapping[str, str]) -> dict[str, Any]:
    """The ``temporal`` CLI profile for ``env`` (its TOML file with the ``TEMPORAL_*`` variables on top), as the
    SDK's profile dictionary. A named file that does not exist, a bad file or an unknown profile raise
    ``ConfigInvalid`` naming ``TEMPORAL_CONFIG_FILE`` / ``TEMPORAL_PROFILE``."""
    env = dict(env)
    for legacy, standard in _LEGACY_TLS.items():
        if env.get(legacy) and not env.get(standard):
            env[standard] = env[legacy]
    config_file = env.get("TEMPORAL_CONFIG_FILE")
    if config_file and not Path(config_file).is_file():
        raise ConfigInvalid(f"invalid configuration: TEMPORAL_CONFIG_FILE: no such file {config_file}")
    try:
        profile = ClientConfigProfile.load(env.get("TEMPORAL_PROFILE") or None, override_env_vars=env)
    except Exception as exc:  # the bridge's ConfigError: an unknown profile, a file that is not TOML
        name = "TEMPORAL_PROFILE" if "profile" in str(exc).lower() else "TEMPORAL_CONFIG_FILE"
        raise ConfigInvalid(f"invalid configuration: {name}: {exc}") from None
    return dict(profile.to_dict())


def connect_config(settings: Settings) -> ClientConnectConfig:
    """Keyword arguments for ``Client.connect``: the profile ``settings`` was read with, and its own values on
    top (address, namespace, API key, TLS flag and client certificate may have been set in code)."""
    profile = ClientConfigProfile.from_dict(cast(ClientConfigProfileDict, settings.temporal_profile_data))
    config: dict[str, Any] = dict(profile.to_client_connect_config())
    config["target_host"] = settings.temporal_address
    config["namespace"] = settings.temporal_namespace
    if settings.temporal_api_key:
        config["api_key"] = settings.temporal_api_key
        config.setdefault("tls", True)  # an API key implies TLS unless the profile turns it off
    if settings.temporal_tls_cert and settings.temporal_tls_key:
        base = config.get("tls")
        config["tls"] = TLSConfig(
            server_root_ca_cert=base.server_root_ca_cert if isinstance(base, TLSConfig) else None,
            domain=base.domain if isinstance(base, TLSConfig) else None,
            client_cert=Path(settings.temporal_tls_cert).read_bytes(),
            client_private_key=Path(settings.temporal_tls_key).read_bytes(),
        )
    elif settings.temporal_tls and not config.get("tls"):
        config["tls"] = True
    config.setdefault("tls", False)
    return cast(ClientConnectConfig, config)
