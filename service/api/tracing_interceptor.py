"""The OpenTelemetry server interceptor: a server span per call of one service."""

from __future__ import annotations

import grpc
from opentelemetry.instrumentation.grpc import filters, server_interceptor

from service.telemetry.tracing import Tracing
from service.telemetry.tracing_aborts import AbortsUnrecordedProvider


def tracing_interceptor(tracing: Tracing, service: str) -> grpc.ServerInterceptor:
    """The maintained instrumentation's interceptor, for the calls of service only (health
    checks and reflection would only add noise); its spans record no abort as an exception
    (service/telemetry/tracing_aborts.py)."""
    interceptor: grpc.ServerInterceptor = server_interceptor(  # type: ignore[no-untyped-call]
        tracer_provider=AbortsUnrecordedProvider(tracing.provider),
        filter_=filters.service_name(service),
    )
    return interceptor
