"""A tracer for the gRPC instrumentation's server spans that records no exception events.

Every exception the server interceptor sees is the bare Exception grpcio raises from
context.abort: the error layer below it ends every failure with a status (and logs the ones an
operator must see), so the event would only add a traceback of the abort to each refused call.
The span keeps the call's status code (rpc.grpc.status_code) and, for server faults, its error
status.
"""

from __future__ import annotations

from typing import Any

from opentelemetry import trace
from opentelemetry.util import types


class AbortsUnrecordedProvider(trace.TracerProvider):
    """Hands out tracers of provider whose current spans record no exception event."""

    def __init__(self, provider: trace.TracerProvider) -> None:
        self._provider = provider

    def get_tracer(
        self,
        instrumenting_module_name: str,
        instrumenting_library_version: str | None = None,
        schema_url: str | None = None,
        attributes: types.Attributes = None,
    ) -> trace.Tracer:
        """The provider's tracer, its current spans recording no exception event."""
        tracer = self._provider.get_tracer(
            instrumenting_module_name, instrumenting_library_version, schema_url, attributes
        )
        return _AbortsUnrecorded(tracer)


class _AbortsUnrecorded(trace.Tracer):
    def __init__(self, tracer: trace.Tracer) -> None:
        self._tracer = tracer

    def start_span(self, *args: Any, **kwargs: Any) -> trace.Span:
        return self._tracer.start_span(*args, **kwargs)

    def start_as_current_span(self, *args: Any, **kwargs: Any) -> Any:
        return self._tracer.start_as_current_span(*args, **{**kwargs, "record_exception": False})
