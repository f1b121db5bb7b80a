"""OpenTelemetry traces of tasks: Temporal's ``TracingInterceptor`` on every client and worker, spans sent over
OTLP/HTTP.

**Off** unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or the signal's own ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) is
set, read through :class:`~browserflow.config.Settings`: then :func:`tracing_interceptors` is empty, nothing of
OpenTelemetry is imported and no call pays for it.

**On**, each process builds one tracer provider per role (:func:`tracer_provider`: resource ``service.name``
``browserflow-client`` or ``browserflow-worker``, plus ``OTEL_RESOURCE_ATTRIBUTES``; a ``BatchSpanProcessor``
over the OTLP/HTTP exporter; flushed when the process exits) and hands its tracer to the interceptor, which:

- on a client, opens a span for each call (``StartWorkflow:BrowserTaskWorkflow``, ``QueryWorkflow:progress``,
  ``StartWorkflowUpdate:approve`` ...) and puts its context in the call's Temporal headers;
- on a worker, continues that context: ``RunWorkflow`` / ``CompleteWorkflow`` of the task, a ``StartActivity``
  for each activity the workflow schedules and the ``RunActivity:open_session`` / ``act`` / ``task_finished``
  ... span where it runs, on whichever worker (or worker after a crash) that is.

So one task started by a traced client is one trace, across the client, the shared queue and the session
workers. Workflow spans are zero-length marks (replay-safe, the interceptor's design); activity spans last as
long as the activity. A task started by a client without tracing (the Web UI, a plain ``temporal`` CLI) still
gets its activity spans, each its own trace. Every span about a task carries ``browserflow.task_id`` (its
workflow id) besides the interceptor's ``temporalWorkflowID`` / ``temporalRunID`` / ``temporalActivityID``.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from temporalio.client import Client

from browserflow.config import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from temporalio.client import Interceptor

__all__ = [
    "CLIENT_SERVICE",
    "TASK_ID_ATTRIBUTE",
    "WORKER_SERVICE",
    "traced",
    "tracer_provider",
    "tracing_enabled",
    "tracing_interceptors",
]

CLIENT_SERVICE = "browserflow-client"
WORKER_SERVICE = "browserflow-worker"
TASK_ID_ATTRIBUTE = "browserflow.task_id"
_WORKFLOW_ID = "temporalWorkflowID"  # set by the interceptor on every span of a workflow, its activities, its calls
_TRACER = "browserflow"

_PROVIDERS: dict[tuple[str, str, str], TracerProvider] = {}
_PROVIDERS_LOCK = threading.Lock()


def tracing_enabled(settings: Settings) -> bool:
    """Whether ``settings`` name an OTLP endpoint (``OTEL_EXPORTER_OTLP_ENDPOINT`` or ``..._TRACES_ENDPOINT``)."""
    return settings.otlp_traces_url is not None


def tracer_provider(settings: Settings, service: str, exporter: SpanExporter | None = None) -> TracerProvider:
    """The tracer provider of ``service`` (:data:`CLIENT_SERVICE` or :data:`WORKER_SERVICE`): resource
    ``service.name=service`` and a ``BatchSpanProcessor`` over ``exporter``.

    ``exporter`` None: the OTLP/HTTP exporter to ``settings.otlp_traces_url`` (with ``OTEL_EXPORTER_OTLP_HEADERS``),
    one provider per endpoint and service in a process, shut down (its last spans sent) at exit. A given
    ``exporter`` (a test's in-memory one) gets a new provider each call; the caller flushes it."""
    if exporter is not None:
        return _provider(service, exporter)
    url = settings.otlp_traces_url
    if url is None:
        raise ValueError("tracing is off: set OTEL_EXPORTER_OTLP_ENDPOINT")
    headers = settings.otel_headers.get_secret_value() if settings.otel_headers else ""
    key = (url, headers, service)
    with _PROVIDERS_LOCK:
        if key not in _PROVIDERS:
            _PROVIDERS[key] = _provider(service, _otlp_exporter(url, headers))
        return _PROVIDERS[key]


def tracing_interceptors(settings: Settings, service: str, provider: TracerProvider | None = None) -> list[Interceptor]:
    """The interceptors for a client (and the workers made from it) of ``service``: ``[]`` when tracing is off,
    else Temporal's ``TracingInterceptor`` with a tracer of ``provider`` (default :func:`tracer_provider`)."""
    if not tracing_enabled(settings):
        return []
    from temporalio.contrib.opentelemetry import TracingInterceptor

    provider = provider or tracer_provider(settings, service)
    return [TracingInterceptor(provider.get_tracer(_TRACER))]


def traced(client: Client, settings: Settings, service: str, provider: TracerProvider | None = None) -> Client:
    """``client`` itself when tracing is off, else a client on the same connection with
    :func:`tracing_interceptors` added (for clients made elsewhere, e.g. a test server's); workers built on it
    trace too."""
    interceptors = tracing_interceptors(settings, service, provider)
    if not interceptors:
        return client
    config = client.config()
    config["interceptors"] = [*config["interceptors"], *interceptors]
    return Client(**config)


def _provider(service: str, exporter: SpanExporter) -> TracerProvider:
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
    provider.add_span_processor(_task_id_processor())
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def _otlp_exporter(url: str, headers: str) -> SpanExporter:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.util.re import parse_env_headers

    return OTLPSpanExporter(endpoint=url, headers=parse_env_headers(headers, liberal=True) if headers else None)


def _task_id_processor() -> SpanProcessor:
    """A processor naming the task on each span that has a workflow id (client calls, workflow, activities)."""
    from opentelemetry.sdk.trace import SpanProcessor

    class TaskIdProcessor(SpanProcessor):
        def on_start(self, span: Any, parent_context: Any = None) -> None:
            task_id = (span.attributes or {}).get(_WORKFLOW_ID)
            if task_id:
                span.set_attribute(TASK_ID_ATTRIBUTE, task_id)

    return TaskIdProcessor()
