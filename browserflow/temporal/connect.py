"""Connecting to Temporal the same way everywhere: the encrypting data converter, TLS and API key settings."""

from __future__ import annotations

from pathlib import Path

from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import TLSConfig

from browserflow.config import Settings
from browserflow.temporal.codec import data_converter

__all__ = ["connect", "metrics_runtime"]


def metrics_runtime(port: int) -> Runtime:
    """A Temporal runtime exporting Prometheus metrics (the SDK's own and browserflow's) on ``port``."""
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=f"0.0.0.0:{port}")))


async def connect(settings: Settings | None = None, runtime: Runtime | None = None) -> Client:
    """A client for ``settings`` (default: from the environment), with :func:`~browserflow.temporal.codec.data_converter`.

    The key ring is resolved before any connection: a missing (production) or malformed ring raises an
    :class:`~browserflow.errors.EncryptionError` naming the variable, whether or not a server is up.
    """
    settings = settings or Settings.from_env()
    converter = data_converter(settings)
    tls: bool | TLSConfig = settings.temporal_tls or bool(settings.temporal_api_key)
    if settings.temporal_tls_cert and settings.temporal_tls_key:
        tls = TLSConfig(
            client_cert=Path(settings.temporal_tls_cert).read_bytes(),
            client_private_key=Path(settings.temporal_tls_key).read_bytes(),
        )
    try:
        return await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            data_converter=converter,
            tls=tls,
            api_key=settings.temporal_api_key,
            runtime=runtime,
        )
    except RuntimeError as exc:
        raise ConnectionError(
            f"cannot reach Temporal at {settings.temporal_address} (namespace {settings.temporal_namespace}): "
            f"{exc}. Start the embedded server with `make up` or `browserflow server`, or set TEMPORAL_ADDRESS."
        ) from None
