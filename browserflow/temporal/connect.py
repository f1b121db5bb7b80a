"""Connecting to Temporal the same way everywhere: the encrypting data converter and the connection settings of
``browserflow.temporal.profile.connect_config`` (a ``temporal`` CLI profile and the ``TEMPORAL_*`` variables, via
``temporalio.envconfig``)."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from browserflow.config import Settings
from browserflow.temporal.codec import data_converter
from browserflow.temporal.profile import connect_config
from browserflow.temporal.tracing import CLIENT_SERVICE, tracing_interceptors

__all__ = ["connect", "metrics_runtime"]


def metrics_runtime(port: int) -> Runtime:
    """A Temporal runtime exporting Prometheus metrics (the SDK's own and browserflow's) on ``port``."""
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=f"0.0.0.0:{port}")))


async def connect(
    settings: Settings | None = None, runtime: Runtime | None = None, *, service: str = CLIENT_SERVICE
) -> Client:
    """A client for ``settings`` (default: read from the environment now), with :func:`~browserflow.temporal.codec.data_converter`.

    With ``OTEL_EXPORTER_OTLP_ENDPOINT`` set, the client (and every worker built on it) traces as ``service``
    (``browserflow-client``, the worker passes ``browserflow-worker``): see :mod:`browserflow.temporal.tracing`.

    The key ring is resolved before any connection: a missing (production) or malformed ring raises an
    :class:`~browserflow.errors.EncryptionError` naming the variable, whether or not a server is up.
    """
    settings = settings or Settings.from_env()
    converter = data_converter(settings)
    config = connect_config(settings)
    try:
        return await Client.connect(
            **config,
            data_converter=converter,
            runtime=runtime,
            interceptors=tracing_interceptors(settings, service),
        )
    except RuntimeError as exc:
        raise ConnectionError(
            f"cannot reach Temporal at {settings.temporal_address} (namespace {settings.temporal_namespace}): "
            f"{exc}. Start the embedded server with `make up` or `browserflow server`, or set TEMPORAL_ADDRESS "
            "(or a `temporal` CLI profile: TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE)."
        ) from None
