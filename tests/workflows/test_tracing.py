"""OpenTelemetry traces: a real task's client call, workflow and activities form one trace (the real dev server,
Chromium, the demo site, the worker's own ``build_workers``); spans reach an OTLP/HTTP endpoint; no endpoint,
no interceptor."""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporalio.client import Client
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.testing import WorkflowEnvironment

from browserflow.browser.pool import BrowserPool
from browserflow.config import Settings
from browserflow.contracts import TaskStatus
from browserflow.store import Store
from browserflow.temporal.connect import connect
from browserflow.temporal.tracing import (
    CLIENT_SERVICE,
    TASK_ID_ATTRIBUTE,
    WORKER_SERVICE,
    traced,
    tracer_provider,
    tracing_interceptors,
)
from client.sdk import BrowserTasks
from demo import DemoSite
from tests.workflows.test_task import demo_request
from worker import build_workers

pytestmark = pytest.mark.integration

WORKFLOW = "BrowserTaskWorkflow"


def environment(temporal_env: WorkflowEnvironment, **extra: str) -> dict[str, str]:
    """This process's environment (its key ring) on the test server, without any OTEL_* variable of the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    return {**env, "TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host, **extra}


def service(span: ReadableSpan) -> object:
    return span.resource.attributes.get("service.name")


async def test_a_tasks_client_call_workflow_and_activities_are_one_trace(
    temporal_env: WorkflowEnvironment, pool: BrowserPool, engine_store: Store, site: DemoSite
) -> None:
    settings = Settings(otel_endpoint="http://127.0.0.1:4318")  # tracing on; never contacted: spans stay in memory
    exported = InMemorySpanExporter()
    client_traces = tracer_provider(settings, CLIENT_SERVICE, exported)
    worker_traces = tracer_provider(settings, WORKER_SERVICE, exported)
    submitter = traced(temporal_env.client, settings, CLIENT_SERVICE, client_traces)  # as the SDK's client
    worker_client = traced(temporal_env.client, settings, WORKER_SERVICE, worker_traces)  # as run_worker's
    queue = f"bf-trace-{uuid.uuid4().hex[:8]}"
    workers = build_workers(worker_client, pool, store=engine_store, task_queue=queue, drain_seconds=5)
    stop = asyncio.Event()
    running = asyncio.create_task(workers.run(stop))
    try:
        handle = await BrowserTasks(submitter, queue).submit(demo_request(site, use_cache=False))
        result = await handle.result()
        assert result.status == TaskStatus.SUCCEEDED, result.reason
    finally:
        stop.set()
        await running
    assert client_traces.force_flush() and worker_traces.force_flush()

    spans = [s for s in exported.get_finished_spans() if (s.attributes or {}).get(TASK_ID_ATTRIBUTE) == handle.id]
    names = {s.name for s in spans}
    assert {f"StartWorkflow:{WORKFLOW}", f"RunWorkflow:{WORKFLOW}", f"CompleteWorkflow:{WORKFLOW}"} <= names, names
    ran = {name.removeprefix("RunActivity:") for name in names if name.startswith("RunActivity:")}
    assert {"task_started", "open_session", "decide", "act", "check_goal", "close_session", "task_finished"} <= ran
    assert len({s.context.trace_id for s in spans}) == 1, "the task's spans are not one trace"

    # the trace's root is the client's call; each activity hangs off the workflow's StartActivity for it
    (start,) = [s for s in spans if s.name == f"StartWorkflow:{WORKFLOW}"]
    assert start.parent is None and service(start) == CLIENT_SERVICE
    by_id = {s.context.span_id: s for s in spans}
    for span in spans:
        if span.name.startswith("RunActivity:"):
            assert span.parent is not None and service(span) == WORKER_SERVICE
            assert by_id[span.parent.span_id].name == span.name.replace("RunActivity:", "StartActivity:")
        if span is not start:
            assert span.parent is not None and span.parent.span_id in by_id, f"{span.name} has no parent here"
    act = [s for s in spans if s.name == "RunActivity:act"]
    assert len(act) == result.steps_taken and all(
        s.end_time and s.start_time and s.end_time > s.start_time for s in act
    )


async def test_without_an_otlp_endpoint_no_interceptor_is_installed(temporal_env: WorkflowEnvironment) -> None:
    settings = Settings.from_env(environment(temporal_env))
    assert settings.otlp_traces_url is None
    assert tracing_interceptors(settings, CLIENT_SERVICE) == []
    client = await connect(settings)
    assert list(client.config()["interceptors"]) == []
    assert traced(client, settings, WORKER_SERVICE) is client  # workers built on it get none either
    assert traced(temporal_env.client, settings, CLIENT_SERVICE) is temporal_env.client

    on = Settings.from_env(environment(temporal_env, OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:4318/"))
    assert on.otlp_traces_url == "http://127.0.0.1:4318/v1/traces"
    assert [type(i) for i in (await connect(on)).config()["interceptors"]] == [TracingInterceptor]


class _Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, str], bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, dict(self.headers.items()), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()
        self.wfile.write(b"")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, list[tuple[str, dict[str, str], bytes]]]]:
    """An OTLP/HTTP receiver on 127.0.0.1 recording each export request (path, headers, body)."""
    received: list[tuple[str, dict[str, str], bytes]] = []
    handler = type("Collector", (_Collector,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


async def test_spans_are_sent_over_otlp_http_to_the_endpoint(
    temporal_env: WorkflowEnvironment, collector: tuple[str, list[tuple[str, dict[str, str], bytes]]]
) -> None:
    endpoint, received = collector
    env = environment(
        temporal_env, OTEL_EXPORTER_OTLP_ENDPOINT=endpoint, OTEL_EXPORTER_OTLP_HEADERS="x-team=browser%20flow"
    )
    settings = Settings.from_env(env)
    client: Client = await connect(settings)  # the SDK's and the CLI's connection
    task_id = f"bf-otlp-{uuid.uuid4().hex[:8]}"
    handle = await client.start_workflow(WORKFLOW, {}, id=task_id, task_queue=f"nobody-{uuid.uuid4().hex[:8]}")
    await handle.terminate("only its start was wanted")
    assert await asyncio.to_thread(tracer_provider(settings, CLIENT_SERVICE).force_flush)

    assert received, "nothing reached the OTLP endpoint"
    assert {path for path, _, _ in received} == {"/v1/traces"}
    assert all(headers.get("x-team") == "browser flow" for _, headers, _ in received)
    started = []
    for _, _, body in received:
        for resource_spans in ExportTraceServiceRequest.FromString(body).resource_spans:
            resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    attributes = {a.key: a.value.string_value for a in span.attributes}
                    if attributes.get(TASK_ID_ATTRIBUTE) == task_id:
                        started.append((resource["service.name"], span.name))
    assert started == [(CLIENT_SERVICE, f"StartWorkflow:{WORKFLOW}")]
