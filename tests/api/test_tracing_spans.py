"""Traces of an in-process server: a server span per call from the gRPC instrumentation, child
spans for storage and projection work, and the call's trace id in its access log line."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, format_trace_id

from projections.read_models import ReadModels
from service.api.server import RunningServer, start_server
from service.bootstrap import open_application, open_read_models
from service.config import ServeConfig
from service.generated.sla.ledger.v1 import ledger_service_pb2, ledger_service_pb2_grpc
from service.telemetry.tracing import start_tracing
from tests import proto_builders as build

TIMEOUT = 10
TERM_START = datetime(2025, 1, 1, tzinfo=UTC)
SIGNED_AT = datetime(2024, 12, 15, tzinfo=UTC)
SIGN = "/sla.ledger.v1.LedgerService/SignAgreement"


@dataclass
class TracedServer:
    """An in-process server whose spans end up in exporter."""

    running: RunningServer
    read_models: ReadModels
    stub: ledger_service_pb2_grpc.LedgerServiceStub
    exporter: InMemorySpanExporter


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TracedServer]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('traced') / 'ledger.sqlite3'}"
    exporter = InMemorySpanExporter()
    tracing = start_tracing([SimpleSpanProcessor(exporter)])
    app = open_application(database_url)
    read_models = open_read_models(app, database_url)
    config = ServeConfig(listen="127.0.0.1:0", database_url=database_url, workers=4)
    running = start_server(app, config, read_models=read_models, tracing=tracing)
    channel = grpc.insecure_channel(f"127.0.0.1:{running.port}")
    try:
        yield TracedServer(
            running, read_models, ledger_service_pb2_grpc.LedgerServiceStub(channel), exporter
        )
    finally:
        channel.close()
        running.stop(grace_seconds=1)
        tracing.shutdown()


@pytest.fixture
def server(traced: TracedServer) -> TracedServer:
    """The traced server, its exporter emptied of earlier tests' spans."""
    traced.exporter.clear()
    return traced


def _sign(server: TracedServer, agreement_id: str) -> None:
    request = build.sign_request(agreement_id, TERM_START, SIGNED_AT)
    server.stub.SignAgreement(request, timeout=TIMEOUT)


def _named(server: TracedServer, name: str) -> list[ReadableSpan]:
    return [span for span in server.exporter.get_finished_spans() if span.name == name]


def _attributes(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


def test_a_call_is_a_server_span_named_for_its_method_with_grpc_attributes(
    server: TracedServer,
) -> None:
    _sign(server, "sla-span")

    (span,) = _named(server, SIGN)
    assert span.kind is SpanKind.SERVER
    attributes = _attributes(span)
    assert attributes["rpc.system"] == "grpc"
    assert attributes["rpc.service"] == "sla.ledger.v1.LedgerService"
    assert attributes["rpc.method"] == "SignAgreement"
    assert attributes["rpc.grpc.status_code"] == grpc.StatusCode.OK.value[0]


def test_a_refused_call_span_carries_its_status_code(server: TracedServer) -> None:
    request = ledger_service_pb2.GetAgreementRequest(agreement_id="sla-unknown")
    with pytest.raises(grpc.RpcError):
        server.stub.GetAgreement(request, timeout=TIMEOUT)

    (span,) = _named(server, "/sla.ledger.v1.LedgerService/GetAgreement")
    assert _attributes(span)["rpc.grpc.status_code"] == grpc.StatusCode.NOT_FOUND.value[0]


def test_a_refused_call_span_records_no_exception_event(server: TracedServer) -> None:
    request = ledger_service_pb2.GetAgreementRequest(agreement_id="sla-unknown")
    with pytest.raises(grpc.RpcError):
        server.stub.GetAgreement(request, timeout=TIMEOUT)

    (span,) = _named(server, "/sla.ledger.v1.LedgerService/GetAgreement")
    assert [event.name for event in span.events] == []


def test_reading_the_log_outside_a_call_or_batch_makes_no_span(server: TracedServer) -> None:
    server.read_models.catch_up()  # nothing left to apply: only reads of the log
    server.exporter.clear()

    assert server.read_models.catch_up() == 0
    assert server.exporter.get_finished_spans() == ()


def test_reading_an_agreement_is_a_child_span_of_the_call(server: TracedServer) -> None:
    _sign(server, "sla-read")
    request = ledger_service_pb2.GetAgreementRequest(agreement_id="sla-read")
    server.stub.GetAgreement(request, timeout=TIMEOUT)

    (call,) = _named(server, "/sla.ledger.v1.LedgerService/GetAgreement")
    reads = [s for s in server.exporter.get_finished_spans() if s.name.startswith("ledger.store.")]
    assert call.context.span_id in {s.parent.span_id for s in reads if s.parent}


def test_appending_to_the_store_is_a_child_span_of_the_call(server: TracedServer) -> None:
    _sign(server, "sla-append")

    (call,) = _named(server, SIGN)
    appends = _named(server, "ledger.store.append")
    assert [span.parent.span_id for span in appends if span.parent] == [call.context.span_id]
    assert _attributes(appends[0])["events"] >= 1


def test_a_projection_batch_is_a_span_naming_its_read_model(server: TracedServer) -> None:
    _sign(server, "sla-projected")
    server.read_models.catch_up()

    batches = _named(server, "ledger.projection.batch")
    assert batches, "no projection batch span"
    assert all(_attributes(span)["read_model"] for span in batches)
    assert sum(_attributes(span)["events"] for span in batches) >= 1


def test_the_access_log_line_carries_the_trace_id_of_the_call_span(
    server: TracedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sla_ledger.access")
    _sign(server, "sla-logged")

    (span,) = _named(server, SIGN)
    (line,) = [r for r in caplog.records if r.name == "sla_ledger.access"]
    assert line.trace_id == format_trace_id(span.context.trace_id)  # type: ignore[attr-defined]


def test_health_checks_are_not_traced(server: TracedServer) -> None:
    channel = grpc.insecure_channel(f"127.0.0.1:{server.running.port}")
    with channel:
        health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=TIMEOUT)

    assert server.exporter.get_finished_spans() == ()


def test_a_caller_traceparent_makes_the_call_span_part_of_its_trace(server: TracedServer) -> None:
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    metadata = (("traceparent", f"00-{trace_id}-00f067aa0ba902b7-01"),)
    request = ledger_service_pb2.GetAgreementRequest(agreement_id="sla-unknown")
    with pytest.raises(grpc.RpcError):
        server.stub.GetAgreement(request, timeout=TIMEOUT, metadata=metadata)

    (span,) = _named(server, "/sla.ledger.v1.LedgerService/GetAgreement")
    assert format_trace_id(span.context.trace_id) == trace_id
    assert span.parent is not None and span.parent.span_id == 0x00F067AA0BA902B7
