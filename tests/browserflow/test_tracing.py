"""The tracing settings (no server): which endpoint, bad values named, the task id on each span of a task."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from browserflow.config import Settings
from browserflow.errors import ConfigInvalid
from browserflow.temporal.tracing import (
    CLIENT_SERVICE,
    TASK_ID_ATTRIBUTE,
    WORKER_SERVICE,
    tracer_provider,
    tracing_enabled,
)

BAD = [
    ("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318", "an http:// or https:// URL"),
    ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "grpc://collector:4317", "an http:// or https:// URL"),
    ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "'http/protobuf'"),
]


@pytest.mark.parametrize(("name", "value", "says"), BAD, ids=[f"{n}={v}" for n, v, _ in BAD])
def test_a_bad_tracing_value_names_its_variable(name: str, value: str, says: str) -> None:
    with pytest.raises(ConfigInvalid) as info:
        Settings.from_env({name: value})
    assert info.value.message.startswith(f"invalid configuration: {name}: ") and says in info.value.message


def test_tracing_is_off_without_an_endpoint_and_the_traces_path_follows_the_specification() -> None:
    assert not tracing_enabled(Settings.from_env({}))
    assert not tracing_enabled(Settings.from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": ""}))  # empty = unset
    general = Settings.from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.example:4318/"})
    assert tracing_enabled(general) and general.otlp_traces_url == "https://otel.example:4318/v1/traces"
    own = Settings.from_env(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://b:9/spans"}
    )
    assert own.otlp_traces_url == "http://b:9/spans"  # the signal's own endpoint is used as given
    headers = Settings.from_env({"OTEL_EXPORTER_OTLP_HEADERS": "api-key=s3cret"})
    assert "s3cret" not in repr(headers) and headers.otel_headers is not None
    with pytest.raises(ValueError, match="tracing is off"):
        tracer_provider(Settings(), CLIENT_SERVICE)


def test_spans_of_a_workflow_carry_the_task_id_and_the_service_name() -> None:
    exported = InMemorySpanExporter()
    provider = tracer_provider(Settings(otel_endpoint="http://127.0.0.1:4318"), WORKER_SERVICE, exported)
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("RunActivity:act", attributes={"temporalWorkflowID": "bf-42"}):
        pass
    with tracer.start_as_current_span("unrelated"):
        pass
    assert provider.force_flush()
    act, other = exported.get_finished_spans()
    assert act.attributes is not None and act.attributes[TASK_ID_ATTRIBUTE] == "bf-42"
    assert other.attributes is not None and TASK_ID_ATTRIBUTE not in other.attributes
    assert act.resource.attributes["service.name"] == WORKER_SERVICE
    provider.shutdown()
